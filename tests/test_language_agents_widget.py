"""Tests of lesson 06's widget: the trace of a transcript a language model writes (update function) and the
widget builder."""

from __future__ import annotations

import html

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

torch = pytest.importorskip("torch")

from causal_lessons import language_agents as la  # noqa: E402
from causal_lessons.widgets.language_agents import (trace_transcript, transcript_stepper,  # noqa: E402
                                                    transcript_update)


@pytest.fixture(scope="module")
def setup_objects():
    torch.set_num_threads(1)
    models = {name: la.load_shipped(f"language_{name}")[0] for name in ("pointer", "parrot")}
    return models, la.evaluation_sets(12)["links"]


def test_trace_records_every_word_the_model_wrote(setup_objects):
    models, batch = setup_objects
    trace = trace_transcript(models["pointer"], batch, 3)
    played = la.play(models["pointer"], batch.subset([3]))
    assert " ".join(w for w, _ in trace["words"]) == played.text(0)
    mine = [w for w, by_model in trace["words"] if by_model]
    assert [d["word"] for d in trace["decisions"]] == mine and len(mine) == 6
    for decision in trace["decisions"]:
        assert trace["words"][decision["position"]] == (decision["word"], True)
        top_words = [w for w, _ in decision["top"]]
        assert decision["word"] == top_words[0]                       # the experimenter writes its likeliest word
        assert np.isclose(decision["prob"], decision["top"][0][1])
        assert all(a >= b for (_, a), (_, b) in zip(decision["top"], decision["top"][1:]))
    assert trace["exploit"] == mine[-1] and trace["goal"] == batch.names[batch.goal[3]]
    assert trace["reward"] == pytest.approx(float(played.result.reward[0]))
    assert trace["summary"].startswith(f"episode 3, goal {trace['goal']}: the model answered {trace['exploit']}")
    assert trace["names"] == list(batch.names)


def test_trace_of_the_parrot_marks_its_talk(setup_objects):
    models, batch = setup_objects
    trace = trace_transcript(models["parrot"], batch, 0)
    mine = [w for w, by_model in trace["words"] if by_model]
    assert mine[-2] == "goal" and mine[-1] == trace["exploit"] and len(trace["decisions"]) == len(mine)
    assert not any(w.startswith("#") for w, _ in trace["words"])


def test_update_draws_two_panels_clips_the_step_and_checks_arguments(setup_objects):
    models, batch = setup_objects
    trace = transcript_update(models, batch, 1, "pointer", 99)
    axes = trace.figure.axes
    assert trace["step"] == trace["n_steps"] == 6 and trace["decision"] == trace["decisions"][-1]
    assert axes[1].get_title() == "pointer model, its exploit" and len(axes[1].patches) == 6
    assert axes[0].get_title() == f"hidden DAG, goal {trace['goal']}"
    assert trace.readout.startswith(f"pointer model, its exploit: it wrote {trace['exploit']}")
    text = trace.panels["cl-text"]
    assert "background" in text and text.count("<br>") == 5
    plt.close("all")
    first = transcript_update(models, batch, 1, "pointer", 1, draw=False)
    assert first.readout.startswith("pointer model, word 1 of 6: it wrote do(") and first.figure is None
    assert first.panels["cl-text"].count("<br>") == 0
    with pytest.raises(KeyError, match="unknown model 'poet'; the models are pointer, parrot"):
        transcript_update(models, batch, 1, "poet", 1)
    with pytest.raises(TypeError, match=r"models must be a dict \{name: language model\}"):
        transcript_update([models["pointer"]], batch, 1, "pointer", 1)
    with pytest.raises(ValueError, match="step must be at least 1"):
        transcript_update(models, batch, 1, "pointer", 0)
    with pytest.raises(ValueError, match="index must be at most 11"):
        trace_transcript(models["pointer"], batch, 12)


def test_widget_builder_returns_a_widget_that_redraws(setup_objects):
    models, batch = setup_objects
    box = transcript_stepper(models, batch, index=2, step=3)
    assert "language-agents-widget" in box._dom_classes
    (episode, word), choice, readout, text, output = box.children[0].children, *box.children[1:]
    assert "cl-text" in text._dom_classes and "cl-output" in output._dom_classes
    assert word.max == 6 and word.value == 3
    assert readout.value == html.escape(transcript_update(models, batch, 2, "pointer", 3, draw=False).readout)
    episode.value = 4
    assert readout.value == html.escape(transcript_update(models, batch, 4, "pointer", 3, draw=False).readout)
    choice.value = "parrot"
    expected = transcript_update(models, batch, 4, "parrot", 3, draw=False)
    assert word.max == expected["n_steps"] and readout.value == html.escape(expected.readout)
    assert text.value == expected.panels["cl-text"]
    word.value = word.max
    assert readout.value.startswith("parrot model, its exploit")
    choice.value = "pointer"                                           # fewer words: the slider is clipped
    assert word.max == 6 and word.value == 6 and readout.value.startswith("pointer model, its exploit")
    assert plt.get_fignums() == []
