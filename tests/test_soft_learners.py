"""Lesson 11, parts 2 and 3: the broken worlds, the rigid solver and its tool, the learners, the measures and
the shipped results."""

from __future__ import annotations

import json

import numpy as np
import pytest

from causal_lessons import game, training
from causal_lessons.agents import episode_tokens
from causal_lessons.environment import generate_episodes
from causal_lessons.soft_learners import (
    ALL_KINDS,
    BREAK_SCORE,
    HOLDS_LOSS,
    LEARNERS,
    MAX_FAILURE,
    MAX_NOISE,
    METRICS,
    REGIMES,
    RESULTS_PATH,
    WORLD_KINDS,
    SoftLearnersConfig,
    ToolLayout,
    World,
    WorldEpisodes,
    WorldMix,
    best_of_both,
    cancelled_edges,
    check_results,
    check_world_episodes,
    decode_steps,
    effect_tool,
    evaluate_players,
    follow_rates,
    gain_score,
    get_config,
    graded_curve,
    is_tool_user,
    load_learner,
    load_results,
    make_learner,
    merge_sweep,
    outcome_table,
    play_agent,
    play_world,
    player_key,
    plot_graded,
    plot_world_scores,
    save_learner,
    split_player,
    sweep_weight_scales,
    sweep_worlds,
    teacher_sampler,
    tool_features,
    train_learner,
    verdict,
    world_curve,
    world_episodes,
)
from causal_lessons.strategies import ExpertStrategy

TINY = dict(d_model=16, n_heads=2, d_ff=16)


# ----------------------------------------------------------------------------------------------------- the rules

def test_game_simulate_options_leave_the_linear_game_unchanged_and_change_the_mechanisms():
    tasks = game.sample_tasks(50, seed=1)
    actions = np.random.default_rng(0).integers(-1, 5, size=(50, 4))
    plain = game.simulate(tasks.weights, actions, 5.0, 0.1, np.random.default_rng(3))
    same = game.simulate(tasks.weights, actions, 5.0, np.full(50, 0.1), np.random.default_rng(3),
                         offset=np.zeros((50, 5)))
    assert np.allclose(plain, same)
    one_sided = game.simulate(tasks.weights, actions, 5.0, 0.1, np.random.default_rng(3),
                              mechanism=lambda u: np.maximum(u, 0.0))
    free = actions[:, :, None] != np.arange(5)
    # every variable that is not set is max(input, 0) + noise: never far below the noise
    assert one_sided[free].min() > -1.0 and plain[free].min() < -3.0
    with pytest.raises(TypeError, match="mechanism"):
        game.simulate(tasks.weights, actions, 5.0, 0.1, np.random.default_rng(3), mechanism=3)


def test_worlds_check_their_arguments():
    with pytest.raises(ValueError, match="kind"):
        World("wobbly", 0.5)
    with pytest.raises(ValueError, match="strength"):
        World("noisy", 1.5)
    with pytest.raises(TypeError, match="strength"):
        World("noisy", "high")
    with pytest.raises(ValueError, match="clean"):
        World("clean", 0.5)
    with pytest.raises(ValueError, match="kinds"):
        WorldMix(kinds=())
    with pytest.raises(TypeError, match="kinds"):
        WorldMix(kinds="noisy")
    with pytest.raises(TypeError, match="world"):
        world_episodes(3, "noisy")
    with pytest.raises(ValueError, match="n_episodes"):
        world_episodes(0)
    with pytest.raises(TypeError, match="episodes"):
        check_world_episodes(generate_episodes(3, seed=0))


@pytest.mark.parametrize("kind", WORLD_KINDS)
def test_each_world_sets_its_own_rule_from_the_strength(kind):
    episodes = world_episodes(200, World(kind, 0.5), seed=0)
    assert np.all(episodes.kind == ALL_KINDS.index(kind)) and np.all(episodes.strength == 0.5)
    assert np.allclose(episodes.failure, MAX_FAILURE * 0.5 if kind == "failing" else 0.0)
    assert np.allclose(episodes.leak, 0.5 if kind == "one_sided" else 1.0)
    assert np.allclose(episodes.noise_std, 0.1 + 0.5 * (MAX_NOISE - 0.1) if kind == "noisy" else 0.1)
    assert (np.abs(episodes.offset).max() > 0) == (kind == "hidden")
    assert World(kind, 0.5).describe().startswith(World(kind, 0.5).describe().split(":")[0])


