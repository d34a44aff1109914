"""Checkers for lesson 06, language models as agents.

Each checker recomputes its answer from the lesson's own objects (a traced
transcript, the parrot's claims, a model and its test episodes): nothing is
hard-coded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import language_agents as la
from ..environment import written_episodes
from ..strategies import exact_choices
from .core import (Feedback, Unreadable, as_edges, as_items, as_label, as_pair, check_choice, check_number, check_set,
                   exercise)

__all__ = ["PARROT_SILENCE", "check_pointer_reading", "rarely_claimed", "check_never_claimed",
           "no_experiment_reward_fraction", "check_no_experiments", "NAMER_BANDS", "namer_band",
           "check_namer_prediction", "check_namer_trap"]

#: A link the parrot states in fewer than this share of its talks counts as "never stated".
PARROT_SILENCE = 0.01
#: The answers of the prediction exercise about the naming model, from the rate they describe.
NAMER_BANDS = ("almost always", "about half the time", "rarely")


@exercise('a variable name in quotes, one of the episode\'s letters (or "nothing")',
          "find the model's do(#k=...) and the line of the transcript that starts with #k")
def check_pointer_reading(answer: Any, trace: dict) -> Feedback:
    """Which variable did the loop intervene on when the pointing model wrote its exploit in the traced episode?

    ``trace`` is what :func:`causal_lessons.widgets.language_agents.trace_transcript`
    (or ``transcript_update``) returned; the answer is a variable name, or "nothing"
    if the loop could not carry the answer out.
    """
    if not isinstance(trace, Mapping) or not {"choice", "exploit", "names"} <= set(trace):
        raise TypeError("trace must be what trace_transcript or transcript_update returned.")
    names = list(trace["names"])
    expected = trace["choice"][3] if trace["choice"].startswith("do(") else "nothing"
    return check_choice(
        answer, expected, names + ["nothing"],
        praise="the number in do(#k=...) refers to the model's own experiment k: the loop looks up which variable "
               "that experiment set, and sets it again with the sign the model wrote.",
        hint="find the model's last word, do(#k=...); then find the line of the transcript that starts with #k "
             "and read which variable that experiment set.")


def rarely_claimed(claims: Any, names, threshold: float = PARROT_SILENCE) -> set[tuple[str, str]]:
    """The ordered pairs (cause, effect) that a table of claim rates
    (:func:`causal_lessons.language_agents.claim_rates`) states in fewer than ``threshold`` of the texts."""
    claims = np.asarray(claims, float)
    names = list(names)
    if claims.shape != (len(names), len(names)):
        raise ValueError(f"claims must be an (n, n) table for the {len(names)} names, got shape {claims.shape}.")
    return {(names[i], names[j]) for i in range(len(names)) for j in range(len(names))
            if i != j and claims[i, j] < threshold}


@exercise("a set of (cause, effect) pairs such as {('A', 'B')}",
          "look for the pairs whose claim rate is below 1% in the parrot's talk")
def check_never_claimed(answer: Any, claims: Any, names) -> Feedback:
    """Which causal links does the parrot (almost) never state?  A set of (cause, effect) pairs such as {("A", "B")}."""
    expected = rarely_claimed(claims, names)
    names = list(names)
    what = "a set of (cause, effect) pairs, e.g. {('A', 'B'), ('D', 'C')}"
    pairs = set()
    for item in as_items(answer, what):
        cause, effect = as_pair(item, f"{what}; one item is not a pair")
        try:
            pairs.add((as_label(cause, names), as_label(effect, names)))
        except Unreadable:
            raise Unreadable(f"the pair {item!r} does not name two of the variables {', '.join(names)}.") from None
    return check_set(
        pairs, expected,
        praise="exactly the links its training text never contained: the parrot repeats the statistics of its "
               "corpus, and a link that was never written down never comes out.",
        hint=f"look for the pairs whose claim rate is below {PARROT_SILENCE:.0%} in the parrot's talk "
             "(la.claim_rates(...)[i, j] is the share of talks that state 'name_i causes name_j=...').")


def no_experiment_reward_fraction(lm, batch) -> float:
    """A model's reward fraction on ``batch`` when the environment refuses every experiment
    (``interventions=False``)."""
    la.check_lm(lm)
    return la.evaluate(lm, batch, interventions=False)["reward_fraction"]


@exercise("a number between 0 and 1 (a reward fraction)",
          "evaluate the model with interventions=False and read its reward fraction")
def check_no_experiments(answer: Any, lm, batch) -> Feedback:
    """The model's reward fraction on ``batch`` when every experiment it writes is refused (played as "observe")."""
    expected = no_experiment_reward_fraction(lm, batch)
    return check_number(
        answer, expected, tol=0.005,
        praise=f"{round(expected, 2) + 0.0:.2f}: without the answers to its own experiments the model has nothing "
               "but its training prior, and a prior over random graphs is worth nothing: every weight is as likely "
               "+1 as -1. It is then no better than the parrot.",
        hint="call la.evaluate(model, batch, interventions=False) and read 'reward_fraction'.")


