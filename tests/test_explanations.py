"""Unit tests of causal_lessons.explanations (lesson 05): the confounded data and the explanation targets, the
explaining agent and its loss, the mixed-quality data, the conditioned agent, the exact first-move mixture, the
sweep's saving and loading, and the training hooks they use in causal_lessons.training."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

torch = pytest.importorskip("torch")

from causal_lessons import agents, strategies, training  # noqa: E402
from causal_lessons import explanations as ex  # noqa: E402
from causal_lessons.environment import generate_episodes  # noqa: E402
from causal_lessons.experiments import explanations as sweep_experiment  # noqa: E402

TINY = dict(d_model=16, n_heads=2, d_ff=32)


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # as in the lessons


def chain_batch(size=4):
    """Expert episodes on the chain A -> B -> C (weights +1, -1), goal C: every experiment's effects are known."""
    rng = np.random.default_rng(0)
    n = 3
    w = np.zeros((size, n, n), np.float32)
    w[:, 0, 1], w[:, 1, 2] = 1.0, -1.0
    total = np.broadcast_to(np.eye(n, dtype=np.float32), w.shape).copy()
    total[:, 0, 1], total[:, 1, 2], total[:, 0, 2] = 1.0, -1.0, -1.0
    actions = np.stack([rng.permutation(n) for _ in range(size)])
    values = np.zeros((size, n, n), np.float32)
    for b in range(size):
        for k in range(n):
            values[b, k] = 5.0 * total[b, actions[b, k]]
    return SimpleNamespace(
        names=["A", "B", "C"], weights=w, total_effects=total, allowed=np.ones((size, n), bool),
        explore_actions=actions.astype(np.int64), explore_values=values, goal=np.full(size, 2),
        exploit_var=np.full(size, 1), exploit_sign=np.full(size, -1), reward=np.full(size, 5.0, np.float32),
        intervention_value=5.0)


# ----------------------------------------------------------------------------------------------
# Part 1: confounded data
# ----------------------------------------------------------------------------------------------

def test_shortcut_pairs_and_partners():
    assert ex.SHORTCUT_PAIRS == (("E", "A"), ("A", "B"), ("B", "C"), ("C", "D"), ("D", "E"))
    assert ex.shortcut_partner([0, 1, 2, 3, 4]).tolist() == [4, 0, 1, 2, 3]
    assert ex.shortcut_partner([0], n_vars=3).tolist() == [2]
    pairs = ex.other_pairs(5)
    assert len(pairs) == 20 - 5 and not set(pairs) & set(ex.SHORTCUT_PAIRS)
    with pytest.raises(ValueError, match="goal must hold variable indices 0..4, got values from 0 to 5"):
        ex.shortcut_partner([0, 5])
    with pytest.raises(ValueError, match="n_vars must be at least 3"):
        ex.other_pairs(2)


def test_confounded_training_data_make_both_rules_fit_every_episode():
    batch = ex.confounded_sampler()(400, 3)
    partner = ex.shortcut_partner(batch.goal)
    assert np.array_equal(batch.exploit_var, partner)                     # the expert follows the shortcut...
    effect = np.abs(batch.total_effects[np.arange(400), :, batch.goal])
    effect[np.arange(400), batch.goal] = -1
    assert np.array_equal(effect.argmax(1), partner)                       # ...which is the unique best variable
    second = np.sort(effect, axis=1)[:, -2]
    assert (effect.max(1) > second).all()
    assert batch.allowed.all()


def test_deconfounded_share_mixes_in_ordinary_episodes():
    batch = ex.confounded_sampler(deconfounded_share=0.25)(400, 3)
    off = batch.exploit_var != ex.shortcut_partner(batch.goal)
    assert 0.1 < off.mean() < 0.25                              # the ordinary quarter: partner usually not chosen
    again = ex.confounded_sampler(deconfounded_share=0.25)(400, 3)
    assert np.array_equal(batch.goal, again.goal) and np.array_equal(batch.explore_values, again.explore_values)
    with pytest.raises(ValueError, match="deconfounded_share must be below 1"):
        ex.confounded_sampler(deconfounded_share=1.0)
    with pytest.raises(ValueError, match="deconfounded_share must be at least 0"):
        ex.confounded_sampler(deconfounded_share=-0.1)


