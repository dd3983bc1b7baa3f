"""AIA (notebook 11) and the baselines of AIA Table I (notebook 13) in every host of `build_model`.

Every registered name builds on TSN/TSM/I3D ResNet-50 and on the 3D ResNet-18 (`r3d` has no
ResNet-50) and runs a tiny clip. The default run covers every name on `r3d` and two names on each
of tsn/tsm/i3d; `--slow` runs the full product (17 names x 4 hosts)."""
import functools
import pytest
import torch

from vidattn_nb.models import build_model
from vidattn_nb.models.insertion import ATTENTIONS
from vidattn_nb.attention.aia import AIA_VARIANTS, AIA, AIACombo
from vidattn_nb.attention.gating import BASELINES

NAMES = list(AIA_VARIANTS) + list(BASELINES)
HOSTS = {"tsn": "resnet50", "tsm": "resnet50", "i3d": "resnet50", "r3d": "resnet18"}
# default run (CPU budget): every name on r3d, and on each of tsn/tsm/i3d one AIA variant and one baseline
_FAST = {("tsn", "cinst->stinc"), ("tsn", "s3d-g"), ("tsm", "stinc"), ("tsm", "cbam3d-377"), ("i3d", "c+st"), ("i3d", "ge3d-dw333")}
CASES = [pytest.param(arch, name, marks=() if arch == "r3d" or (arch, name) in _FAST else pytest.mark.slow, id=f"{arch}-{name}")
         for name in NAMES for arch in HOSTS]
N_BLOCKS = {"resnet50": 16, "resnet18": 8}


@functools.lru_cache(maxsize=None)
def _plain_params(arch, backbone):
    return sum(p.numel() for p in build_model(arch, backbone, attention=None, num_classes=5, num_segments=2, size=32).parameters())


def _unit_params(name):
    m = ATTENTIONS[name].factory(8, 2, 4, 4)
    return sum(p.numel() for p in m.parameters())


@pytest.mark.parametrize("arch,name", CASES)
def test_build_and_run(arch, name):
    torch.manual_seed(0)
    backbone = HOSTS[arch]
    m = build_model(arch, backbone, attention=name, num_classes=5, num_segments=2, size=32).eval()
    assert len(m.attention_paths) == N_BLOCKS[backbone]
    assert all(p.endswith("." + ATTENTIONS[name].position) for p in m.attention_paths)
    extra = sum(p.numel() for p in m.parameters()) - _plain_params(arch, backbone)
    if name in AIA_VARIANTS:     # shape-independent: the same count in every slot
        assert extra == N_BLOCKS[backbone] * _unit_params(name)
    else:
        assert extra >= 0
    x = torch.randn(1, 3, 2, 32, 32)
    with torch.no_grad():
        y = m(x)
    assert y.shape == (1, 5) and torch.isfinite(y).all()
    m.record_attention(True)
    with torch.no_grad():
        m(x)
    maps = m.attention_maps()
    n_rec = 2 if name in AIA_VARIANTS and "->" in name or "+" in name else 1   # a combination records in both members
    assert len(maps) == n_rec * N_BLOCKS[backbone], (name, list(maps)[:3])


def test_aia_gradients_in_tsm():
    torch.manual_seed(0)
    m = build_model("tsm", "resnet50", attention="cinst->stinc", num_classes=3, num_segments=2, size=32).train()
    m(torch.randn(2, 3, 2, 32, 32)).sum().backward()
    mods = [mod for mod in m.modules() if isinstance(mod, AIACombo)]
    assert len(mods) == 16
    for mod in mods:
        for k, p in mod.named_parameters():
            assert p.grad is not None and p.grad.abs().sum() > 0, k


def test_aia_unit_parameter_count_in_tsn():
    m = build_model("tsn", "resnet50", attention="c", num_classes=174, num_segments=8)
    assert sum(p.numel() for p in m.parameters()) == 23_864_558 + 16 * 56
    units = [mod for mod in m.modules() if isinstance(mod, AIA)]
    assert len(units) == 16 and all(sum(p.numel() for p in u.parameters()) == 56 for u in units)


def test_unknown_option_is_an_error():
    with pytest.raises(TypeError, match="takes no options"):
        build_model("tsn", "resnet18", attention="c", num_classes=3, num_segments=2, size=32, reduction=4)


