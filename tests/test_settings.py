"""settings.ini (nbdev 2) must agree with [tool.nbdev] in pyproject.toml (nbdev 3)."""
import configparser, json, tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _norm(v):
    if isinstance(v, (list, tuple)): v = " ".join(map(str, v))   # TOML list == space-separated ini value
    s = str(v).strip()
    return {"true": "True", "false": "False"}.get(s.lower(), s)


def _read():
    "`(settings.ini [DEFAULT], pyproject.toml as a dict)`."
    ini = configparser.ConfigParser()
    ini.read(ROOT / "settings.ini")
    return ini["DEFAULT"], tomllib.loads((ROOT / "pyproject.toml").read_text())


def _mismatches(ini, nbdev: dict) -> list[str]:
    "Keys of pyproject's [tool.nbdev] that settings.ini lacks or sets to another value, with both values."
    return [f"{k}: settings.ini {ini.get(k)!r}, pyproject.toml {v!r}" for k, v in nbdev.items()
            if k not in ini or _norm(ini[k]) != _norm(v)]


def test_settings_agree_with_pyproject():
    ini, pp = _read()
    assert _mismatches(ini, pp["tool"]["nbdev"]) == []
    assert ini["lib_name"] == pp["project"]["name"]
    assert ini["min_python"] == pp["project"]["requires-python"].lstrip(">=")
    import vidattn_nb
    assert ini["version"] == vidattn_nb.__version__


def test_settings_mismatch_is_detected():
    # the check above must be able to fail: a flipped value and a missing key are each reported by name
    ini, pp = _read()
    nbdev = pp["tool"]["nbdev"]
    ini["nbs_path"] = "notebooks"
    ini.pop("tst_flags")
    assert [m.split(":")[0] for m in _mismatches(ini, nbdev)] == ["nbs_path", "tst_flags"]
    assert _mismatches({"recursive": "False"}, {"recursive": False}) == []          # TOML bool == ini string
    assert _mismatches({"tst_flags": "a b"}, {"tst_flags": ["a", "b"]}) == []        # TOML list == ini words


def test_no_torchvision_dependency():
    _, pp = _read()
    deps = pp["project"]["dependencies"] + sum(pp["project"]["optional-dependencies"].values(), [])
    assert [d for d in deps if d.lower().startswith("torchvision")] == []


def test_nbdev_clean_keeps_papermill_parameters_tag():
    # papermill finds the parameters cell by its tag; a cleaned notebook must keep it
    _, pp = _read()
    assert "tags" in pp["tool"]["nbdev"]["allowed_cell_metadata_keys"]
    untagged = [nb.name for nb in sorted((ROOT / "nbs").glob("bench_*.ipynb")) + sorted((ROOT / "nbs").glob("run_*.ipynb"))
                if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in json.loads(nb.read_text())["cells"])]
    assert untagged == []
