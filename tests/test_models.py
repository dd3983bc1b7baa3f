"""Integration tests of `vidattn_nb.models.build_model` (notebook 06_models_build): every architecture and
backbone on a tiny clip, the registered attention modules on a 2D and a 3D host, the model protocol
(`forward_outputs`, `training_loss`) through `build_model` on a TSM + W3, a 3D + W3 and plain hosts, and the
errors a user sees for bad names and bad input."""
import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from vidattn_nb.models import ARCHS, ATTENTIONS, build_model
from vidattn_nb.models.base import ModelOutput, training_loss

COMBOS = [(a, b) for a, s in sorted(ARCHS.items()) for b in sorted(s.backbones)]
# models that are their own attention (Where-and-When and its Table 1 variants, 07_models_wherewhen) emit their maps
# and bring loss terms: they are tested apart from the plain hosts
OWN_ATTENTION = [(a, b) for a, b in COMBOS if a.startswith("wherewhen")]
HOSTS = [c for c in COMBOS if c not in OWN_ATTENTION]

# every attention name the README documents: the parametrised tests below iterate the live registry,
# so a module that failed to register would silently shrink them; these names are checked explicitly
PUBLIC_ATTENTIONS = ["w3", "c", "st", "c->st", "st->c", "c+st", "cinst", "stinc", "cinst->stinc",
                     "stinc->cinst", "cinst+stinc", "sta", "ta", "sa", "se3d", "ge3d-g", "ge3d-dw133",
                     "ge3d-dw333", "s3d-g", "cbam", "cbam3d-177", "cbam3d-377", "nonlocal"]


def test_registry_is_complete():
    assert set(COMBOS) >= {("tsn", "resnet18"), ("tsn", "resnet34"), ("tsn", "resnet50"), ("tsn", "resnet101"),
                           ("tsm", "resnet18"), ("tsm", "resnet34"), ("tsm", "resnet50"), ("tsm", "resnet101"),
                           ("i3d", "resnet50"), ("r3d", "resnet18"), ("r3d", "resnext101")}
    assert {a for a, _ in OWN_ATTENTION} == {"wherewhen", "wherewhen-nospatial", "wherewhen-notemporal", "wherewhen-notv",
                                            "wherewhen-nocontrast", "wherewhen-nounimodal"}


def test_every_public_attention_is_registered():
    assert [n for n in PUBLIC_ATTENTIONS if n not in ATTENTIONS] == []


def _forward_both(arch, backbone):
    "`(model, model(x), model.forward_outputs(x))` of a 5-class, 2-segment model in eval mode on a seeded 2-clip batch."
    torch.manual_seed(0)
    model = build_model(arch, backbone, num_classes=5, num_segments=2, dropout=0.0).eval()
    x = torch.randn(2, 3, 2, 32, 32)
    with torch.no_grad():
        return model, model(x), model.forward_outputs(x)


@pytest.mark.parametrize("arch,backbone", HOSTS)
def test_every_arch_backbone_gives_n_by_classes(arch, backbone):
    model, y, out = _forward_both(arch, backbone)
    assert y.shape == (2, 5)
    assert torch.isfinite(y).all()
    assert_close(out.logits, y, rtol=0, atol=0)               # the protocol's forward is model(x)
    assert out.extras == {}                                   # a plain host emits nothing
    assert model.loss_terms() == []
    assert (model.build_config["arch"], model.build_config["backbone"]) == (arch, backbone)
    assert len(model.stages()) == 4


@pytest.mark.parametrize("arch,backbone", [(a, b) for a, b in OWN_ATTENTION if a == "wherewhen" or b == "resnet18"])
def test_every_wherewhen_variant_follows_the_protocol(arch, backbone):
    from vidattn_nb.models.wherewhen import WW_VARIANTS
    model, y, out = _forward_both(arch, backbone)
    assert y.shape == (2, 5) and torch.isfinite(y).all()
    assert_close(out.logits, y, rtol=0, atol=0)
    opts = WW_VARIANTS[arch]
    spatial, temporal = opts.get("spatial", True), opts.get("temporal", True)
    assert sorted(out.extras) == sorted(["ww.masks"] * spatial + ["ww.weights"] * temporal)
    expected = [n for n, on in (("ww.tv", spatial and opts.get("tv", 1)), ("ww.contrast", spatial and opts.get("contrast", 1)),
                                ("ww.unimodal", temporal and opts.get("unimodal", 1))) if on]
    assert [t.name for t in model.loss_terms()] == expected
    assert model.build_config["arch"] == arch


