"""Held-out causal links and experiment sets: the training distribution and the test sets of lessons 04-06.

After Lampinen, Chan, Dasgupta, Nam & Wang (NeurIPS 2023): agents are trained
on expert episodes of the causal DAG game in which some causal links and some
experiment sets never occur, and tested actively on exactly those.

* :data:`HELDOUT_LINKS`: in training A never affects E and C never affects B
  (``heldout_mode="strict"``: the pair's *total* effect is exactly 0;
  ``"direct"``: only the direct edge is missing); the ``"links"`` test episodes
  have E or B as goal with A or C as the unique best choice.
* :data:`HELDOUT_SETS`: variable sets the expert is never restricted to in
  training (:func:`training_sets` lists the ones it is); the ``"sets"`` test
  episodes restrict it to them.

:func:`training_sampler` is the training distribution (for
:func:`causal_lessons.training.train`); :func:`evaluation_episodes` the test
sets, the same episodes for every strategy; :func:`strategy_rewards` a
strategy's expected rewards on them.  The experiments of
:mod:`causal_lessons.experiments.passive_agents` and the language models of
:mod:`causal_lessons.language_agents` use them.

>>> links_for(4), len(training_sets(5))
([('C', 'B')], 11)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import graphs
from ._validate import check_count, check_seed
from .environment import generate_episodes
from .game import EpisodeBatch
from .training import expected_reward

__all__ = [
    "HELDOUT_LINKS",
    "HELDOUT_SETS",
    "TEST_KINDS",
    "links_for",
    "training_sets",
    "training_sampler",
    "evaluation_episodes",
    "strategy_rewards",
]

#: Causal links (source, target) held out of training: A never affects E, C never affects B.
HELDOUT_LINKS = (("A", "E"), ("C", "B"))
#: Allowed experiment sets (five variables) that never occur in training.
HELDOUT_SETS = (("A", "B", "D"), ("A", "C", "E"), ("B", "D", "E"), ("A", "B", "C", "E"))
#: Test distributions: held-out links, held-out sets, and the training distribution itself.
TEST_KINDS = ("links", "sets", "train")
_TEST_SEED = 1_000_003


def links_for(n_vars: int) -> list[tuple[str, str]]:
    """The held-out links that exist among ``n_vars`` variables (A..): both for n >= 5, ("C", "B") for n = 3, 4."""
    names = graphs.variable_names(n_vars)
    return [pair for pair in HELDOUT_LINKS if pair[0] in names and pair[1] in names]


def training_sets(n_vars: int = 5) -> list[tuple[str, ...]] | None:
    """The allowed sets of training (five variables): every set of 3 or 4 variables except :data:`HELDOUT_SETS`.

    None (no restriction) for other numbers of variables.
    """
    if n_vars != 5:
        return None
    names = graphs.variable_names(5)
    held = {frozenset(s) for s in HELDOUT_SETS}
    return [c for size in (3, 4) for c in itertools.combinations(names, size) if frozenset(c) not in held]


def _game_settings(kind: str, n_vars: int, heldout_mode: str = "strict") -> dict[str, Any]:
    """The game settings (for :func:`~causal_lessons.environment.generate_episodes`) of one kind of episodes."""
    links = links_for(n_vars)
    if kind == "links":
        if not links:
            raise ValueError(f"no held-out link exists among {n_vars} variables; use n_vars >= 3.")
        return {"heldout_links": links, "test_links": True}
    if kind == "sets":
        if n_vars != 5:
            raise ValueError(f"the held-out sets are defined for five variables, got n_vars={n_vars}.")
        return {"heldout_links": links, "heldout_mode": heldout_mode, "allowed_sets": [set(s) for s in HELDOUT_SETS]}
    if kind == "train":
        return {"heldout_links": links, "heldout_mode": heldout_mode}
    raise ValueError(f"kind must be one of {', '.join(repr(k) for k in TEST_KINDS)}, got {kind!r}.")


def training_sampler(*, strategy: str = "expert", heldout_mode: str = "strict", n_vars: Sequence[int] = (5,),
                     restricted_share: float = 0.5) -> Callable[[int, int], EpisodeBatch]:
    """The training distribution as ``sampler(n_episodes, seed)`` for :func:`causal_lessons.training.train`.

    DAGs never contain the held-out links (``heldout_mode`` "strict" or
    "direct").  With five variables, a share ``restricted_share`` of the
    episodes let the expert experiment only on a training set
    (:func:`training_sets`), the others on every variable.  With several DAG
    sizes, each call draws one size (``seed`` modulo the number of sizes).
    """
    sizes = [check_count(n, "n_vars") for n in n_vars]
    if not 0 <= restricted_share < 1:
        raise ValueError(f"restricted_share must be in [0, 1), got {restricted_share!r}.")
    if heldout_mode not in ("strict", "direct"):
        raise ValueError(f"heldout_mode must be 'strict' or 'direct', got {heldout_mode!r}.")

    def sampler(n_episodes: int, seed: int) -> EpisodeBatch:
        n = sizes[seed % len(sizes)]
        settings = _game_settings("train", n, heldout_mode)
        sets = training_sets(n)
        if sets is not None and restricted_share > 0:
            # one set is drawn per episode, uniformly from the list: repeat the full set to give it its share
            full = tuple(graphs.variable_names(n))
            repeat = round(len(sets) * (1 - restricted_share) / restricted_share)
            settings["allowed_sets"] = [set(s) for s in [full] * repeat + sets]
        return generate_episodes(n_episodes, strategy=strategy, n_vars=n, seed=seed, **settings)

    return sampler


def _chunks(n_episodes: int, chunk: int) -> list[int]:
    sizes = [chunk] * (n_episodes // chunk)
    if n_episodes % chunk:
        sizes.append(n_episodes % chunk)
    return sizes


def _test_batches(kind: str, n_episodes: int, seed: int, n_vars: int, strategy: str, n_explore: int | None,
                  chunk: int):
    """The test episodes of one kind, chunk by chunk (the same seeds for every strategy)."""
    n_episodes = check_count(n_episodes, "n_episodes")
    seed = check_seed(seed)
    settings = _game_settings(kind, n_vars)
    for i, size in enumerate(_chunks(n_episodes, check_count(chunk, "chunk"))):
        yield generate_episodes(size, strategy=strategy, n_vars=n_vars, n_explore=n_explore,
                                seed=_TEST_SEED + 7919 * seed + i, **settings)


def evaluation_episodes(kind: str, n_episodes: int, *, seed: int = 0, n_vars: int = 5, strategy: str = "expert",
                        n_explore: int | None = None, chunk: int = 1000) -> EpisodeBatch:
    """Test episodes of one kind (see :data:`TEST_KINDS`), played by ``strategy``; made in chunks of ``chunk``.

    * ``"links"``: every variable allowed; the goal is a held-out link's target
      and its source the unique best exploit (``test_links=True``);
    * ``"sets"``: the expert may experiment only on a held-out set; DAGs as in training;
    * ``"train"``: the training distribution (every variable allowed).

    The same ``(kind, n_episodes, seed, n_vars, chunk)`` gives the same DAGs,
    goals and allowed sets for every strategy, so strategies can be compared
    episode by episode.
    """
    return EpisodeBatch.concat(_test_batches(kind, n_episodes, seed, n_vars, strategy, n_explore, chunk))


def strategy_rewards(kind: str, n_episodes: int, *, seed: int = 0, n_vars: int = 5, strategy: str = "expert",
                     n_explore: int | None = None, chunk: int = 1000) -> np.ndarray:
    """Expected exploit reward of ``strategy`` in every test episode of :func:`evaluation_episodes` (same episodes).

    Chunk by chunk, so that strategies with many exploration steps (1,000
    observations) fit in memory.
    """
    return np.concatenate([expected_reward(b.total_effects, b.goal, b.exploit_var, b.exploit_sign,
                                           b.intervention_value)
                           for b in _test_batches(kind, n_episodes, seed, n_vars, strategy, n_explore, chunk)])