def test_strength_zero_is_the_game_as_designed_and_one_seed_shares_the_tasks():
    clean = world_episodes(300, World(), seed=4)
    for kind in WORLD_KINDS:
        other = world_episodes(300, World(kind, 0.0), seed=4)
        assert np.array_equal(other.weights, clean.weights) and np.array_equal(other.goal, clean.goal)
        assert np.allclose(other.choice_values(), clean.choice_values())
    # the tasks of the game itself, and the expected values of the linear game
    tasks = game.sample_tasks(300, rng=np.random.default_rng(np.random.SeedSequence(4).spawn(4)[0]))
    assert np.array_equal(tasks.weights, clean.weights)
    rows = np.arange(300)
    assert np.allclose(clean.choice_values()[..., 0], 5 * clean.total_effects[rows, :, clean.goal])
    assert np.allclose(clean.choice_values()[..., 1], -5 * clean.total_effects[rows, :, clean.goal])
    assert np.allclose(clean.natural_values(), 0.0)


def test_cancelling_worlds_hold_a_cancelled_edge_into_the_goal_in_the_share_asked():
    t = game.sample_tasks(4000, seed=0)
    natural = cancelled_edges(t.weights, t.total_effects, t.goal, t.allowed).mean()
    full = world_episodes(300, World("cancelling", 1.0), seed=1)
    assert cancelled_edges(full.weights, full.total_effects, full.goal, full.allowed).all()
    assert np.allclose(full.total_effects, game.batch_total_effects(full.weights))
    assert 0.05 < natural < 0.3


def test_failed_interventions_leave_the_variable_its_natural_value():
    episodes = world_episodes(2000, World("failing", 1.0), seed=2)
    actions = np.zeros((2000, 1), dtype=np.int64)
    values = episodes.simulate(actions, 5.0, np.random.default_rng(0))
    held = np.isclose(values[:, 0, 0], 5.0)
    assert abs((~held).mean() - MAX_FAILURE) < 0.04
    # the exploit values mix the intervention's value and the natural one
    rows = np.arange(2000)
    done = 5 * episodes.total_effects[rows, :, episodes.goal]
    assert np.allclose(episodes.choice_values()[..., 0], (1 - MAX_FAILURE) * done)


def test_a_hidden_common_cause_moves_the_level_and_one_sided_mechanisms_break_the_symmetry():
    hidden = world_episodes(500, World("hidden", 1.0), seed=3)
    assert np.abs(hidden.natural_values()).mean() > 1.0
    one_sided = world_episodes(500, World("one_sided", 1.0), seed=3)
    plus, minus = one_sided.choice_values()[..., 0], one_sided.choice_values()[..., 1]
    assert not np.allclose(plus, -minus)
    cand = one_sided.candidates()                                 # a fully one-sided world never goes below 0
    assert plus[cand].min() >= -1e-9 and minus[cand].min() >= -1e-9
    noisy = world_episodes(500, World("noisy", 1.0), seed=3)
    values = noisy.simulate(np.full((500, 2), -1), 5.0, np.random.default_rng(0))
    assert 2.0 < values.std() < 12.0


def test_world_mixes_draw_one_world_per_episode():
    mix = world_episodes(3000, WorldMix(), seed=0)
    counts = np.bincount(mix.kind, minlength=len(ALL_KINDS)) / 3000
    assert np.allclose(counts, 1 / len(ALL_KINDS), atol=0.03)
    assert mix.strength.max() <= 0.5 and np.all(mix.strength[mix.kind == 0] == 0)
    assert WorldMix.from_dict(WorldMix().to_dict()) == WorldMix()
    part = mix.subset(np.arange(10))
    assert isinstance(part, WorldEpisodes) and len(part) == 10 and part.offset.shape == (10, 5)


