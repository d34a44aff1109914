"""Unit tests of causal_lessons.training: targets, loss, training loop, active rollouts, metrics, checkpoints."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from causal_lessons import training  # noqa: E402
from causal_lessons.agents import make_agent  # noqa: E402
from causal_lessons.training import TrainConfig  # noqa: E402


def chain_batch(size=6, seed=0, observe_only=False):
    """Synthetic expert episodes on the chain A -> B -> C (weights +1, -1): goal C, best exploit is B with sign -."""
    rng = np.random.default_rng(seed)
    n, steps = 3, 3
    w = np.zeros((size, n, n), np.float32)
    w[:, 0, 1], w[:, 1, 2] = 1.0, -1.0
    total = np.broadcast_to(np.eye(n, dtype=np.float32), w.shape).copy()
    total[:, 0, 1], total[:, 1, 2], total[:, 0, 2] = 1.0, -1.0, -1.0
    if observe_only:
        actions = np.full((size, steps), -1)
    else:
        actions = np.stack([rng.permutation(n) for _ in range(size)])
    values = rng.normal(0, 0.1, (size, steps, n)).astype(np.float32)
    for b in range(size):
        for k in range(steps):
            if actions[b, k] >= 0:
                values[b, k, actions[b, k]] = 5.0
                values[b, k] += 5.0 * total[b, actions[b, k]] * (np.arange(n) != actions[b, k])
    return SimpleNamespace(
        names=["A", "B", "C"], weights=w, total_effects=total, allowed=np.ones((size, n), bool),
        explore_actions=actions.astype(np.int64), explore_values=values, goal=np.full(size, 2),
        exploit_var=np.full(size, 1), exploit_sign=np.full(size, -1), reward=np.full(size, 5.0, np.float32))


def test_train_config_checks():
    with pytest.raises(ValueError, match="batch_size must be a positive whole number"):
        TrainConfig(batch_size=0)
    with pytest.raises(ValueError, match="lr must be a positive number"):
        TrainConfig(lr=-1e-3)
    assert TrainConfig(steps=5).to_dict()["steps"] == 5


def test_episode_targets():
    batch = chain_batch(4)
    t = training.episode_targets(batch, n_vars=5)
    assert np.array_equal(t["explore"], batch.explore_actions)  # no observe steps here
    assert np.array_equal(batch.explore_actions[np.arange(4), t["pointer"]], batch.exploit_var)
    assert t["sign"].tolist() == [0.0] * 4
    assert t["identity"].tolist() == [2] * 4  # variable 1, sign -
    obs = training.episode_targets(chain_batch(2, observe_only=True), n_vars=5)
    assert obs["explore"].tolist() == [[5, 5, 5]] * 2 and obs["pointer"].tolist() == [-1, -1]
    with pytest.raises(TypeError, match="batch must be an EpisodeBatch .* it lacks explore_actions, .*weights"):
        training.episode_targets(SimpleNamespace(allowed=1), 5)


@pytest.mark.parametrize("head", ["pointer", "identity"])
def test_bc_loss_is_finite_and_differentiable(head):
    agent = make_agent(d_model=32, head=head, seed=0)
    tensors = training.batch_tensors(chain_batch(8), agent, torch.device("cpu"))
    total, explore, exploit = training.bc_loss(agent, tensors)
    total.backward()
    assert torch.isfinite(total) and explore > 0 and exploit > 0
    assert all(p.grad is not None for p in agent.parameters())


def test_pointer_loss_needs_experiments():
    agent = make_agent(d_model=32, head="pointer", seed=0)
    tensors = training.batch_tensors(chain_batch(4, observe_only=True), agent, torch.device("cpu"))
    with pytest.raises(ValueError, match="nothing to point at: train it on expert episodes, or use head='identity'"):
        training.bc_loss(agent, tensors)


def test_training_learns_and_is_reproducible():
    def sampler(n, seed):
        return chain_batch(n, seed=seed)

    cfg = TrainConfig(steps=60, batch_size=16, lr=3e-3, warmup=5, chunk=4)
    runs = []
    for _ in range(2):
        agent = make_agent(d_model=32, d_ff=64, head="pointer", seed=0)
        history = training.train(agent, sampler, cfg, seed=3, progress=False, log_every=10,
                                 eval_fn=lambda a: {"one": 1.0}, eval_every=30)
        runs.append(history)
    a, b = runs
    assert a.loss == b.loss  # same seed, same numbers
    assert a.loss[-1] < 0.5 * a.loss[0]
    assert a.steps == [10, 20, 30, 40, 50, 60] and a.eval_steps == [30, 60]
    assert a.episodes_seen == 60 * 16
    steps, values = a.curve("one")
    assert steps.tolist() == [30, 60] and values.tolist() == [1.0, 1.0]
    with pytest.raises(KeyError, match="unknown metric 'two'"):
        a.curve("two")
    with pytest.raises(ValueError, match="recorded no evaluations"):
        training.TrainingHistory().curve("one")


def test_train_argument_errors():
    agent = make_agent(d_model=32, seed=0)
    with pytest.raises(TypeError, match="sampler must be a function"):
        training.train(agent, [1, 2], TrainConfig(steps=1), progress=False)
    with pytest.raises(TypeError, match=r"config must be a causal_lessons\.training\.TrainConfig, got dict"):
        training.train(agent, chain_batch, {"steps": 1}, progress=False)
    with pytest.raises(TypeError, match="the sampler's result must be an EpisodeBatch"):
        training.train(agent, lambda n, s: None, TrainConfig(steps=1), progress=False)
    with pytest.raises(TypeError, match="agent must be an agent built by"):
        training.train(object(), chain_batch, TrainConfig(steps=1), progress=False)


class Scripted:
    """Force an agent's greedy choices: fixed exploration actions and a fixed exploit."""

    def __init__(self, agent, explore, pointer=None, sign=1.0, identity=None):
        n1 = agent.config.n_vars + 1
        self.calls = 0

        def explore_logits(hidden):
            logits = torch.zeros(hidden.shape[:-1] + (n1,))
            logits[..., explore[min(self.calls, len(explore) - 1)]] = 1.0
            self.calls += 1
            return logits

        agent.explore_logits = explore_logits
        if pointer is not None:
            agent.pointer_logits = lambda h: torch.nn.functional.one_hot(
                torch.full((len(h),), pointer), h.shape[1] - 2).float()
            agent.sign_logits = lambda h, idx: torch.full((len(h),), sign)
        if identity is not None:
            agent.identity_logits = lambda h: torch.nn.functional.one_hot(
                torch.full((len(h),), identity), 2 * agent.config.n_vars).float()


