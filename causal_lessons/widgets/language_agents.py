"""Lesson 06's widget: step through a transcript that a language model writes, one of its words at a time.

:func:`trace_transcript` lets one language model play one test episode (the
loop of :func:`causal_lessons.language_agents.play`) and records, for every word
the model wrote, what it had read so far and how likely it found each candidate
word.  :func:`transcript_update` picks one of those words, draws the hidden DAG
beside the model's next-word probabilities, and returns the readout; it is what
the widget calls.  :func:`transcript_stepper` returns the widget: sliders for the
episode and for the model's word, and a choice of model.
"""

from __future__ import annotations

import html
from functools import partial
from typing import Any

import numpy as np

from .. import language_agents as la
from .._validate import check_int
from ..plotting import COLORS
from ..strategies import exact_choices
from .frame import View, WidgetFrame

__all__ = ["trace_transcript", "transcript_update", "transcript_stepper"]


def _check_models(models: Any) -> dict:
    if not isinstance(models, dict) or not models:
        raise TypeError("models must be a dict {name: language model}, e.g. {'pointer': pointer_lm}.")
    for name, lm in models.items():
        la.check_lm(lm, f"models[{name!r}]")
    return models


def trace_transcript(lm, batch, index: int, *, seed: int = 0, top: int = 6) -> dict[str, Any]:
    """Play episode ``index`` of ``batch`` with ``lm`` and record each word the model wrote.

    Returns a dict with ``words`` (the whole text as ``(word, written by the
    model)`` pairs), ``decisions`` (one dict per word the model wrote: ``position``
    in the text, ``word``, ``prob`` (the probability the model gave it) and
    ``top`` (the ``top`` most likely words with their probabilities)), ``names``, ``goal``,
    ``exploit`` (the model's last word), ``choice`` (the intervention the loop
    carried out, e.g. "do(A = -5)", or "nothing"), ``reward`` and ``best_reward``
    (expected), and ``summary`` (one line, starting "episode <index>, goal <goal>:").
    """
    import torch

    la.check_lm(lm)
    index = check_int(index, "index", minimum=0, maximum=len(batch) - 1)
    top = check_int(top, "top", minimum=1)
    one = batch.subset([index])
    played = la.play(lm, one, seed=seed)
    ids = played.ids[0]
    keep = ids != lm.vocab.pad
    ids, written = ids[keep], played.written[0][keep]
    with torch.no_grad():
        probs = lm(torch.from_numpy(ids[None]))[0].softmax(-1).numpy()
    words = lm.vocab.words
    decisions = []
    for t in np.flatnonzero(written):
        p = probs[t - 1]
        best = np.argsort(-p, kind="stable")[:top]
        decisions.append({"position": int(t), "word": words[ids[t]], "prob": float(p[ids[t]]),
                          "top": [(words[i], float(p[i])) for i in best]})
    names = list(one.names)
    goal = names[int(one.goal[0])]
    var, sign = int(played.result.exploit_var[0]), int(played.result.exploit_sign[0])
    iv = lm.config.intervention_value
    choice = f"do({names[var]} = {sign * iv:+g})" if var >= 0 else "nothing"
    reward = float(played.result.reward[0]) + 0.0      # + 0.0: no "-0" in the summary
    best = float(exact_choices(one).causal_value[0]) + 0.0
    exploit = decisions[-1]["word"]
    summary = (f"episode {index}, goal {goal}: the model answered {exploit}, played as {choice} "
               f"(expected reward {round(reward) + 0:+d}; best possible {round(best) + 0:+d})")
    return {"words": [(words[i], bool(w)) for i, w in zip(ids, written)], "decisions": decisions, "names": names,
            "goal": goal,
            "exploit": exploit, "choice": choice, "reward": reward, "best_reward": best, "summary": summary}


def _transcript_html(words: list[tuple[str, bool]], position: int) -> str:
    """The text up to ``position`` (the word being written is highlighted); the model's words in bold."""
    parts = []
    for t, (word, mine) in enumerate(words[:position + 1]):
        text = html.escape(word)
        if t == position:
            parts.append(f"<span style='background:#F0E442;font-weight:bold'>{text}</span>")
        elif mine:
            parts.append(f"<b style='color:{COLORS['agent']}'>{text}</b>")
        else:
            parts.append(f"<span style='color:#555'>{text}</span>")
        if word == "|":
            parts.append("<br>")
    return "<div style='font-family:monospace;line-height:1.6'>" + " ".join(parts) + "</div>"


