"""Checkers for lesson 10, causality and generalization."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..generalization import (LinearPredictor, crossover_shift, difference_in_means, hospital_scm,
                              population_least_squares, risk, transport)
from ..scm import LinearGaussianSCM
from .core import Feedback, Unreadable, as_number, check_labels, check_number, exercise

__all__ = ["check_ab_estimate", "check_transported_effect", "check_crossover_shift", "HOSPITAL_SETTINGS",
           "check_failing_shift", "OPERATIONS",
           "OPERATION_QUESTIONS", "check_operations"]


@exercise("numbers (each arm's mean outcome, and the standard error of their difference)",
          "split the log by the treatment column; the standard error adds the two arms' variances of the mean",
          answers=("treated_mean", "control_mean", "std_error"))
def check_ab_estimate(log: pd.DataFrame, treated_mean, control_mean, std_error, treatment: str = "T",
                      outcome: str = "Y") -> Feedback:
    """An A/B test's two arms' mean outcomes and the standard error of their difference, from ``log``.

    The arms' means are what :func:`~causal_lessons.generalization.difference_in_means` subtracts without
    printing them: asking for them asks for the computation, not for the helper's result.
    """
    right = difference_in_means(log, treatment, outcome)
    means = log.groupby(treatment)[outcome].mean()
    for name, answer, arm, which in (("treated_mean", treated_mean, 1, "treated"),
                                     ("control_mean", control_mean, 0, "control")):
        reply = check_number(answer, float(means.loc[arm]), tol=1e-3,
                             hint=f"select the rows with {treatment} = {arm} (the {which} arm) and average their "
                                  f"{outcome}.")
        if not reply:
            return Feedback(False, f"{name}: {reply.message}")
    second = check_number(
        std_error, right.std_error, tol=0.03, relative=True,
        praise=f"the effect is {right.effect:.2f} (the difference of the two means); the interval effect ± 1.96 × "
               "standard error covers the true effect in about 95% of such tests.",
        hint=f"each arm's mean has variance (sample variance of {outcome} in that arm) / (units in that arm); "
             "the difference of two independent means has the sum of the two variances; take the square root.",
    )
    return second if second else Feedback(False, "std_error: " + second.message)


@exercise("a number (the transported effect)", "weight each stratum's effect by its share in the target")
def check_transported_effect(strata: pd.DataFrame, target_shares: Mapping, answer) -> Feedback:
    """The per-stratum effects of an experiment, re-weighted to the target population's mix."""
    expected = transport(strata, target_shares).effect
    feedback = check_number(
        answer, expected, tol=1e-3,
        praise="each stratum keeps its own effect; only how many units each stratum has changes.",
        hint="multiply each stratum's effect by that stratum's share in the TARGET population and add up.",
    )
    if not feedback and feedback.message.startswith("multiply"):
        experiment_mix = float((strata["share"] * strata["effect"]).sum())
        if abs(as_number(answer) - experiment_mix) < 1e-3:
            return Feedback(False, "that is the average over the experiment's own mix of strata. "
                                   "Use the target population's shares as weights instead.")
    return feedback


@exercise("two numbers: the gap between the two predictors' errors, and an offset of the assay",
          "the all-features error grows by (weight × d)²; set it equal to the causal predictor's error",
          answers=("gap", "answer"))
def check_crossover_shift(source: LinearGaussianSCM, gap, answer, target: str = "Severity", cause: str = "Exposure",
                          child: str = "Marker") -> Feedback:
    """The gap between the causal and the all-features predictors' errors in ``source`` (unlimited data), and the
    assay offset at which the all-features predictor becomes as bad as the causal one."""
    causal = population_least_squares(source, target, [cause])
    everything = population_least_squares(source, target, [cause, child])
    first = check_number(gap, risk(causal, source) - risk(everything, source), tol=1e-3,
                         hint=f"fit both predictors with population_least_squares in this hospital, compute each "
                              f"one's error with risk, and subtract the all-features error from the causal one.")
    if not first:
        return Feedback(False, f"gap: {first.message}")
    expected = crossover_shift(everything, source, child, risk(causal, source))
    second = check_number(
        answer, expected, tol=0.01,
        praise="beyond this offset the predictor that leans on the marker is worse than the one that ignores it.",
        hint=f"an offset d adds (weight on {child}) × d to every prediction and nothing else, so the all-features "
             f"error becomes its old error + (weight × d)²; the causal predictor's error does not move. "
             "Set the two equal and solve for d.",
    )
    return second if second else Feedback(False, f"crossover: {second.message}")


