"""Measuring language agents (lesson 06): their play against the expert's, and what their texts claim.

:func:`evaluate` scores an LM's play with lesson 04's metrics plus the share of
words that were not (allowed) actions; :func:`claimed_effects`,
:func:`follows_claims`, :func:`well_formed_talk`, :func:`claim_rates` and
:func:`fact_rates` read what a parrot's talk states and compare it with the
truth; :func:`answer_rates` and :func:`next_word_table` tabulate answers and next
words; two plots draw learning curves and claims.

Torch, pandas and matplotlib are imported inside the functions that need them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import strategies, training
from .._validate import check_count
from ..game import check_batch
from ..training import TrainingHistory
from .corpora import Vocabulary, to_numpy
from .model import check_lm
from .loop import LMPlay, play

__all__ = [
    "evaluate",
    "claimed_effects",
    "follows_claims",
    "well_formed_talk",
    "claim_rates",
    "fact_rates",
    "answer_rates",
    "next_word_table",
    "plot_learning_curves",
    "plot_claims",
]


def evaluate(lm, batch: Any, *, played: LMPlay | None = None, divergent: Any = None, seed: int | None = 0,
             **play_options) -> dict[str, Any]:
    """Play ``batch`` with ``lm`` (or use ``played``) and compare with the expert on the same episodes.

    The metrics of :func:`causal_lessons.training.evaluate` (``reward_fraction``
    with ``reward_fraction_ci95``, ``agreement``, ``divergent_agreement`` on the
    divergent episodes, ``explore_coverage``), plus ``unparseable_rate`` and
    ``invalid_rate``: the share of the LM's action words that were not actions,
    or not allowed where they were written.
    """
    check_lm(lm)
    check_batch(batch)
    if played is None:
        played = play(lm, batch, seed=seed, **play_options)
    elif not isinstance(played, LMPlay):
        raise TypeError(f"played must be what play() returned, got {type(played).__name__}.")
    if len(played.ids) != len(batch):
        raise ValueError(f"played has {len(played.ids)} episodes but batch has {len(batch)}: pass the play of this "
                         "batch.")
    divergent = strategies.divergent_mask(batch) if divergent is None else divergent
    metrics = training.evaluate(lm, batch, divergent=divergent, result=played.result)
    metrics["reward_fraction_ci95"] = [metrics.pop("reward_fraction_low"), metrics.pop("reward_fraction_high")]
    metrics["unparseable_rate"] = float(played.unparseable.mean())
    metrics["invalid_rate"] = float(played.invalid.mean())
    return metrics


def claimed_effects(ids: Any, vocab: Vocabulary) -> np.ndarray:
    """(B, n, n) the total effects that each text in ``ids`` (B, T) *states*: "X causes Y=v" gives v / unit
    at [X, Y]; 0 where nothing (or "=0") is stated.  Malformed statements are ignored.

    >>> v = Vocabulary(3)
    >>> claimed_effects(v.encode("<bos> A causes C=-10 goal C")[None], v)[0, 0].tolist()
    [0.0, 0.0, -2.0]
    """
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary, got {type(vocab).__name__}.")
    ids = np.asarray(to_numpy(ids), np.int64)
    if ids.ndim != 2:
        raise ValueError(f"ids must be a (texts, words) array of token ids, got shape {ids.shape}.")
    n = vocab.n_vars
    effects = np.zeros((len(ids), n, n))
    row, pos = np.nonzero(ids[:, 1:-1] == vocab.causes)
    pos = pos + 1
    source = np.searchsorted(vocab.name_ids, ids[row, pos - 1])
    is_name = (source < n) & (vocab.name_ids[np.minimum(source, n - 1)] == ids[row, pos - 1])
    target, value = vocab.value_of(ids[row, pos + 1])
    keep = is_name & (target >= 0) & (target != np.where(is_name, source, -1))
    effects[row[keep], source[keep], target[keep]] = value[keep] / vocab.unit
    return effects


def follows_claims(effects: Any, goal: Any, exploit_var: Any, exploit_sign: Any) -> tuple[np.ndarray, np.ndarray]:
    """Does each answer follow from the stated effects (B, n, n) of its own text (:func:`claimed_effects`)?

    Returns two (B,) masks: ``named``, the text states some effect on the goal;
    ``follows``, the exploit (variable, sign) is worth as much as the best lever
    *according to the stated effects* (False for no valid exploit).
    """
    effects = np.asarray(effects, float)
    goal = np.asarray(goal, np.int64)
    var, sign = np.asarray(exploit_var, np.int64), np.asarray(exploit_sign)
    if effects.ndim != 3 or not (len(effects) == len(goal) == len(var) == len(sign)):
        raise ValueError("effects must be (B, n, n) and goal, exploit_var, exploit_sign one entry per episode.")
    rows = np.arange(len(goal))
    on_goal = effects[rows, :, goal].copy()
    on_goal[rows, goal] = 0.0
    named = (on_goal != 0).any(1)
    worth = np.where(var >= 0, sign * on_goal[rows, np.maximum(var, 0)], -np.inf)
    return named, worth >= np.abs(on_goal).max(1) - 1e-9


def well_formed_talk(ids: Any, vocab: Vocabulary) -> np.ndarray:
    """(B,) whether each text's talk (the words between ``<bos>`` and the first "goal") is a list of well-formed
    statements "X causes Y=v" (X a variable name, Y=v a value word), as in the facts corpus.

    >>> v = Vocabulary(3)
    >>> texts = [v.encode("<bos> A causes B=5 goal C"), v.encode("<bos> A causes do(B=5) goal C")]
    >>> well_formed_talk(np.stack(texts), v)
    array([ True, False])
    """
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary, got {type(vocab).__name__}.")
    ids = np.asarray(to_numpy(ids), np.int64)
    if ids.ndim != 2:
        raise ValueError(f"ids must be a (texts, words) array of token ids, got shape {ids.shape}.")
    names = set(vocab.name_ids.tolist())
    out = np.zeros(len(ids), bool)
    for b, row in enumerate(ids):
        stop = np.flatnonzero(row == vocab.goal)
        talk = row[1:stop[0]] if len(stop) else row[1:]
        out[b] = len(stop) > 0 and len(talk) % 3 == 0 and all(
            talk[i] in names and talk[i + 1] == vocab.causes and vocab.is_value(talk[i + 2])
            for i in range(0, len(talk), 3))
    return out


def claim_rates(ids: Any, vocab: Vocabulary) -> np.ndarray:
    """(n, n) share of the texts in ``ids`` (B, T) that state "X causes Y=v" with v != 0, for each pair (X, Y).

    The diagonal is NaN.  Pass ``play(...).ids`` to read what a parrot said, or
    :func:`facts_ids` of a batch for the truth.
    """
    said = claimed_effects(ids, vocab) != 0
    n = vocab.n_vars
    rates = said.mean(0) if len(said) else np.zeros((n, n))
    rates[np.eye(n, dtype=bool)] = np.nan
    return rates


def fact_rates(batch: Any) -> np.ndarray:
    """(n, n) share of the episodes of ``batch`` in which X has a non-zero total effect on Y (diagonal NaN)."""
    check_batch(batch)
    te = np.asarray(batch.total_effects, float)
    rates = (np.abs(te) > 1e-9).mean(0)
    rates[np.eye(te.shape[1], dtype=bool)] = np.nan
    return rates


def answer_rates(exploit_var: Any, goal: Any, names: Sequence[str]):
    """A table of exploit choices: for each goal (rows), the share of episodes exploiting each variable (columns),
    plus "none" (no valid exploit) and the number of episodes."""
    import pandas as pd

    exploit_var = np.asarray(exploit_var, np.int64)
    goal = np.asarray(goal, np.int64)
    if exploit_var.shape != goal.shape:
        raise ValueError(f"exploit_var and goal must have one entry per episode, got shapes {exploit_var.shape} "
                         f"and {goal.shape}.")
    names = list(names)
    rows = {}
    for g in sorted(set(goal.tolist())):
        picked = exploit_var[goal == g]
        row = {x: float(np.mean(picked == i)) for i, x in enumerate(names)}
        row["none"] = float(np.mean(picked < 0))
        row["episodes"] = int(len(picked))
        rows[f"goal {names[g]}"] = row
    return pd.DataFrame(rows).T


def next_word_table(lm, ids: Any, *, top: int = 5):
    """For one text (T token ids), the LM's most likely next words at every position, in one forward pass.

    Returns a DataFrame with one row per position t: the word at t, and the
    ``top`` words the LM thinks most likely at t + 1 with their probabilities
    (``"do(A=5) 0.41, do(C=5) 0.21, ..."``), and the probability it gave the word
    actually written at t + 1.
    """
    import pandas as pd
    import torch

    check_lm(lm)
    top = check_count(top, "top")
    ids = np.asarray(to_numpy(ids), np.int64).reshape(-1)
    ids = ids[ids != lm.vocab.pad]
    if len(ids) < 2:
        raise ValueError("ids must hold a text of at least two words.")
    with torch.no_grad():
        probs = lm(torch.from_numpy(ids[None]))[0].softmax(-1).numpy()
    words = lm.vocab.words
    rows = []
    for t in range(len(ids) - 1):
        best = np.argsort(-probs[t], kind="stable")[:top]
        rows.append({"word": words[ids[t]], "next": words[ids[t + 1]], "p(next)": float(probs[t, ids[t + 1]]),
                     "likely next words": ", ".join(f"{words[i]} {probs[t, i]:.2f}" for i in best)})
    return pd.DataFrame(rows)


def plot_learning_curves(histories: dict, axes=None, *, styles: dict | None = None):
    """The recorded learning curves of language models: reward fraction on the held-out links (left) and on the
    training distribution (right) against training steps.

    ``histories``: ``{name: TrainingHistory}`` (or its ``to_dict()``, as saved in a
    checkpoint's JSON) whose evaluations hold ``links`` and ``train``.  A line takes
    the course colour of the model its name starts with; ``styles`` maps names to
    extra matplotlib line settings (e.g. ``{"namer, 12,000 steps": {"ls": ":"}}``).  Returns the axes.
    """
    import matplotlib.pyplot as plt

    from ..plotting import COLORS

    if not isinstance(histories, dict) or not histories:
        raise TypeError("histories must be a dict {name: TrainingHistory}, e.g. {'pointer': history}.")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    palette = {"pointer": COLORS["agent"], "namer": COLORS["bc"], "parrot": COLORS["purple"]}
    styles = styles or {}
    for name, history in histories.items():
        if isinstance(history, dict):
            history = TrainingHistory(**history)
        style = {"marker": "o", "ms": 2.5, "color": palette.get(name.split(",")[0].split()[0]), **styles.get(name, {})}
        for ax, kind in zip(axes, ("links", "train")):
            steps, values = history.curve(kind)
            ax.plot(steps, values, label=name, **style)
    for ax, title in zip(axes, ("test episodes: a held-out link decides", "test episodes: training distribution")):
        ax.axhline(1.0, color=COLORS["expert"], ls="--", lw=1, label="expert")
        ax.axhline(0.0, color=COLORS["black"], lw=0.6)
        ax.set_xlabel("training step")
        ax.set_title(title, fontsize=10)
    axes[0].set_ylabel("reward / expert's reward")
    axes[0].legend(fontsize=8)
    return axes


def plot_claims(said: Any, training_truth: Any, test_truth: Any, names, ax=None):
    """Bars per ordered pair (cause -> effect): how often the parrot *says* it (``said``), how often it is true in
    the training episodes and in the test episodes (three (n, n) rate tables, e.g. from :func:`claim_rates`
    and :func:`fact_rates`).  Returns the axis."""
    import matplotlib.pyplot as plt

    from ..plotting import COLORS

    names = list(names)
    n = len(names)
    tables = [np.asarray(t, float) for t in (said, training_truth, test_truth)]
    if any(t.shape != (n, n) for t in tables):
        raise ValueError(f"said, training_truth and test_truth must be ({n}, {n}) tables for the names {names}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3))
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    x = np.arange(len(pairs))
    styles = [("the parrot says it", COLORS["purple"]), ("true in training", COLORS["grey"]),
              ("true in the held-out-link tests", COLORS["agent"])]
    for k, (table, (label, color)) in enumerate(zip(tables, styles)):
        ax.bar(x + (k - 1) * 0.27, [table[i, j] for i, j in pairs], width=0.27, color=color, label=label)
    ax.set_xticks(x, [f"{names[i]}→{names[j]}" for i, j in pairs], fontsize=8, rotation=60)
    ax.set_ylabel("share of episodes")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, ncol=3, loc="upper left")
    return ax
