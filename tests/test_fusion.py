"""causal_lessons.fusion: the exact experiment analysis, PC with an oracle and on samples, the greedy
chooser of experiments, and the fused effect estimators."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
import warnings
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from causal_lessons import fusion as F  # noqa: E402
from causal_lessons import graphs  # noqa: E402
from causal_lessons.scm import LinearGaussianSCM  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def dag(*edges, n=None):
    nodes = graphs.variable_names(n) if n else ()
    return graphs.as_dag(list(edges), nodes=nodes)


def essential_graph(indices, n):
    """The graph with an arc u->v whenever some DAG in the set has u->v (undirected = both arcs)."""
    union = graphs.all_dags(n)[indices].any(axis=0)
    return graphs.adjacency_to_dag(union, graphs.variable_names(n))


def arcs(g):
    return sorted(g.edges)


# ------------------------------------------------------------------------------------------------
# the exact analysis: the numbers the lesson and the issue pin
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,dags,classes", [(3, 25, 11), (4, 543, 185)])
def test_analysis_counts_every_labelled_dag_and_class(n, dags, classes):
    analysis = F.experiment_analysis(n)
    assert analysis.n_dags == dags
    assert analysis.distribution()[0] == sum(len(c) == 1 for c in graphs.markov_equivalence_classes(n))
    assert len(graphs.markov_equivalence_classes(n)) == classes


@pytest.mark.parametrize("n,without,with_obs", [
    (3, Fraction(47, 25), Fraction(1)),
    (4, Fraction(1088, 543), Fraction(682, 543)),
])
def test_expected_experiments_of_the_optimal_adaptive_strategy(n, without, with_obs):
    no_obs = F.experiment_analysis(n, observational=False)
    obs = F.experiment_analysis(n, observational=True)
    assert no_obs.expected_exact == without and obs.expected_exact == with_obs
    assert (no_obs.expected, obs.expected) == {3: (1.88, 1.0), 4: (2.0, 1.26)}[n]


@pytest.mark.parametrize("n", [3, 4])
@pytest.mark.parametrize("observational", [False, True])
def test_worst_case_is_n_minus_one_with_or_without_observation(n, observational):
    for strategy in F.STRATEGIES:
        assert F.experiment_analysis(n, observational=observational, strategy=strategy).worst_case == n - 1


@pytest.mark.parametrize("n", [3, 4])
def test_strategies_are_ordered(n):
    for observational in (False, True):
        opt, mini, greedy = (F.experiment_analysis(n, observational=observational, strategy=s)
                             for s in ("optimal", "minimax", "greedy"))
        assert opt.expected_exact <= greedy.expected_exact and opt.expected_exact <= mini.expected_exact
        assert mini.worst_case <= opt.worst_case
    # at n = 4 with observation, minimising the worst case costs something on average
    assert F.experiment_analysis(4, strategy="minimax").expected_exact == Fraction(232, 181)


@pytest.mark.slow
def test_n5_exact_values():
    """Beyond the brief: the same analysis at n = 5 (a few seconds)."""
    assert F.experiment_analysis(5, observational=False).expected_exact == Fraction(62387, 29281)
    assert F.experiment_analysis(5).expected_exact == Fraction(41085, 29281)
    assert F.experiment_analysis(5, strategy="greedy").expected_exact == Fraction(41355, 29281)
    assert F.experiment_analysis(5).worst_case == 4


def test_observation_alone_identifies_exactly_the_singleton_classes():
    analysis = F.experiment_analysis(4)
    labels = graphs.mec_labels(4)
    sizes = np.bincount(labels)[labels]
    assert np.array_equal(analysis.experiments == 0, sizes == 1)
    assert not np.any(F.experiment_analysis(4, observational=False).experiments == 0)


def test_analysis_arrays_are_read_only_and_cached():
    a = F.experiment_analysis(3)
    assert a is F.experiment_analysis(3)
    with pytest.raises(ValueError):
        a.experiments[0] = 5


# ------------------------------------------------------------------------------------------------
# the ideal model
# ------------------------------------------------------------------------------------------------

def test_dag_index_round_trips():
    for k, adj in enumerate(graphs.all_dags(3)):
        assert F.dag_index(graphs.adjacency_to_dag(adj)) == k


def test_an_experiment_reveals_the_children_of_its_variable():
    """In G with the edges into x removed, the edges at x are exactly x's children, so the skeleton shows them."""
    n = 4
    dags, results, labels = graphs.all_dags(n), F.experiment_results(n), graphs.mec_labels(n)
    for x in range(n):
        same = results[x][:, None] == results[x][None, :]
        children_equal = (dags[:, x, :][:, None, :] == dags[:, x, :][None, :, :]).all(axis=2)
        assert not np.any(same & ~children_equal)
    # and the mutilated graph of x = the DAG itself when x has no parents
    roots = ~dags[:, :, 0].any(axis=1)
    assert np.array_equal(results[0][roots], labels[roots])


