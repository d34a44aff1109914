"""causal_lessons.blickets: the detector, the exact Bayesian learner, exploration and overhypotheses."""

from __future__ import annotations

import itertools
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from causal_lessons.blickets import (  # noqa: E402
    EXPLORATION,
    RULES,
    BlicketDetector,
    BlicketLearner,
    Hypothesis,
    RuleOverhypothesis,
    all_tests,
    as_test,
    binary_entropy,
    choose_test,
    detector_lights,
    explore_until_confident,
    hypotheses,
    learning_curves,
    most_informative_tests,
    object_names,
    overhypothesis_experiment,
    plot_learning_curves,
    plot_overhypothesis,
    random_hypothesis,
    run_episode,
    label_test,
)

TESTS = all_tests()


def brute_force_posterior(history, p_conjunctive=0.5, noise=0.0):
    """Bayes' rule written out independently of BlicketLearner: prior x likelihood, normalised."""
    objects = "ABC"
    worlds = []
    for rule, needed in (("disjunctive", 1), ("conjunctive", 2)):
        sets = [frozenset(c) for k in range(needed, 4) for c in itertools.combinations(objects, k)]
        share = p_conjunctive if rule == "conjunctive" else 1 - p_conjunctive
        worlds += [(s, rule, share / len(sets)) for s in sets]
    weights = []
    for blickets, rule, prior in worlds:
        w = prior
        for on, lit in history:
            k = len(blickets & set(on))
            would_light = k >= (2 if rule == "conjunctive" else 1)
            w *= (1 - noise) if would_light == lit else noise
        weights.append(w)
    weights = np.array(weights)
    return weights / weights.sum()


# ---------------------------------------------------------------------------------------------
# objects, tests, hypotheses
# ---------------------------------------------------------------------------------------------

def test_object_names_and_tests():
    assert object_names() == ("A", "B", "C")
    assert object_names(4) == ("A", "B", "C", "D")
    assert [label_test(t) for t in TESTS] == ["A", "B", "C", "AB", "AC", "BC", "ABC"]
    assert len(all_tests(3, include_empty=True)) == 8
    assert label_test(frozenset()) == "nothing"


def test_as_test_reads_strings_and_collections():
    assert as_test("AB") == frozenset("AB")
    assert as_test("A, C") == frozenset("AC")
    assert as_test(["B"]) == frozenset("B")
    assert as_test("") == frozenset()
    assert as_test({"A", "B", "C"}) == frozenset("ABC")


@pytest.mark.parametrize("n, n_disjunctive, n_conjunctive", [(2, 3, 1), (3, 7, 4), (4, 15, 11)])
def test_hypothesis_counts(n, n_disjunctive, n_conjunctive):
    found = hypotheses(n)
    assert sum(h.rule == "disjunctive" for h in found) == n_disjunctive
    assert sum(h.rule == "conjunctive" for h in found) == n_conjunctive
    assert len(set(found)) == len(found)


def test_every_hypothesis_is_identifiable_by_the_seven_tests():
    answers = {tuple(h.lights(t) for t in TESTS) for h in hypotheses()}
    assert len(answers) == len(hypotheses()) == 11


def test_demonstration_script_identifies_every_world_after_five_tests_but_not_four():
    """Pins the lesson's claim that the demonstrator's learner is sure of every world after 5 tests."""
    assert len({tuple(h.lights(t) for t in TESTS[:5]) for h in hypotheses()}) == 11
    assert len({tuple(h.lights(t) for t in TESTS[:4]) for h in hypotheses()}) < 11


@pytest.mark.parametrize("blickets, rule, on, lit", [
    ("A", "disjunctive", "A", True), ("A", "disjunctive", "BC", False), ("AB", "disjunctive", "B", True),
    ("AB", "conjunctive", "A", False), ("AB", "conjunctive", "AB", True), ("AB", "conjunctive", "AC", False),
    ("ABC", "conjunctive", "BC", True), ("ABC", "conjunctive", "C", False), ("AB", "conjunctive", "ABC", True),
])
def test_detector_lights_truth_table(blickets, rule, on, lit):
    assert detector_lights(set(blickets), rule, set(on)) is lit
    assert Hypothesis(frozenset(blickets), rule).lights(set(on)) is lit


def test_hypothesis_label():
    assert Hypothesis(frozenset("BA"), "conjunctive").label == "AB conjunctive"


