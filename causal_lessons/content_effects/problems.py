"""Reasoning problems about the world: everyday arguments, arbitrary arguments, and the exact logic tool.

A problem is a few *premises* ("rain causes wet-streets") and a *conclusion*
("so rain causes slips"); the question is whether the conclusion follows.  It
**follows** from premises when a chain of premises leads from the conclusion's
cause to its effect (causation read as transitive): that is decided by the
premises alone, and :func:`logic_tool` decides it exactly.  A problem is
**believable** when its conclusion is true in the world
(:class:`~causal_lessons.content_effects.world.World`), decided by the world alone.

Every argument has one of five shapes (:data:`FORMS`), named by its two premises
and conclusion "X causes Z": a *chain* X->Y, Y->Z (it follows); a *fork*
Y->X, Y->Z (a common cause); a *collider* X->Y, Z->Y (a common effect); a
*reversed* chain Z->Y, Y->X; a *broken* chain X->Y, W->Z.  A *distractor* premise
may be added, and the premises are shuffled.

Two kinds of problems (:data:`KINDS`):

* **everyday** (:func:`everyday_problems`): premises that are true in the world, as
  in natural text; half the arguments are chains.  Everyday text is also
  untidy: a premise may be left out because everyone knows it (*missing*), or
  come out wrong (*garbled*: one thing replaced by another).  The right answer
  is whether the argument its writer made follows, before the damage.  A valid
  everyday argument always has a believable conclusion (true premises, chained):
  that holds by construction.
* **arbitrary** (:func:`arbitrary_problems`): premises about any things, true or
  not, intact, balanced over the four *cells* (:data:`CELLS`): follows or not,
  believable or not.  Belief and logic agree in two cells and conflict in two.

>>> p = arbitrary_problems(8, seed=0)
>>> p.cell_counts()
{'valid-believable': 2, 'valid-unbelievable': 2, 'invalid-believable': 2, 'invalid-unbelievable': 2}
>>> bool((logic_tool(p) == p.label).all())        # intact problems: the right answer is the tool's, exactly
True
>>> parse_problem("rain causes wet-streets . wet-streets causes slips . so rain causes slips").text(0)
'rain causes wet-streets . wet-streets causes slips . so rain causes slips ?'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from .._validate import check_count, check_probability, check_seed
from .world import World, default_world

__all__ = [
    "FORMS",
    "KINDS",
    "CELLS",
    "DAMAGE",
    "MAX_PREMISES",
    "Problems",
    "check_problems",
    "logic_tool",
    "everyday_problems",
    "arbitrary_problems",
    "parse_problem",
    "concat_problems",
]

#: The shapes of argument: the chain is the only one whose conclusion follows.
FORMS = ("chain", "fork", "collider", "reversed", "broken")
#: Everyday problems (true premises, sometimes damaged) and arbitrary ones (any premises, intact).
KINDS = ("everyday", "arbitrary")
#: The four cells: follows or not x believable or not (in this order).
CELLS = ("valid-believable", "valid-unbelievable", "invalid-believable", "invalid-unbelievable")
#: What happened to an everyday argument's premises: nothing, one left out, or one thing replaced.
DAMAGE = ("intact", "missing", "garbled")
#: The most premises a problem shows: the argument's two and one distractor.
MAX_PREMISES = 3


@dataclass(frozen=True)
class Problems:
    """A batch of reasoning problems (numpy arrays, one row per problem).

    ``premises`` (B, 3, 2): the shown premises as (cause, effect) thing indices,
    rows of -1 after the last one; ``conclusion`` (B, 2); ``label`` (B,): the right
    answer (True: the conclusion follows from the argument as it was made);
    ``kind``, ``damage`` and ``form``: indices into :data:`KINDS`, :data:`DAMAGE`
    and :data:`FORMS`; ``world``: the world whose things the indices name.
    """

    premises: np.ndarray
    conclusion: np.ndarray
    label: np.ndarray
    kind: np.ndarray
    damage: np.ndarray
    form: np.ndarray
    world: World = field(default_factory=default_world)

    def __len__(self) -> int:
        return len(self.label)

    @property
    def believable(self) -> np.ndarray:
        """(B,) whether each conclusion is true in the world (decided by the world alone)."""
        return self.world.facts[self.conclusion[:, 0], self.conclusion[:, 1]]

    @property
    def cell(self) -> np.ndarray:
        """(B,) each problem's index in :data:`CELLS`, from its right answer and its conclusion's belief."""
        return 2 * (~self.label).astype(np.int64) + (~self.believable).astype(np.int64)

    @property
    def congruent(self) -> np.ndarray:
        """(B,) whether belief and the right answer agree (believable and follows, or neither)."""
        return self.label == self.believable

    def cell_counts(self) -> dict[str, int]:
        """How many problems fall in each of :data:`CELLS`."""
        counts = np.bincount(self.cell, minlength=4)
        return {name: int(c) for name, c in zip(CELLS, counts)}

    def subset(self, rows: Any) -> Problems:
        """The problems at ``rows`` (a boolean mask or indices)."""
        rows = np.asarray(rows)
        return Problems(self.premises[rows], self.conclusion[rows], self.label[rows], self.kind[rows],
                        self.damage[rows], self.form[rows], self.world)

    def text(self, i: int, *, answer: bool = False) -> str:
        """Problem ``i`` as text: its premises, its conclusion and "?" (with ``answer``: and the right answer)."""
        if not 0 <= int(i) < len(self):
            raise IndexError(f"i must be from 0 to {len(self) - 1}, got {i}.")
        things = self.world.things
        words = [f"{things[c]} causes {things[e]} ." for c, e in self.premises[i] if c >= 0]
        c, e = self.conclusion[i]
        words.append(f"so {things[c]} causes {things[e]} ?")
        if answer:
            words.append("valid" if self.label[i] else "invalid")
        return " ".join(words)


def check_problems(problems: Any, name: str = "problems") -> Problems:
    """``problems`` if it is a :class:`Problems` batch, else a clear TypeError."""
    if not isinstance(problems, Problems):
        raise TypeError(f"{name} must be Problems (from everyday_problems, arbitrary_problems or parse_problem), "
                        f"got {type(problems).__name__}.")
    return problems


def _follows(premises: np.ndarray, conclusion: np.ndarray) -> np.ndarray:
    """(B,) whether a chain of the premises leads from each conclusion's cause to its effect."""
    cause, effect = premises[..., 0], premises[..., 1]               # (B, P); -1 for no premise
    present = cause >= 0
    reached = present & (cause == conclusion[:, :1])                 # premises whose cause is X
    links = (effect[:, :, None] == cause[:, None, :]) & present[:, :, None] & present[:, None, :]
    for _ in range(premises.shape[1]):                               # premises reachable through chains
        reached = reached | (reached[:, :, None] & links).any(1)
    return (reached & (effect == conclusion[:, 1:])).any(1)


