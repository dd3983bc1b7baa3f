"""W3's two-stage mature feature-guided regularisation from one command: stage 1 trains the teacher (CE + AFR) in
run_dir/teacher, stage 2 a fresh student of the same architecture with CE + AFR + lambda * L2 to the frozen
teacher's refined features (Eq. 9); each loss part is logged by name."""
import json
from pathlib import Path
import pandas as pd
import torch
from fastcore.test import test_eq as check_eq
from vidattn_nb.engine.config import TrainConfig
from vidattn_nb.engine.loop import run
from vidattn_nb.engine.checkpoint import load_checkpoint

SYN = {"size": 40, "num_frames": 8, "train_per_class": 2, "val_per_class": 1, "clutter": 0.0, "num_distractors": [0, 0]}


def test_mfr_two_stages_from_one_run(tmp_path):
    cfg = TrainConfig(run_dir=str(tmp_path / "w3"), dataset="synthetic", data_root=str(tmp_path / "syn"), synthetic=SYN, arch="tsm",
                      backbone="resnet18", attention="w3", mfr=True, mfr_lambda=0.5, frames=4, size=32, batch_size=8, epochs=1,
                      train_subset=16, val_subset=6, optimizer="adam", lr=3e-4, lr_steps=[], dropout=0.0, num_workers=0,
                      precision="fp32", threads=1, profile=False, tensorboard="off", progress="off")
    run(cfg)
    teacher, student = tmp_path / "w3" / "teacher", tmp_path / "w3"
    lt, ls = pd.read_json(teacher / "log.jsonl", lines=True), pd.read_json(student / "log.jsonl", lines=True)
    assert "train_loss/w3.afr" in lt and "train_loss/w3.mfr" not in lt                 # stage 1: CE + AFR
    assert {"train_loss/task", "train_loss/w3.afr", "train_loss/w3.mfr"} <= set(ls)    # stage 2: + MFR
    assert ls["train_loss/w3.mfr"].iloc[0] > 0
    total = ls["train_loss/task"] + ls["train_loss/w3.afr"] + ls["train_loss/w3.mfr"]
    assert (total - ls.train_loss).abs().max() < 1e-4
    check_eq(json.loads((teacher / "config.json").read_text())["mfr"], False)
    # the student is a fresh network, not the teacher continued
    wt, ws = load_checkpoint(teacher / "checkpoints" / "last.pt")["model"], load_checkpoint(student / "checkpoints" / "last.pt")["model"]
    assert not torch.equal(wt["base_model.fc.weight"], ws["base_model.fc.weight"])
    assert (student / "result.csv").exists() and (teacher / "result.csv").exists()
