"""Lesson 09's widget: put objects on a blicket detector and watch a Bayesian learner's beliefs change.

* :func:`detector_update` -- the plain update function (no widget): replays the
  tests on a detector with a given hidden world and returns the detector's
  answers and the learner's beliefs, the readout and the figure.  Tests drive it directly.
* :func:`draw_detector_state` -- the figure: the detector with the objects on it,
  and the learner's P(blicket) for each object and P(conjunctive rule).
* :func:`blicket_detector_widget` -- the widget: a toggle button per object
  (pressing it places or removes the object, which is a test), "Start again",
  "New hidden world" and "Reveal the hidden world".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._validate import _show, check_int
from ..blickets import (
    BlicketDetector,
    BlicketLearner,
    as_test,
    most_informative_tests,
    object_names,
    random_hypothesis,
    label_test,
)
from ..plotting import COLORS, fixed_figure, painted_figure
from .frame import View, WidgetFrame

__all__ = ["detector_update", "state_text", "draw_detector_state", "blicket_detector_widget"]


def detector_update(tests: Sequence[Any], *, blickets: Any = "A", rule: str = "disjunctive",
                    p_conjunctive: float = 0.5, noise: float = 0.0, seed: int = 0, reveal: bool = False,
                    draw: bool = True, figure=None) -> View:
    """Replay ``tests`` (each a set of objects on the detector) on a detector whose hidden world is
    ``blickets`` and ``rule``, and return what a :class:`~causal_lessons.blickets.BlicketLearner` believes.

    The readout is :func:`state_text`, the figure :func:`draw_detector_state` (both
    name the hidden world only with ``reveal``).  ``values`` hold the tests and
    answers (``tests``, ``lit``), the objects on the detector now (``on``), the
    learner's ``blicket_probabilities``,
    ``p_conjunctive``, ``quiz_answer``, ``confidence``, the number of hypotheses
    still possible (``n_possible``), the most informative next tests
    (``suggestions``) and the hidden ``world``.  With ``noise > 0`` the detector's
    errors are drawn from ``seed``, so the same inputs always give the same state.  ``figure``: a
    figure an earlier call returned, drawn again (what the widget does; see
    :func:`causal_lessons.plotting.painted_figure`); by default a new one.
    """
    if isinstance(tests, (str, bytes)) or not isinstance(tests, Sequence):
        raise TypeError(f"tests must be a list of tests such as ['A', 'AB'], got {_show(tests)}.")
    check_int(seed, "seed", minimum=0)
    world = BlicketDetector(blickets, rule, noise=noise, seed=seed)
    learner = BlicketLearner(p_conjunctive=p_conjunctive, noise=noise)
    for i, test in enumerate(tests):
        on = as_test(test, world.objects, f"tests[{i}]")
        learner.update(on, world.test(on))
    posterior = learner.posterior
    state = {
        "objects": world.objects,
        "tests": [label_test(on) for on, _ in world.history],
        "lit": [lit for _, lit in world.history],
        "on": world.on,
        "blicket_probabilities": learner.blicket_probabilities(),
        "p_conjunctive": learner.p_conjunctive(),
        "quiz_answer": sorted(learner.quiz_answer()),
        "confidence": learner.confidence(),
        "n_possible": int((posterior > 1e-9).sum()),
        "suggestions": [label_test(t) for t in most_informative_tests(learner)],
        "world": world.hypothesis.label,
    }
    fig = None
    if draw:
        fig = painted_figure(figure, _detector_figure, lambda fig: draw_detector_state(state, fig.axes, reveal=reveal))
    return View(readout=state_text(state, reveal=reveal), figure=fig, values=state)


def state_text(state, *, reveal: bool = False) -> str:
    """A one-paragraph summary of a :func:`detector_update` state (its values, or the view itself; plain text)."""
    if not state["tests"]:
        light = "Nothing tested yet."
    else:
        light = f"On the detector: {label_test(state['on'])}; it is {'LIT' if state['lit'][-1] else 'dark'}."
    probabilities = ", ".join(f"{o} {p:.2f}" for o, p in state["blicket_probabilities"].items())
    answer = ", ".join(state["quiz_answer"]) or "none"
    text = (f"{light} Tests so far: {len(state['tests'])}. P(blicket): {probabilities}. "
            f"P(conjunctive rule): {state['p_conjunctive']:.2f}. Quiz answer: {answer} "
            f"({state['confidence']:.0%} sure; {state['n_possible']} hypotheses still possible). "
            f"Most informative next test: {' or '.join(state['suggestions'])}.")
    if reveal:
        text += f" Hidden world: {state['world']}."
    return text


def _detector_figure():
    """The detector's figure, empty: the detector's panel and the beliefs' panel."""
    return fixed_figure(2, width=8.0, height=3.0, width_ratios=[1.1, 1.0], left=0.05, bottom=0.5, right=0.15,
                        top=0.3, gap=1.4)[0]