def test_deconfounded_test_episodes_separate_the_rules():
    test = ex.deconfounded_episodes(300, seed=1)
    partner = ex.shortcut_partner(test.goal)
    best = np.abs(test.total_effects[np.arange(300), :, test.goal])
    best[np.arange(300), test.goal] = -1
    assert (best.argmax(1) != partner).all() and (test.exploit_var != partner).all()
    assert np.array_equal(test.goal, ex.deconfounded_episodes(300, seed=1).goal)
    assert not np.array_equal(test.goal, ex.deconfounded_episodes(300, seed=2).goal)


def test_explanation_targets_on_a_known_chain():
    batch = chain_batch()
    t = ex.explanation_targets(batch)
    a = batch.explore_actions
    for b in range(len(a)):
        for k, var in enumerate(a[b]):
            if var == 2:                                    # an experiment on the goal explains nothing about it
                assert not t["strength_mask"][b, k] and not t["direction_mask"][b, k]
            else:
                assert t["strength_mask"][b, k] and t["strength"][b, k] == pytest.approx(1.0)
                assert t["direction"][b, k] == 0.0          # A and B both lower C
            # moved: 2 = rose, 0 = fell, 1 = stayed; the set variable is masked
            assert not t["moved_mask"][b, k, var] and t["moved_mask"][b, k].sum() == 2
            expected = {0: [None, 2, 0], 1: [1, None, 0], 2: [1, 1, None]}[var]
            for j, cls in enumerate(expected):
                if cls is not None:
                    assert t["moved"][b, k, j] == cls
    with pytest.raises(TypeError, match="batch must be an EpisodeBatch"):
        ex.explanation_targets(SimpleNamespace(goal=[1]))


def test_explanation_targets_ignore_observations_and_small_responses():
    batch = generate_episodes(50, strategy="associational", seed=0)
    t = ex.explanation_targets(batch)
    assert not t["strength_mask"].any() and not t["moved_mask"].any() and not t["direction_mask"].any()
    expert = generate_episodes(200, seed=0)
    t = ex.explanation_targets(expert)
    resp = np.abs(expert.explore_values[np.arange(200), :, expert.goal]) / 5
    assert np.array_equal(t["direction_mask"], t["strength_mask"] & (resp >= 0.5))


# ----------------------------------------------------------------------------------------------
# Part 1: the explaining agent
# ----------------------------------------------------------------------------------------------

def test_explaining_agent_starts_from_the_plain_agents_weights():
    plain = agents.make_agent(head="pointer", seed=4, **TINY)
    explaining = ex.make_explaining_agent(head="pointer", seed=4, **TINY)
    explaining_state = explaining.state_dict()
    for key, value in plain.state_dict().items():
        assert torch.equal(value, explaining_state[key]), key
    extra = set(explaining_state) - set(plain.state_dict())
    assert {k.split(".")[0] for k in extra} == {"strength_head", "direction_head", "moved_head"}
    with pytest.raises(TypeError, match="config must be an AgentConfig"):
        ex.make_explaining_agent({"d_model": 8})


def test_explanation_outputs_and_loss():
    agent = ex.make_explaining_agent(head="pointer", seed=0, **TINY)
    batch = generate_episodes(16, seed=0)
    _, tensors_fn = ex.explained_loss(1.0)
    tensors = tensors_fn(batch, agent, torch.device("cpu"))
    hidden = agent.encode(tensors["tokens"])
    out = ex.explanation_outputs(agent, hidden)
    assert out["strength"].shape == (16, 5) and out["moved"].shape == (16, 5, 5, 3)
    assert ((out["direction"] > 0) & (out["direction"] < 1)).all()
    loss = ex.explanation_loss(agent, hidden, tensors)
    assert torch.isfinite(loss) and loss > 0
    loss.backward()
    assert agent.strength_head.weight.grad.abs().sum() > 0 and agent.moved_head.weight.grad.abs().sum() > 0
    with pytest.raises(TypeError, match="explaining agent built by causal_lessons.explanations.make_explaining_agent"):
        ex.explanation_outputs(agents.make_agent(seed=0, **TINY), hidden)