def test_consistent_dags_for_a_chain():
    chain = dag(("A", "B"), ("B", "C"))
    assert len(F.consistent_dags(chain, observational=False)) == 25
    assert sorted(map(arcs, F.consistent_dags(chain))) == sorted(
        [[("A", "B"), ("B", "C")], [("B", "A"), ("C", "B")], [("B", "A"), ("B", "C")]])
    assert [arcs(g) for g in F.consistent_dags(chain, ["B"])] == [arcs(chain)]
    assert [arcs(g) for g in F.consistent_dags(chain, "B")] == [arcs(chain)]
    # do(A) shows A -> B, and Meek's rule then gives B -> C; do(C) only shows that C has no children,
    # which A -> B -> C and A <- B -> C share
    assert len(F.consistent_dags(chain, ["A"])) == 1
    assert sorted(map(arcs, F.consistent_dags(chain, ["C"]))) == [[("A", "B"), ("B", "C")], [("B", "A"), ("B", "C")]]


@pytest.mark.parametrize("n", [3, 4])
def test_any_n_minus_one_experiments_identify_every_dag_without_observation(n):
    results = F.experiment_results(n)
    for chosen in itertools.combinations(range(n), n - 1):
        keys = np.stack([results[x] for x in chosen], axis=1)
        assert len(np.unique(keys, axis=0)) == len(graphs.all_dags(n)), chosen
    # but n - 2 experiments do not always suffice
    for chosen in itertools.combinations(range(n), n - 2):
        keys = np.stack([results[x] for x in chosen], axis=1)
        assert len(np.unique(keys, axis=0)) < len(graphs.all_dags(n))


def test_expected_experiments_of_one_class():
    triangle = dag(("A", "B"), ("B", "C"), ("A", "C"))
    assert math.isclose(F.expected_experiments(triangle), 5 / 3)
    assert math.isclose(F.expected_experiments(dag(("A", "B"), ("B", "C"))), 1.0)
    assert math.isclose(F.expected_experiments(dag(("A", "C"), ("B", "C"))), 0.0)
    assert math.isclose(F.expected_experiments(triangle, observational=False), 1.88)


# ------------------------------------------------------------------------------------------------
# experiments on a CPDAG agree with the exact model
# ------------------------------------------------------------------------------------------------

def test_meek_after_one_experiment_is_the_essential_graph_of_the_candidates():
    """For every DAG on 4 nodes and every experiment: orienting at x then Meek = what the candidates share."""
    n = 4
    names = graphs.variable_names(n)
    for adj in graphs.all_dags(n):
        truth = graphs.adjacency_to_dag(adj, names)
        known = graphs.cpdag(truth)
        outcomes_seen = {}
        for x in names:
            after = F.apply_experiment(known, x, truth)
            candidates = np.flatnonzero(F.consistent_mask(truth, [x], True))
            assert arcs(after) == arcs(essential_graph(candidates, n)), (arcs(truth), x)
            outcomes_seen[x] = after
        # the possible outcomes of each experiment are the groups the exact model tells apart
        cls = np.flatnonzero(F.consistent_mask(truth, [], True))
        for i, x in enumerate(names):
            groups = len(np.unique(F.experiment_results(n)[i][cls]))
            outcomes = F.experiment_outcomes(known, x)
            assert len(outcomes) == groups
            assert arcs(outcomes_seen[x]) in [arcs(g) for _, g in outcomes]


def test_meek_after_two_experiments_matches_the_exact_model():
    n = 4
    names = graphs.variable_names(n)
    rng = np.random.default_rng(0)
    for k in rng.choice(len(graphs.all_dags(n)), 60, replace=False):
        truth = graphs.adjacency_to_dag(graphs.all_dags(n)[k], names)
        for x, y in itertools.permutations(names, 2):
            after = F.apply_experiment(F.apply_experiment(graphs.cpdag(truth), x, truth), y, truth)
            candidates = np.flatnonzero(F.consistent_mask(truth, [x, y], True))
            assert arcs(after) == arcs(essential_graph(candidates, n))