#: The settings of :func:`causal_lessons.generalization.hospital_scm` a hospital of the open challenge may change.
HOSPITAL_SETTINGS = ("exposure_mean", "severity_offset", "marker_offset", "marker_weight", "marker_noise")


@exercise("a dict of hospital_scm settings, such as {\"exposure_mean\": 1.0}",
          "which mechanism does the all-features predictor lean on that the causal one ignores?",
          answers=("changes",))
def check_failing_shift(causal: LinearPredictor, everything: LinearPredictor, source: LinearGaussianSCM, changes,
                        *, fixed: tuple[str, ...] = ("marker_offset",), tolerance: float = 0.05) -> Feedback:
    """Open challenge: any hospital (``gen.hospital_scm(**changes)``, the settings in ``fixed`` left alone) in which
    the all-features predictor does worse than the causal one, while the causal predictor keeps its error in
    ``source`` (within ``tolerance``, relative)."""
    if not isinstance(changes, Mapping):
        return Feedback(False, f"changes should be a dict of hospital_scm settings, such as "
                               f"{{'marker_weight': 1.0}}; got {type(changes).__name__}.")
    unknown = [repr(k) for k in changes if k not in HOSPITAL_SETTINGS]
    if unknown:
        return Feedback(False, f"{', '.join(unknown)}: not a setting of gen.hospital_scm; the settings are "
                               f"{', '.join(HOSPITAL_SETTINGS)}.")
    held = [k for k in changes if k in fixed]
    if held:
        return Feedback(False, f"leave {', '.join(held)} alone: hospital B already showed what an offset of the "
                               "assay does. Find another change.")
    values = {}
    for key, value in changes.items():
        try:
            values[key] = as_number(value)
        except Unreadable as exc:
            return Feedback(False, f"{key}: {exc}")
    try:
        hospital = hospital_scm(**values)
    except ValueError as exc:
        return Feedback(False, str(exc))
    home = risk(causal, source)
    there = {"causal": risk(causal, hospital), "all features": risk(everything, hospital)}
    if abs(there["causal"] - home) > tolerance * home:
        return Feedback(False, f"this hospital changes the disease's own mechanism, and the causal predictor "
                               f"feels it: its error moves from {home:.2f} to {there['causal']:.2f}. Keep the disease's "
                               "own mechanism as it is and change something else.")
    if there["all features"] <= there["causal"]:
        return Feedback(False, f"the all-features predictor still does better here (error {there['all features']:.2f} "
                               f"against the causal predictor's {there['causal']:.2f}). Which mechanism does it lean "
                               "on that the causal predictor ignores?")
    return Feedback(True, f"in this hospital the all-features predictor's error is {there['all features']:.2f}, the "
                          f"causal predictor's {there['causal']:.2f} (at home {home:.2f}): a change in the mechanism "
                          "of the marker, a child of the target, breaks the predictor that leans on it and leaves "
                          "the causal one alone.")


#: The operations on one SCM that the lesson names.
OPERATIONS = ("observation", "A/B test", "simulation", "counterfactual")

#: Questions about the shop (see lesson 10): which operation answers each one?  Only the questions.
OPERATION_QUESTIONS = (
    "In last month's logs, how much more did visitors who opted in to the new page spend than the others?",
    "How much does the new page change the average basket of today's visitors?",
    "What will the average basket be in a new market where 80% of visitors use phones, "
    "if only phone users get the new page?",
    "Visitor 17 saw the old page and spent 8 euros. What would she have spent with the new page?",
    "If every visitor today got the new page instead of none, how would the shop's average basket change?",
)
# watching the logs as they come; the A/B test as it was run (on today's visitors); a simulation with the causal
# model (another policy or another population); a counterfactual about one visitor
_OPERATIONS = dict(zip(OPERATION_QUESTIONS, ("observation", "A/B test", "simulation", "counterfactual", "A/B test")))


@exercise("a dict {question: operation} with one of OPERATIONS for every question of OPERATION_QUESTIONS",
          "was anything done to the visitors, to these visitors or to others, and is it about one visitor?",
          answers=("answers",))
def check_operations(answers: Mapping[str, str]) -> Feedback:
    """``answers`` maps each question of :data:`OPERATION_QUESTIONS` to one of :data:`OPERATIONS`."""
    return check_labels(answers, _OPERATIONS, OPERATIONS, label="operation", fill="an operation",
                        praise="logs as they come answer 'who does what'; an A/B test answers 'what if these "
                               "visitors were treated'; other populations need the model; one visitor's what-if "
                               "needs the model and her facts.",
                        hint="Ask: was anything done to the visitors? To these visitors, as in the test, or to "
                             "others? Is it about one visitor already seen?")