def test_explained_loss_adds_the_weighted_explanations_to_imitation():
    agent = ex.make_explaining_agent(head="pointer", seed=0, **TINY)
    batch = generate_episodes(16, seed=1)
    loss0, tensors_fn = ex.explained_loss(0.0)
    loss2, _ = ex.explained_loss(2.0)
    tensors = tensors_fn(batch, agent, torch.device("cpu"))
    total0, e0, x0 = loss0(agent, tensors)
    bc, be, bx = training.bc_loss(agent, tensors)
    assert torch.allclose(total0, bc) and torch.allclose(e0, be) and torch.allclose(x0, bx)
    total2, _, _ = loss2(agent, tensors)
    hidden = agent.encode(tensors["tokens"])
    assert torch.allclose(total2, bc + 2.0 * ex.explanation_loss(agent, hidden, tensors), atol=1e-5)
    with pytest.raises(ValueError, match="weight must be at least 0"):
        ex.explained_loss(-1.0)


def test_bc_loss_accepts_precomputed_hidden_states():
    agent = agents.make_agent(head="pointer", seed=0, **TINY)
    tensors = training.batch_tensors(generate_episodes(8, seed=2), agent, torch.device("cpu"))
    hidden = agent.encode(tensors["tokens"])
    for a, b in zip(training.bc_loss(agent, tensors), training.bc_loss(agent, tensors, hidden=hidden)):
        assert torch.allclose(a, b)


def test_train_uses_the_loss_and_tensor_hooks():
    agent = agents.make_agent(head="pointer", seed=0, **TINY)
    calls = {"loss": 0, "tensors": 0}

    def tensors_fn(batch, agent_, device):
        calls["tensors"] += 1
        out = training.batch_tensors(batch, agent_, device)
        out["extra"] = torch.zeros(len(batch))
        return out

    def loss_fn(agent_, tensors):
        calls["loss"] += 1
        assert tensors["extra"].shape == (4,)                # every entry is sliced into batches
        return training.bc_loss(agent_, tensors)

    cfg = training.TrainConfig(steps=5, batch_size=4, chunk=2, warmup=1)
    history = training.train(agent, lambda n, s: generate_episodes(n, seed=s), cfg, progress=False,
                             loss_fn=loss_fn, tensors_fn=tensors_fn)
    assert calls == {"loss": 5, "tensors": 3} and history.episodes_seen == 20
    with pytest.raises(TypeError, match="loss_fn must be a function or None, got int"):
        training.train(agent, lambda n, s: generate_episodes(n, seed=s), cfg, progress=False, loss_fn=3)


def test_train_confounded_checks_and_learning_signal():
    with pytest.raises(ValueError, match="kind must be one of 'plain', 'explained', 'deconfounded'"):
        ex.train_confounded("clever")
    with pytest.raises(ValueError, match="unknown settings: depth"):
        ex.train_confounded("plain", depth=3)
    with pytest.raises(TypeError, match="config must be a ConfoundConfig"):
        ex.train_confounded("plain", {"steps": 3})
    # a reduced budget: the plain agent already follows the shortcut on de-confounded episodes
    test = ex.deconfounded_episodes(300)
    agent, history = ex.train_confounded("plain", steps=250, d_model=32, d_ff=64, seed=0)
    report = ex.choice_report(agent, test)
    assert history.steps[-1] == 250
    assert report["shortcut_pick"] > 0.8 and report["best_pick"] < 0.1
    assert report["explore_coverage"] > 0.9


