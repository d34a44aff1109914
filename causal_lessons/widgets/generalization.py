"""Lesson 10's widget: shift the new hospital's assay and watch two predictors' errors.

:func:`shift_update` is the plain update function (tested directly): it fits the
causal predictor (Exposure only) and the all-features predictor (Exposure and
Marker) on samples from the training hospital, and computes both predictors' exact
errors in the training hospital and in a hospital whose assay reads ``shift``
higher.  :func:`shift_widget` wraps it in two sliders.
"""

from __future__ import annotations

import numpy as np

from .. import generalization as gen
from .._validate import check_count, check_positive, check_real, check_seed

__all__ = ["SHIFTS", "shift_update", "shift_widget"]

#: The range of assay offsets the figure shows.
SHIFTS = np.linspace(0.0, 4.0, 41)


def shift_update(shift: float = 1.0, marker_noise: float = 0.5, *, n_train: int = 500, seed: int = 0,
                 ax=None) -> dict:
    """Train both predictors with this ``marker_noise``; their errors in and out of distribution.

    Returns a dict: ``causal_in``, ``causal_out``, ``all_in``, ``all_out`` (exact mean
    squared errors in the training hospital and in the shifted one), ``marker_weight``
    (the all-features predictor's coefficient on the marker), ``crossover`` (the shift
    at which the all-features predictor becomes worse than the causal one),
    ``predictors`` and ``summary`` (one line for the readout).  Given ``ax``, draws the
    errors of both predictors against the shift, with the current shift marked.
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
    result["summary"] = (
        f"shift {shift:.1f}, marker noise {marker_noise:.2f}: error in the training hospital "
        f"causal {result['causal_in']:.2f}, all features {result['all_in']:.2f}; "
        f"after the shift causal {result['causal_out']:.2f}, all features {result['all_out']:.2f}"
    )
    if ax is not None:
        _draw(ax, result, shift, marker_noise)
    return result


def _draw(ax, result: dict, shift: float, marker_noise: float) -> None:
    from ..plotting import COLORS

    shifts = np.union1d(SHIFTS, [shift])
    environments = {s: gen.hospital_scm(marker_noise=marker_noise, marker_offset=s) for s in shifts}
    table = gen.risk_table(result["predictors"], environments)
    for name, color, style in (("causal", COLORS["interventional"], "-"),
                               ("all features", COLORS["observational"], "--")):
        ax.plot(shifts, table[name], style, color=color, lw=2.2, label=f"{name} predictor")
        ax.plot([shift], [table.loc[shift, name]], "o", color=color, markersize=7)
    ax.axvline(shift, color=COLORS["grey"], lw=1)
    if result["crossover"] <= shifts[-1]:
        ax.axvline(result["crossover"], color=COLORS["vermillion"], lw=1, ls=":",
                   label=f"crossover at {result['crossover']:.1f}")
    ax.set_xlabel("shift: how much higher the new hospital's assay reads")
    ax.set_ylabel("mean squared error")
    ax.set_ylim(0, max(4.5, float(table.to_numpy().max()) * 1.05))  # one scale for every slider position
    ax.set_title(f"Errors after the shift (marker noise {marker_noise:.2f})")
    ax.legend(loc="upper left", fontsize=8)


def shift_widget(shift: float = 1.0, marker_noise: float = 0.5, *, n_train: int = 500, seed: int = 0):
    """Two sliders (the assay's shift, the marker's noise) over :func:`shift_update`; returns the widget."""
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    shift_slider = w.FloatSlider(value=shift, min=0.0, max=4.0, step=0.1, description="shift",
                                 continuous_update=False, readout_format=".1f")
    noise_slider = w.FloatSlider(value=marker_noise, min=0.1, max=2.0, step=0.05, description="marker noise",
                                 continuous_update=False, readout_format=".2f",
                                 style={"description_width": "initial"})
    text = w.HTML()
    text.add_class("cl-readout")
    text.add_class("generalization-readout")
    out = w.Output()
    out.add_class("cl-output")
    out.add_class("generalization-output")

    def redraw(_=None):
        fig, ax = plt.subplots(figsize=(6.0, 3.6))
        result = shift_update(shift_slider.value, noise_slider.value, n_train=n_train, seed=seed, ax=ax)
        fig.tight_layout()
        text.value = result["summary"]
        with out:
            out.clear_output(wait=True)
            display(fig)
        plt.close(fig)

    shift_slider.observe(redraw, names="value")
    noise_slider.observe(redraw, names="value")
    redraw()
    box = w.VBox([w.HBox([shift_slider, noise_slider]), text, out])
    box.add_class("generalization-widget")
    return box
