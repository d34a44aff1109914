"""Lesson 07's widget: the update function does the work; the builder wires two sliders to it."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from causal_lessons import imitation as im  # noqa: E402
from causal_lessons.widgets.imitation import (  # noqa: E402
    EPSILON_RANGE,
    HORIZON_RANGE,
    dagger_widget,
    error_accumulation_update,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_update_gives_the_analytic_costs_at_the_slider_horizon():
    view = error_accumulation_update(0.01, 100, measured=False)
    assert view["bc_analytic"] == pytest.approx(im.bc_expected_cost(0.01, 100))
    assert view["dagger_analytic"] == pytest.approx(1.0)
    assert view["ratio_analytic"] == pytest.approx(37.24, abs=0.01)
    assert view["bc_measured"] is None and view["ratio_measured"] is None
    fig = view.figure
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and ax.get_xscale() == ax.get_yscale() == "log"
    bc_line, dagger_line = ax.lines[:2]
    assert bc_line.get_xdata()[-1] == 100
    assert bc_line.get_ydata()[-1] == pytest.approx(view["bc_analytic"])
    assert dagger_line.get_ydata()[-1] == pytest.approx(1.0)
    assert "T = 100" in view.readout and "ratio 37.2" in view.readout and "measured" not in view.readout


def test_update_measures_bc_and_dagger_close_to_the_analysis():
    view = error_accumulation_update(0.02, 150, episodes=3_000, seed=1)
    assert view["bc_measured"] == pytest.approx(view["bc_analytic"], rel=0.05)
    assert view["dagger_measured"] == pytest.approx(view["dagger_analytic"], rel=0.1)
    assert abs(view["ratio_measured"] / view["ratio_analytic"] - 1) < 0.15
    assert "measured BC" in view.readout
    # two analytic curves plus two sets of measured markers
    assert len(view.figure.axes[0].lines) >= 4


def test_moving_a_slider_changes_the_numbers():
    short = error_accumulation_update(0.01, 50, measured=False, draw=False)
    long = error_accumulation_update(0.01, 200, measured=False, draw=False)
    foggier = error_accumulation_update(0.05, 50, measured=False, draw=False)
    assert short["bc_analytic"] < long["bc_analytic"] and short["bc_analytic"] < foggier["bc_analytic"]
    assert short["ratio_analytic"] < long["ratio_analytic"]
    assert round(short["bc_analytic"], 1) == 10.9 and round(long["bc_analytic"], 1) == 114.3


def test_update_is_deterministic():
    first = error_accumulation_update(0.03, 60, episodes=500, seed=2, draw=False)
    assert error_accumulation_update(0.03, 60, episodes=500, seed=2, draw=False) == first


def test_update_handles_zero_costs():
    view = error_accumulation_update(0.0, 10, episodes=50, draw=False)
    assert view["bc_analytic"] == view["dagger_analytic"] == view["bc_measured"] == 0.0
    assert math.isnan(view["ratio_analytic"]) and math.isnan(view["ratio_measured"])


def test_update_reports_bad_arguments_by_name():
    with pytest.raises(ValueError, match="epsilon must be below 0.5"):
        error_accumulation_update(0.6, 100)
    with pytest.raises(ValueError, match="horizon must be a positive"):
        error_accumulation_update(0.01, 0)
    with pytest.raises(TypeError, match="episodes must be a whole number"):
        error_accumulation_update(0.01, 10, episodes=1.5)


def test_widget_sliders_drive_the_text():
    box = dagger_widget(episodes=300)
    sliders, text, out = box.children
    eps_slider, t_slider = sliders.children
    assert "dagger-widget" in box._dom_classes and "dagger-readout" in text._dom_classes
    assert (eps_slider.min, eps_slider.max, eps_slider.step) == EPSILON_RANGE
    assert (t_slider.min, t_slider.max, t_slider.step) == HORIZON_RANGE
    assert eps_slider.description.startswith("ε") and t_slider.description.startswith("T")
    assert "T = 100" in text.value and "ε = 0.010" in text.value
    t_slider.value = 200
    assert "T = 200" in text.value and "analysis BC 114" in text.value
    eps_slider.value = 0.05
    assert "ε = 0.050" in text.value
    assert type(out).__name__ == "Output"  # the figure goes there (captured only in a running kernel)
    assert plt.get_fignums() == []
