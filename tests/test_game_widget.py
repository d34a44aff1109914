"""Lesson 03's widget: the plain update function game_update, the figure, and the widget's buttons."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from causal_lessons.environment import CausalDAGEnv
from causal_lessons.strategies import ExpertStrategy, expert_value, run_episode
from causal_lessons.widgets.game import (
    dag_game_widget,
    draw_game,
    game_text,
    game_update,
    moves_from_descriptions,
)

EXPLORE_ALL = ["A", "B", "C", "D", "E"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_a_new_game_hides_the_goal():
    state = game_update([], seed=3)
    assert state["phase"] == "explore" and state["step"] == 0 and state["goal"] is None
    assert state["values"] == [] and state["reward"] is None and "graph" not in state
    assert state["summary"].startswith("Exploring: 0 of 5 steps taken, 5 left.")


def test_exploring_then_the_goal_is_named():
    state = game_update(["A", "observe"], seed=3)
    assert state["phase"] == "explore" and state["step"] == 2 and state["goal"] is None
    assert state["moves"] == ["do(A = +5)", "observe"] and state["intervened"] == [0, -1]
    assert state["values"][0][0] == 5.0
    state = game_update(EXPLORE_ALL, seed=3)
    env = CausalDAGEnv()
    _, info = env.reset(seed=3)
    assert state["phase"] == "exploit" and state["goal"] == info["goal"]
    assert state["summary"].startswith(f"Goal: make {info['goal']} as large as possible.")


def test_a_finished_game_compares_with_the_expert():
    expert = run_episode(CausalDAGEnv(), ExpertStrategy(), seed=3)
    state = game_update(EXPLORE_ALL + [("B", 1)], seed=3)
    assert state["phase"] == "done" and state["reward"] is not None
    assert state["expert"]["reward"] == pytest.approx(expert.reward)
    assert state["expert"]["descriptions"] == expert.descriptions
    assert state["expert"]["expected"] == pytest.approx(expert_value(expert.scm, expert.goal))
    best = 5 * max(abs(expert.scm.total_effect(v, expert.goal)) for v in expert.scm.variables if v != expert.goal)
    assert state["best"] == pytest.approx(best)
    assert set(state["graph"].edges) == set(expert.scm.edges)
    assert state["summary"].startswith(f"You: do(B = +5) gave {expert.goal} = ")
    assert "Expert on the same episode" in state["summary"]


def test_replaying_the_experts_moves_reproduces_its_episode():
    expert = run_episode(CausalDAGEnv(), ExpertStrategy(), seed=5)
    state = game_update(moves_from_descriptions(expert.descriptions), seed=5)
    assert state["moves"] == expert.descriptions
    assert state["reward"] == pytest.approx(expert.reward)
    for got, obs in zip(state["values"], expert.observations[1:]):
        np.testing.assert_allclose(got, obs["values"])


def test_moves_from_descriptions():
    moves = moves_from_descriptions(["do(B = +5)", "observe", "do(C = -5)"])
    assert moves == ["B", "observe", ("C", -1)]
    assert moves_from_descriptions(["observe", "do(A = +5)"]) == ["observe", ("A", 1)]


def test_invalid_moves_are_shown_as_doing_nothing():
    env = CausalDAGEnv()
    _, info = env.reset(seed=3)
    state = game_update(EXPLORE_ALL + [(info["goal"], 1)], seed=3)
    assert state["invalid"][-1] and state["moves"][-1].endswith("(not allowed: nothing done)")
    assert state["intervened"][-1] == -1
    limited = game_update(["E"], seed=3, allowed_sets=[{"A", "B"}])
    assert limited["invalid"] == [True] and limited["allowed"] == ["A", "B"]


def test_game_update_errors_speak():
    with pytest.raises(ValueError, match="the episode is over"):
        game_update(EXPLORE_ALL + [("A", 1), "B"], seed=3)
    with pytest.raises(TypeError, match="moves must be a list of moves"):
        game_update("ABC", seed=0)
    with pytest.raises(TypeError, match="a move is 'observe'"):
        game_update([3], seed=0)
    with pytest.raises(KeyError, match="unknown variable 'Z'"):
        game_update(["Z"], seed=0)
    with pytest.raises(ValueError, match="seed must be at least 0"):
        game_update([], seed=-1)
    with pytest.raises(ValueError, match="n_vars must be at most 10"):
        game_update([], n_vars=11)


def test_game_text_follows_the_state():
    state = game_update(["A"], seed=3, draw=False)
    assert game_text(state) == state["summary"] and "1 of 5 steps taken, 4 left" in game_text(state)
    assert state.readout == f"Episode 3. {state['summary']}" and state.figure is None


def test_update_draws_the_game():
    state = game_update(["A", "observe"], seed=3)
    left, right = state.figure.axes
    assert left.get_title() == "causal graph: hidden until you exploit"
    assert right.get_yticklabels()[0].get_text() == "1. do(A = +5)"


def test_draw_game_hides_then_reveals_the_graph():
    axes = draw_game(game_update(["A", "observe"], seed=3))
    assert axes[0].get_title() == "causal graph: hidden until you exploit"
    assert len(axes[1].get_yticklabels()) == 2 and axes[1].get_yticklabels()[0].get_text() == "1. do(A = +5)"
    plt.close("all")
    done = game_update(EXPLORE_ALL + [("B", -1)], seed=3)
    axes = draw_game(done)
    assert axes[0].get_title() == "the true causal graph"
    assert f"goal {done['goal']}" in axes[1].get_title() and len(axes[1].texts) == 6 * 5
    plt.close("all")
    axes = draw_game(game_update([], seed=3))
    assert len(axes[1].texts) == 0
    plt.close("all")


def _buttons(widget):
    """Every button of the widget, by its description."""
    found = {}

    def walk(w):
        for child in getattr(w, "children", ()):
            walk(child)
        if type(w).__name__ == "Button":
            found[w.description] = w
    walk(widget)
    return found


def test_the_widget_plays_a_game():
    widget = dag_game_widget(seed=3)
    buttons = _buttons(widget)
    status = next(w for w in widget.children if type(w).__name__ == "HTML")
    assert "Episode 3. Exploring: 0 of 5 steps taken" in status.value
    assert buttons["exploit +5"].disabled and not buttons["do(A = +5)"].disabled
    buttons["do(A = +5)"].click()
    assert "1 of 5 steps taken" in status.value
    for name in "BCDE":
        buttons[f"do({name} = +5)"].click()
    assert "Goal: make" in status.value
    assert buttons["do(A = +5)"].disabled and buttons["observe"].disabled and not buttons["exploit -5"].disabled
    dropdown = next(w for w in widget.children[1].children if type(w).__name__ == "Dropdown")
    goal = status.value.split("Goal: make ")[1].split(" ")[0]
    assert goal not in dropdown.options, "the goal is not offered as an exploit"
    buttons["exploit -5"].click()
    assert "Expert on the same episode" in status.value
    assert all(b.disabled for name, b in buttons.items() if name != "New episode")
    buttons["New episode"].click()
    assert "Episode 4. Exploring: 0 of 5 steps taken" in status.value
    assert status.value == game_update([], seed=4, draw=False).readout
    assert plt.get_fignums() == []


def test_the_widget_checks_its_arguments():
    with pytest.raises(ValueError, match="seed must be at least 0"):
        dag_game_widget(seed=-2)
