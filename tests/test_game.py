"""Tests of causal_lessons.game: the rules' settings (GameSpec), the episode record and its checks.

Sampling and simulation are tested through the two ways of playing in tests/test_environment.py."""

from __future__ import annotations

import numpy as np
import pytest

from causal_lessons import game
from causal_lessons.environment import CausalDAGEnv, generate_episodes
from causal_lessons.game import EpisodeBatch, GameSpec, game_spec, sample_tasks


def test_spec_checks_and_normalises_its_settings():
    spec = GameSpec(n_vars=4, weights=[1, -1], allowed_sets=[{"C", "A"}, ["D", "B", "A"]],
                    heldout_links=[["A", "D"]])
    assert spec.n_explore == 4 and spec.weights == (1.0, -1.0)
    assert spec.allowed_sets == (("A", "C"), ("A", "B", "D")) and spec.heldout_links == (("A", "D"),)
    assert spec == GameSpec(n_vars=4, weights=(1.0, -1.0), allowed_sets=[("A", "C"), ("A", "B", "D")],
                            heldout_links=[("A", "D")])
    assert hash(spec) == hash(GameSpec(n_vars=4, weights=(1, -1), allowed_sets=[{"A", "C"}, {"A", "B", "D"}],
                                       heldout_links=[("A", "D")]))
    assert spec.allowed_table.tolist() == [[True, False, True, False], [True, True, False, True]]
    assert spec.link_indices.tolist() == [[0, 3]]
    assert GameSpec().allowed_table.shape == (1, 5) and GameSpec().link_indices.shape == (0, 2)
    with pytest.raises(ValueError, match="n_vars must be at most 10"):
        GameSpec(n_vars=11)
    with pytest.raises(KeyError, match="allowed_sets\\[0\\]: unknown variable 'Z'"):
        GameSpec(allowed_sets=[{"Z"}])
    with pytest.raises(ValueError, match="heldout_mode must be one of 'strict', 'direct'"):
        GameSpec(heldout_mode="loose")
    with pytest.raises(TypeError, match="test_links must be True or False"):
        GameSpec(test_links="yes")


def test_game_spec_of_a_call():
    base = GameSpec(n_vars=3)
    assert game_spec() == GameSpec() and game_spec(base) is base
    assert game_spec(base, noise_std=0.5) == GameSpec(n_vars=3, noise_std=0.5)
    with pytest.raises(TypeError, match="unknown game setting 'n_var'; the settings are n_vars, n_explore"):
        game_spec(n_var=3)
    with pytest.raises(TypeError, match="game must be a GameSpec, got dict"):
        game_spec({"n_vars": 3})
    with pytest.raises(TypeError, match="unknown game setting 'colour'"):
        generate_episodes(3, colour="red")


def test_a_spec_plays_as_its_settings():
    settings = dict(n_vars=4, n_explore=6, noise_std=0.2, heldout_links=[("A", "D")], heldout_mode="direct")
    spec = GameSpec(**settings)
    by_spec, by_settings = generate_episodes(50, game=spec, seed=3), generate_episodes(50, seed=3, **settings)
    for name in game.ARRAY_FIELDS:
        assert np.array_equal(getattr(by_spec, name), getattr(by_settings, name)), name
    tasks = sample_tasks(20, game=spec, seed=1)
    assert np.array_equal(tasks.weights, sample_tasks(20, seed=1, **settings).weights)
    env = CausalDAGEnv(game=spec)
    assert env.game == spec and env.n_explore == 6 and env.noise_std == 0.2
    assert CausalDAGEnv(game=spec, noise_std=0.5).game == GameSpec(**{**settings, "noise_std": 0.5})
    with pytest.raises(KeyError, match="heldout_links: unknown variable 'D'"):
        CausalDAGEnv(3, game=spec)


def test_concat():
    a, b = generate_episodes(30, seed=0), generate_episodes(20, seed=3)
    both = EpisodeBatch.concat([a, b])
    assert len(both) == 50 and np.array_equal(both.goal[30:], b.goal) and both.names == a.names
    assert type(both) is EpisodeBatch
    with pytest.raises(ValueError, match="only batches of the same size"):
        EpisodeBatch.concat([a, generate_episodes(10, n_vars=4, seed=0)])
    with pytest.raises(ValueError, match="at least one EpisodeBatch"):
        EpisodeBatch.concat([])


def test_check_batch_names_what_is_missing():
    game.check_batch(generate_episodes(2, seed=0))
    with pytest.raises(TypeError, match="batch must be an EpisodeBatch .* it lacks explore_actions, .*names"):
        game.check_batch(object.__new__(type("Fake", (), {"allowed": 1})))


def test_check_weights():
    assert game.check_weights([1, 0]).tolist() == [1.0, 0.0]
    with pytest.raises(TypeError, match="weights must be a list of numbers"):
        game.check_weights("1, 0")
    with pytest.raises(ValueError, match="non-empty"):
        game.check_weights([])


def test_written_tasks_build_one_hand_written_episode():
    tasks = game.written_tasks({("A", "B"): 1, ("B", "C"): -1, ("A", "C"): 0}, "C", copies=3)
    assert len(tasks) == 3 and tasks.goal.tolist() == [2, 2, 2] and tasks.allowed.all()
    assert tasks.total_effects[0, 0, 2] == -1 and tasks.weights[0, 0, 1] == 1 and tasks.weights.shape == (3, 5, 5)
    np.testing.assert_array_equal(tasks.total_effects[0], game.batch_total_effects(tasks.weights[0]))
    assert game.written_tasks({}, "A", n_vars=3).weights.shape == (1, 3, 3)


@pytest.mark.parametrize("edges, goal, error, match", [
    ({("A", "B"): 2}, "B", ValueError, r"edges\[\('A', 'B'\)\] is 2; the game's weights are -1, 0, 1"),
    ({("A", "B"): 1, ("B", "A"): 1}, "B", ValueError, "A→B→A is a directed cycle"),
    ({("A", "A"): 1}, "B", ValueError, "links a variable to itself"),
    ({("A", "Z"): 1}, "B", KeyError, "unknown variable 'Z'"),
    ({"AB": 1}, "B", TypeError, r"a \(cause, effect\) pair"),
    ([("A", "B")], "B", TypeError, "edges must be a dict"),
    ({("A", "B"): 1}, "Z", KeyError, "goal: unknown variable 'Z'"),
    ({("A", "B"): "one"}, "B", TypeError, "must be a real number"),
])
def test_written_tasks_refuse_what_is_not_an_episode(edges, goal, error, match):
    with pytest.raises(error, match=match):
        game.written_tasks(edges, goal)