def _aia_blocks(m):
    return {s: [i for s2, i, b in m.blocks() if s2 == s and any(isinstance(x, (AIA, AIACombo)) for x in b.after_bn2.modules())]
            for s in range(1, 5)}


@pytest.mark.parametrize("arch", ["tsn", "tsm"])
def test_aia_placement_on_resnet101_follows_the_official_code(arch):
    # the official code's _make_layer (nets/C2D_*_BN.py, nets/TSM_*_BN.py): n_round = 2 in stages of >= 23 blocks
    with torch.device("meta"):
        r101 = build_model(arch, "resnet101", attention="cinst->stinc")
        r101_all = build_model(arch, "resnet101", attention="cinst->stinc", blocks="all")
        r50 = build_model(arch, "resnet50", attention="cinst->stinc")
    assert _aia_blocks(r101) == {1: [0, 1, 2], 2: [0, 1, 2, 3], 3: list(range(0, 23, 2)), 4: [0, 1, 2]}
    assert len(r101.attention_paths) == 22 and len(r101_all.attention_paths) == 33
    assert _aia_blocks(r50) == {1: [0, 1, 2], 2: [0, 1, 2, 3], 3: list(range(6)), 4: [0, 1, 2]}


def test_official_aia_checkpoint_resnet101_loads_through_build_model(tmp_path):
    from vidattn_nb.attention.aia import to_official_aia, AIAUnit
    torch.manual_seed(0)
    src = build_model("tsm", "resnet101", attention="stinc", num_classes=4, num_segments=2, size=32).eval()
    with torch.no_grad():
        for mod in src.modules():
            if isinstance(mod, AIAUnit): mod.conv.weight.normal_(); mod.bn.running_mean.normal_()
    sd = to_official_aia(src)
    # official names: module.base_model (ops/models.py VideoNet under DataParallel), eft (nets/TSM_STinC_BN.py), T_conv (nets/block_zoo.py)
    assert "module.base_model.layer3.22.eft.T_conv.weight" in sd and "module.base_model.layer3.21.eft.T_conv.weight" not in sd
    path = tmp_path / "TSM_STinC_BN_r101.pth.tar"
    torch.save({"epoch": 1, "arch": "resnet101", "state_dict": sd}, path)
    dst = build_model("tsm", "resnet101", attention="stinc", num_classes=4, num_segments=2, size=32, pretrained=str(path)).eval()
    x = torch.randn(1, 3, 2, 32, 32)
    with torch.no_grad():
        assert torch.equal(dst(x), src(x))
    with pytest.raises(ValueError, match="layer3.1"):
        build_model("tsm", "resnet101", attention="stinc", num_classes=4, num_segments=2, size=32, pretrained=str(path), blocks="all")


@pytest.mark.parametrize("name", sorted(ATTENTIONS))
def test_every_attention_trains_under_bf16_autocast(name):
    """Mixed precision as training runs it on a CPU: bf16 autocast forward, backward; the attention outputs stay bf16
    (no full-size fp32 copies between the modules and the backbone) and every parameter gets a finite gradient."""
    torch.manual_seed(0)
    m = build_model("tsm", "resnet18", attention=name, num_classes=3, num_segments=2, size=32).train()
    dtypes = []
    hooks = [mod.register_forward_hook(lambda mod, a, out: dtypes.append(out.dtype)) for p, mod in m.named_modules()
             if p.endswith((".after_bn2", ".after_bn3", ".block_output")) and not isinstance(mod, torch.nn.Identity)]
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = m(torch.randn(2, 3, 2, 32, 32))
    y.float().sum().backward()
    for h in hooks: h.remove()
    assert dtypes and set(dtypes) == {torch.bfloat16}, (name, set(dtypes))
    att = [(k, p) for k, p in m.named_parameters() if any(s in k for s in (".after_bn2.", ".after_bn3.", ".block_output."))]
    assert all(p.grad is not None for _, p in att), (name, [k for k, p in att if p.grad is None][:5])
    bad = [k for k, p in m.named_parameters() if p.grad is not None and not torch.isfinite(p.grad).all()]
    assert not bad, (name, bad[:5])