def _maps_cover_paths(model):
    "Every inserted attention module recorded at least one finite map."
    maps = model.attention_maps()
    prefix = "base_model." if model.folded else ""
    uncovered = [p for p in model.attention_paths if not any(k.startswith(prefix + p) for k in maps)]
    assert uncovered == []
    assert all(torch.isfinite(t).all() for v in maps.values() for t in v.values())


@pytest.mark.parametrize("name", sorted(ATTENTIONS))
def test_every_attention_on_tsm(name):
    torch.manual_seed(0)
    model = build_model("tsm", "resnet18", attention=name, num_classes=4, num_segments=2, size=32).eval()
    assert model.attention_paths
    model.record_attention()
    y = model(torch.randn(1, 3, 2, 32, 32))
    assert y.shape == (1, 4)
    assert torch.isfinite(y).all()
    _maps_cover_paths(model)


@pytest.mark.parametrize("name", ["cinst->stinc", "w3", "sta", "se3d"])
def test_attention_on_3d_host(name):
    torch.manual_seed(0)
    model = build_model("r3d", "resnet18", attention=name, num_classes=4, num_segments=4, size=32, dropout=0.0).eval()
    assert model.attention_paths
    model.record_attention()
    y = model(torch.randn(1, 3, 4, 32, 32))
    assert y.shape == (1, 4)
    assert torch.isfinite(y).all()
    _maps_cover_paths(model)


def test_attention_maps_are_recorded_only_when_asked():
    model = build_model("tsn", "resnet18", attention="cinst->stinc", num_classes=3, num_segments=2, size=32).eval()
    x = torch.randn(1, 3, 2, 32, 32)
    model(x)
    assert model.attention_maps() == {}
    model.record_attention()
    model(x)
    assert len(model.attention_maps()) == 16                  # 8 blocks x 2 units (CinST, then STinC)
    model.record_attention(False)
    assert model.attention_maps() == {}


# -- the model protocol through build_model: one training loop, no model-specific branch -------------------------

W3_HOSTS = [("tsm", "resnet18", 2, (512, 2, 1, 1)), ("r3d", "resnet18", 4, (512, 1, 1, 1))]


