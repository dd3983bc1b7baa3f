"""Weakly supervised localisation (nbs/54_pipelines_localization) end to end on tiny synthetic data with short
actions: W3 and CBAM on TSM (maps through `attention_maps()`), Where-and-When on cached trunk features, and the
baselines; every table has the protocol's rows and finite scores in [0, 100]."""
import numpy as np
import pytest
import torch

from vidattn_nb.data import build_dataset
from vidattn_nb.data.synthetic import generate, read_ground_truth
from vidattn_nb.models import build_model
from vidattn_nb.models.wherewhen import cache_features
from vidattn_nb.pipelines.localization import collect_attention, localization_scores, SPATIAL_IOU, TEMPORAL_TIOU


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("loc") / "syn"
    generate(root, seed=7, num_frames=12, size=48, train_per_class=1, val_per_class=1, action_span=(0.25, 0.5))
    return root, read_ground_truth(root), build_dataset("ssv1", root, "val", num_segments=4, size=64)


def _check(table):
    assert list(table["task"]) == ["spatial"] * len(SPATIAL_IOU) + ["temporal"] * len(TEMPORAL_TIOU)
    vals = table[["mAP", "accuracy"]].to_numpy()
    assert np.isfinite(vals).all() and (vals >= 0).all() and (vals <= 100).all(), table


@pytest.mark.parametrize("attention", ["w3", "cbam"])
def test_attention_modules(data, attention):
    root, truth, va = data
    torch.manual_seed(0)
    m = build_model("tsm", "resnet18", attention=attention, num_classes=12, num_segments=4)
    coll = collect_attention(m, va, batch_size=6, progress=False)
    assert coll["spatial"].shape[:2] == (12, 4) and coll["temporal"].shape == (12, 4)
    assert m.attention_maps() == {}, "recording is switched off again"
    _check(localization_scores(coll, truth))
    base = localization_scores(coll, truth, method="baseline")
    _check(base)
    # the baseline's temporal accuracy depends only on the segments' lengths: the whole clip against each segment
    seg = np.array([truth["videos"][v]["segment"] for v in coll["ids"]], float)
    tiou = (seg[:, 1] - seg[:, 0]) / 12
    assert np.allclose(base[base.task == "temporal"]["accuracy"], [100 * (tiou >= t).mean() for t in TEMPORAL_TIOU])


def test_wherewhen_on_cached_features(data, tmp_path):
    root, truth, va = data
    torch.manual_seed(0)
    m = build_model("wherewhen", "resnet18", num_classes=12, num_segments=4)
    feats = cache_features(m, va, tmp_path / "val.pt", batch_size=6, progress=False)
    coll = collect_attention(m, feats, batch_size=6, progress=False)
    assert coll["ids"] == [r.path for r in va.clips.records]
    _check(localization_scores(coll, truth))
    _check(localization_scores(coll, truth, normalize="none"))


def test_missing_ground_truth_is_an_error(data):
    root, truth, va = data
    coll = {"ids": ["99999"], "probs": torch.ones(1, 12) / 12, "frames": torch.zeros(1, 4, dtype=torch.long),
            "spatial": None, "temporal": None, "crop": torch.zeros(1, 4), "flipped": torch.zeros(1, dtype=torch.bool)}
    with pytest.raises(ValueError, match="no ground truth"):
        localization_scores(coll, truth)


@pytest.mark.parametrize("arch,attention,frames,tasks", [("tsm", "cinst->stinc", 4, {"spatial", "temporal"}),
                                                         ("tsm", "nonlocal", 4, {"spatial", "temporal"}),
                                                         ("tsm", "sta", 4, {"temporal"})])
def test_any_attention_module(tmp_path, arch, attention, frames, tasks):
    # AIA's units, the non-local map and STA's time × channel weights go through the same rule; STA has no spatial map
    root = tmp_path / "syn"
    generate(root, seed=9, num_frames=16, size=48, train_per_class=1, val_per_class=1, action_span=(0.25, 0.5))
    va = build_dataset("ssv1", root, "val", num_segments=frames, size=64)
    torch.manual_seed(0)
    m = build_model(arch, "resnet18", attention=attention, num_classes=12, num_segments=frames, size=64)
    table = localization_scores(collect_attention(m, va, batch_size=6, progress=False), read_ground_truth(root))
    assert set(table["task"]) == tasks, table
    assert np.isfinite(table[["mAP", "accuracy"]].to_numpy()).all()
