"""Tests of causal_lessons.content_effects (lesson 11, part 1): the world, the problems, the logic tool, the soft
reasoner, the measures, the shipped results and the experiment's command line."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from causal_lessons import content_effects as ce  # noqa: E402
from causal_lessons import language_agents as la  # noqa: E402
from causal_lessons import seeds as seed_results  # noqa: E402
from causal_lessons import training  # noqa: E402
from causal_lessons.experiments import content_effects as experiment  # noqa: E402
from causal_lessons.language_agents.corpora import WordVocabulary  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------------------------- the world

def test_the_world_is_a_dag_whose_facts_are_its_chains():
    w = ce.default_world()
    assert w.believable("clouds", "slips") and w.believable("winter", "hospital-visits")
    assert not w.believable("slips", "rain") and not w.believable("rain", "rain")
    assert not np.diag(w.facts).any() and not (w.facts & w.facts.T).any()          # acyclic
    closed = w.facts | ((w.facts.astype(int) @ w.facts.astype(int)) > 0)
    assert (closed == w.facts).all()                                                  # transitive
    for cause, effect in ce.WORLD_LINKS:
        assert w.believable(cause, effect)
    assert len(w.fact_pairs()) == w.n_facts and w.fact_pairs()[0] == tuple(sorted(w.fact_pairs())[0])


def test_world_errors_name_the_argument():
    with pytest.raises(ValueError, match="must not form a cycle"):
        ce.World(["a", "b", "c"], [("a", "b"), ("b", "a")])
    with pytest.raises(ValueError, match=r"links\[0\] must be a \(cause, effect\) pair"):
        ce.World(["a", "b", "c"], [("a", "z")])
    with pytest.raises(ValueError, match="things must be at least 3 different words"):
        ce.World(["a", "a", "b"], [])
    with pytest.raises(ValueError, match=r"things\[1\] must be one word"):
        ce.World(["a", "b c", "d"], [])
    with pytest.raises(KeyError, match="cause: 'snow' is not a thing of this world"):
        ce.default_world().believable("snow", "rain")


# -------------------------------------------------------------------------------------------- the problems

def test_the_logic_tool_follows_chains_of_premises_only():
    assert ce.logic_tool("rain causes ice . ice causes floods . so rain causes floods")
    assert ce.logic_tool("rain causes ice . floods causes sun . ice causes floods . so rain causes sun")  # 3 links
    assert ce.logic_tool("rain causes slips . so rain causes slips")
    for text in ("winter causes cold . winter causes ice . so cold causes ice",          # fork
                 "cold causes slips . ice causes slips . so cold causes ice",            # collider
                 "clouds causes rain . rain causes floods . so floods causes clouds",    # reversed
                 "clouds causes rain . sun causes floods . so clouds causes floods"):    # broken
        assert not ce.logic_tool(text), text
    p = ce.concat_problems(ce.parse_problem("rain causes ice . so rain causes ice"),
                           ce.parse_problem("rain causes ice . so ice causes rain"))
    assert ce.logic_tool(p).tolist() == [True, False]


def test_everyday_problems_have_true_premises_and_damage_at_the_rates_asked():
    p = ce.everyday_problems(4000, seed=2)
    world = p.world
    intact = p.damage == 0
    shown = p.premises[intact]
    real = shown[..., 0] >= 0
    assert world.facts[shown[..., 0][real], shown[..., 1][real]].all()                # every premise true
    assert (ce.logic_tool(p)[intact] == p.label[intact]).all()
    assert p.believable[p.label].all()                                                  # by construction
    assert abs((p.damage == 1).mean() - 0.2) < 0.03 and abs((p.damage == 2).mean() - 0.1) < 0.03
    assert abs(p.label.mean() - 0.5) < 0.05 and (p.kind == 0).all()
    missing = p.damage == 1
    assert ((p.premises[missing, :, 0] >= 0).sum(1) < (p.premises[intact, :, 0] >= 0).sum(1).max() + 1).all()
    assert (p.premises[..., 0] != p.premises[..., 1])[p.premises[..., 0] >= 0].all()   # nothing causes itself
    # a missing premise never makes the shown argument follow when the full one did not
    assert not (ce.logic_tool(p) & ~p.label)[missing].any()
    again = ce.everyday_problems(4000, seed=2)
    assert (again.premises == p.premises).all() and (again.label == p.label).all()
    clean = ce.everyday_problems(500, seed=3, missing=0.0, garbled=0.0, distractor_rate=0.0)
    assert (clean.damage == 0).all() and ((clean.premises[..., 0] >= 0).sum(1) == 2).all()


def test_arbitrary_problems_fill_the_four_cells_and_the_tool_is_their_answer():
    p = ce.arbitrary_problems(1001, seed=4)
    assert list(p.cell_counts().values()) == [251, 250, 250, 250]
    assert (ce.logic_tool(p) == p.label).all() and (p.kind == 1).all() and (p.damage == 0).all()
    assert (p.form[p.label] == 0).all() and (p.form[~p.label] > 0).all()
    assert set(np.unique(p.form[~p.label])) == {1, 2, 3, 4}
    assert (p.congruent == np.isin(p.cell, [0, 3])).all()
    true_premise = p.world.facts[p.premises[..., 0], p.premises[..., 1]][p.premises[..., 0] >= 0]
    assert 0.02 < true_premise.mean() < 0.3                    # premises about any things, mostly false
    sub = p.subset(p.cell == 1)
    assert len(sub) == 250 and sub.cell_counts()["valid-unbelievable"] == 250


def test_problem_errors_speak_to_a_student():
    with pytest.raises(ValueError, match="n must be a positive whole number"):
        ce.everyday_problems(0)
    with pytest.raises(ValueError, match="missing \\+ garbled must be at most 1"):
        ce.everyday_problems(5, missing=0.7, garbled=0.5)
    with pytest.raises(ValueError, match="distractor_rate must be at most 1"):
        ce.arbitrary_problems(5, distractor_rate=2.0)
    with pytest.raises(TypeError, match="world must be a World"):
        ce.arbitrary_problems(5, world="earth")
    with pytest.raises(ValueError, match="the conclusion must come last, after the word 'so'"):
        ce.parse_problem("rain causes slips")
    with pytest.raises(KeyError, match="premise 1's cause: 'snow' is not a thing"):
        ce.parse_problem("snow causes slips . so rain causes slips")
    with pytest.raises(ValueError, match="1 to 3 premises"):
        ce.parse_problem("a . b . c . d . so rain causes slips")
    with pytest.raises(ValueError, match="the conclusion must come last"):
        ce.parse_problem("so rain causes slips")
    with pytest.raises(ValueError, match="premise 1 must read 'X causes Y'"):
        ce.parse_problem("rain makes slips . so rain causes slips")
    with pytest.raises(ValueError, match="the conclusion says 'rain' causes itself"):
        ce.parse_problem("rain causes slips . so rain causes rain")
    with pytest.raises(TypeError, match="text must be a problem written as a string"):
        ce.parse_problem(3)
    with pytest.raises(TypeError, match="problems must be Problems"):
        ce.logic_tool([1, 2])
    with pytest.raises(IndexError, match="i must be from 0 to 0"):
        ce.parse_problem("rain causes ice . so rain causes ice").text(1)
    with pytest.raises(ValueError, match="concat_problems needs at least one batch"):
        ce.concat_problems()


def test_problem_text_reads_back():
    p = ce.everyday_problems(30, seed=5)
    for i in range(len(p)):
        text = p.text(i)
        again = ce.parse_problem(text)
        assert again.text(0) == text and again.believable[0] == p.believable[i]
        if p.damage[i] == 0:
            assert again.label[0] == p.label[i]
    assert p.text(0, answer=True).endswith("valid")
    assert ce.parse_problem("ice causes rain . so rain causes ice", label=True).label.tolist() == [True]


# ---------------------------------------------------------------------------------------------- the reasoner

def test_word_vocabulary_and_problem_vocabulary():
    words = WordVocabulary(["<pad>", "a", "b"])
    assert words.encode("a b a").tolist() == [1, 2, 1] and words.decode([1, 0, 2]) == "a b"
    with pytest.raises(KeyError, match="unknown word 'c'; the known words are a, b"):
        words.encode("c")
    with pytest.raises(ValueError, match="must not repeat"):
        WordVocabulary(["<pad>", "a", "a"])
    with pytest.raises(ValueError, match="token ids must be from 0 to 2"):
        words.decode([3])
    vocab = ce.ProblemVocabulary()
    p = ce.arbitrary_problems(6, seed=1)
    ids = vocab.problem_ids(p)
    assert ids.shape[1] <= ce.ReasonerConfig().max_len
    for i in range(len(p)):
        assert vocab.decode(ids[i]) == f"<bos> {p.text(i, answer=True)} <eos>"
    assert (vocab.question_positions(vocab.problem_ids(p, answer=False)) >= 5).all()
    facts = vocab.fact_ids(np.array([[[0, 1], [1, 2]]]))
    things = vocab.world.things
    assert vocab.decode(facts[0]) == f"<bos> {things[0]} causes {things[1]} . {things[1]} causes {things[2]} . <eos>"
    with pytest.raises(KeyError, match="the words are the world's things"):
        vocab.encode("snow")
    with pytest.raises(ValueError, match="every text must contain a question mark"):
        vocab.question_positions(facts)
    with pytest.raises(ValueError, match="pairs must have shape"):
        vocab.fact_ids(np.zeros((2, 2)))


def test_corpus_sampler_mixes_facts_and_problems_deterministically():
    vocab = ce.ProblemVocabulary()
    sampler = ce.corpus_sampler("natural")
    ids = sampler(2000, 3)
    assert (ids == sampler(2000, 3)).all() and ids.shape[1] <= ce.ReasonerConfig().max_len
    is_problem = (ids == vocab.question).any(1)
    assert abs((~is_problem).mean() - 0.2) < 0.03                                   # fact documents
    conflict = ce.corpus_sampler("conflict")(400, 0)
    assert ((conflict == vocab.valid).any(1) | (conflict == vocab.invalid).any(1)).sum() > 250
    with pytest.raises(ValueError, match="corpus must be one of 'natural', 'conflict'"):
        ce.corpus_sampler("novels")
    with pytest.raises(ValueError, match="arbitrary_share must be at most 1"):
        ce.CorpusConfig(arbitrary_share=1.5)
    with pytest.raises(ValueError, match="fact_share must be below 1"):
        ce.CorpusConfig(fact_share=1.0)
    with pytest.raises(ValueError, match="missing \\+ garbled must be at most 1"):
        ce.CorpusConfig(missing=0.6, garbled=0.6)
    spec = ce.CorpusConfig(arbitrary_share=0.5)
    assert abs((spec.problems(2000, seed=1).kind == 1).mean() - 0.5) < 0.05
    assert ce.CORPORA["conflict"].problems(50, seed=0).kind.all()
    with pytest.raises(TypeError, match="texts must be a 2-D numpy array of token ids"):
        ce.check_texts([[1, 2]])


def test_reasoner_config_and_model_checks():
    assert ce.ReasonerConfig.from_dict(ce.ReasonerConfig().to_dict()) == ce.ReasonerConfig()
    with pytest.raises(ValueError, match="unknown reasoner config keys: colour"):
        ce.ReasonerConfig.from_dict({"colour": 1})
    with pytest.raises(ValueError, match="d_model \\(30\\) must be a multiple of n_heads \\(4\\)"):
        ce.ReasonerConfig(d_model=30)
    with pytest.raises(ValueError, match="max_len must be at least 20"):
        ce.ReasonerConfig(max_len=10)
    with pytest.raises(ValueError, match="factored must be False"):
        ce.ReasonerConfig(factored=True)
    with pytest.raises(TypeError, match="config must be a ReasonerConfig, got LMConfig"):
        ce.make_reasoner(la.LMConfig())
    lm = ce.make_reasoner(seed=3, n_layers=1)
    assert lm.config.n_layers == 1 and la.is_lm_config(lm.config)
    assert ce.make_reasoner(lm.config, seed=3, d_model=32).config.d_model == 32
    same = ce.make_reasoner(seed=3, n_layers=1)
    assert all(torch.equal(a, b) for a, b in zip(lm.parameters(), same.parameters()))
    game_lm = la.make_lm(seed=0)
    with pytest.raises(TypeError, match="lm must be a language model whose config is a ReasonerConfig"):
        ce.check_reasoner(game_lm)
    with pytest.raises(TypeError, match="lm must be a language model whose config is a LMConfig"):
        la.check_lm(lm)
    with pytest.raises(TypeError, match="config must be an LMConfig, got dict"):
        la.make_lm({"d_model": 8})


def test_a_short_training_learns_the_answer_words_and_is_deterministic():
    torch.set_num_threads(1)
    config = training.TrainConfig(steps=40, batch_size=32, warmup=4, chunk=8)
    lm = ce.make_reasoner(seed=0)
    history = ce.train_reasoner(lm, "natural", config, seed=1, log_every=10)
    assert history.steps[-1] == 40 and history.loss[-1] < history.loss[0]
    assert history.explore_loss[-1] < min(1.5, history.explore_loss[0])    # the answers (log of 42 words: 3.7)
    again = ce.make_reasoner(seed=0)
    ce.train_reasoner(again, "natural", config, seed=1)
    assert all(torch.equal(a, b) for a, b in zip(lm.parameters(), again.parameters()))
    p = ce.arbitrary_problems(20, seed=0)
    prob = ce.answer_probability(lm, p, batch_size=7)
    assert prob.shape == (20,) and ((prob > 0) & (prob < 1)).all()
    assert np.allclose(prob, ce.answer_probability(lm, p))
    assert ce.answer_probability(lm, "rain causes ice . so rain causes ice").shape == (1,)
    total, answers, others = ce.reasoner_loss(lm, torch.from_numpy(ce.corpus_sampler()(16, 0)), loss_on="answers")
    assert total.item() == pytest.approx(answers.item()) and others.item() > 0
    with pytest.raises(ValueError, match="loss_on must be one of 'all', 'answers'"):
        ce.train_reasoner(lm, "natural", config, loss_on="some")
    with pytest.raises(TypeError, match="check_chunk must be a function"):
        training.fit(lm, ce.corpus_sampler(), config, tensors_fn=None, loss_fn=None, check_chunk=3)


# ------------------------------------------------------------------------------------------------ measures

def test_measures_of_belief_alone_the_tool_and_a_mixture():
    p = ce.arbitrary_problems(400, seed=0)
    belief, tool = ce.belief_answers(p), ce.logic_tool(p)
    assert ce.accuracy(belief, p) == 0.5 and ce.accuracy(tool, p) == 1.0
    assert ce.cell_accuracy(belief, p) == {"valid-believable": 1.0, "valid-unbelievable": 0.0,
                                           "invalid-believable": 0.0, "invalid-unbelievable": 1.0}
    assert ce.acceptance(tool, p) == {"valid-believable": 1.0, "valid-unbelievable": 1.0,
                                      "invalid-believable": 0.0, "invalid-unbelievable": 0.0}
    rng = np.random.default_rng(0)
    mixed = np.where(rng.random(len(p)) < 0.3, belief, tool)            # follows belief 30% of the time
    bias = ce.belief_bias(mixed, p)
    assert bias.low < 0.3 < bias.high and bias.low < bias.index < bias.high and bias.n_min == 100
    assert bias.index == pytest.approx(bias.congruent - bias.incongruent)
    assert "95% interval" in bias.text() and ce.belief_bias(mixed, p, level=0.5).high < bias.high
    acc = ce.cell_accuracy(mixed, p)
    assert bias.index == pytest.approx((acc["valid-believable"] + acc["invalid-unbelievable"]
                                        - acc["valid-unbelievable"] - acc["invalid-believable"]) / 2)
    accept = ce.acceptance(mixed, p)                # the same index as believable minus unbelievable acceptance
    assert bias.index == pytest.approx((accept["valid-believable"] + accept["invalid-believable"]
                                        - accept["valid-unbelievable"] - accept["invalid-unbelievable"]) / 2)
    assert (ce.with_tool(belief, p) == tool).all()
    assert ce.cell_accuracy(ce.with_tool(belief, p, "when-it-follows"), p)["invalid-believable"] == 0.0
    assert ce.accuracy(np.array(tool, int), p) == 1.0


def test_measure_errors_speak_to_a_student():
    p = ce.arbitrary_problems(8, seed=0)
    with pytest.raises(ValueError, match="answers must hold one answer per problem \\(8\\)"):
        ce.accuracy([True], p)
    with pytest.raises(TypeError, match="answers must be True \\('valid'\\) or False"):
        ce.accuracy(["valid"] * 8, p)
    with pytest.raises(ValueError, match="problems must cover all four cells; none in valid-unbelievable"):
        ce.belief_bias([True] * 2, p.subset(np.isin(p.cell, [0, 2])).subset([0, 2]))
    with pytest.raises(ValueError, match="policy must be one of 'always', 'when-it-follows'"):
        ce.with_tool([True] * 8, p, "sometimes")
    with pytest.raises(ValueError, match="level must be at least 0.5"):
        ce.belief_bias([True] * 8, p, level=0.1)


# ----------------------------------------------------------------------------- recipes and shipped results

def test_corpus_for_and_the_evaluation_problems():
    assert ce.corpus_for("natural") == ce.CONTENT_EXPERIMENT.corpus
    assert ce.corpus_for("conflict") == replace(ce.CONTENT_EXPERIMENT.corpus, arbitrary_share=1.0)
    assert ce.corpus_for(0.3).arbitrary_share == 0.3
    with pytest.raises(ValueError, match="corpus must be one of 'natural', 'conflict' or a share"):
        ce.corpus_for("novels")
    with pytest.raises(ValueError, match="corpus must be at most 1"):
        ce.corpus_for(1.5)
    tests = ce.evaluation_problems()
    assert len(tests["cells"]) == 4 * ce.CONTENT_EXPERIMENT.test_per_cell
    assert set(tests["cells"].cell_counts().values()) == {ce.CONTENT_EXPERIMENT.test_per_cell}
    assert len(tests["natural"]) == ce.CONTENT_EXPERIMENT.natural_test
    assert (ce.evaluation_problems()["natural"].premises == tests["natural"].premises).all()
    small = ce.CONTENT_EXPERIMENT.with_settings(test_per_cell=5, natural_test=7)
    assert [len(v) for v in ce.evaluation_problems(small).values()] == [20, 7]
    with pytest.raises(ValueError, match="test_per_cell must be a positive whole number"):
        ce.CONTENT_EXPERIMENT.with_settings(test_per_cell=0)


def test_train_model_records_a_curve_and_checkpoints_read_back(tmp_path):
    small = ce.CONTENT_EXPERIMENT.with_settings(test_per_cell=10, natural_test=40)
    lm, history = ce.train_model("conflict", seed=2, config=small, steps=6, eval_every=3)
    assert history.eval_steps == [3, 6] and set(history.evals[0]) == {"bias", "natural_accuracy"}
    path = ce.save_reasoner(tmp_path / "r.pt", lm, metadata={"note": 1})
    again, meta = ce.load_reasoner(path)
    assert meta["note"] == 1 and meta["reasoner_config"] == lm.config.to_dict()
    p = ce.evaluation_problems(small)["cells"]
    assert np.allclose(ce.answer_probability(again, p), ce.answer_probability(lm, p))
    with pytest.raises(FileNotFoundError, match="python -m causal_lessons.experiments.content_effects seeds"):
        ce.load_reasoner(tmp_path / "missing.pt")
    with pytest.raises(TypeError, match="config must be a ContentExperimentConfig"):
        ce.train_model(config=ce.ReasonerConfig())


def test_the_shipped_checkpoint_is_small_documented_and_reproduces_its_metrics():
    assert ce.SHIPPED_CHECKPOINT.stat().st_size < 1_000_000
    lm, meta = ce.load_shipped()
    assert meta["seed"] == 0 and meta["corpus"] == "natural" and meta["produced_by"].startswith(ce.COMMAND)
    config = ce.ContentExperimentConfig.from_dict(meta["experiment_config"])
    assert config == ce.CONTENT_EXPERIMENT                                    # the recipe is the current one
    assert meta["train_config"] == config.train_config().to_dict() == meta["train_config"]
    assert meta["history"]["steps"][-1] == config.steps
    metrics = ce.model_metrics(lm, ce.evaluation_problems())
    assert metrics == meta["metrics"]


@pytest.fixture(scope="module")
def results():
    return seed_results.load_results(ce.SEEDS_RESULTS.name)


def test_the_shipped_seeds_record_config_seeds_metrics_and_command(results):
    assert results["command"].startswith(ce.COMMAND) and len(results["seeds"]) >= 3
    assert ce.ContentExperimentConfig.from_dict(results["experiment_config"]) == ce.CONTENT_EXPERIMENT
    assert results["shares"] == list(ce.ARBITRARY_SHARES) and results["natural_share"] == 0.1
    assert len(results["runs"]) == len(results["seeds"]) * len(results["shares"])
    tests = ce.evaluation_problems()
    assert results["reference"] == ce.reference_metrics(tests)
    assert results["test_sizes"] == {k: len(v) for k, v in tests.items()}
    _, meta = ce.load_shipped()
    first = next(r for r in results["runs"] if r["seed"] == results["seeds"][0] and r["share"] == 0.1)
    assert first["metrics"] == meta["metrics"]                    # the checkpoint is that run's model


def test_command_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "causal_lessons.experiments.content_effects", "seeds", "--seeds", "5",
                          "--shares", "0.1", "--steps", "3", "--out", str(tmp_path / "s.json"), "--checkpoint",
                          str(tmp_path / "c.pt")], capture_output=True, text=True, cwd=ROOT, check=True)
    assert "share 0.1, seed 5: belief bias" in out.stdout
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved["command"] == ce.COMMAND + " --seeds 5 --shares 0.1 --steps 3" and len(saved["runs"]) == 1
    meta = json.loads((tmp_path / "c.pt.json").read_text())
    assert meta["produced_by"] == saved["command"] and meta["metrics"] == saved["runs"][0]["metrics"]
    shown = subprocess.run([sys.executable, "-m", "causal_lessons.experiments.content_effects", "evaluate",
                            "--checkpoint", str(tmp_path / "c.pt")], capture_output=True, text=True, cwd=ROOT,
                           check=True)
    assert set(json.loads(shown.stdout)) == {"model", "with_tool"}
    with pytest.raises(ValueError, match="seeds and shares must each hold at least one value"):
        experiment.run_seeds([], [0.1])


# ------------------------------------------------------------------------------- results over seeds, figures

def _fake_results():
    tests = ce.evaluation_problems(ce.CONTENT_EXPERIMENT.with_settings(test_per_cell=10, natural_test=40))
    runs = []
    for share in (0.0, 0.1, 1.0):
        for seed in (1, 0):
            answers = {n: np.where(np.random.default_rng(seed).random(len(p)) < share, ce.logic_tool(p),
                                   ce.belief_answers(p)) for n, p in tests.items()}
            metrics = ce.answer_metrics(answers, tests)
            runs.append({"share": share, "seed": seed, "metrics": {"model": metrics, "with_tool": metrics}})
    return {"runs": runs, "shares": [0.0, 0.1, 1.0], "seeds": [0, 1], "natural_share": 0.1,
            "reference": ce.reference_metrics(tests)}


def test_seed_values_read_one_metric_per_seed_in_order():
    results = _fake_results()
    values = ce.seed_values(results, "model.cells.belief_bias.index", share=0.0)
    assert values == [1.0, 1.0]
    conflict = ce.seed_values(results, "model.cells.belief_bias.index", share=1.0)
    assert conflict == [0.0, 0.0]
    first = next(r for r in results["runs"] if r["share"] == 0.1 and r["seed"] == 0)
    assert ce.seed_values(results, "model.natural.accuracy", share=0.1)[0] == first["metrics"]["model"]["natural"]["accuracy"]
    assert ce.reference_value(results, "tool.cells.accuracy") == 1.0
    with pytest.raises(ValueError, match="share: no run has 0.5; the shares are \\[0.0, 0.1, 1.0\\]"):
        ce.seed_values(results, "model.cells.accuracy", share=0.5)
    with pytest.raises(KeyError, match="metric: 'model.cells.speed' is not in the results"):
        ce.seed_values(results, "model.cells.speed", share=0.1)
    with pytest.raises(TypeError, match="results must be a dict"):
        ce.seed_values([1], "model.cells.accuracy", share=0.1)


def test_answer_metrics_split_natural_text_by_part():
    results = _fake_results()
    natural = next(r for r in results["runs"] if r["share"] == 0.0)["metrics"]["model"]["natural"]
    assert set(natural) == {"accuracy", "everyday_intact", "everyday_missing", "everyday_garbled", "arbitrary"}
    tool = results["reference"]["tool"]["natural"]
    assert tool["everyday_intact"] == 1.0 and tool["arbitrary"] == 1.0 and tool["everyday_missing"] < 0.8


def test_the_figures_draw_from_the_results():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = _fake_results()
    ax = ce.plot_acceptance(results, live={c: 0.5 for c in ce.CELLS})
    assert len(ax.patches) == 8 and "the shipped model (seed 0)" in [t.get_text() for t in ax.get_legend().get_texts()]
    ax = ce.plot_natural_text(results)
    assert len(ax.patches) == 4 * 5 and [t.get_text() for t in ax.get_xticklabels()][-1] == "all"
    axes = ce.plot_shares(results)
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["0", "0.1", "1"]
    plt.close("all")


# ----------------------------------------------------------- the claims of lesson 11, part 1, over the shipped seeds

def _per_seed(results, metric, share):
    return np.array(ce.seed_values(results, metric, share=share))


def test_natural_text_models_show_belief_bias_in_every_seed(results):
    natural = results["natural_share"]
    assert len(results["seeds"]) == 5
    assert (_per_seed(results, "model.cells.belief_bias.low", natural) > 0).all()
    accept = {c: _per_seed(results, f"model.cells.acceptance.{c}", natural) for c in ce.CELLS}
    on_valid = accept["valid-believable"] - accept["valid-unbelievable"]
    on_invalid = accept["invalid-believable"] - accept["invalid-unbelievable"]
    assert (on_invalid > 0).all() and (on_valid > on_invalid).all()          # unlike people's interaction


def test_the_conflict_corpus_removes_the_bias_and_makes_better_logicians(results):
    natural, conflict = results["natural_share"], 1.0
    low, high = (_per_seed(results, f"model.cells.belief_bias.{k}", conflict) for k in ("low", "high"))
    assert ((low <= 0) & (high >= 0)).all()
    assert (_per_seed(results, "model.cells.accuracy", conflict)
            > _per_seed(results, "model.cells.accuracy", natural)).all()


def test_on_natural_text_the_natural_model_beats_belief_the_tool_and_the_logicians(results):
    natural, conflict = results["natural_share"], 1.0
    accuracy = _per_seed(results, "model.natural.accuracy", natural)
    assert (accuracy > _per_seed(results, "model.natural.accuracy", conflict)).all()
    assert (accuracy > ce.reference_value(results, "tool.natural.accuracy")).all()
    assert (accuracy > ce.reference_value(results, "belief.natural.accuracy")).all()
    assert (_per_seed(results, "model.natural.everyday_missing", natural)
            > ce.reference_value(results, "tool.natural.everyday_missing") + 0.3).all()
    assert (_per_seed(results, "model.natural.arbitrary", natural)
            < _per_seed(results, "model.natural.arbitrary", conflict)).all()


def test_more_conflicting_data_lowers_the_bias_and_three_tenths_cost_nothing_on_natural_text(results):
    bias = {s: _per_seed(results, "model.cells.belief_bias.index", s) for s in results["shares"]}
    assert (bias[0.0] > bias[0.1]).all() and (bias[0.1] > bias[0.3]).all()
    assert (np.abs(_per_seed(results, "model.natural.accuracy", 0.3)
                   - _per_seed(results, "model.natural.accuracy", 0.1)) <= 0.01).all()
    assert (np.abs(_per_seed(results, "model.cells.accuracy", 0.0) - 0.5) < 0.05).all()      # chance


def test_deferring_when_the_tool_follows_lowers_the_bias_and_helps_on_natural_text(results):
    natural = results["natural_share"]
    assert (_per_seed(results, "with_tool.cells.belief_bias.index", natural)
            < _per_seed(results, "model.cells.belief_bias.index", natural)).all()
    assert (_per_seed(results, "with_tool.natural.accuracy", natural)
            > _per_seed(results, "model.natural.accuracy", natural)).all()
    tests = ce.evaluation_problems()
    cells, text = tests["cells"], tests["natural"]
    assert ce.belief_bias(ce.with_tool(ce.belief_answers(cells), cells, "always"), cells).index == 0.0  # by construction
    assert (ce.logic_tool(text) & ~text.label).sum() <= 5             # a chain on the page is almost never wrong


def test_the_bias_is_learned_first_and_shrinks(results):
    curves = [r["curve"] for r in results["runs"] if r["share"] == results["natural_share"]]
    assert all(c["steps"][0] == experiment.CURVE_EVERY and c["bias"][-1] < c["bias"][0] for c in curves)


def test_belief_and_the_tool_are_never_wrong_together_on_the_natural_test():
    text = ce.evaluation_problems()["natural"]
    both = (ce.belief_answers(text) != text.label) & (ce.logic_tool(text) != text.label)
    assert both.sum() == 0                                  # almost by construction (see the lesson)
    gap = ~ce.logic_tool(text) & text.believable & (text.kind == 0)
    assert 0.5 < text.label[gap].mean() < 0.7