def test_greedy_on_cpdags_uses_as_many_experiments_as_the_exact_greedy_strategy():
    n = 4
    names = graphs.variable_names(n)
    exact = F.experiment_analysis(n, strategy="greedy")
    for k, adj in enumerate(graphs.all_dags(n)):
        truth = graphs.adjacency_to_dag(adj, names)
        steps = F.adaptive_experiments(truth)
        assert len(steps) == exact.experiments[k]
        final = steps[-1][1] if steps else graphs.cpdag(truth)
        assert arcs(final) == arcs(truth)


def test_greedy_matches_optimal_on_average_for_n_up_to_4():
    for n in (3, 4):
        assert F.experiment_analysis(n, strategy="greedy").expected_exact == \
            F.experiment_analysis(n).expected_exact


def test_informative_and_guaranteed_experiments():
    chain3 = graphs.cpdag(dag(("A", "B"), ("B", "C")))
    assert F.informative_variables(chain3) == ["A", "B", "C"]
    assert F.guaranteed_experiments(chain3) == ["B"]
    assert F.greedy_experiment(chain3) == "B"
    chain4 = graphs.cpdag(dag(("A", "B"), ("B", "C"), ("C", "D")))
    assert F.guaranteed_experiments(chain4) == []
    collider = graphs.cpdag(dag(("A", "C"), ("B", "C"), ("C", "D")))
    assert F.informative_variables(collider) == [] and F.greedy_experiment(collider) is None
    assert F.adaptive_experiments(dag(("A", "C"), ("B", "C"))) == []


def test_experiment_outcomes_are_cliques_of_undirected_neighbours():
    star = graphs.cpdag(dag(("A", "B"), ("A", "C"), ("A", "D")))
    parents = [p for p, _ in F.experiment_outcomes(star, "A")]
    assert parents == [(), ("B",), ("C",), ("D",)]  # B, C, D are pairwise non-adjacent
    complete = graphs.cpdag(dag(("A", "B"), ("A", "C"), ("B", "C")))
    assert len(F.experiment_outcomes(complete, "A")) == 4


def test_adaptive_experiments_accepts_a_start_that_contains_the_truth():
    truth = dag(("A", "B"), ("B", "C"))
    skeleton = nx.DiGraph([("A", "B"), ("B", "A"), ("B", "C"), ("C", "B")])
    steps = F.adaptive_experiments(truth, start=skeleton)
    assert arcs(steps[-1][1]) == arcs(truth)
    with pytest.raises(ValueError, match="contain the true DAG"):
        F.adaptive_experiments(truth, start=nx.DiGraph([("A", "B"), ("C", "B")]))


# ------------------------------------------------------------------------------------------------
# observation: PC with the oracle and with samples
# ------------------------------------------------------------------------------------------------

def test_d_separation_oracle():
    test = F.d_separation_oracle(dag(("A", "C"), ("B", "C")))
    assert test("A", "B", []) and not test("A", "B", ["C"])
    with pytest.raises(KeyError, match="unknown variable 'Q'"):
        test("A", "Q", [])


@pytest.mark.slow
def test_pc_with_the_oracle_recovers_the_cpdag():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n, step in ((3, 1), (4, 4)):
            for adj in graphs.all_dags(n)[::step]:
                truth = graphs.adjacency_to_dag(adj)
                assert arcs(F.oracle_cpdag(truth)) == arcs(graphs.cpdag(truth))


