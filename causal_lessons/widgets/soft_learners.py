"""Lesson 11's widget: choose a broken assumption and dial its strength; see the three players' scores.

:func:`breaks_update` is the plain update function (tested directly): it reads the
shipped results (:func:`causal_lessons.soft_learners.load_results`: nothing is
trained or played here), draws the rigid solver's, the soft learner's and the
tool user's scores against the strength of the chosen world (bands: the training
seeds' range; the rigid solver's, its 95% interval over test episodes) with the
chosen strength marked, and reports the three scores there.
:func:`breaks_widget` wraps it in two dropdowns and a slider.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .. import soft_learners as sl
from .._validate import check_probability
from ..plotting import fixed_figure, painted_figure
from .frame import View, WidgetFrame, slider

__all__ = ["KIND_CHOICES", "REGIME_CHOICES", "STRENGTH_RANGE", "breaks_update", "breaks_widget"]

#: The broken assumptions the dropdown offers.
KIND_CHOICES = sl.WORLD_KINDS
#: The learners' training distribution: a mix of worlds, or the game as designed only.
REGIME_CHOICES = tuple(sl.REGIMES)[::-1]
#: The strength slider: the strengths the experiment measured.
STRENGTH_RANGE = (0.0, 1.0, 0.1)


@functools.lru_cache(maxsize=1)
def _shipped() -> dict[str, Any]:
    return sl.load_results()


def _check_choice(value: Any, options, name: str) -> str:
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(repr(o) for o in options)}, got {value!r}.")
    return value


def breaks_update(kind: str = "hidden", strength: float = 0.5, regime: str = "varied", *,
                  results: dict | None = None, draw: bool = True, figure=None) -> View:
    """The three players in the world ``kind`` at ``strength``, learners trained on ``regime``.

    ``values``: ``kind``, ``strength``, ``regime``, ``world`` (what the setting
    does, in words), ``scores`` ({player: (mean, min, max)} at this strength),
    ``verdicts`` ({player: verdict at strength 1}), ``best_of_both_seeds`` (in
    how many seeds the tool user is within 0.02 of the better of the other two
    here) and ``seeds``.  ``results``: the shipped results when None.  ``figure``: a figure an earlier
    call returned, drawn again (what the widget does; see
    :func:`causal_lessons.plotting.painted_figure`); by default a new one.
    """
    kind = _check_choice(kind, KIND_CHOICES, "kind")
    regime = _check_choice(regime, REGIME_CHOICES, "regime")
    strength = round(check_probability(strength, "strength"), 2)
    results = _shipped() if results is None else sl.check_results(results)
    players = {"rigid": "rigid"} | {learner: sl.player_key(learner, regime) for learner in sl.LEARNERS}
    scores, verdicts = {}, {}
    for name, key in players.items():
        curve = sl.world_curve(results, kind, key)
        hits = np.flatnonzero(np.isclose(curve["strengths"], strength))
        if not hits.size:
            raise ValueError(f"strength must be one of the measured ones, "
                             f"{', '.join(f'{s:g}' for s in curve['strengths'])}; got {strength:g}.")
        i = int(hits[0])
        scores[name] = (float(curve["mean"][i]), float(curve["min"][i]), float(curve["max"][i]))
        verdicts[name] = sl.verdict(curve["mean"][0], curve["mean"][-1])
    both = sl.best_of_both(results, kind, regime)
    n_ok = int(both["seeds_ok"][np.isclose(both["strengths"], strength)][0])
    world = sl.World(kind, strength).describe() if strength > 0 else sl.World().describe()
    readout = (f"{world}. Scores (share of the best gain): "
               + "; ".join(f"{sl.LEARNER_LABELS[name]} {m:.2f} [{lo:.2f}, {hi:.2f}]"
                           for name, (m, lo, hi) in scores.items())
               + f". Tool user within 0.02 of the better of the other two in {n_ok} of {both['seeds']} seeds.")
    values = {"kind": kind, "strength": strength, "regime": regime, "world": world, "scores": scores,
              "verdicts": verdicts, "best_of_both_seeds": n_ok, "seeds": both["seeds"]}
    return View(readout=readout, figure=_draw(results, kind, regime, strength, figure) if draw else None,
                values=values)


def _draw(results: dict, kind: str, regime: str, strength: float, figure=None):
    def paint(fig):
        ax = fig.axes[0]
        sl.plot_world_scores(results, kind, regime, ax, mark=strength, markers=False,
                             title=f"{sl.KIND_LABELS[kind]} (learners trained on: {regime} worlds)")
        ax.set_ylim(-0.05, 1.05)  # one scale for every setting
        ax.legend(fontsize=7, loc="lower left")

    # margins in inches, fixed when the figure is made: no layout pass at every move
    return painted_figure(figure, lambda: fixed_figure(width=5.6, height=3.2, left=0.67, bottom=0.48, right=0.11,
                                                        top=0.32)[0], paint)


def breaks_widget(kind: str = "hidden", strength: float = 0.5, regime: str = "varied"):
    """Two dropdowns (the broken assumption, the learners' training worlds) and a strength slider over
    :func:`breaks_update`."""
    import ipywidgets as widgets

    controls = {"kind": widgets.Dropdown(options=list(KIND_CHOICES), value=kind, description="world"),
                "strength": slider(STRENGTH_RANGE, strength, "strength", readout_format=".1f"),
                "regime": widgets.Dropdown(options=list(REGIME_CHOICES), value=regime, description="trained on")}
    return WidgetFrame(breaks_update, controls, name="soft_learners").widget
