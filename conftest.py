"""pytest collects every notebook in nbs/ (except index and run_*) as one test that executes its
cells with nbdev's test runner, skipping cells flagged `#| slow` unless `--slow` is given.
`tests/` holds the integration tests. One command runs both: `pytest` (see README)."""
import io, os, sys
from pathlib import Path
import pytest

SKIP_NBS = ("index.ipynb",)


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False,
                     help="also run notebook cells flagged `#| slow` and tests marked slow")


def pytest_configure(config):
    # Two xdist workers on two cores: one intra-op thread each, or they fight for the cores.
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        try:
            import torch
            torch.set_num_threads(1)
        except ImportError:
            pass
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
    if (p.suffix == ".ipynb" and p.parent.name == "nbs" and p.name not in SKIP_NBS
            and not p.name.startswith(("_", "run_", "bench_")) and ".ipynb_checkpoints" not in p.parts):
        return NotebookFile.from_parent(parent, path=p)


class NotebookFile(pytest.File):
    def collect(self):
        yield NotebookItem.from_parent(self, name=self.path.stem)


class NotebookFailed(Exception):
    pass


class NotebookItem(pytest.Item):
    def runtest(self):
        from nbdev.test import test_nb
        flags = ["notest"] + ([] if self.config.getoption("--slow") else ["slow"])
        err, real = io.StringIO(), sys.__stderr__
        sys.__stderr__ = err          # nbdev writes the failing cell's traceback there
        # notebooks run in this process; their exported cells re-register attention entries with
        # notebook-local classes: restore the registry afterwards so later tests see the package's
        try:
            from vidattn_nb.insertion import ATTENTIONS
            saved = dict(ATTENTIONS)
        except ImportError:
            ATTENTIONS, saved = None, None
        try:
            ok, secs = test_nb(self.path, skip_flags=flags, force_flags=[], showerr=True)
        finally:
            sys.__stderr__ = real
            if ATTENTIONS is not None:
                ATTENTIONS.clear(); ATTENTIONS.update(saved)
        self.user_properties.append(("seconds", secs))
        if not ok:
            raise NotebookFailed(err.getvalue() or f"{self.path.name} failed")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, NotebookFailed):
            return f"notebook {self.path.name} failed:\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"notebook: {self.path.name}"
