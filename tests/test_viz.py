"""Integration tests of `vidattn_nb.viz` (notebooks 60-65, 69): a folder of fake runs in the shared run-folder format
(made-up, deterministic numbers written by `write_fake_run`), read back by every table and figure function, each of
which must write its file; bad input names the file or argument; a failed save leaves the previous figure intact."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

import vidattn_nb.viz as viz
from vidattn_nb.models import build_model


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    for s in range(3):
        viz.write_fake_run(root / f"tsm_w3_s{s}", attention="w3", seed=s, loss_terms=("task", "w3.afr"))
    viz.write_fake_run(root / "tsn_s0", arch="tsn", order_blind=True, skill=0.9)
    viz.write_fake_run(root / "tsm_cinst_s0", attention="cinst", skill=0.7)
    return root


def test_format_on_disk(runs):
    run = runs / "tsm_w3_s0"
    assert sorted(p.name for p in run.iterdir()) == ["config.json", "log.jsonl", "predictions.npz", "result.csv"]
    assert list(pd.read_csv(run / "result.csv").columns) == list(viz.RESULT_COLUMNS)
    log = [json.loads(l) for l in (run / "log.jsonl").read_text().splitlines()]
    assert {"epoch", "step", "lr", "train_loss", "train_loss/task", "train_loss/w3.afr", "train_top1",
            "val_loss", "val_top1", "val_top5", "epoch_time_s"} <= set(log[0])
    with np.load(run / "predictions.npz") as z:
        assert z["scores"].dtype == np.float32 and z["scores"].shape == (48, 12) and z["labels"].shape == (48,)


def test_tables_and_readme(runs, tmp_path):
    t = viz.results_table(runs, paper={("tsm", "w3"): {"top1": 50.1, "source": "a paper"}})
    assert len(t) == 3 and t.set_index("attention").loc["w3", "seeds"] == 3
    top1 = viz.read_results(runs).query("attention == 'w3'").top1
    assert abs(t.set_index("attention").loc["w3", "top1_sd"] - top1.std(ddof=1)) < 1e-9
    md = viz.table_markdown(t, title="t")
    assert "paper top-1 (%)" in md and "top-1 (%)" in md and "FAKE RUNS" in md
    (tmp_path / "table.md").write_text(md)
    out = tmp_path / "results" / "README.md"
    text = viz.results_readme(runs, path=out, allow_fake=True)
    assert out.read_text() == text and text.count("### r") == 3
    with pytest.raises(ValueError, match="fake runs"):
        viz.results_readme(runs, path=tmp_path / "x.md")
    assert not (tmp_path / "x.md").exists()


@pytest.mark.parametrize("name", ["curves", "classes", "pairs", "confusion"])
def test_run_figures_write_png(runs, tmp_path, name):
    p = tmp_path / f"{name}.png"
    runs_list = viz.find_runs(runs)
    fig = {"curves": lambda: viz.plot_curves(runs, path=p),
           "classes": lambda: viz.plot_class_accuracy(runs_list, classes=[0, "Moving something up"], path=p),
           "pairs": lambda: viz.plot_pair_accuracy(runs_list, path=p),
           "confusion": lambda: viz.plot_confusion(runs / "tsn_s0", path=p)}[name]()
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and fig.get_dpi() == viz.DPI
    assert [x.name for x in tmp_path.iterdir()] == [p.name]          # no temporary files left


def test_model_figures_write_png(tmp_path):
    torch.manual_seed(0)
    models = {"tsm+w3": build_model("tsm", "resnet18", attention="w3", num_classes=12, num_segments=4, size=32),
              "r3d+cbam3d": build_model("r3d", "resnet18", attention="cbam3d-177", num_classes=12, num_segments=4, size=32)}
    clip = torch.randn(3, 4, 32, 32)
    viz.plot_attention(models, clip, path=tmp_path / "att.png")
    viz.plot_grad_cam(models, clip, path=tmp_path / "cam.png")
    assert (tmp_path / "att.png").read_bytes()[:4] == b"\x89PNG" and (tmp_path / "cam.png").read_bytes()[:4] == b"\x89PNG"
    assert all(m.training for m in models.values())                    # modes restored


def test_failed_save_keeps_previous_figure(tmp_path, monkeypatch):
    p = tmp_path / "f.png"
    fig = viz.new_figure((2, 2)); fig.add_subplot().plot([0, 1])
    viz.save_figure(fig, p)
    before = p.read_bytes()
    monkeypatch.setattr(fig, "savefig", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError, match="disk full"):
        viz.save_figure(fig, p)
    assert p.read_bytes() == before and [x.name for x in tmp_path.iterdir()] == ["f.png"]


def test_bad_input_names_what_is_wrong(runs, tmp_path):
    with pytest.raises(FileNotFoundError, match="missing/predictions.npz: no such file"):
        viz.plot_confusion(tmp_path / "missing")
    bad = tmp_path / "multi"; bad.mkdir()
    np.savez(bad / "predictions.npz", scores=np.zeros((2, 3), np.float32), labels=np.eye(3)[[0, 1]],
             class_names=np.array(list("abc")), indices=np.arange(2))
    with pytest.raises(ValueError, match="multi-label"):
        viz.plot_confusion(bad)
    np.savez(bad / "predictions.npz", scores=np.zeros((2, 3), np.float32), labels=np.array([0, 1]),
             class_names=np.array(list("abc")), indices=np.arange(2))
    with pytest.raises(ValueError, match="pass pairs="):                # not the synthetic classes: pairs must be given
        viz.plot_pair_accuracy([bad])
    (tmp_path / "r").mkdir(); (tmp_path / "r" / "log.jsonl").write_text("{oops\n")
    with pytest.raises(ValueError, match="log.jsonl, line 1: not valid JSON"):
        viz.plot_curves(tmp_path / "r")
    m = build_model("tsm", "resnet18", num_classes=3, num_segments=2, size=32)
    with pytest.raises(ValueError, match="holds no attention module"):
        viz.plot_attention(m, torch.randn(3, 2, 32, 32))
    with pytest.raises(ValueError, match="expected 3 channels"):
        viz.plot_grad_cam(m, torch.randn(4, 2, 32, 32))
