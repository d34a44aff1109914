"""Lesson 08's widget: trial size and confounding strength -> the error of each effect estimator."""

from __future__ import annotations

from .._validate import check_int, check_real
from ..fusion import compare_estimators, plot_estimator_errors
from ..plotting import fixed_figure, painted_figure
from .frame import View, WidgetFrame, slider

__all__ = ["estimators_update", "estimators_widget", "TRIAL_SIZES", "CONFOUNDING_RANGE"]

#: The trial-size slider's range (people in the randomized trial) and step.
TRIAL_SIZES = (20, 500, 20)
#: The confounding slider's range (weight of the unmeasured U on both T and Y) and step.
CONFOUNDING_RANGE = (0.0, 2.0, 0.1)


def estimators_update(trial_size: int, confounding: float, *, reps: int = 200, seed: int = 0,
                      draw: bool = True, figure=None) -> View:
    """Compare the four estimators for one trial size and one confounding strength (and draw them).

    ``values``: ``summary`` (bias, sd, RMSE per estimator, from
    :func:`causal_lessons.fusion.compare_estimators`) and ``best`` (the estimator
    with the smallest RMSE).  ``figure``: a figure an earlier call returned, drawn again (what the widget does; see
    :func:`causal_lessons.plotting.painted_figure`); by default a new one.
    """
    trial_size = check_int(trial_size, "trial_size", minimum=5)
    confounding = check_real(confounding, "confounding", minimum=0.0)
    summary = compare_estimators(trial_size, confounding, reps=reps, seed=seed)
    best = str(summary["rmse"].idxmin())
    readout = (f"trial of {trial_size}, confounding {confounding:.1f}: smallest error: {best} "
               f"(RMSE {summary.loc[best, 'rmse']:.3f}); trial RMSE {summary.loc['trial', 'rmse']:.3f}, "
               f"adjusted observational bias {summary.loc['adjusted', 'bias']:+.3f}")
    fig = None
    if draw:
        def paint(fig):
            (ax,) = fig.axes
            plot_estimator_errors(summary, ax, title=f"trial of {trial_size} people, confounding {confounding:.1f}")
            ax.set_ylim(0, max(0.9, float(summary.to_numpy().max()) * 1.1))

        fig = painted_figure(figure, lambda: fixed_figure(width=6.0, height=3.2, left=0.75, bottom=0.45, right=0.15,
                                                          top=0.35)[0], paint)
    return View(readout=readout, figure=fig, values={"summary": summary, "best": best})


def estimators_widget(trial_size: int = 100, confounding: float = 1.0):
    """Two sliders (trial size, confounding strength); the bars and the readout follow them."""
    controls = {"trial_size": slider(TRIAL_SIZES, trial_size, "trial size"),
                "confounding": slider(CONFOUNDING_RANGE, confounding, "confounding", readout_format=".1f")}
    return WidgetFrame(estimators_update, controls, name="fusion").widget
