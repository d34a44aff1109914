"""Lesson 12's widget: the update simulates and compares; the builder wires a dropdown and two sliders to it."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from causal_lessons import dynamics as dyn  # noqa: E402
from causal_lessons.widgets.dynamics import clamp_update, clamp_widget  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_a_stable_clamp_settles_where_the_scm_says():
    view = clamp_update("H", 10.0, 4.0, draw=False)
    assert view["stable"] and view["gap"] < 1e-3 and view.figure is None
    assert view["predicted"] == pytest.approx(dyn.house(4.0).equilibrium({"H": 10.0}))
    assert view.readout.startswith("do(H = 10), gain 4: settles") and "T = 15.0" in view.readout


def test_an_unstable_house_is_reported_as_such():
    view = clamp_update("none", 0.0, 12.0, draw=False)
    assert not view["stable"] and view["max_real"] > 0 and view["gap"] > 1
    assert "no stable equilibrium" in view.readout and "is not where the house goes" in view.readout


def test_update_draws_three_paths_and_arguments_are_checked():
    view = clamp_update("M", 15.0, 4.0)
    (ax,) = view.figure.axes
    assert [line.get_label() for line in ax.lines if not line.get_label().startswith("_")] == ["T", "M", "H"]
    with pytest.raises(KeyError, match="clamped"):
        clamp_update("Q", draw=False)
    with pytest.raises(ValueError, match="gain"):
        clamp_update("H", 1.0, -1.0, draw=False)


def test_builder_updates_the_readout_and_leaves_no_figure_open():
    box = clamp_widget()
    row, readout, _output = box.children
    dropdown, value, gain = row.children
    gain.value = 12.0
    assert readout.value == clamp_update("H", 10.0, 12.0, draw=False).readout
    dropdown.value = "none"
    assert "no stable equilibrium" in readout.value
    assert plt.get_fignums() == []
