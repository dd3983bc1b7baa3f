"""Integration tests for `vidattn_nb.data.annotations` (nbs/20_data_annotations.ipynb).

Every official format is read from its fixture (`make_fixture`); the bad-input matrix runs under both
`on_error` modes; list files round-trip; the console command writes them and fails cleanly; and the
records meet the frame sources of `vidattn_nb.data.frames` (0-based `start`/`end` against frame files
numbered from 1) and the synthetic generator's Something-Something V1 layout."""
import contextlib, importlib, io, pickle
from pathlib import Path

import numpy as np
import pytest

# not `from vidattn_nb.data import annotations`: vidattn_nb/data/__init__.py has `from __future__ import
# annotations`, whose `annotations` name shadows the submodule in that spelling.
A = importlib.import_module("vidattn_nb.data.annotations")

DATASETS = list(A.READERS)
CASES = A.bad_input_cases()
FIRST = {"thumos14": "val"}          # THUMOS14 trains on its validation videos


def _read(name, root, split="train", **kw):
    return A.read_annotations(name, root, FIRST.get(name, split) if split == "train" else split, **kw)


def _key(r):
    return (r.path, r.start)


def test_every_dataset_has_reader_fixture_layout_and_bad_cases():
    assert set(A.READERS) == set(A.LAYOUTS) == {c["dataset"] for c in CASES}
    assert len({c["id"] for c in CASES}) == len(CASES)
    kinds = {c["id"].split("-", 1)[1] for c in CASES}
    assert {"misdelimited", "unknown-label", "label-range"} <= kinds


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_raises_or_is_skipped(tmp_path, case):
    root = A.make_fixture(case["dataset"], tmp_path)
    args = (case["dataset"], root, case["split"])
    clean = A.read_annotations(*args, fold=case["fold"])
    assert clean.skipped == [] and len(clean) > 0
    A.apply_edit(root, case)
    with pytest.raises(A.AnnotationError) as ei:
        A.read_annotations(*args, fold=case["fold"])
    e = ei.value
    assert e.file.endswith(case["error_file"]) and Path(e.file).is_file()
    assert e.line == case["line"] and f"{case['unit']} {case['line']}" in str(e)
    assert case["expect"] in str(e), str(e)
    if case["strict"]:                     # class-index files: skipping would shift every later index
        with pytest.raises(A.AnnotationError):
            A.read_annotations(*args, fold=case["fold"], on_error="skip")
        return
    sk = A.read_annotations(*args, fold=case["fold"], on_error="skip")
    assert [(Path(f).name, ln) for f, ln, _ in sk.skipped] == [(Path(case["error_file"]).name, case["line"])]
    assert case["expect"] in sk.skipped[0][2]
    before = {_key(r): r for r in clean}
    assert len(sk) == len(clean) - case["drops"]
    for r in sk:                           # what is kept is exactly what the clean file said
        c = before[_key(r)]
        assert (r.label, r.num_frames, r.end) == (c.label, c.num_frames, c.end)


@pytest.mark.parametrize("name", [n for n in DATASETS if n != "egogesture"])
def test_missing_annotation_file_names_it(tmp_path, name):
    root = A.make_fixture(name, tmp_path)
    files = _read(name, root).meta["files"]
    assert files and all((root / f).is_file() for f in files)
    for f in files[:2]:
        p = root / f; data = p.read_bytes(); p.unlink()
        with pytest.raises(FileNotFoundError) as ei:
            _read(name, root)
        msg = str(ei.value)
        assert p.name in msg and ("Official layout" in msg or "official" in msg), msg
        p.write_bytes(data)


def test_egogesture_missing_subject_and_subset(tmp_path):
    root = A.make_fixture("egogesture", tmp_path)
    assert len(A.read_annotations("egogesture", root, "val")) == 20
    (root / "labels-final-revised1/subject01/Scene1/Group1.csv").unlink()
    (root / "labels-final-revised1/subject01/Scene1").rmdir()
    with pytest.raises(FileNotFoundError, match="no SceneK/GroupG.csv"):
        A.read_annotations("egogesture", root, "val")
    assert {r.extra["subject"] for r in A.read_annotations("egogesture", root, "val", subjects=[7, 12])} == {7, 12}