@pytest.mark.parametrize("arch,backbone,frames,feat", W3_HOSTS)
def test_protocol_w3_training_loss(arch, backbone, frames, feat):
    torch.manual_seed(0)
    model = build_model(arch, backbone, attention="w3", num_classes=5, num_segments=frames, size=32, dropout=0.0).train()
    batch = {"video": torch.randn(2, 3, frames, 32, 32), "label": torch.tensor([1, 4])}
    loss, parts, out = training_loss(model, batch)
    # the task's loss, then the term W3 brings (AFR deep supervision), each by hand
    assert [t.name for t in model.loss_terms()] == ["w3.afr"]
    assert list(parts) == ["task", "w3.afr"]
    assert isinstance(out, ModelOutput) and sorted(out.extras) == ["w3.afr_logits", "w3.refined_features"]
    assert out.logits.shape == out["w3.afr_logits"].shape == (2, 5)
    assert tuple(out["w3.refined_features"].shape) == (2, *feat)
    assert_close(parts["task"], F.cross_entropy(out.logits, batch["label"]))
    assert_close(parts["w3.afr"], F.cross_entropy(out["w3.afr_logits"], batch["label"]))
    assert_close(loss, parts["task"] + parts["w3.afr"])
    # gradients reach the backbone, every W3 module and the refinement path with its auxiliary head
    loss.backward()
    dead = [n for n, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert dead == []
    assert model.afr.head.weight.grad.abs().sum() > 0
    # inference keeps nothing alive, and gives the logits of the protocol's forward (eval mode)
    model.eval()
    with torch.no_grad():
        y = model(batch["video"])
        assert model.extra_outputs.data == {}
        assert_close(model.forward_outputs(batch["video"]).logits, y, rtol=0, atol=0)


def test_protocol_terms_use_the_task_criterion():
    # a multi-label task (Charades-like): the AFR term supervises its logits with the task's own loss
    torch.manual_seed(0)
    model = build_model("tsm", "resnet18", attention="w3", num_classes=4, num_segments=2, size=32, dropout=0.0).train()
    target = torch.tensor([[1., 0., 1., 0.], [0., 0., 0., 1.]])
    bce = lambda logits, batch: F.binary_cross_entropy_with_logits(logits, batch["target"])
    loss, parts, out = training_loss(model, {"video": torch.randn(2, 3, 2, 32, 32), "target": target}, criterion=bce)
    assert_close(parts["task"], F.binary_cross_entropy_with_logits(out.logits, target))
    assert_close(parts["w3.afr"], F.binary_cross_entropy_with_logits(out["w3.afr_logits"], target))


def test_protocol_without_afr_and_on_a_plain_3d_host():
    torch.manual_seed(0)
    batch = {"video": torch.randn(2, 3, 4, 32, 32), "label": torch.tensor([0, 2])}
    noafr = build_model("r3d", "resnet18", attention="w3", num_classes=3, num_segments=4, size=32, dropout=0.0,
                        hook_afr=False)
    _, parts, out = training_loss(noafr, batch)
    assert list(parts) == ["task"] and out.extras == {}
    i3d = build_model("i3d", "resnet50", num_classes=3, num_segments=4, dropout=0.0)
    loss, parts, out = training_loss(i3d, batch)
    assert list(parts) == ["task"] and out.extras == {}
    assert_close(loss, F.cross_entropy(out.logits, batch["label"]))


# -- errors ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,words", [
    (dict(arch="nope"), ["arch='nope'", "'tsm'", "'tsn'", "'i3d'", "'r3d'"]),
    (dict(arch="wherewhen", backbone="vgg16"), ["backbone='vgg16'", "arch='wherewhen'", "'resnet50'"]),
    (dict(arch="tsm", backbone="resnet152"), ["backbone='resnet152'", "'resnet18'", "'resnet101'"]),
    (dict(arch="i3d", backbone="resnext101"), ["backbone='resnext101'", "['resnet50']"]),
    (dict(attention="no-such-attention"), ["attention='no-such-attention'", "one of"]),
    (dict(attention=None, stages=(4,)), ["['stages']", "attention=None"]),
])
def test_bad_names_give_clear_errors(kwargs, words):
    with pytest.raises(ValueError) as e:
        with torch.device("meta"):
            build_model(**kwargs)
    assert [w for w in words if w not in str(e.value)] == [], str(e.value)


@pytest.mark.parametrize("arch,backbone", [("tsn", "resnet18"), ("tsm", "resnet18"), ("r3d", "resnet18")])
def test_wrong_input_shape_gives_clear_error(arch, backbone):
    model = build_model(arch, backbone, num_classes=3, num_segments=2)
    with pytest.raises(ValueError, match=r"\(N, C, T, H, W\), got shape \(2, 3, 32, 32\)"):
        model(torch.randn(2, 3, 32, 32))                      # a batch of images, not of clips
    with pytest.raises(ValueError, match="3 channels"):
        model(torch.randn(1, 1, 2, 32, 32))                   # grey frames
    with pytest.raises(KeyError, match="no 'video' entry"):
        training_loss(model, {"label": torch.tensor([0])})


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
    assert r.returncode != 0
    assert "sta is broken" in r.stderr, r.stderr[-2000:]


def test_registries_refuse_a_second_definition():
    from vidattn_nb.models import ArchSpec, register_arch
    from vidattn_nb.models.insertion import AttentionSpec, register_attention
    with pytest.raises(ValueError, match="attention 'cinst' is already registered"):
        register_attention(AttentionSpec("cinst", lambda c, t, h, w: torch.nn.Identity()))
    with pytest.raises(ValueError, match="arch 'tsm' is already registered"):
        register_arch(ArchSpec("tsm", {"resnet50": lambda *a: None}))
