"""Lesson 08's widget: the update function does the work; the builder wires two sliders to it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from causal_lessons import fusion  # noqa: E402
from causal_lessons.widgets.fusion import (  # noqa: E402
    CONFOUNDING_RANGE,
    TRIAL_SIZES,
    estimators_widget,
    estimators_update,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_update_returns_the_comparison_and_a_readout():
    result = estimators_update(100, 1.0, reps=50, draw=False)
    pd.testing.assert_frame_equal(result["summary"], fusion.compare_estimators(100, 1.0, reps=50))
    assert result["best"] == result["summary"]["rmse"].idxmin()
    assert result.readout.startswith("trial of 100, confounding 1.0: smallest error: ")
    assert f"{result['summary'].loc['trial', 'rmse']:.3f}" in result.readout and result.figure is None


def test_moving_the_sliders_changes_the_winner():
    """Without confounding the adjusted study wins; with strong confounding and a big trial, the trial wins."""
    assert estimators_update(40, 0.0, reps=100, draw=False)["best"] == "adjusted"
    assert estimators_update(400, 2.0, reps=100, draw=False)["best"] == "trial"
    small, big = estimators_update(20, 1.0, reps=100, draw=False), estimators_update(500, 1.0, reps=100, draw=False)
    assert big["summary"].loc["trial", "sd"] < small["summary"].loc["trial", "sd"] / 3


def test_update_draws_three_bars_per_estimator():
    (ax,) = estimators_update(60, 0.5, reps=30).figure.axes
    assert len(ax.patches) == 3 * len(fusion.ESTIMATORS)
    assert [t.get_text() for t in ax.get_xticklabels()] == list(fusion.ESTIMATORS)
    assert "60 people" in ax.get_title()


def test_update_is_deterministic():
    a, b = (estimators_update(80, 0.7, reps=30, seed=4, draw=False) for _ in range(2))
    assert a.readout == b.readout


@pytest.mark.parametrize("args,exc,words", [
    ((3, 1.0), ValueError, ["trial_size", "at least 5"]),
    ((50.5, 1.0), TypeError, ["trial_size", "whole number"]),
    ((50, -1.0), ValueError, ["confounding", "at least 0"]),
    ((50, "high"), TypeError, ["confounding", "real number"]),
])
def test_errors_speak_to_a_student(args, exc, words):
    with pytest.raises(exc) as info:
        estimators_update(*args)
    for word in words:
        assert word in str(info.value)


def test_builder_wires_two_sliders_to_the_readout():
    pytest.importorskip("ipywidgets")
    box = estimators_widget(trial_size=60, confounding=0.0)
    sliders, readout, output = box.children
    assert "fusion-widget" in box._dom_classes and "fusion-readout" in readout._dom_classes
    assert "fusion-output" in output._dom_classes
    size, confounding = sliders.children
    assert (size.min, size.max, size.step) == TRIAL_SIZES
    assert (confounding.min, confounding.max, confounding.step) == CONFOUNDING_RANGE
    assert readout.value.startswith("trial of 60, confounding 0.0")
    confounding.value = 2.0
    assert readout.value.startswith("trial of 60, confounding 2.0")
    size.value = 400
    assert readout.value == estimators_update(400, 2.0, draw=False).readout
    assert plt.get_fignums() == []
