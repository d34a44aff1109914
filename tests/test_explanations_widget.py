"""Tests of lesson 05's widget: the look-up update function and the builder (three controls, readout, figure)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from causal_lessons.widgets.explanations import KIND_LABELS, quality_explorer, quality_update  # noqa: E402


def small_table():
    """A sweep table in the shape quality_table makes, with numbers chosen to exercise every verdict."""
    rows = []
    for share in (0.0, 0.4):
        flipped = share > 0.3
        rows.append({"kind": "plain", "low_share": share, "asked": "none", "reward_fraction": 0.3 if flipped else 0.97,
                     "agreement": 0.5, "explore_coverage": 0.0 if flipped else 1.0,
                     "first_observes": 1.0 if flipped else 0.0})
        for kind in ("strategy", "return"):
            for asked, (reward, coverage, observes) in {"low": (0.5, 0.6, 0.0), "medium": (0.4, 0.0, 1.0),
                                                        "high": (0.95, 1.0, 0.0)}.items():
                if kind == "return" and flipped:
                    reward, coverage, observes = 0.2, 0.0, 1.0
                rows.append({"kind": kind, "low_share": share, "asked": asked, "reward_fraction": reward,
                             "agreement": 0.5, "explore_coverage": coverage, "first_observes": observes})
    return pd.DataFrame(rows)


def test_update_looks_up_the_agent_and_says_whom_it_plays_like():
    table = small_table()
    high = quality_update(table, "strategy", 0.4, "high", draw=False)
    assert high["plays_like"] == "the expert" and high["reward_fraction"] == 0.95 and high.figure is None
    assert high.readout == ("conditioned on the strategy, 40% low-quality training episodes, asked for 'high': "
                               "reward 0.95 of the expert's; first move 'observe' in 0% of episodes, experiments on "
                               "every variable in 100%; plays like the expert")
    assert quality_update(table, "strategy", 0.4, "medium", draw=False)["plays_like"] == "the associational strategy"
    assert quality_update(table, "strategy", 0.4, "low", draw=False)["plays_like"] == "neither"
    assert quality_update(table, "return", 0.4, "high", draw=False)["plays_like"] == "the associational strategy"
    plain = quality_update(table, "plain", 0.0, "low", draw=False)          # the plain agent reads no quality token
    assert plain["asked"] == "none" and "asked for" not in plain.readout and plain["plays_like"] == "the expert"
    assert quality_update(table, "strategy", 0.4, 2, draw=False)["asked"] == "high"


def test_update_draws_the_sweep_with_the_selection():
    table = small_table()
    (ax,) = quality_update(table, "strategy", 0.4, "medium").figure.axes
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "conditioned on the strategy, asked for medium" in labels and "plain imitation" in labels
    assert ax.get_title() == "conditioned on the strategy, asked for 'medium'"
    plt.close("all")


def test_update_checks_its_arguments():
    table = small_table()
    with pytest.raises(ValueError, match="kind must be one of 'plain', 'strategy', 'return', got 'best'"):
        quality_update(table, "best", 0.4)
    with pytest.raises(ValueError, match="low_share must be one of the sweep's shares 0, 0.4, got 0.2"):
        quality_update(table, "plain", 0.2)
    with pytest.raises(ValueError, match="quality must be one of 'low', 'medium', 'high'"):
        quality_update(table, "strategy", 0.4, "great")
    with pytest.raises(TypeError, match="table must be the DataFrame made by"):
        quality_update({"kind": []}, "plain", 0.0)


def test_explorer_builds_controls_readout_and_output_and_responds():
    pytest.importorskip("ipywidgets")
    table = small_table()
    box = quality_explorer(table)
    share, kind, ask, readout, out = box.children
    assert readout.value == quality_update(table, draw=False).readout
    assert "explanations-widget" in box._dom_classes
    assert "cl-readout" in readout._dom_classes and "cl-output" in out._dom_classes
    assert readout.value.startswith("conditioned on the strategy, 40% low-quality training episodes, asked for 'high'")
    ask.value = "medium"
    assert "asked for 'medium'" in readout.value and readout.value.endswith("the associational strategy")
    kind.value = "plain"
    assert ask.disabled and readout.value.startswith(KIND_LABELS["plain"] + ", 40%")
    share.value = 0.0
    assert readout.value.startswith("plain imitation, 0% low-quality") and readout.value.endswith("the expert")
    kind.value = "return"
    assert not ask.disabled and "asked for 'medium'" in readout.value
    with pytest.raises(ValueError, match="low_share must be one of the sweep's shares"):
        quality_explorer(table, low_share=0.5)
    assert plt.get_fignums() == []