def test_choice_report_counts_the_rules():
    test = ex.deconfounded_episodes(40)
    agent = ex.make_explaining_agent(head="pointer", seed=0, **TINY)
    result = training.rollout(agent, test)
    partner = ex.shortcut_partner(test.goal)
    result.exploit_var[:] = partner
    result.exploit_var[:10] = test.exploit_var[:10]           # the expert's choice is the unique best here
    report = ex.choice_report(agent, test, result=result)
    assert report["shortcut_pick"] == pytest.approx(0.75) and report["best_pick"] == pytest.approx(0.25)
    assert report["episodes"] == 40 and 0 <= report["explore_coverage"] <= 1


def test_agent_explanations_report_and_figure():
    test = ex.deconfounded_episodes(30)
    agent = ex.make_explaining_agent(head="pointer", seed=0, **TINY)
    result = training.rollout(agent, test)
    said = ex.agent_explanations(agent, test, result)
    assert said["strength"].shape == (30, 5) and said["pointer"].shape == (30, 5)
    assert np.allclose(said["pointer"].sum(1), 1.0, atol=1e-5)
    made = result.explore_actions >= 0
    goal_set = result.explore_actions == test.goal[:, None]
    assert np.array_equal(~np.isnan(said["true_strength"]), made & ~goal_set)
    report = ex.explanation_report(agent, test, result)
    assert set(report) == {"names_best", "strength_error", "says_best_does_shortcut", "episodes"}
    assert 0 <= report["names_best"] <= 1 and report["strength_error"] >= 0
    fig, ax = plt.subplots()
    shown = ex.plot_explanation(agent, test, result, 3, ax)
    assert shown["goal"] == test.names[test.goal[3]] and len(ax.patches) == 10
    assert shown["partner"] == test.names[(test.goal[3] - 1) % 5]
    plt.close(fig)
    with pytest.raises(ValueError, match="index must be at most 29"):
        ex.plot_explanation(agent, test, result, 30)


# ----------------------------------------------------------------------------------------------
# Part 2: mixed quality
# ----------------------------------------------------------------------------------------------

def test_quality_index():
    assert [ex.quality_index(q) for q in ("low", "medium", "high", 2)] == [0, 1, 2, 2]
    with pytest.raises(ValueError, match="quality must be one of 'low', 'medium', 'high', got 'best'"):
        ex.quality_index("best")
    with pytest.raises(ValueError, match="quality must be at most 2"):
        ex.quality_index(3)


def test_mixed_episodes_labels_and_shares():
    batch = ex.mixed_episodes(3000, low_share=0.4, seed=0)
    counts = np.bincount(batch.played_by, minlength=3) / 3000
    assert counts == pytest.approx([0.6, 0.2, 0.2], abs=0.03)
    assert set(zip(batch.played_by.tolist(), batch.quality.tolist())) == {(0, 2), (1, 1), (2, 0)}
    expert = batch.played_by == 0
    assert (batch.explore_actions[~expert & (batch.played_by == 1)] < 0).all()      # associational: observes
    assert (batch.explore_actions[expert] >= 0).all()
    part = batch.subset(np.arange(10))
    assert isinstance(part, ex.QualityBatch) and np.array_equal(part.quality, batch.quality[:10])
    assert np.array_equal(batch.subset(slice(5, 8)).played_by, batch.played_by[5:8])
    assert np.array_equal(batch.subset(batch.played_by == 2).quality, np.zeros(int((batch.played_by == 2).sum())))
    assert batch.subset(7).played_by.tolist() == [batch.played_by[7]]
    again = ex.mixed_episodes(3000, low_share=0.4, seed=0)
    assert np.array_equal(again.goal, batch.goal) and np.array_equal(again.quality, batch.quality)
    assert ex.mixed_episodes(50, low_share=0.0, seed=0).played_by.tolist() == [0] * 50
    with pytest.raises(ValueError, match="label must be one of 'strategy', 'return', got 'stars'"):
        ex.mixed_episodes(10, low_share=0.5, label="stars")
    with pytest.raises(ValueError, match="low_share must be at most 1"):
        ex.mixed_episodes(10, low_share=1.5)


