"""Strategies for the causal DAG game, and the exact values that judge them."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import integrate, stats

from causal_lessons import environment as E
from causal_lessons import strategies as S
from causal_lessons.environment import CausalDAGEnv, generate_episodes
from causal_lessons.scm import LinearGaussianSCM


def _replicate(weights: np.ndarray, goal: int, allowed: np.ndarray, copies: int, noise_std: float, seed: int,
               strategy=None):
    """Play one task ``copies`` times with fresh noise: the expert's choices and rewards."""
    rng = np.random.default_rng(seed)
    player = strategy or S.ExpertStrategy()
    w = np.repeat(weights[None], copies, axis=0)
    allow = np.repeat(allowed[None], copies, axis=0)
    goals = np.full(copies, goal)
    acts = player.explore_actions(allow, weights.shape[0], rng)
    values = E.simulate(w, acts, 5.0, noise_std, rng)
    var, sign = player.choose(acts, values, goals, allow, 5.0, rng)
    reward = E.simulate(w, var[:, None], (5.0 * sign)[:, None], noise_std, rng)[:, 0, goal]
    return var, sign, reward


# ----------------------------------------------------------------------------- the expert's exact value
@pytest.mark.parametrize("means, sds", [
    ([0.3, -0.5, 0.45, 0.0], [0.2, 0.3, 0.25, 0.1]),
    ([1.0, 0.98, -0.5, 0.0], [0.5, 0.005, 0.02, 0.1]),     # sharp steps: one sd 100 times another
])
def test_choice_probabilities_sum_to_one_and_match_quad(means, sds):
    means, sds = np.array([means]), np.array([sds])
    cand = np.array([[True, True, True, False]])
    probs = S.choice_probabilities(means, sds, cand)
    assert probs.sum() == pytest.approx(1.0, abs=1e-10)
    assert (probs[0, 3] == 0).all(), "a variable that is not a candidate is never chosen"

    def below(x, j):
        return stats.norm.cdf(x, means[0, j], sds[0, j]) - stats.norm.cdf(-x, means[0, j], sds[0, j])

    for i in range(3):
        for side, sign in enumerate((1, -1)):
            def integrand(x, i=i, sign=sign):
                others = np.prod([below(x, j) for j in range(3) if j != i])
                return stats.norm.pdf(sign * x, means[0, i], sds[0, i]) * others
            # scipy's adaptive quadrature, piece by piece between closely spaced break points
            a, b = max(0.0, sign * means[0, i] - 12 * sds[0, i]), max(0.0, sign * means[0, i] + 12 * sds[0, i])
            steps = [abs(means[0, j]) + sds[0, j] * np.linspace(-8, 8, 17) for j in range(3)]
            edges = np.unique(np.clip(np.concatenate([np.linspace(a, b, 30)] + steps), a, b))
            exact = sum(integrate.quad(integrand, u, v, epsabs=1e-15)[0] for u, v in zip(edges[:-1], edges[1:]))
            assert probs[0, i, side] == pytest.approx(exact, abs=1e-10)
    needed = S.choice_probabilities(means, sds, cand, needed=np.array([[True, False, False, False]]))
    assert needed[0, 0] == pytest.approx(probs[0, 0], abs=1e-15) and (needed[0, 1:] == 0).all()


def test_choice_probabilities_of_twins_are_equal():
    probs = S.choice_probabilities(np.array([[1.0, 1.0]]), np.array([[0.1, 0.1]]), np.ones((1, 2), dtype=bool))
    assert probs[0, 0, 0] == pytest.approx(0.5, abs=1e-9) and probs[0, 1, 0] == pytest.approx(0.5, abs=1e-9)
    with pytest.raises(ValueError, match="positive standard deviation"):
        S.choice_probabilities(np.zeros((1, 2)), np.zeros((1, 2)), np.ones((1, 2), dtype=bool))


