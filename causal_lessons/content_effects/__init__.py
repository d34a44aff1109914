"""Content effects (lesson 11, part 1): a soft reasoner, trained on natural text, judges logic by belief.

Modules: :mod:`.world` (things, causal links, what is believable),
:mod:`.problems` (everyday and arbitrary problems, the exact logic tool),
:mod:`.reasoner` (lesson 06's language model trained on text about the world).
"""

from __future__ import annotations

from . import measures, problems, reasoner, recipes, world
from .problems import *  # noqa: F403
from .reasoner import *  # noqa: F403
from .measures import *  # noqa: F403
from .recipes import *  # noqa: F403
from .world import *  # noqa: F403

__all__ = [*world.__all__, *problems.__all__, *reasoner.__all__, *measures.__all__, *recipes.__all__]
