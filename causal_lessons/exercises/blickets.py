"""Checkers for lesson 09 (children and blicket detectors).

Each checker recomputes the right answer from the lesson's objects with
:mod:`causal_lessons.blickets`; none holds a number of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._validate import _show
from ..blickets import BlicketLearner, RuleOverhypothesis, as_test
from .core import Feedback, as_names, check_number, check_set, exercise

__all__ = ["check_sure_blickets", "check_blicket_probability", "check_information_gain",
           "check_overhypothesis_prediction"]


def _learner_from(demonstrations: Iterable[tuple[Any, bool]]) -> BlicketLearner:
    return BlicketLearner().observe(demonstrations)


@exercise("a set of object names (the letters of the objects; set() for none)",
          "an object is surely a blicket only if every hypothesis that fits the demonstrations makes it one")
def check_sure_blickets(demonstrations: Iterable[tuple[Any, bool]], answer: Any) -> Feedback:
    """After watching ``demonstrations`` (a list of ``(objects_on, lit)``), which objects is a learner
    (with the lesson's 11 hypotheses) *certain* are blickets?"""
    learner = _learner_from(demonstrations)
    expected = {obj for obj, p in learner.blicket_probabilities().items() if p >= 1 - 1e-9}
    if isinstance(answer, str):  # "AB" names the objects A and B, as in a test
        try:
            answer = as_test(answer.strip().upper(), learner.objects, "answer")
        except (KeyError, TypeError, ValueError) as exc:
            return Feedback(False, str(exc).strip("\"'"))
    answer = as_names(answer, learner.objects, "a set of object names (the letters of the objects; set() for none)")
    return check_set(answer, expected,
                     praise="right: every hypothesis that survives the demonstrations makes these objects blickets.",
                     hint="an object is surely a blicket only if every hypothesis that fits all the demonstrations "
                          "makes it one; go through the demonstrations one at a time.")


@exercise("a probability (a number between 0 and 1)", "count the hypotheses that survive every demonstration")
def check_blicket_probability(demonstrations: Iterable[tuple[Any, bool]], obj: str, answer: Any) -> Feedback:
    """The posterior probability that ``obj`` is a blicket after ``demonstrations`` (prior P(conjunctive) = 0.5)."""
    learner = _learner_from(demonstrations)
    expected = learner.blicket_probabilities()[obj] if obj in learner.objects else None
    if expected is None:
        raise KeyError(f"obj: unknown object {obj!r}; the objects are {', '.join(learner.objects)}.")
    return check_number(answer, expected, tol=0.01,
                        praise="right: that is Bayes' rule over the hypotheses that survive.",
                        hint="list the hypotheses that fit every demonstration; each rule's share of the prior is "
                             "spread evenly over its blicket sets, so count the surviving sets within each rule.")


@exercise("a number of bits", "the entropy, in bits, of the learner's prediction of the light")
def check_information_gain(learner: BlicketLearner, test: Any, answer: Any) -> Feedback:
    """The expected information gain (bits) of ``test`` for this ``learner``."""
    if not isinstance(learner, BlicketLearner):
        raise TypeError(f"learner must be a BlicketLearner, got {_show(learner)}.")
    expected = learner.expected_information_gain(test)
    return check_number(answer, expected, tol=1e-3,
                        praise="right: with a detector that never errs, the expected gain is the entropy of "
                               "the learner's prediction of the light.",
                        hint="first find the learner's probability that the detector lights for this test, "
                             "then the entropy (in bits, log base 2) of that yes/no prediction.")


@exercise("a probability (a number between 0 and 1)", "prior pseudo-counts plus observed episodes")
def check_overhypothesis_prediction(belief: RuleOverhypothesis, answer: Any) -> Feedback:
    """The probability that the next episode's rule is conjunctive, given the overhypothesis ``belief``."""
    if not isinstance(belief, RuleOverhypothesis):
        raise TypeError(f"belief must be a RuleOverhypothesis, got {_show(belief)}.")
    return check_number(answer, belief.p_conjunctive(), tol=1e-3,
                        praise="right: the Beta prior acts like pseudo-counts added to the episodes seen.",
                        hint="with a Beta(a, b) prior and episodes whose rules were certain, the predictive "
                             "probability is a ratio of counts: prior pseudo-counts plus observed episodes.")
