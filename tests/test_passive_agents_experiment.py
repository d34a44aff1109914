"""Tests of causal_lessons.experiments.passive_agents: the episode splits, the references, the command line,
the shipped checkpoint, and a retraining at a reduced budget that must show the learning signal."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from causal_lessons import strategies, training  # noqa: E402
from causal_lessons.agents import make_agent  # noqa: E402
from causal_lessons.experiments import passive_agents as pa  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHECKPOINT = ROOT / "causal_lessons" / "checkpoints" / "passive_pointer_small.pt"
CONTROL = ROOT / "causal_lessons" / "checkpoints" / "associational_control_small.pt"


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # as in the lessons


def test_configs():
    assert set(pa.CONFIGS) == {"lesson", "small", "paper"}
    paper = pa.get_config("paper")
    assert paper.n_vars == (4, 5, 6) and len(paper.seeds) >= 3 and paper.d_model > pa.get_config("small").d_model
    smoke = pa.get_config("paper", smoke=True)
    assert smoke.n_vars == paper.n_vars and smoke.steps < 50 and smoke.name == "paper-smoke"
    assert pa.get_config("small", steps=7).steps == 7 == pa.get_config("small", steps=7).train.steps
    assert pa.get_config("small", d_model=32).agent_config("identity").d_model == 32
    assert pa.get_config("small").train_config("identity").steps == pa.get_config("small").control_steps
    small = pa.get_config("small")
    assert pa.ExperimentConfig.from_dict(json.loads(json.dumps(small.to_dict()))) == small
    with pytest.raises(ValueError, match="config must be one of 'lesson', 'small', 'paper', got 'huge'"):
        pa.get_config("huge")
    with pytest.raises(ValueError, match="unknown settings: colour; the settings are name, agent, train"):
        pa.get_config("small", colour=1)


def test_reference_rewards():
    ref = pa.reference_rewards("train", 1000, n_observations=200)
    assert ref["episodes"] == 1000
    expert, optimum = ref["expert"]["mean"], ref["optimum"]["mean"]
    assert optimum >= expert - 1e-9 and expert > 0.97 * optimum
    assert ref["associational_same_budget"]["mean"] < ref["associational_200"]["mean"] <= optimum
    assert abs(ref["random"]["mean"]) < 0.6
    assert 0.01 < ref["divergent_fraction"] < 0.1
    low, high = ref["expert"]["ci95"]
    assert low < expert < high


def test_evaluate_agent_and_exploration_table():
    agent = make_agent(pa.get_config("lesson").agent_config("pointer"), seed=0)
    m = pa.evaluate_agent(agent, "sets", 400)
    assert {"reward_fraction", "reward_fraction_ci95", "divergent_agreement", "explore_coverage"} <= set(m)
    assert m["test"] == "sets" and m["episodes"] == 400
    batch = pa.evaluation_episodes("sets", 400)
    result = training.rollout(agent, batch)
    table = pa.exploration_table(result, batch)
    assert list(table.index) == sorted("".join(s) for s in pa.HELDOUT_SETS)
    assert list(table.columns) == ["A", "B", "C", "D", "E", "observe"]
    assert np.allclose(table.sum(axis=1), 5)
    with pytest.raises(ValueError, match="pass the rollout of this batch"):
        pa.exploration_table(result, pa.evaluation_episodes("sets", 10))


def test_plots():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    history = training.TrainingHistory(steps=[10, 20], loss=[2.0, 1.5], eval_steps=[10, 20],
                                       evals=[{"reward_fraction": 0.5}, {"reward_fraction": 0.9}])
    axes = pa.plot_learning_curves({"pointer": history, "identity": history})
    assert [line.get_label() for line in axes[0].get_lines()] == ["pointer", "identity", "expert"]
    assert list(axes[0].get_lines()[0].get_ydata()) == [0.5, 0.9]
    with pytest.raises(TypeError, match=r"histories must be a dict \{name: TrainingHistory\}"):
        pa.plot_learning_curves([history])
    import pandas as pd

    table = pd.DataFrame([[1.0, 0.0, 2.0]], index=["AB"], columns=["A", "B", "observe"])
    ax = pa.plot_exploration(table)
    assert [t.get_text() for t in ax.texts] == ["1.00", "0.00", "2.00"]
    plt.close("all")


def test_load_shipped_checks_the_name():
    with pytest.raises(ValueError, match="name must be a checkpoint name"):
        pa.load_shipped("../etc/passwd")
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        pa.load_shipped("missing_agent")


def test_train_agent_rejects_unknown_kinds():
    with pytest.raises(ValueError, match="kind must be one of 'pointer'"):
        pa.train_agent("transformer")


@pytest.mark.slow
def test_paper_config_smoke_run_and_evaluate(tmp_path):
    out = tmp_path / "results.json"
    code = pa.main(["train", "--config", "paper", "--smoke", "--seeds", "0", "--agents", "pointer", "associational",
                    "--out", str(out), "--checkpoint-dir", str(tmp_path), "--no-progress"])
    assert code == 0
    results = json.loads(out.read_text())
    assert results["config"]["name"] == "paper-smoke" and results["hardware"]["device"] == "cpu"
    assert results["hardware"]["torch"] == torch.__version__
    exp = results["experiments"]
    for name in ("heldout_links", "heldout_sets", "associational_control"):
        assert {"reward_fraction", "reward_fraction_ci95", "divergent_agreement", "explore_coverage"} <= set(exp[name])
    assert set(exp["heldout_links"]["by_n_vars"]) == {"4", "5", "6"}
    refs = exp["expert_vs_random"]["links"]
    assert {"expert", "optimum", "associational_same_budget", "associational_1000", "random",
            "divergent_fraction"} <= set(refs)
    checkpoint = tmp_path / "passive_pointer_paper-smoke.pt"
    meta = json.loads((tmp_path / "passive_pointer_paper-smoke.pt.json").read_text())
    assert meta["seed"] == 0 and meta["agent_config"]["n_vars"] == 6 and "links" in meta["metrics"]
    evaluated = pa.run_evaluate(checkpoint, n_episodes=200, out=tmp_path / "eval.json", log=None)
    assert set(evaluated["experiments"]) == {"heldout_links", "heldout_sets"}
    assert json.loads((tmp_path / "eval.json").read_text())["checkpoint_metadata"]["agent_kind"] == "pointer"


@pytest.mark.slow
def test_retraining_at_a_reduced_budget_shows_the_learning_signal():
    """400 steps (a quarter of the lesson's budget): the pointer agent already finds the held-out links."""
    config = pa.get_config("lesson", steps=400, curve_every=0)
    test = pa.evaluation_episodes("links", 1500)
    untrained = pa.evaluate_agent(make_agent(config.agent_config("pointer"), seed=0), "links", 1500, batch=test)
    agent, history = pa.train_agent("pointer", config, seed=0, progress=False)
    trained = pa.evaluate_agent(agent, "links", 1500, batch=test)
    assert history.loss[-1] < 0.8 * history.loss[0]
    assert untrained["reward_fraction"] < 0.3
    assert trained["reward_fraction"] > 0.85 and trained["divergent_agreement"] > 0.8
    assert trained["explore_coverage"] > 0.8


def test_shipped_checkpoint_is_small_documented_and_reproducible():
    assert CHECKPOINT.is_file(), "train it: python -m causal_lessons.experiments.passive_agents train --config small"
    # issue 4: the shipped checkpoint, with its config/seed/metrics JSON, is at most 2 MB
    size = CHECKPOINT.stat().st_size + CHECKPOINT.with_name(CHECKPOINT.name + ".json").stat().st_size
    assert size <= 2_000_000
    agent, meta = training.load_checkpoint(CHECKPOINT)
    assert meta["experiment_config"]["name"] == "small" and meta["seed"] == 0
    # the recorded config is today's "small" config, and the agent and training it describes are the checkpoint's
    assert pa.ExperimentConfig.from_dict(meta["experiment_config"]) == pa.get_config("small")
    assert meta["train_config"] == pa.get_config("small").train_config("pointer").to_dict()
    assert agent.config == pa.get_config("small").agent_config("pointer")
    assert "--config small" in meta["produced_by"] and meta["hardware"]["torch"]
    # the shipped metrics are reproduced on the same test episodes (a subset of them, for speed)
    test = pa.evaluation_episodes("links", 2000)
    metrics = pa.evaluate_agent(agent, "links", 2000, batch=test)
    assert metrics["reward_fraction"] >= 0.97 and metrics["divergent_agreement"] >= 0.95
    low, high = meta["metrics"]["links"]["reward_fraction_ci95"]
    assert metrics["reward_fraction_ci95"][0] <= high and low <= metrics["reward_fraction_ci95"][1]


def test_shipped_control_observes_only():
    agent, meta = training.load_checkpoint(CONTROL)
    assert meta["agent_kind"] == "associational" and agent.config.head == "identity"
    batch = pa.evaluation_episodes("links", 300)
    result = training.rollout(agent, batch)
    assert np.mean(result.explore_actions == -1) > 0.95
    divergent = strategies.divergent_mask(batch)
    assert divergent.sum() > 10
