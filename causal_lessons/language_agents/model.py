"""The language model of lesson 06: a tiny decoder-only transformer, its next-token training, its checkpoints.

The model (:func:`make_lm`) is a 2-layer causal transformer built from the same
attention block as lesson 04's agents; :func:`train_lm` trains it by next-token
prediction on the words it writes itself when it plays (:func:`lm_loss`).

Torch is imported inside the functions that need it.

>>> LMConfig(corpus="facts").max_len
65
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._validate import check_count, check_int, check_positive
from ..agents import build_seeded, make_agent
from ..game import MAX_VARS
from ..training import fit, read_model, save_model
from .corpora import ANSWERS, CORPORA, Vocabulary, corpus_ids

__all__ = [
    "LMConfig",
    "LM_SIZE_FIELDS",
    "is_lm_config",
    "make_lm",
    "check_lm",
    "LOSS_ON",
    "word_masks",
    "lm_loss",
    "train_lm",
    "save_lm",
    "load_lm",
]


@dataclass(frozen=True)
class LMConfig:
    """The size of a language model and the corpus it reads (saved with every checkpoint).

    ``n_explore`` is the number of exploration steps of the game it plays;
    ``max_len`` the longest text it can read (default: the longer of a transcript
    and a full facts text).
    """

    corpus: str = "transcripts"
    answer: str = "name"
    n_vars: int = 5
    n_explore: int = 5
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    d_ff: int = 128
    intervention_value: float = 5.0
    max_units: int = 8
    max_len: int = 0
    factored: bool = True

    def __post_init__(self):
        if self.corpus not in CORPORA:
            raise ValueError(f"corpus must be one of {', '.join(repr(c) for c in CORPORA)}, got {self.corpus!r}.")
        if self.answer not in ANSWERS:
            raise ValueError(f"answer must be one of {', '.join(repr(a) for a in ANSWERS)}, got {self.answer!r}.")
        if self.corpus == "facts" and self.answer != "name":
            raise ValueError("a facts LM (the parrot) reads no experiments, so it can only answer by name "
                             "(answer='name').")
        check_int(self.n_vars, "n_vars", minimum=2, maximum=MAX_VARS)
        for name in ("n_explore", "d_model", "n_layers", "n_heads", "d_ff", "max_units"):
            check_count(getattr(self, name), name)
        check_positive(self.intervention_value, "intervention_value")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model ({self.d_model}) must be a multiple of n_heads ({self.n_heads}).")
        check_int(self.max_len, "max_len", minimum=0)
        if self.max_len == 0:
            n = self.n_vars
            object.__setattr__(self, "max_len", max(1 + self.n_explore * (n + 4) + 4, 1 + 3 * n * (n - 1) + 4))

    @property
    def vocab(self) -> Vocabulary:
        """The tokenizer of this model."""
        return Vocabulary(self.n_vars, n_explore=self.n_explore, unit=self.intervention_value,
                          max_units=self.max_units)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (the checkpoint stores it)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LMConfig:
        """Rebuild a config saved by :meth:`to_dict` (unknown keys are an error)."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown language-model config keys: {', '.join(unknown)}.")
        return cls(**data)


_CLASSES: dict[str, Any] = {}


def _block_class():
    """The course's pre-norm causal self-attention block: the one :mod:`causal_lessons.agents` defines
    (taken from a tiny agent, so that one definition serves both models)."""
    if "Block" not in _CLASSES:
        _CLASSES["Block"] = type(make_agent(d_model=4, n_heads=1, n_layers=1, d_ff=4, seed=None).blocks[0])
    return _CLASSES["Block"]


def _lm_class():
    if "TinyLM" in _CLASSES:
        return _CLASSES["TinyLM"]
    import torch
    from torch import nn

    Block = _block_class()

    class TinyLM(nn.Module):
        """A decoder-only transformer language model: token ids (B, T) in, next-word logits (B, T, V) out."""

        def __init__(self, config):
            super().__init__()
            self.config = config
            self.vocab = config.vocab
            d = config.d_model
            self.embed = nn.Embedding(len(self.vocab), d)
            nn.init.normal_(self.embed.weight, std=0.05)
            if config.factored:
                self.register_buffer("features", torch.from_numpy(self.vocab.features()), persistent=False)
                self.parts = nn.Parameter(torch.randn(self.features.shape[1], d) * 0.05)
            self.position = nn.Parameter(torch.zeros(config.max_len, d))
            self.blocks = nn.ModuleList(Block(d, config.n_heads, config.d_ff) for _ in range(config.n_layers))
            self.norm = nn.LayerNorm(d)

        def forward(self, ids, return_attention: bool = False):
            length = ids.shape[1]
            if length > self.config.max_len:
                raise ValueError(f"the text has {length} tokens but the model reads at most {self.config.max_len}.")
            table = self.word_vectors()
            x = table[ids] + self.position[:length]
            maps = []
            for block in self.blocks:
                x, attention = block(x, return_attention)
                maps.append(attention)
            logits = self.norm(x) @ table.T          # output words share the input embedding
            return (logits, maps) if return_attention else logits

        def word_vectors(self):
            """The embedding of every word (V, d): its own vector, plus (``factored``) the vectors of its parts."""
            if self.config.factored:
                return self.embed.weight + self.features @ self.parts
            return self.embed.weight

    _CLASSES["TinyLM"] = TinyLM
    return TinyLM


