"""The machinery behind every "Check yourself" exercise.

A checker compares a student's answer with a value the package computes (never
a hard-coded number), and returns :class:`Feedback`: a short verdict, and a hint
when the answer is not right yet.  A hint never reveals the answer.

In a notebook the feedback is the cell's last expression, so it is displayed::

    answer = ...
    check_total_effect(scm, "X", "Y", answer)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Feedback", "check_number", "check_choice", "check_set", "check_true", "check_labels", "NOT_ANSWERED",
           "unanswered"]

#: What a student copy's placeholder leaves; checkers treat it as "not answered yet".
NOT_ANSWERED = ...


@dataclass(frozen=True)
class Feedback:
    """The result of a check: ``correct`` and a message for the student."""

    correct: bool
    message: str

    def __repr__(self) -> str:
        mark = "Correct" if self.correct else "Not yet"
        return f"{mark}: {self.message}"

    def __bool__(self) -> bool:
        return self.correct


def unanswered(answer: Any) -> Feedback | None:
    """The feedback for a missing answer (``...`` or None), else None: every checker starts with it."""
    if answer is NOT_ANSWERED or answer is None:
        return Feedback(False, "no answer yet: replace the ... with your answer and run the cell again.")
    return None


def check_number(answer: Any, expected: float, *, tol: float = 1e-2, relative: bool = False,
                 praise: str = "well done.", hint: str = "") -> Feedback:
    """Is ``answer`` a number within ``tol`` of ``expected`` (absolute, or relative with ``relative=True``)?"""
    if (fb := unanswered(answer)) is not None:
        return fb
    if isinstance(answer, np.ndarray) and answer.size == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return Feedback(False, f"the answer should be a single number, but it is a {type(answer).__name__}. {hint}".strip())
    if not math.isfinite(float(answer)):
        return Feedback(False, f"the answer should be a finite number, got {answer}. {hint}".strip())
    err = abs(float(answer) - float(expected))
    bound = tol * max(abs(float(expected)), 1e-12) if relative else tol
    if err <= bound:
        return Feedback(True, praise)
    return Feedback(False, hint or "not quite; check your working and try again.")


def check_choice(answer: Any, expected: Any, options: Iterable[Any], *, praise: str = "well done.",
                 hint: str = "") -> Feedback:
    """Is ``answer`` the right one of ``options``?  An answer outside the options is pointed out."""
    if (fb := unanswered(answer)) is not None:
        return fb
    options = list(options)
    if answer not in options:
        shown = ", ".join(repr(o) for o in options)
        return Feedback(False, f"the answer should be one of {shown}; got {answer!r}.")
    if answer == expected:
        return Feedback(True, praise)
    return Feedback(False, hint or "not this one; think again.")


def check_set(answer: Any, expected: Iterable[Any], *, praise: str = "well done.", hint: str = "") -> Feedback:
    """Does the collection ``answer`` hold exactly the expected items (order ignored)?"""
    if (fb := unanswered(answer)) is not None:
        return fb
    if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable):
        return Feedback(False, "the answer should be a collection such as a set or a list.")
    answer, expected = set(answer), set(expected)
    if answer == expected:
        return Feedback(True, praise)
    if answer < expected:
        return Feedback(False, (hint + " " if hint else "") + "something is missing.")
    if answer > expected:
        return Feedback(False, (hint + " " if hint else "") + "there is something extra.")
    return Feedback(False, hint or "not quite; check each item.")


def check_true(condition: bool, *, praise: str = "well done.", hint: str = "not quite.") -> Feedback:
    """Wrap a condition the lesson's checker computed into Feedback."""
    return Feedback(bool(condition), praise if condition else hint)


def check_labels(answers: Any, expected: Mapping[str, Any], options: Iterable[Any], *, label: str, fill: str,
                 praise: str, hint: str) -> Feedback:
    """A labelling exercise: ``answers`` maps each question (a key of ``expected``) to one of ``options``.

    ``label`` names what a question gets ("rung"), ``fill`` how to ask for it
    ("a rung (1, 2 or 3)"); a wrong set of answers is told how many are wrong
    and sent back to the first of them, with ``hint``; the right ones are not revealed.
    """
    if answers is NOT_ANSWERED or answers is None:
        return Feedback(False, f"no answer yet: fill in {fill} for every question.")
    if not isinstance(answers, Mapping):
        return Feedback(False, f"the answer should be a dict {{question: {label}}}.")
    missing = [q for q in expected if q not in answers]
    if missing:
        return Feedback(False, f"{len(missing)} question(s) have no {label} yet.")
    wrong = [q for q, right in expected.items() if answers[q] != right]
    if not wrong:
        return Feedback(True, praise)
    first = wrong[0]
    reply = check_choice(answers[first], expected[first], options)
    return Feedback(False, f"{len(wrong)} of {len(expected)} are not right yet. Look again at: "
                           f"{first!r} ({reply.message}) {hint}")