def test_best_choice_is_the_best_candidate_and_breaks_ties_at_random():
    episodes = world_episodes(500, World("one_sided", 0.7), seed=5)
    var, sign, value = episodes.best_choice(np.random.default_rng(0))
    values = np.where(episodes.candidates()[..., None], episodes.choice_values(), -np.inf)
    assert np.allclose(value, values.reshape(500, -1).max(1))
    assert np.allclose(episodes.value_of(var, sign), value)
    assert episodes.candidates()[np.arange(500), var].all()
    other, _, _ = episodes.best_choice(np.random.default_rng(1))
    assert (other != var).any()                                  # equal values: a random pick
    assert np.allclose(episodes.value_of(np.full(500, -1), np.ones(500)), episodes.natural_values())
    with pytest.raises(ValueError, match="one entry per episode"):
        episodes.value_of(var[:1], sign[:1])
    one = episodes.subset([7])
    assert one.value_of(var[7:8], sign[7:8])[0] == pytest.approx(value[7])


# ----------------------------------------------------------------------------------------------------- players

def test_the_effect_tool_is_the_rigid_solvers_rule():
    batch = generate_episodes(400, seed=0)
    reading = effect_tool(batch.explore_actions, batch.explore_values, batch.goal, batch.allowed, 5.0)
    assert np.array_equal(reading.var, batch.exploit_var) and np.array_equal(reading.sign, batch.exploit_sign)
    nothing = effect_tool(np.full((2, 3), -1), np.zeros((2, 3, 5)), [0, 1], np.ones((2, 5), bool))
    assert nothing.var.tolist() == [-1, -1] and np.isnan(nothing.estimates).all()


def test_play_world_plays_the_rigid_solver_or_the_teacher():
    episodes = world_episodes(300, World("noisy", 0.3), seed=1)
    rigid = play_world(episodes, exploit="rigid", seed=0)
    teacher = play_world(episodes, exploit="best", seed=0)
    assert np.array_equal(rigid.explore_actions, teacher.explore_actions)
    assert np.allclose(rigid.explore_values, teacher.explore_values)
    # one experiment per variable, as the expert of lesson 03
    assert (np.sort(rigid.explore_actions, axis=1) == np.arange(5)).all()
    assert np.allclose(teacher.reward, episodes.best_choice()[2], atol=1e-4)
    assert rigid.reward.mean() < teacher.reward.mean()
    again = play_world(episodes, exploit="rigid", seed=0)
    assert np.array_equal(again.exploit_var, rigid.exploit_var)
    with pytest.raises(ValueError, match="exploit"):
        play_world(episodes, exploit="lucky")


def test_in_the_game_as_designed_the_rigid_solver_is_nearly_the_best():
    episodes = world_episodes(2000, World(), seed=0)
    batch = play_world(episodes, seed=0)
    score = gain_score(episodes, batch.exploit_var, batch.exploit_sign)
    assert score["score"] > 0.99 and score["low"] <= score["score"] <= score["high"]


def test_play_agent_plays_under_the_worlds_rules():
    agent = make_learner("soft", **TINY, seed=0)
    episodes = world_episodes(64, World("failing", 1.0), seed=0)
    result = play_agent(agent, episodes, seed=0)
    assert result.explore_actions.shape == (64, 5)
    # a failed intervention: the agent asked for it, and the variable was not held at 5
    asked = result.explore_actions >= 0
    held = np.isclose(np.take_along_axis(result.explore_values, np.maximum(result.explore_actions, 0)[..., None],
                                         2)[..., 0], 5.0)
    assert (asked & ~held).any()
    with pytest.raises(ValueError, match="same episodes"):
        play_agent(agent, episodes, play_world(world_episodes(64, World(), seed=9)))


# ----------------------------------------------------------------------------------------------------- learners

def test_the_tool_layout_round_trips_the_tokens_and_reads_the_tool():
    batch = generate_episodes(50, seed=3)
    layout = ToolLayout(5, (5.0,))
    tokens = episode_tokens(batch.allowed, batch.explore_actions, batch.explore_values, batch.goal, layout=layout)
    seen = decode_steps(tokens, layout)
    assert np.array_equal(seen["actions"], batch.explore_actions) and np.array_equal(seen["goal"], batch.goal)
    assert np.allclose(seen["values"], batch.explore_values, rtol=1e-4, atol=1e-4)
    features = tool_features(tokens, layout)
    advice = features[:, 10:15]
    assert np.array_equal(np.abs(advice).argmax(1), batch.exploit_var)
    assert np.array_equal(advice[np.arange(50), batch.exploit_var], batch.exploit_sign)


