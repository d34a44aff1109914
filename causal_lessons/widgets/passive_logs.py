"""Lesson 02's widget: how much a passive log reveals, as the share of experiments and the log's size change.

:func:`passive_data_update` is the plain update function (tested directly):
for a fraction ``p`` of experimental rows and a log of ``n_rows`` rows it scores
many logs, marked and unmarked, and draws one example log next to the learners'
average posteriors.  :func:`passive_data_widget` wraps it in two sliders.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .. import passive_logs as pl
from .._validate import check_known
from ..plotting import COLORS, fixed_figure, new_figure, painted_figure
from .frame import View, WidgetFrame, slider

__all__ = ["P_RANGE", "ROWS_RANGE", "draw_log", "draw_accuracy_grid", "passive_data_update", "passive_data_widget"]

#: The slider for the share of experimental rows: range and step.
P_RANGE = (0.0, 1.0, 0.01)
#: The slider for the number of rows in a log: range and step.
ROWS_RANGE = (20, 2000, 10)

_RECORD_COLORS = [COLORS["blue"], COLORS["green"], COLORS["purple"], COLORS["vermillion"]]


def draw_log(log: pl.PassiveLog, ax=None, *, x: str | None = None, y: str | None = None, title: str | None = None):
    """Scatter ``y`` against ``x`` for every row of a log, coloured by the row's record.

    Observations are grey; the rows in which someone set a variable get that
    variable's colour.  An unmarked log shows every row grey, as its reader sees it.
    Returns the axes.
    """
    import matplotlib.pyplot as plt

    log = pl.check_log(log)
    x = log.variables[0] if x is None else check_known(x, log.variables, "x")
    y = log.variables[1 % len(log.variables)] if y is None else check_known(y, log.variables, "y")
    if ax is None:
        _, ax = plt.subplots(figsize=(3.4, 3.0))
    xs, ys = log.column(x), log.column(y)
    observed = log.setter < 0
    ax.scatter(xs[observed], ys[observed], s=8, color=COLORS["grey"], alpha=0.6, label="observed", linewidths=0)
    for j, v in enumerate(log.variables):
        rows = log.setter == j
        if rows.any():
            ax.scatter(xs[rows], ys[rows], s=14, color=_RECORD_COLORS[j % len(_RECORD_COLORS)],
                       label=f"set {v}", linewidths=0)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.legend(loc="upper left", fontsize=8, markerscale=1.5)
    if title:
        ax.set_title(title)
    return ax


def draw_accuracy_grid(grid, axes=None):
    """Plot a table from :func:`passive_logs.accuracy_grid`: accuracy against ``p`` and against the number of experiments.

    Left: one colour per log size, solid for the learner that reads the record,
    dashed for the one that ignores it.  Right: the learner that reads the
    record, against the number of experimental rows, ``round(p * n_rows)``
    (logs without any experiment are left out of this panel).  Returns the axes.
    """
    import pandas as pd

    if not isinstance(grid, pd.DataFrame) or not {"p", "n_rows", "marked", "accuracy"} <= set(grid.columns):
        raise TypeError("grid must be the table returned by passive_logs.accuracy_grid.")
    if axes is None:
        _, axes = new_figure(2, width=9.0, height=3.4)
    palette = [COLORS["orange"], COLORS["blue"], COLORS["green"], COLORS["purple"], COLORS["vermillion"]]
    for k, n in enumerate(sorted(grid["n_rows"].unique())):
        rows = grid[grid["n_rows"] == n].sort_values("p")
        color = palette[k % len(palette)]
        read, ignored = rows[rows["marked"]], rows[~rows["marked"]]
        axes[0].plot(read["p"], read["accuracy"], "-o", color=color, ms=4, label=f"{n} rows")
        axes[0].plot(ignored["p"], ignored["accuracy"], "--", color=color)
        experiments = np.round(read["p"] * n)
        keep = experiments > 0
        axes[1].plot(experiments[keep], read["accuracy"][keep], "-o", color=color, ms=4, label=f"{n} rows")
    axes[0].set_xscale("symlog", linthresh=0.01)
    axes[0].set(xlabel="share of experiments p", ylabel="accuracy", ylim=(0.4, 1.03))
    axes[0].text(0.0, 0.43, "dashed: record ignored", fontsize=8, color=COLORS["grey"])
    axes[1].set_xscale("log")
    axes[1].set(xlabel="number of experiments in the log", ylabel="accuracy", ylim=(0.4, 1.03))
    for ax, where in zip(axes, ("center right", "lower right")):
        ax.axhline(0.5, color=COLORS["grey"], lw=0.8)
        ax.legend(loc=where, fontsize=8)
    return axes


def passive_data_update(scm, p: float, n_rows: int, *, reps: int = 100, seed: int = 0, draw: bool = True,
                        figure=None) -> View:
    """Score ``reps`` logs of ``n_rows`` rows, a fraction ``p`` of them experiments, with both learners.

    Both learners read the same logs: the one that reads the record of what was
    done and the one that reads every row as an observation.  ``values``: ``p``,
    ``n_rows``, ``reps``, ``labels`` (the hypotheses), ``truth``,
    ``posterior_marked`` and ``posterior_unmarked`` (mean posterior of each
    hypothesis), ``accuracy_marked`` and ``accuracy_unmarked``.  The figure: one
    example log (left) and both learners' mean posteriors (right).  ``figure``: a figure an
    earlier call returned, drawn again (what the widget does; see
    :func:`causal_lessons.plotting.painted_figure`); by default a new one.
    """
    marked, unmarked = pl.study_logs_both_ways(scm, n_rows, p, reps=reps, seed=seed)   # the same logs, read both ways
    values = {"p": float(p), "n_rows": int(n_rows), "reps": int(reps), "labels": list(marked.labels),
              "truth": marked.labels[marked.truth],
              "posterior_marked": dict(zip(marked.labels, map(float, marked.mean_posterior))),
              "posterior_unmarked": dict(zip(unmarked.labels, map(float, unmarked.mean_posterior))),
              "accuracy_marked": marked.accuracy, "accuracy_unmarked": unmarked.accuracy}
    readout = (f"p = {values['p']:.2f}, {values['n_rows']} rows: the learner that reads the record picks "
               f"{values['truth']} in {values['accuracy_marked']:.0%} of {values['reps']} logs; reading every row "
               f"as an observation, in {values['accuracy_unmarked']:.0%}.")
    fig = _draw(scm, values, seed, figure) if draw else None
    return View(readout=readout, figure=fig, values=values)


def _draw(scm, values: dict, seed: int, figure=None):
    def make():
        return fixed_figure(2, width=9.0, height=3.4, left=0.65, bottom=0.6, right=0.15, top=0.35, gap=0.7)[0]

    def paint(fig):
        axes = fig.axes
        n_rows, labels = values["n_rows"], values["labels"]
        example = pl.make_log(scm, n_rows, values["p"], seed=seed)
        draw_log(example, axes[0], title=f"one log: {n_rows} rows, "
                                          f"{example.n_rows - example.counts()['observed']} experiments")
        positions = np.arange(len(labels))
        axes[1].bar(positions - 0.2, [values["posterior_marked"][k] for k in labels], 0.4,
                    color=COLORS["interventional"], label="reads the record")
        axes[1].bar(positions + 0.2, [values["posterior_unmarked"][k] for k in labels], 0.4,
                    color=COLORS["observational"], label="all rows as observations")
        axes[1].set_xticks(positions, labels)
        axes[1].set_ylim(0, 1)
        axes[1].set_ylabel(f"mean posterior ({values['reps']} logs)")
        axes[1].set_title(f"truth {values['truth']}; picked: {values['accuracy_marked']:.0%} vs "
                          f"{values['accuracy_unmarked']:.0%}")
        axes[1].legend(loc="upper left", fontsize=8)

    return painted_figure(figure, make, paint)


def passive_data_widget(scm, *, p: float = 0.05, n_rows: int = 200, reps: int = 100, seed: int = 0):
    """Two sliders (share of experiments ``p``, log size) over :func:`passive_data_update`; returns the widget."""
    controls = {"p": slider(P_RANGE, p, "p (experiments)"), "n_rows": slider(ROWS_RANGE, n_rows, "rows in the log")}
    update = partial(passive_data_update, scm, reps=reps, seed=seed)
    return WidgetFrame(update, controls, name="passive-data").widget
