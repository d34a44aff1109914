"""The machinery behind every "Check yourself" exercise.

A checker compares a student's answer with a value the package computes (never
a hard-coded number), and returns :class:`Feedback`: a short verdict, and a hint
when the answer is not right yet.  A hint never reveals the answer.

In a notebook the feedback is the cell's last expression, so it is displayed::

    answer = ...
    check_total_effect(scm, "X", "Y", answer)

Every checker is declared with :func:`exercise`, which gives it the two promises
the student copies rely on:

* an answer left as ``...`` (what a student copy's stub leaves) gets
  "Not answered yet: replace the `...` with <what>; hint: <hint>";
* any other Python value gets feedback, never a traceback from inside the
  checker: the readers below (:func:`as_number`, :func:`as_label`,
  :func:`as_items`, ...) accept every reasonable form of an answer (numpy
  scalars and arrays, tuples, lists and sets, labels in any case, ``->`` for
  ``→``) and turn the rest into a message that says what was expected.

>>> check_number(np.float64(0.5), 0.5)
Correct: well done.
>>> check_choice(" Neither ", "neither", ["X→Y", "Y→X", "neither"])
Correct: well done.
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Feedback", "check_number", "check_choice", "check_set", "check_true", "check_labels", "NOT_ANSWERED",
           "unanswered", "not_answered", "exercise", "checkers", "as_number", "as_whole_number", "as_label",
           "as_items", "as_names", "as_pair", "as_edges", "normalize_label", "Unreadable"]

#: What a student copy's placeholder leaves; checkers treat it as "not answered yet".
NOT_ANSWERED = ...


@dataclass(frozen=True)
class Feedback:
    """The result of a check: ``correct``, a message for the student, and whether there was an answer at all."""

    correct: bool
    message: str
    answered: bool = True

    def __repr__(self) -> str:
        if not self.answered:
            return self.message
        mark = "Correct" if self.correct else "Not yet"
        return f"{mark}: {self.message}"

    def __bool__(self) -> bool:
        return self.correct


def not_answered(what: str, hint: str) -> Feedback:
    """The feedback for an exercise left unanswered: what to put in place of the ``...``, and a hint."""
    hint = hint.strip().rstrip(".")
    return Feedback(False, f"Not answered yet: replace the `...` with {what}; hint: {hint}.", answered=False)


def unanswered(answer: Any, what: str = "your answer", hint: str = "run the cell again when it is filled in"
               ) -> Feedback | None:
    """:func:`not_answered` for a missing answer (``...`` or None), else None."""
    if answer is NOT_ANSWERED or answer is None:
        return not_answered(what, hint)
    return None


class Unreadable(ValueError):
    """An answer that cannot be read as what the exercise asks for; the message says what was expected."""


def _kind(value: Any) -> str:
    return type(value).__name__


def as_number(answer: Any) -> float:
    """A finite real number from an int, float, numpy scalar or one-element array; else :class:`Unreadable`."""
    if isinstance(answer, np.ndarray) or (isinstance(answer, (list, tuple)) and len(answer) == 1):
        array = np.asarray(answer, dtype=object)
        if array.size != 1:
            raise Unreadable("the answer should be a single number, but it holds " + ("no value." if array.size == 0 else "several values."))
        answer = array.reshape(-1)[0]
    if isinstance(answer, np.generic):
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Unreadable(f"the answer should be a single number, but it is a {_kind(answer)}.")
    try:
        value = float(answer)
    except OverflowError:
        raise Unreadable("the answer should be a number of sensible size; this one is too large to compute with.")
    if not math.isfinite(value):
        raise Unreadable(f"the answer should be a finite number, got {value}.")
    return value


def as_whole_number(answer: Any) -> int:
    """A whole number from an int, a numpy integer, or a float (or numpy float) with no fractional part."""
    value = as_number(answer)
    if not value.is_integer():
        raise Unreadable(f"the answer should be a whole number, got {value:g}.")
    raw = answer.item() if isinstance(answer, np.generic) else answer
    return int(raw) if isinstance(raw, numbers.Integral) and not isinstance(raw, bool) else int(value)


def normalize_label(text: str) -> str:
    """A label as compared: case and surrounding space ignored, inner space collapsed, ``->`` read as ``→``."""
    text = " ".join(str(text).replace("->", "→").split()).casefold()
    return text.replace(" → ", "→").replace("→ ", "→").replace(" →", "→")


def as_label(answer: Any, options: Iterable[Any]) -> Any:
    """The option that ``answer`` names (see :func:`normalize_label`; ``2``, ``2.0`` and ``"2"`` name 2)."""
    options = list(options)
    if isinstance(answer, np.generic):
        answer = answer.item()
    for option in options:
        if isinstance(option, str):
            if isinstance(answer, str) and normalize_label(answer) == normalize_label(option):
                return option
        elif isinstance(option, numbers.Real) and not isinstance(option, bool):
            try:
                if isinstance(answer, str):
                    number = float(answer.strip())
                elif isinstance(answer, bool) or not isinstance(answer, numbers.Real):
                    continue
                else:
                    number = float(answer)
            except (ValueError, OverflowError):
                continue
            if number == option:
                return option
        elif answer == option:
            return option
    shown = ", ".join(repr(o) for o in options)
    raise Unreadable(f"the answer should be one of {shown}; got {_brief(answer)}.")


def _brief(value: Any, limit: int = 60) -> str:
    try:
        text = repr(value)
    except Exception:  # a value whose repr fails still gets feedback
        text = f"a {_kind(value)}"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _hashable(item: Any) -> Any:
    if isinstance(item, np.generic):
        return item.item()
    if isinstance(item, (list, tuple, np.ndarray)):
        return tuple(_hashable(i) for i in item)
    try:
        hash(item)
    except TypeError:
        raise Unreadable(f"the answer holds a {_kind(item)}, which cannot be an item of a set.")
    return item


def as_items(answer: Any, what: str = "a set, such as {'A', 'B'} (or set() for none)") -> set:
    """The items of a collection answer (set, frozenset, list, tuple, numpy array); lists inside become tuples."""
    if isinstance(answer, (str, bytes, Mapping)) or not isinstance(answer, (set, frozenset, list, tuple, np.ndarray)):
        raise Unreadable(f"the answer should be {what}, but it is a {_kind(answer)}.")
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        raise Unreadable(f"the answer should be {what}, but it is a single value.")
    return {_hashable(item) for item in answer}


def as_names(answer: Any, names: Iterable[Any], what: str = "a set of variable names, such as {'A', 'B'} "
             "(or set() for none)") -> set:
    """A collection of names (see :func:`as_items`), each matched to one of ``names`` as a label (case ignored)."""
    names = list(names)
    items = as_items(answer, what)
    known = {normalize_label(n): n for n in names}
    found, unknown = set(), []
    for item in items:
        name = known.get(normalize_label(item)) if isinstance(item, str) else None
        if name is None:
            unknown.append(_brief(item, 20))
        else:
            found.add(name)
    if unknown:
        raise Unreadable(f"{', '.join(sorted(unknown))} is not a variable here; the variables are "
                         f"{', '.join(str(n) for n in names)}.")
    return found


def as_pair(answer: Any, what: str) -> tuple[Any, Any]:
    """A two-item tuple, list or array; else :class:`Unreadable` naming ``what``."""
    if isinstance(answer, np.ndarray):
        answer = answer.tolist()
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise Unreadable(f"the answer should be {what}, got {_brief(answer)}.")
    return answer[0], answer[1]


def as_edges(answer: Any, names: Iterable[Any]) -> dict[tuple[Any, Any], float]:
    """A causal graph written as a dict ``{(cause, effect): weight}``: keys as pairs of names (labels, see
    :func:`as_label`) or ``"A->B"`` strings, weights as numbers; else :class:`Unreadable`.

    >>> as_edges({("a", "B"): 1, "B->C": np.int64(-1)}, "ABC")
    {('A', 'B'): 1.0, ('B', 'C'): -1.0}
    """
    names = list(names)
    if not isinstance(answer, Mapping):
        raise Unreadable("the edges should be a dict {(cause, effect): weight}, such as {('A', 'B'): 1}; got "
                         f"a {_kind(answer)}.")
    read = {}
    for key, weight in answer.items():
        if isinstance(key, str) and "→" in normalize_label(key):
            key = tuple(part.strip() for part in str(key).replace("->", "→").split("→"))
        cause, effect = as_pair(key, "a (cause, effect) pair of names such as ('A', 'B')")
        pair = (as_label(cause, names), as_label(effect, names))
        try:
            read[pair] = as_number(weight)
        except Unreadable as exc:
            raise Unreadable(f"the weight of {pair[0]}→{pair[1]}: {exc}")
    return read


def check_number(answer: Any, expected: float, *, tol: float = 1e-2, relative: bool = False,
                 praise: str = "well done.", hint: str = "") -> Feedback:
    """Is ``answer`` a number within ``tol`` of ``expected`` (absolute, or relative with ``relative=True``)?"""
    if (fb := unanswered(answer, "a number", hint or "work it out, then run the cell again")) is not None:
        return fb
    try:
        value = as_number(answer)
    except Unreadable as exc:
        return Feedback(False, f"{exc} {hint}".strip())
    err = abs(value - float(expected))
    bound = tol * max(abs(float(expected)), 1e-12) if relative else tol
    if err <= bound:
        return Feedback(True, praise)
    return Feedback(False, hint or "not quite; check your working and try again.")


def check_choice(answer: Any, expected: Any, options: Iterable[Any], *, praise: str = "well done.",
                 hint: str = "") -> Feedback:
    """Is ``answer`` the right one of ``options``?  An answer outside the options is pointed out."""
    options = list(options)
    shown = ", ".join(repr(o) for o in options)
    if (fb := unanswered(answer, f"one of {shown}", hint or "think it through, then run the cell again")) is not None:
        return fb
    try:
        chosen = as_label(answer, options)
    except Unreadable as exc:
        return Feedback(False, str(exc))
    if chosen == expected:
        return Feedback(True, praise)
    return Feedback(False, hint or "not this one; think again.")


def check_set(answer: Any, expected: Iterable[Any], *, praise: str = "well done.", hint: str = "",
              what: str = "a set, such as {'A', 'B'} (or set() for none)") -> Feedback:
    """Does the collection ``answer`` hold exactly the expected items (order ignored)?

    Items that are strings are compared as labels (:func:`normalize_label`).
    """
    if (fb := unanswered(answer, what, hint or "go through the items one by one")) is not None:
        return fb
    try:
        items = as_items(answer, what)
    except Unreadable as exc:
        return Feedback(False, str(exc))
    expected = set(expected)

    def key(item: Any) -> Any:
        if isinstance(item, str):
            return normalize_label(item)
        if isinstance(item, tuple):
            return tuple(key(i) for i in item)
        return item

    answer_keys, expected_keys = {key(i) for i in items}, {key(i) for i in expected}
    if answer_keys == expected_keys:
        return Feedback(True, praise)
    if answer_keys < expected_keys:
        return Feedback(False, (hint + " " if hint else "") + "something is missing.")
    if answer_keys > expected_keys:
        return Feedback(False, (hint + " " if hint else "") + "there is something extra.")
    return Feedback(False, hint or "not quite; check each item.")


def check_true(condition: bool, *, praise: str = "well done.", hint: str = "not quite.") -> Feedback:
    """Wrap a condition the lesson's checker computed into Feedback."""
    return Feedback(bool(condition), praise if condition else hint)


