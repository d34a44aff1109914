"""Lesson 04's widget: watch a trained passive agent play one test episode, step by step.

:func:`trace_episode` plays one episode with an agent and returns what it did,
what it saw and what it chose (a table and a summary); :func:`episode_update`
draws it (the hidden DAG beside the goal's value after each of the agent's
experiments, with the agent's exploit scores) and is what the widget calls.
:func:`episode_explorer` returns the widget: a slider for the episode and a
choice of agent.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from .. import training
from .._validate import check_int
from ..agents import check_agent
from ..plotting import COLORS
from ..strategies import exact_choices
from .frame import View, WidgetFrame

__all__ = ["trace_episode", "episode_update", "episode_explorer"]


def _describe(action: int, proposed: int, names: list[str], value: float) -> str:
    if action >= 0:
        return f"do({names[action]} = {value:+g})"
    if proposed >= 0:
        return f"do({names[proposed]}) refused: observe"
    return "observe"


def _check_agents(agents: Any) -> dict:
    if not isinstance(agents, dict) or not agents:
        raise TypeError("agents must be a dict {name: agent}, e.g. {'pointer': pointer_agent}.")
    for name, agent in agents.items():
        check_agent(agent, f"agents[{name!r}]")
    return agents


def trace_episode(agent, batch, index: int, *, seed: int = 0) -> dict[str, Any]:
    """Play episode ``index`` of ``batch`` with ``agent`` (greedily) and report every step.

    Returns a dict with ``table`` (a DataFrame: one row per exploration step:
    the action, every variable's value afterwards, and the agent's exploit
    score for that step: the pointer's probability, or for the identity head
    the probability of exploiting that step's variable); ``goal``, ``choice``
    (e.g. "do(A = +5)" or "nothing"), ``reward`` (expected), the expert's
    ``expert_choice`` and ``expert_reward`` in the same episode, ``best_reward``
    (the best allowed exploit), ``pointer_step`` (1-based, pointer head; None
    otherwise) and ``summary`` (one line of text, starting "episode <index>, goal <goal>:").
    """
    import pandas as pd
    import torch

    check_agent(agent)
    index = check_int(index, "index", minimum=0, maximum=len(batch) - 1)
    one = batch.subset([index])
    names = list(one.names)
    iv = agent.config.intervention_value
    result = training.rollout(agent, one, seed=seed)
    tokens = torch.from_numpy(training.rollout_tokens(agent, one, result))
    with torch.no_grad():
        hidden = agent.encode(tokens)
        if agent.config.head == "pointer":
            scores = agent.pointer_logits(hidden).softmax(-1)[0].numpy()
        else:
            probs = agent.identity_logits(hidden).softmax(-1)[0].numpy().reshape(-1, 2).sum(1)
            acts = result.explore_actions[0]
            scores = np.where(acts >= 0, probs[np.maximum(acts, 0)], 0.0)
    rows = []
    for k in range(result.explore_actions.shape[1]):
        row = {"step": k + 1, "action": _describe(int(result.explore_actions[0, k]),
                                                  int(result.proposed_actions[0, k]), names, iv)}
        row.update({v: round(float(x), 1) for v, x in zip(names, result.explore_values[0, k])})
        row["exploit score"] = round(float(scores[k]), 2)
        rows.append(row)
    goal = names[int(one.goal[0])]
    var, sign = int(result.exploit_var[0]), int(result.exploit_sign[0])
    choice = f"do({names[var]} = {sign * iv:+g})" if var >= 0 else "nothing"
    expert_var, expert_sign = int(one.exploit_var[0]), int(one.exploit_sign[0])
    expert_reward = float(training.expected_reward(one.total_effects, one.goal, one.exploit_var,
                                                   one.exploit_sign, iv)[0])
    best = float(exact_choices(one).causal_value[0])
    reward = float(result.reward[0])
    pointer_step = int(result.pointer[0]) + 1 if agent.config.head == "pointer" else None
    summary = (f"episode {index}, goal {goal}: the agent chose {choice} (expected reward {reward:+.0f}); the expert chose "
               f"do({names[expert_var]} = {expert_sign * iv:+g}) ({expert_reward:+.0f}); best possible {best:+.0f}")
    return {"table": pd.DataFrame(rows).set_index("step"), "goal": goal, "choice": choice, "reward": reward,
            "expert_choice": f"do({names[expert_var]} = {expert_sign * iv:+g})", "expert_reward": expert_reward,
            "best_reward": best, "pointer_step": pointer_step, "exploit_var": names[var] if var >= 0 else None,
            "summary": summary, "result": result}


def episode_update(agents: dict, batch, index: int, agent_name: str, *, seed: int = 0, draw: bool = True,
                   figure=None) -> View:
    """Trace episode ``index`` with ``agents[agent_name]``; the readout is the trace's summary.

    ``values``: :func:`trace_episode`'s dict; ``panels["cl-table"]``: its table in
    HTML.  The figure, left: the episode's hidden DAG (the goal in orange).
    Right: the goal's value after each of the agent's exploration steps (what it
    saw), with the agent's exploit score of each step as a line.  ``figure``: a
    figure an earlier call returned, drawn again (what the widget does; see
    :func:`causal_lessons.plotting.painted_figure`); by default a new one.
    """
    agents = _check_agents(agents)
    if agent_name not in agents:
        raise KeyError(f"agent_name: unknown agent {agent_name!r}; the agents are {', '.join(agents)}.")
    trace = trace_episode(agents[agent_name], batch, index, seed=seed)
    fig = _draw(trace, batch, index, agent_name, figure) if draw else None
    return View(readout=trace["summary"], figure=fig, values=trace, panels={"cl-table": trace["table"].to_html()})


def _draw(trace: dict, batch, index: int, agent_name: str, figure=None):
    from ..plotting import draw_dag, fixed_figure, painted_figure

    def make():
        fig, (_, right) = fixed_figure(2, width=9.0, height=3.2, width_ratios=[1, 1.6], left=0.3, bottom=0.4,
                                       right=0.7, top=0.35, gap=1.0)
        twin = right.twinx()
        twin.set_ylabel("exploit score", color=COLORS["agent"])
        twin.grid(False)
        return fig

    def paint(fig):
        left, right, twin = fig.axes
        one = batch.subset([int(index)])
        draw_dag(one.scm(0).graph, ax=left, highlight=[trace["goal"]], title=f"hidden DAG, goal {trace['goal']}",
                 node_size=600)
        table = trace["table"]
        steps = table.index.to_numpy()
        goal_values = table[trace["goal"]].to_numpy()
        colors = [COLORS["interventional"] if a.startswith("do(") and "refused" not in a else COLORS["grey"]
                  for a in table["action"]]
        right.bar(steps, goal_values, color=colors)
        right.axhline(0, color=COLORS["black"], lw=0.8)
        right.set_xticks(steps, [a.split(" =")[0].replace("do(", "do ") if a.startswith("do(") else "obs."
                                 for a in table["action"]], fontsize=8)
        right.set_ylabel(f"{trace['goal']} after the step")
        twin.plot(steps, table["exploit score"], "o-", color=COLORS["agent"], label="exploit score")
        twin.set_ylim(-0.05, 1.05)
        right.set_title(f"{agent_name} agent: {trace['choice']} ({trace['reward']:+.0f} vs best "
                        f"{trace['best_reward']:+.0f})", fontsize=9)

    return painted_figure(figure, make, paint)


def episode_explorer(agents: dict, batch, *, index: int = 0):
    """The widget: a slider over the test episodes and a choice of agent; figure, readout and table update."""
    import ipywidgets as widgets

    agents = _check_agents(agents)
    index = check_int(index, "index", minimum=0, maximum=len(batch) - 1)
    controls = {"index": widgets.IntSlider(value=index, min=0, max=len(batch) - 1, description="episode",
                                           continuous_update=False),
                "agent_name": widgets.ToggleButtons(options=list(agents), description="agent")}
    # the table is a widget value, not a cell output: it updates in place
    return WidgetFrame(partial(episode_update, agents, batch), controls, sections=("readout", "figure", "cl-table"),
                       name="passive-agents").widget
