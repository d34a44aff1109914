"""Tests of lesson 06's exercise checkers: right answers pass, wrong ones get a hint that does not reveal them."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from causal_lessons import language_agents as la  # noqa: E402
from causal_lessons.exercises import language_agents as ex  # noqa: E402
from causal_lessons.widgets.language_agents import trace_transcript, transcript_update  # noqa: E402


@pytest.fixture(scope="module")
def objects():
    torch.set_num_threads(1)
    return la.load_shipped("language_pointer")[0], la.load_shipped("language_parrot")[0], la.evaluation_sets(60)


def test_pointer_reading(objects):
    pointer, _, tests = objects
    trace = trace_transcript(pointer, tests["links"], 0)
    right = trace["choice"][3] if trace["choice"].startswith("do(") else "nothing"
    assert ex.check_pointer_reading(right, trace).correct
    view = transcript_update({"pointer": pointer}, tests["links"], 0, "pointer", 1, draw=False)
    assert ex.check_pointer_reading(right, view).correct
    wrong = ex.check_pointer_reading(next(v for v in "ABCDE" if v != right), trace)
    assert not wrong.correct and right not in wrong.message.replace("(", " ").split()
    assert "should be one of" in ex.check_pointer_reading("Z", trace).message
    assert "Not answered yet" in ex.check_pointer_reading(..., trace).message
    with pytest.raises(TypeError, match="trace must be what trace_transcript or transcript_update returned"):
        ex.check_pointer_reading("A", {"choice": "nothing"})
    nothing = dict(trace, choice="nothing")
    assert ex.check_pointer_reading("nothing", nothing).correct


def test_never_claimed():
    names = list("ABC")
    claims = np.array([[np.nan, 0.3, 0.0], [0.2, np.nan, 0.5], [0.004, 0.4, np.nan]])
    assert ex.rarely_claimed(claims, names) == {("A", "C"), ("C", "A")}
    assert ex.check_never_claimed({("A", "C"), ("C", "A")}, claims, names).correct
    assert ex.check_never_claimed([["A", "C"], ["C", "A"]], claims, names).correct
    missing = ex.check_never_claimed({("A", "C")}, claims, names)
    assert not missing.correct and "missing" in missing.message and "('C', 'A')" not in missing.message
    assert "set of (cause, effect) pairs" in ex.check_never_claimed({"AC"}, claims, names).message
    assert "Not answered yet" in ex.check_never_claimed(..., claims, names).message
    with pytest.raises(ValueError, match=r"claims must be an \(n, n\) table for the 3 names"):
        ex.rarely_claimed(np.zeros((2, 2)), names)


def test_no_experiments_recomputes_the_value(objects):
    pointer, _, tests = objects
    value = la.evaluate(pointer, tests["links"], interventions=False)["reward_fraction"]
    assert ex.no_experiment_reward_fraction(pointer, tests["links"]) == value
    assert ex.check_no_experiments(value, pointer, tests["links"]).correct
    wrong = ex.check_no_experiments(value + 0.3, pointer, tests["links"])
    assert not wrong.correct and f"{value:.2f}" not in wrong.message
    assert "Not answered yet" in ex.check_no_experiments(None, pointer, tests["links"]).message
    with pytest.raises(TypeError, match="lm must be a language model"):
        ex.no_experiment_reward_fraction("namer", tests["links"])


def test_namer_prediction():
    assert [ex.namer_band(x) for x in (0.9, 0.5, 0.1)] == list(ex.NAMER_BANDS)
    names = list("ABCDE")
    goal = np.array([4, 4, 4, 4, 1])
    exploit = np.array([0, 0, 2, 3, 2])                               # A in 2 of the 4 goal-E episodes
    assert ex.check_namer_prediction("about half the time", exploit, goal, names).correct
    wrong = ex.check_namer_prediction("rarely", exploit, goal, names)
    assert not wrong.correct and "half" not in wrong.message
    assert "should be one of" in ex.check_namer_prediction("often", exploit, goal, names).message
    with pytest.raises(ValueError, match="no episode has goal E"):
        ex.check_namer_prediction("rarely", exploit[4:], goal[4:], names)
    with pytest.raises(ValueError, match="pass the naming model's exploit_var"):
        ex.check_namer_prediction("rarely", exploit[:2], goal, names)


@pytest.fixture(scope="module")
def pointer_and_namer():
    torch.set_num_threads(1)
    return la.load_shipped("language_pointer")[0], la.load_shipped("language_namer")[0]


@pytest.mark.parametrize("edges, goal", [({("C", "B"): 1}, "B"), ({"c->b": -1, ("A", "D"): 1}, "b")])
def test_namer_trap_accepts_an_episode_the_namer_misses(pointer_and_namer, edges, goal):
    fb = ex.check_namer_trap(*pointer_and_namer, edges, goal)
    assert fb.correct and "the naming model in 0" in fb.message


@pytest.mark.parametrize("edges, goal, says", [
    ({("A", "B"): 1}, "B", "the naming model finds the best exploit too"),
    ({}, "B", "nothing in this DAG moves B"),
    ({("C", "B"): 3}, "B", "the game's weights are -1, 0, 1"),
    ({("C", "B"): 1, ("B", "C"): 1}, "B", "is a directed cycle"),
    ({("C", "B"): 1}, "Z", "should be one of"),
    ("C->B", "B", "should be a dict"),
])
def test_namer_trap_says_what_is_wrong(pointer_and_namer, edges, goal, says):
    fb = ex.check_namer_trap(*pointer_and_namer, edges, goal)
    assert not fb.correct and says in fb.message


def test_namer_trap_when_the_pointer_misses_too(pointer_and_namer):
    pointer, namer = pointer_and_namer
    # the namer in the pointer's place: it misses the held-out link, so the "pointer" fails the first condition
    fb = ex.check_namer_trap(namer, namer, {("C", "B"): 1}, "B")
    assert not fb.correct and "the pointing model finds the best exploit in only 0 of 10" in fb.message
    assert repr(ex.check_namer_trap(pointer, namer, ..., "B")).startswith("Not answered yet")
    with pytest.raises(TypeError, match="lm must be a language model"):
        ex.check_namer_trap(pointer, "namer", {("C", "B"): 1}, "B")
