"""W3 (and its ablations), CBAM and Non-local through `build_model` on every host.

Structure and shapes on the meta device (no memory, no compute) for every name × host; real forward/backward
with gradients on one 2D and one 3D host, through the model protocol (`training_loss`)."""
import pytest
import torch
from vidattn_nb.models import build_model
from vidattn_nb.attention.w3 import W3Attention, W3Refinement, mfr_loss
from vidattn_nb.attention.cbam_nonlocal import CBAM, NonLocal
from vidattn_nb.models.base import training_loss

NAMES = ["w3", "w3-noafr", "w3-nospatial", "w3-notemporal", "cbam", "nonlocal"]
HOSTS = [("tsn", "resnet50", 4, 64), ("tsm", "resnet50", 4, 64), ("i3d", "resnet50", 8, 64), ("r3d", "resnet18", 4, 64)]
KIND = {"w3": W3Attention, "w3-noafr": W3Attention, "w3-nospatial": W3Attention, "w3-notemporal": W3Attention,
        "cbam": CBAM, "nonlocal": NonLocal}


def _of(model, cls): return [x for x in model.modules() if type(x) is cls]
AFR = ("w3", "w3-notemporal")


@pytest.mark.parametrize("arch,backbone,frames,size", HOSTS)
def test_every_name_on_every_host(arch, backbone, frames, size):
    for name in NAMES:
        with torch.device("meta"):
            m = build_model(arch, backbone, attention=name, num_classes=7, num_segments=frames, size=size)
            mods = _of(m, KIND[name])
            assert len(mods) == len(m.attention_paths) > 0, name
            if name == "nonlocal":
                assert all(p.endswith("block_output") and p.split(".")[0] in ("layer2", "layer3") for p in m.attention_paths)
            else:
                assert len(mods) == sum(1 for _ in m.blocks()) and all(p.endswith("after_bn3") for p in m.attention_paths)
            assert isinstance(getattr(m, "afr", None), W3Refinement) == (name in AFR), name
            o = m.eval().forward_outputs(torch.empty(2, 3, frames, size, size))
            assert o.logits.shape == (2, 7), (name, o.logits.shape)
            if name in AFR:
                assert o["w3.afr_logits"].shape == (2, 7) and o["w3.refined_features"].shape[:2] == (2, m.afr.conv.out_channels)
                assert [t.name for t in m.loss_terms()] == ["w3.afr"]
            else:
                assert o.extras == {} and m.loss_terms() == []


@pytest.mark.parametrize("arch,backbone,name", [("tsm", "resnet18", "w3"), ("r3d", "resnet18", "w3"), ("i3d", "resnet50", "w3"),
                                                ("tsm", "resnet18", "cbam"), ("r3d", "resnet18", "nonlocal")])
def test_gradients_and_maps(arch, backbone, name):
    torch.manual_seed(0)
    frames = 8 if arch == "i3d" else 4
    # r3d-18 at 32² leaves one position per clip in layer4: W3's spatial BNs then normalise 2 values, and the
    # gradient reaching s_bn/s_frm there is only eps-level (~1e-9, round-off decides whether it is exactly 0)
    size = 64 if (arch, name) == ("r3d", "w3") else 32
    m = build_model(arch, backbone, attention=name, num_classes=5, num_segments=frames, size=size).train()
    x = torch.randn(2, 3, frames, size, size)
    loss, parts, _ = training_loss(m, {"video": x, "label": torch.tensor([1, 4])})
    assert sorted(parts) == (["task", "w3.afr"] if name == "w3" else ["task"])
    loss.backward()
    mods = _of(m, KIND[name])
    for mod in mods:
        for n, p in mod.named_parameters():
            if name == "nonlocal" and not n.startswith("bn."): continue   # zero-initialised output BN: identity at start
            assert p.grad is not None and p.grad.abs().sum() > 0, n
    m.record_attention(True); m.eval(); m(x[:1])
    assert len(m.attention_maps()) == len(mods)


def test_afr_switches_and_mfr():
    m = build_model("tsm", "resnet18", attention="w3", num_classes=5, num_segments=2, size=32, hook_afr=False)
    assert not hasattr(m, "afr")
    m = build_model("tsm", "resnet18", attention="w3", num_classes=5, num_segments=2, size=32, hook_aux=False)
    o = m.eval().forward_outputs(torch.randn(1, 3, 2, 32, 32))
    assert m.afr.head is None and "w3.afr_logits" not in o and m.loss_terms() == []
    s = o["w3.refined_features"]
    per_frame = s.shape[1] * s.shape[3] * s.shape[4]          # ‖1‖ over C·H·W of one frame
    assert torch.allclose(mfr_loss(s, s.detach() + 1.0, lam=2.0), torch.tensor(2.0 * per_frame ** 0.5))