def test_rollout_refuses_actions_that_are_not_allowed_and_scores_exploits():
    batch = chain_batch(4)
    batch.allowed[:, 0] = False           # A may not be touched
    agent = make_agent(d_model=32, head="pointer", seed=0)
    Scripted(agent, explore=[0, 1, 5], pointer=1, sign=-1.0)   # do(A) (refused), do(B), observe; exploit B, -
    result = training.rollout(agent, batch, seed=0)
    assert result.proposed_actions.tolist() == [[0, 1, -1]] * 4
    assert result.explore_actions.tolist() == [[-1, 1, -1]] * 4
    assert np.allclose(result.explore_values[:, 1, 1], 5.0)        # B held at 5
    assert np.allclose(result.explore_values[:, 1, 2], -5.0, atol=0.5)  # C = -B + noise
    assert result.exploit_var.tolist() == [1] * 4 and result.exploit_sign.tolist() == [-1] * 4
    assert np.allclose(result.reward, 5.0)                          # -5 * (-1)
    assert result.coverage(batch.allowed).tolist() == [False] * 4   # C (allowed) was never tried
    assert result.coverage(np.array([[False, True, False]] * 4)).all()


def test_rollout_exploits_that_do_nothing_earn_zero():
    batch = chain_batch(3)
    agent = make_agent(d_model=32, head="pointer", seed=0)
    Scripted(agent, explore=[2, 5, 5], pointer=1)                   # points at an observe step
    assert np.all(training.rollout(agent, batch).reward == 0)
    agent = make_agent(d_model=32, head="identity", seed=0)
    Scripted(agent, explore=[5], identity=2 * 2 + 1)               # do(C = +5) on the goal itself
    result = training.rollout(agent, batch)
    assert result.exploit_var.tolist() == [-1] * 3 and np.all(result.reward == 0)
    agent = make_agent(d_model=32, head="identity", seed=0)
    Scripted(agent, explore=[5], identity=2 * 0 + 0)               # do(A = -5): effect on C is -1
    result = training.rollout(agent, batch)
    assert result.exploit_var.tolist() == [0] * 3 and np.allclose(result.reward, 5.0)
    assert result.pointer.tolist() == [-1] * 3


