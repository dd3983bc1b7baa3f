"""Papermill smoke runs of the pipelines' experiment notebooks (nbs/run_localization, run_wherewhen, run_focused) at
a tiny size: every parameter the notebook documents is accepted, the engine trains and evaluates, and the result
files are written with the rows they promise."""
import json, os, sys, subprocess
from pathlib import Path
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _papermill(nb, out_dir, **params):
    cmd = [sys.executable, "-m", "papermill", str(ROOT / "nbs" / nb), str(out_dir / nb), "--cwd", str(out_dir), "-k", "python3"]
    for k, v in params.items(): cmd += ["-p", k, str(v)]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), "MPLBACKEND": "Agg"}
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-6000:]


def test_run_localization_smoke(tmp_path):
    # 64² inputs: the last stage's maps are 2×2 (at 32² they would be 1×1, with no spatial extent to localise)
    out = tmp_path / "loc"
    _papermill("run_localization.ipynb", tmp_path, data_root=tmp_path / "data", runs_dir=tmp_path / "runs", out=out,
               attention="cbam", train_per_class=1, val_per_class=1, frames=2, size=64, epochs=1, ww_epochs=1, batch_size=4,
               num_workers=0)
    long = pd.read_csv(f"{out}.csv")
    methods = set(long["method"])
    assert {"cbam", "cbam: centre box / whole clip", "wherewhen", "wherewhen: raw mask > 0.5"} <= methods, methods
    assert set(long["task"]) == {"spatial", "temporal"}
    assert sorted(long[(long.method == "cbam") & (long.task == "temporal")]["threshold"]) == [0.1, 0.2, 0.3, 0.4, 0.5]
    text = Path(f"{out}.md").read_text()
    assert "papermill nbs/run_localization.ipynb" in text and "-p attention cbam" in text
    assert Path(f"{out}.png").stat().st_size > 1000


def test_run_wherewhen_smoke(tmp_path):
    out = tmp_path / "ww"
    _papermill("run_wherewhen.ipynb", tmp_path, data_root=tmp_path / "data", runs_dir=tmp_path / "runs", out=out,
               train_per_class=1, val_per_class=1, frames=2, size=32, epochs=1, ww_epochs=1, batch_size=4, num_workers=0)
    res = pd.read_csv(f"{out}.csv")
    assert list(res["variant"]) == ["wherewhen", "wherewhen-nospatial", "wherewhen-notemporal", "wherewhen-notv",
                                    "wherewhen-nocontrast", "wherewhen-nounimodal"]
    assert res["top1"].between(0, 100).all() and "Ours w/o L_TV" in Path(f"{out}.md").read_text()


def test_run_focused_smoke(tmp_path):
    out = tmp_path / "focused"
    _papermill("run_focused.ipynb", tmp_path, data_root=tmp_path / "data", runs_dir=tmp_path / "runs", out=out,
               arch="tsn", rows="center-crop,attention-ce/e-upscaled", train_per_class=1, val_per_class=1, frames=2, size=32,
               epochs=1, ft_epochs=1, batch_size=4, num_workers=0)
    res = pd.read_csv(f"{out}.csv")
    assert set(zip(res["row"], res["fusion"])) == {(r, f) for r in ("base", "center-crop", "attention-ce/e-upscaled") for f in ("concat", "late")}
    assert res["frames"][res.row != "base"].eq(4).all(), "the focused models read [V_in, V_in^S]: twice the frames"
    assert "Temp. concat." in Path(f"{out}.md").read_text() and Path(f"{out}.png").stat().st_size > 1000


def test_run_focused_charades_protocol_smoke(tmp_path):
    # the Charades fixture (4 classes, multi-label, per-frame labels): BCE + frame loss, 10 clips max-pooled, mAP
    from vidattn_nb.data.fixtures import write_fixture
    root = write_fixture("charades", tmp_path / "charades", media=True)
    out = tmp_path / "charades_t2"
    _papermill("run_focused.ipynb", tmp_path, dataset="charades", data_root=root, runs_dir=tmp_path / "runs", out=out, arch="tsn",
               rows="attention-e/e", frames=2, size=32, epochs=1, ft_epochs=1, batch_size=1, num_workers=0)
    res = pd.read_csv(f"{out}.csv")
    assert set(zip(res["row"], res["fusion"])) == {(r, f) for r in ("base", "attention-e/e") for f in ("concat", "late")}
    assert res["mAP"].between(0, 100).all() and res["views"].astype(str).str.startswith("10").all()
    cfg = json.loads((tmp_path / "runs" / "late-attention-e_e" / "config.json").read_text())
    assert (cfg["task"], cfg["frame_loss"], cfg["aggregate"]) == ("multilabel", 1.0, "max")
