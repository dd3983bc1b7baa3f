"""Smoke run of `nbs/run_synthetic.ipynb` through papermill with tiny parameters (two models, one epoch, a few
clips of a small generated dataset): the table (CSV + Markdown) and the figures are written under the output
folder, a rerun skips the finished runs instead of redoing them, and a bad parameter stops the notebook with a
message naming it."""
from pathlib import Path
import pandas as pd
import papermill as pm
import pytest
from fastcore.test import test_eq as check_eq

NB = Path(__file__).resolve().parents[1] / "nbs" / "run_synthetic.ipynb"
TINY = dict(models="tsn,tsm_cinst", epochs=1, train_subset=8, val_subset=12, batch_size=4, train_per_class=1, val_per_class=1,
            data_size=32, size=28, frames=4, readme="", jobs=2)   # jobs=2: the parallel path (spawned processes) from a papermill kernel


def _run(tmp: Path, name: str, **params):
    out_nb = tmp / f"{name}.ipynb"
    pm.execute_notebook(str(NB), str(out_nb), parameters={"out": str(tmp / "out"), "data_root": str(tmp / "data"), **TINY, **params},
                        cwd=str(NB.parents[1]), progress_bar=False, kernel_name="python3")
    return out_nb


def _stamps(out: Path) -> dict:
    return {p.parent.name: p.stat().st_mtime_ns for p in sorted((out / "runs").glob("*/result.csv"))}


def test_smoke_writes_table_and_figures_and_rerun_skips(tmp_path):
    _run(tmp_path, "first")
    out = tmp_path / "out"
    t = pd.read_csv(out / "results.csv")
    check_eq(sorted(t.arch + "+" + t.attention.fillna("")), ["tsm+cinst", "tsn+"])
    check_eq({"top1", "top5", "params_M", "gflops", "paper_top1", "paper_source"} <= set(t.columns), True)
    md = (out / "results.md").read_text()
    check_eq("paper top-1 (%)" in md and "| top-1 (%)" in md, True)
    figs = sorted(p.name for p in (out / "figures").glob("*.png"))
    for f in ("pair_accuracy.png", "confusion_tsn.png", "attention_clip0.png", "grad_cam.png", "curves.png"):
        assert f in figs, f"{f} not written (figures: {figs})"
    check_eq(list(out.rglob("*.tmp")), [])
    before = _stamps(out)
    check_eq(sorted(before), ["tsm_cinst_s0", "tsn_s0"])
    nb2 = _run(tmp_path, "second", figures=False)
    check_eq(_stamps(out), before)                          # finished runs were not redone
    check_eq(nb2.read_text().count("skipped") >= 2, True)   # the status table says so


def test_bad_parameter_fails_naming_it(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as e:
        _run(tmp_path, "bad", study="ful")
    check_eq("parameter study='ful'" in str(e.value), True)
    check_eq("did you mean 'full'" in str(e.value), True)
    check_eq((tmp_path / "out").exists(), False)            # nothing ran
