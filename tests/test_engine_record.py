"""`config.json` records how a run was started (`env.command`, `argv`, `cwd`, `notebook`), so a results table can link
each number to the command that produced it: a `run_*`-style notebook executed by papermill records the papermill
command line and the notebook's path; `python -m vidattn_nb.train` records itself as typed (-m kept)."""
import json, subprocess, sys
from pathlib import Path
import nbformat
from fastcore.test import test_eq as check_eq
from _engine_toy import tiny, cli_args, env


def _record(run_dir) -> dict:
    return json.loads((Path(run_dir) / "config.json").read_text())["env"]


def test_a_notebook_run_by_papermill_records_the_papermill_command_and_the_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("run_dir = None\ndata_root = None", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("from _engine_toy import tiny\nfrom vidattn_nb.engine.config import TrainConfig\n"
                                          "from vidattn_nb.engine.loop import fit\n"
                                          "m = fit(TrainConfig(**tiny(run_dir, data_root, epochs=1)))")]
    (tmp_path / "nbs").mkdir()
    nbformat.write(nb, tmp_path / "nbs" / "run_toy.ipynb")
    run_dir = tmp_path / "runs" / "toy"
    argv = [sys.executable, "-m", "papermill", "nbs/run_toy.ipynb", "out.ipynb", "-p", "run_dir", str(run_dir),
            "-p", "data_root", str(tmp_path / "syn"), "-k", "python3"]
    r = subprocess.run(argv, cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    e = _record(run_dir)
    check_eq(e["command"], "python -m papermill nbs/run_toy.ipynb out.ipynb -p run_dir " + str(run_dir) +
             " -p data_root " + str(tmp_path / "syn") + " -k python3")
    check_eq(e["notebook"], str((tmp_path / "nbs" / "run_toy.ipynb").resolve()))
    check_eq(e["cwd"], str(tmp_path.resolve()))
    check_eq(e["argv"][1:], argv[1:])


def test_the_command_line_records_itself_as_typed(tmp_path):
    f = tiny(tmp_path / "run", tmp_path / "syn", epochs=1)
    r = subprocess.run([sys.executable, "-m", "vidattn_nb.train", *cli_args(f)], env=env(), capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    e = _record(f["run_dir"])
    assert e["command"].startswith("python -m vidattn_nb.train --run_dir " + str(tmp_path / "run")), e["command"]
    check_eq(e["argv"][1:], ["-m", "vidattn_nb.train", *cli_args(f)])
    assert "notebook" not in e, e
