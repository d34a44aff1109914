"""Lesson 10's package: operations on one SCM (A/B tests, simulations, transport, counterfactuals)
and predictors under distribution shift (exact risks, crossover, invariance, ICP)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from causal_lessons import generalization as gen  # noqa: E402
from causal_lessons.scm import SCM, LinearGaussianSCM, Mechanism, Normal, additive  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------------------------------------ the shop

def test_shop_has_the_lesson_graph_and_equations():
    shop = gen.shop_scm()
    assert shop.variables == ["M", "T", "Y"]
    assert sorted(shop.graph.edges) == [("M", "T"), ("M", "Y"), ("T", "Y")]
    # a unit's outcome is computed from its noise exactly as the docstring says
    y = shop.mechanisms["Y"].f(np.array([0.7, -0.2]), M=np.array([1.0, 0.0]), T=np.array([1.0, 1.0]))
    assert y == pytest.approx([gen.BASKET + gen.MOBILE_BASKET + 0.5 + 3.0 + 0.7, gen.BASKET + 0.5 - 0.2])


def test_scm_mechanisms_is_a_copy():
    shop = gen.shop_scm()
    mechanisms = shop.mechanisms
    assert set(mechanisms) == {"M", "T", "Y"} and all(isinstance(m, Mechanism) for m in mechanisms.values())
    mechanisms.pop("Y")
    assert "Y" in shop.mechanisms


def test_mobile_share_and_the_opt_in_rule():
    data = gen.shop_scm(0.4).sample(40_000, seed=1)
    assert data["M"].mean() == pytest.approx(0.4, abs=0.01)
    by_device = data.groupby("M")["T"].mean()
    assert by_device[0.0] == pytest.approx(gen.OPT_IN[0], abs=0.015)
    assert by_device[1.0] == pytest.approx(gen.OPT_IN[1], abs=0.015)


@pytest.mark.parametrize("rule, share_desktop, share_mobile", [
    ("randomized", 0.5, 0.5), ("everyone", 1.0, 1.0), ("nobody", 0.0, 0.0), ("mobile only", 0.0, 1.0),
])
def test_assignment_rules(rule, share_desktop, share_mobile):
    shop = gen.change_mechanism(gen.shop_scm(), "T", gen.assignment(rule))
    by_device = shop.sample(20_000, seed=2).groupby("M")["T"].mean()
    assert by_device[0.0] == pytest.approx(share_desktop, abs=0.015)
    assert by_device[1.0] == pytest.approx(share_mobile, abs=0.015)


def test_randomized_share():
    data = gen.change_mechanism(gen.shop_scm(), "T", gen.randomized(0.2)).sample(20_000, seed=3)
    assert data["T"].mean() == pytest.approx(0.2, abs=0.01)
    assert abs(data["T"].corr(data["M"])) < 0.03


def test_change_mechanism_keeps_the_original_and_other_interventions():
    shop = gen.shop_scm()
    held = shop.do({"M": 1.0})
    new = gen.change_mechanism(held, "T", gen.assignment("nobody"))
    assert new.interventions == {"M": 1.0}
    assert (new.sample(50, seed=0)["T"] == 0).all() and (new.sample(50, seed=0)["M"] == 1).all()
    assert shop.sample(2000, seed=0)["T"].mean() > 0.2  # the original still lets visitors opt in
    # replacing an intervened variable's mechanism lifts that intervention
    assert gen.change_mechanism(held, "M", gen.mobile_share(0.0)).interventions == {}


def test_average_effect_is_each_simulated_units_own_effect():
    shop = gen.shop_scm(0.3)
    n = 5000
    # with common random numbers every unit's effect is exactly 0.5 or 3.5: the mean is 0.5 + 3 * share of mobiles
    mobiles = shop.sample(n, seed=4)["M"].mean()
    assert gen.average_effect(shop, n=n, seed=4) == pytest.approx(0.5 + 3.0 * mobiles, abs=1e-9)
    assert gen.average_effect(shop) == pytest.approx(1.4, abs=0.01)
    assert gen.average_effect(gen.shop_scm(0.8)) == pytest.approx(2.9, abs=0.01)


def test_ranks_kept_and_reversed_agree_on_every_experiment_but_not_on_counterfactuals():
    kept = gen.change_mechanism(gen.shop_scm(), "T", gen.randomized())
    reversed_ = gen.change_mechanism(gen.shop_scm(ranks="reversed"), "T", gen.randomized())
    for t in (0.0, 1.0):
        for m in (0.0, 1.0):
            a = kept.do({"T": t, "M": m}).sample(60_000, seed=5)["Y"]
            b = reversed_.do({"T": t, "M": m}).sample(60_000, seed=6)["Y"]
            assert a.mean() == pytest.approx(b.mean(), abs=0.05)
            assert a.std() == pytest.approx(b.std(), abs=0.05)
    facts = {"M": 0.0, "T": 0.0, "Y": 8.0}
    assert kept.counterfactual(facts, {"T": 1.0})["Y"] == pytest.approx(8.0 + 0.5)
    # reversed: U = 8 - 10 = -2, so with the new page Y = 10 + 0.5 + 2
    assert reversed_.counterfactual(facts, {"T": 1.0})["Y"] == pytest.approx(12.5)


# ------------------------------------------------------------------------------------------------ A/B tests

def _table():
    return pd.DataFrame({"T": [1, 1, 1, 0, 0, 0, 0, 1], "Y": [3.0, 5.0, 4.0, 1.0, 2.0, 2.0, 3.0, 4.0],
                         "M": [0, 1, 1, 0, 0, 1, 1, 0]})


def test_difference_in_means_by_hand():
    est = gen.difference_in_means(_table())
    assert est.effect == pytest.approx(4.0 - 2.0)
    se = math.sqrt((2.0 / 3) / 4 + (2.0 / 3) / 4)  # sample variances 2/3 in both arms, 4 units each
    assert est.std_error == pytest.approx(se)
    assert (est.low, est.high) == pytest.approx((2.0 - 1.959964 * se, 2.0 + 1.959964 * se), abs=1e-5)
    assert (est.n_treated, est.n_control) == (4, 4)
    assert est.covers(2.5) and not est.covers(10.0)
    assert est.text() == f"2.00 (95% CI {est.low:.2f} to {est.high:.2f})"
    wide = gen.difference_in_means(_table(), confidence=0.99)
    assert wide.high - wide.low > est.high - est.low


def test_ab_test_randomizes_and_its_interval_covers_about_95_percent():
    shop = gen.shop_scm()
    log = gen.run_ab_test(shop, n=4000, seed=1)
    assert len(log) == 4000 and list(log.columns) == ["M", "T", "Y"]
    assert log.groupby("M")["T"].mean().to_numpy() == pytest.approx([0.5, 0.5], abs=0.03)
    truth = gen.average_effect(shop)
    covered = [gen.difference_in_means(gen.run_ab_test(shop, n=400, seed=s)).covers(truth) for s in range(1000)]
    assert 0.93 <= np.mean(covered) <= 0.97  # binomial sd 0.007 around 0.95
    # the self-selected logs overstate the effect (mobile visitors opt in more and spend more anyway)
    naive = gen.difference_in_means(shop.sample(4000, seed=2))
    assert naive.low > truth + 1.0


def test_effects_by_stratum_and_transport():
    table = gen.effects_by_stratum(_table(), "M")
    assert list(table.index) == [0, 1] and table.index.name == "M"
    assert table["share"].sum() == pytest.approx(1.0)
    assert table.loc[0, "effect"] == pytest.approx(3.5 - 1.5)
    assert table.loc[1, "effect"] == pytest.approx(4.5 - 2.5)
    assert table["n"].tolist() == [4, 4]
    moved = gen.transport(table, {0: 0.25, 1: 0.75})
    assert moved.effect == pytest.approx(0.25 * 2.0 + 0.75 * 2.0)
    assert moved.std_error == pytest.approx(math.hypot(0.25 * table.loc[0, "std_error"],
                                                       0.75 * table.loc[1, "std_error"]))


def test_transport_recovers_the_effect_in_a_population_with_more_mobiles():
    shop = gen.shop_scm(0.3)
    strata = gen.effects_by_stratum(gen.run_ab_test(shop, n=20_000, seed=7), "M")
    target_truth = gen.average_effect(gen.change_mechanism(shop, "M", gen.mobile_share(0.8)))
    moved = gen.transport(strata, {0: 0.2, 1: 0.8})
    assert moved.effect == pytest.approx(target_truth, abs=4 * moved.std_error)
    # the unadjusted experiment answers for its own population only
    assert gen.difference_in_means(gen.run_ab_test(shop, n=20_000, seed=7)).high < target_truth - 1.0


def test_simulate_policies_compares_the_same_units():
    shop = gen.shop_scm()
    table = gen.simulate_policies(shop, {r: gen.assignment(r) for r in ("nobody", "everyone", "mobile only")},
                                  n=50_000, seed=8)
    assert list(table.columns) == ["share T = 1", "mean Y"]
    assert table.loc["nobody", "share T = 1"] == 0 and table.loc["everyone", "share T = 1"] == 1
    gain = table.loc["everyone", "mean Y"] - table.loc["nobody", "mean Y"]
    assert gain == pytest.approx(gen.average_effect(shop), abs=0.03)
    mobile_gain = table.loc["mobile only", "mean Y"] - table.loc["nobody", "mean Y"]
    assert mobile_gain == pytest.approx(3.5 * 0.3, abs=0.03)


def test_policies_share_their_simulated_visitors():
    # every policy sees the same visitors: same M and the same basket noise, whatever T's mechanism draws
    shop = gen.shop_scm()
    noise = []
    for rule in gen.ASSIGNMENTS:
        data = gen.change_mechanism(shop, "T", gen.assignment(rule)).sample(1000, seed=9)
        noise.append(data["Y"] - (gen.BASKET + gen.MOBILE_BASKET * data["M"] + data["T"] * (0.5 + 3.0 * data["M"])))
        assert data["M"].equals(shop.sample(1000, seed=9)["M"])
    assert all(np.allclose(n, noise[0], rtol=0, atol=1e-12) for n in noise)


def test_plot_effects_draws_intervals_and_truths():
    est = gen.difference_in_means(_table())
    ax = gen.plot_effects({"estimate": est, "truth": 2.0}, title="t")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["truth", "estimate"]
    assert ax.get_title() == "t" and len(ax.lines) >= 2


SHOP_ERRORS = [
    (lambda: gen.shop_scm(1.5), ValueError, ["p_mobile", "at most 1"]),
    (lambda: gen.shop_scm(ranks="sideways"), ValueError, ["ranks", "'kept' or 'reversed'"]),
    (lambda: gen.shop_scm(noise_std=0), ValueError, ["noise_std", "positive"]),
    (lambda: gen.assignment("half"), ValueError, ["rule must be one of", "'randomized'", "'half'"]),
    (lambda: gen.randomized(1.0), ValueError, ["share", "strictly between 0 and 1"]),
    (lambda: gen.change_mechanism("shop", "T", gen.randomized()), TypeError, ["scm must be an SCM"]),
    (lambda: gen.change_mechanism(gen.shop_scm(), "Q", gen.randomized()), KeyError, ["variable", "'Q'", "M, T, Y"]),
    (lambda: gen.change_mechanism(gen.shop_scm(), "T", 0.5), TypeError, ["mechanism must be a Mechanism"]),
    (lambda: gen.run_ab_test(gen.shop_scm(), n=0), ValueError, ["n must be a positive"]),
    (lambda: gen.difference_in_means([1, 2]), TypeError, ["log must be a pandas DataFrame"]),
    (lambda: gen.difference_in_means(_table(), "X"), KeyError, ["treatment", "'X'"]),
    (lambda: gen.difference_in_means(_table().assign(T=2)), ValueError, ["0 (control) or 1 (treated)"]),
    (lambda: gen.difference_in_means(_table().iloc[2:7]), ValueError, ["at least 2 units", "1 treated"]),
    (lambda: gen.difference_in_means(_table(), confidence=1.0), ValueError, ["confidence", "strictly between"]),
    (lambda: gen.effects_by_stratum(_table(), "Z"), KeyError, ["by", "'Z'"]),
    (lambda: gen.transport(_table(), {0: 1.0}), TypeError, ["effects_by_stratum"]),
    (lambda: gen.transport(gen.effects_by_stratum(_table(), "M"), {2: 1.0}), KeyError,
     ["unknown stratum 2", "0, 1"]),
    (lambda: gen.transport(gen.effects_by_stratum(_table(), "M"), {0: 0.5, 1: 0.6}), ValueError,
     ["add up to 1", "1.1"]),
    (lambda: gen.average_effect(gen.shop_scm(), "Q"), KeyError, ["treatment", "'Q'"]),
    (lambda: gen.simulate_policies(gen.shop_scm(), [gen.randomized()]), TypeError, ["policies", "dict"]),
    (lambda: gen.plot_effects({"a": "b"}), TypeError, ["estimates['a']", "real number"]),
]


@pytest.mark.parametrize("call, error, words", SHOP_ERRORS, ids=[f"shop-{i}" for i in range(len(SHOP_ERRORS))])
def test_shop_errors_speak_to_a_student(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)


# ------------------------------------------------------------------------------------------------ shift

def test_hospital_model():
    h = gen.hospital_scm(exposure_mean=1.0, severity_offset=0.5, marker_offset=2.0, marker_weight=3.0,
                         marker_noise=0.25)
    assert h.variables == ["Exposure", "Severity", "Marker"]
    assert h.edges == {("Exposure", "Severity"): 1.0, ("Severity", "Marker"): 3.0}
    assert h.mean().to_dict() == pytest.approx({"Exposure": 1.0, "Severity": 1.5, "Marker": 6.5})
    assert h.noise_std == {"Exposure": 1.0, "Severity": 1.0, "Marker": 0.25}


def test_population_least_squares_has_the_closed_form():
    source = gen.hospital_scm()  # marker weight 2, noise 0.5: precision of Severity given both = 1 + 16 = 17
    causal = gen.population_least_squares(source, "Severity", ["Exposure"])
    both = gen.population_least_squares(source, "Severity", ["Exposure", "Marker"])
    assert causal.coef == pytest.approx((1.0,)) and causal.intercept == pytest.approx(0.0)
    assert both.coef == pytest.approx((1 / 17, 8 / 17)) and both.intercept == pytest.approx(0.0)
    assert gen.risk(causal, source) == pytest.approx(1.0)
    assert gen.risk(both, source) == pytest.approx(1 / 17)
    nothing = gen.population_least_squares(source, "Severity", [])
    assert nothing.features == () and gen.risk(nothing, source) == pytest.approx(2.0)


def test_fit_least_squares_recovers_the_population_predictor():
    source = gen.hospital_scm()
    data = source.sample(200_000, seed=9)
    fit = gen.fit_least_squares(data, "Severity", ["Exposure", "Marker"])
    assert fit.coef == pytest.approx((1 / 17, 8 / 17), abs=0.005)
    exact = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [1.0, 0.0, 1.0, 5.0]})
    exact["y"] = 1.5 + 2.0 * exact["a"] - 0.5 * exact["b"]
    line = gen.fit_least_squares(exact, "y", ["a", "b"])
    assert line.coef == pytest.approx((2.0, -0.5)) and line.intercept == pytest.approx(1.5)
    assert line.predict(exact) == pytest.approx(exact["y"].to_numpy())
    assert line.weight("b") == pytest.approx(-0.5) and line.weight("c") == 0.0
    assert gen.empirical_risk(line, exact) == pytest.approx(0.0, abs=1e-20)


def test_predictor_text_has_no_negative_zero():
    assert str(gen.LinearPredictor("Y", ("A", "B"), (-0.001, -1.5), -0.001)) == "Y ~ 0.00 + 0.00*A - 1.50*B"


def test_exact_risk_matches_samples_and_grows_with_the_shift():
    source = gen.hospital_scm()
    fit = gen.fit_least_squares(source.sample(500, seed=3), "Severity", ["Exposure", "Marker"])
    for offset in (0.0, 1.0, 3.0):
        shifted = gen.hospital_scm(marker_offset=offset)
        assert gen.risk(fit, shifted) == pytest.approx(gen.empirical_risk(fit, shifted.sample(200_000, seed=4)),
                                                       rel=0.02)
    both = gen.population_least_squares(source, "Severity", ["Exposure", "Marker"])
    for offset in (0.5, 2.0):
        assert gen.risk(both, gen.hospital_scm(marker_offset=offset)) == pytest.approx(1 / 17 + (8 / 17 * offset) ** 2)


def test_causal_predictor_survives_both_kinds_of_shift_and_covariate_shift_spares_both():
    source = gen.hospital_scm()
    causal = gen.population_least_squares(source, "Severity", ["Exposure"])
    both = gen.population_least_squares(source, "Severity", ["Exposure", "Marker"])
    table = gen.risk_table({"causal": causal, "both": both},
                           {"source": source, "assay": gen.hospital_scm(marker_offset=3.0),
                            "weaker assay": gen.hospital_scm(marker_weight=1.0),
                            "population": gen.hospital_scm(exposure_mean=2.0),
                            "disease": gen.hospital_scm(severity_offset=1.0)})
    assert list(table.columns) == ["causal", "both"] and list(table.index)[0] == "source"
    assert table["causal"].iloc[:4].to_numpy() == pytest.approx(np.ones(4))
    # a change in the target's own mechanism hurts the causal predictor; the marker, an effect of the target,
    # follows the change, so the all-features predictor hardly notices it
    assert table.loc["disease", "causal"] == pytest.approx(2.0)
    assert table.loc["disease", "both"] == pytest.approx(1 / 17 + (1 / 17) ** 2)
    assert table.loc["population", "both"] == pytest.approx(table.loc["source", "both"])
    assert table.loc["assay", "both"] > 2 and table.loc["weaker assay", "both"] > table.loc["source", "both"]


def test_crossover_shift():
    source = gen.hospital_scm()
    causal = gen.population_least_squares(source, "Severity", ["Exposure"])
    both = gen.population_least_squares(source, "Severity", ["Exposure", "Marker"])
    reference = gen.risk(causal, source)
    delta = gen.crossover_shift(both, source, "Marker", reference)
    assert delta == pytest.approx(math.sqrt(1 - 1 / 17) / (8 / 17))
    assert gen.risk(both, gen.hospital_scm(marker_offset=delta)) == pytest.approx(reference)
    # a fitted predictor with a little bias: still the exact root of the parabola
    fit = gen.fit_least_squares(source.sample(300, seed=5), "Severity", ["Exposure", "Marker"])
    d = gen.crossover_shift(fit, source, "Marker", reference)
    assert gen.risk(fit, gen.hospital_scm(marker_offset=d)) == pytest.approx(reference)
    assert gen.risk(fit, gen.hospital_scm(marker_offset=0.9 * d)) < reference
    assert gen.crossover_shift(both, source, "Marker", 0.01) == 0.0      # already worse
    assert gen.crossover_shift(causal, source, "Marker", 2.0) == math.inf  # never affected


def test_shifted_risks_are_the_risks_of_the_shifted_models_at_once():
    source = gen.hospital_scm(marker_noise=0.7)
    fit = gen.fit_least_squares(source.sample(300, seed=5), "Severity", ["Exposure", "Marker"])
    causal = gen.population_least_squares(source, "Severity", ["Exposure"])
    offsets = np.linspace(0.0, 4.0, 41)
    for predictor in (fit, causal):
        exact = [gen.risk(predictor, gen.hospital_scm(marker_noise=0.7, marker_offset=d)) for d in offsets]
        assert gen.shifted_risks(predictor, source, "Marker", offsets) == pytest.approx(exact, rel=1e-12, abs=1e-12)
    assert gen.shifted_risks(causal, source, "Marker", offsets) == pytest.approx(np.full(41, 1.0))   # never affected
    # the same parabola as the crossover: the all-features predictor reaches the causal one's error there
    delta = gen.crossover_shift(fit, source, "Marker", gen.risk(causal, source))
    assert gen.shifted_risks(fit, source, "Marker", [delta])[0] == pytest.approx(gen.risk(causal, source))
    with pytest.raises(ValueError, match="offsets must be a list of finite numbers"):
        gen.shifted_risks(fit, source, "Marker", [[0.0, 1.0]])
    with pytest.raises(ValueError, match="held fixed by do"):
        gen.shifted_risks(fit, source.do({"Marker": 1.0}), "Marker", [0.0])


def test_invariant_subsets():
    source = gen.hospital_scm()
    both_shifts = gen.hospital_scm(exposure_mean=1.0, marker_offset=1.0)
    assay_only = gen.hospital_scm(marker_offset=1.0)
    assert gen.invariant_subsets([source, both_shifts], "Severity", ["Exposure", "Marker"]) == [
        frozenset({"Exposure"})]
    assert gen.invariant_subsets([source, assay_only], "Severity", ["Marker", "Exposure"]) == [
        frozenset(), frozenset({"Exposure"})]


def test_icp_finds_the_causal_parent():
    envs = [gen.hospital_scm(), gen.hospital_scm(exposure_mean=1.0, marker_offset=1.0),
            gen.hospital_scm(exposure_mean=-0.5, marker_weight=1.5)]
    result = gen.icp([e.sample(1000, seed=i) for i, e in enumerate(envs)], "Severity", ["Exposure", "Marker"])
    assert result.parents == frozenset({"Exposure"}) and not result.all_rejected
    assert set(result.p_values) == {frozenset(), frozenset({"Exposure"}), frozenset({"Marker"}),
                                    frozenset({"Exposure", "Marker"})}
    assert result.p_values[frozenset({"Exposure", "Marker"})] < 1e-6
    # environments that differ only in the assay: the empty set is invariant too, and ICP says nothing
    quiet = gen.icp([gen.hospital_scm().sample(1000, seed=1), gen.hospital_scm(marker_offset=1.0).sample(1000, seed=2)],
                    "Severity", ["Exposure", "Marker"])
    assert frozenset() in quiet.accepted and quiet.parents == frozenset()


def test_icp_rejects_everything_when_no_set_is_invariant():
    # the target's own mechanism changes between environments (a new intercept): nothing is invariant
    a = LinearGaussianSCM({("X", "Y"): 1.0})
    b = LinearGaussianSCM({("X", "Y"): 1.0}, intercepts={"Y": 1.0})
    result = gen.icp([a.sample(2000, seed=1), b.sample(2000, seed=2)], "Y", ["X"])
    assert result.all_rejected and result.parents == frozenset()


def test_risk_needs_a_linear_model():
    shop = SCM({"X": additive([], noise=Normal(1.0))})
    with pytest.raises(TypeError, match="LinearGaussianSCM"):
        gen.risk(gen.LinearPredictor("X", (), (), 0.0), shop)


SHIFT_ERRORS = [
    (lambda: gen.hospital_scm(marker_noise=0), ValueError, ["marker_noise", "positive"]),
    (lambda: gen.hospital_scm(marker_offset=math.nan), ValueError, ["marker_offset", "finite"]),
    (lambda: gen.fit_least_squares({"a": [1]}, "a", []), TypeError, ["data must be a pandas DataFrame"]),
    (lambda: gen.fit_least_squares(_table(), "Y", "T"), TypeError, ["features must be a list"]),
    (lambda: gen.fit_least_squares(_table(), "Y", ["Y"]), ValueError, ["must not contain the target"]),
    (lambda: gen.fit_least_squares(_table(), "Y", ["T", "T"]), ValueError, ["twice"]),
    (lambda: gen.fit_least_squares(_table(), "Y", ["Q"]), KeyError, ["features", "'Q'"]),
    (lambda: gen.fit_least_squares(_table().head(2), "Y", ["T", "M"]), ValueError, ["at least 4 rows"]),
    (lambda: gen.fit_least_squares(_table().assign(Z=lambda d: 2 * d["T"]), "Y", ["T", "Z"]), ValueError,
     ["collinear"]),
    (lambda: gen.population_least_squares(gen.hospital_scm().do({"Exposure": 1.0}), "Severity", ["Exposure"]),
     ValueError, ["held fixed by do()"]),
    (lambda: gen.population_least_squares(gen.shop_scm(), "Y", ["M"]), TypeError, ["LinearGaussianSCM"]),
    (lambda: gen.risk("predictor", gen.hospital_scm()), TypeError, ["predictor must be a LinearPredictor"]),
    (lambda: gen.risk(gen.LinearPredictor("Q", (), (), 0.0), gen.hospital_scm()), KeyError,
     ["predictor.target", "'Q'"]),
    (lambda: gen.crossover_shift(gen.LinearPredictor("Severity", (), (), 0.0), gen.hospital_scm(), "Marker", -1),
     ValueError, ["reference_risk", "at least 0"]),
    (lambda: gen.crossover_shift(gen.LinearPredictor("Severity", (), (), 0.0),
                                 gen.hospital_scm().do({"Marker": 0.0}), "Marker", 1.0), ValueError,
     ["'Marker' is held fixed"]),
    (lambda: gen.invariant_subsets([gen.hospital_scm()], "Severity", ["Exposure"]), ValueError, ["at least 2"]),
    (lambda: gen.icp(_table(), "Y", ["T"]), ValueError, ["list of at least 2 DataFrames"]),
    (lambda: gen.icp([_table(), "b"], "Y", ["T"]), TypeError, ["each dataset must be a pandas DataFrame"]),
    (lambda: gen.icp([_table(), _table()], "Y", ["T"], alpha=2), ValueError, ["alpha", "at most 1"]),
]


@pytest.mark.parametrize("call, error, words", SHIFT_ERRORS, ids=[f"shift-{i}" for i in range(len(SHIFT_ERRORS))])
def test_shift_errors_speak_to_a_student(call, error, words):
    with pytest.raises(error) as info:
        call()
    for word in words:
        assert word in str(info.value)
