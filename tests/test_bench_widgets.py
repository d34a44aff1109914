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