def logic_tool(problems: Problems | str) -> np.ndarray | bool:
    """The exact logic tool: whether each conclusion follows from the premises *shown* (a chain of them leads
    from its cause to its effect).  It reads the premises only, never the world.

    A text (as :func:`parse_problem` reads it) gives one True or False.

    >>> logic_tool("rain causes ice . ice causes floods . so rain causes floods")
    True
    >>> logic_tool("winter causes cold . winter causes ice . so cold causes ice")
    False
    """
    if isinstance(problems, str):
        return bool(_follows(*_arrays(parse_problem(problems)))[0])
    return _follows(*_arrays(check_problems(problems)))


def _arrays(problems: Problems) -> tuple[np.ndarray, np.ndarray]:
    return problems.premises, problems.conclusion


@lru_cache(maxsize=4)
def _shapes(world: World) -> dict[str, np.ndarray]:
    """Every everyday argument of each form in ``world``: rows of (premise 1, premise 2, conclusion) indices."""
    facts = world.facts
    x, y, z = np.nonzero(facts[:, :, None] & facts[None, :, :])                        # X->Y->Z
    forks = np.nonzero(facts.T[:, :, None] & facts[None, :, :])                         # Y->X, Y->Z
    fx, fy, fz = forks[0], forks[1], forks[2]
    keep = fx != fz
    colliders = np.nonzero(facts[:, :, None] & facts.T[None, :, :])                    # X->Y, Z->Y
    cx, cy, cz = colliders
    keep_c = cx != cz
    pairs = np.argwhere(facts)
    a, b = np.meshgrid(np.arange(len(pairs)), np.arange(len(pairs)), indexing="ij")
    p, q = pairs[a.ravel()], pairs[b.ravel()]
    distinct = np.array([len({u, v, s, t}) == 4 for (u, v), (s, t) in zip(p, q)])      # X->Y, W->Z
    p, q = p[distinct], q[distinct]

    def rows(first, second, conclusion):
        return np.stack([np.stack(first, 1), np.stack(second, 1), np.stack(conclusion, 1)], 1)

    return {
        "chain": rows((x, y), (y, z), (x, z)),
        "fork": rows((fy[keep], fx[keep]), (fy[keep], fz[keep]), (fx[keep], fz[keep])),
        "collider": rows((cx[keep_c], cy[keep_c]), (cz[keep_c], cy[keep_c]), (cx[keep_c], cz[keep_c])),
        "reversed": rows((x, y), (y, z), (z, x)),
        "broken": rows((p[:, 0], p[:, 1]), (q[:, 0], q[:, 1]), (p[:, 0], q[:, 1])),
    }