def test_return_quality_is_the_share_of_the_best_reward():
    batch = ex.mixed_episodes(2000, low_share=0.5, seed=3, label="return")
    best = strategies.exact_choices(batch).causal_value
    share = np.where(best > 1e-9, batch.reward / np.maximum(best, 1e-9), 1.0)
    assert np.array_equal(batch.quality, (share >= 0.5).astype(int) + (share >= 0.9).astype(int))
    assert np.array_equal(ex.return_quality(batch), batch.quality)
    # nearly every expert episode earns the best reward; lucky associational and random ones do too
    high = batch.quality == 2
    assert high[batch.played_by == 0].mean() > 0.95
    assert high[batch.played_by == 1].mean() > 0.3 and high[batch.played_by == 2].mean() > 0.1


def test_quality_sampler_is_a_training_sampler():
    sampler = ex.quality_sampler(low_share=0.2, label="return")
    batch = sampler(64, 5)
    assert isinstance(batch, ex.QualityBatch) and len(batch) == 64
    assert np.array_equal(batch.quality, ex.return_quality(batch))


def test_conditioned_agent_reads_a_quality_slot():
    agent = ex.make_conditioned_agent(seed=0, **TINY)
    plain = agents.make_agent(seed=0, **TINY)
    assert agent.layout.size == plain.layout.size + 3
    assert agent.layout.slices["quality"] == slice(plain.layout.size, plain.layout.size + 3)
    batch = ex.mixed_episodes(8, low_share=0.5, seed=0)
    tensors = ex.quality_tensors(batch, agent, torch.device("cpu"))
    onehot = tensors["tokens"][:, 0, agent.layout.slices["quality"]]
    assert torch.equal(onehot.argmax(1), torch.from_numpy(batch.quality)) and torch.all(onehot.sum(1) == 1)
    assert torch.all(tensors["tokens"][:, 1:, agent.layout.slices["quality"]] == 0)
    agent.encode(tensors["tokens"])                                    # labelled tokens need no asking
    with pytest.raises(ValueError, match="ask for one first"):
        training.rollout(agent, batch)
    with ex.asking(agent, "high"):
        result = training.rollout(agent, batch)
        assert agent.asked == 2
    assert agent.asked is None and result.explore_actions.shape == (8, 5)
    # the asked token changes what the agent computes
    with torch.no_grad(), ex.asking(agent, "low"):
        low = agent.encode(tensors["tokens"])
    with torch.no_grad(), ex.asking(agent, "high"):
        high = agent.encode(tensors["tokens"])
    assert not torch.allclose(low, high)
    with pytest.raises(TypeError, match="asking\\(\\) needs an agent conditioned on a quality"):
        with ex.asking(plain, "high"):
            pass
    with pytest.raises(TypeError, match="a quality label per episode"):
        ex.quality_tensors(generate_episodes(4, seed=0), agent, torch.device("cpu"))


@given(st.floats(0.0, 1.0), st.integers(2, 8))
@settings(max_examples=40, deadline=None)
def test_mixture_first_step_is_a_distribution(share, n):
    p = ex.mixture_first_step(share, n)
    assert p["observe"] + n * p["each variable"] == pytest.approx(1.0)
    flip = ex.greedy_flip_share(n)
    assert flip == pytest.approx(2 / (n + 2))
    if share > flip + 1e-9:
        assert p["observe"] > p["each variable"]
    elif share < flip - 1e-9:
        assert p["observe"] < p["each variable"]


def test_mixture_first_move_with_any_split():
    assert ex.mixture_first_move(0.0, 0.0) == pytest.approx({"observe": 0.0, "each variable": 0.2})
    assert ex.mixture_first_move(1.0, 0.0)["observe"] == 1.0
    p = ex.mixture_first_move(0.1, 0.6, n_vars=4)
    assert p["observe"] == pytest.approx(0.1 + 0.6 / 5) and p["observe"] + 4 * p["each variable"] == pytest.approx(1)
    with pytest.raises(ValueError, match="associational \\+ random must be at most 1"):
        ex.mixture_first_move(0.7, 0.7)
    with pytest.raises(ValueError, match="random must be at most 1"):
        ex.mixture_first_move(0.0, 1.5)


