"""Soft learners and logical tools (lesson 11, parts 2 and 3): a rigid solver, a soft learner and a learner
with an exact tool, in worlds that break the causal DAG game's assumptions.

* :mod:`~causal_lessons.soft_learners.worlds` -- the broken worlds (rules of the game, with a strength to dial);
* :mod:`~causal_lessons.soft_learners.players` -- the rigid solver, the effect tool, the teacher, playing a world;
* :mod:`~causal_lessons.soft_learners.learners` -- the soft learner and the tool user, and how they are trained;
* :mod:`~causal_lessons.soft_learners.measures` -- scores, how often a learner follows the tool, seed summaries;
* :mod:`~causal_lessons.soft_learners.results` -- sweeps over worlds, the shipped results, their figures.

The experiment that trains the learners over seeds and writes the shipped results is
``python -m causal_lessons.experiments.soft_learners train``.
"""

from __future__ import annotations

from . import learners, measures, players, results, worlds
from .learners import *  # noqa: F403  (the names in learners.__all__)
from .measures import *  # noqa: F403  (the names in measures.__all__)
from .players import *  # noqa: F403  (the names in players.__all__)
from .results import *  # noqa: F403  (the names in results.__all__)
from .worlds import *  # noqa: F403  (the names in worlds.__all__)

__all__ = [*worlds.__all__, *players.__all__, *learners.__all__, *measures.__all__, *results.__all__]
