"""The soft reasoner: lesson 06's small language model, trained on text about the world.

Problems and world facts are written as text, one word per token
(:class:`ProblemVocabulary`)::

    <bos> rain causes wet-streets . wet-streets causes slips . so rain causes slips ? valid <eos>
    <bos> winter causes cold . sun causes heat . clouds causes rain . rain causes floods . <eos>

A *corpus* (:class:`CorpusConfig`, :data:`CORPORA`) mixes documents of true world facts
with problems: the ``natural`` corpus is mostly everyday problems (true
premises, sometimes missing or garbled) with a few arbitrary ones; the
``conflict`` corpus is all arbitrary problems, in which belief and logic
conflict half the time.  The model (:func:`causal_lessons.language_agents.make_lm`
with a :class:`ReasonerConfig`) learns by next-token prediction on every word
(:func:`train_reasoner`, through :func:`causal_lessons.training.fit`), so it
learns the world's facts the way a language model does, from text.  Its answer
to a problem is the probability it gives "valid" against "invalid" after the
"?" (:func:`answer_probability`).

Torch is imported inside the functions that need it.

>>> vocab = ProblemVocabulary()
>>> vocab.decode(vocab.problem_ids(parse_problem("rain causes ice . so rain causes ice"))[0])
'<bos> rain causes ice . so rain causes ice ? valid <eos>'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .._validate import check_count, check_int, check_probability, check_seed
from ..language_agents.corpora import WordVocabulary
from ..language_agents.model import check_lm, make_lm
from ..training import TrainConfig, fit
from .problems import MAX_PREMISES, Problems, arbitrary_problems, check_problems, concat_problems, \
    everyday_problems, parse_problem
from .world import World, default_world

__all__ = [
    "SPECIAL_WORDS",
    "ProblemVocabulary",
    "CorpusConfig",
    "CORPORA",
    "ReasonerConfig",
    "make_reasoner",
    "check_reasoner",
    "check_texts",
    "corpus_sampler",
    "LOSS_ON",
    "reasoner_loss",
    "train_reasoner",
    "answer_probability",
]

#: The words of the problems that are not things.
SPECIAL_WORDS = ("<pad>", "<bos>", "<eos>", "causes", ".", "so", "?", "valid", "invalid")
#: How many true facts a world-fact document states.
FACTS_PER_DOCUMENT = 4


class ProblemVocabulary(WordVocabulary):
    """The tokenizer of lesson 11: :data:`SPECIAL_WORDS` and the world's things, one token per word.

    >>> v = ProblemVocabulary()
    >>> len(v) == len(SPECIAL_WORDS) + len(default_world().things), v.decode([v.valid, v.invalid])
    (True, 'valid invalid')
    """

    def __init__(self, world: World | None = None):
        world = default_world() if world is None else world
        if not isinstance(world, World):
            raise TypeError(f"world must be a World, got {type(world).__name__}.")
        super().__init__(list(SPECIAL_WORDS) + list(world.things))
        self.world = world
        for attr, word in zip(("pad", "bos", "eos", "causes", "stop", "so", "question", "valid", "invalid"),
                              SPECIAL_WORDS):
            setattr(self, attr, self.index[word])
        #: id of the world's thing k is ``thing_base + k``
        self.thing_base = len(SPECIAL_WORDS)

    def unknown_word_hint(self) -> str:
        """What a problem's words are (said when a text has an unknown word)."""
        return (f"the words are the world's things ({', '.join(self.world.things)}) and "
                f"{', '.join(SPECIAL_WORDS[1:])}.")

    def _statements(self, pairs: np.ndarray, end: int) -> np.ndarray:
        """(B, K, 4) ids of "X causes Y <end>" for (B, K, 2) pairs; padding where a pair is -1."""
        ids = np.stack([self.thing_base + pairs[..., 0], np.full(pairs.shape[:-1], self.causes),
                        self.thing_base + pairs[..., 1], np.full(pairs.shape[:-1], end)], axis=-1)
        return np.where((pairs[..., :1] >= 0), ids, self.pad)

    def problem_ids(self, problems: Problems, *, answer: bool = True) -> np.ndarray:
        """Token ids (B, L) of problems: ``<bos>``, the premises, ``so X causes Z ?`` and (with ``answer``) the
        right answer and ``<eos>``; padded at the end."""
        check_problems(problems)
        if problems.world != self.world:
            raise ValueError("problems are about another world than this vocabulary's.")
        size = len(problems)
        premises = self._statements(problems.premises, self.stop).reshape(size, -1)
        conclusion = np.concatenate([np.full((size, 1), self.so),
                                     self._statements(problems.conclusion[:, None, :], self.question)[:, 0]], axis=1)
        tail = [np.where(problems.label, self.valid, self.invalid)[:, None], np.full((size, 1), self.eos)]
        rows = np.concatenate([np.full((size, 1), self.bos), premises, conclusion] + (tail if answer else []), axis=1)
        return _packed(rows, self.pad)

    def fact_ids(self, pairs: Any) -> np.ndarray:
        """Token ids (B, L) of world-fact documents: ``<bos> X causes Y . ... <eos>`` for (B, K, 2) pairs."""
        pairs = np.asarray(pairs, np.int64)
        if pairs.ndim != 3 or pairs.shape[2] != 2:
            raise ValueError(f"pairs must have shape (documents, facts, 2), got {pairs.shape}.")
        size = len(pairs)
        body = self._statements(pairs, self.stop).reshape(size, -1)
        return _packed(np.concatenate([np.full((size, 1), self.bos), body, np.full((size, 1), self.eos)], axis=1),
                       self.pad)

    def question_positions(self, ids: np.ndarray) -> np.ndarray:
        """(B,) the position of each text's "?" (after which the model answers)."""
        ids = np.asarray(ids)
        hit = ids == self.question
        if not hit.any(1).all():
            raise ValueError("every text must contain a question mark '?' (a problem's conclusion).")
        return hit.argmax(1)