def test_estimate_statistics_match_simulation():
    tasks = E.sample_tasks(1, seed=21)
    w, goal = tasks.weights[0], int(tasks.goal[0])
    means, sds = S.estimate_statistics(tasks.total_effects, tasks.goal, 0.5, 5.0)
    rng = np.random.default_rng(0)
    for i in range(5):
        x = E.simulate(np.repeat(w[None], 20000, 0), np.full((20000, 1), i), 5.0, 0.5, rng)[:, 0, goal] / 5.0
        if i == goal:
            continue
        assert x.mean() == pytest.approx(means[0, i], abs=4 * sds[0, i] / math.sqrt(20000) + 1e-12)
        assert x.std() == pytest.approx(sds[0, i], rel=0.03)


@pytest.mark.parametrize("noise_std", [0.1, 2.0])
def test_expert_value_matches_simulation_of_one_task(noise_std):
    """With large noise the expert often errs; the exact value still matches its simulated mean reward."""
    tasks = E.sample_tasks(40, seed=7)
    effect = np.abs(tasks.total_effects[np.arange(40), :, tasks.goal])
    i = int(np.argmax((effect > 0).sum(axis=1)))            # a task where several variables matter
    exact = S.expert_values(total_effects=tasks.total_effects[i:i + 1], goal=tasks.goal[i:i + 1],
                            allowed=tasks.allowed[i:i + 1], noise_std=noise_std, intervention_value=5.0)[0]
    var, sign, reward = _replicate(tasks.weights[i], int(tasks.goal[i]), tasks.allowed[i], 40000, noise_std, 1)
    se = reward.std() / math.sqrt(len(reward))
    assert reward.mean() == pytest.approx(exact, abs=4 * se + 1e-9)
    # the choice frequencies match the choice probabilities too
    means, sds = S.estimate_statistics(tasks.total_effects[i:i + 1], tasks.goal[i:i + 1], noise_std, 5.0)
    cand = tasks.allowed[i:i + 1].copy()
    cand[0, tasks.goal[i]] = False
    probs = S.choice_probabilities(means, sds, cand)[0]
    for v in range(5):
        for side, s in enumerate((1, -1)):
            freq = np.mean((var == v) & (sign == s))
            assert freq == pytest.approx(probs[v, side], abs=4 * math.sqrt(probs[v, side] * (1 - probs[v, side]) / 40000) + 1e-3)


def test_expert_values_match_the_batch_mean_reward():
    batch = generate_episodes(6000, seed=13, noise_std=1.5)
    exact = S.expert_values(batch)
    se = float(batch.reward.std()) / math.sqrt(len(batch))
    assert batch.reward.mean() == pytest.approx(exact.mean(), abs=4 * se)
    assert exact.max() <= 5 * np.abs(batch.total_effects).max() + 1e-9


def test_expert_value_of_an_scm_agrees_with_the_vectorized_one():
    batch = generate_episodes(30, seed=2, allowed_sets=[set("ABCDE"), set("BCE")])
    fast = S.expert_values(batch)
    for i in range(30):
        scm = batch.scm(i)
        allowed = [v for v, a in zip(batch.names, batch.allowed[i]) if a]
        slow = S.expert_value(scm, batch.names[batch.goal[i]], allowed)
        assert slow == pytest.approx(fast[i], abs=1e-7)


def test_expert_value_with_intercepts_and_unequal_noise():
    scm = LinearGaussianSCM({("X", "Y"): 0.2, ("Z", "Y"): -0.25, ("Z", "X"): 1.0},
                            noise_std={"X": 1.0, "Y": 0.5, "Z": 2.0}, intercepts={"Y": 0.7})
    exact = S.expert_value(scm, "Y")
    rng = np.random.default_rng(0)
    m = 200000
    est = {}
    for v in ("X", "Z"):
        est[v] = scm.do({v: 5.0}).sample(m, seed=int(rng.integers(1000)))["Y"].to_numpy() / 5.0
    pick_x = np.abs(est["X"]) > np.abs(est["Z"])
    sign = np.where(np.where(pick_x, est["X"], est["Z"]) >= 0, 1.0, -1.0)
    worth = {(v, s): float(scm.do({v: 5.0 * s}).mean()["Y"]) for v in ("X", "Z") for s in (1, -1)}
    reward = np.where(pick_x, np.where(sign > 0, worth["X", 1], worth["X", -1]),
                      np.where(sign > 0, worth["Z", 1], worth["Z", -1]))
    assert reward.mean() == pytest.approx(exact, abs=4 * reward.std() / math.sqrt(m))


