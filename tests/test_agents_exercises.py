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