def _assemble(rng: np.random.Generator, two: np.ndarray, distractor: np.ndarray, conclusion: np.ndarray,
              form: np.ndarray, kind: int, world: World) -> Problems:
    """Problems from the argument's two premises (B, 2, 2), an optional distractor (B, 2; -1 for none) and the
    conclusion: the premises shuffled, the right answer from the full argument."""
    size = len(two)
    premises = np.concatenate([two, distractor[:, None, :]], axis=1)
    label = _follows(premises, conclusion)
    return Problems(_shuffled(rng, premises), conclusion, label, np.full(size, kind, np.int64),
                    np.zeros(size, np.int64), form.astype(np.int64), world)


def _shuffled(rng: np.random.Generator, premises: np.ndarray) -> np.ndarray:
    """The premises of each problem in a random order, absent ones (-1) moved to the end."""
    keys = rng.random(premises.shape[:2]) + 2.0 * (premises[..., 0] < 0)
    order = np.argsort(keys, axis=1)
    return np.take_along_axis(premises, order[:, :, None], axis=1)


def _check_world(world: Any) -> World:
    if world is None:
        return default_world()
    if not isinstance(world, World):
        raise TypeError(f"world must be a World (or None for lesson 11's world), got {type(world).__name__}.")
    return world


def everyday_problems(n: int, *, seed: int | None = 0, missing: float = 0.2, garbled: float = 0.1,
                      distractor_rate: float = 0.5, world: World | None = None) -> Problems:
    """``n`` everyday problems: every premise true in the world, the argument a chain half the time (the other
    half a fork, collider, reversed or broken chain, equally often), a true distractor premise with probability
    ``distractor_rate``.  Then, as in untidy natural text, one of the argument's two premises is left out with
    probability ``missing``, or (with probability ``garbled``) one of its things is replaced by another thing.
    The right answer (``label``) is whether the argument as made follows, before the damage.

    >>> p = everyday_problems(1000, seed=1)
    >>> bool(p.believable[p.label].all())         # a valid everyday argument has a believable conclusion
    True
    >>> round(float((p.damage == 1).mean()), 1)
    0.2
    """
    n = check_count(n, "n")
    missing = check_probability(missing, "missing")
    garbled = check_probability(garbled, "garbled")
    if missing + garbled > 1:
        raise ValueError(f"missing + garbled must be at most 1 (each problem is damaged at most once), "
                         f"got {missing:g} + {garbled:g}.")
    distractor_rate = check_probability(distractor_rate, "distractor_rate")
    world = _check_world(world)
    rng = np.random.default_rng(check_seed(seed))
    shapes = _shapes(world)
    form = np.where(rng.random(n) < 0.5, 0, rng.integers(1, len(FORMS), n))
    args = np.zeros((n, 3, 2), np.int64)
    for k, name in enumerate(FORMS):
        rows = np.flatnonzero(form == k)
        args[rows] = shapes[name][rng.integers(0, len(shapes[name]), len(rows))]
    facts = np.argwhere(world.facts)
    distractor = facts[rng.integers(0, len(facts), n)]
    distractor[rng.random(n) >= distractor_rate] = -1
    two, conclusion = args[:, :2].copy(), args[:, 2].copy()
    label = _follows(np.concatenate([two, distractor[:, None, :]], axis=1), conclusion)
    # the damage, to one of the argument's two premises
    draw = rng.random(n)
    damage = np.where(draw < missing, 1, np.where(draw < missing + garbled, 2, 0))
    which = rng.integers(0, 2, n)
    rows = np.flatnonzero(damage == 1)
    two[rows, which[rows]] = -1
    rows = np.flatnonzero(damage == 2)
    end = rng.integers(0, 2, len(rows))
    old = two[rows, which[rows], end]
    new = (old + rng.integers(1, len(world.things), len(rows))) % len(world.things)   # any other thing
    two[rows, which[rows], end] = new
    broken = two[rows, which[rows], 0] == two[rows, which[rows], 1]                  # "X causes X": pick again
    two[rows[broken], which[rows[broken]], end[broken]] = (new[broken] + 1) % len(world.things)
    premises = _shuffled(rng, np.concatenate([two, distractor[:, None, :]], axis=1))
    return Problems(premises, conclusion, label, np.zeros(n, np.int64), damage.astype(np.int64),
                    form.astype(np.int64), world)