def test_random_hypothesis_respects_the_rule_probability():
    rng = np.random.default_rng(0)
    draws = [random_hypothesis(0.8, seed=rng) for _ in range(2000)]
    share = np.mean([h.rule == "conjunctive" for h in draws])
    assert abs(share - 0.8) < 0.03
    assert {h.rule for h in (random_hypothesis(0.0, seed=s) for s in range(50))} == {"disjunctive"}
    assert random_hypothesis(seed=3) == random_hypothesis(seed=3)


# ---------------------------------------------------------------------------------------------
# the environment
# ---------------------------------------------------------------------------------------------

def test_detector_place_remove_and_history():
    world = BlicketDetector("BC", "conjunctive")
    assert world.place("B") is False
    assert world.place("C") is True
    assert world.place("A") is True
    assert world.remove("C") is False
    assert [(label_test(on), lit) for on, lit in world.history] == \
        [("B", False), ("BC", True), ("ABC", True), ("AB", False)]
    assert world.on == frozenset("AB")
    assert world.test("") is False and world.on == frozenset()
    assert world.hypothesis == Hypothesis(frozenset("BC"), "conjunctive")
    assert "BC" in repr(world)


def test_quiz_score_counts_objects_answered_right():
    world = BlicketDetector("AB", "disjunctive")
    assert world.quiz_score("AB") == 1.0
    assert world.quiz_score("A") == pytest.approx(2 / 3)
    assert world.quiz_score("C") == 0.0
    assert world.quiz_score(set()) == pytest.approx(1 / 3)


def test_noise_flips_the_light_at_the_stated_rate_reproducibly():
    world = BlicketDetector("A", noise=0.2, seed=1)
    answers = [world.test("A") for _ in range(4000)]
    assert abs((1 - np.mean(answers)) - 0.2) < 0.02
    again = BlicketDetector("A", noise=0.2, seed=1)
    assert [again.test("A") for _ in range(4000)] == answers


def test_random_detector_is_reproducible():
    assert BlicketDetector.random(seed=5).hypothesis == BlicketDetector.random(seed=5).hypothesis
    assert BlicketDetector.random(1.0, seed=2).rule == "conjunctive"


# ---------------------------------------------------------------------------------------------
# the learner
# ---------------------------------------------------------------------------------------------

def test_prior_beliefs_are_exact():
    learner = BlicketLearner()
    assert learner.prior.sum() == pytest.approx(1.0)
    assert learner.p_conjunctive() == pytest.approx(0.5)
    # P(A is a blicket) = 0.5 * 4/7 (disjunctive sets with A) + 0.5 * 3/4 (conjunctive sets with A)
    for p in learner.blicket_probabilities().values():
        assert p == pytest.approx(0.5 * 4 / 7 + 0.5 * 3 / 4)
    assert learner.entropy() == pytest.approx(-(7 * (1 / 14) * math.log2(1 / 14) + 4 * (1 / 8) * math.log2(1 / 8)))
    assert learner.quiz_answer() == frozenset("ABC")


def test_one_cause_demonstration():
    learner = BlicketLearner().observe([("A", True), ("B", False), ("AB", True)])
    probabilities = learner.blicket_probabilities()
    assert probabilities == pytest.approx({"A": 1.0, "B": 0.0, "C": 0.5})
    assert learner.p_conjunctive() == 0.0
    assert learner.quiz_answer() == frozenset("A")
    assert learner.confidence() == pytest.approx(0.5)


def test_backward_blocking():
    """AB lights: B becomes more likely a blicket; then A alone lights: B falls back to 1/2."""
    learner = BlicketLearner()
    before = learner.blicket_probabilities()["B"]
    learner.update("AB", True)
    after_pair = learner.blicket_probabilities()["B"]
    learner.update("A", True)
    assert after_pair > before
    assert learner.blicket_probabilities()["B"] == pytest.approx(0.5)


histories = st.lists(st.tuples(st.sampled_from([label_test(t) for t in TESTS]), st.booleans()), max_size=8)


