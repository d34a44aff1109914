"""The causal DAG game: the vectorized episode generator and the Gymnasium environment."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from causal_lessons import environment as E
from causal_lessons import strategies as S
from causal_lessons.environment import CausalDAGEnv, EpisodeBatch, generate_episodes, sample_tasks, simulate
from causal_lessons.scm import LinearGaussianSCM

ARRAYS = ["weights", "total_effects", "allowed", "explore_actions", "explore_values", "goal", "exploit_var",
          "exploit_sign", "reward"]


@pytest.fixture(scope="module")
def batch() -> EpisodeBatch:
    return generate_episodes(4000, seed=11)


# ----------------------------------------------------------------------------- the batch
def test_shapes_and_dtypes(batch):
    b, n, k = 4000, 5, 5
    assert len(batch) == b and batch.names == ["A", "B", "C", "D", "E"]
    assert batch.n_vars == n and batch.n_explore == k
    expected = {
        "weights": ((b, n, n), np.float32), "total_effects": ((b, n, n), np.float32),
        "allowed": ((b, n), np.bool_), "explore_actions": ((b, k), np.int64),
        "explore_values": ((b, k, n), np.float32), "goal": ((b,), np.int64), "exploit_var": ((b,), np.int64),
        "exploit_sign": ((b,), np.int64), "reward": ((b,), np.float32),
    }
    for name, (shape, dtype) in expected.items():
        array = getattr(batch, name)
        assert array.shape == shape, name
        assert array.dtype == dtype, name
    assert set(np.unique(batch.exploit_sign)) == {-1, 1}
    assert (batch.exploit_var != batch.goal).all()
    assert batch.strategy == "expert" and batch.noise_std == 0.1 and batch.intervention_value == 5.0


def test_n_explore_and_n_vars():
    b = generate_episodes(50, n_vars=3, n_explore=7, seed=0)
    assert b.explore_actions.shape == (50, 7) and b.explore_values.shape == (50, 7, 3)
    assert (b.explore_actions[:, 3:] == E.OBSERVE).all(), "steps beyond one per variable are spent observing"
    b8 = generate_episodes(20, n_vars=8, seed=0)
    assert b8.weights.shape == (20, 8, 8) and b8.names[-1] == "H"


def test_deterministic_by_seed():
    one, two = generate_episodes(300, seed=5), generate_episodes(300, seed=5)
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))
    other = generate_episodes(300, seed=6)
    assert not np.array_equal(one.weights, other.weights)


def test_same_seed_same_episodes_for_every_strategy():
    expert = generate_episodes(300, seed=9)
    for name in ("associational", "random"):
        other = generate_episodes(300, seed=9, strategy=name)
        np.testing.assert_array_equal(other.weights, expert.weights)
        np.testing.assert_array_equal(other.goal, expert.goal)
        np.testing.assert_array_equal(other.allowed, expert.allowed)
        assert other.strategy == name
    observe = generate_episodes(300, seed=9, strategy="associational")
    assert (observe.explore_actions == E.OBSERVE).all()


def test_strategy_objects_are_accepted():
    b = generate_episodes(100, seed=3, strategy=S.ExpertStrategy())
    np.testing.assert_array_equal(b.reward, generate_episodes(100, seed=3).reward)


def test_total_effects_are_exact(batch):
    for i in range(0, 4000, 400):
        scm = batch.scm(i)
        exact = scm.total_effects().loc[batch.names, batch.names].to_numpy()
        np.testing.assert_array_equal(batch.total_effects[i], exact.astype(np.float32))
    assert (batch.total_effects[:, range(5), range(5)] == 1).all()


def test_random_dags_follow_the_design(batch):
    w = batch.weights
    assert set(np.unique(w)) == {-1.0, 0.0, 1.0}
    assert (np.diagonal(w, axis1=1, axis2=2) == 0).all()
    assert not ((w != 0) & (w.transpose(0, 2, 1) != 0)).any(), "never both i->j and j->i"
    # an ordered pair is an edge when i comes first (1/2) and its weight is not 0 (2/3): 1/3
    share = (w != 0).mean(axis=0)[~np.eye(5, dtype=bool)]
    assert np.all(np.abs(share - 1 / 3) < 0.04), share
    assert np.abs((w == 1).mean() / (w == -1).mean() - 1) < 0.1
    counts = np.bincount(batch.goal, minlength=5) / len(batch)
    assert np.all(np.abs(counts - 0.2) < 0.03), "the goal is uniform over the variables"


def test_expert_experiments_on_each_allowed_variable_once():
    sets = [{"A", "B", "C"}, {"B", "D"}, {"A", "B", "C", "D", "E"}]
    b = generate_episodes(600, seed=1, allowed_sets=sets, n_explore=6)
    rows = [[v in s for v in b.names] for s in sets]
    assert {tuple(r) for r in b.allowed.tolist()} == {tuple(r) for r in rows}, "every set is drawn"
    for acts, allowed in zip(b.explore_actions, b.allowed):
        done = acts[acts != E.OBSERVE]
        assert sorted(done.tolist()) == np.flatnonzero(allowed).tolist()
        assert (acts[len(done):] == E.OBSERVE).all(), "experiments first, then observations"
    full = b.explore_actions[b.allowed.all(axis=1)][:, :5]
    assert len({tuple(r) for r in full.tolist()}) > 30, "a random order per episode"
    assert all(b.allowed[i, b.exploit_var[i]] for i in range(len(b))), "the exploit is on an allowed variable"
    assert all(b.allowed[i].sum() - b.allowed[i, b.goal[i]] >= 1 for i in range(len(b)))


def test_explore_values_hold_the_intervention(batch):
    acts, values = batch.explore_actions, batch.explore_values
    rows, steps = np.nonzero(acts >= 0)
    np.testing.assert_array_equal(values[rows, steps, acts[rows, steps]], np.float32(5.0))


def _zscores(batch):
    """Standardized rewards: (reward - exact mean) / exact sd, from the true weights."""
    t = batch.total_effects.astype(float)
    rows = np.arange(len(batch))
    var, goal = batch.exploit_var, batch.goal
    mean = batch.exploit_sign * batch.intervention_value * t[rows, var, goal]
    cut = t[rows, :, goal] - t[rows, :, var] * t[rows, var, goal][:, None]   # effect on the goal with var fixed
    cut[rows, var] = 0.0
    sd = batch.noise_std * np.sqrt((cut**2).sum(axis=1))
    return (batch.reward - mean) / sd


@pytest.mark.parametrize("strategy", ["expert", "associational", "random"])
def test_rewards_are_consistent_with_the_weights(strategy):
    b = generate_episodes(3000, seed=2, strategy=strategy)
    z = _zscores(b)
    assert abs(z.mean()) < 0.1 and abs(z.std() - 1) < 0.06 and np.abs(z).max() < 5.5


def test_observations_have_the_model_covariance():
    """simulate() draws from the SCM: the covariance of many observations of one DAG is the exact one."""
    tasks = sample_tasks(1, seed=4)
    scm = E.episode_scm(tasks.weights[0], tasks.names, 0.5)
    w = np.repeat(tasks.weights, 40000, axis=0)
    x = simulate(w, np.full((40000, 1), E.OBSERVE), 5.0, 0.5, np.random.default_rng(0))[:, 0]
    exact = scm.covariance().loc[tasks.names, tasks.names].to_numpy()
    np.testing.assert_allclose(np.cov(x.T), exact, atol=0.03 * max(1.0, np.abs(exact).max()))
    hold = simulate(w[:20000], np.full((20000, 1), 1), -5.0, 0.5, np.random.default_rng(1))[:, 0]
    mean = scm.do({"B": -5.0}).mean().loc[tasks.names].to_numpy()
    np.testing.assert_allclose(hold.mean(axis=0), mean, atol=0.05)


def test_batch_total_effects_matches_scm_and_rejects_cycles():
    tasks = sample_tasks(5, n_vars=6, seed=8)
    for i in range(5):
        scm = E.episode_scm(tasks.weights[i], tasks.names)
        np.testing.assert_array_equal(E.batch_total_effects(tasks.weights[i]),
                                      scm.total_effects().loc[tasks.names, tasks.names].to_numpy())
    with pytest.raises(ValueError, match="cycle"):
        E.batch_total_effects(np.array([[0.0, 1.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="square"):
        E.batch_total_effects(np.zeros((2, 3)))


# ----------------------------------------------------------------------------- held-out links
def test_strict_heldout_links_have_total_effect_exactly_zero():
    pairs = [("A", "E"), ("C", "B")]
    b = generate_episodes(3000, seed=3, heldout_links=pairs)
    t64 = E.batch_total_effects(b.weights.astype(float))
    for s, t in [(0, 4), (2, 1)]:
        assert (b.total_effects[:, s, t] == 0).all()
        assert (t64[:, s, t] == 0).all(), "recomputed from the weights, the total effect is exactly 0"
    free = generate_episodes(3000, seed=3)
    assert (free.total_effects[:, 0, 4] != 0).mean() > 0.2, "without holding out, the link often carries an effect"
    # paths that cancel are allowed: some episodes have a path A -> ... -> E whose effects sum to 0
    reach = E.batch_total_effects((np.abs(b.weights) > 0).astype(float))   # number of directed paths
    assert (reach[:, 0, 4] > 0).any(), "strict mode keeps DAGs whose paths from A to E cancel exactly"


def test_direct_heldout_only_removes_the_edge():
    b = generate_episodes(3000, seed=3, heldout_links=[("A", "E")], heldout_mode="direct")
    assert (b.weights[:, 0, 4] == 0).all()
    assert (b.total_effects[:, 0, 4] != 0).mean() > 0.1, "other paths still carry the effect"


def test_test_links_make_the_source_the_unique_best_choice():
    pairs = [("A", "E"), ("C", "B")]
    b = generate_episodes(2000, seed=4, heldout_links=pairs, test_links=True, allowed_sets=[set("ABCDE"), set("ACD")])
    rows = np.arange(len(b))
    assert set(np.unique(b.goal)) == {4, 1}
    source = np.where(b.goal == 4, 0, 2)
    effect = np.abs(b.total_effects[rows, :, b.goal])
    assert b.allowed[rows, source].all()
    rivals = b.allowed.copy()
    rivals[rows, source] = False
    rivals[rows, b.goal] = False
    assert (effect[rows, source] > np.where(rivals, effect, -1).max(axis=1)).all()
    assert (effect[rows, source] > 0).all()
    assert (b.exploit_var == source).mean() > 0.99, "the expert finds the held-out link"
    exact = S.causal_choice(b)[0]
    np.testing.assert_array_equal(exact, source)


def test_constraints_that_cannot_be_met_raise():
    with pytest.raises(ValueError, match="cannot"):
        sample_tasks(10, weights=(0.0,), heldout_links=[("A", "B")], test_links=True, seed=0)
    with pytest.raises(ValueError, match="needs heldout_links"):
        generate_episodes(10, test_links=True)
    with pytest.raises(ValueError, match="no allowed set contains"):
        generate_episodes(10, test_links=True, heldout_links=[("A", "B")], allowed_sets=[{"C", "D"}])


# ----------------------------------------------------------------------------- conversions
def test_subset_and_to_torch(batch):
    mask = batch.goal == 0
    sub = batch.subset(mask)
    assert len(sub) == mask.sum() and (sub.goal == 0).all() and sub.names == batch.names
    assert len(batch.subset([3, 1, 2])) == 3 and batch.subset([3]).reward[0] == batch.reward[3]
    assert len(batch.subset(slice(0, 10))) == 10
    assert batch.subset(7).weights.shape == (1, 5, 5)
    tensors = batch.subset(slice(0, 8)).to_torch()
    import torch

    assert set(tensors) == set(ARRAYS)
    assert tensors["explore_values"].dtype == torch.float32 and tensors["goal"].dtype == torch.int64
    assert tensors["allowed"].dtype == torch.bool and tuple(tensors["weights"].shape) == (8, 5, 5)
    with pytest.raises(ValueError, match="one entry per episode"):
        batch.subset(np.ones(3, dtype=bool))
    with pytest.raises(IndexError, match="4000 episodes"):
        batch.subset([5000])
    with pytest.raises(TypeError, match="boolean mask"):
        batch.subset([0.5])


# ----------------------------------------------------------------------------- errors that speak
@pytest.mark.parametrize("kwargs, error, message", [
    ({"n_episodes": 0}, ValueError, "n_episodes must be a positive whole number"),
    ({"n_episodes": 2.5}, TypeError, "n_episodes must be a whole number"),
    ({"strategy": "clever"}, ValueError, "strategy must be one of 'expert'"),
    ({"n_vars": 1}, ValueError, "n_vars must be at least 2"),
    ({"n_vars": 11}, ValueError, "n_vars must be at most 10"),
    ({"n_explore": 0}, ValueError, "n_explore must be a positive whole number"),
    ({"n_explore": 3}, ValueError, "n_explore=3 is too few for 5 allowed variables"),
    ({"noise_std": 0}, ValueError, "noise_std must be a positive number"),
    ({"intervention_value": -5}, ValueError, "intervention_value must be a positive number"),
    ({"weights": []}, ValueError, "weights must be a non-empty list"),
    ({"weights": "abc"}, TypeError, "weights must be a list of numbers"),
    ({"allowed_sets": [{"A", "Z"}]}, KeyError, "unknown variable 'Z'"),
    ({"allowed_sets": [set()]}, ValueError, "allowed_sets\\[0\\] is empty"),
    ({"allowed_sets": "ABC"}, TypeError, "allowed_sets must be None or a list"),
    ({"heldout_links": [("A",)]}, TypeError, "each link must be a \\(source, target\\) pair"),
    ({"heldout_links": [("A", "A")]}, ValueError, "links a variable to itself"),
    ({"heldout_mode": "loose"}, ValueError, "heldout_mode must be one of 'strict', 'direct'"),
    ({"test_links": "yes"}, TypeError, "test_links must be True or False"),
    ({"seed": -1}, ValueError, "seed must be at least 0"),
])
def test_errors_speak_to_a_student(kwargs, error, message):
    args = {"n_episodes": 5, **kwargs}
    with pytest.raises(error, match=message):
        generate_episodes(args.pop("n_episodes"), **args)


def test_associational_needs_two_observations():
    with pytest.raises(ValueError, match="n_explore >= 2"):
        generate_episodes(5, strategy="associational", n_explore=1)


# ----------------------------------------------------------------------------- the environment
def test_check_env_passes():
    env = gym.make(E.ENV_ID)
    check_env(env.unwrapped)
    for n in (3, 8):
        check_env(gym.make(E.ENV_ID, n_vars=n, render_mode="ansi").unwrapped)


def test_env_episode_flow_and_info():
    env = CausalDAGEnv()
    obs, info = env.reset(seed=3)
    assert isinstance(info["scm"], LinearGaussianSCM) and info["goal"] in env.names
    assert obs["phase"] == E.EXPLORE and obs["step"] == 0 and not obs["goal"].any(), "the goal is hidden at first"
    for k in range(env.n_explore):
        obs, reward, done, truncated, info = env.step(env.intervene_action(env.names[k]))
        assert reward == 0.0 and not done and not truncated and not info["invalid_action"]
        assert obs["values"][k] == 5.0 and obs["intervened"][k] == 1
    assert obs["phase"] == E.EXPLOIT and obs["goal"][env.names.index(info["goal"])] == 1
    target = next(v for v in env.names if v != info["goal"])
    obs, reward, done, truncated, info = env.step(env.intervene_action(target, -1))
    assert done and obs["phase"] == E.DONE and reward == pytest.approx(obs["values"][env.names.index(info["goal"])])
    assert obs["values"][env.names.index(target)] == -5.0
    with pytest.raises(RuntimeError, match="call reset"):
        env.step(0)


def test_env_info_scm_is_the_episode():
    env = CausalDAGEnv()
    _, info = env.reset(seed=12)
    assert info["scm"] == E.episode_scm(env._task.weights[0], env.names, 0.1)
    scm = info["scm"]
    # the episode's values come from that SCM: do(A = 5) moves every variable by 5 * total effect
    x = np.array([env.step(env.intervene_action("A"))[0]["values"] for _ in range(1)])[0]
    te = scm.total_effects().loc["A", env.names].to_numpy()
    assert np.all(np.abs(x - 5 * te) < 1.0)


def test_invalid_actions_are_played_as_observe_or_no_intervention():
    env = CausalDAGEnv(allowed_sets=[{"A", "B"}])
    obs, info = env.reset(seed=0)
    obs, _, _, _, info = env.step(env.intervene_action("E"))       # not allowed while exploring
    assert info["invalid_action"] and not obs["intervened"].any()
    obs, _, _, _, info = env.step(env.intervene_action("A", -1))   # negative experiments are not offered
    assert info["invalid_action"] and not obs["intervened"].any()
    obs, _, _, _, info = env.step(env.observe_action)
    assert not info["invalid_action"]
    for _ in range(env.n_explore - 3):
        obs, *_ , info = env.step(env.observe_action)
    assert obs["phase"] == E.EXPLOIT
    goal = info["goal"]
    obs, reward, done, _, info = env.step(env.intervene_action(goal))   # the goal itself
    assert info["invalid_action"] and done and not obs["intervened"].any()
    assert abs(reward) < 5, "no intervention: the goal keeps its natural value"
    env.reset(seed=0)
    for _ in range(env.n_explore):
        env.step(env.observe_action)
    _, _, done, _, info = env.step(env.observe_action)                  # observing is not an exploit
    assert info["invalid_action"] and done


def test_env_errors_speak():
    env = CausalDAGEnv()
    with pytest.raises(RuntimeError, match="call reset\\(\\) before step"):
        env.step(0)
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action must be a whole number from 0 to 10"):
        env.step(11)
    with pytest.raises(ValueError, match="takes no options"):
        env.reset(seed=0, options={"n_vars": 3})
    with pytest.raises(KeyError, match="unknown variable 'Z'"):
        env.intervene_action("Z")
    with pytest.raises(ValueError, match="sign must be"):
        env.intervene_action("A", 2)
    with pytest.raises(ValueError, match="render_mode must be one of"):
        CausalDAGEnv(render_mode="human")
    with pytest.raises(ValueError, match="n_vars must be at most 10"):
        CausalDAGEnv(n_vars=12)


def test_env_actions_render_and_descriptions():
    env = CausalDAGEnv(render_mode="ansi")
    assert env.describe_action(env.intervene_action("C")) == "do(C = +5)"
    assert env.describe_action(env.intervene_action("C", -1)) == "do(C = -5)"
    assert env.describe_action(env.observe_action) == "observe"
    env.reset(seed=1)
    env.step(env.observe_action)
    assert env.render().startswith("step 1 (explore), goal ?")


def test_env_and_generator_agree_in_distribution():
    """Episodes played in the environment and written by the generator come from one distribution."""
    env = CausalDAGEnv()
    results = [S.run_episode(env, S.ExpertStrategy(), seed=s) for s in range(600)]
    env_reward = np.array([r.reward for r in results])
    env_edges = np.array([len(r.scm.edges) for r in results])
    env_goals = np.array([env.names.index(r.goal) for r in results])
    gen = generate_episodes(20000, seed=0)
    gen_edges = (gen.weights != 0).sum(axis=(1, 2))
    assert abs(env_edges.mean() - gen_edges.mean()) < 4 * gen_edges.std() / np.sqrt(600)
    assert abs(env_reward.mean() - gen.reward.mean()) < 4 * gen.reward.std() / np.sqrt(600)
    counts = np.bincount(env_goals, minlength=5) / 600
    assert np.all(np.abs(counts - 0.2) < 0.06)
    assert np.abs(np.mean([v for r in results for v in r.scm.edges.values()])) < 0.1


def test_env_reset_is_deterministic_and_varies():
    env = CausalDAGEnv()
    _, one = env.reset(seed=4)
    _, two = env.reset(seed=4)
    _, three = env.reset(seed=5)
    assert one["scm"] == two["scm"] and one["goal"] == two["goal"]
    assert one["scm"] != three["scm"] or one["goal"] != three["goal"]


def test_episode_scm_equality_and_errors():
    w = np.zeros((3, 3))
    w[0, 2] = 1.0
    a = E.episode_scm(w, ["A", "B", "C"])
    assert a == E.episode_scm(w, ["A", "B", "C"]) and hash(a) == hash(E.episode_scm(w, ["A", "B", "C"]))
    assert a != E.episode_scm(w, ["A", "B", "C"], noise_std=0.2)
    assert a.variables == ["A", "B", "C"] and a.edges == {("A", "C"): 1.0}
    with pytest.raises(ValueError, match="an \\(n, n\\) matrix"):
        E.episode_scm(np.zeros((2, 2)), ["A", "B", "C"])


def test_env_test_links_and_heldout_links():
    env = CausalDAGEnv(heldout_links=[("A", "E")], test_links=True)
    for seed in range(20):
        _, info = env.reset(seed=seed)
        scm = info["scm"]
        assert info["goal"] == "E"
        others = [abs(scm.total_effect(v, "E")) for v in "BCD"]
        assert abs(scm.total_effect("A", "E")) > max(others)
    strict = CausalDAGEnv(heldout_links=[("A", "E")])
    for seed in range(20):
        _, info = strict.reset(seed=seed)
        assert info["scm"].total_effect("A", "E") == 0


def test_impossible_constraints_fail_fast_in_the_env():
    import time

    start = time.perf_counter()
    with pytest.raises(ValueError, match="none of .* random DAGs met the constraints"):
        CausalDAGEnv(weights=(0.0,), heldout_links=[("A", "B")], test_links=True)
    assert time.perf_counter() - start < 5


def test_written_episodes_play_copies_of_one_episode():
    from causal_lessons.environment import written_episodes

    edges = {("A", "B"): 1, ("B", "C"): -1}
    batch = written_episodes(edges, "C", copies=4, seed=1)
    assert len(batch) == 4 and batch.strategy == "expert"
    assert (batch.weights == batch.weights[0]).all() and (batch.goal == 2).all()
    # each copy has its own noise, the same seed the same plays
    assert not np.allclose(batch.explore_values[0], batch.explore_values[1])
    again = written_episodes(edges, "C", copies=4, seed=1)
    np.testing.assert_array_equal(batch.explore_values, again.explore_values)
    # the expert finds the best exploit: do(A = -5) or do(B = -5), each worth +5
    assert set(batch.exploit_var.tolist()) <= {0, 1} and (batch.exploit_sign == -1).all()
    watched = written_episodes(edges, "C", copies=2, strategy="associational", seed=1)
    assert (watched.explore_actions == -1).all()
