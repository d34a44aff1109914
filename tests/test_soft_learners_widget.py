"""Lesson 11's widget (parts 2-3): the update reads the shipped results and marks the chosen strength; the builder
wires two dropdowns and a slider to it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from causal_lessons import soft_learners as sl  # noqa: E402
from causal_lessons.widgets.soft_learners import (KIND_CHOICES, REGIME_CHOICES, breaks_update,  # noqa: E402
                                                  breaks_widget)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_the_numbers_are_the_shipped_results_at_the_chosen_strength():
    results = sl.load_results()
    view = breaks_update("hidden", 0.5, "varied", draw=False)
    assert view.figure is None and view["strength"] == 0.5 and view["seeds"] == len(results["seeds"])
    curve = sl.world_curve(results, "hidden", "tool/varied")
    i = int(np.flatnonzero(np.isclose(curve["strengths"], 0.5))[0])
    assert view["scores"]["tool"] == pytest.approx((curve["mean"][i], curve["min"][i], curve["max"][i]))
    rigid = sl.world_curve(results, "hidden", "rigid")
    assert view["scores"]["rigid"][0] == pytest.approx(rigid["mean"][i])
    assert view.readout.startswith("a hidden common cause") and "tool user" in view.readout
    assert f"of {len(results['seeds'])} seeds" in view.readout
    assert set(view["verdicts"].values()) <= {"holds", "degrades gracefully", "breaks"}


def test_strength_zero_is_the_game_as_designed_for_every_kind():
    views = [breaks_update(kind, 0.0, draw=False) for kind in KIND_CHOICES]
    assert all(v["world"] == "the game as designed" for v in views)
    assert len({v["scores"]["rigid"] for v in views}) == 1


def test_update_draws_three_players_and_marks_the_strength():
    view = breaks_update("failing", 0.7, "clean")
    (ax,) = view.figure.axes
    labels = [line.get_label() for line in ax.lines if not line.get_label().startswith("_")]
    assert labels == ["rigid solver", "soft learner", "tool user"]
    assert any(np.allclose(line.get_xdata(), 0.7) for line in ax.lines)
    assert "clean" in ax.get_title()


def test_arguments_are_checked():
    with pytest.raises(ValueError, match="kind"):
        breaks_update("windy", draw=False)
    with pytest.raises(ValueError, match="regime"):
        breaks_update("hidden", 0.5, "chaotic", draw=False)
    with pytest.raises(ValueError, match="strength"):
        breaks_update("hidden", 1.5, draw=False)
    with pytest.raises(ValueError, match="strength"):
        breaks_update("hidden", 0.35, draw=False)
    with pytest.raises(TypeError, match="results"):
        breaks_update("hidden", 0.5, results={}, draw=False)
    assert REGIME_CHOICES == ("varied", "clean")


def test_builder_updates_the_readout_and_leaves_no_figure_open():
    box = breaks_widget()
    row, readout, _output = box.children
    kind, strength, regime = row.children
    strength.value = 1.0
    assert readout.value == breaks_update("hidden", 1.0, "varied", draw=False).readout
    kind.value = "noisy"
    assert readout.value.startswith("heavier noise")
    regime.value = "clean"
    assert readout.value == breaks_update("noisy", 1.0, "clean", draw=False).readout
    assert plt.get_fignums() == []
