"""Lesson 03's widget: play the causal DAG game yourself, then compare with the expert on the same episode.

* :func:`game_update` -- the plain update function (no widget): replays a list of
  moves on the episode drawn from ``seed`` and returns the game's state (values
  after each step, the phase, the reward, and, once the game is over, the true
  DAG and the expert's play of the same episode), the readout and the figure.
  Tests drive it directly.
* :func:`draw_game` -- the figure: the DAG (its edges hidden until the game is
  over) with the latest values, and a table of every variable's value after
  each step.
* :func:`dag_game_widget` -- the widget: a button per experiment, "observe", an
  exploit choice (variable and sign), and "New episode".

A move is ``"observe"``, a variable name (do(X = +5) while exploring) or a pair
such as ``("C", -1)`` (the exploit do(C = -5)), as for
:class:`~causal_lessons.strategies.HumanStrategy`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validate import _show, check_int
from ..environment import EXPLOIT, EXPLORE, CausalDAGEnv
from ..plotting import draw_dag, fixed_figure, painted_figure
from ..strategies import ExpertStrategy, HumanStrategy, expert_value, run_episode
from .frame import View, WidgetFrame

__all__ = ["game_update", "game_text", "draw_game", "dag_game_widget", "moves_from_descriptions"]

_PHASES = {EXPLORE: "explore", EXPLOIT: "exploit", 2: "done"}


def moves_from_descriptions(descriptions: Sequence[str]) -> list:
    """Turn action descriptions ("do(B = +5)", "observe") back into moves (exploration) or an exploit pair.

    The last description of a finished episode is its exploit, returned as a (name, sign) pair.
    """
    moves: list[Any] = []
    for k, text in enumerate(descriptions):
        if text == "observe":
            moves.append("observe")
            continue
        name, value = text[3:-1].split(" = ")
        sign = 1 if float(value) > 0 else -1
        moves.append((name, sign) if k == len(descriptions) - 1 or sign < 0 else name)
    return moves


def game_update(moves: Sequence[Any], *, seed: int = 0, n_vars: int = 5, n_explore: int | None = None,
                allowed_sets=None, draw: bool = True, figure=None) -> View:
    """Replay ``moves`` on the episode drawn from ``seed`` and return the game's state.

    The readout is "Episode <seed>. " and the ``summary``; the figure is
    :func:`draw_game`.  ``values``, the state, hold ``seed``, ``names``, ``phase`` ("explore", "exploit" or "done"),
    ``step``, ``n_explore``, ``allowed`` (names), ``moves`` (readable moves),
    ``values`` (one array of every variable's value per step), ``intervened``
    (the index set in each step, -1 for observe), ``invalid`` (moves the game
    played as "observe" / no intervention), ``goal`` (its name once revealed, else
    None), ``reward`` (None until the exploit), and once the game is over:
    ``graph`` (the true weighted DAG), ``best`` (the best expected reward),
    ``expert`` (the expert's moves, reward on the same episode, and exact expected
    reward) and ``summary`` (one line of text for the widget).  ``figure``: a figure an earlier
    call returned, drawn again (what the widget does; see
    :func:`causal_lessons.plotting.painted_figure`); by default a new one.
    """
    if isinstance(moves, (str, bytes)) or not isinstance(moves, Sequence):
        raise TypeError(f"moves must be a list of moves such as ['A', 'observe', ('B', -1)], got {_show(moves)}.")
    seed = check_int(seed, "seed", minimum=0)
    env = CausalDAGEnv(n_vars, n_explore=n_explore, allowed_sets=allowed_sets)
    obs, info = env.reset(seed=seed)
    human = HumanStrategy()
    state: dict[str, Any] = {
        "seed": seed, "names": list(env.names), "n_explore": env.n_explore, "allowed": list(info["allowed"]),
        "moves": [], "values": [], "intervened": [], "invalid": [], "reward": None,
    }
    done = False
    for k, move in enumerate(moves):
        if done:
            raise ValueError(f"moves[{k}] = {move!r} comes after the exploit: the episode is over "
                             "(start a new episode instead).")
        human.push(move)
        action = human.act(obs, info)
        obs, reward, done, _, info = env.step(action)
        state["moves"].append(env.describe_action(action) if not info["invalid_action"]
                              else f"{env.describe_action(action)} (not allowed: nothing done)")
        state["values"].append(np.asarray(obs["values"], dtype=float))
        hit = np.flatnonzero(obs["intervened"])
        state["intervened"].append(int(hit[0]) if hit.size else -1)
        state["invalid"].append(bool(info["invalid_action"]))
        if done:
            state["reward"] = float(reward)
    state["phase"] = _PHASES[int(obs["phase"])]
    state["step"] = int(obs["step"])
    state["goal"] = info["goal"] if state["phase"] != "explore" else None
    if done:
        scm, goal = info["scm"], info["goal"]
        expert = run_episode(env, ExpertStrategy(), seed=seed)
        effects = [abs(scm.total_effect(v, goal)) for v in info["allowed"] if v != goal]
        state.update(
            graph=scm.graph,
            best=env.intervention_value * max(effects),
            expert={"moves": moves_from_descriptions(expert.descriptions), "descriptions": expert.descriptions,
                    "reward": expert.reward,
                    "expected": expert_value(scm, goal, info["allowed"], intervention_value=env.intervention_value)},
        )
    state["summary"] = game_text(state)
    fig = painted_figure(figure, _game_figure, lambda fig: draw_game(state, fig.axes)) if draw else None
    return View(readout=f"Episode {seed}. {state['summary']}", figure=fig, values=state)


def game_text(state) -> str:
    """One line about where the game stands (plain text); ``state``: a :func:`game_update` view or its values."""
    if state["phase"] == "explore":
        left = state["n_explore"] - state["step"]
        return (f"Exploring: {state['step']} of {state['n_explore']} steps taken, {left} left. "
                f"Experiment on a variable (do = +5) or observe. The goal is named after exploring.")
    if state["phase"] == "exploit":
        return (f"Goal: make {state['goal']} as large as possible. Choose one variable other than {state['goal']} "
                "and a sign (do = +5 or -5).")
    expert = state["expert"]
    return (f"You: {state['moves'][-1]} gave {state['goal']} = {state['reward']:+.2f}. "
            f"Expert on the same episode: {expert['descriptions'][-1]} gave {expert['reward']:+.2f} "
            f"(expected {expert['expected']:+.2f}; best possible on average {state['best']:+.2f}).")


def _game_figure():
    """The game's figure, empty: the DAG's panel and the table's, with room for the moves' labels."""
    return fixed_figure(2, width=8.4, height=3.4, width_ratios=[1.0, 1.3], left=0.1, bottom=0.35, right=0.1,
                        top=0.3, gap=1.5)[0]


def draw_game(state, axes=None):
    """Draw the game: the DAG with the latest values (edges shown once the game is over) and the value table.

    ``state``: a :func:`game_update` view or its values.  Draws on two ``axes`` (a
    new figure if None) and returns them.
    """
    import matplotlib as mpl
    import networkx as nx

    if axes is None:
        axes = _game_figure().axes
    names = state["names"]
    latest = state["values"][-1] if state["values"] else None
    graph = state["graph"] if "graph" in state else None
    if graph is None:
        graph = nx.DiGraph()
        graph.add_nodes_from(names)
        title = "causal graph: hidden until you exploit"
    else:
        title = "the true causal graph"
    draw_dag(graph, axes[0], highlight=[state["goal"]] if state["goal"] else [],
             node_values=None if latest is None else dict(zip(names, latest)), title=title, node_size=800)

    ax = axes[1]
    rows = len(state["values"])
    table = np.array(state["values"]).reshape(rows, len(names)) if rows else np.zeros((0, len(names)))
    limit = max(5.0, float(np.abs(table).max()) if rows else 5.0)
    ax.imshow(table if rows else np.full((1, len(names)), np.nan), cmap="RdBu", vmin=-limit, vmax=limit,
              aspect="auto")
    for r in range(rows):
        for c in range(len(names)):
            bold = state["intervened"][r] == c
            ax.text(c, r, f"{table[r, c]:+.1f}", ha="center", va="center", fontsize=8,
                    fontweight="bold" if bold else "normal",
                    color="white" if abs(table[r, c]) > 0.6 * limit else "black")
    ax.set_xticks(range(len(names)), names)
    # a move the game refused gets its reason on a second line
    ax.set_yticks(range(rows), [f"{k + 1}. {m}".replace(" (", "\n(") for k, m in enumerate(state["moves"])]
                  if rows else [])
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(False)
    goal = f"; goal {state['goal']}" if state["goal"] else ""
    ax.set_title(f"values after each step (bold: set by do){goal}", fontsize=10)
    plain = mpl.rcParams["xtick.labelcolor"]
    plain = mpl.rcParams["xtick.color"] if plain == "inherit" else plain
    for name, label in zip(names, ax.get_xticklabels()):      # every label: a figure drawn again keeps its ticks
        label.set_color("#E69F00" if name == state["goal"] else plain)
    return axes


def dag_game_widget(seed: int = 0, *, n_vars: int = 5):
    """Play the causal DAG game: experiment or observe, then exploit; compare with the expert.

    Buttons "do(A = +5)" ... and "observe" play an exploration step; once the goal
    is named, pick a variable and press "exploit +5" or "exploit -5".  "New
    episode" draws the next episode (seed + 1).  Returns the widget.
    """
    import ipywidgets as widgets

    seed = check_int(seed, "seed", minimum=0)
    first = game_update([], seed=seed, n_vars=n_vars, draw=False)     # checks the arguments now, with clear messages
    names = first["names"]
    game = {"seed": seed, "moves": []}

    explore = {v: widgets.Button(description=f"do({v} = +5)", layout=widgets.Layout(width="104px")) for v in names}
    observe = widgets.Button(description="observe", layout=widgets.Layout(width="80px"))
    target = widgets.Dropdown(options=names, description="exploit", layout=widgets.Layout(width="150px"))
    plus = widgets.Button(description="exploit +5", layout=widgets.Layout(width="92px"))
    minus = widgets.Button(description="exploit -5", layout=widgets.Layout(width="92px"))
    again = widgets.Button(description="New episode")

    def on_view(state: View) -> None:
        exploring, exploiting = state["phase"] == "explore", state["phase"] == "exploit"
        for v, button in explore.items():
            button.disabled = not exploring or v not in state["allowed"]
        observe.disabled = not exploring
        choices = [v for v in state["allowed"] if v != state["goal"]]
        if exploiting and list(target.options) != choices:
            target.options = choices
        target.disabled = plus.disabled = minus.disabled = not exploiting

    frame = WidgetFrame(lambda figure=None: game_update(game["moves"], seed=game["seed"], n_vars=n_vars,
                                                        figure=figure), name="dag-game",
                        rows=[[*explore.values(), observe], [target, plus, minus, again]], on_view=on_view)

    def play(move):
        game["moves"].append(move)
        frame.refresh()

    def new_episode(_button):
        game["seed"] += 1
        game["moves"] = []
        target.options = names
        frame.refresh()

    for v, button in explore.items():
        button.on_click(lambda _b, v=v: play(v))
    observe.on_click(lambda _b: play("observe"))
    plus.on_click(lambda _b: play((target.value, 1)))
    minus.on_click(lambda _b: play((target.value, -1)))
    again.on_click(new_episode)
    return frame.widget
