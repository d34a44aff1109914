"""The example exercise of lesson 00."""

from __future__ import annotations

from ..lesson import self_check_model
from .core import Feedback, check_number, exercise

__all__ = ["check_first_exercise"]


@exercise("a number", "replace X by 2 in the equation of Y; the noise U_Y has mean 0")
def check_first_exercise(answer) -> Feedback:
    """E[Y | do(X = 2)] in the self-check model Y := 2 X + 1 + U_Y."""
    return check_number(
        answer, self_check_model().do({"X": 2.0}).mean()["Y"], tol=1e-6,
        praise="setting X to 2 gives Y = 2*2 + 1 on average: the noise averages out. This is how every exercise works.",
        hint="replace X by 2 in the equation of Y; the noise U_Y has mean 0.",
    )
