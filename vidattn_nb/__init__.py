"""A Jupyter-first, reproducible companion to five papers on attention for video action recognition (W3, AIA, STA, Focused Attention, Where and When to Look).

Modules:

- `vidattn_nb.core`: Shared mechanics every other notebook uses: the one adapter between the public video layout `(N, C, T, H, W)` and the time-folded layout `(N*T, C, H, W)` of 2D hosts (TSN, TSM), the recording of attention maps, atomic writes of checkpoints and result files, seeding, and the README renderer."""

__version__ = "0.1.0"
