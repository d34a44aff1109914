"""Causal data fusion: observational data narrows the candidate graphs, experiments finish the job.

Three parts, one per question of lesson 08.

**What does observation tell us?**  With ideal data, observing a system reveals
the Markov equivalence class of its causal DAG: the DAGs with the same skeleton
and v-structures, drawn as a CPDAG whose undirected edges are the ones
observation cannot orient.  :func:`oracle_cpdag` runs the PC algorithm (pgmpy)
with an exact conditional-independence oracle (d-separation in the true graph);
:func:`learn_cpdag` runs it on samples, where the tests can err.

**How many experiments are still needed?**  The exact small-n analysis
(:func:`experiment_analysis`) and an adaptive, greedy chooser of experiments on
a CPDAG (:func:`greedy_experiment`, :func:`adaptive_experiments`).

(the ideal model of the exact analysis is described in :mod:`.experiment_design`).

**How should two kinds of data be combined to estimate an effect?**  A large
confounded observational study plus a small randomized trial of the same
treatment (:func:`fusion_scm`, :func:`simulate_estimators`,
:func:`compare_estimators`).

The three parts are the modules :mod:`.observation`, :mod:`.experiment_design` and
:mod:`.estimation`; every name is importable from here.

>>> experiment_analysis(3, observational=False).expected, experiment_analysis(3).expected
(1.88, 1.0)
"""

from __future__ import annotations

from . import observation, experiment_design, estimation
from .observation import *  # noqa: F403  (the names in observation.__all__)
from .experiment_design import *  # noqa: F403  (the names in experiment_design.__all__)
from .estimation import *  # noqa: F403  (the names in estimation.__all__)

__all__ = [*observation.__all__, *experiment_design.__all__, *estimation.__all__]
