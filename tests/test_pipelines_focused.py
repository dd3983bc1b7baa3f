"""Focused Attention's data and models (nbs/50-51) in a real DataLoader with worker processes: the saliency of
the frozen Base network is computed in the workers, late fusion trains (its loss falls on a fixed batch) while
the frozen branch does not move."""
import pytest
import torch

from vidattn_nb.data import build_dataset
from vidattn_nb.data.synthetic import generate
from vidattn_nb.models import build_model
from vidattn_nb.models.base import training_loss
from vidattn_nb.pipelines.focused import FocusedClips, LateFusion, focused_datasets


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("focused") / "syn"
    generate(root, seed=8, num_frames=8, size=64, train_per_class=1, val_per_class=1)
    return (build_dataset("ssv1", root, "train", num_segments=2, size=48),
            build_dataset("ssv1", root, "val", num_segments=2, size=48))


def test_saliency_in_worker_processes(data):
    tr, va = data
    torch.manual_seed(0)
    base = build_model("tsn", "resnet18", num_classes=12, num_segments=2)
    ftr, fva = focused_datasets("attention-e/e", tr, va, base)
    dl = torch.utils.data.DataLoader(fva, batch_size=4, num_workers=2)
    b = next(iter(dl))
    assert b["video"].shape == (4, 3, 4, 48, 48) and b["focus_crop"].shape == (4, 1, 4)
    one = fva[0]
    assert torch.allclose(b["video"][0], one["video"], atol=1e-5), "workers compute the same focused view"


def test_late_fusion_trains_and_base_stays_frozen(data):
    tr, _ = data
    torch.manual_seed(0)
    base = build_model("tsn", "resnet18", num_classes=12, num_segments=2, dropout=0.0)
    model = LateFusion(base)
    frozen = {k: v.clone() for k, v in model.base.state_dict().items()}
    ds = FocusedClips(tr, mode="center")
    batch = torch.utils.data.default_collate([ds[i] for i in range(6)])
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.05, momentum=0.9)
    model.train()
    losses = []
    for _ in range(8):
        loss, parts, _ = training_loss(model, batch)
        opt.zero_grad(); loss.backward(); opt.step(); losses.append(loss.item())
    assert losses[-1] < losses[0] - 0.05, losses
    assert all(torch.equal(frozen[k], v) for k, v in model.base.state_dict().items()), "the Base branch is frozen (weights and BN statistics)"
