"""Lesson 00's self-check widget: a slider that sets do(X = x) in a two-variable model."""

from __future__ import annotations

from ..lesson import self_check_model

__all__ = ["self_check_model", "update_self_check", "self_check_widget"]


def update_self_check(x: float) -> str:
    """The readout for the slider value ``x``: the exact E[Y | do(X = x)]."""
    expected = self_check_model().do({"X": x}).mean()["Y"]
    return f"E[Y | do(X = {x:+.1f})] = {expected:+.1f}"


def self_check_widget(initial: float = 0.0):
    """A slider and a readout; if the readout changes when you move the slider, widgets work."""
    import ipywidgets as widgets

    slider = widgets.FloatSlider(value=initial, min=-3.0, max=3.0, step=0.5, description="do(X = x)",
                                 readout_format="+.1f")
    readout = widgets.Label(value=update_self_check(initial))
    readout.add_class("cl-readout")

    def on_change(change):
        readout.value = update_self_check(change["new"])

    slider.observe(on_change, names="value")
    return widgets.HBox([slider, readout])
