"""The agent loop: a language model plays the causal DAG game, one written word at a time (lesson 06).

The LM is prompted with the transcript so far and writes its next word; the
loop parses it as an action (:func:`~causal_lessons.language_agents.corpora.parse_action`),
lets the environment act (:func:`causal_lessons.game.simulate`), and appends the
environment's answer as text.  After the exploration steps the loop writes
``goal X`` and the LM writes its exploit.  A word that is not an action
("unparseable"), or an action the rules do not allow ("invalid"), is played as
"observe" during exploration and as no intervention at the exploit, as in
:class:`~causal_lessons.environment.CausalDAGEnv`.  :func:`play` plays whole
batches; :func:`play_env` runs the same loop on a Gymnasium environment, one episode.

The parrot is offered the same loop: it writes whatever its training taught it
to write (facts, "talk", sampled), the loop names the goal, and it
answers.  With ``told=True`` the facts of the episode's true graph are written
for it instead.

Torch is imported inside the functions that need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validate import check_count, check_int, check_positive, check_real, check_seed
from ..environment import CausalDAGEnv
from ..game import EXPLORE, check_batch, simulate
from ..training import RolloutResult, expected_reward
from .corpora import Vocabulary, check_vocab, facts_ids, parse_action
from .model import check_lm

__all__ = ["LMPlay", "play", "play_env"]


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

    check_lm(lm)
    check_batch(batch)
    vocab = check_vocab(lm.vocab, batch)
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
