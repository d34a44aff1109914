"""Lesson 11's experiment command: it trains every learner on every regime per seed, scores every player, and
writes the results JSON (and the first seed's shipped learners) in the shape the lesson reads."""

from __future__ import annotations

import json

import pytest

from causal_lessons.experiments import soft_learners as experiment
from causal_lessons.soft_learners import (LEARNERS, REGIMES, SoftLearnersConfig, WORLD_KINDS, get_config,
                                          load_learner, load_results, player_key, world_curve)


def test_a_tiny_run_writes_results_and_checkpoints(tmp_path):
    config = get_config("tiny", steps=3, warmup=1, eval_episodes=40, d_model=16, n_heads=2, d_ff=16,
                        strengths=(0.0, 1.0), weight_scales=(1.0,))
    results = experiment.run(config, seeds=(0, 1), out=tmp_path / "r.json", checkpoint_dir=tmp_path, log=None)
    loaded = load_results(tmp_path / "r.json")
    assert loaded["seeds"] == [0, 1] and SoftLearnersConfig.from_dict(loaded["config"]) == config.with_settings(
        seeds=(0, 1))
    assert loaded["command"] == "python -m causal_lessons.experiments.soft_learners train --config tiny --seeds 0 1"
    assert set(loaded["worlds"]) == set(WORLD_KINDS)
    for learner in LEARNERS:
        for regime in REGIMES:
            key = player_key(learner, regime)
            assert world_curve(loaded, "noisy", key)["per_seed"].shape == (2, 2)
            assert [run["seed"] for run in results["training"][key]] == [0, 1]
    for learner, regime in experiment.SHIPPED:
        agent, meta = load_learner(tmp_path / f"soft_learners_{learner}_{regime}_tiny.pt")
        assert meta["regime"] == regime and meta["seed"] == 0
    json.dumps(results)


def test_the_command_line_checks_its_arguments():
    with pytest.raises(SystemExit):
        experiment.main(["train", "--config", "huge"])
    with pytest.raises(ValueError, match="seeds"):
        experiment.run(get_config("tiny"), seeds=(), log=None)
