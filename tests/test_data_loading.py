"""Integration tests of the data pipeline (notebooks 21-23): frame folders and videos read through
`VideoDataset` / `build_dataset`, every kind of bad media (missing, empty, unreadable, corrupt, truncated) in
raise and skip modes, and the error report across DataLoader workers. All media are written here (tiny JPEG
folders, tiny mp4s) or by `vidattn_nb.data.fixtures`."""
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from fastcore.test import test_eq as check_eq  # aliased: pytest collects globals named test_*
from torch.utils.data import DataLoader

from vidattn_nb.data import VideoDataset, build_dataset, ErrorReport
from vidattn_nb.data.frames import (DataError, MissingFrameError, EmptySourceError, UnreadableError, CorruptFileError,
                                    TruncatedVideoError, FrameIndexError, FrameFolder, VideoFile, write_frames,
                                    write_video, _grey_frames, _frame_ids, extract_frames_cli)
from vidattn_nb.data.sampling import TSNSampler, DenseSampler, TrainTransform, TestTransform

from vidattn_nb.data.annotations import ClipList, ClipRecord
from vidattn_nb.data.fixtures import write_fixture

CLASSES = ["a", "b", "c"]


def _frames(n):
    f = _grey_frames(n, 24, 32)
    f[:, 2:6, 2:10] = ((np.arange(n) * 37) % 256).astype(np.uint8)[:, None, None, None]
    return f


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    r = tmp_path_factory.mktemp("media")
    fr = _frames(40)
    # frame folders
    for k in range(4):
        write_frames(r / "frames" / f"good{k}", fr[:32])
    write_frames(r / "frames" / "gap", fr[:32]); (r / "frames" / "gap" / "00009.jpg").unlink()
    (r / "frames" / "empty").mkdir()
    (r / "frames" / "notdir").write_text("x")
    write_frames(r / "frames" / "cjpeg", fr[:32]); (r / "frames" / "cjpeg" / "00003.jpg").write_bytes(b"\xff\xd8garbage")
    # videos
    for k in range(4):
        write_video(r / "videos" / f"good{k}.mp4", fr[:32], options={"sc_threshold": 0})
    (r / "videos" / "garbage.mp4").write_bytes(os.urandom(3000))
    b = (r / "videos" / "good0.mp4").read_bytes()
    (r / "videos" / "trunc_tail.mp4").write_bytes(b[: len(b) // 2])          # moov index at the end: lost
    fs = write_video(r / "videos" / "fs.mp4", fr[:32], container_options={"movflags": "+faststart"})
    b = fs.read_bytes(); (r / "videos" / "trunc_head.mp4").write_bytes(b[: len(b) * 2 // 3])  # index kept, frames cut
    (r / "videos" / "empty.mp4").write_bytes(b"")
    return r


def _dataset(media, kind, names, labels, on_error, train=False, **kw):
    recs = [ClipRecord(n if kind == "frames" else f"{n}.mp4", None, l) for n, l in zip(names, labels)]
    src = FrameFolder(media / "frames") if kind == "frames" else VideoFile(media / "videos")
    tf = TrainTransform(16, flip="flip") if train else TestTransform("center-16")
    return VideoDataset(ClipList(recs, CLASSES, name="toy", split="val"), src, TSNSampler(8, train=train), tf,
                        train=train, on_error=on_error, **kw)


BAD = [("frames", "gap", MissingFrameError, "00009.jpg"),
       ("frames", "empty", EmptySourceError, "no frame images"),
       ("frames", "notdir", UnreadableError, "not a folder"),
       ("frames", "missing_folder", MissingFrameError, "does not exist"),
       ("frames", "cjpeg", CorruptFileError, "00003.jpg"),
       ("video", "garbage", CorruptFileError, "garbage.mp4"),
       ("video", "trunc_tail", CorruptFileError, "trunc_tail.mp4"),
       ("video", "trunc_head", TruncatedVideoError, "frames its header announces"),
       ("video", "empty", CorruptFileError, "empty.mp4"),
       ("video", "missing_video", MissingFrameError, "does not exist")]


@pytest.mark.parametrize("kind,name,exc,words", BAD, ids=[b[1] for b in BAD])
def test_bad_input_raises_naming_the_file(media, kind, name, exc, words):
    ds = _dataset(media, kind, [name], [0], "raise")
    with pytest.raises(exc) as e:
        ds[0]
    msg = str(e.value)
    assert words in msg and name in msg and "expected" in msg


@pytest.mark.parametrize("kind,name,exc,words", BAD, ids=[b[1] for b in BAD])
def test_bad_input_skipped_and_counted(media, kind, name, exc, words):
    ds = _dataset(media, kind, [name, "good1"], [0, 2], "skip")
    s = ds[0]
    assert s["replaced"]
    check_eq((s["index"], s["label"].item()), (1, 2))      # the replacement's own label
    rep = ds.error_report()
    check_eq((rep.count, rep.entries[0]["type"]), (1, exc.__name__))
    assert words in rep.entries[0]["error"]
    assert not ds[1]["replaced"]
    check_eq((ds.error_report(reset=True).count, ds.error_report().count), (1, 0))


def test_index_out_of_range(media):
    # a segment past the end of the video (annotation index out of range), and a dataset index out of range
    recs = [ClipRecord("good0.mp4", 20, 0, start=20, end=40)]
    ds = VideoDataset(ClipList(recs, CLASSES), VideoFile(media / "videos"), TSNSampler(8, False), TestTransform("center-16"), False)
    with pytest.raises(FrameIndexError, match=r"good0.mp4.*\[20, 40\).*32 frames"):
        ds[0]
    with pytest.raises(IndexError, match="index 1 out of range for 1 clips"):
        ds[1]
    with pytest.raises(FrameIndexError, match=r"index 32 is out of range"):
        VideoFile(media / "videos").read("good0.mp4", [0, 32])


def test_video_and_frames_give_the_same_frames(media):
    f = _dataset(media, "frames", ["good0"], [1], "raise")[0]
    v = _dataset(media, "video", ["good0"], [1], "raise")[0]
    assert f["frames"].tolist() == v["frames"].tolist() == [[2, 6, 10, 14, 18, 22, 26, 30]]
    # same content up to JPEG vs H.264 loss
    assert (f["video"] - v["video"]).abs().mean() < 0.1
    raw = VideoFile(media / "videos").read("good0.mp4", [2, 6, 10])
    check_eq(_frame_ids(raw), [2, 6, 10])


def test_error_report_across_workers(media):
    names = ["good0", "gap", "good1", "cjpeg", "good2", "empty", "good3", "notdir"]
    ds = _dataset(media, "frames", names, [0, 1, 2, 0, 1, 2, 0, 1], "skip")
    dl = DataLoader(ds, batch_size=2, num_workers=2, shuffle=False)
    seen = []
    for batch in dl:
        check_eq(batch["video"].shape, (2, 3, 8, 16, 16))
        seen += list(zip(batch["index"].tolist(), batch["label"].tolist(), batch["replaced"].tolist()))
    # each bad record i was replaced by good record i+1 with that record's label
    check_eq(seen, [(0, 0, False), (2, 2, True), (2, 2, False), (4, 1, True), (4, 1, False), (6, 0, True), (6, 0, False), (0, 0, True)])
    rep = ds.error_report()
    check_eq((rep.count, len({e["path"] for e in rep.entries})), (4, 4))
    check_eq(sorted(e["type"] for e in rep.entries), sorted(["MissingFrameError", "CorruptFileError", "EmptySourceError", "UnreadableError"]))
    assert len(os.listdir(ds.report_dir)) >= 1      # written by the workers, not this process
    check_eq((ds.error_report(reset=True).count, ds.error_report().count), (4, 0))
    for _ in DataLoader(ds, batch_size=4, num_workers=2):   # a second epoch counts afresh
        pass
    check_eq(ds.error_report().count, 4)


def test_worker_exception_keeps_its_type(media):
    ds = _dataset(media, "frames", ["gap"], [0], "raise")
    with pytest.raises(MissingFrameError, match="00009.jpg"):
        next(iter(DataLoader(ds, batch_size=1, num_workers=1)))


def test_training_draws_differ_across_workers_and_repeat_with_seed(media):
    ds = _dataset(media, "frames", ["good0"] * 8, [0] * 8, "raise", train=True)
    def epoch(seed):
        torch.manual_seed(seed)
        return torch.cat([b["frames"] for b in DataLoader(ds, batch_size=2, num_workers=2)])
    a, b, c = epoch(0), epoch(0), epoch(1)
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert len({tuple(r.tolist()) for r in a.view(8, -1)}) > 4, "workers must not repeat each other's draws"


def test_dense_multi_clip_views(media):
    recs = [ClipRecord("good0.mp4", None, 0)]
    ds = VideoDataset(ClipList(recs, CLASSES), VideoFile(media / "videos"), DenseSampler(4, 2, train=False, num_clips=3),
                      TestTransform("3crop-16"), False)
    s = ds[0]
    check_eq((s["video"].shape, s["frames"].tolist()), ((9, 3, 4, 16, 16), [[0, 2, 4, 6], [12, 14, 16, 18], [24, 26, 28, 30]]))


def test_build_dataset_ssv1_fixture(tmp_path):
    root = write_fixture("ssv1", tmp_path / "ssv1")
    tr = build_dataset("ssv1", root, "train", num_segments=4, size=16)
    assert tr.train
    check_eq(tr.transform.flip, "none")
    check_eq((len(tr), len(tr.clips)), (4, 4))
    for i in range(len(tr)):
        s = tr[i]
        check_eq((s["video"].shape, s["label"].item()), ((3, 4, 16, 16), tr.clips[i].label))
    va = build_dataset("ssv1", root, "val", num_segments=4, views="2x3crop-16")
    check_eq(va[0]["video"].shape, (6, 3, 4, 16, 16))
    # a frame deleted after the list was read: raise names it; skip replaces the clip and reports it
    sk = build_dataset("ssv1", root, "val", num_segments=4, on_error="skip")
    first = Path(va.source.full_path(va.clips[0].path))
    os.unlink(first / "00002.jpg")
    with pytest.raises(MissingFrameError, match="00002.jpg"):
        va[0]
    s = sk[0]
    assert s["replaced"]
    check_eq((s["index"], s["label"].item()), (1, sk.clips[1].label))
    check_eq(sk.error_report().count, 1)
    assert "00002.jpg" in str(sk.error_report())


def test_build_dataset_reports_annotation_skips_and_notes(tmp_path):
    root = write_fixture("charades", tmp_path / "ch")
    (root / "Charades_v1_train.csv").write_text((root / "Charades_v1_train.csv").read_text() + "BAD00,x,y\n")
    ds = build_dataset("charades", root, "train", num_segments=4, size=16, on_error="skip")
    rep = str(ds.error_report())
    assert "1 annotation line(s) skipped" in rep and "Charades_v1_train.csv:6: expected 11 comma-separated fields" in rep
    assert "1 annotation note(s)" in rep and "R3V3S: action c000 0.60 0.20 ends before it starts" in rep


def test_extract_frames_cli(media, tmp_path, capsys):
    out = tmp_path / "frames"
    with pytest.raises(SystemExit) as e:          # garbage/truncated videos in the folder: exit status 1
        extract_frames_cli([str(media / "videos"), str(out), "--quiet", "--template", "img_{:05d}.jpg"])
    check_eq(e.value.code, 1)
    cap = capsys.readouterr()
    assert "FAILED" in cap.err and "garbage.mp4" in cap.err and "videos extracted" in cap.out
    check_eq(FrameFolder(out).num_frames("good0"), 32)
    assert (out / "good0" / "img_00001.jpg").is_file()
    check_eq(_frame_ids(FrameFolder(out).read("good3", [0, 31])), [0, 31])