def test_pc_on_samples_recovers_a_strong_collider_and_is_deterministic():
    scm = LinearGaussianSCM({("A", "C"): 1.0, ("B", "C"): -1.0, ("C", "D"): 1.0})
    data = scm.sample(2000, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        learned = F.learn_cpdag(data)
    assert arcs(learned) == arcs(graphs.cpdag(scm.graph))
    assert arcs(F.learn_cpdag(data)) == arcs(learned)
    assert F.pdag_differences(learned, graphs.cpdag(scm.graph))["shd"] == 0


def test_pdag_differences_counts_each_kind_of_mistake():
    truth = nx.DiGraph([("A", "B"), ("B", "C"), ("C", "B")])
    truth.add_node("D")
    estimate = nx.DiGraph([("B", "A"), ("C", "D")])
    estimate.add_nodes_from("AB")
    assert F.pdag_differences(estimate, truth) == {"missing": 1, "extra": 1, "misoriented": 1, "shd": 3}
    assert F.pdag_differences(truth, truth)["shd"] == 0


def test_random_linear_scm():
    scm = F.random_linear_scm(6, density=0.6, seed=3)
    weights = np.array(list(scm.edges.values()))
    assert set(scm.variables) == set("ABCDEF")
    assert np.all((np.abs(weights) >= 0.5) & (np.abs(weights) <= 1.5))
    assert F.random_linear_scm(6, density=0.6, seed=3).edges == scm.edges
    signs = np.concatenate([np.sign(list(F.random_linear_scm(6, seed=s).edges.values())) for s in range(5)])
    assert set(signs) == {-1.0, 1.0}


# ------------------------------------------------------------------------------------------------
# fusion for effect estimation
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0])
def test_regression_limits_match_the_algebra(gamma):
    scm = F.fusion_scm(gamma)
    assert math.isclose(F.regression_coefficient(scm, "Y", "T") - 1, (1 + gamma**2) / (2 + gamma**2))
    assert math.isclose(F.regression_coefficient(scm, "Y", "T", ["Z"]) - 1, gamma**2 / (1 + gamma**2),
                        abs_tol=1e-12)
    assert math.isclose(F.regression_coefficient(scm, "Y", "T", ["Z", "U"]), 1.0)
    trial = F.fusion_scm(gamma, randomized=True)
    assert math.isclose(F.regression_coefficient(trial, "Y", "T"), 1.0, abs_tol=1e-12)
    assert trial.parents("T") == [] and scm.total_effect("T", "Y") == 1.0


def test_ols_effect_matches_least_squares():
    rng = np.random.default_rng(0)
    t, z = rng.normal(size=(2, 50))
    y = 0.7 * t - 0.3 * z + rng.normal(size=50)
    for design, zz in ((np.column_stack([np.ones(50), t]), None), (np.column_stack([np.ones(50), t, z]), z)):
        beta, res, *_ = np.linalg.lstsq(design, y, rcond=None)
        cov = res[0] / (50 - design.shape[1]) * np.linalg.inv(design.T @ design)
        est, var = F.ols_effect(t, y, zz)
        assert math.isclose(est, beta[1]) and math.isclose(var, cov[1, 1])
    est, var = F.ols_effect(np.stack([t, t]), np.stack([y, y]))
    assert est.shape == (2,) and est[0] == est[1]


def test_combine_estimates_trusts_agreement_and_distrusts_disagreement():
    combined, w = F.combine_estimates(1.0, 0.01, 1.0, 0.09)
    assert math.isclose(w, 0.9) and math.isclose(combined, 1.0)
    combined, w = F.combine_estimates(3.0, 0.01, 1.0, 0.09)
    assert math.isclose(w, 0.09 / 4) and 1.0 < combined < 1.1
    combined, w = F.combine_estimates(np.array([1.0, 3.0]), 0.01, np.array([1.0, 1.0]), 0.09)
    assert combined.shape == w.shape == (2,)


def test_simulated_estimators_agree_with_the_exact_limits():
    gamma = 1.0
    estimates = F.simulate_estimators(100, gamma, reps=200, seed=1)
    summary = F.summarize_estimates(estimates, 1.0)
    scm = F.fusion_scm(gamma)
    se = summary["sd"] / math.sqrt(200)
    assert abs(summary.loc["trial", "bias"]) < 4 * se["trial"]
    assert abs(summary.loc["naive", "bias"] - (F.regression_coefficient(scm, "Y", "T") - 1)) < 4 * se["naive"] + 0.01
    assert abs(summary.loc["adjusted", "bias"] - 0.5) < 4 * se["adjusted"] + 0.01
    assert summary.loc["trial", "rmse"] < summary.loc["adjusted", "rmse"] < summary.loc["naive", "rmse"]
    assert ((estimates["weight"] > 0) & (estimates["weight"] <= 1)).all()


def test_without_confounding_the_adjusted_study_wins_and_fusion_beats_the_trial():
    summary = F.compare_estimators(50, 0.0, reps=200, seed=0)
    assert summary["rmse"].idxmin() == "adjusted"
    assert summary.loc["combined", "rmse"] < summary.loc["trial", "rmse"]


