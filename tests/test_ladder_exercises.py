"""Lesson 01's labelling exercise and the labelling machinery: the question list holds no answers."""

from __future__ import annotations

import numpy as np

from causal_lessons.exercises import ladder as ex
from causal_lessons.exercises.core import check_labels

# the lesson's reasoning: data as they come (1), a population under an action (2), one case that happened (3)
RUNGS = [1, 2, 3, 2, 3]


def test_rung_checker():
    right = dict(zip(ex.RUNG_QUESTIONS, RUNGS))
    assert ex.check_rung(right).correct
    assert ex.check_rung(RUNGS).correct                       # labels in question order
    assert ex.check_rung(np.array(RUNGS)).correct             # numpy integers are rungs too
    assert ex.check_rung({q.upper(): float(r) for q, r in right.items()}).correct
    wrong = dict(right)
    first = next(iter(wrong))
    wrong[first] = 3
    feedback = ex.check_rung(wrong)
    assert not feedback.correct and "1 of 5" in feedback.message
    assert not ex.check_rung({}).correct
    assert repr(ex.check_rung(...)).startswith("Not answered yet: replace the `...` with")


def test_the_question_list_is_not_an_answer():
    assert isinstance(ex.RUNG_QUESTIONS, tuple) and all(isinstance(q, str) for q in ex.RUNG_QUESTIONS)
    assert not ex.check_rung(ex.RUNG_QUESTIONS).correct
    assert not ex.check_rung(dict.fromkeys(ex.RUNG_QUESTIONS)).correct


def test_labelling_checker_messages_name_the_label_and_never_the_answer():
    expected = {"q1": "a", "q2": "b"}

    def check(answers):
        return check_labels(answers, expected, ["a", "b", "c"], label="letter", fill="a letter", praise="yes.",
                            hint="Ask again.")

    assert check({"q1": "a", "q2": "b"}).message == "yes."
    assert check({" Q1": "A ", "q2": "b"}).correct
    assert repr(check(...)) == ("Not answered yet: replace the `...` with a dict {question: letter} giving a letter "
                                "for every question; hint: Ask again.")
    assert check([("q1", "a")]).message == ("a list of answers needs one letter per question, in order: 2 of them, "
                                            "got 1.")
    assert check("a").message == "the answer should be a dict {question: letter}, but it is a str."
    assert check({"q1": "a"}).message == "1 question(s) have no letter yet."
    wrong = check({"q1": "c", "q2": "b"})
    assert not wrong.correct and wrong.message.startswith("1 of 2 are not right yet. Look again at: 'q1' (")
    assert wrong.message.endswith(") Ask again.") and "'a'" not in wrong.message
    odd = check({"q1": "z", "q2": "b"})
    assert "should be one of" in odd.message
