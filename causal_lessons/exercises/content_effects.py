"""Checkers for lesson 11, part 1: content effects in a soft reasoner.

Each checker recomputes its answer from the lesson's own objects (the model's
answers, the test problems, the model itself): nothing is hard-coded.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import content_effects as ce
from .core import Feedback, Unreadable, as_items, as_label, check_choice, check_set, exercise

__all__ = ["AGREEMENT_ANSWERS", "agreement_verdict", "check_agreement_prediction",
           "guaranteed_cells", "check_guaranteed_cells", "check_bias_trap"]

#: The answers of the prediction exercise: where the model is more accurate.
AGREEMENT_ANSWERS = ("where they agree", "where they conflict", "no difference")


def agreement_verdict(bias: ce.BeliefBias) -> str:
    """Which of :data:`AGREEMENT_ANSWERS` a belief-bias index supports: its interval above 0, below 0, or
    containing 0."""
    if not isinstance(bias, ce.BeliefBias):
        raise TypeError(f"bias must be a BeliefBias (from belief_bias), got {type(bias).__name__}.")
    if bias.low > 0:
        return AGREEMENT_ANSWERS[0]
    if bias.high < 0:
        return AGREEMENT_ANSWERS[1]
    return AGREEMENT_ANSWERS[2]


@exercise('one of "where they agree", "where they conflict" or "no difference"',
          "think about what the model read, and how often a believable conclusion follows in natural text")
def check_agreement_prediction(answer: Any, answers: Any, problems: ce.Problems) -> Feedback:
    """Exercise 1 (predict): on arbitrary problems, is the natural-text model more accurate where belief and logic
    agree, where they conflict, or neither?  ``answers`` are the model's answers to ``problems`` (all four
    cells)."""
    bias = ce.belief_bias(answers, problems)
    expected = agreement_verdict(bias)
    return check_choice(
        answer, expected, AGREEMENT_ANSWERS,
        praise="Part 1's accuracies per cell show how large the difference is; in natural text a believable "
               "conclusion usually follows, and the model learned to lean on that.",
        hint="in the natural corpus every premise is true and every valid argument has a believable conclusion: "
             "what would a learner that leans on belief get right, and what wrong?")


def guaranteed_cells(problems: ce.Problems) -> set[str]:
    """The cells in which "answer valid when the tool finds a chain, else the model's answer" is right whatever
    the model answers: those whose every problem has a chain of premises and a valid right answer."""
    ce.check_problems(problems)
    sure = ce.logic_tool(problems) & problems.label
    cell = problems.cell
    return {name for k, name in enumerate(ce.CELLS) if (cell == k).any() and sure[cell == k].all()}


@exercise("a set of cell names from ce.CELLS (or set() for none)",
          "the tool can only turn an answer into 'valid': find the cells in which 'valid' is always right")
def check_guaranteed_cells(answer: Any, problems: ce.Problems) -> Feedback:
    """Exercise 4 (derive): with the policy "when-it-follows", in which of the four cells of intact problems is
    the answer right whatever the model says?  A set of names from :data:`causal_lessons.content_effects.CELLS`."""
    expected = guaranteed_cells(problems)
    what = "a set of cell names from ce.CELLS (or set() for none)"
    cells = set()
    for item in as_items(answer, what):
        try:
            cells.add(as_label(item, ce.CELLS))
        except Unreadable:
            names = ", ".join(repr(c) for c in ce.CELLS)
            raise Unreadable(f"{item!r} is not a cell; a cell is one of {names}.") from None
    return check_set(
        cells, expected,
        praise="the tool is exact on intact premises, so a chain means 'valid' is right; where it finds none the "
               "model's own answer stands, belief bias included.",
        hint="when the tool finds no chain, the policy keeps the model's answer, which may be wrong; in which "
             "cells does the tool always find a chain?")


@exercise("a problem written as a string, such as 'A causes B . B causes C . so A causes C' with things of the "
          "world", "take a conclusion whose belief disagrees with its logic, and try arguments until the model "
          "follows belief")
def check_bias_trap(answer: Any, lm) -> Feedback:
    """Exercise 6 (open challenge): write a problem on which the model's answer is wrong *because* it follows belief (its
    answer is the conclusion's believability, not the logic), and see what the logic tool does with it.  Any such
    problem is right."""
    ce.check_reasoner(lm)
    if not isinstance(answer, str):
        raise Unreadable(f"the answer should be a problem written as a string, got a {type(answer).__name__}.")
    try:
        problem = ce.parse_problem(answer)
    except (ValueError, KeyError) as exc:
        raise Unreadable(f"the problem could not be read: {str(exc).strip(chr(34))}") from None
    p_valid = float(ce.answer_probability(lm, problem)[0])
    said, follows, believable = p_valid > 0.5, bool(problem.label[0]), bool(problem.believable[0])
    verdict = "valid" if follows else "invalid"
    if said == follows:
        return Feedback(False, f"the model is right on this one (it gives 'valid' a probability of {p_valid:.2f}; "
                               f"the argument is {verdict}). Look for a problem where belief points the other way.")
    if said != believable:
        return Feedback(False, f"the model is wrong here (probability of 'valid' {p_valid:.2f}; the argument is "
                               f"{verdict}), but not by following belief: the conclusion is "
                               f"{'believable' if believable else 'unbelievable'}. Find an error that belief explains.")
    rescued = bool(ce.with_tool(np.array([said]), problem, "when-it-follows")[0] == follows)
    return Feedback(True, f"the model gives 'valid' a probability of {p_valid:.2f}, following belief (the conclusion "
                          f"is {'believable' if believable else 'unbelievable'}), but the argument is {verdict}. "
                          f"Deferring to the tool always fixes it (the tool is exact on intact premises); deferring "
                          f"only when the tool finds a chain {'fixes it too' if rescued else 'does not'}"
                          f"{'' if rescued else ': no chain, so the model keeps its answer'}.")