def test_expert_value_errors():
    scm = LinearGaussianSCM({("X", "Y"): 1.0})
    with pytest.raises(KeyError, match="goal: unknown variable 'Q'"):
        S.expert_value(scm, "Q")
    with pytest.raises(ValueError, match="other than the goal"):
        S.expert_value(scm, "Y", allowed=["Y"])
    with pytest.raises(TypeError, match="collection of variable names"):
        S.expert_value(scm, "Y", allowed="X")
    with pytest.raises(ValueError, match="intervention_value must be a positive"):
        S.expert_value(scm, "Y", intervention_value=0)


# ----------------------------------------------------------------------------- exact choices
def test_causal_and_associational_choices_match_the_scm():
    batch = generate_episodes(60, seed=5)
    c_var, c_sign = S.causal_choice(batch)
    a_var, a_sign = S.associational_choice(batch)
    for i in range(60):
        scm = batch.scm(i)
        goal = batch.names[batch.goal[i]]
        others = [v for v in batch.names if v != goal]
        effects = {v: scm.total_effect(v, goal) for v in others}
        slopes = {v: scm.observational_slope(v, goal) for v in others}
        best = max(abs(e) for e in effects.values())
        assert abs(effects[batch.names[c_var[i]]]) == best
        assert c_sign[i] * effects[batch.names[c_var[i]]] == best
        top = max(abs(s) for s in slopes.values())
        assert abs(slopes[batch.names[a_var[i]]]) == pytest.approx(top, abs=1e-9)
        assert a_sign[i] == (1 if slopes[batch.names[a_var[i]]] >= 0 else -1)
    slopes = S.population_slopes(batch.total_effects, batch.goal)
    assert slopes[np.arange(60), batch.goal] == pytest.approx(1.0)


def test_exact_choices_and_the_divergent_mask():
    batch = generate_episodes(3000, seed=8)
    exact = S.exact_choices(batch)
    rows = np.arange(len(batch))
    effect = batch.total_effects[rows, :, batch.goal].astype(float)
    np.testing.assert_allclose(exact.causal_value, 5 * np.abs(effect[rows, exact.causal_var]))
    assert (exact.assoc_value <= exact.causal_value + 1e-9).all(), "nothing beats the causal choice"
    np.testing.assert_array_equal(S.divergent_mask(batch), exact.divergent)
    assert 0.01 < exact.divergent.mean() < 0.2
    first = S.exact_choices(batch, ties="first")
    assert (first.divergent == (first.assoc_value < first.causal_value - 1e-9)).all()
    np.testing.assert_array_equal(first.assoc_var, exact.assoc_var)
    # the associational strategy does worse on the divergent episodes than the expert, and the expert is near optimal
    assoc = generate_episodes(3000, seed=8, strategy="associational")
    div = exact.divergent
    assert assoc.reward[div].mean() < batch.reward[div].mean() - 2
    assert batch.reward.mean() == pytest.approx(exact.causal_value.mean(), abs=0.1)
    with pytest.raises(ValueError, match="ties must be"):
        S.exact_choices(batch, ties="random")


def _three(edges, goal="G", allowed=("X", "Y", "Z")):
    names = ["G", "X", "Y", "Z"]
    w = np.zeros((1, 4, 4))
    for (u, v), weight in edges.items():
        w[0, names.index(u), names.index(v)] = weight
    t = E.batch_total_effects(w)
    allow = np.array([[n in allowed for n in names]])
    return t, np.array([names.index(goal)]), allow


def test_confounding_misleads_the_associational_choice():
    # Z causes both X and G; X does nothing; Y has a small true effect; Z may not be touched
    t, goal, allowed = _three({("Z", "X"): 1.0, ("Z", "G"): 1.0, ("Y", "G"): 0.3}, allowed=("X", "Y"))
    assert S.associational_choice(total_effects=t, goal=goal, allowed=allowed)[0][0] == 1   # X
    assert S.causal_choice(total_effects=t, goal=goal, allowed=allowed)[0][0] == 2          # Y
    exact = S.exact_choices(total_effects=t, goal=goal, allowed=allowed)
    assert exact.divergent[0] and exact.assoc_value[0] == 0.0
    assert S.failure_reason(t[0], 0, 1) == "confounding"


