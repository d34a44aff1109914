"""tools/bench_widgets.py on a tiny sample: it covers every widget and reports medians and percentiles (no timing
is asserted: the numbers depend on the machine)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import bench_widgets as bench  # noqa: E402

LIGHT = ["lesson", "ladder", "passive_logs", "game", "fusion", "blickets", "generalization", "dynamics",
         "soft_learners"]
HEAVY = ["agents", "explanations", "language_agents", "imitation"]     # trained agents, torch


def test_every_widget_module_is_benchmarked_by_its_update_function():
    modules = {p.stem for p in (ROOT / "causal_lessons" / "widgets").glob("*.py")} - {"__init__", "frame"}
    assert set(bench.WIDGETS) == modules == set(LIGHT + HEAVY)
    for name, (lesson, builder, update, _setup) in bench.WIDGETS.items():
        module = __import__(f"causal_lessons.widgets.{name}", fromlist=[builder])
        assert callable(getattr(module, builder)) and update.endswith("_update") and callable(getattr(module, update))


def test_settings_span_the_controls_range():
    rng = np.random.default_rng(0)
    every = bench._grid(rng, None, a=[1, 2, 3], b=[0.0, 0.5])
    assert len(every) == 6 and {"a": 3, "b": 0.5} in every
    some = bench._grid(rng, 4, a=[1, 2, 3], b=[0.0, 0.5])
    assert len(some) == 4 and all(s in every for s in some) and len({tuple(s.values()) for s in some}) == 4
    _update, settings = bench._ladder(rng, None)
    assert [s["confounding"] for s in settings][::20] == pytest.approx([-2.0, 0.0, 2.0])


def _check_row(row: dict, name: str, settings: int) -> None:
    assert row["widget"] == name and row["settings"] == settings
    assert 0 <= row["median_ms"] <= row["p95_ms"] <= row["max_ms"]
    assert 0 <= row["wall_median_ms"] <= row["wall_p95_ms"]
    assert row["no_figure_median_ms"] >= 0 and row["reference_ms"] > 0


@pytest.mark.parametrize("name", LIGHT)
def test_a_tiny_run_of_each_widget(name):
    _check_row(bench.time_widget(name, samples=1), name, 1)
    assert plt.get_fignums() == []                       # every figure drawn was closed


@pytest.mark.slow
@pytest.mark.parametrize("name", HEAVY)
def test_a_tiny_run_of_the_widgets_on_trained_agents(name):
    _check_row(bench.time_widget(name, samples=1), name, 1)


def test_the_pinned_child_process_and_the_readme_table(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{bench.BEGIN}\nold table\n{bench.END}\nafter\n")
    rows = tmp_path / "rows.json"
    assert bench.main(["lesson", "--samples", "3", "--json", str(rows)]) == 0
    (row,) = json.loads(rows.read_text())
    _check_row(row, "lesson", 3)
    assert "| 00 | `self_check_widget` | `self_check_update` | 3 |" in capsys.readouterr().out
    text = bench.table([row, dict(row, widget="slow", median_ms=150.0, p95_ms=300.0, max_ms=400.0)])
    assert "a reference loop" in text
    assert text.count("| yes |") == 1 and text.count("| **no** |") == 1
    bench.update_readme(readme, text, "a test CPU", begin=bench.BEGIN, end=bench.END)
    content = readme.read_text()
    assert "old table" not in content and text in content and "on a test CPU" in content
    assert content.startswith("intro\n") and content.endswith("after\n")


def test_arguments_are_checked():
    with pytest.raises(SystemExit):
        bench.main(["no_such_widget", "--in-process"])
    with pytest.raises(SystemExit):
        bench.main(["ladder", "--samples", "0", "--in-process"])
    with pytest.raises(SystemExit):
        bench.main(["ladder", "--readme", "README.md"])


def _pixels(fig) -> np.ndarray:
    from causal_lessons.widgets.frame import shared_renderer

    renderer = shared_renderer(fig)
    fig.draw(renderer)
    return np.asarray(renderer.buffer_rgba()).copy()


def _fits(fig) -> list[str]:
    """What sticks out of the canvas (the frame crops the drawn picture, it cannot extend it) or overlaps."""
    from matplotlib.axis import Axis
    from matplotlib.spines import Spine
    from matplotlib.transforms import Bbox

    renderer = fig.canvas.get_renderer()
    fig.canvas.draw()
    width, height = fig.get_size_inches()
    box = fig.get_tightbbox(renderer)
    problems = [f"outside the canvas: {box.bounds}"] if (box.x0 < -0.01 or box.y0 < -0.01 or box.x1 > width + 0.01
                                                         or box.y1 > height + 0.01) else []
    panels = []
    for ax in fig.axes:                                      # a twin axis shares its panel's place
        if not any(np.allclose(ax.get_position().bounds, p.get_position().bounds) for p in panels):
            panels.append(ax)

    def extent(ax):
        if ax.axison:
            return ax.get_tightbbox(renderer)
        parts = [c.get_window_extent(renderer) for c in ax.get_children()   # what a panel without axes shows
                 if c.get_visible() and not isinstance(c, (Spine, Axis)) and c is not ax.patch
                 and not (hasattr(c, "get_text") and not c.get_text())]
        return Bbox.union([p for p in parts if p.width > 0 or p.height > 0])

    boxes = [extent(ax) for ax in panels]
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes[i + 1:], start=i + 1):
            if a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1 and a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1:
                problems.append(f"panels {i} and {j} overlap")
    return problems


def _check_figures(name: str, samples: int) -> None:
    """Over a sample of settings: every figure fits its canvas, and drawn again on the last one (as the frame
    does) it is the same, pixel for pixel and in its alt text, as a new one."""
    from causal_lessons.plotting import describe_figure, use_course_style
    from causal_lessons.widgets.frame import call_update

    with matplotlib.rc_context():
        use_course_style()
        update, settings = bench.WIDGETS[name][3](np.random.default_rng(11), samples)
        last = None
        for setting in settings:
            new = update(**setting).figure
            assert _fits(new) == [], (setting, _fits(new))
            again = call_update(update, setting, last).figure
            assert last is None or again is last
            assert np.array_equal(_pixels(again), _pixels(new)), setting
            assert describe_figure(again) == describe_figure(new)
            plt.close("all")
            last = again


@pytest.mark.parametrize("name", [n for n in LIGHT if n != "lesson"])
def test_each_widgets_figure_fits_and_drawn_again_is_the_same_as_new(name):
    _check_figures(name, 6)


@pytest.mark.slow
@pytest.mark.parametrize("name", HEAVY)
def test_the_figures_of_the_widgets_on_trained_agents_fit_and_are_drawn_again_the_same(name):
    _check_figures(name, 6)
