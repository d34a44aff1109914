"""Bad input raises a clear error that names the argument and says what was expected.

Table-driven: each row is (description, call, exception type, words the message must contain).
Later modules add their own rows in their own test files; this table covers the core.
"""

from __future__ import annotations

import math

import networkx as nx
import pytest

from causal_lessons import graphs
from causal_lessons.scm import SCM, Bernoulli, LinearGaussianSCM, Mechanism, Normal, Uniform

OK = {("X", "Y"): 1.0, ("Y", "Z"): 2.0}


def model():
    return LinearGaussianSCM(OK)


CASES = [
    ("cycle names the cycle", lambda: LinearGaussianSCM({("X", "Y"): 1, ("Y", "Z"): 1, ("Z", "X"): 1}),
     ValueError, ["cycle", "X -> Y -> Z -> X", "acyclic"]),
    ("self-loop", lambda: LinearGaussianSCM({("X", "X"): 1.0}), ValueError, ["self-loop", "'X'"]),
    ("duplicate edge in a list", lambda: graphs.as_dag([("X", "Y"), ("X", "Y")]), ValueError, ["duplicate edge"]),
    ("non-string name", lambda: LinearGaussianSCM({(1, "Y"): 1.0}), TypeError, ["edges", "string"]),
    ("edge that is not a pair", lambda: graphs.as_dag([("X", "Y", "Z")]), TypeError, ["(parent, child)"]),
    ("edges of the wrong type", lambda: LinearGaussianSCM([("X", "Y")]), TypeError, ["edges", "dict"]),
    ("NaN weight", lambda: LinearGaussianSCM({("X", "Y"): math.nan}), ValueError, ["weight of X -> Y", "finite"]),
    ("infinite weight", lambda: LinearGaussianSCM({("X", "Y"): math.inf}), ValueError, ["weight", "finite"]),
    ("negative noise scale", lambda: LinearGaussianSCM(OK, noise_std=-1.0), ValueError, ["noise_std", "positive"]),
    ("zero noise scale", lambda: LinearGaussianSCM(OK, noise_std=0.0), ValueError, ["noise_std", "positive"]),
    ("NaN noise scale", lambda: LinearGaussianSCM(OK, noise_std=math.nan), ValueError, ["noise_std", "finite"]),
    ("noise for an unknown variable", lambda: LinearGaussianSCM(OK, noise_std={"Q": 1.0, "X": 1, "Y": 1, "Z": 1}),
     KeyError, ["noise_std", "'Q'", "X, Y, Z"]),
    ("noise dict missing a variable", lambda: LinearGaussianSCM(OK, noise_std={"X": 1.0}), ValueError,
     ["noise_std", "missing Y, Z"]),
    ("intercept for an unknown variable", lambda: LinearGaussianSCM(OK, intercepts={"W": 1.0}), KeyError,
     ["intercepts", "'W'"]),
    ("n = 0 samples", lambda: model().sample(0), ValueError, ["n must be a positive whole number", "got 0"]),
    ("negative n", lambda: model().sample(-5), ValueError, ["n must be a positive", "-5"]),
    ("fractional n", lambda: model().sample(2.5), TypeError, ["n must be a whole number"]),
    ("negative seed", lambda: model().sample(3, seed=-1), ValueError, ["seed", "at least 0"]),
    ("do on an unknown variable", lambda: model().do({"W": 1.0}), KeyError,
     ["interventions", "unknown variable 'W'", "X, Y, Z"]),
    ("do with NaN", lambda: model().do({"X": math.nan}), ValueError, ["interventions['X']", "finite"]),
    ("do with a string value", lambda: model().do({"X": "high"}), TypeError, ["interventions['X']", "real number"]),
    ("do with a list", lambda: model().do([("X", 1.0)]), TypeError, ["interventions", "dict"]),
    ("counterfactual missing facts", lambda: model().counterfactual({"X": 1.0}, {"X": 0.0}), ValueError,
     ["observed", "missing Y, Z"]),
    ("counterfactual with NaN fact", lambda: model().counterfactual({"X": math.nan, "Y": 0, "Z": 0}, {"X": 0.0}),
     ValueError, ["observed['X']", "finite"]),
    ("total effect of an unknown cause", lambda: model().total_effect("Q", "Y"), KeyError,
     ["cause", "unknown variable 'Q'"]),
    ("random_dag with n = 0", lambda: graphs.random_dag(0), ValueError, ["n must be a positive"]),
    ("random_dag with density 1.5", lambda: graphs.random_dag(3, density=1.5), ValueError, ["density", "at most 1"]),
    ("random_dag with reversed range", lambda: graphs.random_dag(3, weight_range=(2, 1)), ValueError,
     ["weight_range", "low <= high"]),
    ("all_dags too large", lambda: graphs.all_dags(7), ValueError, ["n must be at most 5"]),
    ("topological order of a cyclic graph", lambda: graphs.topological_order(nx.DiGraph([("A", "B"), ("B", "A")])),
     ValueError, ["cycle", "A -> B -> A"]),
    ("general SCM: unknown parent", lambda: SCM({"Y": Mechanism(("X",), lambda u, X: X + u)}), KeyError,
     ["parents", "unknown variable 'X'"]),
    ("general SCM: not a Mechanism", lambda: SCM({"Y": lambda u: u}), TypeError, ["mechanisms['Y']", "Mechanism"]),
    ("general SCM: n = 0", lambda: SCM({"Y": Mechanism((), lambda u: u)}).sample(0), ValueError, ["n must be"]),
    ("Normal noise with negative std", lambda: Normal(-1.0), ValueError, ["Normal(std)", "positive"]),
    ("Bernoulli with p > 1", lambda: Bernoulli(1.5), ValueError, ["Bernoulli(p)", "at most 1"]),
    ("Uniform with low >= high", lambda: Uniform(1.0, 1.0), ValueError, ["low < high"]),
    ("mechanism returning NaN", lambda: SCM({"Y": Mechanism((), lambda u: u * math.nan)}).sample(3), ValueError,
     ["mechanism of 'Y'", "NaN"]),
]


@pytest.mark.parametrize("description,call,error,words", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_a_clear_message(description, call, error, words):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{description}: message {message!r} should mention {word!r}"


def test_the_table_is_large_enough():
    assert len(CASES) >= 15
