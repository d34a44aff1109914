"""causal_lessons.plotting: the course style (opaque figures), the DAG drawing, and every figure's alt text."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from causal_lessons import plotting  # noqa: E402
from causal_lessons.fusion.experiment_design import draw_candidates  # noqa: E402
from causal_lessons.plotting import (COLORS, alt_text_metadata, describe_axes, describe_figure, draw_dag,  # noqa: E402
                                     fixed_figure, fixed_layout, new_figure, painted_figure, set_alt_text,
                                     show_alt_text_in_notebooks, strategy_color, use_course_style)


@pytest.fixture(autouse=True)
def course_style():
    with matplotlib.rc_context():
        use_course_style()
        yield
    plt.close("all")


def test_course_figures_have_an_opaque_white_background():
    """The website's dark mode shows figures as they are: a transparent background would hide black text."""
    fig, ax = new_figure()
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    alpha = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGBA"))[..., 3]
    assert alpha.min() == 255
    assert matplotlib.colors.to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)


def test_new_figure_sizes_and_strategy_colours():
    fig, axes = new_figure(3)
    assert axes.shape == (3,) and fig.get_size_inches()[0] == pytest.approx(10.0)
    assert strategy_color("Expert") == COLORS["expert"] and strategy_color("nobody") == COLORS["grey"]


def test_a_line_chart_is_described_by_its_title_axes_and_series():
    fig, ax = new_figure()
    ax.plot(range(5), range(5), label="behaviour cloning, measured")
    ax.plot(range(5), np.arange(5) ** 2, label=r"analysis $\sum_t \varepsilon T$")
    ax.set(title="Cost against the horizon", xlabel="horizon T", ylabel="cost", xscale="log")
    ax.legend()
    assert describe_figure(fig) == ("Cost against the horizon: line chart; x axis “horizon T” (log scale), "
                                    "y axis “cost”; series: “behaviour cloning, measured”, “analysis Σ_t ε T”")


def test_bars_points_bands_and_heat_maps_are_named():
    fig, (bars, scatter, heat) = new_figure(3)
    bars.bar(["trial", "naive"], [0.1, 0.4], label="RMSE")
    bars.axhline(0.2, color="black")
    bars.legend()
    scatter.scatter([1, 2, 3], [3, 1, 2])
    scatter.fill_between([1, 2, 3], [0, 0, 0], [1, 1, 1])
    image = heat.imshow(np.eye(2))
    heat.set_xticks([0, 1], ["A", "B"])
    fig.colorbar(image, ax=heat, label="per episode")
    fig.canvas.draw()
    text = describe_figure(fig)
    assert text.startswith("3 panels. Left: bar chart with straight lines; series: RMSE; x categories: trial, naive.")
    assert "Middle: points with shaded bands." in text
    assert "Right: heat map; x categories: A, B." in text and text.endswith("colour scale: “per episode”")


def test_draw_dag_describes_nodes_edges_weights_and_highlights():
    graph = nx.DiGraph()
    graph.add_edge("Z", "X", weight=1.0)
    graph.add_edge("X", "Y", weight=-0.5)
    graph.add_edge("A", "B")
    graph.add_edge("B", "A")  # an undirected CPDAG edge
    ax = draw_dag(graph, title="observed world", highlight=["Y"], node_values={"X": 5.0})
    assert describe_axes(ax) == ("observed world: causal graph on A, B, X, Y, Z; edges X → Y (-0.5), Z → X (+1), "
                                 "A — B (direction unknown); highlighted: Y; values X = 5.0")
    ax = draw_dag(nx.DiGraph([("X", "Y")]), show_weights=False)
    assert describe_figure(ax.figure) == "causal graph on X, Y; edges X → Y"


def test_an_explicit_description_wins_and_the_figure_title_leads():
    fig, (left, right) = new_figure(2)
    left.plot([1, 2, 3])
    set_alt_text(right, "the same data as a table of three numbers")
    fig.suptitle("Two views of $\\mu$")
    assert describe_figure(fig) == ("Two views of μ. 2 panels. Left: line chart. "
                                    "Right: the same data as a table of three numbers.")
    set_alt_text(fig, "one description for the whole figure")
    assert describe_figure(fig) == "Two views of μ. one description for the whole figure"