def arbitrary_problems(n: int, *, seed: int | None = 0, distractor_rate: float = 0.5,
                       world: World | None = None) -> Problems:
    """``n`` arbitrary problems, as equal in number over the four :data:`CELLS` as ``n`` allows (the first cells
    get the remainder): premises about any things (true in the world or not), intact.

    The conclusion "X causes Z" is drawn among the world's true statements (believable cells) or the false ones;
    the argument is a chain (cells where it follows) or one of the four other forms, its other things drawn at
    random; a distractor about any two things is added with probability ``distractor_rate``.  Problems whose
    distractor happens to change whether the conclusion follows are drawn again, so each lands in its cell.

    >>> p = arbitrary_problems(400, seed=3)
    >>> sorted(set(p.cell_counts().values())), round(float(p.world.facts[p.premises[..., 0],
    ...                                                 p.premises[..., 1]][p.premises[..., 0] >= 0].mean()), 1)
    ([100], 0.1)
    """
    n = check_count(n, "n")
    distractor_rate = check_probability(distractor_rate, "distractor_rate")
    world = _check_world(world)
    rng = np.random.default_rng(check_seed(seed))
    n_things = len(world.things)
    true_pairs = np.argwhere(world.facts)
    false_pairs = np.argwhere(~world.facts & ~np.eye(n_things, dtype=bool))
    cell = np.repeat(np.arange(4), [n // 4 + (k < n % 4) for k in range(4)])
    valid, believable = cell < 2, cell % 2 == 0
    premises = np.zeros((n, 3, 2), np.int64)
    conclusion = np.zeros((n, 2), np.int64)
    form = np.zeros(n, np.int64)
    todo = np.arange(n)
    while todo.size:
        m = todo.size
        pick_true = true_pairs[rng.integers(0, len(true_pairs), m)]
        pick_false = false_pairs[rng.integers(0, len(false_pairs), m)]
        x, z = np.where(believable[todo, None], pick_true, pick_false).T
        shape = np.where(valid[todo], 0, rng.integers(1, len(FORMS), m))
        y, w = _other_things(rng, n_things, x, z)
        first = {0: (x, y), 1: (y, x), 2: (x, y), 3: (z, y), 4: (x, y)}
        second = {0: (y, z), 1: (y, z), 2: (z, y), 3: (y, x), 4: (w, z)}
        two = np.zeros((m, 2, 2), np.int64)
        for k in range(len(FORMS)):
            rows = shape == k
            two[rows, 0] = np.stack(first[k], 1)[rows]
            two[rows, 1] = np.stack(second[k], 1)[rows]
        distractor = rng.integers(0, n_things, (m, 2))
        distractor[:, 1] = (distractor[:, 0] + rng.integers(1, n_things, m)) % n_things
        distractor[rng.random(m) >= distractor_rate] = -1
        drafted = np.concatenate([two, distractor[:, None, :]], axis=1)
        ok = _follows(drafted, np.stack([x, z], 1)) == valid[todo]
        done = todo[ok]
        premises[done] = _shuffled(rng, drafted[ok])
        conclusion[done] = np.stack([x, z], 1)[ok]
        form[done] = shape[ok]
        todo = todo[~ok]
    return Problems(premises, conclusion, valid.copy(), np.ones(n, np.int64), np.zeros(n, np.int64), form, world)


def _other_things(rng: np.random.Generator, n_things: int, x: np.ndarray, z: np.ndarray):
    """Two random things per row, different from each other and from x and z (for the middle Y and the broken
    chain's W)."""
    m = len(x)
    y = rng.integers(0, n_things, m)
    w = rng.integers(0, n_things, m)
    bad = (y == x) | (y == z) | (w == x) | (w == z) | (w == y)
    while bad.any():
        k = int(bad.sum())
        y[bad] = rng.integers(0, n_things, k)
        w[bad] = rng.integers(0, n_things, k)
        bad = (y == x) | (y == z) | (w == x) | (w == z) | (w == y)
    return y, w


_PREMISE = re.compile(r"^\s*(\S+)\s+causes\s+(\S+)\s*$")


def parse_problem(text: Any, *, world: World | None = None, label: bool | None = None) -> Problems:
    """One problem from its text: premises "X causes Y", separated by full stops, then "so X causes Z" (a final
    "?" is optional).  Its ``label`` (right answer) is what :func:`logic_tool` says unless given: a problem
    written by hand is intact.  Errors say which part could not be read.

    >>> p = parse_problem("winter causes cold . winter causes ice . so cold causes ice ?")
    >>> bool(p.label[0]), bool(p.believable[0]), CELLS[p.cell[0]]
    (False, True, 'invalid-believable')
    """
    world = _check_world(world)
    if not isinstance(text, str):
        raise TypeError(f"text must be a problem written as a string, such as 'rain causes wet-streets . "
                        f"wet-streets causes slips . so rain causes slips', got {type(text).__name__}.")
    body = text.strip().rstrip("?").strip()
    head, sep, tail = body.rpartition(" so ")
    if not sep:
        raise ValueError("text: the conclusion must come last, after the word 'so' (e.g. '... . so rain causes "
                         "slips').")
    parts = [p for p in head.split(".") if p.strip()]
    if not 1 <= len(parts) <= MAX_PREMISES:
        raise ValueError(f"text: a problem has 1 to {MAX_PREMISES} premises separated by ' . ', got {len(parts)}.")
    pairs = []
    for k, part in enumerate(parts + [tail]):
        match = _PREMISE.match(part)
        what = "the conclusion" if k == len(parts) else f"premise {k + 1}"
        if match is None:
            raise ValueError(f"text: {what} must read 'X causes Y' with one word for each thing, got {part.strip()!r}.")
        cause, effect = match.groups()
        pairs.append((world.index(cause, f"{what}'s cause"), world.index(effect, f"{what}'s effect")))
        if cause == effect:
            raise ValueError(f"text: {what} says {cause!r} causes itself; name two different things.")
    premises = np.full((1, MAX_PREMISES, 2), -1, np.int64)
    premises[0, :len(parts)] = pairs[:-1]
    conclusion = np.array([pairs[-1]], np.int64)
    follows = _follows(premises, conclusion)
    answer = follows if label is None else np.array([bool(label)])
    return Problems(premises, conclusion, answer, np.ones(1, np.int64), np.zeros(1, np.int64),
                    np.full(1, -1, np.int64), world)


def concat_problems(*batches: Problems) -> Problems:
    """One batch of the problems of several (of the same world), in order."""
    if not batches:
        raise ValueError("concat_problems needs at least one batch of Problems.")
    for k, b in enumerate(batches):
        check_problems(b, f"batches[{k}]")
        if b.world != batches[0].world:
            raise ValueError(f"batches[{k}] is about another world; join problems of one world.")
    return Problems(*(np.concatenate([getattr(b, f) for b in batches]) for f in
                      ("premises", "conclusion", "label", "kind", "damage", "form")), batches[0].world)
