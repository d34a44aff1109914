"""Tests of lesson 04's exercise checkers: right answers pass, wrong ones get a hint that does not reveal them."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from causal_lessons.agents import make_agent  # noqa: E402
from causal_lessons.environment import generate_episodes  # noqa: E402
from causal_lessons.exercises import agents as ex  # noqa: E402
from causal_lessons.experiments import passive_agents as pa  # noqa: E402
from causal_lessons import training  # noqa: E402
from causal_lessons.widgets.agents import episode_update, trace_episode  # noqa: E402


def test_control_band_and_prediction():
    assert [ex.control_band(x) for x in (0.95, 0.5, 0.1)] == list(ex.CONTROL_BANDS)
    metrics = {"divergent_agreement": 0.17}
    assert ex.check_control_prediction("rarely", metrics).correct
    wrong = ex.check_control_prediction("almost always", metrics)
    assert not wrong.correct and "rarely" not in wrong.message
    assert "should be one of" in ex.check_control_prediction("sometimes", metrics).message
    assert "Not answered yet" in ex.check_control_prediction(..., metrics).message
    with pytest.raises(TypeError, match="control_metrics must be the dict that evaluate_agent returned"):
        ex.check_control_prediction("rarely", {})


def test_seen_link_checker_recomputes_the_value():
    agent = make_agent(pa.get_config("lesson").agent_config("identity"), seed=0)
    seen = generate_episodes(300, heldout_links=[("B", "D")], test_links=True, seed=7)
    value = training.evaluate(agent, seen)["reward_fraction"]
    assert ex.seen_link_reward_fraction(agent, ("B", "D"), n_episodes=300) == value
    assert ex.check_seen_link(value, agent, ("B", "D"), n_episodes=300).correct
    wrong = ex.check_seen_link(value + 0.1, agent, ("B", "D"), n_episodes=300)
    assert not wrong.correct and f"{value:.2f}" not in wrong.message
    assert "Not answered yet" in ex.check_seen_link(..., agent).message
    with pytest.raises(TypeError, match="link must be a .source, target. pair"):
        ex.seen_link_reward_fraction(agent, "BD")


def test_pointer_reading():
    pointer, _ = pa.load_shipped("passive_pointer_small")
    batch = pa.evaluation_episodes("links", 5)
    trace = trace_episode(pointer, batch, 0)
    right = trace["table"].loc[trace["pointer_step"], "action"][3]
    assert ex.check_pointer_reading(right, trace).correct
    assert ex.check_pointer_reading(right, episode_update({"pointer": pointer}, batch, 0, "pointer", draw=False)).correct
    other = next(v for v in "ABCDE" if v != right)
    wrong = ex.check_pointer_reading(other, trace)
    assert not wrong.correct and right not in wrong.message.replace("(", " ").split()
    identity = make_agent(pa.get_config("lesson").agent_config("identity"), seed=0)
    with pytest.raises(TypeError, match="trace must be what trace_episode or episode_update returned for the pointer"):
        ex.check_pointer_reading("A", trace_episode(identity, batch, 0))


FOOLS_ASSOCIATION = {("A", "B"): -1, ("A", "C"): -1, ("B", "C"): -1, ("C", "D"): 1}


@pytest.fixture(scope="module")
def shipped_pointer():
    return pa.load_shipped("passive_pointer_small")[0]


@pytest.mark.parametrize("edges, goal", [
    (FOOLS_ASSOCIATION, "C"),
    ({"A->B": -1, "a→c": -1, ("b", "c"): -1, ("C", "D"): -1}, "c"),   # names in any case, arrows as strings
    ({("E", "B"): 1, ("E", "A"): -1, ("B", "A"): 1, ("A", "D"): 1}, "A"),  # the same shape, relabelled
])
def test_divergent_episode_accepts_an_episode_that_fools_association_only(shipped_pointer, edges, goal):
    fb = ex.check_divergent_episode(shipped_pointer, edges, goal)
    assert fb.correct and "association picks" in fb.message


def test_divergent_episode_checks_the_divergence_from_the_exact_choices(shipped_pointer):
    from causal_lessons.environment import written_episodes
    from causal_lessons.strategies import exact_choices

    choice = exact_choices(written_episodes(FOOLS_ASSOCIATION, "C"))
    assert choice.divergent[0] and "ABCDE"[choice.assoc_var[0]] == "D" and "ABCDE"[choice.causal_var[0]] == "B"


@pytest.mark.parametrize("edges, goal, says", [
    ({("A", "B"): 1}, "B", "association and experiment agree"),
    ({}, "B", "association and experiment agree"),
    ({("A", "B"): 2}, "B", "the game's weights are -1, 0, 1"),
    ({("A", "B"): 1, ("B", "A"): 1}, "B", "is a directed cycle"),
    ({("A", "B"): 1, ("C", "B"): "x"}, "B", "the weight of C→B"),
    ({("A", "Z"): 1}, "B", "should be one of"),
    ({**FOOLS_ASSOCIATION, ("D", "E"): 1, ("A", "E"): 1}, "C", "at most 5"),
    ([("A", "B")], "B", "edges should be a dict"),
    (FOOLS_ASSOCIATION, "Q", "should be one of"),
])
def test_divergent_episode_says_what_is_wrong(shipped_pointer, edges, goal, says):
    fb = ex.check_divergent_episode(shipped_pointer, edges, goal)
    assert not fb.correct and says in fb.message


def test_divergent_episode_when_the_agent_is_wrong_too():
    untrained = make_agent(pa.get_config("lesson").agent_config("pointer"), seed=0)
    fb = ex.check_divergent_episode(untrained, FOOLS_ASSOCIATION, "C")
    assert not fb.correct and "association is fooled here" in fb.message and "of 20 plays" in fb.message
    assert repr(ex.check_divergent_episode(untrained, ..., "C")).startswith("Not answered yet")