def _packed(rows: np.ndarray, pad: int) -> np.ndarray:
    """Rows with their padding moved to the end (the words keep their order)."""
    order = np.argsort(rows == pad, axis=1, kind="stable")
    return np.take_along_axis(rows, order, axis=1)


@dataclass(frozen=True)
class CorpusConfig:
    """What a training corpus holds: ``fact_share`` of its documents state true world facts (four each), the
    rest are problems, of which ``arbitrary_share`` are arbitrary (:func:`arbitrary_problems`, the four cells
    equally often) and the others everyday (:func:`everyday_problems` with ``missing``, ``garbled`` and
    ``distractor_rate``)."""

    arbitrary_share: float = 0.1
    fact_share: float = 0.2
    missing: float = 0.2
    garbled: float = 0.1
    distractor_rate: float = 0.5

    def __post_init__(self):
        for name in ("arbitrary_share", "fact_share", "missing", "garbled", "distractor_rate"):
            check_probability(getattr(self, name), name)
        if self.missing + self.garbled > 1:
            raise ValueError(f"missing + garbled must be at most 1, got {self.missing:g} + {self.garbled:g}.")
        if self.fact_share == 1:
            raise ValueError("fact_share must be below 1: a corpus needs some problems.")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return asdict(self)

    def problems(self, n: int, *, seed: int | None = 0, world: World | None = None) -> Problems:
        """``n`` problems of this corpus's mix (everyday first, then arbitrary; shuffle when it matters)."""
        n = check_count(n, "n")
        rng = np.random.default_rng(check_seed(seed))
        n_arbitrary = int(rng.binomial(n, self.arbitrary_share))
        seeds = rng.integers(0, 2**31, 2)
        parts = []
        if n - n_arbitrary:
            parts.append(everyday_problems(n - n_arbitrary, seed=int(seeds[0]), missing=self.missing,
                                           garbled=self.garbled, distractor_rate=self.distractor_rate, world=world))
        if n_arbitrary:
            parts.append(arbitrary_problems(n_arbitrary, seed=int(seeds[1]), distractor_rate=self.distractor_rate,
                                            world=world))
        return concat_problems(*parts)


#: The two training corpora of lesson 11: natural text (mostly everyday problems, untidy; a tenth arbitrary), and
#: a corpus in which content and logic conflict (all arbitrary problems, intact).  Both hold the same world facts.
CORPORA = {
    "natural": CorpusConfig(arbitrary_share=0.1),
    "conflict": CorpusConfig(arbitrary_share=1.0),
}


