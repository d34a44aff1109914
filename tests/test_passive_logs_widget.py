"""Lesson 02's widget: the update function does the work; the builder wires two sliders to it."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from causal_lessons import passive_logs as pl  # noqa: E402
from causal_lessons.scm import LinearGaussianSCM  # noqa: E402
from causal_lessons.widgets.passive_logs import (  # noqa: E402
    P_RANGE,
    ROWS_RANGE,
    draw_accuracy_grid,
    draw_log,
    passive_data_update,
    passive_data_widget,
)

SCM = LinearGaussianSCM({("X", "Y"): 0.8})


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_update_summarizes_both_learners_on_the_same_logs():
    view = passive_data_update(SCM, 0.2, 200, reps=30, seed=1)
    assert view["labels"] == ["no edges", "X→Y", "Y→X"] and view["truth"] == "X→Y"
    assert math.isclose(sum(view["posterior_marked"].values()), 1.0)
    assert math.isclose(sum(view["posterior_unmarked"].values()), 1.0)
    assert view["accuracy_marked"] > 0.9 and view["accuracy_unmarked"] <= 0.5
    assert math.isclose(view["posterior_unmarked"]["X→Y"], view["posterior_unmarked"]["Y→X"], rel_tol=1e-6)
    study = pl.study_logs(SCM, 200, 0.2, reps=30, seed=1)
    assert math.isclose(view["accuracy_marked"], study.accuracy)
    assert len(view.figure.axes) == 2
    assert "picks X→Y" in view.readout and "p = 0.20" in view.readout


def test_update_without_experiments_is_a_coin_toss_for_both():
    view = passive_data_update(SCM, 0.0, 300, reps=20, seed=0, draw=False)
    assert view["accuracy_marked"] == view["accuracy_unmarked"] == 0.5 and view.figure is None


def test_update_is_deterministic():
    first = passive_data_update(SCM, 0.1, 100, reps=10, seed=3, draw=False)
    assert passive_data_update(SCM, 0.1, 100, reps=10, seed=3, draw=False) == first


def test_update_reports_bad_arguments_by_name():
    with pytest.raises(ValueError, match="p must be at most 1"):
        passive_data_update(SCM, 2.0, 100, reps=5)
    with pytest.raises(ValueError, match="n_rows must be a positive"):
        passive_data_update(SCM, 0.1, 0, reps=5)


def test_draw_log_colours_rows_by_their_record():
    log = pl.make_log(SCM, 200, 0.3, seed=0)
    ax = draw_log(log)
    assert len(ax.collections) == 3  # observed, set X, set Y
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["observed", "set X", "set Y"]
    blind = draw_log(log.unmarked())
    assert len(blind.collections) == 1
    assert draw_log(log, x="Y", y="X").get_xlabel() == "Y"


def test_draw_accuracy_grid_plots_each_size_and_learner():
    grid = pl.accuracy_grid(SCM, [0.0, 0.05, 0.2], [50, 200], reps=5, seed=0)
    axes = draw_accuracy_grid(grid)
    assert len(axes[0].lines) == 2 * 2 + 1  # read and ignored per size, and the coin line
    left = axes[0].lines[0]
    assert list(left.get_xdata()) == [0.0, 0.05, 0.2]
    # right panel: experiments = round(p * n), logs without experiments left out
    assert list(axes[1].lines[0].get_xdata()) == [2.0, 10.0] and list(axes[1].lines[1].get_xdata()) == [10.0, 40.0]
    with pytest.raises(TypeError, match="accuracy_grid"):
        draw_accuracy_grid(grid[["p", "accuracy"]])


def test_widget_sliders_drive_the_update_function():
    box = passive_data_widget(SCM, p=0.0, n_rows=100, reps=5)
    p_slider, n_slider = box.children[0].children
    text = box.children[1]
    assert (p_slider.min, p_slider.max, p_slider.step) == P_RANGE == (0.0, 1.0, 0.01)
    assert (n_slider.min, n_slider.max, n_slider.step) == ROWS_RANGE == (20, 2000, 10)
    assert "passive-data-widget" in box._dom_classes and "passive-data-readout" in text._dom_classes
    assert "p = 0.00" in text.value and "in 50% of 5 logs" in text.value
    p_slider.value = 0.5
    assert "p = 0.50" in text.value
    n_slider.value = 400
    assert "400 rows" in text.value
    assert text.value == passive_data_update(SCM, 0.5, 400, reps=5, draw=False).readout
    assert plt.get_fignums() == []
