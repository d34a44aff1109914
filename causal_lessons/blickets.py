"""Blicket detectors: learning which objects are causes by watching others, then by playing.

A *blicket detector* is a box that lights up when certain objects, the
"blickets", are placed on it.  Developmental psychologists (Gopnik & Sobel 2000;
Gopnik, Sobel, Schulz & Glymour 2001; Kosoy et al. 2022) use it to ask how young
children discover causes.  This module is the course's version:

* :class:`BlicketDetector` -- the environment.  Three objects (``A``, ``B``, ``C``)
  by default; a hidden set of blickets and a hidden *rule*: **disjunctive** (the
  detector lights when at least one blicket is on it) or **conjunctive** (it
  lights only when at least two blickets are on it together).  Objects are placed
  and removed; every change is a *test*, and the detector answers lit or not.
  Optional ``noise``: with that probability the light shows the wrong answer.
* :func:`hypotheses` -- what a learner may believe: every set of blickets together
  with a rule that could ever make the detector light (a disjunctive rule needs
  one blicket, a conjunctive rule two; 7 + 4 = 11 hypotheses for three objects).
* :class:`BlicketLearner` -- exact Bayesian inference over those hypotheses.  It
  learns the same way from a test it watched someone else make (passive) as from
  a test it made itself (active): a test is an intervention either way.
* :func:`choose_test` -- exploration by expected information gain, or at random.
* :func:`run_episode` and :func:`learning_curves` -- watch a demonstrator, then
  explore; quiz accuracy after every test.
* :class:`RuleOverhypothesis` and :func:`overhypothesis_experiment` -- a learner
  that learns across episodes whether rules *in this world* tend to be
  conjunctive or disjunctive (a Beta prior on P(conjunctive), updated exactly),
  and so needs fewer tests in later episodes.

A *test* is the set of objects on the detector; functions accept it as a
collection of names (``{"A", "B"}``) or as a string of one-letter names
(``"AB"``; ``""`` is the empty detector).

>>> world = BlicketDetector("A", "disjunctive")
>>> learner = BlicketLearner()
>>> for test in ("A", "B", "AB"):
...     learner = learner.update(test, world.test(test))
>>> {k: round(v, 2) for k, v in learner.blicket_probabilities().items()}
{'A': 1.0, 'B': 0.0, 'C': 0.5}
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from ._validate import _show, check_count, check_int, check_known, check_positive, check_probability, check_real
from .graphs import variable_names

__all__ = [
    "RULES",
    "EXPLORATION",
    "object_names",
    "as_test",
    "label_test",
    "all_tests",
    "detector_lights",
    "Hypothesis",
    "hypotheses",
    "random_hypothesis",
    "BlicketDetector",
    "BlicketLearner",
    "binary_entropy",
    "most_informative_tests",
    "choose_test",
    "run_episode",
    "learning_curves",
    "plot_learning_curves",
    "explore_until_confident",
    "RuleOverhypothesis",
    "overhypothesis_experiment",
    "plot_overhypothesis",
]

#: The two kinds of rule: how many blickets must be on the detector together for it to light.
RULES = ("disjunctive", "conjunctive")
#: Blickets needed on the detector at once, by rule.
_NEEDED = {"disjunctive": 1, "conjunctive": 2}
#: How a learner picks its tests: "watch" (a demonstrator's script), "eig" (expected information gain), "random".
EXPLORATION = ("watch", "eig", "random")
MAX_OBJECTS = 5


# ----------------------------------------------------------------------------------------------
# Objects, tests and hypotheses
# ----------------------------------------------------------------------------------------------

def object_names(n_objects: int = 3) -> tuple[str, ...]:
    """The names of ``n_objects`` objects (2 to 5): ``('A', 'B', 'C')`` for the default three."""
    n_objects = check_int(n_objects, "n_objects", minimum=2, maximum=MAX_OBJECTS)
    return tuple(variable_names(n_objects))


def as_test(objects_on: Any, objects: Sequence[str] = ("A", "B", "C"), name: str = "test") -> frozenset[str]:
    """Read a test (the set of objects on the detector) given as names or as a string such as ``"AB"``.

    An unknown name raises a KeyError that lists the known objects.
    """
    if isinstance(objects_on, str):
        items = [c for c in objects_on if not c.isspace() and c != ","]
    elif isinstance(objects_on, Iterable):
        items = list(objects_on)
    else:
        raise TypeError(f"{name} must be the objects on the detector, as a set such as {{'A', 'B'}} or a "
                        f"string such as 'AB'; got {_show(objects_on)} ({type(objects_on).__name__}).")
    for item in items:
        check_known(item, objects, name)
    return frozenset(items)


def label_test(test: Iterable[str]) -> str:
    """A short label for a test: its objects in alphabetical order (``"AB"``), or ``"nothing"``."""
    text = "".join(sorted(test))
    return text or "nothing"


@lru_cache(maxsize=None)
def _all_tests(n_objects: int, include_empty: bool) -> tuple[frozenset[str], ...]:
    objects = object_names(n_objects)
    sizes = range(0 if include_empty else 1, n_objects + 1)
    return tuple(frozenset(c) for k in sizes for c in itertools.combinations(objects, k))


def all_tests(n_objects: int = 3, *, include_empty: bool = False) -> list[frozenset[str]]:
    """Every set of objects that can be put on the detector: singles, then pairs, ..., then all.

    This is also the order in which the course's demonstrator shows the detector
    (each object alone, then each pair, then all of them together).
    """
    return list(_all_tests(check_int(n_objects, "n_objects", minimum=2, maximum=MAX_OBJECTS), bool(include_empty)))


def _check_rule(rule: Any) -> str:
    if rule not in RULES:
        raise ValueError(f"rule must be 'disjunctive' or 'conjunctive', got {_show(rule)}.")
    return rule


def detector_lights(blickets: Iterable[str], rule: str, on: Iterable[str]) -> bool:
    """The detector's law: does it light with ``on`` on it, if ``blickets`` are the blickets and ``rule`` the rule?

    Disjunctive: at least one blicket on it.  Conjunctive: at least two blickets on it.

    >>> detector_lights({"A", "B"}, "conjunctive", {"A", "C"}), detector_lights({"A", "B"}, "conjunctive", "ABC")
    (False, True)
    """
    rule = _check_rule(rule)
    return len(set(blickets) & set(on)) >= _NEEDED[rule]


@dataclass(frozen=True)
class Hypothesis:
    """One possible world: which objects are blickets, and the rule."""

    blickets: frozenset
    rule: str

    def lights(self, on: Iterable[str]) -> bool:
        """Would the detector light with ``on`` on it, in this world (without noise)?"""
        return detector_lights(self.blickets, self.rule, on)

    @property
    def label(self) -> str:
        """E.g. ``"AB conjunctive"``."""
        return f"{label_test(self.blickets)} {self.rule}"


@lru_cache(maxsize=None)
def _hypotheses(n_objects: int) -> tuple[Hypothesis, ...]:
    objects = object_names(n_objects)
    found = []
    for rule in RULES:
        for k in range(_NEEDED[rule], n_objects + 1):
            found += [Hypothesis(frozenset(c), rule) for c in itertools.combinations(objects, k)]
    return tuple(found)


@lru_cache(maxsize=None)
def _lights_vector(n_objects: int, on: frozenset[str]) -> np.ndarray:
    """Whether each hypothesis (in order) lights with ``on`` on the detector; cached, read-only."""
    lights = np.array([h.lights(on) for h in _hypotheses(n_objects)])
    lights.setflags(write=False)
    return lights


@lru_cache(maxsize=None)
def _lights_matrix(n_objects: int) -> np.ndarray:
    """1.0 where hypothesis (column) lights for test (row, in :func:`all_tests` order); cached, read-only."""
    matrix = np.array([_lights_vector(n_objects, t) for t in _all_tests(n_objects, False)], dtype=float)
    matrix.setflags(write=False)
    return matrix


def hypotheses(n_objects: int = 3) -> list[Hypothesis]:
    """Every world the learner considers: disjunctive with 1 or more blickets, conjunctive with 2 or more.

    A conjunctive world with fewer than two blickets would never light, whatever
    is put on it, so no test could tell which object is the blicket; such worlds
    are left out (as in Kosoy et al. 2022).  Three objects give 7 + 4 = 11 hypotheses.
    """
    return list(_hypotheses(check_int(n_objects, "n_objects", minimum=2, maximum=MAX_OBJECTS)))


def _as_rng(seed: Any, name: str = "seed") -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None:
        check_int(seed, name, minimum=0)
    return np.random.default_rng(seed)


def random_hypothesis(p_conjunctive: float = 0.5, *, n_objects: int = 3, seed: Any = None) -> Hypothesis:
    """Draw a world: the rule is conjunctive with probability ``p_conjunctive``; the blickets are then
    uniform among the sets that rule allows (``seed``: an int or a numpy Generator)."""
    p_conjunctive = check_probability(p_conjunctive, "p_conjunctive")
    rng = _as_rng(seed)
    rule = "conjunctive" if rng.random() < p_conjunctive else "disjunctive"
    options = [h for h in hypotheses(n_objects) if h.rule == rule]
    return options[int(rng.integers(len(options)))]


def _check_noise(noise: Any) -> float:
    noise = check_probability(noise, "noise")
    if noise >= 0.5:
        raise ValueError(f"noise must be below 0.5 (at 0.5 the light carries no information), got {noise:g}.")
    return noise


# ----------------------------------------------------------------------------------------------
# The environment
# ----------------------------------------------------------------------------------------------

class BlicketDetector:
    """The environment: a detector with hidden blickets and a hidden rule.

    ``blickets`` are the objects that are blickets (a set or a string such as ``"AB"``),
    ``rule`` is ``"disjunctive"`` or ``"conjunctive"``.  With ``noise > 0`` the light
    shows the wrong answer with that probability, independently at every test
    (``seed`` makes that reproducible).  Every test is logged in ``history`` as
    ``(objects_on, lit)``.

    >>> world = BlicketDetector("BC", "conjunctive")
    >>> world.place("B"), world.place("C"), world.remove("B")
    (False, True, False)
    >>> world.quiz_score({"B", "C"})
    1.0
    """

    def __init__(self, blickets: Any, rule: str = "disjunctive", *, n_objects: int = 3, noise: float = 0.0,
                 seed: Any = None):
        self.objects = object_names(n_objects)
        self.rule = _check_rule(rule)
        self.blickets = as_test(blickets, self.objects, "blickets")
        needed = _NEEDED[self.rule]
        if len(self.blickets) < needed:
            raise ValueError(
                f"a {self.rule} detector needs at least {needed} blicket{'s' if needed > 1 else ''} "
                f"(otherwise it never lights), got blickets={label_test(self.blickets)!r}.")
        self.noise = _check_noise(noise)
        self._rng = _as_rng(seed)
        self.on: frozenset[str] = frozenset()
        self.history: list[tuple[frozenset[str], bool]] = []

    @classmethod
    def random(cls, p_conjunctive: float = 0.5, *, n_objects: int = 3, noise: float = 0.0,
               seed: Any = None) -> BlicketDetector:
        """A detector whose world is drawn by :func:`random_hypothesis` (the same ``seed`` also drives the noise)."""
        rng = _as_rng(seed)
        world = random_hypothesis(p_conjunctive, n_objects=n_objects, seed=rng)
        return cls(world.blickets, world.rule, n_objects=n_objects, noise=noise, seed=rng)

    @property
    def hypothesis(self) -> Hypothesis:
        """The hidden truth, as a :class:`Hypothesis`."""
        return Hypothesis(self.blickets, self.rule)

    def __repr__(self) -> str:
        noise = f", noise={self.noise:g}" if self.noise else ""
        return f"BlicketDetector(blickets={label_test(self.blickets)!r}, rule={self.rule!r}{noise})"

    def test(self, objects_on: Any) -> bool:
        """Put exactly ``objects_on`` on the detector and return whether it lights (logged in ``history``)."""
        on = as_test(objects_on, self.objects, "objects_on")
        lit = detector_lights(self.blickets, self.rule, on)
        if self.noise and self._rng.random() < self.noise:
            lit = not lit
        self.on = on
        self.history.append((on, lit))
        return lit

    def place(self, obj: str) -> bool:
        """Place one more object on the detector; return whether it lights."""
        check_known(obj, self.objects, "obj")
        return self.test(self.on | {obj})

    def remove(self, obj: str) -> bool:
        """Take one object off the detector; return whether it lights."""
        check_known(obj, self.objects, "obj")
        if obj not in self.on:
            raise ValueError(f"obj: {obj!r} is not on the detector (on it now: {label_test(self.on)}).")
        return self.test(self.on - {obj})

    def quiz_score(self, answer: Any) -> float:
        """The quiz: for each object, "is it a blicket?"  Returns the fraction of objects answered right,
        when ``answer`` is the set of objects said to be blickets."""
        answer = as_test(answer, self.objects, "answer")
        right = sum((obj in answer) == (obj in self.blickets) for obj in self.objects)
        return right / len(self.objects)


# ----------------------------------------------------------------------------------------------
# The Bayesian learner
# ----------------------------------------------------------------------------------------------

def binary_entropy(p: float) -> float:
    """Entropy, in bits, of a yes/no event with probability ``p``."""
    p = check_probability(p, "p")
    if p in (0.0, 1.0):
        return 0.0
    return float(-p * math.log2(p) - (1 - p) * math.log2(1 - p))


class BlicketLearner:
    """Exact Bayesian inference over :func:`hypotheses` from tests and the detector's answers.

    The prior puts probability ``p_conjunctive`` on the conjunctive rule and
    spreads each rule's share evenly over the blicket sets it allows.  ``noise``
    is the learner's belief about how often the light is wrong (0: never).

    The learner does not care who made a test: :meth:`update` is the same for a
    test it watched and a test it chose, because both are interventions.
    """

    def __init__(self, *, n_objects: int = 3, p_conjunctive: float = 0.5, noise: float = 0.0):
        self.objects = object_names(n_objects)
        self.hypotheses = hypotheses(n_objects)
        self.noise = _check_noise(noise)
        self._conjunctive = np.array([h.rule == "conjunctive" for h in self.hypotheses])
        n_conj = int(self._conjunctive.sum())
        self._within = np.where(self._conjunctive, 1.0 / n_conj, 1.0 / (len(self.hypotheses) - n_conj))
        self._membership = np.array([[obj in h.blickets for obj in self.objects] for h in self.hypotheses])
        self._log_likelihood = np.zeros(len(self.hypotheses))
        self.history: list[tuple[frozenset[str], bool]] = []
        self.set_prior(p_conjunctive)

    def set_prior(self, p_conjunctive: float) -> BlicketLearner:
        """Change the prior probability of the conjunctive rule (the evidence seen so far is kept)."""
        p_conjunctive = check_probability(p_conjunctive, "p_conjunctive")
        before = getattr(self, "p_conjunctive_prior", 0.5)
        self.p_conjunctive_prior, self._cached_posterior = p_conjunctive, None
        try:
            self._normalised(self._log_likelihood)  # a prior of 0 or 1 may contradict what was seen
        except ValueError:
            self.p_conjunctive_prior = before
            raise
        return self

    def copy(self) -> BlicketLearner:
        """An independent copy (same prior, same evidence)."""
        other = BlicketLearner.__new__(BlicketLearner)
        other.__dict__.update(self.__dict__)
        other._log_likelihood = self._log_likelihood.copy()
        other.history = list(self.history)
        return other

    def __repr__(self) -> str:
        return (f"BlicketLearner(p_conjunctive={self.p_conjunctive_prior:g}, noise={self.noise:g}, "
                f"tests seen={len(self.history)})")

    @property
    def prior(self) -> np.ndarray:
        """Prior probability of each hypothesis (in the order of ``hypotheses``)."""
        p = self.p_conjunctive_prior
        return self._within * np.where(self._conjunctive, p, 1.0 - p)

    def _normalised(self, log_likelihood: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            log_post = np.log(self.prior) + log_likelihood
        top = np.max(log_post)
        if not np.isfinite(top):
            raise ValueError(
                "the detector's answers are impossible under every hypothesis the learner considers "
                "(with its prior). If the detector can be wrong, give the learner noise > 0; otherwise check "
                "the tests and answers.")
        post = np.exp(log_post - top)
        return post / post.sum()

    @property
    def posterior(self) -> np.ndarray:
        """Posterior probability of each hypothesis given the tests seen so far (a read-only array)."""
        if self._cached_posterior is None:
            post = self._normalised(self._log_likelihood)
            post.setflags(write=False)
            self._cached_posterior = post
        return self._cached_posterior

    def _lights(self, on: frozenset[str]) -> np.ndarray:
        return _lights_vector(len(self.objects), on)

    def _answer_probabilities(self, on: frozenset[str]) -> np.ndarray:
        """P(lit | hypothesis) for every hypothesis."""
        return np.where(self._lights(on), 1.0 - self.noise, self.noise)

    def update(self, objects_on: Any, lit: bool) -> BlicketLearner:
        """Learn from one test: ``objects_on`` were on the detector and it did (``lit=True``) or did not light."""
        on = as_test(objects_on, self.objects, "objects_on")
        if not isinstance(lit, (bool, np.bool_)):
            raise TypeError(f"lit must be True or False (did the detector light?), got {_show(lit)}.")
        p_lit = self._answer_probabilities(on)
        with np.errstate(divide="ignore"):
            new = self._log_likelihood + np.log(p_lit if lit else 1.0 - p_lit)
        self._normalised(new)  # raises a clear error if nothing can explain the answers
        self._log_likelihood = new
        self._cached_posterior = None
        self.history.append((on, bool(lit)))
        return self

    def observe(self, history: Iterable[tuple[Any, bool]]) -> BlicketLearner:
        """Learn from a whole log of ``(objects_on, lit)`` tests, e.g. someone else's ``detector.history``."""
        if isinstance(history, (str, bytes)) or not isinstance(history, Iterable):
            raise TypeError(f"history must be a list of (objects_on, lit) pairs, got {_show(history)}.")
        for i, item in enumerate(history):
            if not isinstance(item, (tuple, list)) or len(item) != 2:
                raise TypeError(f"history[{i}] must be a pair (objects_on, lit), got {_show(item)}.")
            self.update(*item)
        return self

    def p_lit(self, objects_on: Any) -> float:
        """The learner's predicted probability that the detector lights with ``objects_on`` on it."""
        on = as_test(objects_on, self.objects, "objects_on")
        return float(np.clip(self.posterior @ self._answer_probabilities(on), 0.0, 1.0))

    def expected_information_gain(self, objects_on: Any) -> float:
        """Expected reduction in the entropy (bits) of the belief over hypotheses from one test.

        It equals H(predicted answer) - H(noise): with a noiseless detector, the
        entropy of the learner's prediction of the light.
        """
        return max(0.0, binary_entropy(self.p_lit(objects_on)) - binary_entropy(self.noise))

    def _all_gains(self) -> np.ndarray:
        """Expected information gain of every test of :func:`all_tests`, in that order (vectorised)."""
        p = np.clip(_lights_matrix(len(self.objects)) @ self.posterior * (1.0 - 2.0 * self.noise) + self.noise, 0.0, 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            entropy = -(np.where(p > 0, p * np.log2(p), 0.0) + np.where(p < 1, (1 - p) * np.log2(1 - p), 0.0))
        return np.maximum(entropy - binary_entropy(self.noise), 0.0) + 0.0  # + 0.0 turns -0.0 into 0.0

    def information_gains(self) -> dict[str, float]:
        """Expected information gain of every possible test, by test label."""
        return {label_test(t): float(g) for t, g in zip(all_tests(len(self.objects)), self._all_gains())}

    def entropy(self) -> float:
        """Entropy (bits) of the belief over hypotheses: 0 when the learner is sure."""
        post = self.posterior
        post = post[post > 0]
        return float(-(post * np.log2(post)).sum())

    def blicket_probabilities(self) -> dict[str, float]:
        """For each object, the posterior probability that it is a blicket."""
        probabilities = np.clip(self.posterior @ self._membership, 0.0, 1.0)
        return {obj: float(p) for obj, p in zip(self.objects, probabilities)}

    def p_conjunctive(self) -> float:
        """Posterior probability that the rule is conjunctive."""
        return float(self.posterior[self._conjunctive].sum())

    def quiz_answer(self) -> frozenset[str]:
        """The quiz answer: the objects more likely than not to be blickets (the answer that maximises
        the expected number of right answers)."""
        return frozenset(o for o, p in self.blicket_probabilities().items() if p > 0.5)

    def confidence(self) -> float:
        """Posterior probability that the whole quiz answer is right (the blicket set is exactly it)."""
        answer = self.quiz_answer()
        return float(sum(p for p, h in zip(self.posterior, self.hypotheses) if h.blickets == answer))

    def rule_evidence(self) -> dict[str, float]:
        """P(the answers seen | rule) for each rule: the likelihood of the tests under each rule,
        averaged over the blicket sets the rule allows.  The overhypothesis learns from this."""
        lik = np.exp(self._log_likelihood)
        return {rule: float((lik * self._within)[self._conjunctive == (rule == "conjunctive")].sum())
                for rule in RULES}

    def beliefs(self) -> dict[str, float]:
        """The posterior as ``{hypothesis label: probability}``, in the order of ``hypotheses``."""
        return {h.label: float(p) for h, p in zip(self.hypotheses, self.posterior)}


# ----------------------------------------------------------------------------------------------
# Choosing tests, episodes and learning curves
# ----------------------------------------------------------------------------------------------

def _check_learner(learner: Any) -> BlicketLearner:
    if not isinstance(learner, BlicketLearner):
        raise TypeError(f"learner must be a BlicketLearner, got {_show(learner)} ({type(learner).__name__}).")
    return learner


def most_informative_tests(learner: BlicketLearner, *, tol: float = 1e-9) -> list[frozenset[str]]:
    """The tests with the largest expected information gain (several when they tie), in :func:`all_tests` order."""
    learner = _check_learner(learner)
    tests = all_tests(len(learner.objects))
    gains = learner._all_gains()
    return [t for t, g in zip(tests, gains) if g >= gains.max() - tol]


def choose_test(learner: BlicketLearner, policy: str = "eig", *, seed: Any = None) -> frozenset[str]:
    """The learner's next test: ``"eig"`` (largest expected information gain, ties broken at random)
    or ``"random"`` (any non-empty set of objects, uniformly)."""
    learner = _check_learner(learner)
    if policy not in ("eig", "random"):
        raise ValueError(f"policy must be 'eig' or 'random', got {_show(policy)}.")
    rng = _as_rng(seed)
    options = most_informative_tests(learner) if policy == "eig" else all_tests(len(learner.objects))
    return options[int(rng.integers(len(options)))]


def _check_explore(explore: Any) -> str:
    if explore not in EXPLORATION:
        raise ValueError(f"explore must be one of {', '.join(map(repr, EXPLORATION))}, got {_show(explore)}.")
    return explore


def run_episode(world: BlicketDetector, learner: BlicketLearner, n_steps: int, *, n_watch: int = 0,
                explore: str = "eig", seed: Any = None) -> list[dict]:
    """One episode: the learner watches ``n_watch`` demonstrations, then makes its own tests.

    The demonstrator shows the tests of :func:`all_tests` in order (each object
    alone, then the pairs, then all; again from the start if needed).  After the
    demonstrations the learner chooses by ``explore``: ``"eig"``, ``"random"``, or
    ``"watch"`` (it keeps watching the demonstrator).  Returns ``n_steps + 1``
    records (step 0 is before any test) with the quiz accuracy, the learner's
    confidence and who made the test.
    """
    if not isinstance(world, BlicketDetector):
        raise TypeError(f"world must be a BlicketDetector, got {_show(world)} ({type(world).__name__}).")
    learner = _check_learner(learner)
    if learner.objects != world.objects:
        raise ValueError(f"the learner knows objects {learner.objects} but the world has {world.objects}.")
    n_steps = check_int(n_steps, "n_steps", minimum=0)
    n_watch = check_int(n_watch, "n_watch", minimum=0)
    explore = _check_explore(explore)
    rng = _as_rng(seed)
    script = all_tests(len(world.objects))

    def record(step, test, lit, who):
        return {"step": step, "test": test, "lit": lit, "who": who,
                "accuracy": world.quiz_score(learner.quiz_answer()), "confidence": learner.confidence()}

    records = [record(0, None, None, None)]
    for step in range(1, n_steps + 1):
        if step <= n_watch or explore == "watch":
            test, who = script[(step - 1) % len(script)], "demonstrator"
        else:
            test, who = choose_test(learner, explore, seed=rng), "learner"
        lit = world.test(test)
        learner.update(test, lit)
        records.append(record(step, test, lit, who))
    return records


def learning_curves(n_episodes: int = 200, n_steps: int = 7, *, n_watch: int = 2,
                    explore: Sequence[str] = EXPLORATION, p_conjunctive: float = 0.5, noise: float = 0.0,
                    seed: int = 0) -> dict[str, np.ndarray]:
    """Quiz accuracy after every test, for each way of exploring, over ``n_episodes`` seeded worlds.

    Every way of exploring meets the same worlds (drawn with ``p_conjunctive``)
    and the same ``n_watch`` demonstrations.  Returns ``{explore: array}`` with one
    row per episode and ``n_steps + 1`` columns (column 0 is before any test).
    """
    n_episodes = check_count(n_episodes, "n_episodes")
    n_steps = check_count(n_steps, "n_steps")
    if isinstance(explore, str):
        explore = (explore,)
    explore = [_check_explore(e) for e in explore]
    p_conjunctive = check_probability(p_conjunctive, "p_conjunctive")
    noise = _check_noise(noise)
    check_int(seed, "seed", minimum=0)
    episode_seeds = np.random.SeedSequence(seed).spawn(n_episodes)
    curves = {e: np.zeros((n_episodes, n_steps + 1)) for e in explore}
    for i, episode_seed in enumerate(episode_seeds):
        world_seed, *run_seeds = episode_seed.spawn(1 + len(explore))
        truth = random_hypothesis(p_conjunctive, seed=np.random.default_rng(world_seed))
        for e, run_seed in zip(explore, run_seeds):
            rng = np.random.default_rng(run_seed)
            world = BlicketDetector(truth.blickets, truth.rule, noise=noise, seed=rng)
            learner = BlicketLearner(p_conjunctive=p_conjunctive, noise=noise)
            records = run_episode(world, learner, n_steps, n_watch=n_watch, explore=e, seed=rng)
            curves[e][i] = [r["accuracy"] for r in records]
    return curves


_CURVE_STYLE = {"watch": ("keep watching the demonstrator", "grey", "-"),
                "eig": ("explore by information gain", "blue", "-"),
                "random": ("explore at random", "orange", "--")}


def plot_learning_curves(curves: dict[str, np.ndarray], *, n_watch: int = 0, ax=None, title: str | None = None):
    """Mean quiz accuracy against the number of tests (with a band of +-1 standard error)."""
    from .plotting import COLORS, new_figure

    if ax is None:
        _, ax = new_figure()
    for key, values in curves.items():
        label, color, style = _CURVE_STYLE.get(key, (key, "black", "-"))
        values = np.asarray(values, dtype=float)
        steps = np.arange(values.shape[1])
        mean = values.mean(axis=0)
        sem = values.std(axis=0, ddof=1) / np.sqrt(len(values)) if len(values) > 1 else np.zeros_like(mean)
        ax.plot(steps, mean, style, marker="o", ms=3, color=COLORS[color], label=label)
        ax.fill_between(steps, mean - sem, mean + sem, color=COLORS[color], alpha=0.2, lw=0)
    if n_watch:
        ax.axvspan(0, n_watch, color=COLORS["grey"], alpha=0.12, lw=0)
        ax.text(n_watch / 2, 0.02, "watching", ha="center", va="bottom", fontsize=8, transform=ax.get_xaxis_transform())
    ax.set_xlabel("number of tests seen")
    ax.set_ylabel("quiz accuracy")
    ax.set_ylim(0.4, 1.02)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title or "")
    return ax