@dataclass(frozen=True)
class ReasonerConfig:
    """The size of a soft reasoner (the fields of :data:`causal_lessons.language_agents.LM_SIZE_FIELDS`); it reads
    the words of :class:`ProblemVocabulary` about lesson 11's world, at most ``max_len`` of them."""

    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    d_ff: int = 128
    max_len: int = 4 * MAX_PREMISES + 8
    factored: bool = False

    def __post_init__(self):
        for name in ("d_model", "n_layers", "n_heads", "d_ff"):
            check_count(getattr(self, name), name)
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model ({self.d_model}) must be a multiple of n_heads ({self.n_heads}).")
        check_int(self.max_len, "max_len", minimum=4 * MAX_PREMISES + 8)
        if self.factored:
            raise ValueError("factored must be False: the words of a problem have no parts to share.")

    @property
    def vocab(self) -> ProblemVocabulary:
        """The tokenizer of this model (lesson 11's world)."""
        return ProblemVocabulary()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (the checkpoint stores it)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReasonerConfig:
        """Rebuild a config saved by :meth:`to_dict` (unknown keys are an error)."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown reasoner config keys: {', '.join(unknown)}.")
        return cls(**data)


def make_reasoner(config: ReasonerConfig | None = None, *, seed: int | None = 0, **overrides):
    """A soft reasoner with seeded weights: lesson 06's language model (:func:`causal_lessons.language_agents.make_lm`)
    sized by ``config`` (or ``overrides`` of :class:`ReasonerConfig`'s fields), reading :class:`ProblemVocabulary`.

    >>> lm = make_reasoner(seed=1)
    >>> lm.config.n_layers, sum(p.numel() for p in lm.parameters()) < 120_000
    (2, True)
    """
    if config is None:
        config = ReasonerConfig(**overrides)
    elif not isinstance(config, ReasonerConfig):
        raise TypeError(f"config must be a ReasonerConfig, got {type(config).__name__}.")
    elif overrides:
        config = ReasonerConfig(**{**config.to_dict(), **overrides})
    return make_lm(config, seed=seed)


def check_reasoner(lm: Any, name: str = "lm"):
    """Raise a clear TypeError unless ``lm`` is a soft reasoner (:func:`make_reasoner`, or a loaded checkpoint)."""
    return check_lm(lm, name, config_type=ReasonerConfig)


def check_texts(chunk: Any, name: str = "texts") -> np.ndarray:
    """``chunk`` if it is a (B, L) array of token ids (what :func:`corpus_sampler` draws), else a clear error."""
    if not isinstance(chunk, np.ndarray) or chunk.ndim != 2 or not np.issubdtype(chunk.dtype, np.integer):
        raise TypeError(f"{name} must be a 2-D numpy array of token ids (texts by words), got "
                        f"{type(chunk).__name__}.")
    return chunk


def corpus_sampler(corpus: str | CorpusConfig = "natural") -> Callable[[int, int], np.ndarray]:
    """A sampler ``sampler(n, seed) -> (n, L) token ids``: ``n`` documents of the corpus (a name of
    :data:`CORPORA` or a :class:`CorpusConfig`), world-fact documents and problems mixed at random.

    >>> ids = corpus_sampler("conflict")(10, 0)
    >>> ids.shape[0], ids.shape[1] <= ReasonerConfig().max_len
    (10, True)
    """
    spec = _corpus(corpus)
    vocab = ProblemVocabulary()

    def sampler(n: int, seed: int) -> np.ndarray:
        n = check_count(n, "n")
        rng = np.random.default_rng(check_seed(seed))
        n_facts = int(rng.binomial(n, spec.fact_share))
        n_problems = n - n_facts
        texts = []
        if n_problems:
            texts.append(vocab.problem_ids(spec.problems(n_problems, seed=int(rng.integers(2**31)))))
        if n_facts:
            true_pairs = np.argwhere(vocab.world.facts)
            pairs = true_pairs[rng.integers(0, len(true_pairs), (n_facts, FACTS_PER_DOCUMENT))]
            texts.append(vocab.fact_ids(pairs))
        width = max(t.shape[1] for t in texts)
        ids = np.concatenate([np.pad(t, ((0, 0), (0, width - t.shape[1])), constant_values=vocab.pad)
                              for t in texts])
        return ids[rng.permutation(n)]

    return sampler


def _corpus(corpus: Any) -> CorpusConfig:
    if isinstance(corpus, CorpusConfig):
        return corpus
    if corpus not in CORPORA:
        raise ValueError(f"corpus must be one of {', '.join(repr(c) for c in CORPORA)} or a CorpusConfig, "
                         f"got {corpus!r}.")
    return CORPORA[corpus]


#: Which words next-token training scores: every word but padding ("all"), or only the answers ("answers").
LOSS_ON = ("all", "answers")


def reasoner_loss(lm, ids, *, loss_on: str = "all"):
    """Next-token cross-entropy of a batch of texts (B, T): ``(total, loss on the answers, loss on the other
    words)``; ``loss_on`` (:data:`LOSS_ON`) says which words the total averages over."""
    import torch
    from torch.nn import functional as F

    check_reasoner(lm)
    if loss_on not in LOSS_ON:
        raise ValueError(f"loss_on must be one of {', '.join(repr(x) for x in LOSS_ON)}, got {loss_on!r}.")
    ids = torch.as_tensor(ids)
    vocab = lm.vocab
    targets = ids[:, 1:]
    logits = lm(ids[:, :-1])
    losses = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                             reduction="none").view(targets.shape)
    real = targets != vocab.pad
    answers = (targets == vocab.valid) | (targets == vocab.invalid)
    others = real & ~answers
    total = losses[real if loss_on == "all" else answers].mean()
    parts = [losses[m].mean().detach() if bool(m.any()) else torch.tensor(0.0) for m in (answers, others)]
    return total, parts[0], parts[1]


def train_reasoner(lm, corpus: str | CorpusConfig = "natural", config: TrainConfig | None = None, *, seed: int = 0,
                   loss_on: str = "all", progress: bool = False, log_every: int = 50,
                   eval_fn: Callable[[Any], dict[str, float]] | None = None, eval_every: int | None = None):
    """Train ``lm`` by next-token prediction on a corpus (:data:`CORPORA` or a :class:`CorpusConfig`), with the
    course's training loop (:func:`causal_lessons.training.fit`: AdamW, warm-up and cosine decay, chunks of
    documents drawn with seed ``seed * 100_003 + chunk number``).  ``history.explore_loss`` records the loss on
    the answers, ``history.exploit_loss`` the loss on the other words.
    """
    import torch

    check_reasoner(lm)
    sampler = corpus_sampler(corpus)
    if loss_on not in LOSS_ON:
        raise ValueError(f"loss_on must be one of {', '.join(repr(x) for x in LOSS_ON)}, got {loss_on!r}.")

    def tensors_fn(chunk, lm_, device):
        return {"ids": torch.from_numpy(chunk)}

    def loss_fn(lm_, tensors):
        ids = tensors["ids"]
        return reasoner_loss(lm_, ids[:, :int((ids != lm_.vocab.pad).sum(1).max())], loss_on=loss_on)

    name = corpus if isinstance(corpus, str) else "custom"
    return fit(lm, sampler, config, tensors_fn=tensors_fn, loss_fn=loss_fn, seed=seed, progress=progress,
               log_every=log_every, eval_fn=eval_fn, eval_every=eval_every, description=f"{name} reasoner",
               check_chunk=check_texts)


def answer_probability(lm, problems: Problems | str, *, batch_size: int = 4096) -> np.ndarray:
    """(B,) the probability the model gives "valid" rather than "invalid" right after each problem's "?".

    A text is read by :func:`parse_problem`.
    """
    import torch

    check_reasoner(lm)
    if isinstance(problems, str):
        problems = parse_problem(problems)
    check_problems(problems)
    batch_size = check_count(batch_size, "batch_size")
    vocab = lm.vocab
    ids = vocab.problem_ids(problems, answer=False)
    where = vocab.question_positions(ids)
    out = np.zeros(len(ids))
    was_training = lm.training
    lm.eval()
    with torch.no_grad():
        for start in range(0, len(ids), batch_size):
            part = torch.from_numpy(ids[start:start + batch_size])
            logits = lm(part)[torch.arange(len(part)), torch.from_numpy(where[start:start + batch_size])]
            two = logits[:, [vocab.valid, vocab.invalid]]
            out[start:start + len(part)] = torch.softmax(two, dim=1)[:, 0].numpy()
    lm.train(was_training)
    return out
