"""Tests of lesson 04's widget: the trace of one episode (update function) and the widget builder."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

torch = pytest.importorskip("torch")

from causal_lessons.agents import make_agent  # noqa: E402
from causal_lessons.experiments import passive_agents as pa  # noqa: E402
from causal_lessons.widgets.agents import episode_explorer, episode_update, trace_episode  # noqa: E402


@pytest.fixture(scope="module")
def setup_objects():
    pointer, _ = pa.load_shipped("passive_pointer_small")
    identity = make_agent(pa.get_config("lesson").agent_config("identity"), seed=0)
    return {"pointer": pointer, "identity": identity}, pa.evaluation_episodes("links", 20)


def test_trace_reports_what_the_agent_did_saw_and_chose(setup_objects):
    agents, batch = setup_objects
    trace = trace_episode(agents["pointer"], batch, 3)
    table = trace["table"]
    assert list(table.index) == [1, 2, 3, 4, 5]
    assert list(table.columns) == ["action", "A", "B", "C", "D", "E", "exploit score"]
    assert np.isclose(table["exploit score"].sum(), 1.0, atol=0.02)            # the pointer is a distribution
    assert trace["pointer_step"] == int(table["exploit score"].idxmax())
    assert trace["goal"] == batch.names[batch.goal[3]]
    # the chosen exploit repeats the pointed step's intervention, with the sign of the goal's response
    pointed = table.loc[trace["pointer_step"]]
    assert trace["exploit_var"] == pointed["action"][3]
    sign = "+" if pointed[trace["goal"]] > 0 else "-"
    assert trace["choice"] == f"do({trace['exploit_var']} = {sign}5)"
    assert trace["best_reward"] >= trace["reward"] and trace["expert_reward"] == trace["best_reward"]
    assert trace["summary"].startswith(f"episode 3, goal {trace['goal']}: the agent chose {trace['choice']}")


def test_trace_of_an_identity_agent(setup_objects):
    agents, batch = setup_objects
    trace = trace_episode(agents["identity"], batch, 0)
    assert trace["pointer_step"] is None
    assert (trace["table"]["exploit score"].between(0, 1)).all()


def test_update_draws_two_panels_and_checks_its_arguments(setup_objects):
    agents, batch = setup_objects
    trace = episode_update(agents, batch, 1, "pointer")
    axes = trace.figure.axes
    assert axes[1].get_title().startswith("pointer agent: ")
    assert len(axes[1].patches) == 5 and axes[0].get_title() == f"hidden DAG, goal {trace['goal']}"
    assert trace.readout == trace["summary"] and trace.panels["cl-table"] == trace["table"].to_html()
    plt.close("all")
    assert episode_update(agents, batch, 1, "identity", draw=False)["goal"] == trace["goal"]
    with pytest.raises(KeyError, match="unknown agent 'random'; the agents are pointer, identity"):
        episode_update(agents, batch, 1, "random")
    with pytest.raises(TypeError, match=r"agents must be a dict \{name: agent\}"):
        episode_update([agents["pointer"]], batch, 1, "pointer")
    with pytest.raises(ValueError, match="index must be at most 19"):
        trace_episode(agents["pointer"], batch, 20)


def test_widget_builder_returns_a_widget_that_redraws(setup_objects):
    agents, batch = setup_objects
    box = episode_explorer(agents, batch, index=2)
    assert "passive-agents-widget" in box._dom_classes
    (slider, choice), readout, output, table = box.children[0].children, *box.children[1:]
    assert "cl-output" in output._dom_classes and "cl-table" in table._dom_classes
    first = readout.value
    assert first.startswith("episode 2, goal ")
    slider.value = 5
    assert readout.value == trace_episode(agents["pointer"], batch, 5)["summary"]
    assert table.value == trace_episode(agents["pointer"], batch, 5)["table"].to_html()
    choice.value = "identity"
    assert readout.value == trace_episode(agents["identity"], batch, 5)["summary"]
    assert plt.get_fignums() == []