def test_the_observational_studies_are_drawn_once_per_world():
    """A widget that changes the trial's size reuses the observational studies: the same numbers, drawn once."""
    from causal_lessons.fusion import estimation

    first = F.simulate_estimators(40, 0.7, reps=25, observational_size=200, seed=9)
    hits = estimation.observational_estimates.cache_info().hits
    again = F.simulate_estimators(60, 0.7, reps=25, observational_size=200, seed=9)
    assert estimation.observational_estimates.cache_info().hits == hits + 1
    pd.testing.assert_series_equal(first["adjusted"], again["adjusted"])
    assert not first["trial"].equals(again["trial"])
    # what was kept cannot be changed through a result
    again.loc[0, "naive"] = 100.0
    assert F.simulate_estimators(40, 0.7, reps=25, observational_size=200, seed=9).equals(first)


def test_estimators_are_deterministic_and_summaries_are_tidy():
    a = F.compare_estimators(40, 0.5, reps=30, observational_size=300, seed=2)
    b = F.compare_estimators(40, 0.5, reps=30, observational_size=300, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.index) == list(F.ESTIMATORS) and list(a.columns) == ["bias", "sd", "rmse"]
    assert np.allclose(a["rmse"] ** 2, a["bias"] ** 2 + a["sd"] ** 2 * (29 / 30))


# ------------------------------------------------------------------------------------------------
# figures
# ------------------------------------------------------------------------------------------------

def test_figures_draw():
    fig, axes = plt.subplots(2, 3)
    cands = F.consistent_dags(dag(("A", "B"), ("B", "C")))
    F.draw_candidates(cands, axes, keep=[0], truth=0)
    assert [ax.get_visible() for ax in axes.ravel()] == [True] * 3 + [False] * 3
    with pytest.raises(ValueError, match="axes"):
        F.draw_candidates(cands, axes.ravel()[:2])
    _, ax = plt.subplots()
    F.plot_experiment_counts({"without": [F.experiment_analysis(3, observational=False)],
                              "with": [F.experiment_analysis(3)]}, ax)
    assert len(ax.patches) == 2
    _, ax = plt.subplots()
    F.plot_estimator_errors(F.compare_estimators(30, 1.0, reps=20, observational_size=200), ax, title="t")
    assert len(ax.patches) == 12 and ax.get_title() == "t"


# ------------------------------------------------------------------------------------------------
# errors speak to a student
# ------------------------------------------------------------------------------------------------

CHAIN = graphs.as_dag([("A", "B"), ("B", "C")])

ERRORS = [
    (lambda: F.experiment_analysis(6), ValueError, ["n must be at most 5"]),
    (lambda: F.experiment_analysis(3, strategy="best"), ValueError, ["strategy", "optimal", "'best'"]),
    (lambda: F.experiment_analysis(3, observational="yes"), TypeError, ["observational", "True or False"]),
    (lambda: F.dag_index(graphs.as_dag([("X", "Y")])), ValueError, ["names the variables A, B", "X, Y"]),
    (lambda: F.consistent_dags(CHAIN, ["Q"]), KeyError, ["experiments", "unknown variable 'Q'"]),
    (lambda: F.consistent_dags(graphs.random_dag(6, seed=0)), ValueError, ["1 to 5 variables", "has 6"]),
    (lambda: F.experiment_outcomes(graphs.cpdag(CHAIN), "Z"), KeyError, ["x", "unknown variable 'Z'"]),
    (lambda: F.informative_variables([("A", "B")]), TypeError, ["pdag", "networkx.DiGraph"]),
    (lambda: F.learn_cpdag([[1, 2]]), TypeError, ["data", "DataFrame"]),
    (lambda: F.learn_cpdag(pd.DataFrame({"A": range(5), "B": range(5)})), ValueError, ["at least 10 rows"]),
    (lambda: F.learn_cpdag(pd.DataFrame({"A": range(20)})), ValueError, ["at least 2 columns"]),
    (lambda: F.learn_cpdag(pd.DataFrame({"A": range(20), "B": range(20)}), significance_level=0),
     ValueError, ["significance_level", "greater than 0"]),
    (lambda: F.oracle_cpdag(graphs.as_dag([], nodes=["A"])), ValueError, ["at least 2 variables"]),
    (lambda: F.fusion_scm("strong"), TypeError, ["confounding", "real number"]),
    (lambda: F.simulate_estimators(2, 1.0), ValueError, ["trial_size", "at least 5"]),
    (lambda: F.simulate_estimators(20, 1.0, reps=1), ValueError, ["reps", "at least 2"]),
    (lambda: F.regression_coefficient(F.fusion_scm(), "Y", "T", ["W"]), KeyError, ["adjust", "'W'"]),
    (lambda: F.regression_coefficient("scm", "Y", "T"), TypeError, ["scm", "LinearGaussianSCM"]),
    (lambda: F.ols_effect([1, 2, 3], [1, 2]), ValueError, ["same shape"]),
    (lambda: F.ols_effect([1, 2], [1, 2]), ValueError, ["more than 2 samples"]),
    (lambda: F.combine_estimates(1.0, 0.1, 1.0, 0.0), ValueError, ["trial_var", "variances"]),
    (lambda: F.summarize_estimates(pd.DataFrame({"x": [1.0]}), 1.0), ValueError, ["none of the estimator"]),
    (lambda: F.random_linear_scm(4, density=2.0), ValueError, ["density", "at most 1"]),
    (lambda: F.pdag_differences(nx.DiGraph([("A", "B")]), nx.DiGraph([("A", "C")])), ValueError,
     ["same variables"]),
    (lambda: F.count_labelled_dags(-1), ValueError, ["n must be at least 0"]),
    (lambda: F.weakest_partial_correlation(LinearGaussianSCM({}, variables=["A"])), ValueError, ["no edges"]),
    (lambda: F.fisher_z_threshold(4), ValueError, ["samples", "at least 5"]),
    (lambda: F.fisher_z_threshold(100, 1.5), ValueError, ["significance_level", "at most 1"]),
]


