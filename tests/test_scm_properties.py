"""Property tests (hypothesis) of the laws every SCM obeys."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from causal_lessons import graphs
from causal_lessons.scm import LinearGaussianSCM

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def linear_scms(draw):
    n = draw(st.integers(2, 5))
    seed = draw(st.integers(0, 10_000))
    g = graphs.random_dag(n, weight_range=(-1.5, 1.5), density=draw(st.floats(0.2, 1.0)), seed=seed)
    noise = {v: draw(st.floats(0.2, 2.0)) for v in g.nodes}
    intercepts = {v: draw(st.floats(-2.0, 2.0)) for v in g.nodes}
    edges = {(u, v): w for u, v, w in g.edges(data="weight")}
    return LinearGaussianSCM(edges, noise_std=noise, intercepts=intercepts, variables=list(g.nodes))


@SETTINGS
@given(scm=linear_scms(), data=st.data())
def test_do_removes_every_edge_into_the_intervened_variable(scm, data):
    target = data.draw(st.sampled_from(scm.variables))
    done = scm.do({target: data.draw(st.floats(-5, 5))})
    assert list(done.graph.predecessors(target)) == []
    # every other edge is kept
    assert set(done.graph.edges) == {e for e in scm.graph.edges if e[1] != target}


@SETTINGS
@given(scm=linear_scms(), data=st.data())
def test_counterfactual_at_the_factual_value_reproduces_the_facts(scm, data):
    facts = scm.sample(1, seed=data.draw(st.integers(0, 1000))).iloc[0].to_dict()
    target = data.draw(st.sampled_from(scm.variables))
    cf = scm.counterfactual(facts, {target: facts[target]})
    assert np.allclose([cf[v] for v in scm.variables], [facts[v] for v in scm.variables], atol=1e-9)


@SETTINGS
@given(scm=linear_scms(), data=st.data())
def test_total_effects_match_interventional_mean_differences(scm, data):
    cause, effect = data.draw(st.lists(st.sampled_from(scm.variables), min_size=2, max_size=2, unique=True))
    n = 20_000
    lo = scm.do({cause: 0.0}).sample(n, seed=1)[effect]
    hi = scm.do({cause: 1.0}).sample(n, seed=2)[effect]
    diff = hi.mean() - lo.mean()
    se = np.sqrt(hi.var() / n + lo.var() / n)
    assert abs(diff - scm.total_effect(cause, effect)) < 5 * se + 1e-9


@SETTINGS
@given(scm=linear_scms())
def test_exact_covariance_matches_samples(scm):
    data = scm.sample(20_000, seed=3)
    exact = scm.covariance().values
    scale = np.sqrt(np.outer(np.diag(exact), np.diag(exact)))
    assert np.all(np.abs(data.cov().values - exact) <= 0.1 * scale + 1e-9)