def check_labels(answers: Any, expected: Mapping[str, Any], options: Iterable[Any], *, label: str, fill: str,
                 praise: str, hint: str) -> Feedback:
    """A labelling exercise: ``answers`` maps each question (a key of ``expected``) to one of ``options``.

    ``answers`` may also be a list or tuple of labels, one per question in
    order.  ``label`` names what a question gets ("rung"), ``fill`` how to ask
    for it ("a rung (1, 2 or 3)"); a wrong set of answers is told how many are
    wrong and sent back to the first of them, with ``hint``; the right ones
    are not revealed.
    """
    questions = list(expected)
    if (fb := unanswered(answers, f"a dict {{question: {label}}} giving {fill} for every question",
                         hint)) is not None:
        return fb
    if isinstance(answers, (list, tuple, np.ndarray)) and not isinstance(answers, str):
        answers = list(answers)
        if len(answers) != len(questions):
            return Feedback(False, f"a list of answers needs one {label} per question, in order: "
                                   f"{len(questions)} of them, got {len(answers)}.")
        answers = dict(zip(questions, answers))
    if not isinstance(answers, Mapping):
        return Feedback(False, f"the answer should be a dict {{question: {label}}}, but it is a {_kind(answers)}.")
    by_text = {}
    for key, value in answers.items():
        by_text[normalize_label(key) if isinstance(key, str) else key] = value
    missing = [q for q in questions if normalize_label(q) not in by_text]
    if missing:
        return Feedback(False, f"{len(missing)} question(s) have no {label} yet.")
    given = {q: by_text[normalize_label(q)] for q in questions}
    replies = {q: check_choice(given[q], expected[q], options) for q in questions}
    wrong = [q for q in questions if not replies[q].correct]
    if not wrong:
        return Feedback(True, praise)
    first = wrong[0]
    reply = replies[first]
    said = reply.message if not reply.answered else (reply.message if "should be" in reply.message else "not this one")
    return Feedback(False, f"{len(wrong)} of {len(questions)} are not right yet. Look again at: "
                           f"{first!r} ({said}) {hint}")


