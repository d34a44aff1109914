"""Argument checks that speak to a student.

Every public function in the package checks its inputs with these helpers, so
that a wrong argument is reported by name, with what was expected and what was
given, instead of surfacing later as a numpy or torch traceback.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_int(value: Any, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise a clear TypeError/ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {_show(value)} ({type(value).__name__}).")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value}.")
    return value


def check_count(value: Any, name: str = "n") -> int:
    """A number of samples, episodes or steps: a whole number >= 1."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value <= 0:
        raise ValueError(f"{name} must be a positive whole number (1 or more), got {int(value)}.")
    return check_int(value, name, minimum=1)


def check_real(value: Any, name: str, *, minimum: float | None = None, maximum: float | None = None,
               strict_minimum: bool = False) -> float:
    """Return ``value`` as a finite float, or raise a clear error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_show(value)} ({type(value).__name__}).")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}.")
    if minimum is not None:
        if strict_minimum and value <= minimum:
            raise ValueError(f"{name} must be greater than {minimum:g}, got {value:g}.")
        if not strict_minimum and value < minimum:
            raise ValueError(f"{name} must be at least {minimum:g}, got {value:g}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:g}, got {value:g}.")
    return value


def check_probability(value: Any, name: str) -> float:
    """A probability in [0, 1]."""
    return check_real(value, name, minimum=0.0, maximum=1.0)


def check_positive(value: Any, name: str) -> float:
    """A finite number strictly greater than zero (a scale, a standard deviation)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value)) \
            and float(value) <= 0:
        raise ValueError(f"{name} must be a positive number (greater than 0), got {float(value):g}.")
    return check_real(value, name)


def check_seed(seed: Any, name: str = "seed") -> int | None:
    """``None`` or a non-negative whole number."""
    if seed is None:
        return None
    return check_int(seed, name, minimum=0)


def check_name(value: Any, name: str) -> str:
    """A variable name: a non-empty string."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a variable name (a string), got {_show(value)} ({type(value).__name__}).")
    if not value:
        raise ValueError(f"{name} must be a non-empty string.")
    return value


def check_known(value: Any, known: Iterable[str], name: str) -> str:
    """A variable name that is one of ``known``; a KeyError lists the known ones otherwise."""
    known = list(known)
    check_name(value, name)
    if value not in known:
        raise KeyError(f"{name}: unknown variable {value!r}; the known variables are {', '.join(known)}.")
    return value


def check_mapping(value: Any, name: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {_show(value)} ({type(value).__name__}).")
    return value


def check_finite_array(values: Any, name: str) -> np.ndarray:
    """An array of finite numbers (no NaN, no infinity)."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must contain numbers, got {_show(values)}.") from exc
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or infinity).")
    return array
