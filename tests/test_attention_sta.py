"""STA, TA and SA (Li et al., TMM 2020) through `build_model` on every host: tsn, tsm, i3d, r3d.
Tiny inputs (2 frames, 64²); the paper's placement is the last stage, `after_bn3`, every block."""
import pytest
import torch
from vidattn_nb.models import build_model, ATTENTIONS
from vidattn_nb.attention.sta import STA, table_iv, STA_PLACEMENTS

HOSTS = [("tsn", "resnet18"), ("tsm", "resnet18"), ("i3d", "resnet50"), ("r3d", "resnet18")]
T, S = 2, 64


def _sta_modules(model):
    return {n: m for n, m in model.named_modules() if isinstance(m, STA)}


@pytest.mark.parametrize("arch,backbone", HOSTS)
def test_build_model_runs_with_sta_ta_sa(arch, backbone):
    torch.manual_seed(0)
    n_plain = sum(p.numel() for p in build_model(arch, backbone, num_classes=5, num_segments=T, size=S).parameters())
    x = torch.randn(1, 3, T, S, S)
    for name in ("sta", "ta", "sa"):
        model = build_model(arch, backbone, attention=name, num_classes=5, num_segments=T, size=S)
        mods = _sta_modules(model)
        n_last = len(model.stages()[-1])
        assert len(mods) == n_last, f"{arch}/{name}: one module per block of the last stage, got {sorted(mods)}"
        assert all(p.startswith("layer4.") and p.endswith(".after_bn3") for p in model.attention_paths)
        assert all(m.mode == {"sta": "st", "ta": "t", "sa": "s"}[name] for m in mods.values())
        # parameter increase = what the modules hold; for STA and SA exactly Table IV per module
        extra = sum(p.numel() for p in model.parameters()) - n_plain
        assert extra == sum(p.numel() for m in mods.values() for p in m.parameters())
        if name != "ta":
            assert extra == sum(table_iv(m.c, 1, *m.conv1.weight.shape[1:])["params"] for m in mods.values())
        model.record_attention()
        if name != "sta":
            with torch.no_grad(): y = model(x)
        else:
            y = model(x); y.sum().backward()
            for n, m in mods.items():
                for pn, p in m.named_parameters():
                    assert p.grad is not None, f"{arch}/{name}: no gradient at {n}.{pn}"
        assert y.shape == (1, 5) and torch.isfinite(y).all()
        maps = model.attention_maps()
        assert len(maps) == n_last and all("W" in v for v in maps.values())


def test_placement_overrides_through_build_model():
    m = build_model("tsm", "resnet18", attention="sta", num_classes=3, num_segments=T, size=S, **STA_PLACEMENTS["EL"])
    assert all(p.startswith("layer1.") for p in m.attention_paths) and len(m.attention_paths) == 2
    m = build_model("r3d", "resnet18", attention="sta", num_classes=3, num_segments=T, size=S, step=2, deconv=True,
                    blocks="last")
    assert m.attention_paths == ["layer4.1.after_bn3"]
    (sta,) = _sta_modules(m).values()
    assert sta.step == 2 and m(torch.randn(1, 3, T, S, S)).shape == (1, 3)
    m = build_model("i3d", "resnet50", attention="ta", num_classes=3, num_segments=T, size=S, deconv=False)
    assert all(s.deconv is None for s in _sta_modules(m).values())
    assert {"sta", "ta", "sa"} <= set(ATTENTIONS)


def test_wrong_input_size_is_a_clear_error():
    m = build_model("tsn", "resnet18", attention="sta", num_classes=3, num_segments=T, size=S)
    with pytest.raises(ValueError, match=r"built for 2x2 feature maps, got 4x4"):
        m(torch.randn(1, 3, T, 2 * S, 2 * S))
    m = build_model("tsn", "resnet18", attention="sta", num_classes=3, num_segments=T, size=S, resample=True)
    assert m(torch.randn(1, 3, T, 2 * S, 2 * S)).shape == (1, 3)
