"""A Jupyter-first, reproducible companion to five papers on attention for video action recognition (W3, AIA, STA, Focused Attention, Where and When to Look).

Modules:

- `vidattn_nb.complexity.elementwise`: `profile_with_elementwise`: parameters and FLOPs of one view under three counting conventions (fvcore's default; + average pooling; + every element-wise/reduction op), and AIA Table I (parameters and FLOPs of TSN/TSM-ResNet-50 with AIA and its seven baselines) side by side with the paper.
- `vidattn_nb.core`: Mechanics every other notebook uses: the checked video layout `(N, C, T, H, W)` and its time-folded form `(N*T, C, H, W)`, atomic writes of checkpoints and result files, seeding, the `Registry` behind every name → entry table (attention modules, architectures, datasets), and the README renderer. Notebook `nbs/00_core.ipynb`.
- `vidattn_nb.data.sampling`: Which frames a clip takes (TSN segments, dense clips), which crops a test view takes (centre-224, three full-resolution 256 crops, ten crops), and the training augmentation (TSN/TSM multi-scale crop + horizontal flip, off or label-swapping for direction-sensitive classes) — each applied to a whole clip at once as one tensor operation.
- `vidattn_nb.data.synthetic`: A generated video dataset, deterministic from a seed and quick to make, written in the Something-Something V1 on-disk layout: classes come in time-reversed pairs acted by a small object among distractors on cluttered backgrounds, so an order-blind model is capped near 50% on each pair and only temporal modelling (helped by finding the actor) separates them.
- `vidattn_nb.models.base`: `VideoNet` (input `(N, 3, T, H, W)`, output logits), the clip context and the one adapter between the public video layout and the time-folded layout of 2D hosts, slotted residual blocks, the opt-in recording of attention maps, and the model protocol: `forward_outputs` → `ModelOutput` (logits plus named extras) and the loss terms a model brings (`LossTerm`, `training_loss`). Notebook `nbs/01_models_base.ipynb`."""

__version__ = "0.1.0"
