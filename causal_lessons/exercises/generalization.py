"""Checkers for lesson 10, causality and generalization."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from ..generalization import crossover_shift, difference_in_means, population_least_squares, risk, transport
from ..scm import LinearGaussianSCM
from .core import Feedback, as_number, check_labels, check_number, exercise

__all__ = ["check_ab_estimate", "check_transported_effect", "check_crossover_shift", "OPERATIONS",
           "OPERATION_QUESTIONS", "check_operations"]


@exercise("numbers (the effect and its standard error)",
          "the difference of the two arms' means, and the square root of the sum of their variances of the mean",
          answers=("effect", "std_error"))
def check_ab_estimate(log: pd.DataFrame, effect, std_error, treatment: str = "T", outcome: str = "Y") -> Feedback:
    """The A/B test's difference in means and its standard error, computed by hand from ``log``."""
    right = difference_in_means(log, treatment, outcome)
    first = check_number(
        effect, right.effect, tol=1e-3,
        praise="",
        hint=f"the effect is the mean {outcome} of the units with {treatment} = 1 minus the mean {outcome} of "
             f"the units with {treatment} = 0. Nothing else needs adjusting: the coin made the arms comparable.",
    )
    if not first:
        return Feedback(False, "effect: " + first.message)
    second = check_number(
        std_error, right.std_error, tol=0.03, relative=True,
        praise="the interval effect ± 1.96 × standard error covers the true effect in about 95% of such tests.",
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


@exercise("a number (an offset of the assay)", "the all-features error grows by (weight × d)²; set it equal "
          "to the causal predictor's error")
def check_crossover_shift(source: LinearGaussianSCM, answer, target: str = "Severity", cause: str = "Exposure",
                          child: str = "Marker") -> Feedback:
    """The assay offset at which the all-features predictor (unlimited data) becomes as bad as the causal one."""
    causal = population_least_squares(source, target, [cause])
    everything = population_least_squares(source, target, [cause, child])
    expected = crossover_shift(everything, source, child, risk(causal, source))
    return check_number(
        answer, expected, tol=0.01,
        praise="beyond this offset the predictor that leans on the marker is worse than the one that ignores it.",
        hint=f"an offset d adds (weight on {child}) × d to every prediction and nothing else, so the all-features "
             f"error becomes its old error + (weight × d)²; the causal predictor's error does not move. "
             "Set the two equal and solve for d.",
    )


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
