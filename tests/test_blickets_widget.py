"""Lesson 09's widget: the update function (driven directly), the figure, and the builder's controls."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from causal_lessons.blickets import BlicketLearner  # noqa: E402
from causal_lessons.widgets.blickets import (  # noqa: E402
    blicket_detector_widget,
    detector_update,
    draw_detector_state,
    state_text,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_update_before_any_test_is_the_prior():
    state = detector_update([])
    assert state["tests"] == [] and state["lit"] == []
    assert state["on"] == frozenset()
    assert state["n_possible"] == 11
    assert state["p_conjunctive"] == pytest.approx(0.5)
    assert state["suggestions"] == ["AB", "AC", "BC"]
    assert state["blicket_probabilities"] == pytest.approx(BlicketLearner().blicket_probabilities())


def test_update_replays_the_tests_on_the_hidden_world():
    state = detector_update(["A", "B", "AB"], blickets="A", rule="disjunctive")
    assert state["tests"] == ["A", "B", "AB"]
    assert state["lit"] == [True, False, True]
    assert state["on"] == frozenset("AB")
    assert state["blicket_probabilities"] == pytest.approx({"A": 1.0, "B": 0.0, "C": 0.5})
    assert state["p_conjunctive"] == 0.0
    assert state["quiz_answer"] == ["A"]
    assert state["n_possible"] == 2
    assert state["world"] == "A disjunctive"
    assert set(state["suggestions"]) <= {"C", "AC", "BC", "ABC"}


def test_update_on_a_conjunctive_world():
    three = detector_update(["A", "AB", "AC"], blickets="AB", rule="conjunctive")
    assert three["lit"] == [False, True, False]
    assert three["n_possible"] == 2  # B alone (disjunctive) also explains these three answers
    state = detector_update(["A", "B", "AB", "AC"], blickets="AB", rule="conjunctive")
    assert state["quiz_answer"] == ["A", "B"]
    assert state["confidence"] == 1.0
    assert state["p_conjunctive"] == 1.0


def test_update_with_noise_is_reproducible_from_the_seed():
    tests = ["A"] * 12
    first = detector_update(tests, blickets="A", noise=0.2, seed=3)
    assert detector_update(tests, blickets="A", noise=0.2, seed=3) == first
    assert False in first["lit"]  # a noisy detector sometimes stays dark with a blicket on it
    assert first["blicket_probabilities"]["A"] > 0.9


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"tests": "AB"}, TypeError, "tests must be a list of tests"),
    ({"tests": ["AZ"]}, KeyError, "tests[0]: unknown variable 'Z'"),
    ({"tests": [], "rule": "maybe"}, ValueError, "rule must be"),
    ({"tests": [], "seed": -2}, ValueError, "seed must be at least 0"),
    ({"tests": ["A", "A"], "blickets": "A", "noise": 0.0, "p_conjunctive": 1.0}, ValueError, "impossible"),
])
def test_update_errors(kwargs, error, fragment):
    with pytest.raises(error) as info:
        detector_update(**kwargs)
    assert fragment in str(info.value)


def test_state_text_and_figure():
    state = detector_update(["AB"], blickets="BC", rule="conjunctive")
    text = state_text(state)
    assert "On the detector: AB; it is dark." in text
    assert "Hidden world" not in text
    assert "Hidden world: BC conjunctive." in state_text(state, reveal=True)
    assert state_text(detector_update([], draw=False)).startswith("Nothing tested yet.")
    assert state.readout == text and detector_update(["AB"], blickets="BC", rule="conjunctive", reveal=True,
                                                     draw=False).readout == state_text(state, reveal=True)
    (box, bars) = state.figure.axes
    assert "dark" in box.get_title() and "BC conjunctive" not in box.get_title()
    box, bars = draw_detector_state(state, reveal=True)
    assert "dark" in box.get_title() and "BC conjunctive" in box.get_title()
    assert [round(p.get_width(), 6) for p in bars.patches] == \
        [round(v, 6) for v in (*state["blicket_probabilities"].values(), state["p_conjunctive"])]
    plt.close("all")


def _controls(widget):
    objects_row, buttons_row, status, _out = widget.children
    toggles = {b.description: b for b in objects_row.children[1:]}
    restart, new_world, reveal = buttons_row.children
    return toggles, restart, new_world, reveal, status


def test_widget_places_objects_and_updates_the_beliefs():
    widget = blicket_detector_widget("A", "disjunctive")
    toggles, restart, new_world, reveal, status = _controls(widget)
    assert set(toggles) == {"A", "B", "C"}
    assert "cl-readout" in status._dom_classes and "cl-output" in widget.children[3]._dom_classes
    assert "Nothing tested yet" in status.value
    toggles["A"].value = True  # place A: a test
    assert "On the detector: A; it is LIT." in status.value
    toggles["B"].value = True
    toggles["A"].value = False  # remove A: B alone
    assert "On the detector: B; it is dark." in status.value
    assert "Tests so far: 3." in status.value
    expected = detector_update(["A", "AB", "B"], blickets="A", rule="disjunctive", draw=False)
    assert status.value == state_text(expected) == expected.readout
    reveal.value = True
    assert "Hidden world: A disjunctive." in status.value
    restart.click()
    assert "Nothing tested yet" in status.value and not any(t.value for t in toggles.values())
    new_world.click()
    assert "Nothing tested yet" in status.value and "Hidden world:" in status.value
    assert plt.get_fignums() == []


def test_widget_random_world_is_reproducible_and_arguments_are_checked():
    a, b = blicket_detector_widget(seed=7), blicket_detector_widget(seed=7)
    for w in (a, b):
        _controls(w)[3].value = True
    assert _controls(a)[4].value == _controls(b)[4].value
    with pytest.raises(ValueError, match="give both blickets and rule"):
        blicket_detector_widget("A")
    with pytest.raises(ValueError, match="noise must be below 0.5"):
        blicket_detector_widget(noise=0.7)
    plt.close("all")