@pytest.mark.parametrize("name", DATASETS)
@pytest.mark.parametrize("split", ["train", "val", "test"])
def test_list_file_round_trip(tmp_path, name, split):
    root = A.make_fixture(name, tmp_path / "d")
    cl = A.read_annotations(name, root, split)
    out = A.write_list_file(cl, tmp_path / "list.txt")
    lines = out.read_text().splitlines()
    assert len(lines) == len(cl) and all(len(l.split()) in (3, 4) for l in lines)
    back = A.read_list_file(out, classes=cl.classes)
    assert [(r.path, r.num_frames, r.label, r.start, r.end) for r in back] == \
           [(r.path, r.num_frames, r.label, r.start, r.end) for r in cl]
    if any(isinstance(r.label, tuple) for r in cl): assert back.multilabel


def test_list_file_tsm_lines_and_errors(tmp_path):
    p = tmp_path / "tsm.txt"
    p.write_text("100218 37 5\n2x 12 -1\nseg 4 10 3,17\none 5 1 2,\n")
    cl = A.read_list_file(p)
    assert [(r.path, r.num_frames, r.label, r.start, r.end) for r in cl] == [
        ("100218", 37, 5, 0, None), ("2x", 12, None, 0, None), ("seg", 10, (3, 17), 4, 14), ("one", 1, (2,), 5, 6)]
    p.write_text("a 3 1\nb 3 -4\n")
    with pytest.raises(A.AnnotationError, match=r"tsm.txt, line 2: expected a label >= 0"):
        A.read_list_file(p)
    with pytest.raises(FileNotFoundError, match="nope.txt"):
        A.read_list_file(tmp_path / "nope.txt")


def test_clip_list_pickles_for_dataloader_workers(tmp_path):
    cl = A.read_annotations("ucf24", A.make_fixture("ucf24", tmp_path), "train")
    back = pickle.loads(pickle.dumps(cl))
    assert back.classes == cl.classes and [r.path for r in back] == [r.path for r in cl]
    assert np.array_equal(back[0].extra["tubes"][0]["boxes"], cl[0].extra["tubes"][0]["boxes"])
    e = pickle.loads(pickle.dumps(A.AnnotationError("f.csv", 3, "bad")))
    assert (e.file, e.line, str(e)) == ("f.csv", 3, "f.csv, line 3: bad")


def test_epic_val_videos_from_file_and_targets(tmp_path):
    root = A.make_fixture("epic55", tmp_path)
    (tmp_path / "val.txt").write_text("P03_01\n")
    va = A.read_annotations("epic55", root, "val", val_videos=str(tmp_path / "val.txt"))
    assert [r.extra["uid"] for r in va] == [5]
    tr = A.read_annotations("epic55", root, "train", val_videos=tmp_path / "val.txt", target="verb")
    assert [r.label for r in tr] == [2, 0, 3, 4, 2] and tr.classes == ["take", "put", "open", "close", "wash"]
    with pytest.raises(ValueError, match="target must be"):
        A.read_annotations("epic55", root, "train", target="object")


# ---- records meet the frame sources -----------------------------------------------------------------

FRAME_SETS = ["ssv1", "egogesture", "epic55", "charades", "ucf24"]
VIDEO_SETS = [n for n in DATASETS if n not in FRAME_SETS]


