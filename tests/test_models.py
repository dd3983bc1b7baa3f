"""Integration tests of `vidattn_nb.models.build_model` (notebook 06_models_build): every architecture and
backbone on a tiny clip, the registered attention modules on a 2D and a 3D host, and the errors a
user sees for bad names and bad input."""
import pytest
import torch

from vidattn_nb.models import ARCHS, ATTENTIONS, build_model

COMBOS = [(a, b) for a, s in sorted(ARCHS.items()) for b in sorted(s.backbones)]


def test_registry_is_complete():
    assert {(a, b) for a, b in COMBOS} >= {("tsn", "resnet18"), ("tsn", "resnet34"), ("tsn", "resnet50"), ("tsn", "resnet101"),
                                          ("tsm", "resnet18"), ("tsm", "resnet34"), ("tsm", "resnet50"), ("tsm", "resnet101"),
                                          ("i3d", "resnet50"), ("r3d", "resnet18"), ("r3d", "resnext101")}


@pytest.mark.parametrize("arch,backbone", COMBOS)
def test_every_arch_backbone_gives_n_by_classes(arch, backbone):
    torch.manual_seed(0)
    model = build_model(arch, backbone, num_classes=5, num_segments=2, dropout=0.0).eval()
    x = torch.randn(2, 3, 2, 32, 32)
    with torch.no_grad():
        y = model(x)
    assert y.shape == (2, 5) and torch.isfinite(y).all()
    assert model.build_config["arch"] == arch and model.build_config["backbone"] == backbone
    assert len(model.stages()) == 4


@pytest.mark.parametrize("name", sorted(ATTENTIONS))
def test_every_attention_on_tsm(name):
    torch.manual_seed(0)
    model = build_model("tsm", "resnet18", attention=name, num_classes=4, num_segments=2, size=32).eval()
    assert model.attention_paths, name
    model.record_attention()
    y = model(torch.randn(1, 3, 2, 32, 32))
    assert y.shape == (1, 4) and torch.isfinite(y).all()
    assert isinstance(model.attention_maps(), dict)


@pytest.mark.parametrize("name", ["cinst->stinc", "w3", "sta", "se3d"])
def test_attention_on_3d_host(name):
    torch.manual_seed(0)
    model = build_model("r3d", "resnet18", attention=name, num_classes=4, num_segments=4, size=32, dropout=0.0).eval()
    y = model(torch.randn(1, 3, 4, 32, 32))
    assert y.shape == (1, 4) and torch.isfinite(y).all() and model.attention_paths


def test_attention_maps_are_recorded():
    model = build_model("tsn", "resnet18", attention="cinst->stinc", num_classes=3, num_segments=2, size=32).eval()
    assert model.attention_maps() == {}
    model.record_attention()
    model(torch.randn(1, 3, 2, 32, 32))
    maps = model.attention_maps()
    assert maps and all(isinstance(v, dict) and v for v in maps.values())


@pytest.mark.parametrize("kwargs,words", [
    (dict(arch="nope"), ["arch='nope'", "'tsm'", "'tsn'", "'i3d'", "'r3d'"]),
    (dict(arch="wherewhen"), ["arch='wherewhen'", "'tsm'"]),
    (dict(arch="tsm", backbone="resnet152"), ["backbone='resnet152'", "'resnet18'", "'resnet101'"]),
    (dict(arch="i3d", backbone="resnext101"), ["backbone='resnext101'", "['resnet50']"]),
    (dict(attention="no-such-attention"), ["attention='no-such-attention'", "one of"]),
    (dict(attention=None, stages=(4,)), ["['stages']", "attention=None"]),
])
def test_bad_names_give_clear_errors(kwargs, words):
    with pytest.raises(ValueError) as e:
        with torch.device("meta"):
            build_model(**kwargs)
    assert all(w in str(e.value) for w in words), str(e.value)


@pytest.mark.parametrize("arch,backbone", [("tsn", "resnet18"), ("tsm", "resnet18"), ("r3d", "resnet18")])
def test_wrong_input_shape_gives_clear_error(arch, backbone):
    model = build_model(arch, backbone, num_classes=3, num_segments=2)
    with pytest.raises(ValueError) as e:
        model(torch.randn(2, 3, 32, 32))                      # a batch of images, not of clips
    assert "(N, C, T, H, W)" in str(e.value) and "(2, 3, 32, 32)" in str(e.value)
    with pytest.raises(ValueError) as e:
        model(torch.randn(1, 1, 2, 32, 32))                   # grey frames
    assert "3 channels" in str(e.value)


CONTRACT_ATTENTIONS = ["w3", "c", "st", "c->st", "st->c", "c+st", "cinst", "stinc", "cinst->stinc",
                       "stinc->cinst", "cinst+stinc", "sta", "ta", "sa", "se3d", "ge3d-g", "ge3d-dw133",
                       "ge3d-dw333", "s3d-g", "cbam", "cbam3d-177", "cbam3d-377", "nonlocal"]


def test_every_contract_attention_is_registered():
    # the parametrised tests above iterate the live registry: a module that failed to import would
    # silently shrink them, so the contract's names are checked explicitly here
    missing = [n for n in CONTRACT_ATTENTIONS if n not in ATTENTIONS]
    assert not missing, f"attention names of CONTRACT.md not registered: {missing}"


def test_a_broken_attention_module_fails_the_import(tmp_path):
    # a module that fails to import must fail `import vidattn_nb.models` loudly, never drop out of ATTENTIONS
    import shutil, subprocess, sys
    from pathlib import Path
    import vidattn_nb
    pkg = Path(vidattn_nb.__file__).parent
    shutil.copytree(pkg, tmp_path / "vidattn_nb", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "vidattn_nb" / "attention" / "sta.py").write_text("raise ImportError('sta is broken')\n")
    r = subprocess.run([sys.executable, "-c", "import vidattn_nb.models"], cwd=tmp_path, capture_output=True, text=True,
                       env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert r.returncode != 0 and "sta is broken" in r.stderr, r.stderr[-2000:]


def test_registries_refuse_a_second_definition():
    from vidattn_nb.models import ArchSpec, register_arch
    from vidattn_nb.models.insertion import AttentionSpec, register_attention
    with pytest.raises(ValueError, match="attention 'cinst' is already registered"):
        register_attention(AttentionSpec("cinst", lambda c, t, h, w: torch.nn.Identity()))
    with pytest.raises(ValueError, match="arch 'tsm' is already registered"):
        register_arch(ArchSpec("tsm", {"resnet50": lambda *a: None}))
