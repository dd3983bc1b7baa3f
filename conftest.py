"""pytest runs every notebook in nbs/ (except index, bench_* and run_*) as one test, each in a fresh Python
process through nbdev's own test runner (`nbdev.test.test_nb`, the function `nbdev_test` calls), skipping the
cells flagged `#| slow` unless `--slow` is given. Then it runs the integration tests in `tests/`.
One command runs both: `pytest` (see README). `--bench` adds the benchmark notebooks (cells flagged `#| bench`),
`--runs` the experiment notebooks (cells flagged `#| run`); `nbdev_test --flags "..."` selects the same sets."""
import os, subprocess, sys
from pathlib import Path
import pytest

SKIP_NBS = ("index.ipynb",)
FLAG_OPTIONS = {"slow": "--slow", "bench": "--bench", "run": "--runs"}   # nbdev tst_flags asked for by these options


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False,
                     help="also run notebook cells flagged `#| slow` and tests marked slow")
    parser.addoption("--bench", action="store_true", default=False,
                     help="also run the benchmark notebooks nbs/bench_*.ipynb (cells flagged `#| bench`)")
    parser.addoption("--runs", action="store_true", default=False,
                     help="also run the experiment notebooks nbs/run_*.ipynb in full (cells flagged `#| run`)")


def pytest_configure(config):
    # Two xdist workers on two cores: one intra-op thread each, or they fight for the cores.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        import torch
        torch.set_num_threads(1)
    os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow")
    for it in items:
        if "slow" in it.keywords:
            it.add_marker(skip)


def pytest_collect_file(parent, file_path):
    p = Path(file_path)
    if p.suffix != ".ipynb" or p.parent.name != "nbs" or p.name in SKIP_NBS or ".ipynb_checkpoints" in p.parts:
        return None
    if p.name.startswith("_"): return None
    if p.name.startswith("bench_") and not parent.config.getoption("--bench"): return None
    if p.name.startswith("run_") and not parent.config.getoption("--runs"): return None
    return NotebookFile.from_parent(parent, path=p)


class NotebookFile(pytest.File):
    def collect(self):
        yield NotebookItem.from_parent(self, name=self.path.stem)


class NotebookFailed(Exception):
    pass


_RUNNER = """
import sys
from nbdev.test import test_nb
ok, secs = test_nb(sys.argv[1], skip_flags=sys.argv[2].split(), force_flags=[], showerr=True)
print(f"{secs:.1f}")
sys.exit(0 if ok else 1)
"""


class NotebookItem(pytest.Item):
    def runtest(self):
        opts = self.config.option
        skip = ["notest"] + [f for f, o in FLAG_OPTIONS.items() if not getattr(opts, o.lstrip("-"), False)]
        env = {**os.environ, "MPLBACKEND": "Agg"}
        # a fresh process per notebook: its exported cells re-define (and re-register) the package's classes,
        # which must not leak into other tests
        r = subprocess.run([sys.executable, "-c", _RUNNER, str(self.path), " ".join(skip)],
                           capture_output=True, text=True, env=env, cwd=self.path.parent)
        if r.stdout.strip():
            self.user_properties.append(("seconds", r.stdout.strip().splitlines()[-1]))
        if r.returncode != 0:
            raise NotebookFailed(r.stderr[-20000:] or f"{self.path.name} failed (exit {r.returncode})")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, NotebookFailed):
            return f"notebook {self.path.name} failed:\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"notebook: {self.path.name}"
