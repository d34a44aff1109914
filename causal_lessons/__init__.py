"""causal_lessons: the helper package of the causal-lessons course.

Modules are named after the course's concepts: :mod:`~causal_lessons.graphs`,
:mod:`~causal_lessons.scm`, :mod:`~causal_lessons.plotting`,
:mod:`~causal_lessons.exercises`, :mod:`~causal_lessons.widgets`, and the modules
the later lessons add (game, environment, strategies, agents, training, heldout,
explanations, language_agents, imitation, fusion, blickets, generalization); the
command-line experiments are in :mod:`~causal_lessons.experiments`.  Importing the
package is instant: submodules, and the heavy libraries they use (pandas, torch,
pgmpy), load on first use.

>>> import causal_lessons
>>> causal_lessons.LinearGaussianSCM({("X", "Y"): 2.0}).total_effect("X", "Y")
2.0
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["LinearGaussianSCM", "SCM", "__version__"]

_LAZY = {"LinearGaussianSCM": "scm", "SCM": "scm"}

if TYPE_CHECKING:  # pragma: no cover
    from .scm import SCM, LinearGaussianSCM


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'causal_lessons' has no attribute {name!r}")