def test_mixture_first_step_matches_the_generator():
    batch = ex.mixed_episodes(20_000, low_share=0.4, seed=2)
    p = ex.mixture_first_step(0.4)
    assert np.mean(batch.explore_actions[:, 0] < 0) == pytest.approx(p["observe"], abs=0.01)
    assert np.mean(batch.explore_actions[:, 0] == 3) == pytest.approx(p["each variable"], abs=0.01)
    assert ex.mixture_first_step(2 / 7)["observe"] == pytest.approx(ex.mixture_first_step(2 / 7)["each variable"])


def test_first_step_probabilities():
    plain = agents.make_agent(head="identity", value_scales=(5.0, 0.1), seed=0, **TINY)
    p = ex.first_step_probabilities(plain)
    assert set(p) == {"A", "B", "C", "D", "E", "observe"} and sum(p.values()) == pytest.approx(1.0, abs=1e-5)
    agent = ex.make_conditioned_agent(head="identity", seed=0, **TINY)
    assert sum(ex.first_step_probabilities(agent, quality="high").values()) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ValueError, match="pass quality='low', 'medium' or 'high'"):
        ex.first_step_probabilities(agent)


def test_train_quality_agent_and_metrics():
    with pytest.raises(ValueError, match="kind must be one of 'plain', 'strategy', 'return'"):
        ex.train_quality_agent("oracle", 0.5)
    config = ex.QualityConfig().with_settings(steps=4, d_model=16, n_heads=2, d_ff=16, warmup=1)
    agent, history = ex.train_quality_agent("return", 0.5, config, seed=1)
    assert history.steps[-1] == 4 and ex.is_conditioned(agent)
    test = ex.quality_test_episodes(50)
    metrics = ex.quality_metrics(agent, test, quality="medium")
    assert set(metrics) == {"reward_fraction", "agreement", "explore_coverage", "first_observes"}
    with pytest.raises(ValueError, match="pass quality='low', 'medium' or 'high'"):
        ex.quality_metrics(agent, test)
    plain, _ = ex.train_quality_agent("plain", 0.5, config, seed=1)
    with pytest.raises(ValueError, match="this agent reads no quality token"):
        ex.quality_metrics(plain, test, quality="high")
    table = ex.quality_table({("plain", 0.5): plain, ("return", 0.5): agent}, test)
    assert list(table["asked"].astype(str)) == ["none", "low", "medium", "high"]
    fig, ax = plt.subplots()
    ex.plot_quality_sweep(table, ax, highlight=("return", 0.5), flip_share=0.3)
    assert len(ax.get_legend().get_texts()) == 3          # plain, return-conditioned, expert
    plt.close(fig)
    with pytest.raises(TypeError, match="agents must be a dict"):
        ex.quality_table([], test)


def test_conditioning_learns_to_separate_the_strategies():
    """A reduced budget already shows the learning signal: asked for 'medium' (the associational strategy's
    token) the agent observes first; asked for 'high' (the expert's) it experiments."""
    config = ex.QualityConfig().with_settings(steps=300, warmup=30)
    agent, _ = ex.train_quality_agent("strategy", 0.4, config, seed=0)
    test = ex.quality_test_episodes(200)
    assert ex.quality_metrics(agent, test, quality="medium")["first_observes"] > 0.9
    high = ex.quality_metrics(agent, test, quality="high")
    assert high["first_observes"] < 0.1 and high["explore_coverage"] > 0.8


