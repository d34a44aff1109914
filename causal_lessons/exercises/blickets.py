"""Checkers for lesson 09 (children and blicket detectors).

Each checker recomputes the right answer from the lesson's objects with
:mod:`causal_lessons.blickets`; none holds a number of its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .._validate import _show, check_int
from ..blickets import BlicketLearner, Hypothesis, RuleOverhypothesis, all_tests, as_test, label_test
from .core import Feedback, Unreadable, as_names, check_number, check_set, exercise

__all__ = ["check_sure_blickets", "check_blicket_probability", "check_information_gain", "unsure_worlds",
           "shortest_sure_designs", "check_sure_design",
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


@exercise("two numbers: a probability and a number of bits",
          "the entropy, in bits, of the learner's prediction of the light", answers=("p_light", "answer"))
def check_information_gain(learner: BlicketLearner, test: Any, p_light: Any, answer: Any) -> Feedback:
    """The learner's probability that ``test`` lights the detector, and the test's expected information gain (bits).

    The probability is the step that :meth:`~causal_lessons.blickets.BlicketLearner.expected_information_gain`
    takes without printing it: asking for it asks for the computation.
    """
    if not isinstance(learner, BlicketLearner):
        raise TypeError(f"learner must be a BlicketLearner, got {_show(learner)}.")
    first = check_number(p_light, learner.p_lit(test), tol=1e-3,
                         hint="add up the posterior probabilities of the hypotheses under which this test lights "
                              "the detector (or ask learner.p_lit).")
    if not first:
        return Feedback(False, f"p_light: {first.message}")
    expected = learner.expected_information_gain(test)
    second = check_number(answer, expected, tol=1e-3,
                          praise="right: with a detector that never errs, the expected gain is the entropy of "
                                 "the learner's prediction of the light.",
                          hint="the entropy, in bits (log base 2), of a yes/no prediction made with probability "
                               "p_light.")
    return second if second else Feedback(False, f"gain: {second.message}")


@exercise("a probability (a number between 0 and 1)", "prior pseudo-counts plus observed episodes")
def check_overhypothesis_prediction(belief: RuleOverhypothesis, answer: Any) -> Feedback:
    """The probability that the next episode's rule is conjunctive, given the overhypothesis ``belief``."""
    if not isinstance(belief, RuleOverhypothesis):
        raise TypeError(f"belief must be a RuleOverhypothesis, got {_show(belief)}.")
    return check_number(answer, belief.p_conjunctive(), tol=1e-3,
                        praise="right: the Beta prior acts like pseudo-counts added to the episodes seen.",
                        hint="with a Beta(a, b) prior and episodes whose rules were certain, the predictive "
                             "probability is a ratio of counts: prior pseudo-counts plus observed episodes.")


def _tests_of(design: Any, objects: tuple[str, ...]) -> list[frozenset[str]]:
    """A design read as a list of tests (each a set of objects, or a string such as "AC")."""
    what = "a list of tests, such as ['AB', 'C'] (each test the objects put on the detector together)"
    if isinstance(design, (str, bytes, Mapping)) or not isinstance(design, (list, tuple, np.ndarray)):
        raise Unreadable(f"the design should be {what}; got {_show(design)}.")
    tests = []
    for k, test in enumerate(design, start=1):
        if isinstance(test, np.ndarray):
            test = test.tolist()
        try:
            on = as_test(test.strip().upper() if isinstance(test, str) else test, objects, f"test {k}")
        except (KeyError, TypeError, ValueError) as exc:
            raise Unreadable(str(exc).strip("\"'"))
        if not on:
            raise Unreadable(f"test {k} puts nothing on the detector, which never lights then: it tells nothing.")
        tests.append(on)
    return tests


def unsure_worlds(learner: BlicketLearner, tests: Sequence[Any]) -> list[tuple[Hypothesis, list[str]]]:
    """The worlds still possible for ``learner`` in which, after seeing ``tests`` come out as that world makes
    them, the learner would still be unsure about some objects: ``(world, those objects)`` pairs.

    An empty list means the design leaves the learner sure which objects are blickets, whatever the world.
    """
    if not isinstance(learner, BlicketLearner):
        raise TypeError(f"learner must be a BlicketLearner, got {_show(learner)}.")
    tests = [as_test(t, learner.objects) for t in tests]
    unsure = []
    for world, p in zip(learner.hypotheses, learner.posterior):
        if p <= 0:
            continue
        after = learner.copy().observe([(t, world.lights(t)) for t in tests])
        left = [obj for obj, q in after.blicket_probabilities().items() if 1e-9 < q < 1 - 1e-9]
        if left:
            unsure.append((world, left))
    return unsure


def shortest_sure_designs(learner: BlicketLearner, *, max_tests: int = 4) -> list[tuple[frozenset[str], ...]]:
    """Every shortest design (a set of distinct tests, decided in advance) after which ``learner`` is sure which
    objects are blickets, whatever the world; ``[]`` if none has ``max_tests`` tests or fewer."""
    if not isinstance(learner, BlicketLearner):
        raise TypeError(f"learner must be a BlicketLearner, got {_show(learner)}.")
    tests = all_tests(len(learner.objects))
    for size in range(0, check_int(max_tests, "max_tests", minimum=0) + 1):
        found = [d for d in itertools.combinations(tests, size) if not unsure_worlds(learner, d)]
        if found:
            return found
    return []


@exercise("a list of tests, such as ['AB', 'C'] (each test the objects put on the detector together)",
          "list the worlds that fit the demonstration; each test should split them", answers=("design",))
def check_sure_design(demonstrations: Iterable[tuple[Any, bool]], design: Any, *, max_tests: int = 4) -> Feedback:
    """Open challenge: any shortest list of tests, fixed in advance, after which a learner that has watched
    ``demonstrations`` is sure which objects are blickets, whatever the detector shows."""
    learner = _learner_from(demonstrations)
    tests = _tests_of(design, learner.objects)
    unsure = unsure_worlds(learner, tests)
    if unsure:
        world, left = unsure[0]
        return Feedback(False, f"if the blickets were {label_test(world.blickets)} ({world.rule} detector), these "
                               f"tests would come out so that the learner is still unsure whether "
                               f"{' and '.join(left)} {'is a blicket' if len(left) == 1 else 'are blickets'}. "
                               "Which test would tell that world from the others?")
    shortest = shortest_sure_designs(learner, max_tests=max(max_tests, len(tests)))
    if shortest and len(tests) > len(shortest[0]):
        return Feedback(False, f"after these {len(tests)} tests the learner is sure, whatever the world: a valid "
                               "design. Fewer tests can do it: which of yours tells nothing the others do not?")
    return Feedback(True, f"after these {len(tests)} tests the learner is sure which objects are blickets, whatever "
                          f"the detector shows; no shorter design can be sure ({len(shortest)} designs of this "
                          "length are).")
