"""Checkers for lesson 04, passive agents that learn active causal strategies.

Each checker recomputes its answer from the lesson's own objects (agents,
test episodes, traces): nothing is hard-coded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import graphs, training
from .._validate import check_count, check_seed
from ..environment import generate_episodes, written_episodes
from ..strategies import exact_choices
from .core import Feedback, as_edges, as_label, check_choice, check_number, exercise

__all__ = ["CONTROL_BANDS", "control_band", "check_control_prediction", "seen_link_reward_fraction",
           "check_seen_link", "check_pointer_reading", "check_divergent_episode"]

#: The answers of the prediction exercise, from the divergent agreement they describe.
CONTROL_BANDS = ("almost always", "about half the time", "rarely")


def control_band(divergent_agreement: float) -> str:
    """Which of :data:`CONTROL_BANDS` describes a divergent agreement (>= 0.8, 0.3-0.8, < 0.3)."""
    if divergent_agreement >= 0.8:
        return CONTROL_BANDS[0]
    if divergent_agreement >= 0.3:
        return CONTROL_BANDS[1]
    return CONTROL_BANDS[2]


@exercise('one of "almost always", "about half the time" or "rarely"',
          "what does 'divergent' say about the variable most associated with the goal?")
def check_control_prediction(answer: Any, control_metrics: dict) -> Feedback:
    """Prediction: on the divergent episodes, how often does the associational control exploit as well as the expert?

    ``control_metrics`` is the control's evaluation (it holds ``divergent_agreement``).
    """
    if not isinstance(control_metrics, dict) or "divergent_agreement" not in control_metrics:
        raise TypeError("control_metrics must be the dict that evaluate_agent returned for the control.")
    expected = control_band(control_metrics["divergent_agreement"])
    return check_choice(
        answer, expected, CONTROL_BANDS,
        praise="on divergent episodes the association points at the wrong variable by definition, and the "
               "control never experiments, so it cannot find out.",
        hint="think about what 'divergent' means: episodes where the variable most associated with the goal is "
             "not the best one to intervene on. Which variable will an imitator of association pick there?")


def seen_link_reward_fraction(agent, link: tuple[str, str], *, n_episodes: int = 2000, seed: int = 7) -> float:
    """An agent's reward fraction on test episodes in which ``link`` (source, target) is the decisive one.

    The test episodes come from :func:`causal_lessons.environment.generate_episodes`
    with ``heldout_links=[link]`` and ``test_links=True``: the goal is the
    link's target and its source is the unique best exploit.
    """
    if not isinstance(link, (tuple, list)) or len(link) != 2:
        raise TypeError(f"link must be a (source, target) pair of names such as ('B', 'D'), got {link!r}.")
    batch = generate_episodes(check_count(n_episodes, "n_episodes"), heldout_links=[tuple(link)], test_links=True,
                              seed=check_seed(seed))
    return training.evaluate(agent, batch)["reward_fraction"]


@exercise("a number between 0 and 1 (a reward fraction)",
          "make the test episodes for this link and evaluate the identity agent on them")
def check_seen_link(answer: Any, agent, link: tuple[str, str] = ("B", "D"), *, n_episodes: int = 2000,
                    seed: int = 7) -> Feedback:
    """The identity agent's reward fraction when the decisive link is one it saw in training (default B -> D)."""
    expected = seen_link_reward_fraction(agent, link, n_episodes=n_episodes, seed=seed)
    return check_number(
        answer, expected, tol=0.005,
        praise=f"{expected:.2f}: on a link it saw in training the identity head does well; its failure is "
               "specific to the links it never saw.",
        hint="make the test episodes with generate_episodes(n_episodes, heldout_links=[link], test_links=True, "
             "seed=seed) and pass them to training.evaluate with the identity agent; read 'reward_fraction'.")


@exercise('a variable name in quotes, one of the episode\'s letters (or "observe")',
          "find the row with the largest exploit score")
def check_pointer_reading(answer: Any, trace: Mapping) -> Feedback:
    """Which variable's experiment did the pointer agent point at in the traced episode?  (A variable name.)

    ``trace``: what ``trace_episode`` or ``episode_update`` (lesson 04's widget) returned for the pointer agent.
    """
    if not isinstance(trace, Mapping) or "table" not in trace or trace.get("pointer_step") is None:
        raise TypeError("trace must be what trace_episode or episode_update returned for the pointer agent.")
    table = trace["table"]
    action = table.loc[trace["pointer_step"], "action"]
    names = [c for c in table.columns if c not in ("action", "exploit score")]
    expected = action[3] if action.startswith("do(") and "refused" not in action else "observe"
    return check_choice(
        answer, expected, names + ["observe"],
        praise="the pointer scores the episode's own experiments; the agent then repeats the chosen experiment's "
               "intervention, with the sign of the goal's response.",
        hint="find the row with the largest exploit score; its action names the variable.")


@exercise("a dict of edges {(cause, effect): weight} and the goal's name",
          "association is fooled by a variable the goal causes, or by a common cause", answers=("edges", "goal"))
def check_divergent_episode(agent, edges: Any, goal: Any, *, max_edges: int = 5, plays: int = 20, need: float = 0.9,
                            seed: int = 0) -> Feedback:
    """Open challenge: any episode of the game (a DAG with at most ``max_edges`` edges of the game's weights, and a
    goal) in which the associational strategy (infinite observational data) and ``agent`` choose differently, and
    the agent is right: its exploit earns the best possible reward in at least ``need`` of ``plays`` plays."""
    names = graphs.variable_names(agent.config.n_vars)
    read = as_edges(edges, names)
    goal = as_label(goal, names)
    drawn = {pair: w for pair, w in read.items() if w != 0}
    if len(drawn) > max_edges:
        return Feedback(False, f"this DAG has {len(drawn)} edges; the challenge allows at most {max_edges}.")
    try:
        batch = written_episodes(drawn, goal, copies=plays, seed=seed, n_vars=len(names))
    except (KeyError, TypeError, ValueError) as exc:
        return Feedback(False, str(exc).strip("\"'"))
    exact = exact_choices(batch)
    assoc = f"do({names[exact.assoc_var[0]]} = {5 * exact.assoc_sign[0]:+d})"
    if not exact.divergent[0]:
        return Feedback(False, f"here the associational choice, {assoc}, is already worth as much as the best "
                               "exploit: association and experiment agree. Association is fooled by a variable the "
                               "goal causes (it moves with the goal), or by a common cause of a variable and the goal.")
    result = training.rollout(agent, batch, seed=seed)
    right = (result.reward >= exact.causal_value - 1e-6) & (result.exploit_var != exact.assoc_var)
    if right.mean() < need:
        return Feedback(False, f"association is fooled here ({assoc} is worth {exact.assoc_value[0]:+.0f}, the best "
                               f"exploit {exact.causal_value[0]:+.0f}), but the agent finds the best exploit in only "
                               f"{int(right.sum())} of {plays} plays (at least {need:.0%} needed). Does the decisive "
                               "link look like the ones in its training episodes?")
    chosen = f"do({names[result.exploit_var[0]]} = {5 * result.exploit_sign[0]:+d})"
    return Feedback(True, f"association picks {assoc} (worth {exact.assoc_value[0]:+.0f}); the agent experiments and "
                          f"picks {chosen}, the best exploit ({exact.causal_value[0]:+.0f}), in {int(right.sum())} of "
                          f"{plays} plays. Its own experiments show what no amount of watching would.")
