"""Results over training seeds: the mean, the range, "k of n seeds", and a live run against the range.

A trained comparison in lessons 04-06 rests on more than one training run: the
experiments' ``seeds`` commands retrain each agent once per seed and save every
seed's metrics in a JSON beside the checkpoints.  A lesson loads that JSON
(:func:`load_results`), summarizes a metric over the seeds (:func:`summarize`),
states a claim only as "in k of n seeds" (:func:`count_seeds`), and shows its
own live single run against the seeds' range (:func:`plot_against_seeds`).

>>> s = summarize([0.2, 0.5, 0.8])
>>> round(s.mean, 2), s.low, s.high, s.n
(0.5, 0.2, 0.8, 3)
>>> s.text()
'0.50 (range 0.20-0.80 over 3 seeds)'
>>> count_seeds([0.2, 0.5, 0.8], lambda v: v > 0.4)
'2 of 3 seeds'
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._validate import check_real

__all__ = ["SeedSummary", "summarize", "count_seeds", "holds_in_every_seed", "load_results", "plot_against_seeds"]

#: Where the shipped per-seed results live (beside the checkpoints).
_CHECKPOINT_DIR = Path(__file__).resolve().parent / "checkpoints"


@dataclass(frozen=True)
class SeedSummary:
    """A metric over training seeds: ``mean``, ``low`` and ``high`` (the range), ``n`` seeds, ``values``."""

    mean: float
    low: float
    high: float
    n: int
    values: tuple[float, ...]

    def text(self, digits: int = 2) -> str:
        """``"0.50 (range 0.20-0.80 over 3 seeds)"``, rounded to ``digits`` decimals."""
        f = f".{digits}f"
        return f"{self.mean:{f}} (range {self.low:{f}}-{self.high:{f}} over {self.n} seeds)"

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies within the seeds' range (ends included)."""
        value = check_real(value, "value")
        return self.low <= value <= self.high


def _values(values: Sequence[float], name: str = "values") -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    if array.size == 0:
        raise ValueError(f"{name} must hold at least one seed's value, got none.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite numbers (one per seed), got {list(array)}.")
    return array


def summarize(values: Sequence[float]) -> SeedSummary:
    """Mean and range of one metric over training seeds (one value per seed)."""
    array = _values(values)
    return SeedSummary(float(array.mean()), float(array.min()), float(array.max()), int(array.size),
                       tuple(float(v) for v in array))


def count_seeds(values: Sequence[float], holds: Callable[[float], bool]) -> str:
    """``"k of n seeds"``: in how many seeds the claim ``holds(value)`` is true."""
    if not callable(holds):
        raise TypeError(f"holds must be a function of one seed's value returning True or False, got {holds!r}.")
    array = _values(values)
    k = sum(bool(holds(float(v))) for v in array)
    return f"{k} of {array.size} seeds"


def holds_in_every_seed(values: Sequence[float], holds: Callable[[float], bool]) -> bool:
    """Whether the claim ``holds(value)`` is true for every seed's value."""
    array = _values(values)
    return count_seeds(array, holds) == f"{array.size} of {array.size} seeds"


def load_results(name: str) -> dict[str, Any]:
    """A shipped per-seed results JSON from ``causal_lessons/checkpoints/`` by file name (e.g.
    ``"seeds_small.json"``), with its config, seeds, metrics and the ``command`` that made it."""
    if not isinstance(name, str) or not name.endswith(".json"):
        raise ValueError(f"name must be the file name of a results JSON such as 'seeds_small.json', got {name!r}.")
    path = _CHECKPOINT_DIR / name
    if not path.exists():
        known = sorted(p.name for p in _CHECKPOINT_DIR.glob("*seeds*.json"))
        raise FileNotFoundError(f"no shipped results {name!r}; the shipped per-seed results are {known}.")
    return json.loads(path.read_text())


def plot_against_seeds(seeds: Mapping[str, Sequence[float]], live: Mapping[str, float] | None = None, ax=None, *,
                       xlabel: str = "", title: str = ""):
    """One row per comparison: every seed's value (dots), their range (a bar) and mean (a tick), and the
    lesson's own live single run (a diamond, labelled "this run") where given. Returns the axes."""
    from .plotting import COLORS, new_figure

    if not isinstance(seeds, Mapping) or not seeds:
        raise TypeError("seeds must be a dict {label: one value per seed}, with at least one label.")
    live = dict(live or {})
    unknown = sorted(set(live) - set(seeds))
    if unknown:
        raise ValueError(f"live has labels without seeds: {unknown}; its labels must be among {sorted(seeds)}.")
    if ax is None:
        _, ax = new_figure(width=7.0, height=0.55 * len(seeds) + 1.2)
    labels = list(seeds)
    for row, label in enumerate(labels):
        s = summarize(seeds[label])
        y = len(labels) - 1 - row
        ax.plot([s.low, s.high], [y, y], color=COLORS["grey"], lw=6, alpha=0.4, solid_capstyle="butt",
                label="range over seeds" if row == 0 else None)
        ax.plot(s.values, [y] * s.n, "o", color=COLORS["grey"], ms=4, label="one seed" if row == 0 else None)
        ax.plot([s.mean], [y], "|", color="black", ms=14, mew=2, label="mean" if row == 0 else None)
        if label in live:
            ax.plot([check_real(live[label], f"live[{label!r}]")], [y], "D", color=COLORS["vermillion"], ms=7,
                    label="this run (one seed)" if label == next(iter(live)) else None)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels[::-1])
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="best")
    return ax
