"""Lesson 07's widget: how behaviour cloning's and DAgger's costs grow with the horizon, for any error rate.

:func:`error_accumulation_update` is the plain update function (tested
directly): for a per-step error ``epsilon`` and a horizon ``T`` it computes the
analytic costs and, if asked, trains behaviour cloning and DAgger on the foggy
ridge and measures them, then draws both on log-log axes.
:func:`dagger_widget` wraps it in two sliders.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .. import imitation as im
from .._validate import check_count
from .frame import View, WidgetFrame, slider

__all__ = ["EPSILON_RANGE", "HORIZON_RANGE", "error_accumulation_update", "dagger_widget"]

#: The per-step error slider's range and step.
EPSILON_RANGE = (0.001, 0.1, 0.001)
#: The horizon slider's range and step.
HORIZON_RANGE = (10, 300, 10)


def _ratio(bc: float | None, dagger: float | None) -> float | None:
    """BC's cost over DAgger's (``None`` if not measured, ``nan`` if DAgger's is zero)."""
    if bc is None or dagger is None:
        return None
    return bc / dagger if dagger > 0 else float("nan")


def error_accumulation_update(epsilon: float = 0.01, horizon: int = 100, *, measured: bool = True,
                              episodes: int = 2_000, seed: int = 0, draw: bool = True, figure=None) -> View:
    """The analytic (and measured) costs of BC and DAgger up to ``horizon``, and their curves.

    With ``measured=True`` it trains behaviour cloning (50 expert episodes) and
    DAgger (5 iterations of 50 episodes, ``beta_i = 0.5 ** (i - 1)``) on
    :class:`~causal_lessons.imitation.FoggyRidge` at this horizon, runs each
    policy for ``episodes`` episodes, and reads the mean cost after 8 horizons
    up to ``horizon`` off the accumulated cost.  ``values``: ``epsilon``,
    ``horizon``, ``bc_analytic``, ``dagger_analytic``, ``ratio_analytic`` (BC's
    over DAgger's, ``nan`` when both are zero) and ``bc_measured``,
    ``dagger_measured``, ``ratio_measured`` (None unless measured). ``figure``: a figure an earlier call
    returned, drawn again (what the widget does; see :func:`causal_lessons.plotting.painted_figure`); by
    default a new one.
    """
    from ..plotting import fixed_figure, painted_figure

    task = im.FoggyRidge(epsilon)
    horizon = check_count(horizon, "horizon")
    episodes = check_count(episodes, "episodes")
    measures = {"bc_measured": None, "dagger_measured": None}
    points = None
    if measured:
        bc = im.behaviour_cloning(task, horizon=horizon, demonstrations=50, seed=seed)
        dg = im.dagger(task, horizon=horizon, iterations=5, rollouts=50, p=0.5, seed=seed + 1)
        marks = np.unique(np.geomspace(max(1, horizon / 16), horizon, 8).round().astype(int))
        points = {}
        # both policies on the same episodes (one seed): the bends and the fog are drawn once
        curves = im.cumulative_costs(task, {"BC": bc, "DAgger": dg.policy}, horizon, episodes=episodes, seed=seed + 2)
        for name, curve in curves.items():
            points[name] = (marks, curve[marks - 1])
            measures[name.lower() + "_measured"] = float(curve[-1])
    bc_analytic = im.bc_expected_cost(task.epsilon, horizon)
    dagger_analytic = im.dagger_expected_cost(task.epsilon, horizon)
    values = {"epsilon": task.epsilon, "horizon": horizon, "bc_analytic": bc_analytic,
              "dagger_analytic": dagger_analytic, "ratio_analytic": _ratio(bc_analytic, dagger_analytic), **measures,
              "ratio_measured": _ratio(measures["bc_measured"], measures["dagger_measured"])}
    readout = (f"ε = {task.epsilon:.3f}, T = {horizon}: analysis BC {bc_analytic:.3g}, "
               f"DAgger {dagger_analytic:.3g} (ratio {values['ratio_analytic']:.3g})")
    if measured:
        readout += (f"; measured BC {values['bc_measured']:.3g}, DAgger {values['dagger_measured']:.3g} "
                    f"(ratio {values['ratio_measured']:.3g})")
    fig = None
    if draw:
        fig = painted_figure(figure, lambda: fixed_figure(width=6.0, height=3.6, left=0.8, bottom=0.6, right=0.2,
                                                          top=0.35)[0],
                             lambda fig: im.plot_costs(task.epsilon, horizon, points, ax=fig.axes[0]))
    return View(readout=readout, figure=fig, values=values)


def dagger_widget(*, epsilon: float = 0.01, horizon: int = 100, measured: bool = True, episodes: int = 2_000,
                  seed: int = 0):
    """Two sliders (per-step error ε, horizon T) over :func:`error_accumulation_update`; returns the widget."""
    controls = {"epsilon": slider(EPSILON_RANGE, epsilon, "ε (per-step error)", readout_format=".3f"),
                "horizon": slider(HORIZON_RANGE, horizon, "T (horizon)")}
    update = partial(error_accumulation_update, measured=measured, episodes=episodes, seed=seed)
    return WidgetFrame(update, controls, name="dagger").widget
