"""Checkers for the "Check yourself" exercises: one module per lesson, built on :mod:`.core`.

>>> from causal_lessons.exercises import check_number
>>> check_number(0.5, 0.5)
Correct: well done.
"""

from .core import NOT_ANSWERED, Feedback, check_choice, check_number, check_set, check_true

__all__ = ["Feedback", "check_number", "check_choice", "check_set", "check_true", "NOT_ANSWERED"]
