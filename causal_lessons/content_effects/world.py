"""The world of lesson 11: named things, the causal links between them, and what is *believable*.

A reasoning problem is *believable* when its conclusion, "X causes Z", is true
in this world: when a chain of links leads from X to Z (the world's causal
graph is a DAG, and "causes" is read as "is an ancestor of").  Belief is
decided by the world alone, never by a problem's premises.

The links are written to be plausible to a reader (rain makes streets wet, wet
streets make people slip), so that a student can feel the pull of belief; the
language model sees only token ids, and for it the world is whatever its
training text says.

>>> w = default_world()
>>> w.believable("rain", "injuries"), w.believable("injuries", "rain")
(True, False)
>>> len(w.things), len(w.links), w.n_facts
(33, 31, 76)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from .._validate import check_name

__all__ = ["WORLD_LINKS", "World", "default_world"]

#: The direct causal links of lesson 11's world, (cause, effect), one word per thing.
WORLD_LINKS = (
    ("clouds", "rain"), ("rain", "wet-streets"), ("rain", "umbrellas"), ("rain", "floods"),
    ("wet-streets", "slips"), ("winter", "cold"), ("cold", "ice"), ("ice", "slips"), ("winter", "flu"),
    ("slips", "injuries"), ("injuries", "hospital-visits"), ("flu", "fever"), ("flu", "absences"),
    ("fever", "hospital-visits"), ("floods", "damage"), ("damage", "repair-bills"),
    ("sun", "heat"), ("sun", "sunburn"), ("heat", "thirst"), ("heat", "drought"), ("drought", "wildfires"),
    ("drought", "crop-failure"), ("crop-failure", "food-prices"), ("food-prices", "hunger"),
    ("smoking", "cancer"), ("cancer", "hospital-visits"), ("exercise", "fitness"), ("exercise", "thirst"),
    ("fitness", "longevity"), ("studying", "knowledge"), ("knowledge", "good-grades"),
)


@dataclass(frozen=True)
class World:
    """A world: its ``things`` (one word each) and direct causal ``links``; ``facts[i, j]`` says whether
    thing i causes thing j (a chain of links leads from i to j).

    >>> w = World(["a", "b", "c"], [("a", "b"), ("b", "c")])
    >>> w.believable("a", "c"), w.believable("c", "a"), w.n_facts
    (True, False, 3)
    """

    things: tuple[str, ...]
    links: tuple[tuple[str, str], ...]
    facts: np.ndarray = field(init=False, repr=False, compare=False)

    def __init__(self, things: Iterable[str], links: Iterable[Sequence[str]]):
        things = tuple(things)
        for k, thing in enumerate(things):
            check_name(thing, f"things[{k}]")
            if " " in thing:
                raise ValueError(f"things[{k}] must be one word (no spaces, use hyphens), got {thing!r}.")
        if len(set(things)) != len(things) or len(things) < 3:
            raise ValueError(f"things must be at least 3 different words, got {len(things)} "
                             f"({len(set(things))} different).")
        index = {t: i for i, t in enumerate(things)}
        pairs = []
        for k, link in enumerate(links):
            if isinstance(link, str) or len(link) != 2 or any(x not in index for x in link) or link[0] == link[1]:
                raise ValueError(f"links[{k}] must be a (cause, effect) pair of two different things of the world, "
                                 f"got {link!r}.")
            pairs.append((link[0], link[1]))
        reach = np.zeros((len(things), len(things)), bool)
        for cause, effect in pairs:
            reach[index[cause], index[effect]] = True
        for _ in range(len(things)):                                 # transitive closure
            grown = reach | ((reach.astype(np.int64) @ reach.astype(np.int64)) > 0)
            if (grown == reach).all():
                break
            reach = grown
        if np.diag(reach).any():
            raise ValueError("links must not form a cycle: in lesson 11's world nothing causes itself.")
        object.__setattr__(self, "things", things)
        object.__setattr__(self, "links", tuple(pairs))
        object.__setattr__(self, "facts", reach)
        object.__setattr__(self, "_index", index)

    def index(self, thing: Any, name: str = "thing") -> int:
        """The position of ``thing`` in :attr:`things` (a clear KeyError for an unknown word)."""
        check_name(thing, name)
        if thing not in self._index:
            raise KeyError(f"{name}: {thing!r} is not a thing of this world; the things are "
                           f"{', '.join(self.things)}.")
        return self._index[thing]

    def believable(self, cause: Any, effect: Any) -> bool:
        """Whether "cause causes effect" is true in this world (a chain of links leads from cause to effect)."""
        return bool(self.facts[self.index(cause, "cause"), self.index(effect, "effect")])

    @property
    def n_facts(self) -> int:
        """How many ordered pairs (X, Z) make "X causes Z" true."""
        return int(self.facts.sum())

    def fact_pairs(self) -> list[tuple[str, str]]:
        """Every true statement "X causes Z" as a (cause, effect) pair, sorted."""
        return sorted((self.things[i], self.things[j]) for i, j in zip(*np.nonzero(self.facts)))


@lru_cache(maxsize=1)
def default_world() -> World:
    """Lesson 11's world: the things named in :data:`WORLD_LINKS`, in order of first mention, and those links."""
    things = list(dict.fromkeys(t for link in WORLD_LINKS for t in link))
    return World(things, WORLD_LINKS)
