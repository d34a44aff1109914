"""Lesson 03's exercise checkers: right answers pass, wrong ones get a hint that does not give the answer away."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from causal_lessons.environment import generate_episodes
from causal_lessons.exercises.game import (
    check_associational_choice,
    check_divergent_share,
    check_expert_choice,
    check_adjustment_set,
    check_failure_reason,
    check_noise_prediction,
)
from causal_lessons.strategies import exact_choices, failure_reason


@pytest.fixture(scope="module")
def lesson():
    """The lesson's batch and its divergent episodes with a unique associational choice."""
    batch = generate_episodes(1000, seed=0)
    exact = exact_choices(batch)
    unique = np.flatnonzero(exact.divergent & (exact.assoc_ties == 1))
    return batch, exact, unique


def test_expert_choice(lesson):
    batch, _, unique = lesson
    k = int(unique[2])
    right = (batch.names[batch.exploit_var[k]], int(batch.exploit_sign[k]))
    assert check_expert_choice(batch, k, right).correct
    assert check_expert_choice(batch, k, list(right)).correct
    flipped = check_expert_choice(batch, k, (right[0], -right[1]))
    assert not flipped.correct and "wrong sign" in flipped.message
    other = next(v for v in batch.names if v != right[0] and v != batch.names[batch.goal[k]])
    wrong = check_expert_choice(batch, k, (other, 1))
    assert not wrong.correct and "divide the goal's value" in wrong.message and right[0] not in wrong.message


@pytest.mark.parametrize("answer, message", [
    (..., "Not answered yet"),
    (None, "Not answered yet"),
    ("B", "a \\(variable, sign\\) pair"),
    (("B", 1, 2), "a \\(variable, sign\\) pair"),
    (("Q", 1), "'Q' is not a variable"),
    (("B", 5), "the sign should be \\+1 or -1"),
    (("B", True), "the sign should be \\+1 or -1"),
])
def test_malformed_answers_are_explained(lesson, answer, message):
    batch, _, unique = lesson
    for checker in (check_expert_choice, check_associational_choice):
        feedback = checker(batch, int(unique[0]), answer)
        assert not feedback.correct
        assert re.search(message, feedback.message), feedback.message


def test_associational_choice_matches_the_population_slopes(lesson):
    batch, exact, unique = lesson
    k = int(unique[2])
    scm = batch.scm(k)
    goal = batch.names[batch.goal[k]]
    slopes = {v: scm.observational_slope(v, goal) for v in batch.names if v != goal}
    best = max(slopes, key=lambda v: abs(slopes[v]))
    right = (best, 1 if slopes[best] > 0 else -1)
    assert right == (batch.names[exact.assoc_var[k]], int(exact.assoc_sign[k]))
    assert check_associational_choice(batch, k, right).correct
    flipped = check_associational_choice(batch, k, (best, -right[1]))
    assert not flipped.correct and "sign follows the sign of the slope" in flipped.message
    causal = (batch.names[exact.causal_var[k]], int(exact.causal_sign[k]))
    wrong = check_associational_choice(batch, k, causal)
    assert not wrong.correct and "observational_slope" in wrong.message


def test_associational_choice_accepts_any_tied_variable():
    batch = generate_episodes(1000, seed=0)
    exact = exact_choices(batch)
    tied = int(np.flatnonzero(exact.assoc_ties > 1)[0])
    slopes = exact.slopes[tied]
    cand = [j for j in range(batch.n_vars) if j != batch.goal[tied] and batch.allowed[tied, j]]
    top = max(abs(slopes[j]) for j in cand)
    for j in cand:
        if np.isclose(abs(slopes[j]), top):
            assert check_associational_choice(batch, tied, (batch.names[j], 1 if slopes[j] >= 0 else -1)).correct


def test_failure_reason(lesson):
    batch, exact, unique = lesson
    seen = set()
    for k in unique[:6]:
        k = int(k)
        right = failure_reason(batch.total_effects[k], int(batch.goal[k]), int(exact.assoc_var[k]))
        seen.add(right)
        assert check_failure_reason(batch, k, right).correct
        other = "confounding" if right == "reverse causation" else "reverse causation"
        wrong = check_failure_reason(batch, k, other)
        assert not wrong.correct and "directed path" in wrong.message
    assert seen == {"confounding", "reverse causation"}, "both kinds occur among the first episodes"
    outside = check_failure_reason(batch, int(unique[0]), "noise")
    assert not outside.correct and "one of 'confounding', 'reverse causation'" in outside.message
    calm = int(np.flatnonzero(~exact.divergent)[0])
    with pytest.raises(ValueError, match="is not divergent"):
        check_failure_reason(batch, calm, "confounding")
    tied = int(np.flatnonzero(exact.divergent & (exact.assoc_ties > 1))[0])
    with pytest.raises(ValueError, match="several variables tie"):
        check_failure_reason(batch, tied, "confounding")


def test_divergent_share():
    small = generate_episodes(1000, n_vars=4, seed=1)
    share = float(exact_choices(small).divergent.mean())
    assert check_divergent_share(small, share).correct
    assert check_divergent_share(small, np.float64(share)).correct
    wrong = check_divergent_share(small, share + 0.05)
    assert not wrong.correct and "divergent_mask" in wrong.message
    assert not check_divergent_share(small, int(share * 1000)).correct, "a count is not a share"


def test_checkers_reject_what_is_not_a_batch(lesson):
    batch, _, _ = lesson
    with pytest.raises(TypeError, match="batch must be an EpisodeBatch"):
        check_expert_choice({"goal": 1}, 0, ("A", 1))
    with pytest.raises(TypeError, match="batch must be an EpisodeBatch"):
        check_divergent_share([1, 2], 0.1)
    with pytest.raises(ValueError, match="index must be at most 999"):
        check_expert_choice(batch, 1000, ("A", 1))


def test_noise_prediction(lesson):
    batch = lesson[0]
    assert check_noise_prediction(batch, "expert").correct
    assert check_noise_prediction(batch, " Expert ").correct
    for other in ("associational", "both", "neither"):
        reply = check_noise_prediction(batch, other)
        assert not reply.correct and "expert" not in reply.message.lower()
    assert "one of" in check_noise_prediction(batch, "maybe").message
    assert "Not answered yet" in check_noise_prediction(batch, ...).message


def test_adjustment_set_accepts_every_set_that_recovers_the_effect(lesson):
    batch, exact = lesson[0], lesson[1]
    k = int(np.flatnonzero(exact.divergent & (exact.assoc_ties == 1))[2])
    scm = batch.scm(k)
    goal, chosen = batch.names[batch.goal[k]], batch.names[batch.exploit_var[k]]
    others = [v for v in batch.names if v not in (goal, chosen)]
    effect = scm.total_effect(chosen, goal)
    for r in range(len(others) + 1):
        for given in itertools.combinations(others, r):
            works = abs(scm.observational_slope(chosen, goal, given=given) - effect) < 1e-6
            assert check_adjustment_set(batch, k, set(given)).correct == works
    assert not check_adjustment_set(batch, k, set()).correct
    assert "goal" in check_adjustment_set(batch, k, {goal}).message
    assert "not a variable" in check_adjustment_set(batch, k, {"Q"}).message
    assert "Not answered yet" in check_adjustment_set(batch, k, ...).message
