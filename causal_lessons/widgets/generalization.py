"""Lesson 10's widget: shift the new hospital's assay and watch two predictors' errors.

:func:`shift_update` is the plain update function (tested directly): it fits the
causal predictor (Exposure only) and the all-features predictor (Exposure and
Marker) on samples from the training hospital, and computes both predictors' exact
errors in the training hospital and in a hospital whose assay reads ``shift``
higher.  :func:`shift_widget` wraps it in two sliders.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .. import generalization as gen
from .._validate import check_count, check_positive, check_real, check_seed
from .frame import View, WidgetFrame, range_values, slider

__all__ = ["SHIFT_RANGE", "NOISE_RANGE", "SHIFTS", "shift_update", "shift_widget"]

#: The shift slider's range and step (how much higher the new hospital's assay reads).
SHIFT_RANGE = (0.0, 4.0, 0.1)
#: The marker-noise slider's range and step.
NOISE_RANGE = (0.1, 2.0, 0.05)
#: The assay offsets the figure shows: every position of the shift slider.
SHIFTS = range_values(SHIFT_RANGE)


def shift_update(shift: float = 1.0, marker_noise: float = 0.5, *, n_train: int = 500, seed: int = 0,
                 draw: bool = True, figure=None) -> View:
    """Train both predictors with this ``marker_noise``; their errors in and out of distribution.

    ``values``: ``causal_in``, ``causal_out``, ``all_in``, ``all_out`` (exact mean
    squared errors in the training hospital and in the shifted one), ``marker_weight``
    (the all-features predictor's coefficient on the marker), ``crossover`` (the shift
    at which the all-features predictor becomes worse than the causal one),
    and ``predictors``.  The figure: the errors of both predictors against the shift,
    with the current shift marked. ``figure``: a figure an earlier call returned, drawn again (what the
    widget does; see :func:`causal_lessons.plotting.painted_figure`); by default a new one.
    """
    shift = check_real(shift, "shift", minimum=0.0)
    marker_noise = check_positive(marker_noise, "marker_noise")
    n_train = check_count(n_train, "n_train")
    source = gen.hospital_scm(marker_noise=marker_noise)
    data = source.sample(n_train, seed=check_seed(seed))
    causal = gen.fit_least_squares(data, "Severity", ["Exposure"])
    everything = gen.fit_least_squares(data, "Severity", ["Exposure", "Marker"])
    target = gen.hospital_scm(marker_noise=marker_noise, marker_offset=shift)
    result = {
        "causal_in": gen.risk(causal, source), "causal_out": gen.risk(causal, target),
        "all_in": gen.risk(everything, source), "all_out": gen.risk(everything, target),
        "marker_weight": everything.weight("Marker"),
        "crossover": gen.crossover_shift(everything, source, "Marker", gen.risk(causal, source)),
        "predictors": {"causal": causal, "all features": everything},
    }
    readout = (f"shift {shift:.1f}, marker noise {marker_noise:.2f}: error in the training hospital "
               f"causal {result['causal_in']:.2f}, all features {result['all_in']:.2f}; "
               f"after the shift causal {result['causal_out']:.2f}, all features {result['all_out']:.2f}")
    return View(readout=readout, figure=_draw(result, shift, marker_noise, figure) if draw else None, values=result)


def _draw(result: dict, shift: float, marker_noise: float, figure=None):
    from ..plotting import fixed_figure, painted_figure

    def make():
        fig, ax = fixed_figure(width=6.0, height=3.6, left=0.7, bottom=0.6, right=0.15, top=0.35)
        ax.set_xlabel("shift: how much higher the new hospital's assay reads")
        ax.set_ylabel("mean squared error")
        return fig

    return painted_figure(figure, make, lambda fig: _paint(fig.axes[0], result, shift, marker_noise))


def _paint(ax, result: dict, shift: float, marker_noise: float) -> None:
    from ..plotting import COLORS

    shifts = np.union1d(SHIFTS, [shift])
    source = gen.hospital_scm(marker_noise=marker_noise)
    # the exact risk at every offset of the assay (gen.risk of each shifted hospital, computed at once)
    curves = {name: gen.shifted_risks(predictor, source, "Marker", shifts)
              for name, predictor in result["predictors"].items()}
    here = {"causal": result["causal_out"], "all features": result["all_out"]}
    for name, color, style in (("causal", COLORS["interventional"], "-"),
                               ("all features", COLORS["observational"], "--")):
        ax.plot(shifts, curves[name], style, color=color, lw=2.2, label=f"{name} predictor")
        ax.plot([shift], [here[name]], "o", color=color, markersize=7)
    ax.axvline(shift, color=COLORS["grey"], lw=1)
    if result["crossover"] <= shifts[-1]:
        ax.axvline(result["crossover"], color=COLORS["vermillion"], lw=1, ls=":",
                   label=f"crossover at {result['crossover']:.1f}")
    top = max(float(curve.max()) for curve in curves.values())
    ax.set_ylim(0, max(4.5, top * 1.05))  # one scale for every slider position
    ax.set_title(f"Errors after the shift (marker noise {marker_noise:.2f})")
    ax.legend(loc="upper left", fontsize=8)


def shift_widget(shift: float = 1.0, marker_noise: float = 0.5, *, n_train: int = 500, seed: int = 0):
    """Two sliders (the assay's shift, the marker's noise) over :func:`shift_update`; returns the widget."""
    controls = {"shift": slider(SHIFT_RANGE, shift, "shift", readout_format=".1f"),
                "marker_noise": slider(NOISE_RANGE, marker_noise, "marker noise", readout_format=".2f")}
    return WidgetFrame(partial(shift_update, n_train=n_train, seed=seed), controls, name="generalization").widget