def test_rollout_without_interventions_and_its_tokens():
    batch = chain_batch(3)
    agent = make_agent(d_model=32, head="pointer", seed=0)
    Scripted(agent, explore=[0, 1, 2], pointer=1, sign=-1.0)
    result = training.rollout(agent, batch, interventions=False)
    assert result.proposed_actions.tolist() == [[0, 1, 2]] * 3
    assert result.explore_actions.tolist() == [[-1, -1, -1]] * 3      # every experiment refused
    assert np.all(result.reward == 0) and not result.coverage(batch.allowed).any()
    tokens = training.rollout_tokens(agent, batch, result)
    assert tokens.shape == (3, 5, agent.layout.size)
    observe = agent.layout.slices["action"].start + agent.config.n_vars
    assert np.all(tokens[:, 1:-1, observe] == 1)
    with pytest.raises(TypeError, match="interventions must be True or False"):
        training.rollout(agent, batch, interventions="no")


def test_rollout_argument_checks():
    agent = make_agent(d_model=32, n_vars=2, seed=0)
    with pytest.raises(ValueError, match="the episodes have 3 variables but the agent handles at most 2"):
        training.rollout(agent, chain_batch(2))
    with pytest.raises(ValueError, match="noise_std must be a positive number"):
        training.rollout(make_agent(d_model=32, seed=0), chain_batch(2), noise_std=0)


def test_expected_reward():
    total = np.array([[[1, 2], [0, 1]]] * 3, float)
    r = training.expected_reward(total, np.array([1, 1, 1]), np.array([0, 0, -1]), np.array([1, -1, 1]), 5.0)
    assert r.tolist() == [10.0, -10.0, 0.0]


def test_ratio_interval_matches_a_bootstrap():
    rng = np.random.default_rng(0)
    ref = rng.choice([5.0, 10.0], size=400)
    agent = np.where(rng.random(400) < 0.9, ref, 0.0)
    ratio, low, high = training.ratio_interval(agent, ref)
    assert ratio == pytest.approx(agent.mean() / ref.mean())
    boots = []
    for _ in range(2000):
        i = rng.integers(400, size=400)
        boots.append(agent[i].mean() / ref[i].mean())
    assert low == pytest.approx(np.quantile(boots, 0.025), abs=0.01)
    assert high == pytest.approx(np.quantile(boots, 0.975), abs=0.01)
    with pytest.raises(ValueError, match="the reference's mean reward is 0"):
        training.ratio_interval(np.ones(3), np.zeros(3))
    with pytest.raises(ValueError, match="same length"):
        training.ratio_interval(np.ones(3), np.ones(4))


def test_evaluate_reports_the_metrics():
    batch = chain_batch(6)
    agent = make_agent(d_model=32, head="pointer", seed=0)
    Scripted(agent, explore=[0, 1, 2], pointer=1, sign=-1.0)
    divergent = np.array([True, False] * 3)
    m = training.evaluate(agent, batch, divergent=divergent)
    assert m["reward_fraction"] == pytest.approx(1.0) and m["agreement"] == 1.0
    assert m["divergent_agreement"] == 1.0 and m["divergent_episodes"] == 3
    assert m["explore_coverage"] == 1.0 and m["episodes"] == 6
    with pytest.raises(ValueError, match="divergent must be a boolean array with one entry per episode"):
        training.evaluate(agent, batch, divergent=np.ones(2, bool))


def test_checkpoint_round_trip(tmp_path):
    agent = make_agent(d_model=32, head="identity", seed=2)
    path = training.save_checkpoint(tmp_path / "agent.pt", agent, metadata={"seed": 2, "metrics": {"x": 0.5}})
    loaded, meta = training.load_checkpoint(path)
    assert loaded.config == agent.config and meta["seed"] == 2 and meta["agent_config"]["head"] == "identity"
    assert json.loads((tmp_path / "agent.pt.json").read_text())["metrics"] == {"x": 0.5}
    for (k, a), (_, b) in zip(agent.state_dict().items(), loaded.state_dict().items()):
        assert torch.equal(a, b), k
    assert not loaded.training
    with pytest.raises(FileNotFoundError, match="no checkpoint at .*train --config small"):
        training.load_checkpoint(tmp_path / "missing.pt")
    torch.save({"lm_config": {}, "state_dict": {}}, tmp_path / "lm.pt")   # a language model's checkpoint
    with pytest.raises(ValueError, match=r"lm\.pt is not a checkpoint \(it has no 'agent_config'\)"):
        training.load_checkpoint(tmp_path / "lm.pt")


def test_devices_and_hardware():
    assert training.resolve_device("cpu").type == "cpu"
    assert training.resolve_device("auto").type in ("cpu", "cuda")
    with pytest.raises(ValueError, match="device must be 'cpu', 'cuda' or 'auto', got 'gpu'"):
        training.resolve_device("gpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="torch sees no CUDA GPU"):
            training.resolve_device("cuda")
    info = training.hardware_info("cpu")
    assert info["device"] == "cpu" and info["torch"] == torch.__version__ and info["cpu"]