def test_save_and_load_agents(tmp_path):
    made = {"plain": agents.make_agent(seed=0, **TINY), "explaining": ex.make_explaining_agent(seed=1, **TINY),
            "conditioned": ex.make_conditioned_agent(seed=2, **TINY)}
    path = ex.save_agents(tmp_path / "three.pt", made, metadata={"seed": 7})
    loaded, meta = ex.load_agents(path)
    assert meta["seed"] == 7 and meta["agents"] == ["conditioned", "explaining", "plain"]
    batch = ex.mixed_episodes(6, low_share=0.5, seed=0)
    for name, agent in made.items():
        assert type(loaded[name]).__name__ == type(agent).__name__
        for key, value in agent.state_dict().items():
            assert torch.equal(value, loaded[name].state_dict()[key])
    with ex.asking(loaded["conditioned"], "high"):
        assert training.rollout(loaded["conditioned"], batch).explore_actions.shape == (6, 5)
    with pytest.raises(FileNotFoundError, match="python -m causal_lessons.experiments.explanations sweep"):
        ex.load_agents(tmp_path / "missing.pt")
    with pytest.raises(TypeError, match="agents must be a non-empty dict"):
        ex.save_agents(tmp_path / "none.pt", {})


def test_the_shipped_sweep_is_complete_and_its_metrics_reproduce():
    sweep, meta = ex.load_sweep()
    assert set(sweep) == {(k, s) for k in ex.QUALITY_KINDS for s in ex.SWEEP_SHARES}
    assert ex.SWEEP_CHECKPOINT.stat().st_size < 2_000_000
    assert meta["produced_by"] == sweep_experiment.COMMAND and meta["seed"] == 0
    assert ex.QualityConfig.from_dict(meta["quality_config"]) == ex.QualityConfig()
    assert meta["train_config"] == ex.QualityConfig().train_config().to_dict()
    test = ex.quality_test_episodes(meta["eval_episodes"])
    for key, asked in ((("strategy", 0.4), "high"), (("plain", 0.4), None)):
        stored = meta["metrics"][f"{key[0]}@{key[1]:.2f}"][asked or "none"]
        again = ex.quality_metrics(sweep[key], test, quality=asked)
        assert again["reward_fraction"] == pytest.approx(stored["reward_fraction"], abs=0.02)


def test_command_line_sweep(tmp_path, capsys):
    out = tmp_path / "sweep.pt"
    assert sweep_experiment.main(["sweep", "--out", str(out), "--steps", "2", "--shares", "0.5", "--episodes", "50",
                                  "--no-progress"]) == 0
    sweep, meta = ex.load_sweep(out)
    assert set(sweep) == {("plain", 0.5), ("strategy", 0.5), ("return", 0.5)}
    assert meta["train_config"]["steps"] == 2 and meta["eval_episodes"] == 50
    assert "saved" in capsys.readouterr().out


@pytest.mark.parametrize("call, error, words", [
    (lambda: ex.deconfounded_episodes(0), ValueError, ["n_episodes must be a positive whole number", "got 0"]),
    (lambda: ex.confounded_sampler(n_vars=2), ValueError, ["n_vars must be at least 3"]),
    (lambda: ex.mixed_episodes(10, low_share="half"), TypeError, ["low_share must be a real number"]),
    (lambda: ex.quality_sampler(low_share=0.2, label="grade"), ValueError, ["label must be one of"]),
    (lambda: ex.mixture_first_step(1.2), ValueError, ["low_share must be at most 1"]),
    (lambda: ex.greedy_flip_share(1), ValueError, ["n_vars must be at least 2"]),
    (lambda: ex.train_quality_agent("plain", 0.2, {"steps": 3}), TypeError, ["config must be a QualityConfig"]),
    (lambda: sweep_experiment.run_sweep(kinds=["oracle"]), ValueError, ["kinds must be among"]),
    (lambda: sweep_experiment.run_sweep(shares=[1.5]), ValueError, ["shares must be at most 1"]),
    (lambda: ex.explanation_targets(chain_batch(), intervention_value=0), ValueError,
     ["intervention_value must be greater than 0"]),
    (lambda: ex.choice_report(object(), ex.deconfounded_episodes(2)), TypeError, ["agent must be an agent built by"]),
])
def test_errors_speak_to_a_student(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)
