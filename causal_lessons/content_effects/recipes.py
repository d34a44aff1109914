"""Lesson 11's experiment on content effects: the training recipe, the test sets, the metrics, the shipped model.

Soft reasoners of the same size are trained for the same number of steps
(:data:`CONTENT_EXPERIMENT`) on corpora that differ only in the share of
arbitrary problems (:data:`ARBITRARY_SHARES`, :func:`corpus_for`): the natural
corpus (a tenth) and the conflict corpus (all) among them.  All are measured on
the same two test sets (:func:`evaluation_problems`): arbitrary problems balanced over
the four cells, and problems of the natural corpus (the natural model's
training distribution).  The command
``python -m causal_lessons.experiments.content_effects seeds`` trains them once
per training seed, saves every run's metrics in :data:`SEEDS_RESULTS`, and the
natural model of the first seed as the shipped checkpoint that
:func:`load_shipped` loads.

>>> CONTENT_EXPERIMENT.steps, corpus_for("conflict").arbitrary_share, corpus_for(0.3).missing
(4000, 1.0, 0.2)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .._validate import check_count, check_probability, check_seed
from ..training import CHECKPOINT_DIR, ComposedConfig, TrainConfig, read_model, save_model
from .measures import TOOL_POLICIES, accuracy, acceptance, belief_answers, belief_bias, cell_accuracy, \
    model_answers, with_tool
from .problems import DAMAGE, KINDS, Problems, arbitrary_problems, logic_tool
from .reasoner import CORPORA, CorpusConfig, ReasonerConfig, check_reasoner, make_reasoner, train_reasoner

__all__ = [
    "ContentExperimentConfig",
    "CONTENT_EXPERIMENT",
    "TRAINED_CORPORA",
    "ARBITRARY_SHARES",
    "corpus_for",
    "evaluation_problems",
    "train_model",
    "answer_metrics",
    "model_metrics",
    "reference_metrics",
    "SHIPPED_CHECKPOINT",
    "SEEDS_RESULTS",
    "COMMAND",
    "save_reasoner",
    "load_reasoner",
    "load_shipped",
]

#: The two named corpora: natural text (the experiment's corpus) and the conflict corpus (every problem arbitrary).
TRAINED_CORPORA = ("natural", "conflict")
#: The shares of arbitrary problems the experiment trains a model on: no arbitrary problem, the natural corpus's
#: tenth, three tenths, and the conflict corpus (all).
ARBITRARY_SHARES = (0.0, 0.1, 0.3, 1.0)
#: The seed of the test sets (never a training seed's chunk seed: those are ``seed * 100_003 + chunk``).
_TEST_SEED = 7_000_001
#: The shipped natural-corpus model of the first training seed, and every seed's metrics.
SHIPPED_CHECKPOINT = Path(CHECKPOINT_DIR) / "content_natural.pt"
SEEDS_RESULTS = Path(CHECKPOINT_DIR) / "content_effects_seeds.json"
#: The command that trains every model and writes the shipped files.
COMMAND = "python -m causal_lessons.experiments.content_effects seeds"


@dataclass(frozen=True)
class ContentExperimentConfig(ComposedConfig):
    """The content-effects experiment: the model (``reasoner``), the optimiser (``train``), the natural corpus
    (``corpus``; the conflict corpus is the same with every problem arbitrary), and the test sets' sizes
    (``test_per_cell`` arbitrary problems per cell, ``natural_test`` problems of the natural corpus).  Settings
    are read and changed by their plain names (see :class:`causal_lessons.training.ComposedConfig`)."""

    reasoner: ReasonerConfig = ReasonerConfig()
    train: TrainConfig = TrainConfig(steps=4000, batch_size=64, lr=3e-3, warmup=100, weight_decay=0.1)
    corpus: CorpusConfig = CORPORA["natural"]
    test_per_cell: int = 500
    natural_test: int = 2000

    def __post_init__(self):
        check_count(self.test_per_cell, "test_per_cell")
        check_count(self.natural_test, "natural_test")

    def train_config(self) -> TrainConfig:
        """The optimiser settings of a run (the warm-up cut to a tenth of the steps for short runs)."""
        return replace(self.train, warmup=min(self.train.warmup, max(1, self.train.steps // 10)))


#: The experiment of lesson 11, part 1.
CONTENT_EXPERIMENT = ContentExperimentConfig()


def corpus_for(corpus: str | float, config: ContentExperimentConfig = CONTENT_EXPERIMENT) -> CorpusConfig:
    """The corpus of an experiment named by ``corpus``: ``"natural"`` (the experiment's corpus), ``"conflict"``
    (the same with every problem arbitrary: belief and logic conflict in half of them), or a share of arbitrary
    problems (a number from 0 to 1; the rest of the corpus as the natural one)."""
    if isinstance(corpus, str):
        if corpus not in TRAINED_CORPORA:
            raise ValueError(f"corpus must be one of {', '.join(repr(c) for c in TRAINED_CORPORA)} or a share of "
                             f"arbitrary problems (a number from 0 to 1), got {corpus!r}.")
        return config.corpus if corpus == "natural" else replace(config.corpus, arbitrary_share=1.0)
    return replace(config.corpus, arbitrary_share=check_probability(corpus, "corpus"))


def evaluation_problems(config: ContentExperimentConfig = CONTENT_EXPERIMENT, *, seed: int = _TEST_SEED
              ) -> dict[str, Problems]:
    """The two test sets, the same for every model: ``"cells"`` (arbitrary problems, ``test_per_cell`` in each
    of the four cells) and ``"natural"`` (``natural_test`` problems of the natural corpus: the natural model's
    training distribution, drawn with a seed no training run uses)."""
    seed = check_seed(seed)
    return {"cells": arbitrary_problems(4 * config.test_per_cell, seed=seed),
            "natural": config.corpus.problems(config.natural_test, seed=seed + 1)}


def train_model(corpus: str | float = "natural", *, seed: int = 0,
                config: ContentExperimentConfig = CONTENT_EXPERIMENT, steps: int | None = None,
                eval_every: int | None = None, tests: dict[str, Problems] | None = None, progress: bool = False):
    """Train a soft reasoner from scratch on ``corpus`` (see :func:`corpus_for`) by the experiment's recipe
    (``steps`` overrides its number of steps); returns ``(lm, history)``.  With ``eval_every``, the model is
    measured on ``tests`` (default :func:`evaluation_problems`) every that many steps: ``history.evals`` holds its
    belief-bias index on the cells (``"bias"``) and its accuracy on natural text (``"natural_accuracy"``)."""
    if not isinstance(config, ContentExperimentConfig):
        raise TypeError(f"config must be a ContentExperimentConfig, got {type(config).__name__}.")
    if steps is not None:
        config = config.with_settings(steps=steps)
    lm = make_reasoner(config.reasoner, seed=check_seed(seed))
    eval_fn = None
    if eval_every is not None:
        eval_every = check_count(eval_every, "eval_every")
        tests = evaluation_problems(config) if tests is None else tests

        def eval_fn(model):
            said = {name: model_answers(model, problems) for name, problems in tests.items()}
            return {"bias": belief_bias(said["cells"], tests["cells"]).index,
                    "natural_accuracy": accuracy(said["natural"], tests["natural"])}

    history = train_reasoner(lm, corpus_for(corpus, config), config.train_config(), seed=seed, progress=progress,
                             eval_fn=eval_fn, eval_every=eval_every)
    return lm, history


def _round(x: float) -> float:
    return round(float(x), 6)


def answer_metrics(answers: dict[str, Any], tests: dict[str, Problems]) -> dict[str, Any]:
    """The metrics of one reasoner's answers on both :func:`evaluation_problems` (``answers[name]`` for ``tests[name]``):
    on the cells, overall accuracy, accuracy and acceptance per cell, the belief-bias index and its interval; on
    natural text, accuracy overall, on everyday problems by damage, and on its arbitrary problems."""
    cells, natural = tests["cells"], tests["natural"]
    bias = belief_bias(answers["cells"], cells)
    right = answers["natural"] == natural.label
    everyday = natural.kind == KINDS.index("everyday")
    by_part = {f"everyday_{name}": _round(right[everyday & (natural.damage == k)].mean()) for k, name in
               enumerate(DAMAGE)}
    by_part["arbitrary"] = _round(right[~everyday].mean()) if (~everyday).any() else float("nan")
    return {
        "cells": {"accuracy": _round(accuracy(answers["cells"], cells)),
                  "cell_accuracy": {k: _round(v) for k, v in cell_accuracy(answers["cells"], cells).items()},
                  "acceptance": {k: _round(v) for k, v in acceptance(answers["cells"], cells).items()},
                  "belief_bias": {k: (_round(v) if isinstance(v, float) else v) for k, v in bias.to_dict().items()}},
        "natural": {"accuracy": _round(right.mean()), **by_part},
    }


def model_metrics(lm, tests: dict[str, Problems]) -> dict[str, Any]:
    """A model's :func:`answer_metrics` alone (``"model"``) and deferring to the logic tool when it finds a chain
    (``"with_tool"``, policy ``"when-it-follows"``)."""
    check_reasoner(lm)
    said = {name: model_answers(lm, problems) for name, problems in tests.items()}
    helped = {name: with_tool(said[name], problems, TOOL_POLICIES[1]) for name, problems in tests.items()}
    return {"model": answer_metrics(said, tests), "with_tool": answer_metrics(helped, tests)}


def reference_metrics(tests: dict[str, Problems]) -> dict[str, Any]:
    """The metrics of the two reasoners that need no training: belief alone and the logic tool alone."""
    return {"belief": answer_metrics({n: belief_answers(p) for n, p in tests.items()}, tests),
            "tool": answer_metrics({n: logic_tool(p) for n, p in tests.items()}, tests)}



def save_reasoner(path: str | Path, lm, *, metadata: dict[str, Any] | None = None) -> Path:
    """Save a soft reasoner (config and float32 weights) to ``path``, its config and ``metadata`` to ``path.json``."""
    check_reasoner(lm)
    return save_model(path, lm, "reasoner_config", metadata)


def load_reasoner(path: str | Path):
    """Load a soft reasoner saved by :func:`save_reasoner`; returns ``(lm, metadata)``."""
    saved, metadata = read_model(path, "reasoner_config", what="soft-reasoner checkpoint", command=COMMAND)
    lm = make_reasoner(ReasonerConfig.from_dict(saved["reasoner_config"]), seed=None)
    lm.load_state_dict(saved["state_dict"])
    lm.eval()
    return lm, metadata


def load_shipped():
    """The shipped natural-corpus model (``causal_lessons/checkpoints/content_natural.pt``): ``(lm, metadata)``."""
    return load_reasoner(SHIPPED_CHECKPOINT)