#: Every checker declared with :func:`exercise`, by name (``module.function``).
_CHECKERS: dict[str, Callable[..., Feedback]] = {}


def checkers() -> dict[str, Callable[..., Feedback]]:
    """Every checker declared with :func:`exercise` so far, by ``module.name`` (import the modules first)."""
    return dict(_CHECKERS)


def exercise(what: str, hint: str, *, answers: tuple[str, ...] = ("answer",)) -> Callable:
    """Declare a checker: ``what`` the answer is ("a number", "a set of names"), and a hint for a student
    who has not started.

    The checker's parameters named in ``answers`` are the student's answers.
    If one of them is ``...`` (or None), the checker is not run and returns
    :func:`not_answered`.  If the checker raises while reading an answer, the
    student gets a message that says what was expected instead of a
    traceback; an error in the lesson's own objects (not in the answer) still
    raises, so a wrong call is not hidden.  (To tell the two apart the checker
    is called once more with every answer replaced by ``...``-free nonsense
    it must survive; an exception there is the lesson's.)
    """

    def wrap(function: Callable[..., Feedback]) -> Callable[..., Feedback]:
        signature = inspect.signature(function)
        for name in answers:
            if name not in signature.parameters:
                raise TypeError(f"answers: {function.__name__} has no parameter {name!r}.")

        @functools.wraps(function)
        def checker(*args: Any, **kwargs: Any) -> Feedback:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            for name in answers:
                if bound.arguments[name] is NOT_ANSWERED or bound.arguments[name] is None:
                    return not_answered(what, hint)
            try:
                return function(*bound.args, **bound.kwargs)
            except Unreadable as exc:
                return Feedback(False, str(exc))
            except Exception as exc:
                for name in answers:
                    bound.arguments[name] = _Nonsense()
                try:  # the same call with answers it cannot misread: does the lesson's part fail too?
                    function(*bound.args, **bound.kwargs)
                except Unreadable:
                    pass
                except Exception:
                    raise exc from None
                return Feedback(False, f"this answer could not be checked ({type(exc).__name__}: {exc}). "
                                       f"The answer should be {what}.")

        checker.what, checker.hint, checker.answers = what, hint, answers
        _CHECKERS[f"{function.__module__}.{function.__name__}"] = checker
        return checker

    return wrap


class _Nonsense:
    """An answer that every checker rejects politely (used to tell a lesson's error from an answer's)."""

    def __repr__(self) -> str:
        return "<nonsense>"