@pytest.mark.parametrize("name", FRAME_SETS)
def test_records_index_the_right_frame_files(tmp_path, name):
    from vidattn_nb.data.frames import FrameFolder
    root = A.make_fixture(name, tmp_path, media=True)
    for split in ("train", "test"):
        cl = A.read_annotations(name, root, FIRST.get(name, split) if split == "train" else split)
        assert cl.meta["media"] == "frames"
        src = FrameFolder(cl.meta["media_root"], cl.meta["image_tmpl"])
        for r in cl:
            n = src.num_frames(r.path)
            if r.end is None: assert r.num_frames == n       # whole clips: the counted frames
            last = (r.end if r.end is not None else n) - 1
            frames = src.read(r.path, [r.start, last])
            # fixture frame k (file k+1) is flat grey 10 + 5k: the 0-based record indices pick those files
            got = [int(round((float(np.median(f)) - 10) / 5)) for f in frames]
            assert got == [r.start, last], (name, r.path, got)


@pytest.mark.parametrize("name", VIDEO_SETS)
def test_video_records_point_at_decodable_videos(tmp_path, name):
    from vidattn_nb.data.frames import VideoFile
    root = A.make_fixture(name, tmp_path, media=True)
    cl = A.read_annotations(name, root, "test")
    assert cl.meta["media"] == "video" and len(cl) > 0
    src = VideoFile(cl.meta["media_root"])
    assert all(src.num_frames(r.path) == 8 for r in cl)


def test_reads_the_synthetic_generator_layout(tmp_path):
    from vidattn_nb.data import synthetic
    synthetic.generate(tmp_path, seed=0, num_frames=4, size=32, train_per_class=1, val_per_class=1)
    tr = A.read_annotations("ssv1", tmp_path, "train")
    va = A.read_annotations("ssv1", tmp_path, "validation")
    assert tr.classes == list(synthetic.CLASSES)
    assert len(tr) == len(va) == len(synthetic.CLASSES)
    assert sorted(r.label for r in tr) == list(range(len(synthetic.CLASSES)))
    assert all(r.num_frames == 4 for r in list(tr) + list(va))
    assert tr.meta["media_root"] == str(tmp_path / "20bn-something-something-v1")


# ---- console command ---------------------------------------------------------------------------------

def _cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: code = A.list_file_cli(argv)
        except SystemExit as e: code = e.code
    return code, out.getvalue(), err.getvalue()


def test_cli_writes_list_and_classes(tmp_path):
    root = A.make_fixture("charades", tmp_path / "d")
    code, out, err = _cli(["--dataset", "Charades", "--root", str(root), "--split", "train",
                           "--out", str(tmp_path / "l.txt"), "--classes-out", str(tmp_path / "c.txt")])
    assert code == 0 and "wrote 3 clips of charades/train (4 classes)" in out and err == ""
    assert (tmp_path / "l.txt").read_text() == "46GP8.mp4 -1 1,3\nN11GT.mp4 -1 ,\n0IH69.mp4 -1 2,\n"
    assert (tmp_path / "c.txt").read_text().splitlines()[3] == "Throwing clothes somewhere"


def test_cli_skip_reports_and_errors_exit_2(tmp_path):
    root = A.make_fixture("ssv1", tmp_path / "d")
    case = next(c for c in CASES if c["id"] == "ssv1-unknown-label")
    A.apply_edit(root, case)
    args = ["--dataset", "ssv1", "--root", str(root), "--split", "train", "--out", str(tmp_path / "l.txt")]
    code, out, err = _cli(args)
    assert code == 2 and "something-something-v1-train.csv, line 4: unknown label" in err and not (tmp_path / "l.txt").exists()
    code, out, err = _cli(args + ["--on-error", "skip"])
    assert code == 0 and "skipped 1 bad line" in out and "line 4: unknown label" in err
    assert len((tmp_path / "l.txt").read_text().splitlines()) == 3
    code, _, err = _cli(["--dataset", "kinetics"] + args[2:])
    assert code == 2 and "unknown dataset 'kinetics'" in err and "ssv1" in err
    code, _, err = _cli(["--dataset", "ucf101"] + args[2:] + ["--frames-root", str(root)])
    assert code == 2 and "--frames-root is not used by ucf101" in err
    code, _, err = _cli(args[:-2])
    assert code == 2 and "--out" in err