def test_learners_are_built_seeded_and_the_tool_user_reads_the_tool():
    soft, tool = make_learner("soft", **TINY, seed=0), make_learner("tool", **TINY, seed=0)
    assert not is_tool_user(soft) and is_tool_user(tool)
    import torch

    batch = generate_episodes(8, seed=0)
    tokens = torch.from_numpy(episode_tokens(batch.allowed, batch.explore_actions, batch.explore_values,
                                             batch.goal, layout=tool.layout))
    emptied = tokens.clone()
    emptied[:, -1, tool.layout.slices["tool"]] = 0.0
    # the tool user fills its tool slot itself: what the caller wrote there makes no difference
    assert torch.allclose(tool.encode(tokens), tool.encode(emptied))
    assert torch.allclose(make_learner("tool", **TINY, seed=0).encode(tokens), tool.encode(tokens))
    with pytest.raises(ValueError, match="learner"):
        make_learner("clever")
    with pytest.raises(ValueError, match="pointer"):
        make_learner("soft", head="identity")


def test_config_settings_and_regimes():
    config = get_config("small")
    assert config.steps == 6000 and config.d_model == 64 and config.value_scales == (5.0,)
    assert config.regime("varied").max_strength == 0.5 and config.regime("clean").kinds == ("clean",)
    assert get_config("small", mix_strength=0.3).regime("varied").max_strength == 0.3
    assert SoftLearnersConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(ValueError, match="config"):
        get_config("huge")
    with pytest.raises(ValueError, match="regime"):
        config.regime("chaotic")
    with pytest.raises(TypeError, match="mix"):
        teacher_sampler("varied")


def test_train_save_and_load_a_learner(tmp_path):
    config = get_config("tiny", steps=4, warmup=1, **TINY)
    sampler = teacher_sampler(config.regime("varied"))
    batch = sampler(32, 0)
    assert batch.strategy == "teacher" and len(batch) == 32
    agent, history = train_learner("tool", "varied", config, seed=0)
    assert is_tool_user(agent) and history.steps[-1] == 4
    path = save_learner(tmp_path / "tool.pt", agent, metadata={"regime": "varied"})
    loaded, meta = load_learner(path)
    assert meta["learner"] == "tool" and is_tool_user(loaded)
    episodes = world_episodes(32, World(), seed=0)
    assert np.array_equal(play_agent(agent, episodes).exploit_var, play_agent(loaded, episodes).exploit_var)
    training.save_model(tmp_path / "bare.pt", agent, "agent_config")
    with pytest.raises(ValueError, match="learner"):
        load_learner(tmp_path / "bare.pt")
    with pytest.raises(FileNotFoundError, match="soft_learners"):
        load_learner(tmp_path / "missing.pt")


# ----------------------------------------------------------------------------------------------------- measures

def test_scores_and_follow_rates():
    episodes = world_episodes(1000, World("hidden", 1.0), seed=0)
    var, sign, _ = episodes.best_choice()
    assert gain_score(episodes, var, sign)["score"] == pytest.approx(1.0)
    nothing = gain_score(episodes, np.full(1000, -1), np.ones(1000))
    assert nothing["score"] == pytest.approx(0.0, abs=1e-12)
    batch = play_world(episodes, seed=0)
    rates = follow_rates(episodes, batch.explore_actions, batch.explore_values, batch.exploit_var,
                         batch.exploit_sign)
    assert rates["follow"] == 1.0 and rates["follow_when_right"] == 1.0 and 0.3 < rates["tool_right"] < 0.95
    with pytest.raises(ValueError, match="one entry per episode"):
        gain_score(episodes, var[:5], sign[:5])


def test_evaluate_players_scores_everyone_on_the_same_episodes():
    agent = make_learner("soft", **TINY, seed=0)
    out = evaluate_players(world_episodes(200, World("noisy", 0.5), seed=0), {"soft/clean": agent}, seed=0)
    assert set(out) == {"rigid", "soft/clean"} and set(out["rigid"]) >= set(METRICS)
    with pytest.raises(TypeError, match="agents"):
        evaluate_players(world_episodes(20, seed=0), [agent])