#: The fields of every language-model config that :func:`make_lm` builds from: :class:`LMConfig`'s, and those of
#: another lesson's language model (lesson 11's :class:`causal_lessons.content_effects.ReasonerConfig`), which also
#: has a ``vocab`` (its tokenizer, with ``pad``; ``features()`` when ``factored``) and ``to_dict``.
LM_SIZE_FIELDS = ("d_model", "n_layers", "n_heads", "d_ff", "max_len", "factored")


def is_lm_config(config: Any) -> bool:
    """Whether ``config`` can describe a language model: an :class:`LMConfig`, or a frozen dataclass with the
    :data:`LM_SIZE_FIELDS`, a ``vocab`` and ``to_dict`` (another lesson's language model).

    >>> is_lm_config(LMConfig()), is_lm_config({"d_model": 64})
    (True, False)
    """
    if isinstance(config, LMConfig):
        return True
    return (is_dataclass(config) and not isinstance(config, type) and config.__dataclass_params__.frozen
            and all(hasattr(config, f) for f in LM_SIZE_FIELDS) and hasattr(config, "vocab")
            and callable(getattr(config, "to_dict", None)))


def make_lm(config: Any = None, *, seed: int | None = 0, **overrides):
    """Build a language model (a torch module) from a config or keyword overrides, with seeded weights.

    ``config`` is an :class:`LMConfig` (lesson 06's game as text) or another language-model config (see
    :func:`is_lm_config`); the model is the same small transformer, sized by the config's
    :data:`LM_SIZE_FIELDS`, reading the config's ``vocab``.

    >>> lm = make_lm(corpus="facts", seed=1)
    >>> lm.config.corpus, sum(p.numel() for p in lm.parameters()) < 120_000
    ('facts', True)
    """
    if config is None:
        config = LMConfig(**overrides)
    elif not is_lm_config(config):
        raise TypeError(f"config must be an LMConfig, got {type(config).__name__} (another lesson's language-model "
                        f"config works too: a frozen dataclass with a vocab and the fields "
                        f"{', '.join(LM_SIZE_FIELDS)}).")
    elif overrides:
        config = type(config)(**{**config.to_dict(), **overrides})
    return build_seeded(_lm_class(), config, seed)


def check_lm(lm: Any, name: str = "lm", *, config_type: type = LMConfig):
    """Raise a clear TypeError unless ``lm`` was built by :func:`make_lm` (or loaded by :func:`load_lm`) from a
    config of type ``config_type`` (lesson 06's :class:`LMConfig` unless another lesson's model is meant)."""
    config = getattr(lm, "config", None)
    if not is_lm_config(config) or not hasattr(lm, "vocab"):
        raise TypeError(f"{name} must be a language model built by causal_lessons.language_agents.make_lm, "
                        f"got {type(lm).__name__}.")
    if not isinstance(config, config_type):
        raise TypeError(f"{name} must be a language model whose config is a {config_type.__name__}, got one whose "
                        f"config is a {type(config).__name__} (a model of another lesson).")
    return lm


#: Which target words next-token training scores: the words the model itself writes when it plays ("own"), or
#: every word of the text, the environment's answers included ("all").
LOSS_ON = ("own", "all")


def word_masks(ids: np.ndarray, vocab: Vocabulary, corpus: str) -> dict[str, np.ndarray]:
    """Masks (B, T-1) over the *targets* of next-token prediction (what :func:`lm_loss` averages over).

    ``explore``: the exploration actions (transcripts) or the facts and the "goal" that ends them (facts: the
    parrot's talk); ``exploit``: the exploit answer; ``own``: both (the words the model writes when it plays);
    ``real``: every word but padding.
    """
    targets = ids[:, 1:]
    real = targets != vocab.pad
    previous = ids[:, :-1]
    before = np.zeros_like(real)
    before[:, 1:] = previous[:, :-1] == vocab.goal                  # the target two places after "goal"
    exploit = before & vocab.is_action(targets)
    if corpus == "transcripts":
        explore = vocab.is_action(targets) & ~exploit
    else:                                                            # talk: everything up to and including "goal"
        explore = real & (np.cumsum(previous == vocab.goal, axis=1) == 0)
    return {"explore": explore, "exploit": exploit, "own": explore | exploit, "real": real}