def namer_band(rate: float) -> str:
    """Which of :data:`NAMER_BANDS` describes a rate (>= 0.8, 0.3-0.8, < 0.3)."""
    if rate >= 0.8:
        return NAMER_BANDS[0]
    if rate >= 0.3:
        return NAMER_BANDS[1]
    return NAMER_BANDS[2]


@exercise('one of "almost always", "about half the time" or "rarely"',
          "the naming model must write a word: how often did that word follow this goal in its training text?")
def check_namer_prediction(answer: Any, exploit_var: Any, goal: Any, names, *, goal_name: str = "E",
                           source: str = "A") -> Feedback:
    """Prediction: in the held-out-link episodes whose goal is E (A is then the best choice), how often does the
    naming model exploit A?  ``exploit_var`` and ``goal`` come from its play of those episodes."""
    names = list(names)
    exploit_var, goal = np.asarray(exploit_var), np.asarray(goal)
    if exploit_var.shape != goal.shape or goal_name not in names or source not in names:
        raise ValueError("pass the naming model's exploit_var and the episodes' goal (one entry per episode), "
                         "and the variable names.")
    mask = goal == names.index(goal_name)
    if not mask.any():
        raise ValueError(f"no episode has goal {goal_name}.")
    expected = namer_band(float(np.mean(exploit_var[mask] == names.index(source))))
    return check_choice(
        answer, expected, NAMER_BANDS,
        praise=f"its experiments show {source} moving {goal_name}, but its answer is a word, and in its training "
               f"text the word for {source} never followed 'goal {goal_name}' once an experiment had moved "
               f"{goal_name}.",
        hint=f"the naming model reads the same experiments as the pointing model; what differs is the word it must "
             f"write. How often did '{source}' follow 'goal {goal_name}' in its training text?")


@exercise("a dict of edges {(cause, effect): weight} and the goal's name",
          "where did the namer's training text never show the winning name after the goal?", answers=("edges", "goal"))
def check_namer_trap(pointer, namer, edges: Any, goal: Any, *, plays: int = 10, need: float = 0.9,
                     seed: int = 0) -> Feedback:
    """Open challenge: any episode of the game (a DAG of the game's weights and a goal) in which the pointing model
    finds the best exploit in at least ``need`` of ``plays`` plays and the naming model in at most ``1 - need``."""
    la.check_lm(pointer)
    la.check_lm(namer)
    names = list(pointer.vocab.names)
    drawn = {pair: w for pair, w in as_edges(edges, names).items() if w != 0}
    goal = as_label(goal, names)
    try:
        batch = written_episodes(drawn, goal, copies=plays, seed=seed, n_vars=len(names))
    except (KeyError, TypeError, ValueError) as exc:
        return Feedback(False, str(exc).strip("\"'"))
    best = exact_choices(batch).causal_value
    if best[0] <= 1e-9:
        return Feedback(False, f"nothing in this DAG moves {goal}: every exploit is worth 0, so no model can be wrong.")
    right = {name: la.play(lm, batch, seed=seed).result.reward >= best - 1e-6
             for name, lm in (("pointer", pointer), ("namer", namer))}
    found = {name: int(r.sum()) for name, r in right.items()}
    if found["pointer"] < need * plays:
        return Feedback(False, f"the pointing model finds the best exploit in only {found['pointer']} of {plays} "
                               f"plays (at least {need:.0%} needed).")
    if found["namer"] > (1 - need) * plays:
        return Feedback(False, f"the naming model finds the best exploit too, in {found['namer']} of {plays} plays. "
                               "It reads the same experiments as the pointer; what did its training text never show "
                               f"after 'goal {goal}'?")
    return Feedback(True, f"the pointing model finds the best exploit in {found['pointer']} of {plays} plays, the "
                          f"naming model in {found['namer']}: both read the same experiments, but the namer must "
                          "write a name, and its training text never showed the winning name after this goal.")
