"""Lesson 01's widget: the update function does the work; the builder wires a slider to it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from causal_lessons.widgets.ladder import CONFOUNDING_RANGE, confounding_update, confounding_widget  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_update_returns_numbers_and_draws():
    view = confounding_update(2.0, n=500)
    assert view["interventional_exact"] == pytest.approx(0.5)
    assert view["observational_exact"] == pytest.approx(0.5 + 2 / 5)
    assert view.readout.startswith("confounding +2.0: seeing slope 0.90, doing slope 0.50")
    (ax,) = view.figure.axes
    assert len(ax.lines) == 2 and "+2.0" in ax.get_title()
    # a different strength gives a different readout: what the browser test checks
    assert confounding_update(-1.0, draw=False).readout != view.readout


def test_update_without_drawing_makes_no_figure():
    before = plt.get_fignums()
    assert confounding_update(0.5, draw=False).figure is None
    assert plt.get_fignums() == before


def test_confounding_widget_responds_to_its_slider():
    box = confounding_widget(initial=1.0)
    row, readout, output = box.children
    (weight,) = row.children
    assert (weight.min, weight.max, weight.step) == CONFOUNDING_RANGE
    assert "cl-readout" in readout._dom_classes and "cl-output" in output._dom_classes
    assert readout.value.startswith("confounding +1.0")
    weight.value = -1.5
    assert readout.value == confounding_update(-1.5, draw=False).readout
    assert plt.get_fignums() == []