def test_verdicts():
    assert verdict(1.0, 1.0 - HOLDS_LOSS) == "holds"
    assert verdict(1.0, BREAK_SCORE) == "breaks"
    assert verdict(1.0, 0.7) == "degrades gracefully"
    with pytest.raises(TypeError, match="strong_score"):
        verdict(1.0, "low")


# ----------------------------------------------------------------------------------------------------- results

@pytest.fixture(scope="module")
def tiny_results():
    """Results made the experiment's way, by a tiny run (untrained learners: shapes, not numbers)."""
    agents = {player_key(learner, regime): make_learner(learner, **TINY, seed=0)
              for learner in LEARNERS for regime in REGIMES}
    results = {"config": get_config("tiny").to_dict(), "seeds": [0, 1], "worlds": {}, "graded": {}}
    for seed in (0, 1):
        for kind, entry in sweep_worlds(agents, strengths=(0.0, 0.5, 1.0), n_episodes=40, seed=0).items():
            merge_sweep(results["worlds"].setdefault(kind, {}), entry)
        merge_sweep(results["graded"], sweep_weight_scales(agents, scales=(0.5, 1.0), n_episodes=40, seed=0))
    return results


def test_curves_read_the_seeds_and_the_rigid_solvers_interval(tiny_results):
    curve = world_curve(tiny_results, "noisy", "soft/varied")
    assert curve["per_seed"].shape == (2, 3) and np.all(curve["min"] <= curve["mean"])
    rigid = world_curve(tiny_results, "noisy", "rigid")
    assert np.all(rigid["min"] <= rigid["mean"]) and np.all(rigid["mean"] <= rigid["max"])
    assert graded_curve(tiny_results, "tool/clean")["scales"].tolist() == [0.5, 1.0]
    with pytest.raises(ValueError, match="kind"):
        world_curve(tiny_results, "windy", "rigid")
    with pytest.raises(ValueError, match="player"):
        world_curve(tiny_results, "noisy", "lucky/varied")
    with pytest.raises(ValueError, match="metric"):
        world_curve(tiny_results, "noisy", "rigid", metric="speed")
    with pytest.raises(TypeError, match="results"):
        world_curve({}, "noisy", "rigid")
    assert split_player("rigid") == ("rigid", None)
    with pytest.raises(ValueError, match="player"):
        split_player("soft")


def test_tables_and_figures(tiny_results):
    import matplotlib.pyplot as plt

    table = outcome_table(tiny_results, "varied", strength=1.0)
    assert list(table.index)[0] == "one-sided mechanisms" and "tool user: verdict" in table.columns
    with pytest.raises(ValueError, match="strength"):
        outcome_table(tiny_results, "varied", strength=0.3)
    both = best_of_both(tiny_results, "hidden")
    assert both["seeds"] == 2 and both["seeds_ok"].shape == (3,)
    ax = plot_world_scores(tiny_results, "hidden", mark=0.5)
    assert len(ax.lines) >= 4
    plt.close("all")
    ax = plot_graded(tiny_results)
    assert ax.get_xscale() == "log"
    plt.close("all")


def test_the_shipped_results_read_back_into_the_current_config():
    results = load_results()
    config = SoftLearnersConfig.from_dict(results["config"])
    assert config == get_config("small", seeds=tuple(results["seeds"]))
    assert len(results["seeds"]) >= 3 and results["command"].startswith("python -m causal_lessons.experiments")
    for kind in WORLD_KINDS:
        curve = world_curve(results, kind, "tool/varied")
        assert curve["per_seed"].shape == (len(results["seeds"]), len(config.strengths))
    assert RESULTS_PATH.stat().st_size < 1_000_000
    with pytest.raises(FileNotFoundError, match="soft_learners"):
        load_results(RESULTS_PATH.with_name("missing.json"))
    with pytest.raises(TypeError, match="results"):
        check_results([])


# ----------------------------------------------------------------------------------------------------- the lesson's claims

@pytest.fixture(scope="module")
def shipped():
    return load_results()


