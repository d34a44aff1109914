"""Lesson 07's widget: how behaviour cloning's and DAgger's costs grow with the horizon, for any error rate.

:func:`error_accumulation_view` is the plain update function (tested
directly): for a per-step error ``epsilon`` and a horizon ``T`` it computes the
analytic costs and, if asked, trains behaviour cloning and DAgger on the foggy
ridge and measures them, then draws both on log-log axes.
:func:`dagger_widget` wraps it in two sliders.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import imitation as im
from .._validate import check_count

__all__ = ["ErrorAccumulationSummary", "error_accumulation_view", "dagger_widget"]


@dataclass(frozen=True)
class ErrorAccumulationSummary:
    """What :func:`error_accumulation_view` computed, at the horizon ``T`` of the slider."""

    epsilon: float
    horizon: int
    bc_analytic: float
    dagger_analytic: float
    bc_measured: float | None = None
    dagger_measured: float | None = None

    @property
    def ratio_analytic(self) -> float:
        """BC's analytic cost over DAgger's (``nan`` when both are zero)."""
        return self.bc_analytic / self.dagger_analytic if self.dagger_analytic > 0 else float("nan")

    @property
    def ratio_measured(self) -> float | None:
        """BC's measured cost over DAgger's (``None`` if not measured, ``nan`` if DAgger's is zero)."""
        if self.bc_measured is None or self.dagger_measured is None:
            return None
        return self.bc_measured / self.dagger_measured if self.dagger_measured > 0 else float("nan")

    def text(self) -> str:
        """One line for the widget and for printing."""
        line = (f"ε = {self.epsilon:.3f}, T = {self.horizon}: analysis BC {self.bc_analytic:.3g}, "
                f"DAgger {self.dagger_analytic:.3g} (ratio {self.ratio_analytic:.3g})")
        if self.bc_measured is not None:
            line += (f"; measured BC {self.bc_measured:.3g}, DAgger {self.dagger_measured:.3g} "
                     f"(ratio {self.ratio_measured:.3g})")
        return line


def error_accumulation_view(epsilon: float = 0.01, horizon: int = 100, *, measured: bool = True,
                            episodes: int = 2_000, seed: int = 0, fig=None):
    """The widget's update function: analytic (and measured) costs of BC and DAgger up to ``horizon``.

    With ``measured=True`` it trains behaviour cloning (50 expert episodes) and
    DAgger (5 iterations of 50 episodes, ``beta_i = 0.5 ** (i - 1)``) on
    :class:`~causal_lessons.imitation.FoggyRidge` at this horizon, runs each
    policy for ``episodes`` episodes, and reads the mean cost after 8 horizons
    up to ``horizon`` off the accumulated cost.  Draws on ``fig`` (a new figure
    if None) and returns ``(summary, fig)``.
    """
    from ..plotting import new_figure

    task = im.FoggyRidge(epsilon)
    horizon = check_count(horizon, "horizon")
    episodes = check_count(episodes, "episodes")
    summary_kw = {}
    points = None
    if measured:
        bc = im.behaviour_cloning(task, horizon=horizon, demonstrations=50, seed=seed)
        dg = im.dagger(task, horizon=horizon, iterations=5, rollouts=50, p=0.5, seed=seed + 1)
        marks = np.unique(np.geomspace(max(1, horizon / 16), horizon, 8).round().astype(int))
        points = {}
        for name, policy in (("BC", bc), ("DAgger", dg.policy)):
            curve = im.cumulative_cost(task, policy, horizon, episodes=episodes, seed=seed + 2)
            points[name] = (marks, curve[marks - 1])
            summary_kw[name.lower() + "_measured"] = float(curve[-1])
    summary = ErrorAccumulationSummary(task.epsilon, horizon, im.bc_expected_cost(task.epsilon, horizon),
                                       im.dagger_expected_cost(task.epsilon, horizon), **summary_kw)
    if fig is None:
        fig, ax = new_figure(width=6.0, height=3.6)
    else:
        fig.clear()
        ax = fig.subplots()
    im.plot_costs(task.epsilon, horizon, points, ax=ax)
    fig.tight_layout()
    return summary, fig


def dagger_widget(*, epsilon: float = 0.01, horizon: int = 100, measured: bool = True, episodes: int = 2_000,
                  seed: int = 0):
    """Two sliders (per-step error ε, horizon T) over :func:`error_accumulation_view`; returns the widget."""
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    eps_slider = w.FloatSlider(value=epsilon, min=0.001, max=0.1, step=0.001, description="ε (per-step error)",
                               continuous_update=False, readout_format=".3f", style={"description_width": "initial"})
    t_slider = w.IntSlider(value=horizon, min=10, max=300, step=10, description="T (horizon)",
                           continuous_update=False, style={"description_width": "initial"})
    text = w.HTML()
    text.add_class("cl-readout")
    text.add_class("dagger-readout")
    out = w.Output()
    out.add_class("cl-output")
    out.add_class("dagger-output")

    def redraw(_=None):
        summary, fig = error_accumulation_view(eps_slider.value, t_slider.value, measured=measured,
                                               episodes=episodes, seed=seed)
        text.value = summary.text()
        with out:
            out.clear_output(wait=True)
            display(fig)
        plt.close(fig)

    eps_slider.observe(redraw, names="value")
    t_slider.observe(redraw, names="value")
    redraw()
    box = w.VBox([w.HBox([eps_slider, t_slider]), text, out])
    box.add_class("dagger-widget")
    return box
