"""Lesson 05's widget: pick the training data's share of low-quality episodes, the kind of agent and the quality
you ask it for, and see how it plays.

Playing 35 agent/quality combinations takes a few seconds, so the lesson
computes them once (:func:`causal_lessons.explanations.quality_table`) and the
widget only looks them up.  :func:`quality_update` is the plain update function
(tested directly); :func:`quality_explorer` wraps it in three controls.
"""

from __future__ import annotations

from functools import partial

from .. import explanations as ex
from ..plotting import fixed_figure, painted_figure
from .frame import View, WidgetFrame

__all__ = ["KIND_LABELS", "quality_update", "quality_explorer"]

#: How the widget names the three kinds of agent.
KIND_LABELS = {"plain": "plain imitation", "strategy": "conditioned on the strategy",
               "return": "conditioned on the return"}


def quality_update(table, kind: str = "strategy", low_share: float = 0.4, asked: str = "high", *,
                   draw: bool = True, figure=None) -> View:
    """Look up one agent of the sweep and describe how it plays; the figure: the sweep with it ringed.

    ``kind``: "plain", "strategy" or "return"; ``low_share``: one of the sweep's
    shares; ``asked``: the quality token asked for ("low", "medium", "high";
    ignored for the plain agent, which reads none).  ``values``: the
    row's ``reward_fraction``, ``explore_coverage``, ``first_observes``, the
    ``asked`` token actually used, ``plays_like`` ("the expert" when it starts
    with an experiment in >= 90% of episodes and experiments on every variable
    in >= 90%, "the associational strategy" when it starts by observing in >=
    90%, "neither" otherwise), ``low_share`` and ``kind``. ``figure``: a figure an earlier call returned,
    drawn again (what the widget does; see :func:`causal_lessons.plotting.painted_figure`); by default a new
    one.
    """
    row = ex.plays_like(table, kind, low_share, asked)          # checks the arguments
    share, asked, plays_like = row["low_share"], row["asked"], row["plays_like"]
    asked_text = "" if kind == "plain" else f", asked for '{asked}'"
    summary = (f"{KIND_LABELS[kind]}, {share:.0%} low-quality training episodes{asked_text}: reward "
               f"{row['reward_fraction']:.2f} of the expert's; first move 'observe' in {row['first_observes']:.0%} "
               f"of episodes, experiments on every variable in {row['explore_coverage']:.0%}; plays like {plays_like}")
    fig = None
    if draw:
        def make():     # the legend goes below the axes
            return fixed_figure(width=7.5, height=4.4, left=0.7, bottom=1.5, right=0.45, top=0.35)[0]

        def paint(fig):
            (ax,) = fig.axes
            ex.plot_quality_sweep(table, ax, flip_share=ex.greedy_flip_share())
            if asked not in ("none", "high"):
                rows = table[(table["kind"] == kind) & (table["asked"] == asked)].sort_values("low_share")
                ax.plot(rows["low_share"], rows["reward_fraction"], ":", marker=".", color="black", lw=1,
                        label=f"{KIND_LABELS[kind]}, asked for {asked}")
                ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
            ax.plot([share], [row["reward_fraction"]], "o", ms=14, mfc="none", mew=2, color="black",
                    label="selected")
            ax.set_title(f"{KIND_LABELS[kind]}{asked_text}", fontsize=10)

        fig = painted_figure(figure, make, paint)
    return View(readout=summary, figure=fig, values=row)


def quality_explorer(table, *, kind: str = "strategy", low_share: float = 0.4, asked: str = "high"):
    """The widget: the share of low-quality training data, the kind of agent and the asked quality; the figure
    and the readout follow (everything is looked up in ``table``, so it responds at once)."""
    import ipywidgets as widgets

    first = quality_update(table, kind, low_share, asked, draw=False)          # checks the arguments
    shares = sorted(set(table["low_share"]))
    controls = {
        "low_share": widgets.SelectionSlider(options=[(f"{s:.0%}", s) for s in shares], value=first["low_share"],
                                             description="low-quality share", continuous_update=False,
                                             style={"description_width": "initial"}),
        "kind": widgets.ToggleButtons(options=[(KIND_LABELS[k], k) for k in ex.QUALITY_KINDS], value=kind,
                                      description="agent", style={"button_width": "210px"}),
        "asked": widgets.ToggleButtons(options=list(ex.QUALITY_LEVELS),
                                       value=asked if first["asked"] == "none" else first["asked"],
                                       description="ask for", disabled=kind == "plain"),
    }

    def on_view(view: View) -> None:
        controls["asked"].disabled = view["kind"] == "plain"

    return WidgetFrame(partial(quality_update, table), controls, rows=list(controls.values()), name="explanations",
                       on_view=on_view).widget
