"""Tests of causal_lessons.language_agents: the text formats and tokenizer, the tiny language model and its
training, the agent loop (batched and through the Gymnasium environment), the measurements, the checkpoints
and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from causal_lessons import language_agents as la  # noqa: E402
from causal_lessons import heldout, training  # noqa: E402
from causal_lessons.environment import CausalDAGEnv, generate_episodes  # noqa: E402
from causal_lessons.experiments import language_agents as lm_experiment  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


pytestmark = pytest.mark.usefixtures("one_torch_thread")  # as in the lessons


@pytest.fixture(scope="module")
def vocab():
    return la.Vocabulary()


@pytest.fixture(scope="module")
def episodes():
    return generate_episodes(40, seed=3)


class ScriptedLM:
    """A stand-in language model that writes scripted words at its decision points, whatever it reads.

    ``script(prefix_words) -> word`` is asked at every position; the logits put all the mass on that word.
    """

    def __init__(self, script, **config):
        self.config = la.LMConfig(**config)
        self.vocab = self.config.vocab
        self.script = script
        self.calls = 0

    def eval(self):
        return self

    def __call__(self, ids):
        self.calls += 1
        ids = np.asarray(ids)
        logits = np.zeros(ids.shape + (len(self.vocab),), np.float32)
        for b in range(ids.shape[0]):
            for t in range(ids.shape[1]):
                words = [self.vocab.words[i] for i in ids[b, :t + 1]]
                logits[b, t, self.vocab.index[self.script(words)]] = 50.0
        return torch.from_numpy(logits)


def step_number(words):
    """The number of the experiment being written (1-based), read from the last label in the prefix."""
    labels = [w for w in words if w.startswith("#")]
    return int(labels[-1][1:]) if labels else 0


# ----------------------------------------------------------------------------------------------
# The tokenizer and the two corpora
# ----------------------------------------------------------------------------------------------

def test_vocabulary_words_and_round_trip(vocab):
    assert len(set(vocab.words)) == len(vocab) == 8 + 5 + 5 + 10 + 10 + 5 * 17
    text = "<bos> #1 do(B=5) -> A=0 B=5 C=-5 D=0 E=40 | goal E do(#1=-5) <eos>"
    assert vocab.decode(vocab.encode(text)) == text
    assert vocab.decode(np.array([vocab.bos, vocab.pad, vocab.goal])) == "<bos> goal"
    assert vocab.decode(np.array([vocab.pad]), skip_pad=False) == "<pad>"
    assert repr(vocab) == "Vocabulary(123 words: 5 variables, values in steps of 5)"


def test_values_are_rounded_to_multiples_of_the_intervention_and_clipped(vocab):
    ids = vocab.value_ids(np.array([[0.1, 2.6, -7.4, 99.0, -12.6]]))
    assert vocab.decode(ids[0]) == "A=0 B=5 C=-5 D=40 E=-15"
    var, value = vocab.value_of(ids[0])
    assert var.tolist() == [0, 1, 2, 3, 4] and value.tolist() == [0, 5, -5, 40, -15]
    other_var, other_value = vocab.value_of(np.array([vocab.goal]))
    assert other_var.tolist() == [-1] and np.isnan(other_value[0])
    with pytest.raises(ValueError, match=r"values must end with one entry per variable \(5\)"):
        vocab.value_ids(np.zeros((2, 3)))


def test_errors_of_the_tokenizer_speak_to_a_student(vocab):
    with pytest.raises(KeyError, match="text: unknown word 'do\\(A=3\\)'; words are actions such as 'do\\(A=5\\)'"):
        vocab.encode("<bos> do(A=3)")
    with pytest.raises(TypeError, match="text must be a string of words, got list"):
        vocab.encode(["do(A=5)"])
    with pytest.raises(ValueError, match="token ids must be from 0 to 122"):
        vocab.decode([5, 400])
    with pytest.raises(ValueError, match="n_vars must be at least 2"):
        la.Vocabulary(1)


@pytest.mark.parametrize("word, parsed", [
    ("do(A=5)", ("A", 5)), ("do(C=-5)", ("C", -5)), ("do(#3=-5)", ("#3", -5)), (" do(B=+5) ", ("B", 5)),
    ("do(A=2.5)", ("A", 2.5)), ("A=5", None), ("do(A)", None), ("goal", None), ("do(A=five)", None), (7, None),
])
def test_parse_action(word, parsed):
    assert la.parse_action(word) == parsed


def test_action_tables_agree_with_the_parser(vocab):
    for i, word in enumerate(vocab.words):
        parsed = la.parse_action(word)
        if parsed is None:
            assert vocab.action_sign[i] == 0 and vocab.action_var[i] == -1 and vocab.action_step[i] == -1
        elif parsed[0].startswith("#"):
            assert vocab.action_step[i] == int(parsed[0][1:]) - 1 and vocab.action_var[i] == -1
            assert vocab.action_sign[i] == np.sign(parsed[1])
        else:
            assert vocab.names[vocab.action_var[i]] == parsed[0] and vocab.action_sign[i] == np.sign(parsed[1])
    assert vocab.words[vocab.action_ids(2, -1)] == "do(C=-5)"
    assert vocab.words[vocab.pointer_ids(0, 1)] == "do(#1=5)"
    assert vocab.is_action(vocab.encode("do(A=5) do(#2=-5) A=5 goal")).tolist() == [True, True, False, False]


def test_word_features_share_parts(vocab):
    table = vocab.features()
    assert table.shape == (len(vocab), 6 + 5 + 5 + 17)
    row = {w: table[vocab.index[w]] for w in ("do(A=-5)", "A", "A=10", "C=-5", "#3", "do(#3=5)", "goal")}
    assert (row["do(A=-5)"] * row["A"]).sum() == 1           # the variable A
    assert (row["do(A=-5)"] * row["C=-5"]).sum() == 1        # the number -5
    assert (row["#3"] * row["do(#3=5)"]).sum() == 1          # experiment 3
    assert row["goal"].sum() == 1 and (table.sum(1) >= 1).all()


def test_transcripts_spell_out_the_expert_episodes(vocab, episodes):
    ids = la.transcript_ids(episodes, vocab)
    assert ids.shape == (40, 1 + 5 * 9 + 4)
    words = vocab.decode(ids[0]).split()
    assert words[0] == "<bos>" and words[-1] == "<eos>"
    for k in range(5):
        segment = words[1 + 9 * k: 10 + 9 * k]
        var = int(episodes.explore_actions[0, k])
        assert segment[0] == f"#{k + 1}" and segment[1] == f"do({vocab.names[var]}=5)" and segment[2] == "->"
        assert segment[3:8] == vocab.decode(vocab.value_ids(episodes.explore_values[0, k])).split()
        assert segment[3 + var] == f"{vocab.names[var]}=5" and segment[8] == "|"
    goal, var, sign = episodes.goal[0], episodes.exploit_var[0], episodes.exploit_sign[0]
    assert words[-4:-1] == ["goal", vocab.names[goal], f"do({vocab.names[var]}={5 * sign})"]
    # the pointing answer names the number of the expert's experiment on the exploit variable
    pointed = vocab.decode(la.transcript_ids(episodes, vocab, answer="point")[:, -2]).split()
    for b, word in enumerate(pointed):
        step = int(word[4]) - 1
        assert episodes.explore_actions[b, step] == episodes.exploit_var[b]
        assert word.endswith(f"={5 * episodes.exploit_sign[b]})")
    with pytest.raises(ValueError, match="answer must be one of 'name', 'point', got 'guess'"):
        la.transcript_ids(episodes, answer="guess")


def test_facts_state_exactly_the_non_zero_total_effects(vocab, episodes):
    ids = la.facts_ids(episodes, vocab)
    for b in range(len(episodes)):
        words = vocab.decode(ids[b]).split()
        assert words[0] == "<bos>" and words[-1] == "<eos>" and words[-4] == "goal"
        facts = words[1:-4]
        stated = [(facts[i], facts[i + 2]) for i in range(0, len(facts), 3)]
        assert all(facts[i + 1] == "causes" for i in range(0, len(facts), 3))
        te = episodes.total_effects[b]
        expected = [(vocab.names[i], f"{vocab.names[j]}={5 * te[i, j]:g}") for i in range(5) for j in range(5)
                    if i != j and te[i, j] != 0]
        assert stated == expected                                     # alphabetical by cause, then effect
        assert words[-2] == vocab.words[vocab.action_ids(episodes.exploit_var[b], episodes.exploit_sign[b])]
    prompt = la.facts_ids(episodes, vocab, answer=False)
    lengths = (prompt != vocab.pad).sum(1)
    assert (prompt[np.arange(len(prompt)), lengths - 2] == vocab.goal).all()
    assert la.corpus_ids(episodes, "facts", vocab).tolist() == ids.tolist()
    with pytest.raises(ValueError, match="corpus must be one of 'transcripts', 'facts', got 'poems'"):
        la.corpus_ids(episodes, "poems")
    with pytest.raises(TypeError, match="batch must be an EpisodeBatch"):
        la.facts_ids({"goal": [1]})


def test_strict_training_text_never_shows_the_held_out_links(vocab):
    batch = heldout.training_sampler(restricted_share=0.0)(3000, 5)
    rates = la.claim_rates(la.facts_ids(batch, vocab), vocab)
    assert rates[0, 4] == 0 and rates[2, 1] == 0                      # "A causes E=..", "C causes B=.."
    ids = la.transcript_ids(batch, vocab)
    words = np.array(vocab.words)[ids]
    for k in range(5):
        hit = batch.explore_actions[:, k] == 0
        assert set(words[hit, 1 + 9 * k + 3 + 4]) == {"E=0"}             # E never moves when A is set


# ----------------------------------------------------------------------------------------------
# The model and its training
# ----------------------------------------------------------------------------------------------

def test_config_checks_speak_to_a_student():
    with pytest.raises(ValueError, match="corpus must be one of 'transcripts', 'facts'"):
        la.LMConfig(corpus="novels")
    with pytest.raises(ValueError, match="a facts LM .the parrot. reads no experiments"):
        la.LMConfig(corpus="facts", answer="point")
    with pytest.raises(ValueError, match=r"d_model \(30\) must be a multiple of n_heads \(4\)"):
        la.LMConfig(d_model=30)
    with pytest.raises(ValueError, match="unknown language-model config keys: colour"):
        la.LMConfig.from_dict({"colour": 1})
    assert la.LMConfig().max_len == 65 and la.LMConfig.from_dict(la.LMConfig().to_dict()) == la.LMConfig()
    with pytest.raises(TypeError, match="config must be an LMConfig, got dict"):
        la.make_lm({"corpus": "facts"})
    with pytest.raises(TypeError, match="lm must be a language model built by causal_lessons.language_agents"):
        la.check_lm(object())


def test_the_model_is_seeded_small_and_causal():
    from causal_lessons.agents import make_agent

    a, b = la.make_lm(seed=1), la.make_lm(seed=1)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert sum(p.numel() for p in a.parameters()) < 100_000
    assert type(a.blocks[0]) is type(make_agent(seed=0).blocks[0])    # the agents' block, not a copy
    ids = torch.from_numpy(la.transcript_ids(generate_episodes(2, seed=0))[:, :30])
    with torch.no_grad():
        full = a(ids)
        cut = a(ids[:, :10])
        logits, maps = a(ids, return_attention=True)
    assert full.shape == (2, 30, len(a.vocab))
    assert torch.allclose(full[:, :10], cut, atol=1e-5)                # no word sees the words after it
    assert len(maps) == 2 and torch.allclose(maps[0].sum(-1), torch.ones(2, 4, 30), atol=1e-5)
    assert torch.allclose(logits, full, atol=1e-4)
    with pytest.raises(ValueError, match="the text has 70 tokens but the model reads at most 65"):
        a(torch.zeros(1, 70, dtype=torch.long))
    plain = la.make_lm(factored=False, seed=0)
    assert torch.equal(plain.word_vectors(), plain.embed.weight)


def test_loss_scores_the_words_the_model_writes(episodes):
    vocab = la.Vocabulary()
    ids = la.transcript_ids(episodes, vocab)
    masks = la.word_masks(ids, vocab, "transcripts")
    assert masks["explore"].sum(1).tolist() == [5] * len(episodes) and masks["exploit"].sum(1).tolist() == [1] * 40
    facts = la.facts_ids(episodes, vocab)
    masks = la.word_masks(facts, vocab, "facts")
    count = (facts != vocab.pad).sum(1)
    # talk: every fact word and the "goal" that ends it; then the answer (not <bos>, the goal's name, <eos>)
    assert masks["own"].sum(1).tolist() == (count - 3).tolist()
    lm = la.make_lm(seed=0)
    total, explore, exploit = la.lm_loss(lm, ids)
    everything, _, _ = la.lm_loss(lm, ids, loss_on="all")
    assert total.item() > 0 and everything.item() != total.item()
    assert np.isclose(total.item(), (5 * explore.item() + exploit.item()) / 6, rtol=1e-4)
    with pytest.raises(ValueError, match="loss_on must be one of 'own', 'all', got 'some'"):
        la.lm_loss(lm, ids, loss_on="some")


def test_training_reads_the_same_episodes_for_every_model_and_learns():
    seen = {}

    def sampler(n, seed):
        seen.setdefault(n, []).append(seed)
        return heldout.training_sampler(restricted_share=0.0)(n, seed)

    config = training.TrainConfig(steps=40, batch_size=16, chunk=8, warmup=5, lr=3e-3)
    lm = la.make_lm(corpus="transcripts", answer="point", seed=0)
    history = la.train_lm(lm, sampler, config, seed=2, progress=False, log_every=10,
                          eval_fn=lambda m: {"calls": 1.0}, eval_every=20)
    parrot = la.make_lm(corpus="facts", seed=0)
    la.train_lm(parrot, sampler, config, seed=2, progress=False)
    assert seen[128] == [200_006 + i for i in range(5)] * 2           # the same chunks of episodes, in order
    assert history.steps == [10, 20, 30, 40] and history.eval_steps == [20, 40] and history.episodes_seen == 640
    assert history.loss[-1] < history.loss[0] - 0.5                   # it learns (the exploration order first)
    assert history.exploit_loss[-1] > 0 and not lm.training
    again = la.train_lm(la.make_lm(corpus="transcripts", answer="point", seed=0), sampler, config, seed=2,
                        progress=False, log_every=10)
    assert again.loss == history.loss                                 # reproducible
    with pytest.raises(TypeError, match="sampler must be a function sampler"):
        la.train_lm(lm, "episodes", config)
    with pytest.raises(TypeError, match="config must be a causal_lessons.training.TrainConfig"):
        la.train_lm(lm, sampler, {"steps": 3})


# ----------------------------------------------------------------------------------------------
# The agent loop
# ----------------------------------------------------------------------------------------------

def experimenter_script(exploit="do(#2=-5)", order="EDCBA"):
    """Experiment on the variables in ``order``, then answer ``exploit``."""
    def script(words):
        if words[-1].startswith("#"):
            return f"do({order[step_number(words) - 1]}=5)"
        return exploit
    return script


def test_play_writes_the_transcript_and_the_environment_answers(episodes):
    lm = ScriptedLM(experimenter_script("do(#2=-5)"), answer="point")
    played = la.play(lm, episodes, seed=0)
    vocab = lm.vocab
    result = played.result
    assert result.explore_actions.tolist() == [[4, 3, 2, 1, 0]] * len(episodes)
    assert (result.exploit_var == np.where(episodes.goal == 3, -1, 3)).all()       # #2 is D; D as goal: invalid
    assert (result.exploit_sign == np.where(episodes.goal == 3, 1, -1)).all()
    assert played.invalid[:, -1].tolist() == (episodes.goal == 3).tolist() and not played.unparseable.any()
    expected = training.expected_reward(episodes.total_effects, episodes.goal, result.exploit_var,
                                        result.exploit_sign, 5.0)
    assert np.allclose(result.reward, expected)
    text = played.text(0).split()
    assert text[:4] == ["<bos>", "#1", "do(E=5)", "->"] and text[8] == "E=5" and text[-1] == "<eos>"
    assert text[-4:-1] == ["goal", vocab.names[episodes.goal[0]], "do(#2=-5)"]
    mine = [w for w, by_lm in played.words(0) if by_lm]
    assert mine == ["do(E=5)", "do(D=5)", "do(C=5)", "do(B=5)", "do(A=5)", "do(#2=-5)"]
    # what the loop wrote after each experiment is the environment's answer, rounded
    for k in range(5):
        values = result.explore_values[0, k]
        assert text[1 + 9 * k + 3: 1 + 9 * k + 8] == vocab.decode(vocab.value_ids(values)).split()
        assert values[4 - k] == 5.0
    assert result.coverage(episodes.allowed).all()


def test_play_in_chunks_gives_the_same_transcripts(episodes):
    lm = ScriptedLM(experimenter_script("do(#3=5)"), answer="point")
    whole, parts = la.play(lm, episodes, chunk=500), la.play(lm, episodes, chunk=7)
    assert np.array_equal(whole.ids, parts.ids) and np.array_equal(whole.written, parts.written)
    assert np.array_equal(whole.result.reward, parts.result.reward)
    talk = "A causes B=5 goal".split()
    parrot = ScriptedLM(lambda words: talk[len(words) - 1] if len(words) <= len(talk) else "do(A=5)", corpus="facts")
    told = la.play(parrot, episodes, told=True, chunk=9)
    assert told.ids.shape[1] == la.facts_ids(episodes).shape[1] and len(told.ids) == len(episodes)
    with pytest.raises(ValueError, match="chunk must be a positive whole number"):
        la.play(lm, episodes, chunk=0)


def test_unparseable_and_invalid_words_are_played_as_observe(episodes):
    nonsense = ScriptedLM(lambda words: "A=5")
    played = la.play(nonsense, episodes)
    assert played.unparseable.all() and not played.invalid.any()
    assert (played.result.explore_actions == -1).all() and (played.result.exploit_var == -1).all()
    assert (played.result.reward == 0).all() and "observe" in played.text(0).split()
    metrics = la.evaluate(nonsense, episodes, played=played)
    assert metrics["unparseable_rate"] == 1.0 and metrics["reward_fraction"] == 0.0
    negative = ScriptedLM(lambda words: "do(B=-5)")                   # experiments must be +5; B as exploit is fine
    played = la.play(negative, episodes)
    assert played.invalid[:, :-1].all() and (played.result.explore_actions == -1).all()
    assert (played.result.exploit_var == np.where(episodes.goal == 1, -1, 1)).all()
    watched = la.play(ScriptedLM(experimenter_script("do(A=5)")), episodes, interventions=False)
    assert (watched.result.explore_actions == -1).all() and not watched.invalid[:, :-1].any()


def test_a_pointer_at_an_observation_is_no_intervention(episodes):
    def script(words):
        if words[-1].startswith("#"):
            return "goal" if step_number(words) == 1 else "do(A=5)"    # the first step is unparseable: observe
        return "do(#1=5)"
    played = la.play(ScriptedLM(script, answer="point"), episodes)
    assert played.unparseable[:, 0].all() and (played.result.exploit_var == -1).all()
    assert played.invalid[:, -1].all()


def test_the_parrot_talks_then_answers(episodes):
    talk = "B causes C=5 A causes D=-10 goal".split()

    def script(words):
        said = len(words) - 1
        return talk[said] if said < len(talk) else "do(A=5)"
    parrot = ScriptedLM(script, corpus="facts")
    played = la.play(parrot, episodes, seed=0)
    assert played.text(0).split()[:9] == ["<bos>"] + talk + [parrot.vocab.names[episodes.goal[0]]]
    mine = [w for w, by_lm in played.words(0) if by_lm]
    assert mine == talk + ["do(A=5)"]
    assert played.result.explore_actions.shape == (len(episodes), 0)
    assert (played.result.exploit_var == np.where(episodes.goal == 0, -1, 0)).all()
    rates = la.claim_rates(played.ids, parrot.vocab)
    assert rates[1, 2] == 1 and rates[0, 3] == 1 and np.nansum(rates) == 2
    told = la.play(parrot, episodes, told=True)
    prompt = la.facts_ids(episodes, parrot.vocab, answer=False)
    assert told.ids[:, :prompt.shape[1]][prompt != parrot.vocab.pad].tolist() == \
        prompt[prompt != parrot.vocab.pad].tolist()
    assert told.written.sum(1).tolist() == [1] * len(episodes)
    with pytest.raises(ValueError, match="told=True writes the true facts for a facts LM"):
        la.play(ScriptedLM(experimenter_script()), episodes, told=True)
    with pytest.raises(TypeError, match="told must be True or False"):
        la.play(parrot, episodes, told="yes")


def test_a_parrot_that_never_says_goal_is_stopped():
    parrot = ScriptedLM(lambda words: "B", corpus="facts")
    played = la.play(parrot, generate_episodes(3, seed=1))
    words = played.text(0).split()
    assert words.count("B") >= 31 and "goal" in words and played.unparseable[:, -1].all()


def test_play_env_runs_the_loop_through_the_gymnasium_environment():
    lm = ScriptedLM(experimenter_script("do(#1=5)", order="ABCDE"), answer="point")
    out = la.play_env(lm, seed=4)
    env = CausalDAGEnv()
    env.reset(seed=4)
    for name in "ABCDE":
        env.step(env.intervene_action(name))
    _, reward, done, _, info = env.step(env.intervene_action("A", 1))
    words = out["text"].split()
    assert words[1:3] == ["#1", "do(A=5)"] and words[-2] == "do(#1=5)" and out["exploit"] == "do(#1=5)"
    if info["goal"] != "A":
        assert out["reward"] == pytest.approx(reward) and done
    assert out["written"][:5] == [f"do({x}=5)" for x in "ABCDE"] and out["unparseable"] == 0
    assert out["goal"] == info["goal"] and out["scm"] == info["scm"]
    parrot = ScriptedLM(lambda w: "goal" if len(w) == 1 else "do(C=-5)", corpus="facts")
    said = la.play_env(parrot, seed=4)
    assert said["text"].split()[:3] == ["<bos>", "goal", said["goal"]] and said["written"] == ["goal", "do(C=-5)"]
    with pytest.raises(ValueError, match="the environment has 4 variables but the language model reads 5"):
        la.play_env(lm, CausalDAGEnv(4))
    with pytest.raises(TypeError, match="env must be a CausalDAGEnv"):
        la.play_env(lm, "env")


# ----------------------------------------------------------------------------------------------
# Measuring
# ----------------------------------------------------------------------------------------------

def test_evaluate_uses_the_lesson_04_metrics(episodes):
    lm = ScriptedLM(experimenter_script("do(#1=5)"), answer="point")
    metrics = la.evaluate(lm, episodes)
    played = la.play(lm, episodes)
    reference = training.evaluate(lm, episodes, result=played.result)
    assert metrics["reward_fraction"] == pytest.approx(reference["reward_fraction"])
    assert metrics["explore_coverage"] == 1.0 and len(metrics["reward_fraction_ci95"]) == 2
    assert {"divergent_agreement", "unparseable_rate", "invalid_rate"} <= set(metrics)
    with pytest.raises(ValueError, match="played has 40 episodes but batch has 5"):
        la.evaluate(lm, episodes.subset(range(5)), played=played)
    with pytest.raises(TypeError, match="played must be what play\\(\\) returned"):
        la.evaluate(lm, episodes, played={"ids": 1})


def test_claim_and_fact_rates(vocab, episodes):
    truth = la.fact_rates(episodes)
    said = la.claim_rates(la.facts_ids(episodes, vocab), vocab)
    assert np.allclose(said, truth, equal_nan=True) and np.isnan(np.diag(truth)).all()
    text = vocab.encode("<bos> A causes E=5 B causes B=5 causes causes C=0 goal B")[None]
    rates = la.claim_rates(text, vocab)
    assert rates[0, 4] == 1 and np.nansum(rates) == 1                # B causes B and C=0 are not claims
    with pytest.raises(ValueError, match="ids must be a .texts, words. array"):
        la.claim_rates(np.arange(3), vocab)


def test_claimed_effects_and_whether_answers_follow_them(vocab):
    text = vocab.encode("<bos> A causes C=-10 B causes C=5 C causes A=0 goal C do(A=-5) <eos>")[None]
    effects = la.claimed_effects(text, vocab)
    assert effects[0, 0, 2] == -2 and effects[0, 1, 2] == 1 and np.count_nonzero(effects) == 2
    goal = np.array([2, 2, 2, 3])
    effects = np.repeat(effects, 4, axis=0)
    named, follows = la.follows_claims(effects, goal, [0, 0, 1, 0], [-1, 1, 1, 1])
    assert named.tolist() == [True, True, True, False]
    assert follows.tolist() == [True, False, False, True]              # nothing stated about D: any answer will do
    assert not la.follows_claims(effects[:1], goal[:1], [-1], [1])[1][0]
    with pytest.raises(ValueError, match="effects must be .B, n, n."):
        la.follows_claims(effects[0], goal, [0], [1])


def test_well_formed_talk(vocab, episodes):
    assert la.well_formed_talk(la.facts_ids(episodes, vocab), vocab).all()
    texts = ["<bos> goal A", "<bos> A causes B=5 C", "<bos> A causes B=5", "<bos> causes A B=5 goal B",
             "<bos> A causes B=5 goal B do(A=5)"]
    ids = np.full((len(texts), 8), vocab.pad)
    for i, text in enumerate(texts):
        words = vocab.encode(text)
        ids[i, :len(words)] = words
    assert la.well_formed_talk(ids, vocab).tolist() == [True, False, False, False, True]
    with pytest.raises(TypeError, match="vocab must be a Vocabulary"):
        la.well_formed_talk(ids, "ABCDE")


def test_answer_rates_and_next_word_table(vocab, episodes):
    table = la.answer_rates(episodes.exploit_var, episodes.goal, episodes.names)
    assert list(table.columns) == ["A", "B", "C", "D", "E", "none", "episodes"]
    assert table["episodes"].sum() == len(episodes)
    assert np.allclose(table[["A", "B", "C", "D", "E", "none"]].sum(axis=1), 1)
    for g in range(5):
        if f"goal {vocab.names[g]}" in table.index:
            assert table.loc[f"goal {vocab.names[g]}", vocab.names[g]] == 0   # the expert never exploits the goal
    with pytest.raises(ValueError, match="one entry per episode"):
        la.answer_rates([1, 2], [1], "ABCDE")
    lm = la.make_lm(seed=0)
    ids = la.transcript_ids(episodes.subset([0]), vocab)[0]
    words = la.next_word_table(lm, ids, top=3)
    assert len(words) == len(ids) - 1 and words.loc[0, "word"] == "<bos>" and words.loc[0, "next"] == "#1"
    assert words["likely next words"].str.count(",").eq(2).all()


# ----------------------------------------------------------------------------------------------
# Checkpoints, the experiment and the command line
# ----------------------------------------------------------------------------------------------

def test_save_and_load(tmp_path):
    lm = la.make_lm(corpus="facts", seed=3)
    path = la.save_lm(tmp_path / "parrot.pt", lm, metadata={"seed": 3})
    again, meta = la.load_lm(path)
    assert meta["seed"] == 3 and meta["lm_config"]["corpus"] == "facts" and again.config == lm.config
    assert all(torch.equal(x, y) for x, y in zip(lm.state_dict().values(), again.state_dict().values()))
    # the command it names exists: `train --models ... --out-dir ...`
    with pytest.raises(FileNotFoundError, match="no language-model checkpoint at .*; train one with "
                                                "`python -m causal_lessons.experiments.language_agents train "
                                                "--models pointer --out-dir DIR`"):
        la.load_lm(tmp_path / "missing.pt")
    torch.save({"agent_config": {}}, tmp_path / "agent.pt")
    with pytest.raises(ValueError, match="is not a language-model checkpoint"):
        la.load_lm(tmp_path / "agent.pt")
    with pytest.raises(ValueError, match="name must be one of 'language_pointer', 'language_namer', 'language_parrot'"):
        la.load_shipped("language_poet")


@pytest.mark.parametrize("name", la.SHIPPED)
def test_shipped_checkpoints_are_small_and_documented(name):
    path = la.CHECKPOINT_DIR / f"{name}.pt"
    assert path.stat().st_size < 2_000_000
    lm, meta = la.load_shipped(name)
    model, _, steps = name.removeprefix("language_").partition("_")
    steps = int(steps) if steps else la.LM_EXPERIMENT.steps
    assert meta["model"] == model and lm.config.corpus == la.MODELS[model]["corpus"]
    assert lm.config.answer == la.MODELS[model]["answer"]
    command = lm_experiment.COMMAND + " --models " + model
    assert meta["produced_by"] == command + (f" --steps {steps}" if steps != la.LM_EXPERIMENT.steps else "")
    assert meta["seed"] == 0 and meta["train_config"]["steps"] == steps == meta["history"]["steps"][-1]
    config = la.LMExperimentConfig.from_dict(meta["experiment_config"])
    assert config == la.LM_EXPERIMENT.with_settings(steps=steps)              # the recipe is the current one
    assert meta["train_config"] == config.train_config().to_dict()
    assert set(meta["metrics"]) == {"links", "train"} and meta["history"]["eval_steps"]


def test_shipped_pointer_reproduces_its_recorded_metrics():
    lm, meta = la.load_shipped("language_pointer")
    tests = la.evaluation_sets(meta["eval_episodes"])
    metrics = la.evaluate(lm, tests["links"])
    assert metrics["reward_fraction"] == pytest.approx(meta["metrics"]["links"]["reward_fraction"], abs=1e-9)


def test_a_short_retraining_learns_to_experiment_first():
    """The learning signal at a reduced budget: after 300 steps (about 10 s) the pointer model already writes
    valid experiments on every variable, long before its exploit is any good (see the shipped learning curves)."""
    lm, history = la.train_model("pointer", steps=300, curve_every=0, progress=False)
    metrics = la.evaluate(lm, la.evaluation_sets(200, seed=5)["links"])
    assert history.steps[-1] == 300 and history.explore_loss[-1] < 1.2       # near log(5!)/5 = 0.96: random order
    assert metrics["explore_coverage"] >= 0.95 and metrics["unparseable_rate"] == 0.0
    untrained = la.evaluate(la.make_lm(corpus="transcripts", answer="point", seed=0),
                            la.evaluation_sets(200, seed=5)["links"])
    assert untrained["explore_coverage"] < 0.5


def test_train_model_and_its_errors():
    lm, history = la.train_model("parrot", steps=3, curve_every=3, curve_episodes=20, progress=False)
    assert lm.config.corpus == "facts" and set(history.evals[0]) == {"links", "train"}
    with pytest.raises(ValueError, match="model must be one of 'pointer', 'namer', 'parrot', got 'poet'"):
        la.train_model("poet")
    sets = la.evaluation_sets(30)
    assert set(sets) == {"links", "train"} and len(sets["links"]) == 30
    assert set(sets["links"].goal.tolist()) <= {1, 4}                 # goals B and E: a held-out link decides


def test_command_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "causal_lessons.experiments.language_agents", "train", "--models", "pointer",
                          "--steps", "3", "--out-dir", str(tmp_path), "--eval-episodes", "20", "--no-progress"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    assert "pointer: trained in" in out.stdout
    meta = json.loads((tmp_path / "language_pointer_3.pt.json").read_text())
    assert meta["produced_by"] == lm_experiment.COMMAND + " --models pointer --steps 3"
    assert meta["lm_config"]["answer"] == "point" and meta["eval_episodes"] == 20
    shown = subprocess.run([sys.executable, "-m", "causal_lessons.experiments.language_agents", "evaluate", "--checkpoint",
                            str(tmp_path / "language_pointer_3.pt"), "--episodes", "20"],
                           capture_output=True, text=True, cwd=ROOT, check=True)
    assert set(json.loads(shown.stdout)) == {"links", "train"}


def test_run_seeds_records_metrics_curves_and_keeps_other_models(tmp_path, monkeypatch):
    """The seeds command at smoke-test size: a few training steps per seed (the recipe is patched), the shipped
    seed-0 run evaluated too, learning curves copied or recorded, and the runs of other models kept."""
    real = lm_experiment.train_model

    def tiny(model, **options):
        curve_every = options.pop("curve_every")
        return real(model, **options, steps=4, curve_episodes=10, curve_every=2 if curve_every else 0)

    monkeypatch.setattr(lm_experiment, "train_model", tiny)
    out = tmp_path / "seeds.json"
    first = lm_experiment.run_seeds(["parrot"], [1], out=out, eval_episodes=20, log=None)
    assert [(r["model"], r["seed"], r["source"]) for r in first["runs"]] == [
        ("parrot", 0, "shipped checkpoint"), ("parrot", 1, "trained by this command")]
    assert all("told_reward_fraction" in r["metrics"][kind] and "curves" not in r for r in first["runs"]
               for kind in ("links", "train"))
    second = lm_experiment.run_seeds(["pointer"], [1], out=out, eval_episodes=20, curve_every=250,
                                     keep_other_models=True, log=None)
    saved = json.loads(out.read_text())
    assert saved == json.loads(json.dumps(second))
    assert [(r["model"], r["seed"]) for r in saved["runs"]] == [("parrot", 0), ("parrot", 1), ("pointer", 0),
                                                                 ("pointer", 1)]
    assert saved["models"] == ["pointer", "parrot"] and saved["seeds"] == [0, 1]
    assert saved["commands"] == [
        "python -m causal_lessons.experiments.language_agents seeds --models parrot --seeds 1",
        "python -m causal_lessons.experiments.language_agents seeds --models pointer --seeds 1 --curve-every 250 "
        "--keep-other-models"]
    shipped, retrained = saved["runs"][2:]
    assert shipped["curves"]["eval_steps"][-1] == la.LM_EXPERIMENT.steps and retrained["curves"]["eval_steps"] == [2, 4]
    assert set(retrained["curves"]["evals"][0]) == {"links", "train"} and "told_reward_fraction" not in \
        retrained["metrics"]["links"]
    with pytest.raises(ValueError, match="was made with other settings"):
        lm_experiment.run_seeds(["namer"], [1], out=out, eval_episodes=30, keep_other_models=True, log=None)
    with pytest.raises(ValueError, match="models must be names from 'pointer', 'namer', 'parrot', got 'poet'"):
        lm_experiment.run_seeds(["poet"], [1], out=out, log=None)
    with pytest.raises(ValueError, match="curve_every must be 0"):
        lm_experiment.run_seeds(["parrot"], [1], out=out, curve_every=-1, log=None)


def test_shipped_language_seeds_are_reproducible_from_their_commands():
    """The shipped per-seed results: every model over seeds 0-2, the current recipe, and the commands that made them."""
    saved = json.loads(lm_experiment.SEEDS_RESULTS.read_text())
    assert saved["train_config"] == la.LM_EXPERIMENT.train_config().to_dict()
    assert all(c.startswith("python -m causal_lessons.experiments.language_agents seeds") for c in saved["commands"])
    for model in saved["models"]:
        runs = [r for r in saved["runs"] if r["model"] == model]
        assert sorted(r["seed"] for r in runs) == [0, 1, 2], model
        shipped = next(r for r in runs if r["seed"] == 0)
        assert shipped["source"] == "shipped checkpoint" and all(r["source"] == "trained by this command"
                                                                  for r in runs if r["seed"] != 0)
        _, meta = la.load_shipped(f"language_{model}")
        recorded, now = meta["metrics"]["links"]["reward_fraction"], shipped["metrics"]["links"]["reward_fraction"]
        if model == "parrot":      # its talk is sampled: another evaluation of the same checkpoint differs a little
            assert now == pytest.approx(recorded, abs=0.05)
        else:                      # greedy decoding: the same checkpoint on the same episodes gives the same number
            assert now == recorded
        if model != "parrot":
            assert all(r["curves"]["eval_steps"][-1] == la.LM_EXPERIMENT.steps for r in runs)