@pytest.mark.parametrize("call,exc,words", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors_speak_to_a_student(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


# ------------------------------------------------------------------------------------------------
# counting and faithfulness helpers
# ------------------------------------------------------------------------------------------------

def test_robinsons_formula_agrees_with_the_enumeration():
    for n in range(1, 6):
        assert F.count_labelled_dags(n) == len(graphs.all_dags(n))
    assert F.count_labelled_dags(0) == 1 and F.count_labelled_dags(6) == 3_781_503


def _partial_correlation(cov, a, b, given):
    """Independent check: the residual covariance of a and b after regressing both on ``given`` (Schur complement)."""
    pair = [a, b]
    block = cov.loc[pair, pair].to_numpy()
    if given:
        cross = cov.loc[pair, list(given)].to_numpy()
        block = block - cross @ np.linalg.solve(cov.loc[list(given), list(given)].to_numpy(), cross.T)
    return block[0, 1] / math.sqrt(block[0, 0] * block[1, 1])


def test_weakest_partial_correlation():
    # X -> Y with weight 1 and unit noise: corr = 1/sqrt(2), and nothing to condition on
    assert math.isclose(F.weakest_partial_correlation(LinearGaussianSCM({("X", "Y"): 1.0})), 1 / math.sqrt(2))
    for seed in range(3):
        scm = F.random_linear_scm(4, density=0.6, seed=seed)
        cov = scm.covariance()
        expected = min(
            abs(_partial_correlation(cov, u, v, given))
            for u, v in scm.edges
            for k in range(3)
            for given in itertools.combinations([x for x in scm.variables if x not in (u, v)], k)
        )
        assert math.isclose(F.weakest_partial_correlation(scm), expected, rel_tol=1e-9)


def test_fisher_z_threshold_is_where_the_test_changes_its_mind():
    from pgmpy.ci_tests import FisherZ

    r = F.fisher_z_threshold(1000, 0.01)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1000)
    noise = rng.standard_normal(1000)
    noise -= x * (x @ noise) / (x @ x)  # exactly uncorrelated with x
    for factor, independent in ((0.98, True), (1.02, False)):
        target = factor * r
        y = target * x / x.std() + math.sqrt(1 - target**2) * noise / noise.std()
        data = pd.DataFrame({"X": x, "Y": y})
        assert FisherZ(data)("X", "Y", [], significance_level=0.01) == independent
    assert math.isclose(F.fisher_z_threshold(10000), 0.02576, abs_tol=1e-4)


def test_importing_fusion_does_not_load_pgmpy():
    code = "import sys, causal_lessons.fusion, causal_lessons.widgets.fusion, causal_lessons.exercises.fusion; " \
           "print('pgmpy' in sys.modules or 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
