"""Content effects (lesson 11, part 1): a soft reasoner trained on natural text lets belief sway its logic.

People judge an argument's logic by whether its conclusion is believable
(*belief bias*: Evans, Barston & Pollard 1983), and so do language models
(Dasgupta et al. 2022).  This package measures the effect in lesson 06's small
language model trained on text about a small world, shows when leaning on
belief pays (on natural text, whose premises are often left out or garbled),
and what removes it (training data where belief and logic conflict; an exact
logic tool the model defers to).

Modules: :mod:`.world` (things, causal links, what is believable),
:mod:`.problems` (everyday and arbitrary problems, the exact logic tool),
:mod:`.reasoner` (the language model trained on text about the world),
:mod:`.measures` (accuracy per cell, the belief-bias index, deferring to the tool),
:mod:`.recipes` (the experiment's recipe, test sets and shipped model) and
:mod:`.over_seeds` (the shipped results over training seeds, and the lesson's figures).
Every name is importable from here.

>>> p = parse_problem("winter causes cold . winter causes ice . so cold causes ice")
>>> bool(logic_tool(p)[0]), bool(p.believable[0])
(False, True)
"""

from __future__ import annotations

from . import measures, over_seeds, problems, reasoner, recipes, world
from .problems import *  # noqa: F403
from .reasoner import *  # noqa: F403
from .measures import *  # noqa: F403
from .recipes import *  # noqa: F403
from .over_seeds import *  # noqa: F403
from .world import *  # noqa: F403

__all__ = [*world.__all__, *problems.__all__, *reasoner.__all__, *measures.__all__, *recipes.__all__, *over_seeds.__all__]