def draw_detector_state(state, axes=None, *, reveal: bool = False):
    """Draw the detector (objects on it, light on or off, the log of tests) and the learner's beliefs.

    ``state``: the values of a :func:`detector_update` view (or the view).  Draws on
    two ``axes`` (a new figure if None) and returns them.
    """
    from matplotlib.patches import Circle, Rectangle

    if axes is None:
        axes = _detector_figure().axes
    box, bars = axes
    objects = state["objects"]
    lit = bool(state["lit"][-1]) if state["lit"] else False
    box.add_patch(Rectangle((0.5, 0.0), 3.0, 1.0, facecolor="#DDDDDD", edgecolor=COLORS["black"]))
    box.add_patch(Circle((2.0, 0.5), 0.3, facecolor=COLORS["yellow"] if lit else "#888888",
                         edgecolor=COLORS["black"]))
    for i, obj in enumerate(objects):
        on = obj in state["on"]
        x, y = (0.8 + i * (2.4 / max(len(objects) - 1, 1)), 1.05) if on else (4.2, 2.2 - 0.55 * i)
        box.add_patch(Rectangle((x - 0.22, y), 0.44, 0.44, facecolor=COLORS["sky"] if on else "white",
                                edgecolor=COLORS["black"]))
        box.text(x, y + 0.22, obj, ha="center", va="center", fontsize=10)
    log = [f"{t}: {'lit' if s else 'dark'}" for t, s in zip(state["tests"], state["lit"])][-6:]
    box.text(0.0, 2.9, "tests (latest last):\n" + ("\n".join(log) if log else "none yet"), va="top", fontsize=8)
    box.set_xlim(-0.1, 4.8)
    box.set_ylim(-0.1, 3.0)
    box.set_aspect("equal")
    box.set_axis_off()
    box.set_title(f"detector: {'LIT' if lit else 'dark'}" + (f"  (world: {state['world']})" if reveal else ""))

    labels = [f"{o} is a blicket" for o in objects] + ["rule: conjunctive"]
    values = [state["blicket_probabilities"][o] for o in objects] + [state["p_conjunctive"]]
    colors = [COLORS["blue"]] * len(objects) + [COLORS["purple"]]
    positions = np.arange(len(values))[::-1]
    bars.barh(positions, values, color=colors)
    for y, v in zip(positions, values):
        bars.text(min(v + 0.02, 0.85), y, f"{v:.2f}", va="center", fontsize=8)
    bars.set_yticks(positions, labels)
    bars.set_xlim(0, 1)
    bars.set_xlabel("learner's probability")
    bars.set_title(f"after {len(state['tests'])} test{'s' if len(state['tests']) != 1 else ''}")
    bars.grid(axis="y", visible=False)
    return axes


def blicket_detector_widget(blickets: Any = None, rule: str | None = None, *, p_conjunctive: float = 0.5,
                            noise: float = 0.0, seed: int = 0):
    """A detector to play with: each object's button places it on or removes it from the detector
    (every change is a test); the figure shows the detector and the learner's beliefs.

    Without ``blickets`` and ``rule`` the hidden world is drawn from the prior
    (``seed``); "New hidden world" draws the next one.  Returns the widget.
    """
    import ipywidgets as widgets

    check_int(seed, "seed", minimum=0)
    if (blickets is None) != (rule is None):
        raise ValueError("give both blickets and rule for a chosen world, or neither for a random one.")
    detector_update([], blickets=blickets or "A", rule=rule or "disjunctive", p_conjunctive=p_conjunctive,
                    noise=noise, seed=seed, draw=False)  # checks the arguments now, with clear messages
    world = {"blickets": blickets, "rule": rule, "draws": 0}
    if blickets is None:
        truth = random_hypothesis(p_conjunctive, seed=seed)
        world.update(blickets=truth.blickets, rule=truth.rule)
    tests: list[frozenset[str]] = []

    toggles = {obj: widgets.ToggleButton(description=obj, tooltip=f"place or remove object {obj}",
                                         layout=widgets.Layout(width="60px"))
               for obj in object_names()}
    restart = widgets.Button(description="Start again")
    new_world = widgets.Button(description="New hidden world")
    reveal = widgets.Checkbox(description="Reveal the hidden world", value=False, indent=False)

    def update(reveal: bool, figure=None) -> View:
        return detector_update(tests, blickets=world["blickets"], rule=world["rule"], p_conjunctive=p_conjunctive,
                               noise=noise, seed=seed, reveal=reveal, figure=figure)

    frame = WidgetFrame(update, {"reveal": reveal}, name="blicket",
                        rows=[[widgets.Label("Objects (press to place / remove):"), *toggles.values()],
                              [restart, new_world, reveal]])

    def on_toggle(_change):
        tests.append(frozenset(obj for obj, button in toggles.items() if button.value))
        frame.refresh()

    def start_again():
        for button in toggles.values():
            button.unobserve(on_toggle, names="value")
            button.value = False
            button.observe(on_toggle, names="value")
        tests.clear()
        frame.refresh()

    def on_new_world(_button):
        world["draws"] += 1
        truth = random_hypothesis(p_conjunctive, seed=np.random.default_rng([seed, world["draws"]]))
        world.update(blickets=truth.blickets, rule=truth.rule)
        start_again()

    for button in toggles.values():
        button.observe(on_toggle, names="value")
    restart.on_click(lambda _button: start_again())
    new_world.on_click(on_new_world)
    return frame.widget
