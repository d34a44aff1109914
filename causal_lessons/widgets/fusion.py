"""Lesson 08's widget: trial size and confounding strength -> the error of each effect estimator."""

from __future__ import annotations

import matplotlib.pyplot as plt

from .._validate import check_int, check_real
from ..fusion import compare_estimators, plot_estimator_errors

__all__ = ["update_estimators", "estimators_widget", "TRIAL_SIZES", "CONFOUNDING_RANGE"]

#: The trial-size slider's range (people in the randomized trial) and step.
TRIAL_SIZES = (20, 500, 20)
#: The confounding slider's range (weight of the unmeasured U on both T and Y) and step.
CONFOUNDING_RANGE = (0.0, 2.0, 0.1)


def update_estimators(trial_size: int, confounding: float, *, reps: int = 200, seed: int = 0, ax=None) -> dict:
    """Compare the four estimators for one trial size and one confounding strength (and draw them, given ``ax``).

    Returns ``summary`` (bias, sd, RMSE per estimator, from
    :func:`causal_lessons.fusion.compare_estimators`), ``best`` (the estimator with
    the smallest RMSE) and ``text``, a one-line readout for the widget.
    """
    trial_size = check_int(trial_size, "trial_size", minimum=5)
    confounding = check_real(confounding, "confounding", minimum=0.0)
    summary = compare_estimators(trial_size, confounding, reps=reps, seed=seed)
    best = str(summary["rmse"].idxmin())
    text = (f"trial of {trial_size}, confounding {confounding:.1f}: smallest error: {best} "
            f"(RMSE {summary.loc[best, 'rmse']:.3f}); trial RMSE {summary.loc['trial', 'rmse']:.3f}, "
            f"adjusted observational bias {summary.loc['adjusted', 'bias']:+.3f}")
    if ax is not None:
        plot_estimator_errors(summary, ax, title=f"trial of {trial_size} people, confounding {confounding:.1f}")
        ax.set_ylim(0, max(0.9, float(summary.to_numpy().max()) * 1.1))
    return {"summary": summary, "best": best, "text": text}


def estimators_widget(trial_size: int = 100, confounding: float = 1.0):
    """Two sliders (trial size, confounding strength); the bars and the readout follow them."""
    import ipywidgets as widgets

    low, high, step = TRIAL_SIZES
    size_slider = widgets.IntSlider(value=trial_size, min=low, max=high, step=step, description="trial size",
                                    continuous_update=False, style={"description_width": "initial"})
    low, high, step = CONFOUNDING_RANGE
    confounding_slider = widgets.FloatSlider(value=confounding, min=low, max=high, step=step,
                                             description="confounding", continuous_update=False,
                                             readout_format=".1f", style={"description_width": "initial"})
    readout = widgets.Label()
    readout.add_class("cl-readout")
    readout.add_class("fusion-readout")
    out = widgets.Output()
    out.add_class("cl-output")
    out.add_class("fusion-output")

    def redraw(change=None):
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(6.0, 3.2))
            result = update_estimators(size_slider.value, confounding_slider.value, ax=ax)
            plt.show()
        readout.value = result["text"]

    size_slider.observe(redraw, names="value")
    confounding_slider.observe(redraw, names="value")
    redraw()
    box = widgets.VBox([widgets.HBox([size_slider, confounding_slider]), readout, out])
    box.add_class("fusion-widget")
    return box
