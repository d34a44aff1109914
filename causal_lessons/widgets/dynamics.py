"""Lesson 12's widget: clamp one variable of the house and watch it settle (or not) beside the SCM's prediction.

:func:`clamp_update` is the plain update function (tested directly): it simulates the
house with ``solve_ivp`` for two days with the chosen variable clamped, and compares the
end of the path with ``do()`` on the equilibrium SCM; when the clamped system has an
eigenvalue with a non-negative real part it says that the prediction is not where the system goes.
:func:`clamp_widget` wraps it in a dropdown and two sliders.
"""

from __future__ import annotations

from .. import dynamics as dyn
from .._validate import check_known, check_real
from .frame import View, WidgetFrame, slider

__all__ = ["CLAMP_CHOICES", "VALUE_RANGE", "GAIN_RANGE", "HOURS", "clamp_update", "clamp_widget"]

#: What the dropdown can clamp: nothing, or one of the house's variables.
CLAMP_CHOICES = ("none",) + dyn.HOUSE_VARIABLES
#: The clamp value's slider (°C for T and M, kW for H).
VALUE_RANGE = (-10.0, 30.0, 1.0)
#: The thermostat gain's slider (kW per °C); the house stops settling at 8.
GAIN_RANGE = (0.0, 12.0, 0.5)
#: How long each simulation runs (hours).
HOURS = 48.0


def clamp_update(clamped: str = "H", value: float = 10.0, gain: float = 4.0, *, draw: bool = True,
                 figure=None) -> View:
    """Simulate the house with ``clamped`` held at ``value`` and the thermostat at ``gain``.

    ``values``: ``stable``, ``max_real`` (the largest real part of the clamped system's
    eigenvalues, per hour), ``predicted`` (do() on the equilibrium SCM), ``final`` (the
    path's values after :data:`HOURS`), ``gap`` (largest difference of the two) and ``trajectory``.
    ``figure``: a figure an earlier call returned, drawn again (what the widget does; see
    :func:`causal_lessons.plotting.painted_figure`); by default a new one.
    """
    clamped = check_known(clamped, CLAMP_CHOICES, "clamped")
    value = check_real(value, "value")
    gain = check_real(gain, "gain", minimum=0.0)
    system = dyn.house(gain)
    clamp = {} if clamped == "none" else {clamped: value}
    trajectory = system.simulate(HOURS, start={"T": 5.0, "M": 5.0}, clamp=clamp)
    predicted = system.equilibrium_scm().do(clamp).solve()
    final = trajectory.final()
    stable = system.is_stable(clamp)
    eig = system.eigenvalues(clamp)
    result = {"stable": stable, "max_real": float(eig.real.max()) if eig.size else float("-inf"),
              "predicted": predicted, "final": final,
              "gap": max(abs(final[v] - predicted[v]) for v in predicted), "trajectory": trajectory}
    what = "nothing clamped" if clamped == "none" else f"do({clamped} = {value:g})"
    if stable:
        readout = (f"{what}, gain {gain:g}: settles; the SCM predicts T = {predicted['T']:.1f}, "
                   f"after {HOURS:g} h T = {final['T']:.1f}")
    else:
        readout = (f"{what}, gain {gain:g}: no stable equilibrium (an eigenvalue has real part "
                   f"{result['max_real']:+.2f} per hour): the SCM's T = {predicted['T']:.1f} is not where the house goes")
    return View(readout=readout, figure=_draw(result, what, figure) if draw else None, values=result)


def _draw(result: dict, what: str, figure=None):
    from ..plotting import COLORS, fixed_figure, painted_figure

    def make():
        fig, ax = fixed_figure(width=6.0, height=3.4, left=0.75, bottom=0.6, right=0.2, top=0.35)
        ax.set_xlabel("hours")
        ax.set_ylabel("°C (T, M), kW (H)")
        return fig

    def paint(fig):
        (ax,) = fig.axes
        tr = result["trajectory"]
        for name, color in zip(dyn.HOUSE_VARIABLES, (COLORS["vermillion"], COLORS["green"], COLORS["blue"])):
            ax.plot(tr.times, tr[name], color=color, lw=1.8, label=name)
            ax.axhline(result["predicted"][name], color=color, lw=1, ls=":")
        ax.set_ylim(-15, 60)  # one scale for every setting: a diverging path leaves the frame
        ax.set_title(f"{what}: paths (solid) and the SCM's prediction (dotted)", fontsize=10)
        ax.legend(loc="upper right", fontsize=8, ncol=3)

    return painted_figure(figure, make, paint)


def clamp_widget(clamped: str = "H", value: float = 10.0, gain: float = 4.0):
    """A dropdown (what to clamp) and two sliders (its value, the thermostat's gain) over :func:`clamp_update`."""
    import ipywidgets as widgets

    controls = {"clamped": widgets.Dropdown(options=list(CLAMP_CHOICES), value=clamped, description="clamp"),
                "value": slider(VALUE_RANGE, value, "value", readout_format=".0f"),
                "gain": slider(GAIN_RANGE, gain, "gain", readout_format=".1f")}
    return WidgetFrame(clamp_update, controls, name="dynamics").widget