def explore_until_confident(world: BlicketDetector, learner: BlicketLearner, *, confidence: float = 0.95,
                            max_steps: int = 20, explore: str = "eig", seed: Any = None) -> tuple[int, float]:
    """The learner tests until it is ``confidence`` sure of its quiz answer (or ``max_steps`` tests).

    Returns ``(number of tests, quiz accuracy)``.
    """
    confidence = check_real(confidence, "confidence", minimum=0.0, maximum=1.0)
    max_steps = check_int(max_steps, "max_steps", minimum=0)
    if explore not in ("eig", "random"):
        raise ValueError(f"explore must be 'eig' or 'random', got {_show(explore)}.")
    rng = _as_rng(seed)
    steps = 0
    while steps < max_steps and learner.confidence() < confidence:
        test = choose_test(learner, explore, seed=rng)
        learner.update(test, world.test(test))
        steps += 1
    return steps, world.quiz_score(learner.quiz_answer())


# ----------------------------------------------------------------------------------------------
# Overhypotheses: learning what kind of rule this world tends to have
# ----------------------------------------------------------------------------------------------

def _log_beta(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    lgamma = np.vectorize(math.lgamma)
    return lgamma(a) + lgamma(b) - lgamma(a + b)


class RuleOverhypothesis:
    """A belief about theta = P(an episode's rule is conjunctive) in this world, learned across episodes.

    The prior on theta is Beta(``a``, ``b``).  After an episode the learner is not
    always sure which rule it met, so the exact posterior is a mixture of Beta
    distributions: Beta(a + k, b + n - k) with a weight for every possible number
    k of conjunctive episodes among the n seen.  :meth:`update` keeps those weights
    exactly.  When every episode's rule was certain it is simply
    Beta(a + #conjunctive, b + #disjunctive).

    >>> belief = RuleOverhypothesis()
    >>> for _ in range(3):
    ...     belief = belief.update({"conjunctive": 1.0, "disjunctive": 0.0})
    >>> round(belief.p_conjunctive(), 3)       # (1 + 3) / (2 + 3)
    0.8
    """

    def __init__(self, a: float = 1.0, b: float = 1.0):
        self.a = check_positive(a, "a")
        self.b = check_positive(b, "b")
        self._log_weights = np.zeros(1)  # over k = 0..n (number of conjunctive episodes), before Beta factors

    @property
    def n_episodes(self) -> int:
        """How many episodes the belief has learned from."""
        return len(self._log_weights) - 1

    def __repr__(self) -> str:
        return f"RuleOverhypothesis(a={self.a:g}, b={self.b:g}, episodes={self.n_episodes}, " \
               f"p_conjunctive={self.p_conjunctive():.3f})"

    def _mixture(self) -> np.ndarray:
        n = self.n_episodes
        k = np.arange(n + 1)
        log_pi = self._log_weights + _log_beta(self.a + k, self.b + n - k)
        pi = np.exp(log_pi - log_pi.max())
        return pi / pi.sum()

    def count_probabilities(self) -> np.ndarray:
        """P(k of the episodes seen were conjunctive), for k = 0..n_episodes."""
        return self._mixture()

    def p_conjunctive(self) -> float:
        """Probability that the next episode's rule is conjunctive (the posterior mean of theta)."""
        n = self.n_episodes
        k = np.arange(n + 1)
        return float(self._mixture() @ ((self.a + k) / (self.a + self.b + n)))

    def update(self, evidence: dict[str, float]) -> RuleOverhypothesis:
        """Learn from one episode, given ``evidence = {rule: P(that episode's answers | rule)}``
        (:meth:`BlicketLearner.rule_evidence`)."""
        if not isinstance(evidence, dict) or set(evidence) != set(RULES):
            raise TypeError(f"evidence must be a dict with keys 'conjunctive' and 'disjunctive' "
                            f"(BlicketLearner.rule_evidence()), got {_show(evidence)}.")
        conj = check_real(evidence["conjunctive"], "evidence['conjunctive']", minimum=0.0)
        disj = check_real(evidence["disjunctive"], "evidence['disjunctive']", minimum=0.0)
        if conj == 0 and disj == 0:
            raise ValueError("evidence: the episode is impossible under both rules (both likelihoods are 0).")
        with np.errstate(divide="ignore"):
            lc, ld = math.log(conj) if conj > 0 else -np.inf, math.log(disj) if disj > 0 else -np.inf
            new = np.full(self.n_episodes + 2, -np.inf)
            new[1:] = self._log_weights + lc
            new[:-1] = np.logaddexp(new[:-1], self._log_weights + ld)
        self._log_weights = new - np.max(new)
        return self

    def density(self, theta: Any) -> np.ndarray:
        """Posterior density of theta at the given values in [0, 1] (for plots)."""
        theta = np.asarray(theta, dtype=float)
        if theta.size == 0 or np.any((theta < 0) | (theta > 1)) or not np.all(np.isfinite(theta)):
            raise ValueError("theta must be numbers between 0 and 1.")
        n = self.n_episodes
        out = np.zeros_like(theta)
        with np.errstate(divide="ignore"):
            log_t, log_1t = np.log(theta), np.log1p(-theta)
        for k, w in enumerate(self._mixture()):
            a, b = self.a + k, self.b + n - k
            with np.errstate(invalid="ignore"):
                log_pdf = (a - 1) * log_t + (b - 1) * log_1t - _log_beta(a, b)
            out += w * np.exp(np.nan_to_num(log_pdf, nan=-np.inf))
        return out


def overhypothesis_experiment(n_sequences: int = 40, n_episodes: int = 20, *, p_conjunctive_world: float = 0.9,
                              confidence: float = 0.95, max_steps: int = 20, noise: float = 0.0,
                              a: float = 1.0, b: float = 1.0, seed: int = 0) -> dict[str, np.ndarray]:
    """Two learners meet the same ``n_episodes`` worlds in a row, ``n_sequences`` times over.

    In this world a rule is conjunctive with probability ``p_conjunctive_world``.
    Each episode, each learner explores by information gain until it is
    ``confidence`` sure of its quiz answer.  The *flat* learner always starts
    from P(conjunctive) = 0.5; the *overhypothesis* learner starts from what its
    :class:`RuleOverhypothesis` (prior Beta(a, b)) has learned in earlier episodes.

    Returns arrays of shape ``(n_sequences, n_episodes)``: ``steps_flat``,
    ``steps_overhypothesis``, ``accuracy_flat``, ``accuracy_overhypothesis``,
    ``belief`` (the overhypothesis learner's P(conjunctive) at the start of the
    episode) and ``conjunctive`` (the true rule).
    """
    n_sequences = check_count(n_sequences, "n_sequences")
    n_episodes = check_count(n_episodes, "n_episodes")
    p_world = check_probability(p_conjunctive_world, "p_conjunctive_world")
    noise = _check_noise(noise)
    check_int(seed, "seed", minimum=0)
    shape = (n_sequences, n_episodes)
    out = {key: np.zeros(shape) for key in ("steps_flat", "steps_overhypothesis", "accuracy_flat",
                                            "accuracy_overhypothesis", "belief")}
    out["conjunctive"] = np.zeros(shape, dtype=bool)
    for s, seq_seed in enumerate(np.random.SeedSequence(seed).spawn(n_sequences)):
        overhypothesis = RuleOverhypothesis(a, b)
        for e, ep_seed in enumerate(seq_seed.spawn(n_episodes)):
            world_seed, flat_seed, over_seed = ep_seed.spawn(3)
            truth = random_hypothesis(p_world, seed=np.random.default_rng(world_seed))
            out["conjunctive"][s, e] = truth.rule == "conjunctive"
            out["belief"][s, e] = overhypothesis.p_conjunctive()
            for name, prior, run_seed in (("flat", 0.5, flat_seed),
                                          ("overhypothesis", out["belief"][s, e], over_seed)):
                rng = np.random.default_rng(run_seed)
                world = BlicketDetector(truth.blickets, truth.rule, noise=noise, seed=rng)
                learner = BlicketLearner(p_conjunctive=prior, noise=noise)
                steps, accuracy = explore_until_confident(world, learner, confidence=confidence,
                                                          max_steps=max_steps, seed=rng)
                out[f"steps_{name}"][s, e], out[f"accuracy_{name}"][s, e] = steps, accuracy
                if name == "overhypothesis":
                    overhypothesis.update(learner.rule_evidence())
    return out


def plot_overhypothesis(result: dict[str, np.ndarray], axes=None):
    """Left: mean tests needed per episode, flat vs overhypothesis learner.  Right: the learned P(conjunctive)."""
    from .plotting import COLORS, new_figure

    if axes is None:
        _, axes = new_figure(2)
    episodes = np.arange(1, result["steps_flat"].shape[1] + 1)
    for key, label, color in (("steps_flat", "flat prior (P(conj) = 0.5)", "grey"),
                              ("steps_overhypothesis", "overhypothesis learner", "green")):
        axes[0].plot(episodes, result[key].mean(axis=0), marker="o", ms=3, color=COLORS[color], label=label)
    axes[0].set_xlabel("episode")
    axes[0].set_ylabel("tests until 95% sure")
    axes[0].set_ylim(bottom=0)
    axes[0].legend(fontsize=8, loc="lower left")
    axes[1].plot(episodes, result["belief"].mean(axis=0), marker="o", ms=3, color=COLORS["green"],
                 label="learned P(conjunctive)")
    axes[1].axhline(result["conjunctive"].mean(), color=COLORS["black"], ls=":", lw=1,
                    label="share of conjunctive worlds")
    axes[1].set_xlabel("episode")
    axes[1].set_ylabel("P(next rule is conjunctive)")
    axes[1].set_ylim(0, 1)
    axes[1].legend(fontsize=8, loc="lower right")
    return axes
