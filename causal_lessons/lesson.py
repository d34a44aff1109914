"""Set-up shared by every lesson: seeds, threads and the plotting style.

Each notebook starts with::

    from causal_lessons.lesson import setup
    rng = setup(seed=0)              # or setup(seed=0, torch=True) in lessons that train models

so that two executions print the same numbers and a lesson uses one CPU core,
as it would on a Binder pod.
"""

from __future__ import annotations

import random

import numpy as np

from ._validate import check_seed
from .plotting import use_course_style

__all__ = ["setup", "seed_everything"]


def seed_everything(seed: int, *, torch: bool = False) -> np.random.Generator:
    """Seed Python's and numpy's global generators (and torch's, if asked); return a fresh Generator."""
    seed = check_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    if torch:
        import torch as _torch

        _torch.manual_seed(seed)
    return np.random.default_rng(seed)


def setup(seed: int = 0, *, torch: bool = False, pgmpy: bool = False, threads: int = 1) -> np.random.Generator:
    """Prepare a lesson: seeds, the course plotting style, and optionally torch and pgmpy.

    ``torch=True`` imports torch and makes it use ``threads`` thread(s) (one, as on a
    Binder pod).  ``pgmpy=True`` imports pgmpy quietly (see :mod:`causal_lessons._pgmpy`),
    so that the lesson can then ``from pgmpy... import ...`` without warnings.
    Returns a seeded ``numpy.random.Generator`` for the lesson's own draws.
    """
    use_course_style()
    if pgmpy:
        from ._pgmpy import load

        load()
    if torch:
        import torch as _torch

        _torch.set_num_threads(threads)
    return seed_everything(seed, torch=torch)