def test_reverse_causation_misleads_the_associational_choice():
    t, goal, allowed = _three({("G", "X"): 1.0, ("Y", "G"): 0.3})
    assert S.associational_choice(total_effects=t, goal=goal, allowed=allowed)[0][0] == 1
    assert S.divergent_mask(total_effects=t, goal=goal, allowed=allowed)[0]
    assert S.failure_reason(t[0], 0, 1) == "reverse causation"
    with pytest.raises(ValueError, match="differ from the goal"):
        S.failure_reason(t[0], 0, 0)


def test_associational_strategy_uses_sample_slopes():
    # with many observations its choice is the population choice
    t, goal, allowed = _three({("Z", "X"): 1.0, ("Z", "G"): 1.0, ("Y", "G"): 0.3}, allowed=("X", "Y"))
    names = ["G", "X", "Y", "Z"]
    w = np.zeros((1, 4, 4))
    for (u, v), weight in {("Z", "X"): 1.0, ("Z", "G"): 1.0, ("Y", "G"): 0.3}.items():
        w[0, names.index(u), names.index(v)] = weight
    player = S.AssociationalStrategy()
    rng = np.random.default_rng(0)
    acts = player.explore_actions(allowed, 500, rng)
    values = E.simulate(w, acts, 5.0, 1.0, rng)
    var, sign = player.choose(acts, values, goal, allowed, 5.0, rng)
    assert var[0] == 1 and sign[0] == 1


# ----------------------------------------------------------------------------- strategies in the environment
def test_expert_in_the_env_explores_each_allowed_variable_once():
    env = CausalDAGEnv(allowed_sets=[{"A", "C", "D"}], n_explore=4)
    result = S.run_episode(env, S.ExpertStrategy(), seed=3)
    explored = sorted(d for d in result.descriptions[:3])
    assert explored == ["do(A = +5)", "do(C = +5)", "do(D = +5)"]
    assert result.descriptions[3] == "observe" and not any(result.invalid)
    assert len(result.observations) == 6 and len(result.actions) == 5
    scm = result.scm
    assert isinstance(scm, LinearGaussianSCM) and result.goal in scm.variables
    # the exploit is the causal choice (noise 0.1 hardly ever misleads the expert)
    last = result.descriptions[-1]
    effects = {v: scm.total_effect(v, result.goal) for v in ("A", "C", "D") if v != result.goal}
    best = max(effects, key=lambda v: abs(effects[v]))
    if abs(effects[best]) > 0 and sorted(abs(e) for e in effects.values())[-2:] != [abs(effects[best])] * 2:
        assert last.startswith(f"do({best} = ")


def test_strategies_play_alike_in_the_env_and_in_batches():
    env = CausalDAGEnv()
    for name, lo, hi in (("expert", 4.3, 5.6), ("associational", 2.0, 4.4), ("random", -0.8, 0.8)):
        rewards = [S.run_episode(env, name, seed=s).reward for s in range(300)]
        batch = generate_episodes(4000, seed=1, strategy=name)
        se = math.hypot(np.std(rewards) / math.sqrt(300), batch.reward.std() / math.sqrt(4000))
        assert np.mean(rewards) == pytest.approx(batch.reward.mean(), abs=4 * se), name
        assert lo < batch.reward.mean() < hi, name
    result = S.run_episode(env, "associational", seed=0)
    assert result.descriptions[:5] == ["observe"] * 5
    random_result = S.run_episode(env, S.RandomStrategy(), seed=0)
    assert not any(random_result.invalid)


def test_random_strategy_explores_allowed_variables_and_observes():
    allowed = np.array([[True, False, True, False, True]] * 2000)
    acts = S.RandomStrategy().explore_actions(allowed, 5, np.random.default_rng(0))
    counts = np.array([(acts == a).mean() for a in (-1, 0, 2, 4)])
    assert set(np.unique(acts)) == {-1, 0, 2, 4}
    assert np.all(np.abs(counts - 0.25) < 0.02)


