"""Exact resume: a real training process (`python -m vidattn_nb.train`, DataLoader workers included) is killed
with SIGKILL at arbitrary steps, resumed each time with the same command, and ends with exactly (bit for bit, on
CPU) the weights, log and predictions of an uninterrupted run of the same configuration."""
import os, random, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
import torch
from fastcore.test import test_eq as check_eq          # (aliased: pytest would collect test_eq)
from _engine_toy import tiny, cli_args, env, model_weights, log_lines
from vidattn_nb.engine.checkpoint import load_checkpoint, CheckpointError


def _cmd(fields): return [sys.executable, "-m", "vidattn_nb.train", *cli_args(fields)]


def _step(run_dir):
    p = Path(run_dir) / "checkpoints" / "last.pt"
    try: return load_checkpoint(p)["step"] if p.exists() else -1
    except CheckpointError: return -1


def _kill_after(fields, step, rng):
    "Start a run, wait until it has checkpointed `step` (or more), let it run a random moment longer, SIGKILL it."
    p = subprocess.Popen(_cmd(fields), env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    t0 = time.time()
    while _step(fields["run_dir"]) < step:
        assert p.poll() is None, f"the run ended before step {step}: {p.stdout.read().decode()[-3000:]}"
        assert time.time() - t0 < 300, "the run did not reach the step in 300 s"
        time.sleep(0.02)
    time.sleep(rng.uniform(0, 0.3))
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    check_eq(p.returncode, -signal.SIGKILL)
    assert not (Path(fields["run_dir"]) / "result.csv").exists(), "the run finished before it was killed"
    return _step(fields["run_dir"])


def test_sigkill_and_resume_gives_the_uninterrupted_weights(tmp_path):
    data = tmp_path / "syn"
    # dropout (the training process's generator), two DataLoader workers (per-clip seeds), checkpoints every 3 steps
    common = dict(dropout=0.3, num_workers=2, checkpoint_every=3, epochs=2)
    a, b = tiny(tmp_path / "a", data, **common), tiny(tmp_path / "b", data, **common)
    from vidattn_nb.data.synthetic import generate
    generate(data, **a["synthetic"])                                    # once, before the two runs read it
    pa = subprocess.Popen(_cmd(a), env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)   # the uninterrupted run
    rng = random.Random(1234)
    at = rng.randint(8, 18)                                             # 12 steps per epoch: the kill lands in epoch 1 or 2
    killed = _kill_after(b, at, rng)
    out = pa.communicate(timeout=600)[0].decode()
    assert pa.returncode == 0, out[-3000:]
    steps = load_checkpoint(Path(a["run_dir"]) / "checkpoints" / "last.pt")["step"]
    check_eq(steps, 24)                                                 # 48 clips / batch 4 x 2 epochs
    assert killed < steps
    r = subprocess.run(_cmd(b), env=env(), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    print(f"killed at a random moment after the checkpoint of step {at}; it had checkpointed step {killed}; resumed to step {steps}")
    wa, wb = model_weights(a["run_dir"]), model_weights(b["run_dir"])
    check_eq(sorted(wa), sorted(wb))
    for k in wa: assert torch.equal(wa[k], wb[k]), f"{k} differs after resume"
    check_eq(log_lines(a["run_dir"]), log_lines(b["run_dir"]))
    za, zb = np.load(Path(a["run_dir"]) / "predictions.npz"), np.load(Path(b["run_dir"]) / "predictions.npz")
    assert np.array_equal(za["scores"], zb["scores"]) and np.array_equal(za["indices"], zb["indices"])