def test_candidate_graphs_are_described_by_which_are_framed():
    candidates = [nx.DiGraph([("A", "B")]), nx.DiGraph([("B", "A")]), nx.DiGraph()]
    candidates[2].add_nodes_from("AB")
    fig, axes = plt.subplots(1, 4)
    draw_candidates(candidates, axes, keep=[0, 1], truth=0)
    assert describe_figure(fig) == ("3 small causal graphs on A, B, one per panel; 2 framed in orange: A → B; B → A; "
                                    "the thick frame marks the true graph (A → B)")


def test_a_twin_axis_is_part_of_its_panel():
    fig, ax = new_figure()
    ax.bar(["a", "b"], [1, 2])
    ax.twinx().plot([0, 1], [3, 1], label="score")
    assert describe_figure(fig) == "bar chart; x categories: a, b; on a second axis: straight lines; series: score"


def test_an_empty_figure_and_long_lists_are_summarized():
    fig = plt.figure()
    assert describe_figure(fig) == "an empty figure"
    fig, ax = new_figure()
    for i in range(10):
        ax.plot([0, 1, 2], [i, i, i], label=f"s{i}")
    ax.legend()
    assert describe_axes(ax).endswith("series: s0, s1, s2, s3, s4, s5, s6, s7 and 2 more")


@pytest.mark.parametrize("target, text, error", [
    ("a figure", "x", "target must be a matplotlib Figure or Axes, got str"),
    (None, "", "text must be a non-empty description"),
])
def test_set_alt_text_errors_name_the_argument(target, text, error):
    if target is None:
        target = new_figure()[0]
    with pytest.raises((TypeError, ValueError), match=error):
        set_alt_text(target, text)


def test_alt_text_metadata_is_what_a_notebook_output_carries():
    fig, ax = new_figure()
    ax.set_title("a title")
    assert alt_text_metadata(fig) == {"alt": "a title"}


def test_ipython_saves_every_figure_with_its_alt_text():
    """In IPython every figure's image/png output carries {"alt": ...}; outside IPython nothing changes."""
    from IPython.core.interactiveshell import InteractiveShell
    from matplotlib.figure import Figure

    assert show_alt_text_in_notebooks() is False  # no IPython shell here
    shell = InteractiveShell.instance()
    try:
        assert show_alt_text_in_notebooks() is True
        fig, ax = new_figure()
        ax.plot([1, 2, 3], label="doing")
        ax.legend()
        data, metadata = shell.display_formatter.format(fig)
        assert metadata["image/png"] == {"alt": "line chart; series: doing"}
        assert Image.open(io.BytesIO(base64.b64decode(data["image/png"]))).format == "PNG"
        assert shell.display_formatter.format(plt.figure())[0].get("image/png") is None  # empty: nothing shown
    finally:
        shell.display_formatter.formatters["image/png"].pop(Figure, None)
        InteractiveShell.clear_instance()


def test_the_module_documents_alt_text():
    assert "alt text" in plotting.__doc__