def test_human_strategy():
    env = CausalDAGEnv()
    human = S.HumanStrategy(["B", "observe", "A", "C", "D", ("E", -1)])
    assert len(human.pending) == 6
    result = S.run_episode(env, human, seed=4)
    assert result.descriptions == ["do(B = +5)", "observe", "do(A = +5)", "do(C = +5)", "do(D = +5)", "do(E = -5)"]
    assert human.pending == []
    env.reset(seed=0)
    with pytest.raises(RuntimeError, match="no move queued"):
        human.act(*env.reset(seed=0))
    with pytest.raises(TypeError, match="a move is 'observe'"):
        human.push(("B", 2))
    human.push("Q")
    with pytest.raises(KeyError, match="unknown variable 'Q'"):
        human.act(*env.reset(seed=0))
    with pytest.raises(TypeError, match="cannot play batches"):
        generate_episodes(3, strategy=S.HumanStrategy())


def test_as_strategy_and_errors():
    assert isinstance(S.as_strategy("random"), S.RandomStrategy)
    expert = S.ExpertStrategy()
    assert S.as_strategy(expert) is expert
    with pytest.raises(ValueError, match="strategy must be one of"):
        S.as_strategy(3)
    with pytest.raises(ValueError, match="n_explore=2 is too few"):
        S.ExpertStrategy().explore_actions(np.ones((1, 3), dtype=bool), 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="allowed variable other than the goal"):
        S.causal_choice(total_effects=np.eye(2)[None], goal=np.array([0]), allowed=np.array([[True, False]]))


# ----------------------------------------------------------------------------- summaries
def test_mean_interval():
    mean, lo, hi = S.mean_interval([1.0, 2.0, 3.0, 4.0])
    assert mean == 2.5 and hi - mean == pytest.approx(1.96 * np.std([1, 2, 3, 4], ddof=1) / 2)
    assert S.mean_interval([1.0, 5.0, 3.0], mask=[True, False, True])[0] == 2.0
    with pytest.raises(ValueError, match="at least 2 values"):
        S.mean_interval([1.0])


# ----------------------------------------------------------------------------- the Dasgupta quiz
def _quiz_by_hand(n, ties):
    """Every weighting of a fixed order, one graph at a time, with the SCM class (hidden first variable)."""
    names = [chr(ord("A") + i) for i in range(n)]
    pairs = list(itertools.combinations(range(n), 2))
    causal, assoc, differ = [], [], []
    for code in itertools.product((-1.0, 0.0, 1.0), repeat=len(pairs)):
        edges = {(names[i], names[j]): c for (i, j), c in zip(pairs, code)}
        scm = LinearGaussianSCM(edges, noise_std=0.3, variables=names)
        for j in names[1:]:
            picks = [k for k in names[1:] if k != j]
            worth = [-5 * scm.total_effect(j, k) for k in picks]
            guess = [-5 * scm.observational_slope(j, k) for k in picks]
            best = max(worth)
            top = [w for w, g in zip(worth, guess) if abs(g - max(guess)) < 1e-9]
            got = top[0] if ties == "first" else sum(top) / len(top)
            causal.append(best)
            assoc.append(got)
            differ.append(got < best - 1e-9)
    return np.mean(causal), np.mean(assoc), np.mean(differ)


@pytest.mark.parametrize("ties", ["first", "average"])
def test_dasgupta_quiz_matches_a_brute_force_count(ties):
    quiz = S.dasgupta_quiz(n_vars=4, ties=ties)
    causal, assoc, differ = _quiz_by_hand(4, ties)
    assert quiz["n_graphs"] == 3**6 and quiz["n_quizzes"] == 3 * 3**6
    assert quiz["causal"] == pytest.approx(causal, abs=1e-12)
    assert quiz["associative"] == pytest.approx(assoc, abs=1e-12)
    assert quiz["differ"] == pytest.approx(differ, abs=1e-12)
    assert quiz["random"] == pytest.approx(0.0, abs=1e-12), "the weights are symmetric about 0"


def test_dasgupta_quiz_does_not_depend_on_the_noise_scale():
    a, b = S.dasgupta_quiz(noise_std=0.1), S.dasgupta_quiz(noise_std=2.0)
    assert a == pytest.approx(b, abs=1e-12)
    assert a["n_graphs"] == 59049
    assert a["causal"] > a["associative"] > a["random"]
    with pytest.raises(ValueError, match="n_vars must be at most 5"):
        S.dasgupta_quiz(n_vars=6)
    with pytest.raises(ValueError, match="ties must be"):
        S.dasgupta_quiz(ties="last")


