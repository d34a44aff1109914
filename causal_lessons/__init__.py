"""causal_lessons: the helper package of the causal-lessons course.

Modules are named after the course's concepts: :mod:`~causal_lessons.graphs`,
:mod:`~causal_lessons.scm`, :mod:`~causal_lessons.plotting`,
:mod:`~causal_lessons.exercises`, :mod:`~causal_lessons.widgets`, and the modules
the later lessons add (environment, strategies, agents, training, imitation,
fusion, blickets).  Importing the package is quick: torch and pgmpy are
imported only by the functions that need them.
"""

from .scm import SCM, LinearGaussianSCM

__version__ = "0.1.0"
__all__ = ["LinearGaussianSCM", "SCM", "__version__"]
