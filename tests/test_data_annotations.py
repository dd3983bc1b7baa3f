"""Integration tests of the dataset registry and readers (notebooks 20 and 25-29) across every registered
dataset: a missing annotation file is named with the expected layout, list files round-trip, records index
the right frame files, the synthetic generator's layout reads back, and the `vidattn-lists` command.
The per-reader record tests and the bad-input matrix run inside the reader notebooks (25-28)."""
import contextlib, io, pickle
from pathlib import Path

import numpy as np
import pytest
from fastcore.test import test_eq as check_eq, test_fail as check_fail  # aliased: pytest collects globals named test_*

import vidattn_nb.data  # noqa: F401  (registers every dataset)
from vidattn_nb.data.annotations import (DATASETS, AnnotationError, read_annotations, write_list_file, read_list_file,
                                         list_file_cli)
from vidattn_nb.data.fixtures import write_fixture, bad_input_cases, apply_edit

NAMES = list(DATASETS)


def _first(name):
    return DATASETS[name].protocol.train_split


def test_every_dataset_is_complete():
    cases = bad_input_cases()
    check_eq(len({c["id"] for c in cases}), len(cases))
    check_eq({c["dataset"] for c in cases}, set(NAMES))
    for name, spec in DATASETS.items():
        check_eq((callable(spec.reader), callable(spec.fixture), callable(spec.bad_cases), spec.classes > 0), (True,) * 4)
        check_eq(spec.protocol.train_split in spec.layout.splits and spec.protocol.eval_split in spec.layout.splits, True)


@pytest.mark.parametrize("name", NAMES)
def test_missing_annotation_file_names_it(tmp_path, name):
    root = write_fixture(name, tmp_path, media=False)
    files = read_annotations(name, root, _first(name)).meta["files"]
    check_eq(bool(files) and all((root / f).is_file() for f in files), True)
    # EgoGesture has one file per recording (a missing one is just a missing recording): take its label folder away
    p = root / ("labels-final-revised1" if name == "egogesture" else files[0])
    p.rename(p.with_name("moved"))
    check_fail(lambda: read_annotations(name, root, _first(name)), contains=p.name)
    check_fail(lambda: read_annotations(name, root, _first(name)), contains="Expected layout")


@pytest.mark.parametrize("name", NAMES)
def test_list_file_round_trip(tmp_path, name):
    root = write_fixture(name, tmp_path / "d", media=False)
    for split in DATASETS[name].layout.splits:
        cl = read_annotations(name, root, split)
        out = write_list_file(cl, tmp_path / f"{split}.txt")
        back = read_list_file(out, classes=cl.classes)
        check_eq([(r.path, r.num_frames, r.label, r.start, r.end) for r in back],
                [(r.path, r.num_frames, r.label, r.start, r.end) for r in cl])
        if any(isinstance(r.label, tuple) for r in cl): check_eq(back.multilabel, True)


def test_list_file_tsm_lines_and_errors(tmp_path):
    p = tmp_path / "tsm.txt"
    p.write_text("100218 37 5\n2x 12 -1\nseg 4 10 3,17\none 5 1 2,\n")
    check_eq([(r.path, r.num_frames, r.label, r.start, r.end) for r in read_list_file(p)],
            [("100218", 37, 5, 0, None), ("2x", 12, None, 0, None), ("seg", 10, (3, 17), 4, 14), ("one", 1, (2,), 5, 6)])
    p.write_text("a 3 1\nb 3 -4\n")
    check_fail(lambda: read_list_file(p), contains="tsm.txt, line 2: expected a label >= 0")
    check_fail(lambda: read_list_file(tmp_path / "nope.txt"), contains="nope.txt")


def test_clip_list_pickles_for_dataloader_workers(tmp_path):
    cl = read_annotations("ucf24", write_fixture("ucf24", tmp_path, media=False), "train")
    back = pickle.loads(pickle.dumps(cl))
    check_eq((back.classes, [r.path for r in back]), (cl.classes, [r.path for r in cl]))
    assert np.array_equal(back[0].extra["tubes"][0]["boxes"], cl[0].extra["tubes"][0]["boxes"])


FRAME_SETS = ["ssv1", "egogesture", "epic55", "charades", "ucf24"]


