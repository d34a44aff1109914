"""Measuring content effects: accuracy per cell, the belief-bias index, and answers with a logic tool.

A reasoner's answers are a (B,) array of True ("valid") and False ("invalid"),
one per problem.  Three reasoners need no training: belief alone
(:func:`belief_answers`: valid exactly when the conclusion is believable), logic
alone (:func:`causal_lessons.content_effects.logic_tool`, exact on the premises
shown), and a trained model's answers (:func:`model_answers`).  A model can also
*defer* to the tool (:func:`with_tool`).

The **belief-bias index** (:func:`belief_bias`) is the accuracy on the two cells
where belief and logic agree minus the accuracy on the two where they conflict
(each cell weighted equally), which is also the share of believable conclusions
accepted minus the share of unbelievable ones accepted (Evans, Barston &
Pollard 1983).  0 means the answers ignore belief; 1 means they follow it.

>>> from causal_lessons.content_effects import arbitrary_problems, logic_tool
>>> p = arbitrary_problems(400, seed=0)
>>> belief_bias(belief_answers(p), p).index, belief_bias(logic_tool(p), p).index
(1.0, 0.0)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .._validate import check_real
from .problems import CELLS, Problems, check_problems, logic_tool
from .reasoner import answer_probability

__all__ = [
    "TOOL_POLICIES",
    "BeliefBias",
    "check_answers",
    "accuracy",
    "cell_accuracy",
    "acceptance",
    "belief_bias",
    "belief_answers",
    "model_answers",
    "with_tool",
]

#: How a model defers to the logic tool: always ("always": the tool's verdict is the answer), or only when the
#: tool finds a chain ("when-it-follows": then "valid", otherwise the model's own answer).
TOOL_POLICIES = ("always", "when-it-follows")


def check_answers(answers: Any, problems: Problems, name: str = "answers") -> np.ndarray:
    """``answers`` as a (B,) boolean array, one per problem (True: "valid"), or a clear error."""
    check_problems(problems)
    array = np.asarray(answers)
    if array.shape != (len(problems),):
        raise ValueError(f"{name} must hold one answer per problem ({len(problems)}), got shape {array.shape}.")
    if array.dtype != bool:
        if not np.issubdtype(array.dtype, np.number) or not np.isin(array, (0, 1)).all():
            raise TypeError(f"{name} must be True ('valid') or False ('invalid') for each problem.")
        array = array.astype(bool)
    return array


def accuracy(answers: Any, problems: Problems) -> float:
    """The share of problems answered right (the answer equals the problem's ``label``)."""
    return float(np.mean(check_answers(answers, problems) == problems.label))


def cell_accuracy(answers: Any, problems: Problems) -> dict[str, float]:
    """Accuracy in each of :data:`~causal_lessons.content_effects.CELLS` (NaN for a cell with no problem)."""
    right = check_answers(answers, problems) == problems.label
    cell = problems.cell
    return {name: float(right[cell == k].mean()) if (cell == k).any() else math.nan for k, name in enumerate(CELLS)}


def acceptance(answers: Any, problems: Problems) -> dict[str, float]:
    """The share of problems answered "valid" in each cell (how a belief-bias table is usually reported)."""
    said = check_answers(answers, problems)
    cell = problems.cell
    return {name: float(said[cell == k].mean()) if (cell == k).any() else math.nan for k, name in enumerate(CELLS)}


@dataclass(frozen=True)
class BeliefBias:
    """A belief-bias index with its interval: ``index`` (congruent minus incongruent accuracy, cells weighted
    equally), ``low`` and ``high`` (a normal-approximation interval at ``level``), ``congruent`` and
    ``incongruent`` accuracies, and the smallest cell's size ``n_min``."""

    index: float
    low: float
    high: float
    congruent: float
    incongruent: float
    n_min: int
    level: float = 0.95

    def text(self, digits: int = 2) -> str:
        """``"0.37 (95% interval 0.33 to 0.41)"``."""
        f = f".{digits}f"
        return f"{self.index:{f}} ({self.level:.0%} interval {self.low:{f}} to {self.high:{f}})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return asdict(self)


def belief_bias(answers: Any, problems: Problems, *, level: float = 0.95) -> BeliefBias:
    """The belief-bias index of ``answers``: (accuracy valid-believable + accuracy invalid-unbelievable
    - accuracy valid-unbelievable - accuracy invalid-believable) / 2, with a normal-approximation interval
    (the four cells' accuracies as independent proportions).  Every cell needs at least one problem.

    >>> from causal_lessons.content_effects import arbitrary_problems
    >>> p = arbitrary_problems(8, seed=0)
    >>> belief_bias(p.believable | p.label, p).index     # accept anything valid or believable
    0.5
    """
    level = check_real(level, "level", minimum=0.5, maximum=0.999)
    right = check_answers(answers, problems) == problems.label
    cell = problems.cell
    counts = np.bincount(cell, minlength=4)
    if (counts == 0).any():
        missing = [CELLS[k] for k in np.flatnonzero(counts == 0)]
        raise ValueError(f"problems must cover all four cells; none in {', '.join(missing)} "
                         "(use arbitrary_problems).")
    acc = np.array([right[cell == k].mean() for k in range(4)])
    index = float((acc[0] + acc[3] - acc[1] - acc[2]) / 2)
    se = 0.5 * math.sqrt(float(np.sum(acc * (1 - acc) / counts)))
    z = _normal_quantile(0.5 + level / 2)
    return BeliefBias(index, index - z * se, index + z * se, float((acc[0] + acc[3]) / 2),
                      float((acc[1] + acc[2]) / 2), int(counts.min()), level)


def _normal_quantile(p: float) -> float:
    """The standard normal quantile (bisection on erf; exact enough for an interval)."""
    low, high = -10.0, 10.0
    for _ in range(100):
        mid = (low + high) / 2
        if 0.5 * (1 + math.erf(mid / math.sqrt(2))) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def belief_answers(problems: Problems) -> np.ndarray:
    """Content alone: "valid" exactly when the conclusion is believable (true in the world)."""
    return check_problems(problems).believable.copy()


def model_answers(lm, problems: Problems) -> np.ndarray:
    """A trained model's answers: "valid" when it gives "valid" a probability above one half."""
    return answer_probability(lm, problems) > 0.5


def with_tool(answers: Any, problems: Problems, policy: str = "always") -> np.ndarray:
    """A model's answers when it defers to the exact logic tool, by ``policy`` (:data:`TOOL_POLICIES`):
    ``"always"`` answers what the tool says; ``"when-it-follows"`` answers "valid" when the tool finds a chain
    of premises and keeps the model's answer otherwise.

    >>> from causal_lessons.content_effects import parse_problem
    >>> p = parse_problem("winter causes cold . winter causes ice . so cold causes ice")
    >>> with_tool([True], p).tolist(), with_tool([True], p, "when-it-follows").tolist()
    ([False], [True])
    """
    said = check_answers(answers, problems)
    if policy not in TOOL_POLICIES:
        raise ValueError(f"policy must be one of {', '.join(repr(x) for x in TOOL_POLICIES)}, got {policy!r}.")
    tool = logic_tool(problems)
    return tool.copy() if policy == "always" else tool | said
