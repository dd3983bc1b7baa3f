"""A Jupyter-first, reproducible companion to five papers on attention for video action recognition (W3, AIA, STA, Focused Attention, Where and When to Look).

Modules:

- `vidattn_nb.attn_aia`: Hao et al., *Attention in Attention: Modeling Context Correlation for Efficient Video Classification* (IEEE TCSVT 2022), §III, Eq. 1-15, Fig. 1-3, Table I.
- `vidattn_nb.attn_common`: Pooling to descriptors, the shared channel MLP and gating, written once for every paper's modules (AIA, W3, STA, CBAM, SE, GE, S3D-G, Non-local).
- `vidattn_nb.attn_sta`: Li et al., "Spatio-Temporal Attention Networks for Action Recognition and Detection" (IEEE TMM 2020), §III, Eq. 1-7, Fig. 2-3, Tables III, IV, VII-IX, Fig. 7. Registered as `"sta"`, `"ta"`, `"sa"`.
- `vidattn_nb.attn_w3`: Channel-temporal and spatio-temporal attention (W3 §3.1-3.2, Eq. 1-6), the Table 5 ablations, attention-guided feature refinement with its deep-supervision loss (§3.4, Eq. 7-8, Fig. 2) as a model-level option, and the mature-feature regularization loss (Eq. 9).
- `vidattn_nb.baselines_attention`: The two attention models W3 compares against in Table 6 (and Table 7 for CBAM): CBAM applied frame by frame in every block of TSM, and the Non-local block at TSM's NL placement.
- `vidattn_nb.baselines_gating`: The seven gating modules AIA compares against (Hao et al., TCSVT 2022, §IV-C, Fig. 4, Table I), each the 3D version of an image/video attention module.
- `vidattn_nb.complexity`: `profile(model, frames, size)` → `{"params", "gflops"}` of one view, counted by fvcore, and the table of every backbone against the numbers the papers print.
- `vidattn_nb.complexity_ops`: `profile_with_elementwise`: parameters and FLOPs of one view under three counting conventions (fvcore's default; + average pooling; + every element-wise/reduction op), and AIA Table I (parameters and FLOPs of TSN/TSM-ResNet-50 with AIA and its seven baselines) side by side with the paper.
- `vidattn_nb.complexity_w3`: Parameters and FLOPs of one view (1 clip, 1 centre crop 224²) of TSM-ResNet-50 with each attention model, under fvcore's convention and under one that also counts pooling and every element-wise op, next to the numbers W3 prints.
- `vidattn_nb.core`: Shared mechanics every other notebook uses: the one adapter between the public video layout `(N, C, T, H, W)` and the time-folded layout `(N*T, C, H, W)` of 2D hosts (TSN, TSM), the recording of attention maps, atomic writes of checkpoints and result files, seeding, and the README renderer.
- `vidattn_nb.data.annotations`: One reader per dataset, from the files the dataset's authors distribute, into one internal clip list (`ClipList` of `ClipRecord`s); TSM/mmaction-style list files in and out; a console command.
- `vidattn_nb.data.frames`: Read the frames a sampler asks for — and only those — from a folder of extracted JPEGs or from a video file, as one `uint8` array `(T, H, W, 3)`; extract frame folders from videos.
- `vidattn_nb.data.sampling`: Which frames a clip takes (TSN segments, dense clips), which crops a test view takes (centre-224, three full-resolution 256 crops, ten crops), and the training augmentation (TSN/TSM multi-scale crop + horizontal flip, off or label-swapping for direction-sensitive classes) — each applied to a whole clip at once as one tensor operation.
- `vidattn_nb.data.synthetic`: A generated video dataset, deterministic from a seed and quick to make, written in the Something-Something V1 on-disk layout: classes come in time-reversed pairs acted by a small object among distractors on cluttered backgrounds, so an order-blind model is capped near 50% on each pair and only temporal modelling (helped by finding the actor) separates them.
- `vidattn_nb.insertion`: Puts any module factory into chosen stages/blocks of any backbone (2D with folded time, or 3D), at `after_bn2`, `after_bn3`, `block_output` (or `before_conv1`), and keeps the attention registry.
- `vidattn_nb.models`: One entry point for every network of the project: a host architecture (TSN, TSM, I3D, 3D ResNets), a backbone, and optionally an attention module from the registry, placed where its paper puts it.
- `vidattn_nb.resnet2d`: The 2D trunk of TSN, TSM, AIA, W3 and the "Where and When" frame features, and the source of I3D's inflated weights.
- `vidattn_nb.resnet3d`: The 3D hosts of the papers: the I3D ResNet-50 that W3 compares with (inflated from 2D ImageNet weights), the 3D ResNet-18 of W3's supplementary Table 8, and the 3D ResNeXt-101 32x4d of STA.
- `vidattn_nb.tsm`: `TSN`: a 2D ResNet applied to every frame, average consensus of the frame logits. `TSM`: the same network with a residual temporal shift before `conv1` of every block. Both are `VideoNet`s with input `(N, 3, T, H, W)` and output `(N, classes)`."""

__version__ = "0.1.0"
