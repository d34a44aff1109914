"""The shipped content-effects results over training seeds: reading them, and the lesson's figures.

The experiment (``python -m causal_lessons.experiments.content_effects seeds``) saves
one record per run (a share of arbitrary problems in the corpus, a training
seed) in ``content_effects_seeds.json``.  :func:`seed_values` reads one metric of
every seed's run for a share; :func:`plot_acceptance`, :func:`plot_natural_text`
and :func:`plot_shares` draw the lesson's figures from them.

>>> results = {"runs": [{"share": 0.1, "seed": s, "metrics": {"model": {"cells": {"accuracy": a}}}}
...                     for s, a in ((0, 0.7), (1, 0.8))]}
>>> seed_values(results, "model.cells.accuracy", share=0.1)
[0.7, 0.8]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import plotting
from .._validate import check_mapping
from .problems import CELLS, DAMAGE

__all__ = ["seed_values", "reference_value", "plot_acceptance", "plot_natural_text", "plot_shares"]


def _lookup(record: Mapping, metric: str) -> Any:
    value: Any = record
    for part in metric.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise KeyError(f"metric: {metric!r} is not in the results (no {part!r}); metrics are paths such as "
                           f"'model.cells.belief_bias.index'.")
        value = value[part]
    return value


def seed_values(results: Mapping, metric: str, *, share: float) -> list[float]:
    """One metric (a dotted path into a run's ``metrics``, e.g. ``"model.cells.belief_bias.index"`` or
    ``"with_tool.natural.accuracy"``) of every seed's run with ``share`` arbitrary problems, in seed order."""
    check_mapping(results, "results")
    runs = sorted((r for r in results.get("runs", []) if r.get("share") == share), key=lambda r: r["seed"])
    if not runs:
        shares = sorted({r.get("share") for r in results.get("runs", [])})
        raise ValueError(f"share: no run has {share!r}; the shares are {shares}.")
    return [float(_lookup(r["metrics"], metric)) for r in runs]


def reference_value(results: Mapping, metric: str) -> float:
    """A metric of a reasoner that needs no training: ``"belief.natural.accuracy"``, ``"tool.cells.accuracy"``..."""
    check_mapping(results, "results")
    return float(_lookup(results["reference"], metric))


def _error_bars(values: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    array = [np.asarray(v, float) for v in values]
    mean = np.array([v.mean() for v in array])
    return mean, np.array([[m - v.min() for m, v in zip(mean, array)], [v.max() - m for m, v in zip(mean, array)]])


def plot_acceptance(results: Mapping, live: Mapping[str, float] | None = None, ax=None):
    """How often each cell's conclusion is accepted ("valid"), per cell: the natural-corpus models and the
    conflict-corpus models (mean over seeds, bars from the lowest to the highest seed), and a live model's
    acceptance (``live``: cell -> share) as dots."""
    if ax is None:
        _, ax = plotting.new_figure(width=6.0, height=3.0)
    natural, conflict = results["natural_share"], max(results["shares"])
    x = np.arange(len(CELLS))
    for offset, share, label, color in ((-0.2, natural, "natural text", plotting.COLORS["blue"]),
                                        (0.2, conflict, "conflict corpus", plotting.COLORS["orange"])):
        mean, bars = _error_bars([seed_values(results, f"model.cells.acceptance.{c}", share=share) for c in CELLS])
        ax.bar(x + offset, mean, 0.38, yerr=bars, capsize=3, color=color,
               label=f"{label} ({len(results['seeds'])} seeds)")
    if live is not None:
        ax.plot(x - 0.2, [live[c] for c in CELLS], "o", color="black", ms=5, label="the shipped model (seed 0)")
    ax.set_xticks(x, [c.replace("-", "\n") for c in CELLS])
    ax.set_ylabel('share answered "valid"')
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=7, loc="upper right")
    return ax


def plot_natural_text(results: Mapping, ax=None):
    """Accuracy on natural text, by part (everyday problems intact, missing a premise, garbled; arbitrary
    problems): belief alone, the logic tool alone, and the natural-corpus and conflict-corpus models (mean over
    seeds, bars from the lowest to the highest seed)."""
    if ax is None:
        _, ax = plotting.new_figure(width=6.0, height=3.0)
    parts = [f"everyday_{d}" for d in DAMAGE] + ["arbitrary", "accuracy"]
    labels = [f"everyday\n{d}" for d in DAMAGE] + ["arbitrary", "all"]
    x = np.arange(len(parts))
    natural, conflict = results["natural_share"], max(results["shares"])
    rows = [("belief alone", [reference_value(results, f"belief.natural.{p}") for p in parts], None),
            ("logic tool alone", [reference_value(results, f"tool.natural.{p}") for p in parts], None)]
    for name, share in (("model, natural text", natural), ("model, conflict corpus", conflict)):
        mean, bars = _error_bars([seed_values(results, f"model.natural.{p}", share=share) for p in parts])
        rows.append((name, mean, bars))
    width = 0.8 / len(rows)
    for k, (name, values, bars) in enumerate(rows):
        ax.bar(x + (k - (len(rows) - 1) / 2) * width, values, width, yerr=bars, capsize=2,
               color=plotting.COLORS[("grey", "purple", "blue", "orange")[k]], label=name)
    ax.set_xticks(x, labels)
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.3)
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.legend(fontsize=7, loc="upper center", ncol=4, handlelength=1.2, columnspacing=0.8)
    return ax


def plot_shares(results: Mapping, axes=None):
    """Two panels against the share of arbitrary problems in the training corpus: the belief-bias index, and the
    accuracy on natural text (mean over seeds, bars from the lowest to the highest seed), each with the model
    alone and the model deferring to the tool when it finds a chain."""
    if axes is None:
        _, axes = plotting.new_figure(2, width=7.0, height=2.8)
    shares = list(results["shares"])
    x = np.arange(len(shares))
    for ax, metric, title in ((axes[0], "cells.belief_bias.index", "belief-bias index"),
                              (axes[1], "natural.accuracy", "accuracy on natural text")):
        for k, (who, label) in enumerate((("model", "model alone"), ("with_tool", "model + tool when it follows"))):
            mean, bars = _error_bars([seed_values(results, f"{who}.{metric}", share=s) for s in shares])
            ax.errorbar(x + 0.06 * (k - 0.5), mean, yerr=bars, marker="o", capsize=3, label=label,
                        color=plotting.COLORS[("blue", "green")[k]])
        ax.set_xticks(x, [f"{s:g}" for s in shares])
        ax.set_xlabel("share of arbitrary problems in training")
        ax.set_title(title, fontsize=9)
    axes[0].axhline(0, color="black", lw=0.8, ls=":")
    axes[1].axhline(reference_value(results, "tool.natural.accuracy"), color="gray", lw=0.8, ls="--",
                    label="logic tool alone")
    axes[1].legend(fontsize=7, loc="lower left")
    return axes
