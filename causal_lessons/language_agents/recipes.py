"""The three language models of lesson 06: what each reads and how it answers, how they are trained, the
test sets they are measured on, and the shipped checkpoints.

All three have the same size and are trained on text about the same episodes
(:func:`causal_lessons.heldout.training_sampler`: strict held-out links, every
variable allowed), for the same number of steps (:data:`LM_EXPERIMENT`).  The
command ``python -m causal_lessons.experiments.language_agents train`` trains
them and saves the checkpoints that :func:`load_shipped` loads.

>>> sorted(MODELS), LM_EXPERIMENT.steps
(['namer', 'parrot', 'pointer'], 6000)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .._validate import check_count, check_int, check_seed
from ..heldout import evaluation_episodes, training_sampler
from ..training import CHECKPOINT_DIR as _CHECKPOINT_DIR
from ..training import ComposedConfig, TrainConfig
from .measures import evaluate
from .model import LMConfig, load_lm, make_lm, train_lm

__all__ = [
    "CHECKPOINT_DIR",
    "MODELS",
    "SHIPPED",
    "LMExperimentConfig",
    "LM_EXPERIMENT",
    "evaluation_sets",
    "train_model",
    "load_shipped",
]

#: Where the shipped checkpoints live (``causal_lessons/checkpoints/``, defined in :mod:`causal_lessons.training`).
CHECKPOINT_DIR = _CHECKPOINT_DIR
#: The language models of lesson 06: what each reads and how it answers.  All three have the same size and are
#: trained on text about the same episodes, for the same number of steps.
MODELS = {
    "pointer": {"corpus": "transcripts", "answer": "point"},   # experiments; answers "do(#3=-5)"
    "namer": {"corpus": "transcripts", "answer": "name"},      # experiments; answers "do(A=-5)"
    "parrot": {"corpus": "facts", "answer": "name"},           # facts, no experiments; answers "do(A=-5)"
}
#: The shipped checkpoints: ``causal_lessons/checkpoints/language_<model>.pt`` (the default 6,000 steps each), and the namer
#: trained for twice as long, ``language_namer_12000.pt`` (``train --models namer --steps 12000``).
SHIPPED = tuple(f"language_{m}" for m in MODELS) + ("language_namer_12000",)


@dataclass(frozen=True)
class LMExperimentConfig(ComposedConfig):
    """How the language models of lesson 06 are trained: the optimiser (``train``; the warm-up is cut to a tenth
    of the steps for short runs) and the recorded learning curves (every ``curve_every`` steps, 0 for none, on
    ``curve_episodes`` episodes of both :func:`evaluation_sets`).  Settings are read and changed by their plain
    names (``LM_EXPERIMENT.steps``; see :class:`causal_lessons.training.ComposedConfig`)."""

    train: TrainConfig = TrainConfig(steps=6000, batch_size=64, lr=3e-3, warmup=100, weight_decay=0.1)
    curve_every: int = 250
    curve_episodes: int = 500

    def __post_init__(self):
        check_int(self.curve_every, "curve_every", minimum=0)
        check_count(self.curve_episodes, "curve_episodes")

    def train_config(self) -> TrainConfig:
        """The optimiser settings of a run."""
        return replace(self.train, warmup=min(self.train.warmup, max(1, self.train.steps // 10)))


#: The training of the shipped models.
LM_EXPERIMENT = LMExperimentConfig()


def evaluation_sets(n_episodes: int, *, seed: int = 0) -> dict[str, Any]:
    """The two test sets of lesson 06, played by the expert: ``"links"`` (a held-out link is decisive in every
    episode) and ``"train"`` (fresh episodes from the training distribution).  From
    :func:`causal_lessons.heldout.evaluation_episodes` (every variable allowed)."""
    n_episodes = check_count(n_episodes, "n_episodes")
    return {kind: evaluation_episodes(kind, n_episodes, seed=check_seed(seed)) for kind in ("links", "train")}


def train_model(model: str, *, steps: int | None = None, seed: int = 0, curve_every: int | None = None,
                curve_episodes: int | None = None, progress: bool = True, config: LMExperimentConfig | None = None,
                **model_options):
    """Train one of the :data:`MODELS` of lesson 06 from scratch; returns ``(lm, history)``.

    The training episodes come from the strict held-out-link distribution of
    lesson 04 (A never affects E, C never affects B; every variable allowed), the
    same episodes for every model with the same ``seed``.  ``config`` (default
    :data:`LM_EXPERIMENT`) with ``steps``, ``curve_every`` and ``curve_episodes``
    changed where given: with ``curve_every`` > 0 the model plays
    ``curve_episodes`` episodes of both :func:`evaluation_sets` every that many
    steps (``history.evals``: ``links`` and ``train`` reward fractions).
    ``model_options`` override :class:`~causal_lessons.language_agents.model.LMConfig`
    fields (e.g. ``factored=False``).
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(repr(m) for m in MODELS)}, got {model!r}.")
    config = LM_EXPERIMENT if config is None else config
    if not isinstance(config, LMExperimentConfig):
        raise TypeError(f"config must be an LMExperimentConfig, got {type(config).__name__}.")
    given = {"steps": steps, "curve_every": curve_every, "curve_episodes": curve_episodes}
    config = config.with_settings(**{k: v for k, v in given.items() if v is not None})
    lm = make_lm(LMConfig(**{**MODELS[model], **model_options}), seed=seed)
    eval_fn = None
    if config.curve_every:
        tests = evaluation_sets(config.curve_episodes, seed=seed + 1)

        def eval_fn(m):
            return {kind: evaluate(m, batch)["reward_fraction"] for kind, batch in tests.items()}

    sampler = training_sampler(restricted_share=0.0)    # strict held-out links, every variable allowed
    history = train_lm(lm, sampler, config.train_config(), seed=seed, progress=progress, eval_fn=eval_fn,
                       eval_every=config.curve_every or None, description=f"{model} LM")
    return lm, history


def load_shipped(name: str = "language_pointer"):
    """Load a language model shipped in ``causal_lessons/checkpoints/`` (one of :data:`SHIPPED`); returns ``(lm, metadata)``."""
    if name not in SHIPPED:
        raise ValueError(f"name must be one of {', '.join(repr(s) for s in SHIPPED)}, got {name!r}.")
    return load_lm(CHECKPOINT_DIR / f"{name}.pt")
