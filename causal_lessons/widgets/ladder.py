"""Lesson 01's widget: a slider for the confounding strength, seeing vs doing side by side."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..ladder import compare_rungs, tutoring_scm
from ..plotting import COLORS

__all__ = ["update_confounding", "confounding_widget"]


def update_confounding(confounding: float, *, effect: float = 0.5, n: int = 1000, seed: int = 0, ax=None) -> dict:
    """Compute (and, given ``ax``, draw) seeing vs doing for one confounding strength.

    Returns the four slopes of :func:`causal_lessons.ladder.compare_rungs` plus
    ``summary``, a one-line text for the widget's readout.
    """
    scm = tutoring_scm(confounding=confounding, effect=effect)
    result = compare_rungs(scm, n=n, seed=seed)
    result["summary"] = (
        f"confounding {confounding:+.1f}: seeing slope {result['observational_exact']:.2f}, "
        f"doing slope {result['interventional_exact']:.2f}"
    )
    if ax is not None:
        data = scm.sample(n, seed=seed)
        ax.scatter(data["X"], data["Y"], s=6, alpha=0.3, color=COLORS["grey"], label="observed students")
        xs = np.linspace(data["X"].min(), data["X"].max(), 2)
        ax.plot(xs, data["Y"].mean() + result["observational_exact"] * (xs - data["X"].mean()),
                color=COLORS["observational"], lw=2.5, label=f"seeing: slope {result['observational_exact']:.2f}")
        ax.plot(xs, data["Y"].mean() + result["interventional_exact"] * (xs - data["X"].mean()),
                color=COLORS["interventional"], lw=2.5, ls="--",
                label=f"doing: slope {result['interventional_exact']:.2f}")
        ax.set_xlabel("X: hours of tutoring (standardised)")
        ax.set_ylabel("Y: exam score")
        ax.set_title(f"Confounding strength Z→X = {confounding:+.1f}")
        ax.legend(loc="upper left", fontsize=8)
    return result


def confounding_widget(initial: float = 1.0):
    """A slider for the Z→X weight; the plot and the readout update when it moves."""
    import ipywidgets as widgets

    slider = widgets.FloatSlider(value=initial, min=-2.0, max=2.0, step=0.1, description="Z→X weight",
                                 continuous_update=False, readout_format=".1f")
    readout = widgets.Label()
    readout.add_class("cl-readout")
    out = widgets.Output()
    out.add_class("cl-output")

    def redraw(change=None):
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(5.5, 3.4))
            result = update_confounding(slider.value, ax=ax)
            plt.show()
        readout.value = result["summary"]

    slider.observe(redraw, names="value")
    redraw()
    return widgets.VBox([slider, readout, out])
