"""Tests of lesson 11's part-1 exercise checkers: right answers pass, wrong ones get a hint that does not reveal
them, any answer gets feedback."""

from __future__ import annotations

import numpy as np
import pytest

from causal_lessons import content_effects as ce
from causal_lessons.exercises import content_effects as ex


@pytest.fixture(scope="module")
def problems():
    return ce.evaluation_problems(ce.CONTENT_EXPERIMENT.with_settings(test_per_cell=50, natural_test=400))


def test_agreement_verdict_reads_the_interval():
    def bias(low, high):
        return ce.BeliefBias((low + high) / 2, low, high, 0.5, 0.5, 10)
    assert ex.agreement_verdict(bias(0.1, 0.3)) == "where they agree"
    assert ex.agreement_verdict(bias(-0.3, -0.1)) == "where they conflict"
    assert ex.agreement_verdict(bias(-0.1, 0.2)) == "no difference"
    with pytest.raises(TypeError, match="bias must be a BeliefBias"):
        ex.agreement_verdict(0.3)


def test_agreement_prediction(problems):
    cells = problems["cells"]
    follows_belief = ce.belief_answers(cells)
    assert ex.check_agreement_prediction("where they agree", follows_belief, cells).correct
    assert ex.check_agreement_prediction(" Where they AGREE ", follows_belief, cells).correct
    wrong = ex.check_agreement_prediction("no difference", follows_belief, cells)
    assert not wrong.correct and "agree" not in wrong.message
    assert ex.check_agreement_prediction("no difference", ce.logic_tool(cells), cells).correct
    assert "should be one of" in ex.check_agreement_prediction("maybe", follows_belief, cells).message
    assert repr(ex.check_agreement_prediction(..., follows_belief, cells)).startswith("Not answered yet")
    with pytest.raises(ValueError, match="answers must hold one answer per problem"):
        ex.check_agreement_prediction("no difference", [True], cells)


def test_guaranteed_cells(problems):
    cells = problems["cells"]
    assert ex.guaranteed_cells(cells) == {"valid-believable", "valid-unbelievable"}
    assert ex.check_guaranteed_cells({"valid-believable", "valid-unbelievable"}, cells).correct
    assert ex.check_guaranteed_cells(["Valid-Unbelievable", "valid-believable"], cells).correct
    wrong = ex.check_guaranteed_cells({"valid-believable"}, cells)
    assert not wrong.correct and "valid-unbelievable" not in wrong.message
    assert "is not a cell" in ex.check_guaranteed_cells({"believable"}, cells).message
    assert "should be a set of cell names" in ex.check_guaranteed_cells("valid-believable", cells).message
    natural = problems["natural"]                  # damaged premises: a chain is no longer a guarantee everywhere
    assert ex.guaranteed_cells(natural) <= {"valid-believable", "valid-unbelievable"}


@pytest.fixture(scope="module")
def model():
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    return ce.load_shipped()[0]


def test_bias_trap_accepts_any_problem_the_model_gets_wrong_by_belief(model, problems):
    cells = problems["cells"]
    said = ce.model_answers(model, cells)
    by_belief = np.flatnonzero((said != cells.label) & (said == cells.believable))
    assert by_belief.size
    for i in by_belief[:3]:
        feedback = ex.check_bias_trap(cells.text(int(i)), model)
        assert feedback.correct and "Deferring to the tool always fixes it" in feedback.message
    right = int(np.flatnonzero(said == cells.label)[0])
    assert "the model is right on this one" in ex.check_bias_trap(cells.text(right), model).message
    other = np.flatnonzero((said != cells.label) & (said != cells.believable))
    if other.size:
        assert "but not by following belief" in ex.check_bias_trap(cells.text(int(other[0])), model).message
    assert "should be a problem written as a string" in ex.check_bias_trap(3, model).message
    assert "could not be read" in ex.check_bias_trap("snow causes ice . so snow causes ice", model).message
    assert repr(ex.check_bias_trap(..., model)).startswith("Not answered yet")
    with pytest.raises(TypeError, match="lm must be a language model"):
        ex.check_bias_trap("rain causes ice . so rain causes ice", "model")


def test_bias_trap_says_which_policy_fixes_it(model, problems):
    cells = problems["cells"]
    said = ce.model_answers(model, cells)
    for k, fixed in ((1, "fixes it too"), (2, "does not")):          # valid-unbelievable, invalid-believable
        wrong = np.flatnonzero((cells.cell == k) & (said != cells.label))
        if wrong.size:
            assert fixed in ex.check_bias_trap(cells.text(int(wrong[0])), model).message
