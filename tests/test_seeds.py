"""Tests of causal_lessons.seeds: seed summaries, "k of n seeds", the shipped per-seed results, the plot."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from causal_lessons import seeds


def test_summarize_mean_range_and_text():
    s = seeds.summarize([0.3, 0.1, 0.2])
    assert (s.low, s.high, s.n) == (0.1, 0.3, 3)
    assert s.mean == pytest.approx(0.2)
    assert s.text(1) == "0.2 (range 0.1-0.3 over 3 seeds)"
    assert s.contains(0.25) and not s.contains(0.31)


def test_summarize_rejects_empty_and_nan():
    with pytest.raises(ValueError, match="values must hold at least one"):
        seeds.summarize([])
    with pytest.raises(ValueError, match="finite"):
        seeds.summarize([0.1, float("nan")])


def test_count_seeds_and_every_seed():
    assert seeds.count_seeds([1, 2, 3], lambda v: v >= 2) == "2 of 3 seeds"
    assert seeds.holds_in_every_seed([1, 2, 3], lambda v: v > 0)
    assert not seeds.holds_in_every_seed([1, 2, 3], lambda v: v > 1)
    with pytest.raises(TypeError, match="holds must be a function"):
        seeds.count_seeds([1], 3)


def test_load_results_names_the_shipped_files():
    with pytest.raises(ValueError, match="file name of a results JSON"):
        seeds.load_results("seeds_small")
    with pytest.raises(FileNotFoundError, match="shipped per-seed results"):
        seeds.load_results("nothing_here.json")


@pytest.mark.parametrize("name", ["seeds_small.json", "explanations_seeds.json"])
def test_shipped_results_record_config_seeds_metrics_and_command(name):
    results = seeds.load_results(name)
    assert results["command"].startswith("python -m causal_lessons.experiments.")
    assert "hardware" in results
    if name == "seeds_small.json":
        assert len(results["seeds"]) >= 3 and "config" in results
        for experiment in ("heldout_links", "associational_control", "associational_matched"):
            assert len(results["experiments"][experiment]["per_seed"]) == len(results["seeds"])
    else:
        assert len(results["confound"]) >= 3 and len(results["sweep"]) >= 3
        assert {"plain", "explained", "deconfounded"} <= set(results["confound"][0])


def test_plot_against_seeds_draws_rows_and_the_live_run():
    ax = seeds.plot_against_seeds({"a": [0.1, 0.2, 0.3], "b": [0.5, 0.6, 0.9]}, {"a": 0.25}, xlabel="x")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"]
    assert "this run (one seed)" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close("all")
    with pytest.raises(ValueError, match="live has labels without seeds"):
        seeds.plot_against_seeds({"a": [0.1]}, {"z": 0.2})
    with pytest.raises(TypeError, match="seeds must be a dict"):
        seeds.plot_against_seeds({})
