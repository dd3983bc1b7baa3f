"""A tiny video network for the engine's integration tests, and the helpers they share.

`_engine_toy_arch` registers it as arch 'toy3d' (backbone 'tiny'); the training processes import that module
through `TrainConfig.imports=["_engine_toy_arch"]` (the tests put this folder on PYTHONPATH), the way a user's
plugin registers an architecture. (Registering here, at import, would add 'toy3d' to the registry of the pytest
process that collects tests/test_models.py, which enumerates every architecture.) Two 3D convolutions, global
average pooling, dropout, a linear classifier: milliseconds per step, so the tests exercise the engine, not the
CPU. `nan_at` (tests only): from that training forward on, the logits are NaN."""
import torch
from torch import nn
from vidattn_nb.models.base import VideoNet


class Toy3d(VideoNet):
    def __init__(self, num_classes: int, dropout: float = 0.0, nan_at: int | None = None):
        super().__init__()
        self.conv1 = nn.Conv3d(3, 16, (3, 5, 5), stride=(1, 2, 2), padding=(1, 2, 2))
        self.conv2 = nn.Conv3d(16, 32, 3, stride=2, padding=1)
        self.drop, self.fc = nn.Dropout(dropout), nn.Linear(32, num_classes)
        self.num_classes, self.nan_at, self.calls = num_classes, nan_at, 0

    def stages(self): return []

    def forward(self, x):
        y = torch.relu(self.conv2(torch.relu(self.conv1(x)))).mean((2, 3, 4))
        out = self.fc(self.drop(y))
        if self.training:
            self.calls += 1
            if self.nan_at is not None and self.calls >= self.nan_at: out = out * float("nan")
        return out


# -- shared by the engine's integration tests -------------------------------------------------------------------
import json, os, sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SYNTHETIC = {"size": 32, "num_frames": 8, "train_per_class": 4, "val_per_class": 1, "clutter": 0.0, "num_distractors": [0, 0],
             "object_scale": 2.0}


def tiny(run_dir, data_root, **over) -> dict:
    "TrainConfig fields of a tiny CPU run: toy3d on 48 synthetic clips of 4 frames at 32x32, batch 4, fp32, one thread."
    d = dict(run_dir=str(run_dir), dataset="synthetic", data_root=str(data_root), synthetic=SYNTHETIC, imports=["_engine_toy_arch"],
             arch="toy3d", backbone="tiny", frames=4, size=32, batch_size=4, epochs=3, lr=0.05, lr_steps=[2], dropout=0.0,
             num_workers=0, precision="fp32", threads=1, profile=False, tensorboard="off", progress="off", seed=0)
    d.update(over)
    return d


def cli_args(fields: dict) -> list:
    "The `python -m vidattn_nb.train` options for `fields`."
    out = []
    for k, v in fields.items():
        out.append(f"--{k}")
        if isinstance(v, list): out += [str(x) for x in v]
        elif isinstance(v, dict): out.append(json.dumps(v))
        else: out.append("none" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
    return out


def env() -> dict:
    "The environment of a training subprocess: this folder importable, one thread per process."
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([str(TESTS), e.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    e["OMP_NUM_THREADS"] = "1"
    return e


def model_weights(run_dir, name="last.pt") -> dict:
    from vidattn_nb.engine.checkpoint import load_checkpoint
    return load_checkpoint(Path(run_dir) / "checkpoints" / name)["model"]


def log_lines(run_dir) -> list:
    "log.jsonl without its timing fields."
    rows = [json.loads(l) for l in (Path(run_dir) / "log.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if not k.endswith("_time_s")} for r in rows]