def _end(results, kind, player):
    curve = world_curve(results, kind, player)
    return curve["per_seed"][:, -1], curve["mean"][0]


def test_claim_the_rigid_solver_never_breaks_and_cancelling_paths_cost_nobody_anything(shipped):
    for kind in WORLD_KINDS:
        rigid = world_curve(shipped, kind, "rigid")
        assert verdict(rigid["mean"][0], rigid["mean"][-1]) != "breaks"
        assert rigid["mean"].min() > BREAK_SCORE
    for player in ["rigid"] + [player_key(learner, regime) for learner in LEARNERS for regime in REGIMES]:
        assert world_curve(shipped, "cancelling", player)["per_seed"].min() > 0.995


def test_claim_the_soft_learner_trained_on_the_clean_game_breaks_under_noise_and_a_hidden_cause(shipped):
    for kind in ("noisy", "hidden"):
        seeds, _ = _end(shipped, kind, "soft/clean")
        assert (seeds <= BREAK_SCORE).all()                      # in every seed
        varied, _ = _end(shipped, kind, "soft/varied")
        assert (varied > BREAK_SCORE).all()
    for kind in ("one_sided", "failing"):
        assert (_end(shipped, kind, "soft/clean")[0] > BREAK_SCORE).all()


def test_claim_the_tool_user_never_breaks_and_edges_above_the_rigid_solver_in_the_hidden_world(shipped):
    for kind in WORLD_KINDS:
        for regime in REGIMES:
            assert (world_curve(shipped, kind, player_key("tool", regime))["per_seed"] > BREAK_SCORE).all()
    rigid = world_curve(shipped, "hidden", "rigid")["mean"][-1]
    assert (_end(shipped, "hidden", "tool/varied")[0] > rigid).all()
    assert not (_end(shipped, "hidden", "soft/varied")[0] > rigid).all()
    # best of both at most settings in every seed, not all: the misses are in the one-sided world
    for regime in REGIMES:
        misses = {kind for kind in ("one_sided", "failing", "noisy", "hidden")
                  if (best_of_both(shipped, kind, regime)["seeds_ok"][1:] < 3).any()}
        assert "one_sided" in misses and {"noisy", "hidden"}.isdisjoint(misses)


def test_claim_understanding_is_graded_as_the_weights_grow(shipped):
    soft = graded_curve(shipped, "soft/clean")
    large = soft["scales"] >= 1
    assert np.all(np.diff(soft["mean"][large]) <= 1e-9) and soft["mean"][-1] < 0.5 < soft["mean"][-2] < 0.95
    assert graded_curve(shipped, "rigid")["mean"].min() > 0.99
    assert graded_curve(shipped, "tool/clean")["mean"][-1] > 0.85


def test_claim_the_soft_learner_beats_the_rigid_solver_in_every_seed_only_a_little_in_the_one_sided_world(shipped):
    for regime in REGIMES:
        above = {}
        for kind in WORLD_KINDS:
            rigid = world_curve(shipped, kind, "rigid")["mean"]
            soft = world_curve(shipped, kind, player_key("soft", regime))["per_seed"]
            every = (soft > rigid[None]).all(axis=0)
            if every.any():
                above[kind] = (soft - rigid[None]).min(axis=0)[every].max()
            assert not every[-1]                               # never at full strength
        assert set(above) == {"one_sided"} and above["one_sided"] < 0.03


def test_claim_every_learner_follows_a_wrong_tool_in_more_than_half_of_those_episodes(shipped):
    for kind in ("one_sided", "failing", "noisy", "hidden"):
        for regime in REGIMES:
            for learner in LEARNERS:
                shares = world_curve(shipped, kind, player_key(learner, regime), "follow_when_wrong")["per_seed"][:, -1]
                assert shares.mean() > 0.5
    for learner in LEARNERS:                                   # varied training: doubting a failed experiment more
        clean = world_curve(shipped, "failing", player_key(learner, "clean"), "follow_when_wrong")["per_seed"][:, -1]
        varied = world_curve(shipped, "failing", player_key(learner, "varied"), "follow_when_wrong")["per_seed"][:, -1]
        assert varied.mean() < clean.mean()
