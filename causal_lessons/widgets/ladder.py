"""Lesson 01's widget: a slider for the confounding strength, seeing vs doing side by side."""

from __future__ import annotations

import numpy as np

from ..ladder import compare_rungs, tutoring_scm
from ..plotting import COLORS, fixed_figure, painted_figure
from .frame import View, WidgetFrame, slider

__all__ = ["CONFOUNDING_RANGE", "confounding_update", "confounding_widget"]

#: The slider's range and step for the Z→X weight.
CONFOUNDING_RANGE = (-2.0, 2.0, 0.1)


def confounding_update(confounding: float, *, effect: float = 0.5, n: int = 1000, seed: int = 0,
                       draw: bool = True, figure=None) -> View:
    """Seeing vs doing for one confounding strength (and, with ``draw``, the scatter with both slopes).

    ``values`` are the four slopes of :func:`causal_lessons.ladder.compare_rungs`.  ``figure``: a
    figure an earlier call returned, drawn again (what the widget does; see
    :func:`causal_lessons.plotting.painted_figure`); by default a new one.
    """
    scm = tutoring_scm(confounding=confounding, effect=effect)
    result = compare_rungs(scm, n=n, seed=seed)
    readout = (f"confounding {confounding:+.1f}: seeing slope {result['observational_exact']:.2f}, "
               f"doing slope {result['interventional_exact']:.2f}")
    fig = _draw(scm.sample(n, seed=seed), result, confounding, figure) if draw else None
    return View(readout=readout, figure=fig, values=result)


def _draw(data, result: dict, confounding: float, figure=None):
    def make():
        fig, ax = fixed_figure(width=5.5, height=3.4, left=0.7, bottom=0.55, right=0.1, top=0.3)
        ax.set_xlabel("X: hours of tutoring (standardised)")
        ax.set_ylabel("Y: exam score")
        return fig

    def paint(fig):
        (ax,) = fig.axes
        ax.scatter(data["X"], data["Y"], s=6, alpha=0.3, color=COLORS["grey"], label="observed students")
        xs = np.linspace(data["X"].min(), data["X"].max(), 2)
        ax.plot(xs, data["Y"].mean() + result["observational_exact"] * (xs - data["X"].mean()),
                color=COLORS["observational"], lw=2.5, label=f"seeing: slope {result['observational_exact']:.2f}")
        ax.plot(xs, data["Y"].mean() + result["interventional_exact"] * (xs - data["X"].mean()),
                color=COLORS["interventional"], lw=2.5, ls="--",
                label=f"doing: slope {result['interventional_exact']:.2f}")
        ax.set_title(f"Confounding strength Z→X = {confounding:+.1f}")
        ax.legend(loc="upper left", fontsize=8)

    return painted_figure(figure, make, paint)


def confounding_widget(initial: float = 1.0):
    """A slider for the Z→X weight; the plot and the readout update when it moves."""
    weight = slider(CONFOUNDING_RANGE, initial, "Z→X weight", readout_format=".1f")
    return WidgetFrame(confounding_update, {"confounding": weight}, name="ladder").widget
