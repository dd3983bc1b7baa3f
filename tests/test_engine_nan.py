"""A NaN or inf loss stops the run: the error names the step, the weights are not updated, and the last good
checkpoint is left as it was. Also through the command line (exit code 1, the message on stderr)."""
import math, subprocess, sys
from pathlib import Path
import pytest
import torch
from fastcore.test import test_eq as check_eq, test_fail as check_fail
from _engine_toy import Toy3d, tiny, cli_args, env
from vidattn_nb.engine.config import TrainConfig
from vidattn_nb.engine.loop import Trainer, NonFiniteLossError
from vidattn_nb.engine.checkpoint import load_checkpoint


def test_nan_loss_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    cfg = TrainConfig(**tiny(tmp_path / "run", tmp_path / "syn", checkpoint_every=2, epochs=2, imports=[]))   # the model is given
    model = Toy3d(12, nan_at=7)                                     # the 7th training forward gives NaN logits
    t = Trainer(cfg, model=model)
    with pytest.raises(NonFiniteLossError) as e:
        t.fit()
    msg = str(e.value)
    assert "the training loss is nan at step 7 (epoch 1, batch 7 of 12)" in msg, msg
    assert "last.pt, is left as it was" in msg, msg
    st = load_checkpoint(tmp_path / "run" / "checkpoints" / "last.pt")
    check_eq(st["step"], 6)                                         # the last checkpoint before the NaN (every 2 steps)
    assert all(torch.isfinite(v).all() for v in st["model"].values())
    # the weights in memory are those after step 6: the NaN step changed nothing
    for k, v in t.model.state_dict().items(): assert torch.equal(v, st["model"][k]), k
    assert not (tmp_path / "run" / "result.csv").exists()


def test_exploding_run_exits_with_the_step_in_the_message(tmp_path):
    f = tiny(tmp_path / "run", tmp_path / "syn", lr=1e12, epochs=2, checkpoint_every=1, lr_steps=[])
    r = subprocess.run([sys.executable, "-m", "vidattn_nb.train", *cli_args(f)], env=env(), capture_output=True, text=True, timeout=600)
    check_eq(r.returncode, 1)
    assert "vidattn_nb.train: error: the training loss is" in r.stderr and " at step " in r.stderr, r.stderr[-2000:]
    step = int(r.stderr.split(" at step ")[1].split()[0])
    st = load_checkpoint(tmp_path / "run" / "checkpoints" / "last.pt")
    check_eq(st["step"], step - 1)
    print("diverged at step", step)
