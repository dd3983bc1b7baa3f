"""The three cases of the released annotation files that once broke the readers, rebuilt at the scale of the
official files and in their exact format: EGTEA Gaze+ multi-noun split lines, Charades actions whose start is
after their end, THUMOS14's CliffDiving videos (all also Diving). Each test checks clip counts, class counts and
labels, in both `on_error` modes where it matters."""
import collections

import numpy as np
from fastcore.test import test_eq as check_eq   # aliased: pytest would collect a global named test_*

import vidattn_nb.data  # noqa: F401
from vidattn_nb.data.annotations import read_annotations
from vidattn_nb.data.readers_untrimmed import THUMOS14_CLASSES, frame_label_matrix


def test_egtea_multi_noun_lines_keep_every_class(tmp_path):
    # 20 actions; 8 of them (ids 13..20) act on two or three objects, so every line of theirs lists several nouns,
    # e.g. "P16-R03-BaconAndEggs-900612-902013-F021611-F021652 19 6 15 16" (~5% of the lines, 8 classes).
    a = tmp_path / "action_annotation"; a.mkdir()
    (a / "action_idx.txt").write_text("".join(f"Action number {k} {k}\n" for k in range(1, 21)))
    (a / "verb_idx.txt").write_text("".join(f"verb{k} {k}\n" for k in range(1, 11)))
    (a / "noun_idx.txt").write_text("".join(f"noun {k} {k}\n" for k in range(1, 31)))
    lines, want = [], collections.Counter()
    for i in range(200):
        act = 13 + (i // 10) % 8 if i % 10 == 0 else 1 + i % 12          # 20 multi-noun lines over the 8 actions
        nouns = [1 + i % 30] + ([1 + (i + 7) % 30] + ([1 + (i + 11) % 30] if act % 2 else []) if act >= 13 else [])
        lines.append(f"P{i % 30:02d}-R01-Recipe-{1000 * i}-{1000 * i + 900}-F{30 * i:06d}-F{30 * i + 27:06d} {act} {1 + act % 10} "
                     + " ".join(map(str, nouns)))
        want[act - 1] += 1
    (a / "train_split1.txt").write_text("\n".join(lines) + "\n")
    multi = {int(l.split()[1]) for l in lines if len(l.split()) > 4}
    check_eq((len(multi), sum(len(l.split()) > 4 for l in lines)), (8, 20))
    for mode in ("raise", "skip"):
        cl = read_annotations("egtea", tmp_path, "train", on_error=mode)
        check_eq((len(cl), cl.skipped, cl.num_classes, cl.class_counts()), (200, [], 20, want))
    for line, r in zip(lines, cl):
        t = line.split()
        check_eq((r.label, r.extra["verb"], r.extra["nouns"], r.extra["noun"]),
                (int(t[1]) - 1, int(t[2]) - 1, tuple(int(x) - 1 for x in t[3:]), int(t[3]) - 1))


_HDR = "id,subject,scene,quality,relevance,verified,script,objects,descriptions,actions,length\n"


def _localize_gt(actions, length, k=25):
    "Charades_v1_localize.m's ground truth: time point (j-1)/k*length carries class c when start <= t <= end."
    out = np.zeros((k, 4), np.uint8)
    for j in range(k):
        t = j / k * length
        for c, a, b in actions:
            if a <= t <= b: out[j, c] = 1
    return out


def test_charades_reversed_intervals_as_released(tmp_path):
    (tmp_path / "Charades_v1_classes.txt").write_text("c000 Holding some clothes\nc001 Putting clothes somewhere\n"
                                                       "c002 Taking some clothes from somewhere\nc003 Throwing clothes somewhere\n")
    # 7 reversed actions in 4 videos (as in the released train CSV), among 3 ordinary videos; length 1.0 s
    acts = {"AAAA1": "c000 0.80 0.20;c001 0.00 0.50", "AAAA2": "c002 0.90 0.10;c003 0.70 0.40;c001 0.20 0.60",
            "AAAA3": "c003 1.00 0.00", "AAAA4": "c000 0.50 0.30;c002 0.60 0.20;c001 0.40 0.10",
            "BBBB1": "c000 0.00 0.40", "BBBB2": "", "BBBB3": "c002 0.24 0.72;c003 0.00 1.00"}
    (tmp_path / "Charades_v1_train.csv").write_text(_HDR + "".join(f"{v},S,Room,5,5,Yes,x,y,z,{a},1.00\n" for v, a in acts.items()))
    for mode in ("raise", "skip"):
        cl = read_annotations("charades", tmp_path, "train", on_error=mode, fps=25)
        check_eq((len(cl), cl.skipped, cl.meta["reversed_actions"], len(cl.notes)), (7, [], 7, 7))
    check_eq(sorted({n[1] for n in cl.notes}), [2, 3, 4, 5])                   # the 4 videos' lines
    check_eq([r.label for r in cl], [(0, 1), (1, 2, 3), (3,), (0, 1, 2), (0,), (), (2, 3)])      # video level: every class
    check_eq(cl.class_counts(), {0: 3, 1: 3, 2: 3, 3: 3})
    for r in cl:                                                                # frame level: the official rule, frame by frame
        check_eq(frame_label_matrix(r, 4, num_frames=25), _localize_gt(r.extra["actions"], 1.0))
    check_eq(int(frame_label_matrix(cl[2], 4, num_frames=25).sum()), 0)        # only a reversed action: no frame label


def _thumos(root, split, n_videos, n_cliff, seed):
    d = root / ("TH14_Temporal_annotations_validation/annotation" if split == "val"
                else "TH14_Temporal_Annotations_Test/annotations/annotation")
    d.mkdir(parents=True)
    pre = "video_validation_" if split == "val" else "video_test_"
    rng, seg = np.random.default_rng(seed), collections.defaultdict(list)
    others = [c for c in THUMOS14_CLASSES if c not in ("CliffDiving", "Diving")]
    for i in range(n_videos):
        v = f"{pre}{i + 1:07d}"
        classes = ["CliffDiving", "Diving"] if i < n_cliff else ["Diving"] if i < n_cliff + 5 else [others[i % len(others)]]
        if i % 10 == 3 and i >= n_cliff + 5: classes.append(others[(i + 3) % len(others)])    # a few other two-class videos
        for c in classes:
            for _ in range(int(rng.integers(1, 4))):
                a = float(rng.uniform(0, 100)); seg[c].append(f"{v} {a:.1f} {a + float(rng.uniform(1, 9)):.1f}")
    for c in THUMOS14_CLASSES: (d / f"{c}_{split}.txt").write_text("".join(l + "\n" for l in seg[c]))
    (d / f"Ambiguous_{split}.txt").write_text(f"{pre}0000001 0.0 1.0\n")


def test_thumos14_keeps_all_20_classes(tmp_path):
    for split, n, cliff in (("val", 200, 27), ("test", 212, 34)):
        _thumos(tmp_path, split, n, cliff, seed=len(split))
        cl = read_annotations("thumos14", tmp_path, split)
        counts = cl.class_counts()
        check_eq((len(cl), cl.multilabel, cl.skipped, len(counts)), (n, True, [], 20))
        check_eq((counts[THUMOS14_CLASSES.index("CliffDiving")], counts[THUMOS14_CLASSES.index("Diving")]), (cliff, cliff + 5))
        check_eq(all(isinstance(r.label, tuple) and r.label == tuple(sorted({c for c, _, _ in r.extra["segments"]})) for r in cl), True)
        multi = sum(len(r.label) > 1 for r in cl)
        dr = read_annotations("thumos14", tmp_path, split, multi_class="drop")
        check_eq((len(dr), len(dr.skipped), dr.meta["dropped_multiclass"][:1]), (n - multi, multi, ["video_" + ("validation" if split == "val" else "test") + "_0000001"]))
        check_eq(sum("(CliffDiving, Diving): dropped by multi_class='drop'" in s[2] for s in dr.skipped), cliff)
        check_eq([n_[2] for n_ in dr.notes], [f"multi_class='drop' leaves class CliffDiving with no video in the {split} split"])
        check_eq((THUMOS14_CLASSES.index("CliffDiving") in dr.class_counts(), len(dr.class_counts())), (False, 19))
