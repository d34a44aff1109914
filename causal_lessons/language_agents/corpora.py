"""The causal DAG game written as text: the word-level tokenizer and the two corpora (lesson 06).

Two corpora are made from the *same* training episodes (same DAGs, same goals,
same expert answers): **transcripts** of the expert's experiments
(:func:`transcript_ids`) and **facts** about the same graphs, with no
experiments (:func:`facts_ids`, what the "causal parrot" reads).  The tokenizer
(:class:`Vocabulary`) has one token per word and encodes whole batches of
episodes with numpy (no string handling during training).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .. import graphs
from .._validate import check_count, check_int, check_positive
from ..game import MAX_VARS, check_batch

__all__ = [
    "CORPORA",
    "SPECIAL_WORDS",
    "ANSWERS",
    "WordVocabulary",
    "Vocabulary",
    "parse_action",
    "to_numpy",
    "check_vocab",
    "transcript_ids",
    "facts_ids",
    "corpus_ids",
]

#: What a language model can be trained on: transcripts of experiments, or facts (the "causal parrot").
CORPORA = ("transcripts", "facts")
#: Words that are not actions, values or variable names.
SPECIAL_WORDS = ("<pad>", "<bos>", "<eos>", "->", "|", "goal", "causes", "observe")

_ACTION = re.compile(r"^do\(([A-Za-z]\w*|#\d+)=([+-]?\d+(?:\.\d+)?)\)$")


class WordVocabulary:
    """A word-level tokenizer: one token per word of a fixed list (the first word is the padding).

    :class:`Vocabulary` (lesson 06's game written as text) extends it, and so
    does the vocabulary of lesson 11's reasoning problems
    (:class:`causal_lessons.content_effects.ProblemVocabulary`).  ``pad`` is the
    id of the first word; ``encode`` and ``decode`` turn texts into ids and back.

    >>> v = WordVocabulary(["<pad>", "rain", "causes", "slips"])
    >>> v.encode("rain causes slips").tolist(), v.decode([1, 2, 3, 0])
    ([1, 2, 3], 'rain causes slips')
    """

    def __init__(self, words: Any):
        words = list(words)
        if not words or not all(isinstance(w, str) and w and " " not in w for w in words):
            raise ValueError("words must be a non-empty list of words (strings without spaces).")
        if len(set(words)) != len(words):
            raise ValueError("words must not repeat a word.")
        self.words: list[str] = words
        self.index: dict[str, int] = {w: i for i, w in enumerate(words)}
        self.pad = 0

    def __len__(self) -> int:
        return len(self.words)

    def unknown_word_hint(self) -> str:
        """What the words of this vocabulary look like (said when a text has an unknown word)."""
        return "the known words are " + ", ".join(self.words[1:]) + "."

    def encode(self, text: str) -> np.ndarray:
        """Token ids of a text (words separated by spaces); an unknown word is a clear KeyError."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a string of words, got {type(text).__name__}.")
        ids = []
        for word in text.split():
            if word not in self.index:
                raise KeyError(f"text: unknown word {word!r}; {self.unknown_word_hint()}")
            ids.append(self.index[word])
        return np.array(ids, np.int64)

    def decode(self, ids: Any, *, skip_pad: bool = True) -> str:
        """The text of a sequence of token ids (padding left out unless ``skip_pad=False``)."""
        ids = np.asarray(to_numpy(ids)).reshape(-1)
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"token ids must be from 0 to {len(self) - 1}, got values from {ids.min()} to "
                             f"{ids.max()}.")
        return " ".join(self.words[i] for i in ids if not (skip_pad and i == self.pad))


class Vocabulary(WordVocabulary):
    """The word-level tokenizer of lesson 06's game: one token per word.

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
        self.n_vars = check_int(n_vars, "n_vars", minimum=2, maximum=MAX_VARS)
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
        super().__init__(words)
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

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} words: {self.n_vars} variables, values in steps of {_number(self.unit)})"

    def unknown_word_hint(self) -> str:
        """What the game's words look like (said when a text has an unknown word)."""
        return (f"words are actions such as 'do(A=5)', values such as 'B=-5' (multiples of {_number(self.unit)}), "
                f"variable names and {', '.join(SPECIAL_WORDS[1:])}.")

    def value_ids(self, values: Any) -> np.ndarray:
        """Token ids of values (..., n): variable k's value rounded to a multiple of ``unit``, as the word ``X=v``."""
        values = np.asarray(to_numpy(values), dtype=float)
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
        ids = np.asarray(to_numpy(ids), np.int64)
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
        ids = np.asarray(to_numpy(ids))
        return (ids >= self.value_base) & (ids < self.value_base + self.n_vars * (2 * self.max_units + 1))

    def value_of(self, ids: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(variable index, value)`` of value-word ids (both -1/NaN for other words)."""
        ids = np.asarray(to_numpy(ids), np.int64)
        ok = self.is_value(ids)
        offset = np.where(ok, ids - self.value_base, 0)
        var = np.where(ok, offset // (2 * self.max_units + 1), -1)
        value = np.where(ok, (offset % (2 * self.max_units + 1) - self.max_units) * self.unit, np.nan)
        return var, value


def _number(x: float) -> str:
    return f"{x:g}"


def to_numpy(x: Any):
    """A torch tensor as a numpy array (on the CPU); anything else is returned as it is."""
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


def check_vocab(vocab: Any, batch: Any) -> Vocabulary:
    """``vocab`` if it is a :class:`Vocabulary` for the episodes' number of variables, else a clear error."""
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
    check_batch(batch)
    if answer not in ANSWERS:
        raise ValueError(f"answer must be one of {', '.join(repr(a) for a in ANSWERS)}, got {answer!r}.")
    actions = np.asarray(batch.explore_actions, np.int64)
    size, k = actions.shape
    vocab = check_vocab(Vocabulary(len(batch.names), n_explore=k) if vocab is None else vocab, batch)
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
    check_batch(batch)
    vocab = check_vocab(Vocabulary(len(batch.names)) if vocab is None else vocab, batch)
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
