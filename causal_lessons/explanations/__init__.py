"""Explanations and a quality signal: two ways to change what a passive learner generalizes (lesson 05).

**Explanations as extra prediction targets** (after Lampinen et al. 2022, 2023).
Besides the expert's next action, an *explaining* agent predicts an
explanation of what it saw: at each experiment, which variables the
intervention moved (down, not at all, up); at the exploit, *why this choice*:
how strongly, and in which direction, the goal responded to each of the
episode's experiments.  The test is a **perfectly confounded** training
distribution: in every training episode the best variable to intervene on is
also the goal's *shortcut partner*, the variable named just before it (A for
goal B, B for C, ..., E for A; see :data:`SHORTCUT_PAIRS`).  Two rules explain
every expert choice equally well, "exploit the experiment that moved the goal
most" (causal) and "exploit the variable named before the goal" (shortcut).
The de-confounded test (:func:`deconfounded_episodes`) separates them: the
unique best variable is never the partner.

**Conditioning on a quality signal** (after Chen et al. 2021, Srivastava et
al. 2019, Kumar et al. 2019).  Training data mix expert episodes with
lower-quality ones (half associational, half random, from the generator).  A
*conditioned* agent reads a quality token in its start token (one of
:data:`QUALITY_LEVELS`): either the strategy that played the episode
(``label="strategy"``: a label of *how* it was played) or the share of the best
possible reward it earned (``label="return"``: *how it turned out*).  At test
time one asks it for a quality (:func:`asking`).  :func:`mixture_first_step`
and :func:`greedy_flip_share` give the exact first-move probabilities of the
mixture, which plain behaviour cloning learns and greedy play turns into a
single move.

The two parts are :mod:`.confounding` and :mod:`.quality`; every name is importable from
here.  Torch and matplotlib are imported inside the functions that need them.

>>> sorted(shortcut_partner([1, 0], n_vars=5).tolist())
[0, 4]
>>> round(greedy_flip_share(), 4)
0.2857
"""

from __future__ import annotations

from . import confounding, quality
from .confounding import *  # noqa: F403  (the names in confounding.__all__)
from .quality import *  # noqa: F403  (the names in quality.__all__)

__all__ = [*confounding.__all__, *quality.__all__]