@pytest.mark.parametrize("name", FRAME_SETS)
def test_records_index_the_right_frame_files(tmp_path, name):
    from vidattn_nb.data.frames import FrameFolder
    root = write_fixture(name, tmp_path)
    for split in (_first(name), "test"):
        cl = read_annotations(name, root, split)
        check_eq(cl.meta["media"], "frames")
        src = FrameFolder(cl.meta["media_root"], cl.meta["image_tmpl"])
        for r in cl:
            n = src.num_frames(r.path)
            if r.end is None: check_eq(r.num_frames, n)       # whole clips: the counted frames
            last = (r.end if r.end is not None else n) - 1
            # fixture frame k (file k+1) is flat grey 10 + 5k: the 0-based record indices pick those files
            check_eq([int(round((float(np.median(f)) - 10) / 5)) for f in src.read(r.path, [r.start, last])], [r.start, last])


def test_reads_the_synthetic_generator_layout(tmp_path):
    from vidattn_nb.data import synthetic
    synthetic.generate(tmp_path, seed=0, num_frames=4, size=32, train_per_class=1, val_per_class=1)
    tr = read_annotations("ssv1", tmp_path, "train")
    va = read_annotations("ssv1", tmp_path, "validation")
    check_eq((tr.classes, len(tr), len(va)), (list(synthetic.CLASSES), len(synthetic.CLASSES), len(synthetic.CLASSES)))
    check_eq(sorted(r.label for r in tr), list(range(len(synthetic.CLASSES))))
    check_eq({r.num_frames for r in list(tr) + list(va)}, {4})
    check_eq(tr.meta["media_root"], str(tmp_path / "20bn-something-something-v1"))


def _cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: code = list_file_cli(argv)
        except SystemExit as e: code = e.code
    return code, out.getvalue(), err.getvalue()


def test_cli_writes_list_and_classes(tmp_path):
    root = write_fixture("charades", tmp_path / "d", media=False)
    code, out, err = _cli(["--dataset", "Charades", "--root", str(root), "--split", "train",
                           "--out", str(tmp_path / "l.txt"), "--classes-out", str(tmp_path / "c.txt")])
    check_eq((code, "wrote 4 clips of charades/train (4 classes)" in out), (0, True))
    check_eq("note" in err and "R3V3S: action c000 0.60 0.20 ends before it starts" in err, True)
    check_eq((tmp_path / "l.txt").read_text(), "46GP8.mp4 -1 1,3\nN11GT.mp4 -1 ,\n0IH69.mp4 -1 2,\nR3V3S.mp4 -1 0,2\n")
    check_eq((tmp_path / "c.txt").read_text().splitlines()[3], "Throwing clothes somewhere")


def test_cli_skip_reports_and_errors_exit_2(tmp_path):
    root = write_fixture("ssv1", tmp_path / "d", media=False)
    apply_edit(root, next(c for c in bad_input_cases("ssv1") if c["id"] == "ssv1-unknown-label"))
    args = ["--dataset", "ssv1", "--root", str(root), "--split", "train", "--out", str(tmp_path / "l.txt")]
    code, out, err = _cli(args)
    check_eq((code, "something-something-v1-train.csv, line 5: unknown label" in err, (tmp_path / "l.txt").exists()), (2, True, False))
    code, out, err = _cli(args + ["--on-error", "skip"])
    check_eq((code, "skipped 1 bad line" in out, "line 5: unknown label" in err), (0, True, True))
    check_eq(len((tmp_path / "l.txt").read_text().splitlines()), 4)
    code, _, err = _cli(["--dataset", "kinetics"] + args[2:])
    check_eq((code, "unknown dataset 'kinetics'" in err and "ssv1" in err), (2, True))
    code, _, err = _cli(["--dataset", "ucf101"] + args[2:] + ["--frames-root", str(root)])
    check_eq((code, "--frames-root is not used by ucf101" in err), (2, True))
    code, _, err = _cli(args[:-2])
    check_eq((code, "--out" in err), (2, True))


def test_legacy_names_still_import():
    import vidattn_nb.data.annotations as A
    from vidattn_nb.data.annotations import read_ssv1, READERS, LAYOUTS, make_fixture, HMDB51_CLASSES, canonical_dataset_name
    check_eq((READERS["ssv1"], len(HMDB51_CLASSES), canonical_dataset_name("EPIC-Kitchens-55")), (read_ssv1, 51, "epic55"))
    check_eq(LAYOUTS["ucf24"].splitlines()[0], "pyannot.json: ROOT/splitfiles/pyannot.json or ROOT/pyannot.json")
    assert callable(make_fixture) and callable(A.bad_input_cases) and isinstance(A.AnnotationError("f", 1, "x"), ValueError)
