"""Every checker, given any Python value as an answer, returns Feedback and raises nothing, and the feedback to
a wrong answer never shows the reference answer.

The checkers are enumerated from the exercise modules (every function declared with ``exercise``), so a new
checker fails :func:`test_every_checker_has_a_case` until it gets a case here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import causal_lessons.exercises as exercises_package
from causal_lessons import blickets, dynamics, fusion, graphs, ladder
from causal_lessons import content_effects as ce
from causal_lessons import soft_learners as sl
from causal_lessons import generalization as gen
from causal_lessons import imitation as im
from causal_lessons import passive_logs as pl
from causal_lessons.blickets import BlicketLearner, RuleOverhypothesis
from causal_lessons.environment import generate_episodes
from causal_lessons.exercises.core import Feedback, checkers
from causal_lessons.scm import LinearGaussianSCM
from causal_lessons.strategies import exact_choices
from checker_probe import printed_forms

for info in pkgutil.iter_modules(exercises_package.__path__):
    importlib.import_module(f"causal_lessons.exercises.{info.name}")
CHECKERS = checkers()

#: Checkers whose lesson objects need torch training or a shipped model: their wrong answers are tried by
#: tests/test_student_copies.py (the probe, in the executed lesson) and by their own unit tests.
HEAVY = {"agents.check_seen_link", "agents.check_control_prediction", "agents.check_pointer_reading",
         "language_agents.check_pointer_reading", "language_agents.check_never_claimed",
         "language_agents.check_no_experiments", "language_agents.check_namer_prediction",
         "imitation.check_more_demonstrations", "imitation.check_reliance", "explanations.check_plays_like",
         "explanations.check_lucky_share",
         # an open challenge whose every answer is judged by lesson 11's trained model; tests/test_content_effects_exercises.py
         # gives it wrong answers of every kind
         "content_effects.check_bias_trap",
         # an open challenge with two answers: it simulates each design for 24 h; tests/test_dynamics_exercises.py
         # gives it wrong answers of every kind
         "dynamics.check_stable_design",
         # an open challenge that plays the lesson's trained agent: tests/test_agents_exercises.py gives it wrong
         # answers of every kind
         "agents.check_divergent_episode", "language_agents.check_namer_trap"}


def _cases() -> dict:
    """name -> (call(answer), the reference answer)."""
    tutoring = ladder.tutoring_scm(confounding=2.0, effect=0.5)
    paths = LinearGaussianSCM({("A", "B"): 2.0, ("B", "C"): -1.0, ("C", "D"): 0.5})
    trap = graphs.as_dag([("Z", "X"), ("Z", "Y"), ("X", "Y")])
    observed = pl.make_log(LinearGaussianSCM({("X", "Y"): 0.8}), 200, 0.0, seed=2)
    marked = pl.make_log(LinearGaussianSCM({("X", "Y"): 0.8}), 200, 0.5, seed=4)
    batch = generate_episodes(300, seed=0)
    exact = exact_choices(batch)
    k = int(np.flatnonzero(exact.divergent & (exact.assoc_ties == 1))[0])
    ben = {"Z": -0.5, "X": 1.0, "Y": 0.3}
    log = gen.run_ab_test(gen.shop_scm(0.5), n=400, seed=11)
    strata = gen.effects_by_stratum(log, "M")
    complete = graphs.as_dag([("A", "B"), ("A", "C"), ("A", "D"), ("B", "C"), ("B", "D"), ("C", "D")])
    hospital_a = gen.hospital_scm()
    shift_predictors = (gen.population_least_squares(hospital_a, "Severity", ["Exposure"]),
                        gen.population_least_squares(hospital_a, "Severity", ["Exposure", "Marker"]), hospital_a)
    hidden = graphs.as_dag([("A", "E"), ("E", "B"), ("E", "C"), ("B", "D"), ("C", "D")])
    known = graphs.cpdag(hidden)
    learner = BlicketLearner().observe([("A", True), ("B", False)])
    belief = RuleOverhypothesis(a=1, b=1)
    eb = SimpleNamespace(names=list("ABCDE"), goal=np.array([2, 2, 2]))
    er = SimpleNamespace(exploit_var=np.array([1, 1, 3]))
    arguments = ce.evaluation_problems(ce.CONTENT_EXPERIMENT.with_settings(test_per_cell=30, natural_test=200))
    hidden_world = sl.world_episodes(20, sl.World("hidden", 1.0), seed=3, game_spec=sl.get_config().game)
    hidden_play = sl.play_world(hidden_world, seed=3)
    control = sl.controlled_tool(hidden_play.explore_actions[:1], hidden_play.explore_values[:1],
                                 hidden_play.goal[:1], hidden_play.allowed[:1])
    sn = ladder_ex = importlib.import_module("causal_lessons.exercises.ladder")
    gx = importlib.import_module("causal_lessons.exercises.generalization")
    del sn
    return {
        "lesson.check_first_exercise": (lambda a: CHECKERS["causal_lessons.exercises.lesson.check_first_exercise"](a), 5.0),
        "ladder.check_observational_slope": (lambda a: C("ladder.check_observational_slope")(tutoring, a),
                                             tutoring.observational_slope("X", "Y")),
        "ladder.check_total_effect": (lambda a: C("ladder.check_total_effect")(paths, "A", "D", a),
                                      paths.total_effect("A", "D")),
        "ladder.check_backdoor_set": (lambda a: C("ladder.check_backdoor_set")(trap, "X", "Y", a), {"Z"}),
        "ladder.check_counterfactual": (lambda a: C("ladder.check_counterfactual")(ladder.tutoring_scm(1.0), ben,
                                                                                   {"X": -1.0}, "Y", 0.3, a),
                                        ladder.tutoring_scm(1.0).counterfactual(ben, {"X": -1.0})["Y"]),
        "ladder.check_slope_formula": (lambda a: C("ladder.check_slope_formula")(a, -0.5), None),
        "ladder.check_counterfactual_prediction": (
            lambda a: C("ladder.check_counterfactual_prediction")(ladder.tutoring_scm(1.0), ben, {"X": -1.0}, "Y", a),
            "below"),
        "ladder.check_rung": (lambda a: C("ladder.check_rung")(a),
                              dict(zip(ladder_ex.RUNG_QUESTIONS, [1, 2, 3, 2, 3]))),
        "passive_logs.check_saturated_log_likelihood": (
            lambda a: C("passive_logs.check_saturated_log_likelihood")(observed, a),
            pl.log_likelihood(observed, [("X", "Y")])),
        "passive_logs.check_identifying_experiments": (
            lambda a: C("passive_logs.check_identifying_experiments")([("Y", "X"), ("Y", "Z")], a), {"Y"}),
        "passive_logs.check_effect_estimate": (lambda a: C("passive_logs.check_effect_estimate")(marked, "X", "Y", a),
                                               pl.fit_mechanism(marked, "Y", ["X"]).weights["X"]),
        "passive_logs.check_remaining_graphs": (
            lambda a: C("passive_logs.check_remaining_graphs")([("Y", "X"), ("Y", "Z")], ["X"], a), 2),
        "passive_logs.check_identifying_design": (
            lambda a: C("passive_logs.check_identifying_design")(complete, a), {"B", "C"}),
        "game.check_expert_choice": (lambda a: C("game.check_expert_choice")(batch, k, a),
                                     (batch.names[batch.exploit_var[k]], int(batch.exploit_sign[k]))),
        "game.check_associational_choice": (lambda a: C("game.check_associational_choice")(batch, k, a),
                                            (batch.names[exact.assoc_var[k]], int(exact.assoc_sign[k]))
                                            if hasattr(exact, "assoc_sign") else None),
        "game.check_failure_reason": (lambda a: C("game.check_failure_reason")(batch, k, a), None),
        "game.check_divergent_share": (lambda a: C("game.check_divergent_share")(batch, a),
                                       float(exact.divergent.mean())),
        "game.check_noise_prediction": (lambda a: C("game.check_noise_prediction")(batch, a), "expert"),
        "game.check_adjustment_set": (lambda a: C("game.check_adjustment_set")(batch, k, a), None),
        "explanations.check_shortcut_prediction": (lambda a: C("explanations.check_shortcut_prediction")(a, eb, er, "C"),
                                                   "B"),
        "explanations.check_flip_share": (lambda a: C("explanations.check_flip_share")(a, 4), 1 / 3),
        "explanations.check_mixture_design": (lambda a: C("explanations.check_mixture_design")(a, a), None),
        "imitation.check_growth_prediction": (lambda a: C("imitation.check_growth_prediction")(a), "about 4 times"),
        "imitation.check_bc_walk": (lambda a: C("imitation.check_bc_walk")(a, a, epsilon=0.02, horizon=50),
                                    im.bc_expected_cost(0.02, 50)),
        # an open challenge: many answers are right, so there is no one answer a message could give away
        "imitation.check_quiet_compounding": (lambda a: C("imitation.check_quiet_compounding")(a, a), None),
        "fusion.check_class_size": (lambda a: C("fusion.check_class_size")(graphs.as_dag([("A", "B"), ("B", "C")]), a),
                                    3),
        "fusion.check_guaranteed_experiment": (lambda a: C("fusion.check_guaranteed_experiment")(known, a), "E"),
        "fusion.check_expected_experiments": (
            lambda a: C("fusion.check_expected_experiments")(graphs.as_dag([("A", "B"), ("B", "C"), ("A", "C")]), a),
            fusion.expected_experiments(graphs.as_dag([("A", "B"), ("B", "C"), ("A", "C")]))),
        "fusion.check_adjusted_bias": (lambda a: C("fusion.check_adjusted_bias")(fusion.fusion_scm(confounding=1.5), a),
                                       None),
        "fusion.check_identifying_design": (lambda a: C("fusion.check_identifying_design")(
            graphs.as_dag([("A", "E"), ("B", "C"), ("B", "D"), ("C", "D")]), a), None),
        "blickets.check_sure_blickets": (lambda a: C("blickets.check_sure_blickets")([("AB", True), ("B", False)], a),
                                         {"A"}),
        "blickets.check_blicket_probability": (
            lambda a: C("blickets.check_blicket_probability")([("AB", True), ("A", True)], "B", a), 0.5),
        "blickets.check_information_gain": (lambda a: C("blickets.check_information_gain")(learner, "C", a, a),
                                            learner.p_lit("C")),
        "blickets.check_sure_design": (lambda a: C("blickets.check_sure_design")([("AB", False)], a), None),
        "blickets.check_overhypothesis_prediction": (
            lambda a: C("blickets.check_overhypothesis_prediction")(belief, a), belief.p_conjunctive()),
        "generalization.check_ab_estimate": (lambda a: C("generalization.check_ab_estimate")(log, a, a, a),
                                             float(log[log["T"] == 1]["Y"].mean())),
        "generalization.check_transported_effect": (
            lambda a: C("generalization.check_transported_effect")(strata, {0: 0.5, 1: 0.5}, a),
            gen.transport(strata, {0: 0.5, 1: 0.5}).effect),
        "generalization.check_crossover_shift": (lambda a: C("generalization.check_crossover_shift")(
            gen.hospital_scm(marker_noise=1.0), a, a), None),
        "generalization.check_failing_shift": (lambda a: C("generalization.check_failing_shift")(
            *shift_predictors, a), None),
        "generalization.check_operations": (lambda a: C("generalization.check_operations")(a),
                                             dict(zip(gx.OPERATION_QUESTIONS, ["observation", "A/B test", "simulation",
                                                                               "counterfactual", "A/B test"]))),
        "content_effects.check_agreement_prediction": (
            lambda a: C("content_effects.check_agreement_prediction")(a, ce.belief_answers(arguments["cells"]),
                                                                      arguments["cells"]), "where they agree"),
        "content_effects.check_guaranteed_cells": (
            lambda a: C("content_effects.check_guaranteed_cells")(a, arguments["cells"]),
            {"valid-believable", "valid-unbelievable"}),
        "dynamics.check_clamp_prediction": (lambda a: C("dynamics.check_clamp_prediction")(a), "warmer"),
        "soft_learners.check_control_prediction": (lambda a: C("soft_learners.check_control_prediction")(
            a, n_episodes=300), "higher"),
        "soft_learners.check_controlled_choice": (lambda a: C("soft_learners.check_controlled_choice")(hidden_play, 0,
                                                                                                  a),
                                                  (hidden_play.names[int(control.var[0])], int(control.sign[0]))),
        "soft_learners.check_failing_score": (lambda a: C("soft_learners.check_failing_score")(a, strength=0.5),
                                              1 - sl.World("failing", 0.5).parameter),
        "dynamics.check_clamped_temperature": (lambda a: C("dynamics.check_clamped_temperature")(a),
                                               dynamics.house(4.0).equilibrium_scm().do({"H": 6.0}).solve()["T"]),
        "dynamics.check_critical_gain": (lambda a: C("dynamics.check_critical_gain")(a, thermometer_rate=3.0),
                                         dynamics.critical_gain(thermometer_rate=3.0)),
    }


def C(short: str):
    return CHECKERS[f"causal_lessons.exercises.{short}"]


@pytest.fixture(scope="module")
def cases():
    return _cases()


def _short(name: str) -> str:
    return name.removeprefix("causal_lessons.exercises.")


def test_every_checker_is_declared_and_has_a_case(cases):
    declared = {_short(n) for n in CHECKERS}
    in_modules = {f"{info.name}.{attr}" for info in pkgutil.iter_modules(exercises_package.__path__)
                  for attr in dir(importlib.import_module(f"causal_lessons.exercises.{info.name}"))
                  if attr.startswith("check_") and info.name != "core"
                  and getattr(importlib.import_module(f"causal_lessons.exercises.{info.name}"), attr).__module__
                  == f"causal_lessons.exercises.{info.name}"}
    assert in_modules <= declared, f"checkers not declared with exercise(): {sorted(in_modules - declared)}"
    missing = declared - set(cases) - HEAVY
    assert not missing, f"add a case to tests/test_checkers_property.py for {sorted(missing)}"


ANY = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.integers(min_value=10**18, max_value=10**400),
              st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(), st.text(max_size=12),
              st.just(...), st.just(object()), st.just("X->Y"), st.just(" NEITHER "),
              st.sampled_from([np.int64(21), np.float32(0.5), np.bool_(True), np.nan, np.str_("A")]),
              hnp.arrays(st.sampled_from([np.float64, np.int64, np.bool_]), hnp.array_shapes(max_dims=2, max_side=3))),
    lambda children: st.one_of(st.lists(children, max_size=3), st.tuples(children, children),
                               st.dictionaries(st.text(max_size=5), children, max_size=3),
                               st.frozensets(st.one_of(st.text(max_size=3), st.integers()), max_size=3)),
    max_leaves=5)


def _reveals(message: str, form: str) -> bool:
    return re.search(r"(?<![\w.])" + re.escape(form) + r"(?![\w]|\.\d)", message) is not None


def _lists_options(message: str) -> bool:
    return "one of " in message


@pytest.mark.parametrize("name", sorted(set(_short(n) for n in CHECKERS) - HEAVY))
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(answer=ANY)
def test_any_answer_gets_feedback_and_a_wrong_one_never_the_answer(cases, name, answer):
    call, right = cases[name]
    feedback = call(answer)
    assert isinstance(feedback, Feedback)
    assert isinstance(repr(feedback), str) and feedback.message
    if not feedback.correct and right is not None and not _lists_options(feedback.message):
        for form in printed_forms(right):
            assert not _reveals(feedback.message, form), (name, answer, feedback.message, form)


@pytest.mark.parametrize("name", sorted(set(_short(n) for n in CHECKERS) - HEAVY))
def test_the_placeholder_gets_not_answered_yet(cases, name):
    feedback = cases[name][0](...)
    assert repr(feedback).startswith("Not answered yet: replace the `...` with ") and "; hint: " in repr(feedback)


def test_reasonable_forms_are_accepted(cases):
    quiet = CHECKERS["causal_lessons.exercises.imitation.check_quiet_compounding"]
    assert quiet(0.01, np.int64(30)).correct and quiet(np.float32(0.01), 30.0).correct
    assert quiet(np.array([0.01]), np.array([30])).correct
    expert, move = cases["game.check_expert_choice"]
    assert expert(list(move)).correct and expert((move[0].lower(), np.int64(move[1]))).correct
    assert expert(np.array(move, dtype=object)).correct
    assert cases["ladder.check_counterfactual_prediction"][0](" Below ").correct
    assert cases["passive_logs.check_remaining_graphs"][0](np.int64(2)).correct
    assert cases["passive_logs.check_identifying_design"][0](["b", "c"]).correct
    assert cases["ladder.check_backdoor_set"][0](["z"]).correct
    assert cases["blickets.check_sure_blickets"][0](("A",)).correct
    assert cases["blickets.check_sure_blickets"][0]("a").correct
    assert cases["fusion.check_class_size"][0](np.float64(3.0)).correct
    assert cases["explanations.check_flip_share"][0](np.array(1 / 3)).correct


def test_edges_are_read_in_every_reasonable_form():
    from causal_lessons.exercises.core import Unreadable, as_edges

    read = as_edges({("a", "B"): 1, "B->C": np.int64(-1), " c → d ": np.float32(1.0), ("D", "E"): np.array([0])},
                    "ABCDE")
    assert read == {("A", "B"): 1.0, ("B", "C"): -1.0, ("C", "D"): 1.0, ("D", "E"): 0.0}
    assert as_edges({}, "AB") == {}
    for bad, says in (([("A", "B")], "should be a dict"), ({"AB": 1}, "(cause, effect) pair"),
                      ({("A", "Q"): 1}, "should be one of"), ({("A", "B"): "one"}, "the weight of A→B")):
        with pytest.raises(Unreadable, match=re.escape(says)):
            as_edges(bad, "AB")