def transcript_update(models: dict, batch, index: int, model_name: str, step: int, *, seed: int = 0,
                      draw: bool = True, figure=None) -> View:
    """Trace episode ``index`` with ``models[model_name]`` and show the model's ``step``-th word (1-based).

    ``values``: :func:`trace_transcript`'s dict plus ``step`` (clipped to the number
    of words the model wrote), ``n_steps`` and ``decision`` (that word's record);
    ``panels["cl-text"]``: the text so far in HTML.  The figure: the episode's
    hidden DAG (the goal highlighted; the model never sees it) and the model's most
    likely next words at that point (the word it wrote in green). ``figure``: a figure an earlier call
    returned, drawn again (what the widget does; see :func:`causal_lessons.plotting.painted_figure`); by
    default a new one.
    """
    models = _check_models(models)
    if model_name not in models:
        raise KeyError(f"model_name: unknown model {model_name!r}; the models are {', '.join(models)}.")
    trace = trace_transcript(models[model_name], batch, index, seed=seed)
    n_steps = len(trace["decisions"])
    step = min(check_int(step, "step", minimum=1), n_steps)
    decision = trace["decisions"][step - 1]
    trace.update(step=step, n_steps=n_steps, decision=decision)
    where = "its exploit" if step == n_steps else f"word {step} of {n_steps}"
    readout = (f"{model_name} model, {where}: it wrote {decision['word']} (probability "
               f"{decision['prob']:.2f}). {trace['summary'][0].upper()}{trace['summary'][1:]}.")
    fig = _draw(trace, batch, index, f"{model_name} model, {where}", figure) if draw else None
    return View(readout=readout, figure=fig, values=trace,
                panels={"cl-text": _transcript_html(trace["words"], decision["position"])})


def _draw(trace: dict, batch, index: int, title: str, figure=None):
    from ..plotting import draw_dag, fixed_figure, painted_figure

    def make():
        fig, (_, right) = fixed_figure(2, width=9.0, height=2.8, width_ratios=[1, 1.4], left=0.3, bottom=0.6,
                                       right=0.25, top=0.35, gap=1.4)
        right.set_xlabel("probability of the next word")
        return fig

    def paint(fig):
        left, right = fig.axes
        one = batch.subset([int(index)])
        draw_dag(one.scm(0).graph, ax=left, highlight=[trace["goal"]], title=f"hidden DAG, goal {trace['goal']}",
                 node_size=500)
        decision = trace["decision"]
        labels = [w for w, _ in decision["top"]][::-1]
        values = [p for _, p in decision["top"]][::-1]
        colors = [COLORS["agent"] if w == decision["word"] else COLORS["grey"] for w in labels]
        right.barh(range(len(labels)), values, color=colors)
        right.set_yticks(range(len(labels)), labels, fontsize=8)
        right.set_xlim(0, 1)
        right.set_title(title, fontsize=10)

    return painted_figure(figure, make, paint)


def transcript_stepper(models: dict, batch, *, index: int = 0, step: int = 1):
    """The widget: sliders for the test episode and the model's word, a choice of model; text, figure and
    readout update."""
    import ipywidgets as widgets

    models = _check_models(models)
    index = check_int(index, "index", minimum=0, maximum=len(batch) - 1)
    controls = {
        "index": widgets.IntSlider(value=index, min=0, max=len(batch) - 1, description="episode",
                                   continuous_update=False),
        "step": widgets.IntSlider(value=max(1, int(step)), min=1, max=40, description="its word",
                                  continuous_update=False),
        "model_name": widgets.ToggleButtons(options=list(models), description="model"),
    }

    def on_view(view: View) -> None:              # the word slider spans the words this model wrote
        word = controls["step"]
        word.max, word.value = view["n_steps"], view["step"]

    return WidgetFrame(partial(transcript_update, models, batch), controls,
                       rows=[[controls["index"], controls["step"]], controls["model_name"]],
                       sections=("readout", "cl-text", "figure"), name="language-agents", on_view=on_view).widget
