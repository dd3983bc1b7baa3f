"""Every `nbs/run_<dataset>.ipynb` runs through papermill on a tiny fixture written in that dataset's official on-disk
layout (`write_fixture`), for one minibatch of a tiny network, and writes its table, CSV and figures; a `data_root`
without the dataset and a bad parameter value fail at once, naming what was expected."""
import json, os
from pathlib import Path
import pandas as pd
import papermill as pm
import pytest
from fastcore.test import test_eq as check_eq
from vidattn_nb.data.fixtures import write_fixture
from vidattn_nb.runs.datasets import PROTOCOLS

NBS = Path(__file__).resolve().parents[1] / "nbs"
RUN_NOTEBOOKS = sorted(p.stem for p in NBS.glob("run_*.ipynb") if p.stem[len("run_"):] in PROTOCOLS)

# one minibatch of a tiny network: the notebooks' logic, not the papers' models (ResNeXt-101/I3D are built in tests/test_models.py)
TINY = dict(arch="tsm", backbone="resnet18", frames=2, size=32, epochs=1, batch_size=2, max_steps=1, num_workers=0, val_subset=2,
            overrides={"profile": False, "progress": "off", "threads": 1, "precision": "fp32"})


def _run(name: str, tmp_path: Path, **params) -> Path:
    out = tmp_path / "nb.ipynb"
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    pm.execute_notebook(str(NBS / f"{name}.ipynb"), str(out), parameters=params, kernel_name="python3", cwd=str(tmp_path),
                        progress_bar=False, execution_timeout=600)
    return out


def test_every_dataset_has_its_run_notebook():
    check_eq(sorted(RUN_NOTEBOOKS), sorted(p.notebook for p in PROTOCOLS.values()))


# Every notebook runs with --slow. The default suite keeps one notebook per code path of run_dataset (a trimmed dataset
# with two view sets, EPIC's verb/noun heads, Charades' multi-label mAP, the three-split datasets, an untrimmed one) to stay
# under 15 minutes on 2 cores: the others share those paths (measured: the whole suite took 15 min 39 s with all eleven).
DEFAULT_SMOKE = {"run_ssv1", "run_epic_kitchens", "run_charades", "run_ucf101", "run_thumos14"}


@pytest.mark.parametrize("name", [n if n in DEFAULT_SMOKE else pytest.param(n, marks=pytest.mark.slow) for n in RUN_NOTEBOOKS])
def test_run_notebook_on_its_fixture(name, tmp_path):
    p = PROTOCOLS[name[len("run_"):]]
    root = write_fixture(p.dataset, tmp_path / "data")
    out = tmp_path / "results"
    params = dict(TINY, data_root=str(root), out_dir=str(out))
    if len(p.folds) > 1 and name != "run_egtea":    # one notebook runs all three official splits; the others split 1 (time)
        params["split"] = 1
    if p.views[0] != "1xcenter-224":                # keep the paper's view sets, at the tiny size (clips x crops as the paper)
        params["views"] = [v.rsplit("-", 1)[0] + "-32" for v in p.views]
    _run(name, tmp_path, **params)
    for f in ("measured.csv", "paper_vs_measured.csv", "paper_vs_measured.md", "paper_rows.md", "figures/curves.png", "figures/attention.png"):
        assert (out / f).is_file() and (out / f).stat().st_size > 0, f"{name}: {f} not written"
    m = pd.read_csv(out / "measured.csv")
    runs = (len(p.folds) if name == "run_egtea" else 1) * len(p.eval_splits) * len(params.get("views", p.views))
    check_eq(int((m["kind"] != "mean").sum()), runs)
    for metric in p.metrics:                         # the paper's metrics were measured (EPIC's per head, Charades' mAP)
        assert m[metric].notna().all(), (name, metric, m[metric].tolist())
    t = pd.read_csv(out / "paper_vs_measured.csv")
    assert {"paper row", f"measured {p.metrics[0].replace('top1', 'top-1').replace('_', ' ')}"} & set(t.columns), t.columns
    text = (out / "paper_vs_measured.md").read_text()
    assert "paper " in text and "measured " in text, text[:500]


REQUIRED = ("data_root", "arch", "backbone", "attention", "frames", "epochs", "batch_size", "device", "gpus", "pretrained", "checkpoint",
            "train", "seed")


@pytest.mark.parametrize("name", RUN_NOTEBOOKS)
def test_parameters_cell_is_typed_and_complete(name):
    params = pm.inspect_notebook(str(NBS / f"{name}.ipynb"))
    missing = [k for k in REQUIRED if k not in params]
    assert not missing, f"{name}: papermill does not see parameters {missing}"
    untyped = [k for k, v in params.items() if not v["inferred_type_name"] or v["inferred_type_name"] == "None" or not v["help"]]
    assert not untyped, f"{name}: parameters without a type or a comment: {untyped}"
    if len(PROTOCOLS[name[len("run_"):]].folds) > 1: assert "split" in params, name


def test_bad_data_root_fails_before_any_work(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(pm.PapermillExecutionError) as e:
        _run("run_ucf101", tmp_path, **dict(TINY, data_root=str(tmp_path / "empty"), out_dir=str(tmp_path / "results")))
    msg = str(e.value)
    assert "DataRootError" in msg and "does not hold UCF101" in msg and "trainlist01.txt" in msg, msg[-2000:]
    assert not (tmp_path / "results" / "runs").exists()


def test_bad_parameter_value_is_named(tmp_path):
    root = write_fixture("ssv1", tmp_path / "data")
    with pytest.raises(pm.PapermillExecutionError) as e:
        _run("run_ssv1", tmp_path, **dict(TINY, data_root=str(root), attention="aia", out_dir=str(tmp_path / "results")))
    assert "ParameterError" in str(e.value) and "attention='aia'" in str(e.value), str(e.value)[-2000:]


@pytest.mark.slow
def test_gpus_2_runs_the_same_routine_under_torchrun(tmp_path):
    # CPU here: two gloo processes started by torchrun (the engine's launch); rank 0 writes, the driver collects
    from vidattn_nb.runs.datasets import run_dataset
    root = write_fixture("ssv1", tmp_path / "data")
    r = run_dataset("ssv1", data_root=str(root), **dict(TINY, batch_size=1, max_steps=None, val_subset=None), gpus=2, device="cpu",
                    views=["1xcenter-32", "2x3crop-32"], out_dir=str(tmp_path / "out"), figures=False)
    check_eq(list(r.measured["kind"]), ["train", "eval"])
    for d in r.measured["run_dir"]:
        check_eq(json.loads((Path(d) / "config.json").read_text())["env"]["world_size"], 2)
    assert r.measured["top1"].notna().all()
