"""Language models as agents: the causal DAG game written as text, a tiny language model, and the agent loop.

Lesson 04's agent read one numeric token per step.  Here the same game is
*written down*, one word per token, and a small decoder-only transformer
learns it the way a language model learns anything: by predicting the next word
of text.  Two corpora are made from the *same* training episodes (same DAGs, same
goals, same expert answers):

* **transcripts** of the expert's experiments (what the experimenter LM reads)::

      <bos> do(B=5) -> A=0 B=5 C=-5 D=0 E=5 | do(D=5) -> ... | goal E do(B=5) <eos>

  each step is the action, "->", every variable's value afterwards (rounded to
  the nearest multiple of the intervention, 5: the noise, sd 0.1, never decides
  the rounding, so the words carry the effects exactly) and "|".
* **facts** about the same graphs, with no experiments (what the "causal parrot" reads)::

      <bos> B causes C=-5 B causes E=5 C causes E=-5 goal E do(B=5) <eos>

  "B causes E=5" states the exact total effect: do(B=5) moves E to 5 on average.
  Only pairs with a non-zero total effect are stated, in alphabetical order.

The tokenizer (:class:`Vocabulary`) has one token per word and encodes whole
batches of episodes with numpy (no string handling during training).  The
language model (:func:`make_lm`) is a 2-layer causal transformer; :func:`train_lm`
trains it by next-token prediction on every word of the corpus.

**The agent loop** (:func:`play`): the LM is prompted with the transcript so far
and writes its next word; the loop parses it as an action (:func:`parse_action`),
lets the environment act (:func:`causal_lessons.environment.simulate`), and
appends the environment's answer as text.  After the exploration steps the loop
writes ``goal X`` and the LM writes its exploit.  A word that is not an action
("unparseable"), or an action the rules do not allow ("invalid"), is played as
"observe" during exploration and as no intervention at the exploit, as in
:class:`~causal_lessons.environment.CausalDAGEnv`.  :func:`play_env` runs the same
loop on a Gymnasium :class:`~causal_lessons.environment.CausalDAGEnv`, one episode.

The parrot is offered the same loop: it writes whatever its training taught it
to write (facts, "talk", sampled), the loop names the goal, and it answers.  With
``told=True`` the facts of the episode's true graph are written for it instead.

Torch is imported inside the functions that need it.

>>> vocab = Vocabulary()
>>> ids = vocab.encode("<bos> do(B=5) -> A=0 B=5")
>>> ids.tolist() == [vocab.index[w] for w in ("<bos>", "do(B=5)", "->", "A=0", "B=5")]
True
>>> parse_action("do(C=-5)"), parse_action("C=-5")
(('C', -5), None)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import graphs
from .agents import build_seeded
from ._validate import check_count, check_int, check_positive, check_real, check_seed
from .training import CHECKPOINT_DIR as _CHECKPOINT_DIR
from .training import read_model, save_model

__all__ = [
    "CORPORA",
    "SPECIAL_WORDS",
    "Vocabulary",
    "parse_action",
    "transcript_ids",
    "facts_ids",
    "corpus_ids",
    "LMConfig",
    "make_lm",
    "check_lm",
    "lm_loss",
    "train_lm",
    "LMPlay",
    "play",
    "play_env",
    "evaluate",
    "claimed_effects",
    "follows_claims",
    "well_formed_talk",
    "claim_rates",
    "fact_rates",
    "answer_rates",
    "next_word_table",
    "plot_learning_curves",
    "plot_claims",
    "save_lm",
    "load_lm",
    "load_shipped",
    "CHECKPOINT_DIR",
    "MODELS",
    "SHIPPED",
    "ANSWERS",
    "LOSS_ON",
    "TRAIN_DEFAULTS",
    "train_model",
    "evaluation_sets",
    "main",
]

#: What a language model can be trained on: transcripts of experiments, or facts (the "causal parrot").
CORPORA = ("transcripts", "facts")
#: Words that are not actions, values or variable names.
SPECIAL_WORDS = ("<pad>", "<bos>", "<eos>", "->", "|", "goal", "causes", "observe")
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

_ACTION = re.compile(r"^do\(([A-Za-z]\w*|#\d+)=([+-]?\d+(?:\.\d+)?)\)$")


# ==================================================================================================
# The tokenizer
# ==================================================================================================

class Vocabulary:
    """The word-level tokenizer: one token per word.

    Words: :data:`SPECIAL_WORDS`, the variable names (A, B, ...), the actions
    ``do(X=5)`` and ``do(X=-5)``, and the values ``X=v`` for v a multiple of the
    intervention value (``unit``, 5) from ``-max_units * unit`` to ``+max_units * unit``
    (with five variables and weights in {-1, 0, 1} a total effect is at most 8, so
    40 covers every value).  Values are rounded to the nearest multiple and clipped.

    >>> v = Vocabulary(n_vars=3)
    >>> len(v), v.decode(v.value_ids(np.array([[0.1, 5.2, -9.0]]))[0])
    (83, 'A=0 B=5 C=-10')
    """

    def __init__(self, n_vars: int = 5, *, n_explore: int = 5, unit: float = 5.0, max_units: int = 8):
        self.n_vars = check_int(n_vars, "n_vars", minimum=2, maximum=_max_vars())
        self.n_explore = check_count(n_explore, "n_explore")
        self.unit = check_positive(unit, "unit")
        self.max_units = check_count(max_units, "max_units")
        self.names = graphs.variable_names(self.n_vars)
        u = self.max_units
        labels = [f"#{k + 1}" for k in range(self.n_explore)]
        words = list(SPECIAL_WORDS) + list(self.names) + labels
        words += [f"do({x}={_number(self.unit)})" for x in self.names]
        words += [f"do({x}={_number(-self.unit)})" for x in self.names]
        words += [f"do({x}={_number(self.unit)})" for x in labels]
        words += [f"do({x}={_number(-self.unit)})" for x in labels]
        words += [f"{x}={_number(k * self.unit)}" for x in self.names for k in range(-u, u + 1)]
        self.words: list[str] = words
        self.index: dict[str, int] = {w: i for i, w in enumerate(words)}
        #: ids of the special words, by attribute: pad, bos, eos, arrow ("->"), bar ("|"), goal, causes, observe
        for attr, word in zip(("pad", "bos", "eos", "arrow", "bar", "goal", "causes", "observe"), SPECIAL_WORDS):
            setattr(self, attr, self.index[word])
        self.name_ids = np.array([self.index[x] for x in self.names], np.int64)
        self.do_plus = np.array([self.index[f"do({x}={_number(self.unit)})"] for x in self.names], np.int64)
        self.do_minus = np.array([self.index[f"do({x}={_number(-self.unit)})"] for x in self.names], np.int64)
        self.label_ids = np.array([self.index[x] for x in labels], np.int64)
        self.point_plus = np.array([self.index[f"do({x}={_number(self.unit)})"] for x in labels], np.int64)
        self.point_minus = np.array([self.index[f"do({x}={_number(-self.unit)})"] for x in labels], np.int64)
        self.value_base = self.index[f"{self.names[0]}={_number(-u * self.unit)}"]
        # every word read as an action: the variable it names (or -1), the experiment it points at (or -1), its
        # sign (0 for words that are not actions)
        self.action_var = np.full(len(words), -1, np.int64)
        self.action_step = np.full(len(words), -1, np.int64)
        self.action_sign = np.zeros(len(words), np.int64)
        for i, word in enumerate(words):
            parsed = parse_action(word)
            if parsed is None or abs(parsed[1]) != self.unit:
                continue
            if parsed[0] in self.names:
                self.action_var[i] = self.names.index(parsed[0])
            else:
                self.action_step[i] = labels.index(parsed[0])
            self.action_sign[i] = 1 if parsed[1] > 0 else -1

    def __len__(self) -> int:
        return len(self.words)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} words: {self.n_vars} variables, values in steps of {_number(self.unit)})"

    def encode(self, text: str) -> np.ndarray:
        """Token ids of a text (words separated by spaces); an unknown word is a clear KeyError."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a string of words, got {type(text).__name__}.")
        ids = []
        for word in text.split():
            if word not in self.index:
                raise KeyError(f"text: unknown word {word!r}; words are actions such as 'do(A=5)', values such as "
                               f"'B=-5' (multiples of {_number(self.unit)}), variable names and "
                               f"{', '.join(SPECIAL_WORDS[1:])}.")
            ids.append(self.index[word])
        return np.array(ids, np.int64)

    def decode(self, ids: Any, *, skip_pad: bool = True) -> str:
        """The text of a sequence of token ids (padding left out unless ``skip_pad=False``)."""
        ids = np.asarray(_numpy(ids)).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"token ids must be from 0 to {len(self) - 1}, got values from {ids.min()} to "
                             f"{ids.max()}.")
        return " ".join(self.words[i] for i in ids if not (skip_pad and i == self.pad))

    def value_ids(self, values: Any) -> np.ndarray:
        """Token ids of values (..., n): variable k's value rounded to a multiple of ``unit``, as the word ``X=v``."""
        values = np.asarray(_numpy(values), dtype=float)
        if values.shape[-1] != self.n_vars:
            raise ValueError(f"values must end with one entry per variable ({self.n_vars}), got shape {values.shape}.")
        k = np.clip(np.rint(values / self.unit), -self.max_units, self.max_units).astype(np.int64)
        return self.value_base + np.arange(self.n_vars) * (2 * self.max_units + 1) + k + self.max_units

    def action_ids(self, var: Any, sign: Any) -> np.ndarray:
        """Token ids of the actions do(X_var = sign * unit)."""
        var = np.asarray(var, np.int64)
        return np.where(np.asarray(sign) > 0, self.do_plus[var], self.do_minus[var])

    def pointer_ids(self, step: Any, sign: Any) -> np.ndarray:
        """Token ids of the answers do(#k = sign * unit), k = step + 1: "the variable of experiment k, set to ..."."""
        step = np.asarray(step, np.int64)
        return np.where(np.asarray(sign) > 0, self.point_plus[step], self.point_minus[step])

    def is_action(self, ids: Any) -> np.ndarray:
        """Which token ids are actions (naming a variable, or pointing at an experiment)."""
        ids = np.asarray(_numpy(ids), np.int64)
        return self.action_sign[ids] != 0

    def features(self) -> np.ndarray:
        """(V, F) 0/1 parts of every word: its kind (special, name, action, value), its variable and its number.

        ``do(A=-5)``, ``A`` and ``A=10`` share the part "A"; ``do(A=-5)`` and ``C=-5`` share "-5".  A factored
        language model adds the parts' vectors to each word's own embedding.
        """
        numbers = [k * self.unit for k in range(-self.max_units, self.max_units + 1)]
        kinds = ("special", "name", "label", "action", "pointer", "value")
        parts = list(kinds) + list(self.names) + [f"#{k + 1}" for k in range(self.n_explore)] + numbers
        table = np.zeros((len(self), len(parts)), np.float32)
        for i, word in enumerate(self.words):
            if word in SPECIAL_WORDS:
                kind, part, number = "special", None, None
            elif word in self.names:
                kind, part, number = "name", word, None
            elif word.startswith("#"):
                kind, part, number = "label", word, None
            elif self.action_sign[i]:
                part, text = word[3:-1].split("=")
                kind, number = ("pointer" if part.startswith("#") else "action"), float(text)
            else:
                part, text = word.split("=")
                kind, number = "value", float(text)
            table[i, parts.index(kind)] = 1
            if part is not None:
                table[i, parts.index(part)] = 1
            if number is not None:
                table[i, parts.index(number)] = 1
        return table

    def is_value(self, ids: Any) -> np.ndarray:
        """Which token ids are value words ``X=v``."""
        ids = np.asarray(_numpy(ids))
        return (ids >= self.value_base) & (ids < self.value_base + self.n_vars * (2 * self.max_units + 1))

    def value_of(self, ids: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(variable index, value)`` of value-word ids (both -1/NaN for other words)."""
        ids = np.asarray(_numpy(ids), np.int64)
        ok = self.is_value(ids)
        offset = np.where(ok, ids - self.value_base, 0)
        var = np.where(ok, offset // (2 * self.max_units + 1), -1)
        value = np.where(ok, (offset % (2 * self.max_units + 1) - self.max_units) * self.unit, np.nan)
        return var, value


def _max_vars() -> int:
    from .environment import MAX_VARS

    return MAX_VARS


def _number(x: float) -> str:
    return f"{x:g}"


def _numpy(x: Any):
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return x


def parse_action(word: Any) -> tuple[str, float] | None:
    """Read a written action: ``"do(C=-5)"`` -> ``("C", -5)``; anything else -> None (unparseable).

    >>> parse_action("do(A=5)"), parse_action("do(A)"), parse_action("goal")
    (('A', 5), None, None)
    """
    if not isinstance(word, str):
        return None
    match = _ACTION.match(word.strip())
    if match is None:
        return None
    value = float(match.group(2))
    return match.group(1), int(value) if value.is_integer() else value


# ==================================================================================================
# The two corpora
# ==================================================================================================

def _check_batch(batch: Any, name: str = "batch") -> None:
    needed = ("names", "weights", "total_effects", "allowed", "explore_actions", "explore_values", "goal",
              "exploit_var", "exploit_sign")
    missing = [f for f in needed if not hasattr(batch, f)]
    if missing:
        raise TypeError(f"{name} must be an EpisodeBatch from causal_lessons.environment.generate_episodes; "
                        f"it lacks {', '.join(missing)}.")


def _check_vocab(vocab: Any, batch: Any) -> Vocabulary:
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary, got {type(vocab).__name__}.")
    if len(batch.names) != vocab.n_vars:
        raise ValueError(f"the episodes have {len(batch.names)} variables but the vocabulary has {vocab.n_vars}.")
    return vocab


#: How an experimenter LM writes its exploit: naming the variable ("do(A=-5)") or pointing at its own experiment
#: ("do(#3=-5)": the variable of experiment 3, set to -5).
ANSWERS = ("name", "point")


def transcript_ids(batch: Any, vocab: Vocabulary | None = None, *, answer: str = "name") -> np.ndarray:
    """The expert transcripts of a batch as token ids (B, 1 + K (n + 4) + 4): numbered experiments, goal, exploit.

    ``answer="name"`` writes the expert's exploit as ``do(A=-5)``; ``"point"`` as
    ``do(#k=-5)``, k being the number of the expert's experiment on that variable.

    >>> from causal_lessons.environment import generate_episodes
    >>> b = generate_episodes(2, seed=0)
    >>> transcript_ids(b).shape
    (2, 50)
    """
    _check_batch(batch)
    if answer not in ANSWERS:
        raise ValueError(f"answer must be one of {', '.join(repr(a) for a in ANSWERS)}, got {answer!r}.")
    actions = np.asarray(batch.explore_actions, np.int64)
    size, k = actions.shape
    vocab = _check_vocab(Vocabulary(len(batch.names), n_explore=k) if vocab is None else vocab, batch)
    if k > vocab.n_explore:
        raise ValueError(f"the episodes have {k} exploration steps but the vocabulary numbers at most "
                         f"{vocab.n_explore}.")
    n = vocab.n_vars
    act = np.where(actions >= 0, vocab.do_plus[np.maximum(actions, 0)], vocab.observe)
    steps = np.concatenate([np.broadcast_to(vocab.label_ids[:k], (size, k))[:, :, None], act[:, :, None],
                            np.full((size, k, 1), vocab.arrow), vocab.value_ids(batch.explore_values),
                            np.full((size, k, 1), vocab.bar)], axis=2)
    exploit_var, sign = np.asarray(batch.exploit_var), np.asarray(batch.exploit_sign)
    if answer == "name":
        final = vocab.action_ids(exploit_var, sign)
    else:
        hit = actions == exploit_var[:, None]
        if not hit.any(1).all():
            raise ValueError("answer='point' needs every exploit variable to have been experimented on; the "
                             "expert's episodes satisfy that, these do not.")
        final = vocab.pointer_ids(hit.argmax(1), sign)
    tail = np.stack([np.full(size, vocab.goal), vocab.name_ids[np.asarray(batch.goal)], final,
                     np.full(size, vocab.eos)], axis=1)
    return np.concatenate([np.full((size, 1), vocab.bos), steps.reshape(size, k * (n + 4)), tail], axis=1)


def _fact_triples(total_effects: np.ndarray, vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """(B, P, 3) fact tokens for every ordered pair (source, target), and (B, P) whether the pair is stated."""
    n = vocab.n_vars
    te = np.asarray(total_effects, float)
    src, dst = np.nonzero(~np.eye(n, dtype=bool))                   # ordered pairs, alphabetical by source
    effect = te[:, src, dst] * vocab.unit                              # do(source = unit) moves target by this
    values = np.zeros((len(te), len(src), n))
    values[:, np.arange(len(src)), dst] = effect
    words = vocab.value_ids(values)[:, np.arange(len(src)), dst]
    triples = np.stack([np.broadcast_to(vocab.name_ids[src], words.shape), np.full(words.shape, vocab.causes), words],
                       axis=2)
    return triples, np.abs(effect) > 1e-9


def facts_ids(batch: Any, vocab: Vocabulary | None = None, *, answer: bool = True) -> np.ndarray:
    """The facts corpus of a batch as token ids (B, L), padded: "X causes Y=v" for every pair with a non-zero
    total effect, then ``goal Y``, the expert's exploit and ``<eos>`` (with ``answer=False``: up to ``goal Y``).

    >>> from causal_lessons.environment import generate_episodes
    >>> facts_ids(generate_episodes(3, seed=0)).shape[1] <= 1 + 3 * 20 + 4
    True
    """
    _check_batch(batch)
    vocab = _check_vocab(Vocabulary(len(batch.names)) if vocab is None else vocab, batch)
    triples, stated = _fact_triples(batch.total_effects, vocab)
    size = len(triples)
    order = np.argsort(~stated, axis=1, kind="stable")                 # stated pairs first, in alphabetical order
    triples = np.take_along_axis(triples, order[:, :, None], axis=1)
    count = stated.sum(1)
    width = 1 + 3 * int(count.max(initial=0)) + (4 if answer else 2)
    ids = np.full((size, width), vocab.pad, np.int64)
    ids[:, 0] = vocab.bos
    body = triples[:, :int(count.max(initial=0))].reshape(size, -1)
    keep = np.arange(body.shape[1])[None, :] < 3 * count[:, None]
    ids[:, 1:1 + body.shape[1]] = np.where(keep, body, vocab.pad)
    rows = np.arange(size)
    end = 1 + 3 * count
    ids[rows, end] = vocab.goal
    ids[rows, end + 1] = vocab.name_ids[np.asarray(batch.goal)]
    if answer:
        ids[rows, end + 2] = vocab.action_ids(batch.exploit_var, batch.exploit_sign)
        ids[rows, end + 3] = vocab.eos
    return ids


def corpus_ids(batch: Any, corpus: str, vocab: Vocabulary | None = None, *, answer: str = "name") -> np.ndarray:
    """Token ids of a batch in one of :data:`CORPORA` ("transcripts", with ``answer`` style, or "facts")."""
    if corpus == "transcripts":
        return transcript_ids(batch, vocab, answer=answer)
    if corpus == "facts":
        return facts_ids(batch, vocab)
    raise ValueError(f"corpus must be one of {', '.join(repr(c) for c in CORPORA)}, got {corpus!r}.")


# ==================================================================================================
# The language model
# ==================================================================================================

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
        check_int(self.n_vars, "n_vars", minimum=2, maximum=_max_vars())
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
        from .agents import make_agent

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

        def __init__(self, config: LMConfig):
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


def make_lm(config: LMConfig | None = None, *, seed: int | None = 0, **overrides):
    """Build a language model (a torch module) from a config or keyword overrides, with seeded weights.

    >>> lm = make_lm(corpus="facts", seed=1)
    >>> lm.config.corpus, sum(p.numel() for p in lm.parameters()) < 120_000
    ('facts', True)
    """
    if config is None:
        config = LMConfig(**overrides)
    elif not isinstance(config, LMConfig):
        raise TypeError(f"config must be an LMConfig, got {type(config).__name__}.")
    elif overrides:
        config = LMConfig(**{**config.to_dict(), **overrides})
    return build_seeded(_lm_class(), config, seed)


def check_lm(lm: Any, name: str = "lm"):
    """Raise a clear TypeError unless ``lm`` was built by :func:`make_lm` (or loaded by :func:`load_lm`)."""
    if not isinstance(getattr(lm, "config", None), LMConfig) or not hasattr(lm, "vocab"):
        raise TypeError(f"{name} must be a language model built by causal_lessons.language_agents.make_lm, "
                        f"got {type(lm).__name__}.")
    return lm


# ==================================================================================================
# Training: next-token prediction
# ==================================================================================================

#: Which target words next-token training scores: the words the model itself writes when it plays ("own"), or
#: every word of the text, the environment's answers included ("all").
LOSS_ON = ("own", "all")


def _word_masks(ids: np.ndarray, vocab: Vocabulary, corpus: str) -> dict[str, np.ndarray]:
    """Masks (B, T-1) over the *targets* of next-token prediction.

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
    masks = {k: torch.from_numpy(m) for k, m in _word_masks(ids.numpy(), lm.vocab, lm.config.corpus).items()}
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

    from .training import fit

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


# ==================================================================================================
# The agent loop
# ==================================================================================================

@dataclass
class LMPlay:
    """What a language model did, actively, in a batch of episodes.

    ``ids`` (B, T) is the text of every episode as it was played (padded);
    ``written`` (B, T) marks the words the LM wrote (the others were written by
    the loop: the environment's answers, the goal); ``result`` holds the actions
    the environment carried out, what they showed and the exploit, as a
    :class:`causal_lessons.training.RolloutResult` (so the lesson-04 metrics
    apply); ``unparseable`` and ``invalid`` (B, action points) mark the action
    points where the LM's word was not an action, or an action the rules do not
    allow there (both are played as "observe" / no intervention).
    """

    ids: np.ndarray
    written: np.ndarray
    result: Any
    unparseable: np.ndarray
    invalid: np.ndarray
    corpus: str
    vocab: Vocabulary

    def text(self, index: int) -> str:
        """Episode ``index`` as text."""
        index = check_int(index, "index", minimum=0, maximum=len(self.ids) - 1)
        return self.vocab.decode(self.ids[index])

    def words(self, index: int) -> list[tuple[str, bool]]:
        """Episode ``index`` as ``(word, written by the LM)`` pairs (padding left out)."""
        index = check_int(index, "index", minimum=0, maximum=len(self.ids) - 1)
        return [(self.vocab.words[i], bool(w)) for i, w in zip(self.ids[index], self.written[index])
                if i != self.vocab.pad]


def _logits_at(lm, ids: np.ndarray, positions: np.ndarray):
    """Next-word logits (B, V) after the prefix ending at ``positions`` (inclusive) of each row of ``ids``."""
    import torch

    width = int(positions.max()) + 1
    with torch.no_grad():
        logits = lm(torch.from_numpy(np.ascontiguousarray(ids[:, :width])))
    return logits[torch.arange(len(ids)), torch.from_numpy(positions)]


def _exploit(lm, ids, end, allowed, goal, taken):
    """The LM's exploit word after each row's prefix ``ids[:, :end]``: word, variable (-1: none), sign, flags.

    A pointing answer do(#k=..) means the variable of experiment k (``taken``; none if step k observed).
    """
    vocab = lm.vocab
    word = _logits_at(lm, ids, end - 1).argmax(-1).numpy()
    sign = vocab.action_sign[word]
    rows = np.arange(len(word))
    unparseable = sign == 0
    step = vocab.action_step[word]
    points = step >= 0
    var = vocab.action_var[word].copy()
    if taken.shape[1]:
        var[points] = taken[rows[points], np.minimum(step[points], taken.shape[1] - 1)]
    var[points & (step >= taken.shape[1])] = -1
    ok = ~unparseable & (var >= 0)
    ok[ok] = allowed[rows[ok], var[ok]] & (var[ok] != goal[ok])
    return word, np.where(ok, var, -1), np.where(ok, sign, 1), unparseable, ~unparseable & ~ok


def _talk(lm, size: int, generator, temperature: float, max_words: int) -> tuple[np.ndarray, np.ndarray]:
    """Let a facts LM write up to ``max_words`` words after ``<bos>`` (sampled), until it writes "goal".

    Returns ids (size, 1 + max_words + 1) and the position of each row's "goal"
    (a "goal" is written by the loop for rows that never wrote one).
    """
    import torch

    vocab = lm.vocab
    ids = np.full((size, max_words + 2), vocab.pad, np.int64)
    ids[:, 0] = vocab.bos
    end = np.full(size, -1, np.int64)
    for pos in range(1, max_words + 1):
        todo = end < 0
        if not todo.any():
            break
        with torch.no_grad():
            logits = lm(torch.from_numpy(ids[:, :pos]))[:, -1] / temperature
        word = torch.multinomial(logits.softmax(-1), 1, generator=generator)[:, 0].numpy()
        ids[todo, pos] = word[todo]
        end[todo & (word == vocab.goal)] = pos
    missing = end < 0
    end[missing] = max_words + 1
    ids[missing, max_words + 1] = vocab.goal
    return ids, end


def play(lm, batch: Any, *, seed: int | None = 0, noise_std: float = 0.1, told: bool = False,
         temperature: float = 1.0, interventions: bool = True, chunk: int = 500) -> LMPlay:
    """Let ``lm`` play the episodes of ``batch`` as an agent; the loop writes what the environment answers.

    Only the hidden DAGs (``weights``), the allowed variables and the goals of
    ``batch`` are used.

    * A **transcripts** LM (the experimenter) writes each exploration action
      (greedy: its most likely word); the loop parses it, the environment carries
      it out (:func:`causal_lessons.environment.simulate`) and the loop appends
      "-> A=.. B=.. ... |".  Then the loop writes "goal X" and the LM writes its
      exploit.  ``interventions=False``: the environment refuses every experiment
      (each is played as "observe").
    * A **facts** LM (the parrot) *talks*: it writes facts, sampled at
      ``temperature``, until it writes "goal" (nobody checks them); the loop names
      the goal and the LM writes its exploit (greedy).  ``told=True``: instead of
      its own talk, the loop writes the true facts of the episode's graph.

    The exploit is scored by its expected reward (as in lesson 04), so two agents are
    compared on the same episodes without extra sampling noise.  Episodes are played
    ``chunk`` at a time (memory), with one random stream for the whole batch.
    """
    import torch

    from .training import RolloutResult

    check_lm(lm)
    _check_batch(batch)
    vocab = _check_vocab(lm.vocab, batch)
    seed = check_seed(seed)
    noise_std = check_positive(noise_std, "noise_std")
    temperature = check_real(temperature, "temperature", minimum=0.0, strict_minimum=True)
    for name, flag in (("told", told), ("interventions", interventions)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {flag!r}.")
    chunk = check_count(chunk, "chunk")
    if told and lm.config.corpus != "facts":
        raise ValueError("told=True writes the true facts for a facts LM (the parrot); an experimenter LM finds "
                         "them out by experimenting.")
    lm.eval()
    rng = np.random.default_rng(seed)
    generator = torch.Generator().manual_seed(0 if seed is None else seed)
    parts = [_play_chunk(lm, batch.subset(slice(lo, lo + chunk)), rng, generator, noise_std, told, temperature,
                         interventions) for lo in range(0, len(batch), chunk)]
    width = max(p["ids"].shape[1] for p in parts)

    def joined(key, fill):
        return np.concatenate([np.pad(p[key], ((0, 0), (0, width - p[key].shape[1])), constant_values=fill)
                               for p in parts])

    fields = ("explore_actions", "proposed_actions", "explore_values", "exploit_var", "exploit_sign", "pointer",
              "reward")
    result = RolloutResult(**{k: np.concatenate([getattr(p["result"], k) for p in parts]) for k in fields})
    return LMPlay(ids=joined("ids", vocab.pad), written=joined("written", False), result=result,
                  unparseable=np.concatenate([p["unparseable"] for p in parts]),
                  invalid=np.concatenate([p["invalid"] for p in parts]), corpus=lm.config.corpus, vocab=vocab)


def _play_chunk(lm, batch, rng, generator, noise_std, told, temperature, interventions) -> dict[str, Any]:
    """:func:`play` for one chunk of episodes, drawing from the shared ``rng`` (noise) and ``generator`` (talk)."""
    from .environment import simulate
    from .training import RolloutResult, expected_reward

    vocab = lm.vocab
    corpus = lm.config.corpus
    allowed = np.asarray(batch.allowed, bool)
    goal = np.asarray(batch.goal, np.int64)
    weights = np.asarray(batch.weights, float)
    size, n = allowed.shape
    rows = np.arange(size)
    iv = lm.config.intervention_value
    if corpus == "transcripts":
        k = lm.config.n_explore
        ids = np.full((size, 1 + k * (n + 4) + 4), vocab.pad, np.int64)
        written = np.zeros(ids.shape, bool)
        ids[:, 0] = vocab.bos
        taken = np.full((size, k), -1, np.int64)
        proposed = np.full((size, k), -1, np.int64)
        values = np.zeros((size, k, n))
        unparseable = np.zeros((size, k + 1), bool)
        invalid = np.zeros((size, k + 1), bool)
        pos = 1
        for step in range(k):
            ids[:, pos] = vocab.label_ids[step]
            pos += 1
            word = _logits_at(lm, ids, np.full(size, pos - 1)).argmax(-1).numpy()
            var, sign = vocab.action_var[word], vocab.action_sign[word]
            proposed[:, step] = var
            unparseable[:, step] = sign == 0
            ok = (var >= 0) & (sign > 0) & interventions
            ok[ok] = allowed[rows[ok], var[ok]]
            invalid[:, step] = (sign != 0) & ~ok & interventions
            taken[:, step] = np.where(ok, var, -1)
            values[:, step] = simulate(weights, taken[:, step:step + 1], iv, noise_std, rng)[:, 0]
            ids[:, pos] = np.where(ok, word, vocab.observe)
            written[:, pos] = ok
            ids[:, pos + 1] = vocab.arrow
            ids[:, pos + 2:pos + 2 + n] = vocab.value_ids(values[:, step])
            ids[:, pos + 2 + n] = vocab.bar
            pos += n + 3
        ids[:, pos], ids[:, pos + 1] = vocab.goal, vocab.name_ids[goal]
        end = np.full(size, pos + 2)
    else:
        k = 0
        taken = proposed = np.zeros((size, 0), np.int64)
        values = np.zeros((size, 0, n))
        unparseable = np.zeros((size, 1), bool)
        invalid = np.zeros((size, 1), bool)
        if told:
            prompt = facts_ids(batch, vocab, answer=False)
            end = (prompt != vocab.pad).sum(1)
            written = np.zeros((size, prompt.shape[1] + 2), bool)
        else:
            prompt, goal_at = _talk(lm, size, generator, temperature, max_words=3 * n * (n - 1) // 2 + 1)
            said = (np.arange(prompt.shape[1])[None, :] <= goal_at[:, None]) & (prompt != vocab.pad)
            said[:, 0] = False
            said[np.arange(size), goal_at] &= prompt[np.arange(size), goal_at] == vocab.goal
            prompt[np.arange(prompt.shape[1])[None, :] > goal_at[:, None]] = vocab.pad
            prompt = np.concatenate([prompt, np.full((size, 1), vocab.pad)], axis=1)
            written = np.zeros((size, prompt.shape[1] + 2), bool)
            written[:, :said.shape[1]] = said
            prompt[rows, goal_at + 1] = vocab.name_ids[goal]
            end = goal_at + 2
        ids = np.full((size, prompt.shape[1] + 2), vocab.pad, np.int64)
        ids[:, :prompt.shape[1]] = prompt
    word, var, sign, unparseable[:, -1], invalid[:, -1] = _exploit(lm, ids, end, allowed, goal, taken)
    ids[rows, end], ids[rows, end + 1] = word, vocab.eos
    written[rows, end] = True
    reward = expected_reward(batch.total_effects, goal, var, sign, iv)
    result = RolloutResult(explore_actions=taken, proposed_actions=proposed, explore_values=values.astype(np.float32),
                           exploit_var=var, exploit_sign=sign.astype(np.int64),
                           pointer=np.full(size, -1, np.int64), reward=reward)
    return {"ids": ids, "written": written, "result": result, "unparseable": unparseable, "invalid": invalid}


def play_env(lm, env=None, *, seed: int = 0, temperature: float = 1.0) -> dict[str, Any]:
    """Play one episode of a Gymnasium :class:`~causal_lessons.environment.CausalDAGEnv` with ``lm``, word by word.

    The loop of :func:`play`, one step at a time through ``env.step``: the
    prompt is the transcript so far; the LM's next word is parsed into an action
    (a word that is not an allowed action is played as "observe" / no
    intervention); the environment's observation is appended as text.  Returns
    ``text``, ``written`` (the LM's words, in order), ``reward`` (the goal's sampled
    value), ``goal``, ``exploit`` (the LM's exploit word), ``unparseable`` (how many
    of its action words were not actions) and ``scm`` (the episode's hidden model).
    """
    import torch

    from .environment import EXPLORE, CausalDAGEnv

    check_lm(lm)
    vocab = lm.vocab
    if env is None:
        env = CausalDAGEnv(lm.config.n_vars, n_explore=lm.config.n_explore,
                           intervention_value=lm.config.intervention_value)
    if not isinstance(env, CausalDAGEnv):
        raise TypeError(f"env must be a CausalDAGEnv, got {type(env).__name__}.")
    if env.n_vars != vocab.n_vars:
        raise ValueError(f"the environment has {env.n_vars} variables but the language model reads {vocab.n_vars}.")
    lm.eval()
    obs, info = env.reset(seed=check_seed(seed))
    words, written, unparseable = ["<bos>"], [], 0

    def next_word() -> str:
        with torch.no_grad():
            logits = lm(torch.from_numpy(vocab.encode(" ".join(words))[None]))[0, -1]
        return vocab.words[int(logits.argmax())]

    experiments: list[str | None] = []                     # the variable of each experiment (None: observed)
    if lm.config.corpus == "transcripts":
        while obs["phase"] == EXPLORE:
            words.append(f"#{len(experiments) + 1}")
            word = next_word()
            written.append(word)
            parsed = parse_action(word)
            unparseable += parsed is None
            ok = parsed is not None and parsed[1] == env.intervention_value and parsed[0] in info["allowed"]
            obs, _, _, _, info = env.step(env.intervene_action(parsed[0]) if ok else env.observe_action)
            experiments.append(parsed[0] if ok else None)
            words += [word if ok else "observe", "->", *vocab.decode(vocab.value_ids(obs["values"])).split(), "|"]
    else:
        generator = torch.Generator().manual_seed(check_seed(seed))
        talk, end = _talk(lm, 1, generator, check_real(temperature, "temperature", minimum=0.0, strict_minimum=True),
                          max_words=3 * vocab.n_vars * (vocab.n_vars - 1) // 2 + 1)
        said = [vocab.words[i] for i in talk[0, 1:end[0]]]
        written += said + (["goal"] if end[0] < talk.shape[1] - 1 else [])     # unless the loop had to stop it
        words += said + ["goal"]
        while obs["phase"] == EXPLORE:                      # the parrot writes no experiment: the steps pass
            obs, _, _, _, info = env.step(env.observe_action)
    goal = vocab.names[int(np.argmax(obs["goal"]))]
    words += ["goal", goal] if words[-1] != "goal" else [goal]
    word = next_word()
    written.append(word)
    parsed = parse_action(word)
    unparseable += parsed is None
    target = parsed[0] if parsed is not None else None
    if target is not None and target.startswith("#"):              # a pointer: the variable of that experiment
        step = int(target[1:]) - 1
        target = experiments[step] if 0 <= step < len(experiments) else None
    ok = target is not None and abs(parsed[1]) == env.intervention_value and target in info["allowed"] \
        and target != goal
    action = env.intervene_action(target, 1 if parsed[1] > 0 else -1) if ok else env.observe_action
    _, reward, _, _, info = env.step(action)
    words += [word, "<eos>"]
    return {"text": " ".join(words), "written": written, "reward": float(reward), "goal": goal, "exploit": word,
            "unparseable": int(unparseable), "scm": info["scm"]}


# ==================================================================================================
# Measuring
# ==================================================================================================

def evaluate(lm, batch: Any, *, played: LMPlay | None = None, divergent: Any = None, seed: int | None = 0,
             **play_options) -> dict[str, Any]:
    """Play ``batch`` with ``lm`` (or use ``played``) and compare with the expert on the same episodes.

    The metrics of :func:`causal_lessons.training.evaluate` (``reward_fraction``
    with ``reward_fraction_ci95``, ``agreement``, ``divergent_agreement`` on the
    divergent episodes, ``explore_coverage``), plus ``unparseable_rate`` and
    ``invalid_rate``: the share of the LM's action words that were not actions,
    or not allowed where they were written.
    """
    from . import strategies, training

    check_lm(lm)
    _check_batch(batch)
    if played is None:
        played = play(lm, batch, seed=seed, **play_options)
    elif not isinstance(played, LMPlay):
        raise TypeError(f"played must be what play() returned, got {type(played).__name__}.")
    if len(played.ids) != len(batch):
        raise ValueError(f"played has {len(played.ids)} episodes but batch has {len(batch)}: pass the play of this "
                         "batch.")
    divergent = strategies.divergent_mask(batch) if divergent is None else divergent
    metrics = training.evaluate(lm, batch, divergent=divergent, result=played.result)
    metrics["reward_fraction_ci95"] = [metrics.pop("reward_fraction_low"), metrics.pop("reward_fraction_high")]
    metrics["unparseable_rate"] = float(played.unparseable.mean())
    metrics["invalid_rate"] = float(played.invalid.mean())
    return metrics


def claimed_effects(ids: Any, vocab: Vocabulary) -> np.ndarray:
    """(B, n, n) the total effects that each text in ``ids`` (B, T) *states*: "X causes Y=v" gives v / unit
    at [X, Y]; 0 where nothing (or "=0") is stated.  Malformed statements are ignored.

    >>> v = Vocabulary(3)
    >>> claimed_effects(v.encode("<bos> A causes C=-10 goal C")[None], v)[0, 0].tolist()
    [0.0, 0.0, -2.0]
    """
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary, got {type(vocab).__name__}.")
    ids = np.asarray(_numpy(ids), np.int64)
    if ids.ndim != 2:
        raise ValueError(f"ids must be a (texts, words) array of token ids, got shape {ids.shape}.")
    n = vocab.n_vars
    effects = np.zeros((len(ids), n, n))
    row, pos = np.nonzero(ids[:, 1:-1] == vocab.causes)
    pos = pos + 1
    source = np.searchsorted(vocab.name_ids, ids[row, pos - 1])
    is_name = (source < n) & (vocab.name_ids[np.minimum(source, n - 1)] == ids[row, pos - 1])
    target, value = vocab.value_of(ids[row, pos + 1])
    keep = is_name & (target >= 0) & (target != np.where(is_name, source, -1))
    effects[row[keep], source[keep], target[keep]] = value[keep] / vocab.unit
    return effects


def follows_claims(effects: Any, goal: Any, exploit_var: Any, exploit_sign: Any) -> tuple[np.ndarray, np.ndarray]:
    """Does each answer follow from the stated effects (B, n, n) of its own text (:func:`claimed_effects`)?

    Returns two (B,) masks: ``named``, the text states some effect on the goal;
    ``follows``, the exploit (variable, sign) is worth as much as the best lever
    *according to the stated effects* (False for no valid exploit).
    """
    effects = np.asarray(effects, float)
    goal = np.asarray(goal, np.int64)
    var, sign = np.asarray(exploit_var, np.int64), np.asarray(exploit_sign)
    if effects.ndim != 3 or not (len(effects) == len(goal) == len(var) == len(sign)):
        raise ValueError("effects must be (B, n, n) and goal, exploit_var, exploit_sign one entry per episode.")
    rows = np.arange(len(goal))
    on_goal = effects[rows, :, goal].copy()
    on_goal[rows, goal] = 0.0
    named = (on_goal != 0).any(1)
    worth = np.where(var >= 0, sign * on_goal[rows, np.maximum(var, 0)], -np.inf)
    return named, worth >= np.abs(on_goal).max(1) - 1e-9


def well_formed_talk(ids: Any, vocab: Vocabulary) -> np.ndarray:
    """(B,) whether each text's talk (the words between ``<bos>`` and the first "goal") is a list of well-formed
    statements "X causes Y=v" (X a variable name, Y=v a value word), as in the facts corpus.

    >>> v = Vocabulary(3)
    >>> texts = [v.encode("<bos> A causes B=5 goal C"), v.encode("<bos> A causes do(B=5) goal C")]
    >>> well_formed_talk(np.stack(texts), v)
    array([ True, False])
    """
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a Vocabulary, got {type(vocab).__name__}.")
    ids = np.asarray(_numpy(ids), np.int64)
    if ids.ndim != 2:
        raise ValueError(f"ids must be a (texts, words) array of token ids, got shape {ids.shape}.")
    names = set(vocab.name_ids.tolist())
    out = np.zeros(len(ids), bool)
    for b, row in enumerate(ids):
        stop = np.flatnonzero(row == vocab.goal)
        talk = row[1:stop[0]] if len(stop) else row[1:]
        out[b] = len(stop) > 0 and len(talk) % 3 == 0 and all(
            talk[i] in names and talk[i + 1] == vocab.causes and vocab.is_value(talk[i + 2])
            for i in range(0, len(talk), 3))
    return out


def claim_rates(ids: Any, vocab: Vocabulary) -> np.ndarray:
    """(n, n) share of the texts in ``ids`` (B, T) that state "X causes Y=v" with v != 0, for each pair (X, Y).

    The diagonal is NaN.  Pass ``play(...).ids`` to read what a parrot said, or
    :func:`facts_ids` of a batch for the truth.
    """
    said = claimed_effects(ids, vocab) != 0
    n = vocab.n_vars
    rates = said.mean(0) if len(said) else np.zeros((n, n))
    rates[np.eye(n, dtype=bool)] = np.nan
    return rates


def fact_rates(batch: Any) -> np.ndarray:
    """(n, n) share of the episodes of ``batch`` in which X has a non-zero total effect on Y (diagonal NaN)."""
    _check_batch(batch)
    te = np.asarray(batch.total_effects, float)
    rates = (np.abs(te) > 1e-9).mean(0)
    rates[np.eye(te.shape[1], dtype=bool)] = np.nan
    return rates


def answer_rates(exploit_var: Any, goal: Any, names: Sequence[str]):
    """A table of exploit choices: for each goal (rows), the share of episodes exploiting each variable (columns),
    plus "none" (no valid exploit) and the number of episodes."""
    import pandas as pd

    exploit_var = np.asarray(exploit_var, np.int64)
    goal = np.asarray(goal, np.int64)
    if exploit_var.shape != goal.shape:
        raise ValueError(f"exploit_var and goal must have one entry per episode, got shapes {exploit_var.shape} "
                         f"and {goal.shape}.")
    names = list(names)
    rows = {}
    for g in sorted(set(goal.tolist())):
        picked = exploit_var[goal == g]
        row = {x: float(np.mean(picked == i)) for i, x in enumerate(names)}
        row["none"] = float(np.mean(picked < 0))
        row["episodes"] = int(len(picked))
        rows[f"goal {names[g]}"] = row
    return pd.DataFrame(rows).T


def next_word_table(lm, ids: Any, *, top: int = 5):
    """For one text (T token ids), the LM's most likely next words at every position, in one forward pass.

    Returns a DataFrame with one row per position t: the word at t, and the
    ``top`` words the LM thinks most likely at t + 1 with their probabilities
    (``"do(A=5) 0.41, do(C=5) 0.21, ..."``), and the probability it gave the word
    actually written at t + 1.
    """
    import pandas as pd
    import torch

    check_lm(lm)
    top = check_count(top, "top")
    ids = np.asarray(_numpy(ids), np.int64).reshape(-1)
    ids = ids[ids != lm.vocab.pad]
    if len(ids) < 2:
        raise ValueError("ids must hold a text of at least two words.")
    with torch.no_grad():
        probs = lm(torch.from_numpy(ids[None]))[0].softmax(-1).numpy()
    words = lm.vocab.words
    rows = []
    for t in range(len(ids) - 1):
        best = np.argsort(-probs[t], kind="stable")[:top]
        rows.append({"word": words[ids[t]], "next": words[ids[t + 1]], "p(next)": float(probs[t, ids[t + 1]]),
                     "likely next words": ", ".join(f"{words[i]} {probs[t, i]:.2f}" for i in best)})
    return pd.DataFrame(rows)


def plot_learning_curves(histories: dict, axes=None, *, styles: dict | None = None):
    """The recorded learning curves of language models: reward fraction on the held-out links (left) and on the
    training distribution (right) against training steps.

    ``histories``: ``{name: TrainingHistory}`` (or its ``to_dict()``, as saved in a
    checkpoint's JSON) whose evaluations hold ``links`` and ``train``.  A line takes
    the course colour of the model its name starts with; ``styles`` maps names to
    extra matplotlib line settings (e.g. ``{"namer, 12,000 steps": {"ls": ":"}}``).  Returns the axes.
    """
    import matplotlib.pyplot as plt

    from .plotting import COLORS
    from .training import TrainingHistory

    if not isinstance(histories, dict) or not histories:
        raise TypeError("histories must be a dict {name: TrainingHistory}, e.g. {'pointer': history}.")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    palette = {"pointer": COLORS["agent"], "namer": COLORS["bc"], "parrot": COLORS["purple"]}
    styles = styles or {}
    for name, history in histories.items():
        if isinstance(history, dict):
            history = TrainingHistory(**history)
        style = {"marker": "o", "ms": 2.5, "color": palette.get(name.split(",")[0].split()[0]), **styles.get(name, {})}
        for ax, kind in zip(axes, ("links", "train")):
            steps, values = history.curve(kind)
            ax.plot(steps, values, label=name, **style)
    for ax, title in zip(axes, ("test episodes: a held-out link decides", "test episodes: training distribution")):
        ax.axhline(1.0, color=COLORS["expert"], ls="--", lw=1, label="expert")
        ax.axhline(0.0, color=COLORS["black"], lw=0.6)
        ax.set_xlabel("training step")
        ax.set_title(title, fontsize=10)
    axes[0].set_ylabel("reward / expert's reward")
    axes[0].legend(fontsize=8)
    return axes


def plot_claims(said: Any, training_truth: Any, test_truth: Any, names, ax=None):
    """Bars per ordered pair (cause -> effect): how often the parrot *says* it (``said``), how often it is true in
    the training episodes and in the test episodes (three (n, n) rate tables, e.g. from :func:`claim_rates`
    and :func:`fact_rates`).  Returns the axis."""
    import matplotlib.pyplot as plt

    from .plotting import COLORS

    names = list(names)
    n = len(names)
    tables = [np.asarray(t, float) for t in (said, training_truth, test_truth)]
    if any(t.shape != (n, n) for t in tables):
        raise ValueError(f"said, training_truth and test_truth must be ({n}, {n}) tables for the names {names}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3))
    pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
    x = np.arange(len(pairs))
    styles = [("the parrot says it", COLORS["purple"]), ("true in training", COLORS["grey"]),
              ("true in the held-out-link tests", COLORS["agent"])]
    for k, (table, (label, color)) in enumerate(zip(tables, styles)):
        ax.bar(x + (k - 1) * 0.27, [table[i, j] for i, j in pairs], width=0.27, color=color, label=label)
    ax.set_xticks(x, [f"{names[i]}→{names[j]}" for i, j in pairs], fontsize=8, rotation=60)
    ax.set_ylabel("share of episodes")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, ncol=3, loc="upper left")
    return ax


# ==================================================================================================
# Checkpoints
# ==================================================================================================

def save_lm(path: str | Path, lm, *, metadata: dict[str, Any] | None = None) -> Path:
    """Save ``lm`` (its config and float32 weights) to ``path`` and ``metadata`` (with the config) to ``path.json``."""
    check_lm(lm)
    return save_model(path, lm, "lm_config", metadata)


def load_lm(path: str | Path):
    """Load a language model saved by :func:`save_lm`; returns ``(lm, metadata)`` (metadata may be empty)."""
    saved, metadata = read_model(path, "lm_config", what="language-model checkpoint",
                                 command="python -m causal_lessons.language_agents train --models pointer --out-dir DIR")
    lm = make_lm(LMConfig.from_dict(saved["lm_config"]), seed=None)
    lm.load_state_dict(saved["state_dict"])
    lm.eval()
    return lm, metadata


def load_shipped(name: str = "language_pointer"):
    """Load a language model shipped in ``causal_lessons/checkpoints/`` (one of :data:`SHIPPED`); returns ``(lm, metadata)``."""
    if name not in SHIPPED:
        raise ValueError(f"name must be one of {', '.join(repr(s) for s in SHIPPED)}, got {name!r}.")
    return load_lm(CHECKPOINT_DIR / f"{name}.pt")


# ==================================================================================================
# The experiment of lesson 06, and its command line
# ==================================================================================================

#: Training settings of the shipped models (``TrainConfig`` fields) and the size of the recorded learning curves.
TRAIN_DEFAULTS = {"steps": 6000, "batch_size": 64, "lr": 3e-3, "warmup": 100, "weight_decay": 0.1,
                  "curve_every": 250, "curve_episodes": 500}


def evaluation_sets(n_episodes: int, *, seed: int = 0) -> dict[str, Any]:
    """The two test sets of lesson 06, played by the expert: ``"links"`` (a held-out link is decisive in every
    episode) and ``"train"`` (fresh episodes from the training distribution).  From
    :func:`causal_lessons.experiments.passive_agents.evaluation_episodes` (every variable allowed)."""
    from .experiments import passive_agents as pa

    n_episodes = check_count(n_episodes, "n_episodes")
    return {kind: pa.evaluation_episodes(kind, n_episodes, seed=check_seed(seed)) for kind in ("links", "train")}


def _sampler():
    from .experiments import passive_agents as pa

    return pa.training_sampler(restricted_share=0.0)    # strict held-out links, every variable allowed


def train_model(model: str, *, steps: int | None = None, seed: int = 0, curve_every: int | None = None,
                curve_episodes: int | None = None, progress: bool = True, **model_options):
    """Train one of the :data:`MODELS` of lesson 06 from scratch; returns ``(lm, history)``.

    The training episodes come from the strict held-out-link distribution of
    lesson 04 (A never affects E, C never affects B; every variable allowed), the
    same episodes for every model with the same ``seed``.  With ``curve_every``
    > 0 the model plays ``curve_episodes`` episodes of both :func:`evaluation_sets` every
    that many steps (``history.evals``: ``links`` and ``train`` reward fractions).
    ``model_options`` override :class:`LMConfig` fields (e.g. ``factored=False``).
    """
    from .training import TrainConfig

    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(repr(m) for m in MODELS)}, got {model!r}.")
    defaults = TRAIN_DEFAULTS
    steps = defaults["steps"] if steps is None else check_count(steps, "steps")
    curve_every = defaults["curve_every"] if curve_every is None else check_int(curve_every, "curve_every", minimum=0)
    curve_episodes = defaults["curve_episodes"] if curve_episodes is None else check_count(curve_episodes,
                                                                                           "curve_episodes")
    lm = make_lm(LMConfig(**{**MODELS[model], **model_options}), seed=seed)
    config = TrainConfig(steps=steps, batch_size=defaults["batch_size"], lr=defaults["lr"],
                         warmup=min(defaults["warmup"], max(1, steps // 10)), weight_decay=defaults["weight_decay"])
    eval_fn = None
    if curve_every:
        tests = evaluation_sets(curve_episodes, seed=seed + 1)

        def eval_fn(m):
            return {kind: evaluate(m, batch)["reward_fraction"] for kind, batch in tests.items()}

    history = train_lm(lm, _sampler(), config, seed=seed, progress=progress, eval_fn=eval_fn,
                       eval_every=curve_every or None, description=f"{model} LM")
    return lm, history


def _metrics_table(lm, tests: dict[str, Any]) -> dict[str, Any]:
    keys = ("reward_fraction", "reward_fraction_ci95", "divergent_agreement", "explore_coverage", "unparseable_rate",
            "invalid_rate", "episodes")
    out = {}
    for kind, batch in tests.items():
        metrics = evaluate(lm, batch)
        out[kind] = {k: metrics[k] for k in keys}
    return out


def run_train(models: Sequence[str] = tuple(MODELS), *, out_dir: str | Path = CHECKPOINT_DIR,
              steps: int | None = None, seed: int = 0, eval_episodes: int = 2000, progress: bool = True,
              log: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Train the given models, evaluate each on ``eval_episodes`` episodes of both test sets, and save
    ``out_dir/language_<model>.pt`` (``language_<model>_<steps>.pt`` for a number of steps other than the
    default) with its config, seed, learning curves and metrics in the JSON beside it."""
    from .training import hardware_info

    log = log or (lambda message: None)
    tests = evaluation_sets(check_count(eval_episodes, "eval_episodes"))
    results = {}
    for model in models:
        lm, history = train_model(model, steps=steps, seed=seed, progress=progress)
        metrics = _metrics_table(lm, tests)
        meta = {
            "produced_by": "python -m causal_lessons.language_agents train --models " + model
                           + (f" --steps {steps}" if steps is not None else "") + (f" --seed {seed}" if seed else ""),
            "model": model, "seed": seed, "train_config": {**TRAIN_DEFAULTS, "steps": history.steps[-1]},
            "loss_on": "own", "training_seconds": round(history.seconds, 1), "episodes_seen": history.episodes_seen,
            "final_loss": history.loss[-1], "history": history.to_dict(), "metrics": metrics,
            "eval_episodes": eval_episodes, "hardware": hardware_info("cpu"),
        }
        stem = f"language_{model}" + (f"_{steps}" if steps is not None and steps != TRAIN_DEFAULTS["steps"] else "")
        path = save_lm(Path(out_dir) / f"{stem}.pt", lm, metadata=meta)
        results[model] = metrics
        log(f"{model}: trained in {history.seconds:.0f} s; held-out links {metrics['links']['reward_fraction']:.3f}, "
            f"training distribution {metrics['train']['reward_fraction']:.3f} of the expert's reward; saved {path}")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """The command line::

        python -m causal_lessons.language_agents train [--models pointer namer parrot] [--steps 6000]
            [--out-dir causal_lessons/checkpoints]
        python -m causal_lessons.language_agents evaluate --checkpoint causal_lessons/checkpoints/language_pointer.pt [--episodes 2000]
    """
    import torch

    parser = argparse.ArgumentParser(prog="python -m causal_lessons.language_agents",
                                     description="Language models as agents in the causal DAG game (lesson 06).")
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train language models and save them with their metrics")
    tr.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    tr.add_argument("--steps", type=int, default=None, help=f"training steps (default {TRAIN_DEFAULTS['steps']})")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--out-dir", type=Path, default=CHECKPOINT_DIR)
    tr.add_argument("--eval-episodes", type=int, default=2000)
    tr.add_argument("--no-progress", action="store_true")
    ev = sub.add_parser("evaluate", help="evaluate a saved language model on both test sets")
    ev.add_argument("--checkpoint", type=Path, required=True)
    ev.add_argument("--episodes", type=int, default=2000)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.command == "train":
        run_train(args.models, out_dir=args.out_dir, steps=args.steps, seed=args.seed,
                  eval_episodes=args.eval_episodes, progress=not args.no_progress)
    else:
        lm, _ = load_lm(args.checkpoint)
        print(json.dumps(_metrics_table(lm, evaluation_sets(args.episodes)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
