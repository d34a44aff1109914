"""One plotting style for the whole course: sizes, colours and the DAG drawing.

Colours come from the Okabe-Ito palette, which stays distinguishable for
colour-blind readers.  Every lesson calls :func:`use_course_style` (through
:func:`causal_lessons.lesson.setup`) and draws graphs with :func:`draw_dag`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx

from .graphs import dag_layout

__all__ = ["COLORS", "FIGSIZE", "use_course_style", "new_figure", "draw_dag", "strategy_color"]

#: Okabe-Ito colours by meaning.
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "grey": "#999999",
    "black": "#000000",
    # meanings
    "positive": "#0072B2",
    "negative": "#D55E00",
    "neutral": "#999999",
    "observational": "#E69F00",
    "interventional": "#0072B2",
    "counterfactual": "#CC79A7",
    "expert": "#0072B2",
    "agent": "#009E73",
    "associational": "#E69F00",
    "random": "#999999",
    "human": "#CC79A7",
    "bc": "#D55E00",
    "dagger": "#009E73",
    "analytic": "#000000",
}

#: Default figure size (inches) for one panel; lessons use at most about 10 x 4.
FIGSIZE = (6.0, 3.6)


def use_course_style() -> None:
    """Set matplotlib defaults shared by every lesson: modest size and resolution, clean axes."""
    mpl.rcParams.update({
        "figure.figsize": FIGSIZE,
        "figure.dpi": 80,
        "savefig.dpi": 80,
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "legend.frameon": False,
        "axes.prop_cycle": mpl.cycler(color=[COLORS[c] for c in
                                             ("blue", "orange", "green", "vermillion", "purple", "sky", "grey")]),
    })


def strategy_color(name: str) -> str:
    """The course colour for a strategy or curve name (grey if it has none)."""
    return COLORS.get(name.lower(), COLORS["grey"])


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float | None = None, height: float | None = None):
    """A figure with ``nrows x ncols`` axes sized for the course: ``fig, ax`` (one panel) or ``fig, axes`` (an array)."""
    width = width if width is not None else min(10.0, 4.2 * ncols if ncols > 1 else FIGSIZE[0])
    height = height if height is not None else FIGSIZE[1] * (1 if nrows == 1 else 0.8 * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height))
    return fig, axes


def draw_dag(
    graph: nx.DiGraph,
    ax=None,
    *,
    pos: Mapping[str, tuple[float, float]] | None = None,
    title: str | None = None,
    highlight: Iterable[str] = (),
    show_weights: bool = True,
    node_values: Mapping[str, float] | None = None,
    node_size: int = 900,
):
    """Draw a (weighted, possibly partially directed) graph in the course's fixed layout.

    * Positive weights are blue, negative vermillion, unweighted edges black.
    * An edge stored in both directions (an undirected CPDAG edge) is drawn once, without arrows.
    * ``highlight`` nodes are filled orange (e.g. the goal, or an intervened variable).
    * ``node_values`` prints a value under each node label.

    Returns the axes.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(3.2, 3.0))
    pos = dict(pos) if pos is not None else dag_layout(graph)
    highlight = set(highlight)
    nodes = sorted(graph.nodes)
    colors = [COLORS["orange"] if v in highlight else "#FFFFFF" for v in nodes]
    nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_color=colors, edgecolors=COLORS["black"],
                           node_size=node_size, ax=ax)
    if node_values:
        labels = {v: f"{v}\n{node_values[v]:.1f}" if v in node_values else v for v in nodes}
        font = 9
    else:
        labels = {v: v for v in nodes}
        font = 12
    nx.draw_networkx_labels(graph, pos, labels=labels, font_size=font, ax=ax)

    directed, undirected = [], []
    for u, v in graph.edges:
        if graph.has_edge(v, u):
            if u < v:
                undirected.append((u, v))
        else:
            directed.append((u, v))

    def edge_color(u, v):
        w = graph.edges[u, v].get("weight")
        if w is None:
            return COLORS["black"]
        return COLORS["positive"] if w > 0 else COLORS["negative"] if w < 0 else COLORS["neutral"]

    if directed:
        nx.draw_networkx_edges(graph, pos, edgelist=directed, edge_color=[edge_color(u, v) for u, v in directed],
                               width=2.0, arrows=True, arrowstyle="-|>", arrowsize=16, node_size=node_size,
                               connectionstyle="arc3,rad=0.08", ax=ax)
    if undirected:
        nx.draw_networkx_edges(graph, pos, edgelist=undirected, edge_color=COLORS["grey"], width=2.0,
                               arrows=False, style="dashed", ax=ax)
    if show_weights:
        weights = {(u, v): f"{graph.edges[u, v]['weight']:+g}" for u, v in directed
                   if graph.edges[u, v].get("weight") is not None}
        if weights:
            nx.draw_networkx_edge_labels(graph, pos, edge_labels=weights, font_size=8, label_pos=0.4,
                                         rotate=False, ax=ax, bbox={"boxstyle": "round,pad=0.1", "fc": "white",
                                                                    "ec": "none", "alpha": 0.8})
    ax.set_title(title or "")
    ax.set_axis_off()
    ax.margins(0.15)
    ax.set_aspect("equal")
    return ax
