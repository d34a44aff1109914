"""Lesson 12's domain: a linear system, its equilibrium SCM, stability, path measures and the unrolled DAG."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from causal_lessons import dynamics as dyn


def test_do_on_the_equilibrium_scm_is_where_the_stable_clamped_system_settles_for_many_systems():
    rng = np.random.default_rng(0)
    checked = 0
    for seed in range(40):
        system = dyn.random_system(3, seed=seed)
        clamp = {system.variables[int(rng.integers(3))]: float(rng.normal(0, 2))}
        predicted = system.equilibrium_scm().do(clamp).solve()
        assert predicted == pytest.approx(system.equilibrium(clamp))
        if system.is_stable(clamp):
            final = system.simulate(60.0, clamp=clamp).final()
            assert final == pytest.approx(predicted, abs=1e-4)
            checked += 1
    assert checked >= 20


def test_house_equations_cycle_and_proportional_offset():
    home = dyn.house(4.0)
    scm = home.equilibrium_scm()
    assert scm.equations() == ["T := 5 + 1*H", "M := 0 + 1*T", "H := 80 - 4*M"]
    assert scm.is_cyclic() and not dyn.house(thermostat=False).equilibrium_scm().is_cyclic()
    assert scm.solve()["T"] == pytest.approx((5 + 4 * 20) / 5)
    assert not scm.do({"H": 3.0}).is_cyclic() and scm.do({"H": 3.0}).graph.in_degree("H") == 0


def test_stability_from_eigenvalues_and_the_critical_gain_of_three_equal_lags():
    assert dyn.critical_gain() == pytest.approx(8.0, rel=1e-6)
    assert dyn.house(7.9).is_stable() and not dyn.house(8.1).is_stable()
    unstable = dyn.house(12.0)
    assert unstable.eigenvalues().real.max() > 0
    assert unstable.is_stable({"H": 0.0})          # clamping H cuts the loop
    path = unstable.simulate(48.0, start={"T": 5.0, "M": 5.0})
    assert abs(path["T"][-1] - unstable.equilibrium()["T"]) > 10     # never settles at the "prediction"
    assert dyn.critical_gain(thermometer_rate=10.0) > 8.0
    assert dyn.critical_gain(10.0, loss_rate=5.0) == float("inf")


def test_rates_that_do_not_enter_the_scm_change_the_path():
    slow, fast = dyn.house(4.0), dyn.house(4.0, heater_rate=5.0, thermometer_rate=5.0)
    assert slow.equilibrium_scm().equations() == fast.equilibrium_scm().equations()
    a, b = slow.simulate(48.0), fast.simulate(48.0)
    target = slow.equilibrium()["T"]
    assert dyn.settling_time(b, "T", target) < dyn.settling_time(a, "T", target)
    assert dyn.overshoot(b, "T", target) < dyn.overshoot(a, "T", target)


def test_soft_intervention_changes_one_mechanism_and_keeps_the_loop():
    before, after = dyn.house(4.0).equilibrium_scm(), dyn.house(4.0, loss_rate=0.5).equilibrium_scm()
    assert before.equations()[1:] == after.equations()[1:] and before.equations()[0] != after.equations()[0]
    assert after.is_cyclic()


def test_settling_time_and_overshoot_on_a_known_path():
    path = dyn.Trajectory(("X",), np.arange(5.0), np.array([[0.0], [2.0], [1.2], [1.0], [1.0]]))
    assert dyn.settling_time(path, "X", 1.0, band=0.25) == 2.0
    assert dyn.overshoot(path, "X", 1.0) == pytest.approx(1.0)
    assert dyn.settling_time(dyn.Trajectory(("X",), np.arange(2.0), np.array([[0.0], [0.0]])), "X", 1.0) == np.inf
    assert path.final() == {"X": 1.0}


def test_unrolled_graph_is_acyclic_and_links_steps():
    g = dyn.unrolled_graph(dyn.house(4.0), steps=3)
    assert nx.is_directed_acyclic_graph(g) and g.number_of_nodes() == 9
    assert g.has_edge("H0", "T1") and g.has_edge("M1", "H2") and not g.has_edge("T0", "H1")


def test_errors_name_the_argument():
    home = dyn.house()
    with pytest.raises(KeyError, match="clamp"):
        home.equilibrium({"Q": 1.0})
    with pytest.raises(ValueError, match="hours"):
        home.simulate(0)
    with pytest.raises(ValueError, match="loss_rate"):
        dyn.house(loss_rate=-1)
    with pytest.raises(ValueError, match="self-regulation"):
        dyn.LinearSystem(["X"], {("X", "X"): 0.0}).equilibrium_scm()
    with pytest.raises(ValueError, match="no unique solution"):
        dyn.EquilibriumSCM(["X", "Y"], {("X", "Y"): 1.0, ("Y", "X"): 1.0}, {}).solve()


def test_random_system_is_seeded_and_self_regulating():
    a, b = dyn.random_system(4, seed=1), dyn.random_system(4, seed=1)
    assert np.array_equal(a.A, b.A) and (np.diag(a.A) < 0).all() and a.variables == ("X0", "X1", "X2", "X3")
    with pytest.raises(ValueError, match="density"):
        dyn.random_system(3, density=2.0)
