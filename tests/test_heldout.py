"""Tests of causal_lessons.heldout: the training distribution and the test sets with held-out links and sets."""

from __future__ import annotations

import numpy as np
import pytest

from causal_lessons import heldout, training


def test_links_and_sets():
    assert heldout.links_for(5) == [("A", "E"), ("C", "B")] and heldout.links_for(4) == [("C", "B")]
    assert heldout.links_for(6) == heldout.links_for(5)
    sets = heldout.training_sets(5)
    assert len(sets) == 10 + 5 - len(heldout.HELDOUT_SETS)
    held = {frozenset(s) for s in heldout.HELDOUT_SETS}
    assert not held & {frozenset(s) for s in sets}
    # every variable and every pair of variables still occurs together in some training set
    for a in "ABCDE":
        for b in "ABCDE":
            assert any(a in s and b in s for s in sets)
    assert heldout.training_sets(4) is None


def test_training_sampler_strict_direct_and_sets():
    strict = heldout.training_sampler()(3000, 0)
    te = strict.total_effects
    assert np.all(te[:, 0, 4] == 0) and np.all(te[:, 2, 1] == 0)
    labels = {"".join(n for n, a in zip(strict.names, row) if a) for row in strict.allowed}
    allowed_ok = {"".join(s) for s in heldout.training_sets(5)} | {"ABCDE"}
    assert labels <= allowed_ok and not labels & {"".join(s) for s in heldout.HELDOUT_SETS}
    assert abs(strict.allowed.all(1).mean() - 0.5) < 0.05
    direct = heldout.training_sampler(heldout_mode="direct", restricted_share=0.0)(3000, 0)
    assert np.all(direct.weights[:, 0, 4] == 0) and np.all(direct.weights[:, 2, 1] == 0)
    assert np.mean(direct.total_effects[:, 0, 4] != 0) > 0.1   # other paths still carry the effect
    assert direct.allowed.all()
    sized = heldout.training_sampler(n_vars=(4, 6))
    assert sized(10, 0).allowed.shape[1] == 4 and sized(10, 1).allowed.shape[1] == 6
    control = heldout.training_sampler(strategy="associational")(50, 0)
    assert np.all(control.explore_actions == -1)
    with pytest.raises(ValueError, match="heldout_mode must be 'strict' or 'direct'"):
        heldout.training_sampler(heldout_mode="loose")
    with pytest.raises(ValueError, match=r"restricted_share must be in \[0, 1\)"):
        heldout.training_sampler(restricted_share=1.0)


def test_evaluation_episodes():
    links = heldout.evaluation_episodes("links", 1500, chunk=700)
    assert len(links) == 1500
    rows = np.arange(len(links))
    assert set(np.unique(links.goal)) == {1, 4}            # B or E
    source = np.where(links.goal == 4, 0, 2)                # A for E, C for B
    effect = np.abs(links.total_effects[rows, :, links.goal])
    effect[rows, links.goal] = -1
    assert np.all(effect.argmax(1) == source) and links.allowed.all()
    assert np.all(links.exploit_var == source)              # the expert finds it
    sets = heldout.evaluation_episodes("sets", 500)
    labels = {"".join(n for n, a in zip(sets.names, row) if a) for row in sets.allowed}
    assert labels == {"".join(s) for s in heldout.HELDOUT_SETS}
    assert np.all(sets.total_effects[:, 0, 4] == 0)
    same = heldout.evaluation_episodes("sets", 500, strategy="associational")
    assert np.array_equal(same.weights, sets.weights) and np.array_equal(same.goal, sets.goal)
    assert not np.array_equal(heldout.evaluation_episodes("sets", 500, seed=1).weights, sets.weights)
    with pytest.raises(ValueError, match="kind must be one of 'links', 'sets', 'train', got 'other'"):
        heldout.evaluation_episodes("other", 10)
    with pytest.raises(ValueError, match="held-out sets are defined for five variables"):
        heldout.evaluation_episodes("sets", 10, n_vars=4)


def test_strategy_rewards_match_the_evaluation_episodes():
    batch = heldout.evaluation_episodes("links", 600, chunk=250)
    expert = training.expected_reward(batch.total_effects, batch.goal, batch.exploit_var, batch.exploit_sign, 5.0)
    assert np.array_equal(heldout.strategy_rewards("links", 600, chunk=250), expert)
