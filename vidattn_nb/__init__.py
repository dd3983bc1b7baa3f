"""A Jupyter-first, reproducible companion to five papers on attention for video action recognition (W3, AIA, STA, Focused Attention, Where and When to Look).

Modules:

- `vidattn_nb.attn_common`: Pooling to descriptors, the shared channel MLP and gating, written once for every paper's modules (AIA, W3, STA, CBAM, SE, GE, S3D-G, Non-local).
- `vidattn_nb.complexity`: `profile(model, frames, size)` → `{"params", "gflops"}` of one view, counted by fvcore, and the table of every backbone against the numbers the papers print.
- `vidattn_nb.core`: Shared mechanics every other notebook uses: the one adapter between the public video layout `(N, C, T, H, W)` and the time-folded layout `(N*T, C, H, W)` of 2D hosts (TSN, TSM), the recording of attention maps, atomic writes of checkpoints and result files, seeding, and the README renderer.
- `vidattn_nb.data.annotations`: One reader per dataset, from the files the dataset's authors distribute, into one internal clip list (`ClipList` of `ClipRecord`s); TSM/mmaction-style list files in and out; a console command.
- `vidattn_nb.insertion`: Puts any module factory into chosen stages/blocks of any backbone (2D with folded time, or 3D), at `after_bn2`, `after_bn3`, `block_output` (or `before_conv1`), and keeps the attention registry.
- `vidattn_nb.models`: One entry point for every network of the project: a host architecture (TSN, TSM, I3D, 3D ResNets), a backbone, and optionally an attention module from the registry, placed where its paper puts it.
- `vidattn_nb.resnet2d`: The 2D trunk of TSN, TSM, AIA, W3 and the "Where and When" frame features, and the source of I3D's inflated weights.
- `vidattn_nb.resnet3d`: The 3D hosts of the papers: the I3D ResNet-50 that W3 compares with (inflated from 2D ImageNet weights), the 3D ResNet-18 of W3's supplementary Table 8, and the 3D ResNeXt-101 32x4d of STA.
- `vidattn_nb.tsm`: `TSN`: a 2D ResNet applied to every frame, average consensus of the frame logits. `TSM`: the same network with a residual temporal shift before `conv1` of every block. Both are `VideoNet`s with input `(N, 3, T, H, W)` and output `(N, classes)`."""

__version__ = "0.1.0"