def lm_loss(lm, ids, *, loss_on: str = "own"):
    """Next-token cross-entropy of a batch of token ids (B, T): ``(total, exploration part, exploit part)``.

    ``loss_on="own"`` (the default) averages over the words the model writes
    itself when it plays: an experimenter's actions; a parrot's facts, the
    "goal" that ends them, and its answer.  The words the loop writes (the
    environment's answers, step numbers, the goal's name) are context, not targets,
    as when a chat model is trained only on its own replies.  ``"all"``: every
    word but padding.  The two parts (exploration actions or talk; the exploit)
    are reported, not optimised separately.
    """
    import torch
    from torch.nn import functional as F

    check_lm(lm)
    if loss_on not in LOSS_ON:
        raise ValueError(f"loss_on must be one of {', '.join(repr(x) for x in LOSS_ON)}, got {loss_on!r}.")
    ids = torch.as_tensor(ids)
    logits = lm(ids[:, :-1])
    targets = ids[:, 1:]
    losses = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                             reduction="none").view(targets.shape)
    masks = {k: torch.from_numpy(m) for k, m in word_masks(ids.numpy(), lm.vocab, lm.config.corpus).items()}
    total = losses[masks["own" if loss_on == "own" else "real"]].mean()
    parts = [losses[masks[k]].mean().detach() if bool(masks[k].any()) else torch.tensor(float("nan"))
             for k in ("explore", "exploit")]
    return total, parts[0], parts[1]


def train_lm(lm, sampler: Callable[[int, int], Any], config=None, *, seed: int = 0, progress: bool = True,
             log_every: int = 50, eval_fn: Callable[[Any], dict[str, float]] | None = None,
             eval_every: int | None = None, description: str | None = None, loss_on: str = "own"):
    """Train ``lm`` by next-token prediction on its corpus, made from episodes ``sampler(n_episodes, seed)``.

    ``config`` is a :class:`causal_lessons.training.TrainConfig` (steps, batch
    size, learning rate with warm-up and cosine decay, weight decay, gradient
    clipping, ``chunk`` batches of episodes drawn at a time).  The episodes of a
    chunk are drawn with seed ``seed * 100_003 + chunk number``, exactly as in
    :func:`causal_lessons.training.train`, so two models trained with the same
    sampler and seed read text about the *same* episodes.  Returns a
    :class:`causal_lessons.training.TrainingHistory` (``explore_loss`` and
    ``exploit_loss`` are the loss on the action words).
    """
    import torch

    check_lm(lm)
    if loss_on not in LOSS_ON:
        raise ValueError(f"loss_on must be one of {', '.join(repr(x) for x in LOSS_ON)}, got {loss_on!r}.")

    def tensors_fn(chunk, lm_, device):
        ids = corpus_ids(chunk, lm_.config.corpus, lm_.vocab, answer=lm_.config.answer)
        return {"ids": torch.from_numpy(ids)}                      # lm_loss works on the CPU

    def loss_fn(lm_, tensors):
        ids = tensors["ids"]
        ids = ids[:, :int((ids != lm_.vocab.pad).sum(1).max())]               # drop all-padding columns
        total, explore, exploit = lm_loss(lm_, ids, loss_on=loss_on)
        return total, torch.nan_to_num(explore), exploit         # a parrot's batch may have no exploration words

    return fit(lm, sampler, config, tensors_fn=tensors_fn, loss_fn=loss_fn, seed=seed, progress=progress,
               log_every=log_every, eval_fn=eval_fn, eval_every=eval_every,
               description=description or f"{lm.config.corpus} LM")


def save_lm(path: str | Path, lm, *, metadata: dict[str, Any] | None = None) -> Path:
    """Save ``lm`` (its config and float32 weights) to ``path`` and ``metadata`` (with the config) to ``path.json``."""
    check_lm(lm)
    return save_model(path, lm, "lm_config", metadata)


def load_lm(path: str | Path):
    """Load a language model saved by :func:`save_lm`; returns ``(lm, metadata)`` (metadata may be empty)."""
    saved, metadata = read_model(path, "lm_config", what="language-model checkpoint",
                                 command="python -m causal_lessons.experiments.language_agents train --models pointer "
                                         "--out-dir DIR")
    lm = make_lm(LMConfig.from_dict(saved["lm_config"]), seed=None)
    lm.load_state_dict(saved["state_dict"])
    lm.eval()
    return lm, metadata
