"""Lesson 10's widget: the update function does the work; the builder wires two sliders to it."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from causal_lessons import generalization as gen  # noqa: E402
from causal_lessons.widgets.generalization import NOISE_RANGE, SHIFT_RANGE, SHIFTS, shift_update, shift_widget  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_update_gives_the_exact_errors_of_the_two_fitted_predictors():
    result = shift_update(2.5, 0.5, n_train=500, seed=0, draw=False)
    causal, everything = result["predictors"]["causal"], result["predictors"]["all features"]
    assert causal.features == ("Exposure",) and everything.features == ("Exposure", "Marker")
    source, target = gen.hospital_scm(), gen.hospital_scm(marker_offset=2.5)
    assert result["causal_in"] == pytest.approx(gen.risk(causal, source))
    assert result["all_out"] == pytest.approx(gen.risk(everything, target))
    assert result["marker_weight"] == pytest.approx(everything.weight("Marker"))
    # the shift touches the marker only: the causal predictor does not notice it
    assert result["causal_out"] == pytest.approx(result["causal_in"])
    assert result["all_in"] < 0.1 < 1.0 < result["all_out"]
    assert "shift 2.5, marker noise 0.50" in result.readout and "after the shift causal 1.01" in result.readout


def test_crossover_is_where_the_curves_meet():
    result = shift_update(0.0, draw=False)
    at = shift_update(result["crossover"], draw=False)
    assert at["all_out"] == pytest.approx(at["causal_out"])
    assert shift_update(0.9 * result["crossover"], draw=False)["all_out"] < result["causal_out"]


def test_a_noisier_marker_is_less_useful_in_distribution_and_hurts_less_after_the_shift():
    sharp, blunt = shift_update(3.0, 0.2, draw=False), shift_update(3.0, 1.5, draw=False)
    assert sharp["all_in"] < blunt["all_in"]
    assert sharp["marker_weight"] > blunt["marker_weight"]
    assert sharp["all_out"] > blunt["all_out"]


def test_update_draws_both_curves_and_marks_the_shift():
    result = shift_update(1.0)
    (ax,) = result.figure.axes
    labels = [line.get_label() for line in ax.lines]
    assert "causal predictor" in labels and "all features predictor" in labels
    causal_curve = ax.lines[labels.index("causal predictor")]
    assert len(causal_curve.get_xdata()) == len(SHIFTS)  # 1.0 is on the grid already
    assert causal_curve.get_ydata() == pytest.approx([result["causal_in"]] * len(SHIFTS))
    assert any(label.startswith("crossover at") for label in labels)
    assert ax.get_ylim()[1] >= 4.5


def test_update_is_deterministic():
    first, second = (shift_update(1.3, 0.7, seed=4, draw=False) for _ in range(2))
    assert first.readout == second.readout and first["crossover"] == second["crossover"]
    assert shift_update(1.3, 0.7, seed=5, draw=False).readout != first.readout


def test_update_reports_bad_arguments_by_name():
    with pytest.raises(ValueError, match="shift must be at least 0"):
        shift_update(-1.0)
    with pytest.raises(ValueError, match="marker_noise must be a positive"):
        shift_update(1.0, 0.0)
    with pytest.raises(TypeError, match="n_train must be a whole number"):
        shift_update(1.0, n_train=10.5)


def test_widget_sliders_drive_the_text():
    box = shift_widget()
    sliders, text, out = box.children
    shift_slider, noise_slider = sliders.children
    assert "generalization-widget" in box._dom_classes
    assert (shift_slider.min, shift_slider.max, shift_slider.step) == SHIFT_RANGE
    assert (noise_slider.min, noise_slider.max, noise_slider.step) == NOISE_RANGE
    assert "cl-readout" in text._dom_classes and "cl-output" in out._dom_classes
    assert "shift 1.0, marker noise 0.50" in text.value
    shift_slider.value = 3.0
    assert "shift 3.0, marker noise 0.50" in text.value
    noise_slider.value = 1.0
    assert "shift 3.0, marker noise 1.00" in text.value
    assert math.isfinite(float(text.value.rsplit(" ", 1)[1]))
    assert type(out).__name__ == "Output"
    assert text.value == shift_update(3.0, 1.0, draw=False).readout and plt.get_fignums() == []
