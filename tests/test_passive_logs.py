"""Passive logs (lesson 02): generation, scoring with and without the record, equivalence classes."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from causal_lessons import graphs
from causal_lessons import passive_logs as pl
from causal_lessons.scm import LinearGaussianSCM

TWO = LinearGaussianSCM({("X", "Y"): 0.8})
CHAIN = {("X", "Y"): 0.8, ("Y", "Z"): 0.8}
FORK = {("Y", "X"): 0.8, ("Y", "Z"): 0.8}
COLLIDER = {("X", "Y"): 0.8, ("Z", "Y"): 0.8}


def labels(dags):
    return sorted(pl.graph_label(g) for g in dags)


# ------------------------------------------------------------------------------------------ the log

def test_log_has_the_requested_share_of_experiments_and_is_reproducible():
    log = pl.make_log(TWO, 400, 0.25, seed=3)
    counts = log.counts()
    assert log.n_rows == 400 and log.variables == ("X", "Y")
    assert counts["observed"] == 300 and counts["set X"] + counts["set Y"] == 100
    again = pl.make_log(TWO, 400, 0.25, seed=3)
    np.testing.assert_array_equal(log.values, again.values)
    np.testing.assert_array_equal(log.setter, again.setter)
    other = pl.make_log(TWO, 400, 0.25, seed=4)
    assert not np.array_equal(log.values, other.values)


def test_extreme_shares_and_targets():
    assert pl.make_log(TWO, 50, 0.0, seed=0).counts() == {"observed": 50, "set X": 0, "set Y": 0}
    assert pl.make_log(TWO, 50, 1.0, seed=0).counts()["observed"] == 0
    only_y = pl.make_log(TWO, 200, 0.5, targets=["Y"], seed=0)
    assert only_y.counts() == {"observed": 100, "set X": 0, "set Y": 100}


def test_log_is_read_only_and_frame_shows_the_record():
    log = pl.make_log(TWO, 20, 0.5, seed=1)
    with pytest.raises(ValueError):
        log.values[0, 0] = 1.0
    frame = log.to_frame()
    assert list(frame.columns) == ["X", "Y", "record"]
    assert set(frame["record"]) <= {"observed", "set X", "set Y"}
    assert (frame["record"] == "set X").sum() == log.was_set("X").sum()
    assert "20 rows" in repr(log) and "marked" in repr(log)


def test_rows_follow_the_mechanisms_the_record_says():
    log = pl.make_log(TWO, 20_000, 0.6, set_std=2.0, seed=2)
    x, y = log.column("X"), log.column("Y")
    set_x, set_y, obs = log.was_set("X"), log.was_set("Y"), log.setter < 0
    # set values have the experimenters' spread; the set variable ignores its causes
    assert abs(x[set_x].std() - 2.0) < 0.05 and abs(y[set_y].std() - 2.0) < 0.05
    assert abs(np.corrcoef(x[set_y], y[set_y])[0, 1]) < 0.03
    # the effect's mechanism is the same whether X was observed or set
    for rows in (obs, set_x):
        slope, _ = np.polyfit(x[rows], y[rows], 1)
        assert abs(slope - 0.8) < 0.03
        assert abs(np.std(y[rows] - 0.8 * x[rows]) - 1.0) < 0.03


def test_unmarked_log_keeps_the_numbers_and_erases_the_record():
    log = pl.make_log(TWO, 100, 0.5, seed=0)
    blind = log.unmarked()
    np.testing.assert_array_equal(blind.values, log.values)
    assert (blind.setter == -1).all() and not blind.marked
    assert blind.counts()["observed"] == 100


# ------------------------------------------------------------------------------------------ scoring

def test_fit_mechanism_uses_only_rows_where_the_child_was_not_set():
    log = pl.make_log(TWO, 300, 0.4, seed=5)
    fit = pl.fit_mechanism(log, "Y", ["X"])
    rows = ~log.was_set("Y")
    slope, intercept = np.polyfit(log.column("X")[rows], log.column("Y")[rows], 1)
    assert fit.n_rows == rows.sum() and fit.n_params == 3
    assert math.isclose(fit.weights["X"], slope, rel_tol=1e-9)
    assert math.isclose(fit.intercept, intercept, abs_tol=1e-9)
    resid = log.column("Y")[rows] - slope * log.column("X")[rows] - intercept
    var = np.mean(resid**2)
    assert math.isclose(fit.noise_std, math.sqrt(var), rel_tol=1e-9)
    assert math.isclose(fit.log_likelihood, -0.5 * rows.sum() * (math.log(2 * math.pi * var) + 1), rel_tol=1e-9)
    assert math.isclose(fit.bic, fit.log_likelihood - 1.5 * math.log(rows.sum()), rel_tol=1e-12)
    assert pl.fit_mechanism(log, "X").parents == () and pl.fit_mechanism(log, "Y", "X").parents == ("X",)


def test_log_likelihood_decomposes_and_cuts_the_set_variable():
    log = pl.make_log(TWO, 300, 0.4, seed=6)
    forward = pl.fit_mechanism(log, "X").log_likelihood + pl.fit_mechanism(log, "Y", ["X"]).log_likelihood
    assert math.isclose(pl.log_likelihood(log, [("X", "Y")]), forward, rel_tol=1e-12)
    assert pl.fit_mechanism(log, "X").n_rows == 300 - log.was_set("X").sum()
    assert math.isclose(pl.bic(log, nx.DiGraph([("X", "Y")])),
                        pl.fit_mechanism(log, "X").bic + pl.fit_mechanism(log, "Y", ["X"]).bic, rel_tol=1e-12)


def saturated(values):
    n, d = values.shape
    cov = np.cov(values, rowvar=False, bias=True)
    return -0.5 * n * (math.log(np.linalg.det(2 * math.pi * cov)) + d)


@settings(max_examples=30, deadline=None)
@given(weight=st.floats(-3, 3).filter(lambda w: abs(w) > 0.05), noise=st.floats(0.2, 3),
       n=st.integers(20, 400), p=st.floats(0, 1), seed=st.integers(0, 10_000))
def test_markov_equivalent_directions_tie_whenever_rows_are_read_as_observations(weight, noise, n, p, seed):
    scm = LinearGaussianSCM({("X", "Y"): weight}, noise_std={"X": 1.0, "Y": noise})
    log = pl.make_log(scm, n, p, seed=seed).unmarked()
    forward, backward = pl.log_likelihood(log, [("X", "Y")]), pl.log_likelihood(log, [("Y", "X")])
    assert math.isclose(forward, backward, rel_tol=1e-9)
    assert math.isclose(forward, saturated(log.values), rel_tol=1e-9)
    assert math.isclose(pl.bic(log, [("X", "Y")]), pl.bic(log, [("Y", "X")]), rel_tol=1e-9)


def test_the_three_graphs_of_the_chain_class_tie_on_observations():
    log = pl.make_log(LinearGaussianSCM(CHAIN), 500, 0.0, seed=1)
    table = pl.hypothesis_scores(log).sort_values("bic", ascending=False)
    top = table.iloc[:3]
    assert np.ptp(top["log_likelihood"]) < 1e-9 * abs(top["log_likelihood"].iloc[0])
    assert sorted(top.index) == labels(pl.interventional_class(CHAIN))
    assert table["bic"].iloc[3] < table["bic"].iloc[0]
    assert math.isclose(table["posterior"].sum(), 1.0)


def test_marked_experiments_break_the_tie_in_favour_of_the_truth():
    log = pl.make_log(TWO, 500, 0.2, seed=1)
    table = pl.hypothesis_scores(log)
    assert table["bic"].idxmax() == "X→Y"
    assert table.loc["X→Y", "log_likelihood"] > table.loc["Y→X", "log_likelihood"] + 10
    blind = pl.hypothesis_scores(log.unmarked())
    assert math.isclose(blind.loc["X→Y", "posterior"], blind.loc["Y→X", "posterior"], rel_tol=1e-6)


def test_experiments_on_the_cause_alone_or_the_effect_alone_both_reveal_the_direction():
    for target in ("X", "Y"):
        study = pl.study_logs(TWO, 300, 0.2, targets=[target], reps=40, seed=1)
        assert study.accuracy > 0.9, target


def test_scores_agree_with_the_interventional_class():
    chain = LinearGaussianSCM(CHAIN)
    log = pl.make_log(chain, 4000, 0.3, targets=["Z"], seed=2)
    table = pl.hypothesis_scores(log).sort_values("bic", ascending=False)
    expected = labels(pl.interventional_class(CHAIN, ["Z"]))
    assert expected == ["X→Y, Y→Z", "Y→X, Y→Z"]
    top = table.iloc[:3]
    assert sorted(top.index[:2]) == expected
    assert np.ptp(top["bic"].iloc[:2]) < 1e-9 * abs(top["bic"].iloc[0])
    assert top["bic"].iloc[2] < top["bic"].iloc[0] - 1


def test_best_hypotheses_lists_the_tied_leaders():
    observed = pl.hypothesis_scores(pl.make_log(LinearGaussianSCM(CHAIN), 500, 0.0, seed=1))
    assert pl.best_hypotheses(observed) == labels(pl.interventional_class(CHAIN))
    assert pl.best_hypotheses(observed, column="log_likelihood") == sorted(
        label for label in observed.index if label.count("→") == 3)  # the six complete graphs fit best
    marked = pl.hypothesis_scores(pl.make_log(LinearGaussianSCM(CHAIN), 500, 0.2, seed=1))
    assert pl.best_hypotheses(marked) == ["X→Y, Y→Z"]
    with pytest.raises(TypeError, match="hypothesis_scores"):
        pl.best_hypotheses(observed["bic"])
    with pytest.raises(ValueError, match="column must be"):
        pl.best_hypotheses(observed.assign(extra=1.0), column="extra")


def test_hypotheses_and_labels():
    assert len(pl.all_hypotheses(["X", "Y"])) == 3 and len(pl.all_hypotheses(["X", "Y", "Z"])) == 25
    assert [pl.graph_label(g) for g in pl.all_hypotheses(["X", "Y"])] == ["no edges", "X→Y", "Y→X"]
    assert pl.graph_label([("Y", "Z"), ("X", "Y")]) == "X→Y, Y→Z"
    table = pl.hypothesis_scores(pl.make_log(TWO, 50, 0.0, seed=0), [[("Y", "X")], [("X", "Y")]])
    assert list(table.index) == ["Y→X", "X→Y"]


# ------------------------------------------------------------------------------------------ repeated logs

def test_study_logs_marked_beats_unmarked_and_unmarked_never_beats_a_coin():
    marked = pl.study_logs(TWO, 200, 0.1, reps=60, seed=0)
    blind = pl.study_logs(TWO, 200, 0.1, reps=60, seed=0, marked=False)
    assert marked.labels == ["no edges", "X→Y", "Y→X"] and marked.truth == 1
    assert marked.accuracy > 0.9 and blind.accuracy <= 0.5 + 1e-12
    assert np.allclose(marked.posterior.sum(axis=1), 1.0)
    assert math.isclose(marked.posterior_of_truth, marked.mean_posterior[1])
    observations = pl.study_logs(TWO, 200, 0.0, reps=30, seed=0)
    assert observations.accuracy == 0.5


def test_study_logs_is_reproducible():
    a = pl.study_logs(TWO, 100, 0.1, reps=10, seed=7)
    b = pl.study_logs(TWO, 100, 0.1, reps=10, seed=7)
    np.testing.assert_array_equal(a.posterior, b.posterior)


def test_accuracy_grid_has_a_row_per_cell_and_learner():
    grid = pl.accuracy_grid(TWO, [0.0, 0.2], [50, 100], reps=10, seed=0)
    assert list(grid.columns) == ["p", "n_rows", "marked", "accuracy", "posterior_of_truth"]
    assert len(grid) == 8
    assert (grid.loc[grid.p == 0.0, "accuracy"] == 0.5).all()
    assert (grid.loc[~grid.marked, "accuracy"] <= 0.5).all()


def test_unmarked_experiments_bias_the_effect_towards_the_mixture_slope():
    p = 0.5
    log = pl.make_log(TWO, 40_000, p, set_std=2.0, seed=4)
    assert abs(pl.fit_mechanism(log, "Y", ["X"]).weights["X"] - 0.8) < 0.02
    # half the experiments set X (variance 4, slope kept), half set Y (independent of X)
    mixture = 0.8 * (1 - p + p / 2 * 4) / (1 - p + p / 2 * 4 + p / 2)
    assert abs(pl.fit_mechanism(log.unmarked(), "Y", ["X"]).weights["X"] - mixture) < 0.02


# ------------------------------------------------------------------------------------------ equivalence classes

def test_markov_classes_of_chain_fork_and_collider():
    assert labels(pl.interventional_class(CHAIN)) == ["X→Y, Y→Z", "Y→X, Y→Z", "Y→X, Z→Y"]
    assert labels(pl.interventional_class(FORK)) == labels(pl.interventional_class(CHAIN))
    assert labels(pl.interventional_class(COLLIDER)) == ["X→Y, Z→Y"]


def test_markov_class_agrees_with_graphs_mec_labels():
    dags = graphs.all_dags(3)
    mec = graphs.mec_labels(3)
    for k in (0, 5, 11, 24):
        truth = graphs.adjacency_to_dag(dags[k], ["X", "Y", "Z"])
        members = {tuple(sorted(graphs.adjacency_to_dag(a, ["X", "Y", "Z"]).edges))
                   for a in dags[mec == mec[k]]}
        got = {tuple(sorted(g.edges)) for g in pl.interventional_class(truth, variables=["X", "Y", "Z"])}
        assert got == members


def test_which_single_experiments_identify_each_shape():
    assert pl.identifying_experiments(CHAIN) == {"X", "Y"}
    assert pl.identifying_experiments(FORK) == {"Y"}
    assert pl.identifying_experiments(COLLIDER) == {"X", "Y", "Z"}
    assert labels(pl.interventional_class(FORK, ["X"])) == ["Y→X, Y→Z", "Y→X, Z→Y"]
    assert labels(pl.interventional_class(CHAIN, "Y")) == ["X→Y, Y→Z"]
    assert labels(pl.interventional_class([("X", "Y")])) == ["X→Y", "Y→X"]
    assert labels(pl.interventional_class([("X", "Y")], ["X"])) == ["X→Y"]


# ------------------------------------------------------------------------------------------ errors

ERRORS = [
    ("scm of the wrong type", lambda: pl.make_log({("X", "Y"): 1.0}, 10, 0.1), TypeError,
     ["scm", "LinearGaussianSCM"]),
    ("scm after do", lambda: pl.make_log(TWO.do({"X": 1.0}), 10, 0.1), ValueError, ["unintervened"]),
    ("p above 1", lambda: pl.make_log(TWO, 10, 1.5), ValueError, ["p must be at most 1"]),
    ("p as text", lambda: pl.make_log(TWO, 10, "half"), TypeError, ["p must be a real number"]),
    ("no rows", lambda: pl.make_log(TWO, 0, 0.1), ValueError, ["n_rows must be a positive whole number"]),
    ("unknown target", lambda: pl.make_log(TWO, 10, 0.1, targets=["W"]), KeyError,
     ["targets", "unknown variable 'W'", "X, Y"]),
    ("target as a bare string", lambda: pl.make_log(TWO, 10, 0.1, targets="X"), TypeError,
     ["targets", "list", "['X']"]),
    ("no targets", lambda: pl.make_log(TWO, 10, 0.1, targets=[]), ValueError, ["targets", "at least one"]),
    ("negative spread", lambda: pl.make_log(TWO, 10, 0.1, set_std=-1), ValueError, ["set_std", "positive"]),
    ("log of the wrong type", lambda: pl.log_likelihood(np.zeros((3, 2)), [("X", "Y")]), TypeError,
     ["log must be a PassiveLog"]),
    ("hypothesis with an unknown variable", lambda: pl.log_likelihood(pl.make_log(TWO, 10, 0.0, seed=0),
                                                                       [("X", "W")]),
     KeyError, ["graph: variable", "'W'"]),
    ("cyclic hypothesis", lambda: pl.bic(pl.make_log(TWO, 10, 0.0, seed=0), [("X", "Y"), ("Y", "X")]),
     ValueError, ["cycle"]),
    ("child among its parents", lambda: pl.fit_mechanism(pl.make_log(TWO, 10, 0.0, seed=0), "Y", ["Y"]),
     ValueError, ["parents must not include", "'Y'"]),
    ("too few unset rows", lambda: pl.fit_mechanism(pl.make_log(TWO, 10, 1.0, targets=["Y"], seed=0), "Y", ["X"]),
     ValueError, ["only 0 rows", "leave Y unset"]),
    ("empty hypothesis list", lambda: pl.hypothesis_scores(pl.make_log(TWO, 10, 0.0, seed=0), []), ValueError,
     ["hypotheses", "at least one"]),
    ("a single graph as the hypothesis list", lambda: pl.hypothesis_scores(pl.make_log(TWO, 10, 0.0, seed=0),
                                                                           nx.DiGraph([("X", "Y")])),
     TypeError, ["hypotheses must be a list"]),
    ("no repetitions", lambda: pl.study_logs(TWO, 10, 0.1, reps=0), ValueError, ["reps must be a positive"]),
    ("marked as text", lambda: pl.study_logs(TWO, 10, 0.1, marked="yes"), TypeError, ["marked must be True or False"]),
    ("grid without sizes", lambda: pl.accuracy_grid(TWO, [0.1], []), ValueError, ["ps and sizes"]),
    ("experiment on an unknown variable", lambda: pl.interventional_class(CHAIN, ["W"]), KeyError,
     ["experiments", "'W'"]),
    ("variables as a string", lambda: pl.all_hypotheses("XY"), TypeError, ["variables must be a list"]),
    ("unknown column", lambda: pl.make_log(TWO, 10, 0.0, seed=0).column("Q"), KeyError, ["variable", "'Q'"]),
]


@pytest.mark.parametrize("call, error, words", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors_speak_to_a_student(call, error, words):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_study_logs_both_ways_reads_the_same_logs_as_two_studies():
    scm = LinearGaussianSCM({("X", "Y"): 0.8, ("Y", "Z"): -0.5})
    for n_rows, p in ((60, 0.0), (200, 0.3), (500, 0.9)):
        marked, unmarked = pl.study_logs_both_ways(scm, n_rows, p, reps=20, seed=4, targets=["X", "Y"])
        for reading, study in ((True, marked), (False, unmarked)):
            alone = pl.study_logs(scm, n_rows, p, reps=20, seed=4, targets=["X", "Y"], marked=reading)
            assert (study.labels, study.truth, study.accuracy) == (alone.labels, alone.truth, alone.accuracy)
            assert np.array_equal(study.posterior, alone.posterior)           # exactly: the same logs
    assert marked.accuracy > unmarked.accuracy