@settings(max_examples=60, deadline=None)
@given(history=histories, p_conj=st.floats(0.05, 0.95), noise=st.sampled_from([0.05, 0.1, 0.3]))
def test_posterior_matches_bayes_rule_written_out(history, p_conj, noise):
    learner = BlicketLearner(p_conjunctive=p_conj, noise=noise).observe(history)
    np.testing.assert_allclose(learner.posterior, brute_force_posterior(history, p_conj, noise), atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(history=histories, noise=st.sampled_from([0.0, 0.1]), test=st.sampled_from(TESTS))
def test_information_gain_is_the_mutual_information(history, noise, test):
    learner = BlicketLearner(noise=noise)
    try:
        learner.observe(history)
    except ValueError:
        return  # an impossible noiseless history: tested elsewhere
    post = learner.posterior
    gain = 0.0  # sum over answers of P(answer) * KL(posterior after answer || posterior now)
    for lit in (True, False):
        lik = np.array([(1 - noise) if h.lights(test) == lit else noise for h in learner.hypotheses])
        p_answer = float(post @ lik)
        if p_answer == 0:
            continue
        after = post * lik / p_answer
        mask = after > 0
        gain += p_answer * float((after[mask] * np.log2(after[mask] / post[mask])).sum())
    assert learner.expected_information_gain(test) == pytest.approx(gain, abs=1e-9)
    assert learner.information_gains()[label_test(test)] == pytest.approx(gain, abs=1e-9)


def test_first_information_gains_are_exact():
    gains = BlicketLearner().information_gains()
    assert gains["A"] == pytest.approx(binary_entropy(0.5 * 4 / 7))
    assert gains["AB"] == pytest.approx(binary_entropy(0.5 * 6 / 7 + 0.5 * 2 / 4))
    assert gains["ABC"] == pytest.approx(0.0, abs=1e-12)  # every hypothesis lights with all three on
    assert [label_test(t) for t in most_informative_tests(BlicketLearner())] == ["AB", "AC", "BC"]


def test_binary_entropy():
    assert binary_entropy(0.5) == 1.0
    assert binary_entropy(0.0) == binary_entropy(1.0) == 0.0
    assert binary_entropy(0.11) == pytest.approx(0.4999, abs=1e-3)


def test_p_lit_with_noise():
    history = [("A", True)] * 3
    learner = BlicketLearner(noise=0.1).observe(history)
    lights = np.array([h.lights("A") for h in hypotheses()])
    expected = brute_force_posterior(history, noise=0.1) @ np.where(lights, 0.9, 0.1)
    assert learner.p_lit("A") == pytest.approx(expected)
    assert 0.85 < expected < 0.9  # three flashes: almost sure A lights it, but the detector errs 1 time in 10
    assert BlicketLearner().p_lit("ABC") == pytest.approx(1.0)


def test_watching_someone_elses_tests_teaches_exactly_what_doing_them_does():
    world = BlicketDetector("AC", "conjunctive")
    actor = BlicketLearner()
    for step in range(4):
        test = choose_test(actor, "eig", seed=step)
        actor.update(test, world.test(test))
    watcher = BlicketLearner().observe(world.history)
    np.testing.assert_array_equal(watcher.posterior, actor.posterior)


def test_rule_evidence_set_prior_and_copy():
    learner = BlicketLearner()
    assert learner.rule_evidence() == pytest.approx({"disjunctive": 1.0, "conjunctive": 1.0})
    learner.update("A", False)
    # disjunctive: 3 of the 7 sets leave A out; conjunctive: all 4 sets stay dark with one object
    assert learner.rule_evidence() == pytest.approx({"disjunctive": 3 / 7, "conjunctive": 1.0})
    other = learner.copy()
    other.set_prior(0.9)
    other.update("AB", True)
    assert len(learner.history) == 1 and learner.p_conjunctive_prior == 0.5
    # the evidence is kept when the prior changes: the posterior is prior x evidence
    learner.set_prior(0.9)
    assert learner.p_conjunctive() == pytest.approx(0.9 * 1.0 / (0.9 * 1.0 + 0.1 * 3 / 7))
    assert set(learner.beliefs()) == {h.label for h in hypotheses()}
    assert "tests seen=1" in repr(learner)


def test_extreme_priors_are_allowed():
    assert BlicketLearner(p_conjunctive=1.0).p_conjunctive() == 1.0
    assert BlicketLearner(p_conjunctive=0.0).blicket_probabilities()["A"] == pytest.approx(4 / 7)


# ---------------------------------------------------------------------------------------------
# exploration and episodes
# ---------------------------------------------------------------------------------------------

def test_choose_test_is_reproducible_and_random_covers_all_tests():
    learner = BlicketLearner()
    assert choose_test(learner, "eig", seed=4) == choose_test(learner, "eig", seed=4)
    assert choose_test(learner, "eig", seed=4) in most_informative_tests(learner)
    rng = np.random.default_rng(0)
    assert {choose_test(learner, "random", seed=rng) for _ in range(200)} == set(TESTS)


@pytest.mark.parametrize("world", hypotheses(), ids=lambda h: h.label)
def test_information_gain_explorer_is_sure_within_four_tests(world):
    """Four is also the least possible worst case: 11 hypotheses need log2(11) > 3 yes/no answers."""
    for seed in range(5):
        detector = BlicketDetector(world.blickets, world.rule)
        steps, accuracy = explore_until_confident(detector, BlicketLearner(), confidence=1.0, seed=seed)
        assert steps <= 4 and accuracy == 1.0


def test_run_episode_watches_then_explores():
    world = BlicketDetector("A", "disjunctive")
    records = run_episode(world, BlicketLearner(), 5, n_watch=2, explore="eig", seed=0)
    assert [r["step"] for r in records] == [0, 1, 2, 3, 4, 5]
    assert [r["who"] for r in records[1:]] == ["demonstrator"] * 2 + ["learner"] * 3
    assert [label_test(r["test"]) for r in records[1:3]] == ["A", "B"]
    assert records[-1]["accuracy"] == 1.0
    watch = run_episode(BlicketDetector("A"), BlicketLearner(), 9, explore="watch")
    assert [label_test(r["test"]) for r in watch[1:]] == ["A", "B", "C", "AB", "AC", "BC", "ABC", "A", "B"]
    assert watch[5]["confidence"] == 1.0


def test_learning_curves_share_worlds_and_demonstrations_and_are_reproducible():
    curves = learning_curves(30, 6, n_watch=2, seed=1)
    assert set(curves) == set(EXPLORATION)
    for values in curves.values():
        assert values.shape == (30, 7)
        assert np.all((0 <= values) & (values <= 1))
    np.testing.assert_array_equal(curves["eig"][:, :3], curves["random"][:, :3])
    np.testing.assert_array_equal(curves["eig"][:, :3], curves["watch"][:, :3])
    again = learning_curves(30, 6, n_watch=2, seed=1)
    for key in curves:
        np.testing.assert_array_equal(curves[key], again[key])
    assert np.all(curves["watch"][:, 5] == 1.0)  # five demonstrations identify every world
    assert np.all(curves["eig"][:, 6] == 1.0)


def test_information_gain_beats_random_exploration():
    curves = learning_curves(120, 6, n_watch=0, explore=("eig", "random"), seed=3)
    assert curves["eig"][:, 4].mean() == 1.0
    assert curves["eig"][:, 3].mean() > curves["random"][:, 3].mean() + 0.05


def test_noise_slows_learning_but_information_gain_still_wins():
    curves = learning_curves(100, 8, n_watch=0, explore=("eig", "random"), noise=0.1, seed=0)
    assert curves["eig"][:, 8].mean() < 1.0
    assert curves["eig"][:, 8].mean() > curves["random"][:, 8].mean()


def test_plots_return_axes():
    ax = plot_learning_curves(learning_curves(5, 3, seed=0), n_watch=2)
    assert len(ax.get_lines()) == 3
    axes = plot_overhypothesis(overhypothesis_experiment(2, 3, seed=0))
    assert len(axes) == 2
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# overhypotheses
# ---------------------------------------------------------------------------------------------

def test_overhypothesis_with_certain_episodes_is_a_beta_count():
    belief = RuleOverhypothesis(2.0, 1.0)
    assert belief.p_conjunctive() == pytest.approx(2 / 3)
    for conj in (True, True, False, True):
        belief.update({"conjunctive": float(conj), "disjunctive": float(not conj)})
    assert belief.n_episodes == 4
    assert belief.p_conjunctive() == pytest.approx((2 + 3) / (3 + 4))
    np.testing.assert_allclose(belief.count_probabilities(), [0, 0, 0, 1, 0], atol=1e-12)


def test_overhypothesis_with_uncertain_episodes_matches_numerical_integration():
    evidence = [(0.3, 0.9), (1.0, 0.2), (0.5, 0.5), (0.05, 0.4)]
    belief = RuleOverhypothesis(1.5, 2.5)
    for c, d in evidence:
        belief.update({"conjunctive": c, "disjunctive": d})
    theta = np.linspace(0, 1, 200_001)
    density = theta ** 0.5 * (1 - theta) ** 1.5
    for c, d in evidence:
        density = density * (theta * c + (1 - theta) * d)
    expected = np.trapezoid(theta * density, theta) / np.trapezoid(density, theta)
    assert belief.p_conjunctive() == pytest.approx(expected, abs=1e-6)
    grid = np.linspace(0, 1, 20_001)
    assert np.trapezoid(belief.density(grid), grid) == pytest.approx(1.0, abs=1e-4)
    assert "episodes=4" in repr(belief)


def test_overhypothesis_learner_needs_fewer_tests_in_a_conjunctive_world():
    result = overhypothesis_experiment(20, 12, p_conjunctive_world=1.0, seed=0)
    assert result["steps_flat"].shape == (20, 12)
    assert result["belief"][:, 0].tolist() == [0.5] * 20
    assert result["belief"][:, -1].mean() > 0.85
    late = slice(8, 12)
    assert result["steps_overhypothesis"][:, late].mean() < result["steps_flat"][:, late].mean() - 0.5
    assert result["accuracy_overhypothesis"].mean() == 1.0
    again = overhypothesis_experiment(20, 12, p_conjunctive_world=1.0, seed=0)
    np.testing.assert_array_equal(result["steps_overhypothesis"], again["steps_overhypothesis"])


# ---------------------------------------------------------------------------------------------
# errors that speak to a student
# ---------------------------------------------------------------------------------------------

ERRORS = [
    (lambda: as_test("AD"), KeyError, "unknown variable 'D'"),
    (lambda: as_test(3), TypeError, "objects on the detector"),
    (lambda: object_names(7), ValueError, "n_objects must be at most 5"),
    (lambda: BlicketDetector("A", "conjunctive"), ValueError, "needs at least 2 blickets"),
    (lambda: BlicketDetector("", "disjunctive"), ValueError, "needs at least 1 blicket"),
    (lambda: BlicketDetector("A", "sometimes"), ValueError, "rule must be 'disjunctive' or 'conjunctive'"),
    (lambda: BlicketDetector("A", noise=0.5), ValueError, "noise must be below 0.5"),
    (lambda: BlicketDetector("A", noise=-0.1), ValueError, "noise must be at least 0"),
    (lambda: BlicketDetector("A").remove("B"), ValueError, "'B' is not on the detector"),
    (lambda: BlicketDetector("A").place("Z"), KeyError, "obj: unknown variable 'Z'"),
    (lambda: BlicketLearner(p_conjunctive=1.5), ValueError, "p_conjunctive must be at most 1"),
    (lambda: BlicketLearner().update("A", "yes"), TypeError, "lit must be True or False"),
    (lambda: BlicketLearner().observe([("A", True), ("A", False)]), ValueError, "give the learner noise > 0"),
    (lambda: BlicketLearner().observe("A"), TypeError, "history must be a list"),
    (lambda: BlicketLearner().observe([("A",)]), TypeError, "history[0] must be a pair"),
    (lambda: choose_test(BlicketLearner(), "greedy"), ValueError, "policy must be 'eig' or 'random'"),
    (lambda: choose_test("learner"), TypeError, "learner must be a BlicketLearner"),
    (lambda: run_episode(BlicketDetector("A"), BlicketLearner(), 3, explore="think"), ValueError,
     "explore must be one of"),
    (lambda: run_episode(BlicketDetector("AB", n_objects=2), BlicketLearner(), 3), ValueError,
     "the learner knows objects"),
    (lambda: learning_curves(0), ValueError, "n_episodes must be a positive whole number"),
    (lambda: learning_curves(5, seed=-1), ValueError, "seed must be at least 0"),
    (lambda: random_hypothesis(seed="x"), TypeError, "seed must be a whole number"),
    (lambda: RuleOverhypothesis(a=0), ValueError, "a must be a positive number"),
    (lambda: RuleOverhypothesis().update({"conjunctive": 0.0, "disjunctive": 0.0}), ValueError,
     "impossible under both rules"),
    (lambda: RuleOverhypothesis().update({"conj": 1.0}), TypeError, "keys 'conjunctive' and 'disjunctive'"),
    (lambda: RuleOverhypothesis().density([1.5]), ValueError, "theta must be numbers between 0 and 1"),
    (lambda: overhypothesis_experiment(p_conjunctive_world=2), ValueError, "p_conjunctive_world must be at most 1"),
    (lambda: explore_until_confident(BlicketDetector("A"), BlicketLearner(), explore="watch"), ValueError,
     "explore must be 'eig' or 'random'"),
]


@pytest.mark.parametrize("call, error, fragment", ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_errors_name_the_argument_and_what_was_expected(call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert fragment in str(info.value)


def test_rules_constant():
    assert RULES == ("disjunctive", "conjunctive")
