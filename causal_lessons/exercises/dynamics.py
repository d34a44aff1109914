"""Checkers for lesson 12, causality and dynamics: predict, compute, derive, and an open design challenge."""

from __future__ import annotations

import math
import numbers

import numpy as np

from .. import dynamics as dyn
from .core import Feedback, check_choice, check_number, exercise, unanswered

__all__ = ["DIRECTIONS", "check_clamp_prediction", "check_clamped_temperature", "check_critical_gain",
           "check_stable_design"]

#: The answers exercise 1 accepts.
DIRECTIONS = ("warmer", "colder", "the same")


def _scalar(answer):
    """A number from a plain or numpy scalar (or a one-element array); None if it is not one."""
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if isinstance(answer, np.generic):
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real) or not math.isfinite(float(answer)):
        return None
    return float(answer)


@exercise("a word for how the room's settled temperature changes", "follow the loop: what does the heater do when the thermometer reads low?")
def check_clamp_prediction(answer, thermometer: float = 15.0, gain: float = 4.0) -> Feedback:
    """Exercise 1 (predict): does the room settle warmer or colder when the thermometer is held at ``thermometer``?"""
    if (fb := unanswered(answer)) is not None:
        return fb
    if not isinstance(answer, str):
        return Feedback(False, f"the answer should be one of {', '.join(map(repr, DIRECTIONS))} (a string), "
                               f"got a {type(answer).__name__}.")
    home = dyn.house(gain)
    base, clamped = home.equilibrium()["T"], home.equilibrium({"M": thermometer})["T"]
    expected = "warmer" if clamped > base + 1e-9 else "colder" if clamped < base - 1e-9 else "the same"
    return check_choice(answer, expected, DIRECTIONS,
                        praise="the thermostat believes the room is cold, so it heats harder: the loop acts on "
                               "what it measures, not on the room.",
                        hint="follow the loop: what does the heater do when the thermometer reads below the setpoint?")


@exercise("a temperature (a number, in degrees)", "replace H's equation by its clamped value, then solve T's equation")
def check_clamped_temperature(answer, heater: float = 6.0, gain: float = 4.0) -> Feedback:
    """Exercise 2 (compute): where T settles under do(H = heater), from the equilibrium SCM's equations."""
    expected = dyn.house(gain).equilibrium_scm().do({"H": heater}).solve()["T"]
    return check_number(answer, expected, tol=1e-3,
                        praise="clamping H cuts the loop: T's equation alone gives the answer.",
                        hint="replace H's equation by its clamped value, then solve T's equation (M follows T).")


@exercise("a gain (a positive number)", "find the gain where the largest real part of the eigenvalues is zero")
def check_critical_gain(answer, **house_options) -> Feedback:
    """Exercise 3 (derive): the gain at which the house with these rates stops settling."""
    expected = dyn.critical_gain(**house_options)
    return check_number(answer, expected, tol=0.01, relative=True,
                        praise="beyond this gain an eigenvalue's real part crosses zero: the house oscillates "
                               "ever more strongly.",
                        hint="look for the gain where the largest real part of the eigenvalues is exactly zero "
                             "(bisection with dyn.house(gain, ...).is_stable() works).")


@exercise("two positive rates (numbers, per hour)", "faster sensing and a slower heater both calm the loop",
          answers=("heater_rate", "thermometer_rate"))
def check_stable_design(heater_rate, thermometer_rate, gain: float = 12.0, band: float = 0.5,
                        hours: float = 24.0) -> Feedback:
    """Exercise 4 (open): any heater and thermometer rates for which the gain-12 house settles within ``hours``."""
    for name, value in (("heater_rate", heater_rate), ("thermometer_rate", thermometer_rate)):
        if (fb := unanswered(value)) is not None:
            return Feedback(False, f"{name}: {fb.message}")
        number = _scalar(value)
        if number is None:
            return Feedback(False, f"{name} should be a single finite number, got {type(value).__name__}.")
        if not 0 < number <= 100:
            return Feedback(False, f"{name} should be a rate per hour between 0 (excluded) and 100, got {number:g}.")
    home = dyn.house(gain, heater_rate=_scalar(heater_rate), thermometer_rate=_scalar(thermometer_rate))
    if not home.is_stable():
        return Feedback(False, "with these rates the house still has an eigenvalue with a non-negative real part: "
                               "it never settles. Which lag in the loop could be shorter?")
    target = home.equilibrium()["T"]
    path = home.simulate(2 * hours, start={"T": 5.0, "M": 5.0}, points=481)
    when = dyn.settling_time(path, "T", target, band=band)
    if when > hours:
        return Feedback(False, f"stable now, but T takes {when:.0f} h to stay within {band:g} °C: faster still.")
    return Feedback(True, f"T settles within {band:g} °C in {when:.1f} h; the equilibrium SCM is the same as before "
                          "(these rates do not enter it): only the dynamics could tell the two houses apart.")