# ----------------------------------------------------------------------------- lesson helpers
def test_expert_estimates_and_sample_slopes():
    batch = generate_episodes(50, seed=6)
    est = S.expert_estimates(batch.explore_actions, batch.explore_values, batch.goal, 5.0)
    rows = np.arange(50)
    for b in range(0, 50, 7):
        for k, a in enumerate(batch.explore_actions[b]):
            assert est[b, a] == pytest.approx(batch.explore_values[b, k, batch.goal[b]] / 5.0)
    assert np.abs(est - batch.total_effects[rows, :, batch.goal]).max() < 0.2
    partial = S.expert_estimates(np.array([[2, -1]]), np.ones((1, 2, 3)), np.array([0]), 5.0)
    assert np.isnan(partial[0, [0, 1]]).all() and partial[0, 2] == 0.2
    assoc = generate_episodes(50, seed=6, strategy="associational")
    slopes = S.sample_slopes(assoc.explore_actions, assoc.explore_values, assoc.goal)
    x = assoc.explore_values[3].astype(float)
    g = assoc.goal[3]
    for j in range(5):
        assert slopes[3, j] == pytest.approx(np.polyfit(x[:, j], x[:, g], 1)[0], rel=1e-6)
    assert slopes[3, g] == pytest.approx(1.0)


def test_exact_choices_count_ties():
    batch = generate_episodes(500, seed=8)
    exact = S.exact_choices(batch)
    assert (exact.assoc_ties >= 1).all() and (exact.assoc_ties > 1).any()
    rows = np.arange(500)
    cand = batch.allowed.copy()
    cand[rows, batch.goal] = False
    top = np.where(cand, np.abs(exact.slopes), -1).max(axis=1)
    expected = (cand & np.isclose(np.abs(exact.slopes), top[:, None])).sum(axis=1)
    np.testing.assert_array_equal(exact.assoc_ties, expected)


def test_episode_table():
    expert = generate_episodes(100, seed=0)
    assoc = generate_episodes(100, seed=0, strategy="associational")
    table = S.episode_table(expert, assoc, 26)
    goal = expert.names[expert.goal[26]]
    assert table.index.name == f"goal {goal}" and goal not in table.index and len(table) == 4
    scm = expert.scm(26)
    for v in table.index:
        assert table.loc[v, "total effect on goal"] == pytest.approx(scm.total_effect(v, goal))
        assert table.loc[v, "slope, infinite data"] == pytest.approx(scm.observational_slope(v, goal))
        assert table.loc[v, "goal causes it"] == (abs(scm.total_effect(goal, v)) > 0)
    assert list(table.columns) == ["total effect on goal", "expert's estimate", "slope, 5 observations",
                                   "slope, infinite data", "goal causes it"]
    with pytest.raises(ValueError, match="batches of the same episodes"):
        S.episode_table(expert, generate_episodes(100, seed=1, strategy="associational"), 26)


def test_reward_table_and_random_values():
    batch = generate_episodes(400, seed=3, strategy="random")
    exact = S.random_values(batch)
    assert np.allclose(exact, 0.0), "each sign is as likely as the other"
    uneven = S.random_values(total_effects=batch.total_effects[:5], goal=batch.goal[:5], allowed=batch.allowed[:5],
                             intervention_value=2.0)
    assert uneven.shape == (5,)
    mask = np.arange(400) < 100
    table = S.reward_table({"random": batch.reward, "zeros": np.zeros(400) + np.arange(400) % 2}, mask)
    assert list(table.columns) == ["all 400 episodes", "divergent (100)"]
    m, lo, hi = S.mean_interval(batch.reward)
    assert table.loc["random", "all 400 episodes"] == f"{m:.2f} [{lo:.2f}, {hi:.2f}]"
    with pytest.raises(ValueError, match="has 3 values but divergent has 400"):
        S.reward_table({"short": np.ones(3)}, mask)
    with pytest.raises(TypeError, match="rewards must be a dict"):
        S.reward_table([1, 2], mask)