def _pixels(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_fixed_layout_places_the_panels_with_margins_in_inches():
    fig, axes = new_figure(2, width=8.0, height=4.0)
    assert fixed_layout(fig, left=0.8, bottom=0.4, right=0.2, top=0.4, gap=1.0) is fig
    left, right = (ax.get_position() for ax in axes)
    assert left.x0 * 8 == pytest.approx(0.8) and left.y0 * 4 == pytest.approx(0.4)
    assert (1 - right.x1) * 8 == pytest.approx(0.2) and (1 - left.y1) * 4 == pytest.approx(0.4)
    assert (right.x0 - left.x1) * 8 == pytest.approx(1.0) and left.width == pytest.approx(right.width)
    for kwargs, message in (({"left": -0.1}, "left must be a margin in inches"),
                            ({"left": 5.0, "right": 3.5}, "leave no room"),
                            ({"gap": 9.0}, "gap must be the space between panels")):
        with pytest.raises(ValueError, match=message):
            fixed_layout(fig, **kwargs)


def test_a_fixed_figure_keeps_its_layout_and_its_titles_above_the_panels():
    fig, ax = fixed_figure(width=5.0, height=3.0, left=0.7, bottom=0.5, right=0.1, top=0.3)
    assert tuple(fig.get_size_inches()) == (5.0, 3.0) and ax.get_position().x0 * 5 == pytest.approx(0.7)
    ax.plot([0, 1], [10, 1e6])
    ax.set_title("a title")
    before = ax.get_position().bounds
    fig.canvas.draw()
    assert ax.get_position().bounds == before                  # no layout engine moves it
    assert ax.title.get_position()[1] == 1.0                   # the title sits just above the panel
    fig, axes = fixed_figure(2, width=8.0, height=3.0, width_ratios=[1, 2], gap=0.5)
    assert len(axes) == 2 and axes[1].get_position().width == pytest.approx(2 * axes[0].get_position().width)


def _make():
    fig, ax = fixed_figure(width=4.0, height=3.0, left=0.6, bottom=0.5, right=0.1, top=0.3)
    ax.set_xlabel("x")
    return fig


def _painter(slope: float, bars: bool):
    def paint(fig):
        (ax,) = fig.axes
        xs = np.linspace(0, 10 * slope, 20)
        ax.plot(xs, slope * xs, label=f"slope {slope}")
        ax.scatter(xs, xs ** 1.5, s=4)
        if bars:
            ax.bar([1, 2, 3], [slope, 2 * slope, 3 * slope], label="bars")
        ax.text(0.1, 0.1, f"{slope}")
        ax.set_title(f"slope {slope}")
        ax.legend()
    return paint


def test_a_figure_painted_again_is_the_same_as_a_new_one():
    fig = painted_figure(None, _make, _painter(2.0, bars=True))
    ax = fig.axes[0]
    assert (len(ax.lines), len(ax.collections), len(ax.patches), len(ax.texts), len(ax.containers)) == (1, 1, 3, 1, 1)
    again = painted_figure(fig, _make, _painter(0.5, bars=False))
    # what the first paint drew went with it (its line, points, bars and their container, text, legend)
    assert again is fig and (len(ax.lines), len(ax.collections), len(ax.patches), len(ax.texts),
                             len(ax.containers)) == (1, 1, 0, 1, 0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["slope 0.5"]
    new = painted_figure(None, _make, _painter(0.5, bars=False))
    assert np.array_equal(_pixels(again), _pixels(new)) and describe_figure(again) == describe_figure(new)
    assert fig.axes[0].get_xlim() == new.axes[0].get_xlim()                   # limits found anew, not kept


def test_a_dag_painted_again_is_the_same_as_a_new_one():
    def make():
        return fixed_figure(2, width=7.0, height=3.0, left=0.2, bottom=0.5, right=0.1, top=0.3, gap=0.5)[0]

    def painter(graph):
        def paint(fig):
            draw_dag(graph, fig.axes[0], title="a DAG", highlight=["Y"])
            fig.axes[1].bar(range(len(graph)), range(len(graph)))
        return paint

    big = nx.DiGraph()
    big.add_weighted_edges_from([("A", "B", 1.0), ("B", "C", -1.0), ("A", "C", 0.5), ("C", "D", 1.0), ("D", "Y", 2)])
    fig = painted_figure(None, make, painter(big))
    small = nx.DiGraph()
    small.add_weighted_edges_from([("X", "Y", 1.0)])
    again = painted_figure(fig, make, painter(small))
    new = painted_figure(None, make, painter(small))
    assert np.array_equal(_pixels(again), _pixels(new)) and describe_figure(again) == describe_figure(new)


def test_painted_figure_makes_a_new_figure_for_one_it_did_not_paint_and_keeps_panels_in_make():
    other, _ = new_figure()
    fig = painted_figure(other, _make, _painter(1.0, bars=False))
    assert fig is not other and fig.axes[0].get_xlabel() == "x"

    def adds_a_panel(fig):
        fig.add_subplot(2, 2, 4)

    with pytest.raises(ValueError, match="paint must not add panels"):
        painted_figure(None, _make, adds_a_panel)
