"""settings.ini (nbdev 2) must agree with [tool.nbdev] in pyproject.toml (nbdev 3)."""
import configparser, tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _norm(v):
    if isinstance(v, (list, tuple)): v = " ".join(map(str, v))   # TOML list == space-separated ini value
    s = str(v).strip()
    return {"true": "True", "false": "False"}.get(s.lower(), s)


def test_settings_agree_with_pyproject():
    pp = tomllib.loads((ROOT / "pyproject.toml").read_text())
    nbdev = pp["tool"]["nbdev"]
    ini = configparser.ConfigParser()
    ini.read(ROOT / "settings.ini")
    d = ini["DEFAULT"]
    for k, v in nbdev.items():
        assert k in d, f"settings.ini lacks {k!r}, which pyproject.toml [tool.nbdev] sets to {v!r}"
        assert _norm(d[k]) == _norm(v), f"settings.ini {k}={d[k]!r} but pyproject.toml says {v!r}"
    assert d["lib_name"] == pp["project"]["name"]
    assert d["min_python"] == pp["project"]["requires-python"].lstrip(">=")
    import vidattn_nb
    assert d["version"] == vidattn_nb.__version__


def test_settings_mismatch_is_detected(tmp_path):
    # the check above must be able to fail: a flipped value is reported
    ini = configparser.ConfigParser()
    ini.read(ROOT / "settings.ini")
    ini["DEFAULT"]["nbs_path"] = "notebooks"
    pp = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert _norm(ini["DEFAULT"]["nbs_path"]) != _norm(pp["tool"]["nbdev"]["nbs_path"])


def test_no_torchvision_dependency():
    pp = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = pp["project"]["dependencies"] + sum(pp["project"]["optional-dependencies"].values(), [])
    assert not any(d.lower().startswith("torchvision") for d in deps)


def test_nbdev_clean_keeps_papermill_parameters_tag():
    # papermill finds the parameters cell by its tag; a cleaned notebook must keep it
    import json
    for nb in sorted((ROOT / "nbs").glob("bench_*.ipynb")) + sorted((ROOT / "nbs").glob("run_*.ipynb")):
        cells = json.loads(nb.read_text())["cells"]
        assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in cells), f"{nb.name}: no cell tagged 'parameters'"
