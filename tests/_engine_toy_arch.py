"""Registers the test network `Toy3d` (tests/_engine_toy.py) as arch 'toy3d', backbone 'tiny': a plugin that the
engine's training processes import through `TrainConfig.imports=["_engine_toy_arch"]`."""
from vidattn_nb.models import ArchSpec, register_arch
from _engine_toy import Toy3d


def _build(num_classes, num_segments, dropout, pretrained):
    return Toy3d(num_classes, dropout)


register_arch(ArchSpec("toy3d", {"tiny": _build}, {"tiny": ("toy3d",)}, "test network of tests/_engine_toy.py"), replace=True)
