"""Lesson 00's self-check widget: a slider that sets do(X = x) in a two-variable model."""

from __future__ import annotations

from ..lesson import self_check_model
from .frame import View, WidgetFrame, slider

__all__ = ["self_check_model", "X_RANGE", "self_check_update", "self_check_widget"]

#: The slider's range and step for x.
X_RANGE = (-3.0, 3.0, 0.5)


def self_check_update(x: float) -> View:
    """The update for the slider value ``x``: the exact E[Y | do(X = x)] (``values["expected"]``), no figure."""
    expected = self_check_model().do({"X": x}).mean()["Y"]
    return View(readout=f"E[Y | do(X = {x:+.1f})] = {expected:+.1f}", values={"x": x, "expected": expected})


def self_check_widget(initial: float = 0.0):
    """A slider and a readout; if the readout changes when you move the slider, widgets work."""
    x = slider(X_RANGE, initial, "do(X = x)", readout_format="+.1f", continuous=True)
    return WidgetFrame(self_check_update, {"x": x}, name="start").widget
