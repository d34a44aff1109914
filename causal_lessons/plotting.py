"""One plotting style for the whole course: sizes, colours, the DAG drawing and every figure's alt text.

Colours come from the Okabe-Ito palette, which stays distinguishable for
colour-blind readers.  Every lesson calls :func:`use_course_style` (through
:func:`causal_lessons.lesson.setup`) and draws graphs with :func:`draw_dag`.

Every figure a lesson shows carries a text description, its **alt text**, for readers who cannot see it
(screen readers, the course website's ``<img alt>``): :func:`describe_figure` writes it from the figure's
artists (panel titles, axis labels, the plotted series, and for a DAG drawn by :func:`draw_dag` its nodes
and edges); :func:`set_alt_text` overrides it where the code knows better; and
:func:`show_alt_text_in_notebooks` (called by ``setup``) makes IPython save it with each figure, as the
``alt`` of the ``image/png`` output's metadata.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import networkx as nx
import numpy as np

from .graphs import dag_layout

__all__ = ["COLORS", "FIGSIZE", "use_course_style", "new_figure", "fixed_layout", "fixed_figure", "painted_figure",
           "draw_dag", "strategy_color", "describe_figure",
           "describe_axes", "set_alt_text", "alt_text_metadata", "show_alt_text_in_notebooks"]

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
        # an opaque white background: figures stay readable on a dark page (the website's dark mode)
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
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


def fixed_layout(fig, *, left: float = 0.7, bottom: float = 0.55, right: float = 0.15, top: float = 0.35,
                 gap: float | None = None):
    """Place a figure's grid of panels with margins given in inches: a layout fixed when the figure is made.

    ``left``, ``bottom``, ``right``, ``top``: the space between the figure's edges and
    the panels (room for tick labels, axis labels, titles); ``gap``: the space
    between two columns of panels.  Unlike ``tight_layout`` or a layout engine,
    which measure every label each time a figure is laid out, this costs nothing
    to draw: a widget redrawn at every move of a slider uses it (its figure keeps
    one size whatever the labels say, so margins are chosen for the longest).
    Returns ``fig``.

    >>> fig, axes = new_figure(2, width=8.0, height=3.0)
    >>> _ = fixed_layout(fig, left=0.6, right=0.2, gap=1.0)
    >>> left, right = (ax.get_position() for ax in axes)   # in fractions of the figure: times 8 x 3 in
    >>> print(f"{left.x0 * 8:.2f} in, {left.width * 8:.2f} in, a gap of {(right.x0 - left.x1) * 8:.2f} in")
    0.60 in, 3.10 in, a gap of 1.00 in
    >>> plt.close(fig)
    """
    width, height = fig.get_size_inches()
    margins = {"left": left, "bottom": bottom, "right": right, "top": top}
    for name, value in margins.items():
        if not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"{name} must be a margin in inches (a number >= 0), got {value!r}.")
    if left + right >= width or bottom + top >= height:
        raise ValueError(f"the margins ({left} + {right} in, {bottom} + {top} in) leave no room in a "
                         f"{width:g} x {height:g} in figure.")
    params = {"left": left / width, "right": 1 - right / width, "bottom": bottom / height, "top": 1 - top / height}
    if gap is not None:
        grids = {ax.get_subplotspec().get_gridspec() for ax in fig.axes if ax.get_subplotspec() is not None}
        columns = max((g.ncols for g in grids), default=1)
        room = width - left - right - (columns - 1) * gap
        if not isinstance(gap, (int, float)) or gap < 0 or room <= 0:
            raise ValueError(f"gap must be the space between panels in inches (>= 0, leaving room for them), "
                             f"got {gap!r}.")
        params["wspace"] = gap * columns / room  # matplotlib's wspace: the gap over the mean panel width
    fig.subplots_adjust(**params)
    return fig


def fixed_figure(ncols: int = 1, nrows: int = 1, *, width: float, height: float, width_ratios=None, **margins):
    """``fig, axes`` (``fig, ax`` for one panel), laid out once when made: :func:`fixed_layout` with ``margins``.

    For figures redrawn at every move of a widget's control.  Titles sit just above
    their panel (matplotlib does not look for tick labels above a panel to move a
    title up, which costs a layout of the tick labels at every draw), so nothing may
    be drawn above a panel's top edge.
    """
    with mpl.rc_context({"axes.titley": 1.0}):
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height),
                                 gridspec_kw=None if width_ratios is None else {"width_ratios": width_ratios})
    fixed_layout(fig, **margins)
    return fig, axes


#: What the last ``paint`` of each figure drawn by :func:`painted_figure` added: its artists and containers.
_PAINTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def painted_figure(figure, make, paint):
    """A figure made by ``make()`` and drawn by ``paint(fig)``; or ``figure`` again, drawn anew by ``paint``.

    A widget redraws its figure at every move of a control.  Making a figure (its
    panels, their axes and ticks) costs more than drawing the data on it, so a
    figure this function returned before can be passed back as ``figure``: the
    artists its last ``paint`` added (lines, bars, points, texts, legends, the
    bars' containers) are removed, every panel's data limits are forgotten and
    autoscaling is turned back on, and ``paint`` draws the new data on the same
    panels.  ``make`` sets what never changes (the panels, the layout, scales and
    fixed labels); ``paint`` sets everything that may change (titles, labels that
    depend on the data, limits, ticks) every time, so that a figure painted again
    looks exactly like a new one.  With ``figure=None`` (or a figure this function
    did not make) it makes a new one.  Returns the figure.
    """
    if figure is None or figure not in _PAINTED:
        figure = make()
    else:
        artists, containers = _PAINTED.pop(figure)
        for container, ax in containers:
            if container in ax.containers:
                ax.containers.remove(container)
        for artist in artists:
            artist.remove()
        for ax in figure.axes:
            # every panel as a new one is: no data, the colour cycle at its start, the unit square in view (some
            # artists, e.g. arrows, measure themselves in the view they are added to), autoscaling on, its place
            # before a fixed aspect (a DAG's) shrank it
            ax.relim()
            ax.set_prop_cycle(None)
            if ax.get_xscale() == "linear":
                ax.set_xlim(0.0, 1.0)
            if ax.get_yscale() == "linear":
                ax.set_ylim(0.0, 1.0)
            ax.set_autoscale_on(True)
            ax.set_position(ax.get_position(original=True), which="active")
    # by identity, holding on to the objects (so that no id is reused while painting)
    before = {ax: ({id(a): a for a in ax.get_children()}, {id(c): c for c in ax.containers}) for ax in figure.axes}
    paint(figure)
    artists, containers = [], []
    for ax in figure.axes:
        if ax not in before:
            raise ValueError("paint must not add panels to the figure: make them in make().")
        children, boxes = before[ax]
        artists += [a for a in ax.get_children() if id(a) not in children]
        containers += [(c, ax) for c in ax.containers if id(c) not in boxes]
    _PAINTED[figure] = (artists, containers)
    return figure


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
    set_alt_text(ax, _dag_description(graph, nodes, directed, undirected, highlight, node_values, show_weights))
    return ax


def _dag_description(graph, nodes, directed, undirected, highlight, node_values, show_weights) -> str:
    """What :func:`draw_dag` drew, in words: the nodes, the edges (with their signed weights) and the highlights."""
    def weight(u, v):
        w = graph.edges[u, v].get("weight")
        return f" ({w:+g})" if show_weights and w is not None else ""

    arrows = [f"{u} → {v}{weight(u, v)}" for u, v in sorted(directed)]
    lines = [f"{u} — {v}" for u, v in sorted(undirected)]
    text = f"causal graph on {', '.join(map(str, nodes))}"
    if arrows or lines:
        text += "; edges " + ", ".join(arrows + [f"{line} (direction unknown)" for line in lines])
    else:
        text += "; no edges"
    if highlight:
        text += f"; highlighted: {', '.join(sorted(map(str, highlight)))}"
    if node_values:
        text += "; values " + ", ".join(f"{v} = {node_values[v]:.1f}" for v in nodes if v in node_values)
    return text


# ------------------------------------------------------------------------------------------------
# Alt text: what a figure shows, in words
# ------------------------------------------------------------------------------------------------

#: Descriptions set by :func:`set_alt_text` (or :func:`draw_dag`), by figure or axes; they go with the figure.
_ALT_TEXT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: Panels with more series or categories than this are summarized ("and 4 more").
_MAX_ITEMS = 8
_INLINE_BACKENDS = ("inline", "module://matplotlib_inline.backend_inline")


def set_alt_text(target, text: str):
    """Describe a figure (or one panel, an axes) in words, instead of the description written from its artists.

    Use it where the code knows better than the drawing what a figure shows.  Returns ``target``.

    >>> fig, ax = new_figure()
    >>> _ = set_alt_text(ax, "a histogram of 1,000 draws of X")
    >>> describe_figure(fig)
    'a histogram of 1,000 draws of X'
    >>> plt.close(fig)
    """
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if not isinstance(target, (Figure, Axes)):
        raise TypeError(f"target must be a matplotlib Figure or Axes, got {type(target).__name__}.")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty description of what the figure shows, got {text!r}.")
    _ALT_TEXT[target] = " ".join(text.split())
    return target


#: TeX commands in labels, as a screen reader should say them.
_TEX = {"varepsilon": "ε", "epsilon": "ε", "sum": "Σ", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ",
        "Delta": "Δ", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ",
        "cdot": "·", "times": "×", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "to": "→", "rightarrow": "→",
        "approx": "≈", "propto": "∝", "infty": "∞", "mid": "|", "quad": " ", ",": " "}


def _plain(text: str) -> str:
    """A label as plain text: one line, and TeX (``$\\varepsilon T$``) as its symbols (``ε T``)."""
    if "$" in text:
        text = re.sub(r"\\(?:mathrm|text|mathit|mathbf|operatorname)\{([^}]*)\}", r"\1", text.replace("$", ""))
        text = re.sub(r"\\([A-Za-z]+|,)", lambda m: _TEX.get(m.group(1), m.group(1)), text)
        text = text.replace("{", "").replace("}", "")
    return " ".join(text.split())


def _quoted(text: str) -> str:
    return f"“{_plain(text)}”"


def _listed(items: list[str]) -> str:
    """Items joined by commas, each quoted when one of them has a comma of its own; at most ``_MAX_ITEMS``."""
    items = list(dict.fromkeys(_plain(i) for i in items if i and i.strip()))
    if any("," in item for item in items):
        items = [_quoted(item) for item in items]
    more = len(items) - _MAX_ITEMS
    return ", ".join(items[:_MAX_ITEMS]) + (f" and {more} more" if more > 0 else "")


def _is_number(text: str) -> bool:
    return re.fullmatch(r"[−+\-]?[\d.,]+(e[−+\-]?\d+)?%?|\$.*\$", text.strip()) is not None


def _series_labels(ax) -> list[str]:
    legend = ax.get_legend()
    if legend is not None:
        return [t.get_text() for t in legend.get_texts() if t.get_text()]
    return [label for label in ax.get_legend_handles_labels()[1] if label and not label.startswith("_")]


def _kinds(ax) -> list[str]:
    from matplotlib.collections import LineCollection, PathCollection, PolyCollection
    from matplotlib.container import BarContainer, ErrorbarContainer

    kinds = []
    if any(isinstance(c, BarContainer) for c in ax.containers):
        kinds.append("bar chart")
    if ax.images:
        kinds.append("heat map")
    lines = [line for line in ax.get_lines() if line.get_visible()]
    drawn = [line for line in lines if line.get_linestyle() not in ("None", "", " ")]
    if any(len(line.get_xdata()) > 2 for line in drawn):
        kinds.append("line chart")
    elif drawn:
        kinds.append("straight lines")
    marked = [line for line in lines if line.get_marker() not in (None, "None", "", " ")
              and (line not in drawn or len(line.get_xdata()) <= 2)]
    if marked or any(isinstance(c, PathCollection) for c in ax.collections):
        kinds.append("points")
    if any(isinstance(c, ErrorbarContainer) for c in ax.containers):
        kinds.append("error bars")
    if any(isinstance(c, PolyCollection) for c in ax.collections):
        kinds.append("shaded bands")
    if not kinds and any(isinstance(c, LineCollection) for c in ax.collections):
        kinds.append("line segments")
    return kinds


def _categories(axis) -> list[str]:
    labels = [t.get_text() for t in axis.get_ticklabels()]
    return labels if labels and any(label and not _is_number(label) for label in labels) else []


def describe_axes(ax) -> str:
    """One panel in words: its title, then its explicit description (:func:`set_alt_text`, :func:`draw_dag`), or
    the kind of plot, its axes' labels, the series named in its legend, its categories and its notes.

    An empty panel with no title gives ``""``.

    >>> fig, ax = new_figure()
    >>> _ = ax.plot([1, 2, 3], [2, 4, 8], label="doing")
    >>> _ = ax.set(title="Effect of X", xlabel="x", ylabel="E[Y]")
    >>> _ = ax.legend()
    >>> describe_axes(ax)
    'Effect of X: line chart; x axis “x”, y axis “E[Y]”; series: doing'
    >>> plt.close(fig)
    """
    title = " / ".join(_plain(t) for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right")) if t.strip())
    explicit = _ALT_TEXT.get(ax)
    if explicit is not None:
        body = explicit
    else:
        parts = []
        kinds = _kinds(ax)
        if kinds:
            parts.append(" with ".join([kinds[0], " and ".join(kinds[1:])]) if len(kinds) > 1 else kinds[0])
        axes_text = []
        for name, axis, label in (("x", ax.xaxis, ax.get_xlabel()), ("y", ax.yaxis, ax.get_ylabel())):
            if label.strip():
                log = " (log scale)" if axis.get_scale() == "log" else ""
                axes_text.append(f"{name} axis {_quoted(label)}{log}")
        if axes_text:
            parts.append(", ".join(axes_text))
        series = _series_labels(ax)
        if series:
            parts.append("series: " + _listed(series))
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            categories = _categories(axis) if ax.axison else []
            if categories:
                parts.append(f"{name} categories: " + _listed(categories))
        notes = [t.get_text() for t in ax.texts if t.get_visible() and t.get_text().strip()
                 and not _is_number(t.get_text())]
        if notes:
            parts.append("notes: " + ", ".join(_quoted(n) for n in notes[:_MAX_ITEMS])
                         + (f" and {len(notes) - _MAX_ITEMS} more" if len(notes) > _MAX_ITEMS else ""))
        body = "; ".join(parts)
    if title and body:
        return f"{title}: {body}"
    return title or body


def _position(ax, count: int) -> str:
    spec = ax.get_subplotspec() if hasattr(ax, "get_subplotspec") else None
    if spec is None:
        return ""
    spec = spec.get_topmost_subplotspec()  # a colour bar nests its panel in a grid of its own
    rows, cols = spec.get_gridspec().get_geometry()
    if rows == 1 and cols == count and cols <= 3:
        return ("left", "middle", "right")[spec.colspan.start] if cols == 3 else ("left", "right")[spec.colspan.start]
    if cols == 1 and rows == count and rows <= 3:
        return ("top", "middle", "bottom")[spec.rowspan.start] if rows == 3 else ("top", "bottom")[spec.rowspan.start]
    return ""


def describe_figure(fig) -> str:
    """The figure in words, for its alt text: the figure's title, then its own description if one was set
    (:func:`set_alt_text`), else each visible panel's (:func:`describe_axes`), with a colour bar's label.

    >>> fig, (left, right) = new_figure(2)
    >>> _ = left.bar(["seeing", "doing"], [1.0, 0.5])
    >>> _ = left.set_title("Slope of Y on X")
    >>> _ = draw_dag(nx.DiGraph([("X", "Y")]), right)
    >>> print(describe_figure(fig))
    2 panels. Left: Slope of Y on X: bar chart; x categories: seeing, doing. Right: causal graph on X, Y; edges X → Y.
    >>> plt.close(fig)
    """
    suptitle = _plain(fig.get_suptitle()) if hasattr(fig, "get_suptitle") else ""
    explicit = _ALT_TEXT.get(fig)
    if explicit is not None:
        body = explicit
    else:
        panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
        colorbars = [ax.get_ylabel() or ax.get_xlabel() for ax in fig.axes
                     if ax.get_visible() and ax.get_label() == "<colorbar>"]
        described = []
        for ax in panels:  # a twin axes (twinx) shares its panel's place: one panel, described together
            text = describe_axes(ax)
            twin = next((i for i, (other, _) in enumerate(described)
                         if np.allclose(other.get_position().bounds, ax.get_position().bounds)), None)
            if twin is not None and text:
                host = described[twin][1]
                extra = "; ".join(part for part in text.split("; ") if part not in host.split("; "))
                described[twin] = (described[twin][0], f"{host}; on a second axis: {extra}" if extra else host)
            elif text:
                described.append((ax, text))
        if len(described) == 1:
            body = described[0][1]
        else:
            pieces = []
            for i, (ax, text) in enumerate(described[:_MAX_ITEMS], start=1):
                where = _position(ax, len(described))
                pieces.append(f"{where.capitalize() if where else f'Panel {i}'}: {text}.")
            if len(described) > _MAX_ITEMS:
                pieces.append(f"And {len(described) - _MAX_ITEMS} more panels.")
            body = f"{len(described)} panels. " + " ".join(pieces) if described else ""
        if colorbars:
            body += ("; " if len(described) == 1 else " ") + "colour scale: " + _listed(
                [_quoted(c) if c else "unlabelled" for c in colorbars])
    body = body.strip()
    if suptitle:
        return f"{suptitle}. {body}" if body else suptitle
    return body or "an empty figure"


def alt_text_metadata(fig) -> dict:
    """The ``image/png`` output metadata that carries a figure's alt text: ``{"alt": describe_figure(fig)}``.

    >>> fig, ax = new_figure()
    >>> _ = ax.set_title("nothing yet")
    >>> alt_text_metadata(fig)
    {'alt': 'nothing yet'}
    >>> plt.close(fig)
    """
    return {"alt": describe_figure(fig)}


def _png_with_alt_text(fig, **print_kwargs):
    """IPython's ``image/png`` formatter for a figure: its PNG (as the inline backend makes it) and its alt text."""
    from IPython.core.pylabtools import print_figure

    data = print_figure(fig, fmt="png", base64=True, **print_kwargs)
    if data is None:  # an empty figure: IPython shows nothing
        return None
    return data, alt_text_metadata(fig)  # described after drawing, when the tick labels are known


def show_alt_text_in_notebooks() -> bool:
    """In IPython or Jupyter, make every figure a cell shows carry its alt text (:func:`describe_figure`) as the
    ``alt`` of its ``image/png`` output metadata, which the course website renders as ``<img alt>``.

    Called by :func:`causal_lessons.lesson.setup`.  Returns ``False`` (and changes nothing) outside IPython.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or getattr(shell, "display_formatter", None) is None:
        return False
    try:
        backend = mpl.get_backend(auto_select=False)
    except TypeError:  # matplotlib < 3.10
        backend = mpl.rcParams._get("backend")
    print_kwargs = {"bbox_inches": "tight"}
    if backend in _INLINE_BACKENDS:
        # Importing the inline backend configures it once (and resets the figure formatters then): do it first,
        # so that the formatter registered below is the one that stays.
        from matplotlib_inline.backend_inline import InlineBackend

        print_kwargs = dict(InlineBackend.instance().print_figure_kwargs)
    from functools import partial

    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, partial(_png_with_alt_text, **print_kwargs))
    return True
