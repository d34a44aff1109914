"""Passive agents that learn active causal strategies: the experiments of lesson 04, with a command line.

After Lampinen, Chan, Dasgupta, Nam & Wang (NeurIPS 2023): an agent trained
only by imitating expert episodes of the causal DAG game (behaviour cloning,
no reward, no interaction) is then let loose to play *actively*.  Does it
discover and use causal links it never saw in training, and experiment
properly on variable sets it never saw?

Experiments (each reports ``reward_fraction``: the agent's mean expected exploit
reward over the expert's on the same test episodes, with a 95% interval;
``divergent_agreement``: how often its exploit is as good as the expert's on the
*divergent* episodes, where the associational choice is worse; and
``explore_coverage``: how often its exploration intervened on every allowed
variable):

* ``heldout_links`` -- training DAGs never let A affect E or C affect B
  (strict: the pair's *total* effect is exactly 0); every test episode has E or
  B as goal with A or C as the unique best choice.  ``heldout_links_direct``:
  only the direct edges are held out (an easier test: other paths still show
  the effect in training).  Each with the pointer head and the identity head.
* ``heldout_sets`` -- in training the expert may experiment only on some
  variable sets (:data:`HELDOUT_SETS` never occur); tested on those sets.
* ``associational_control`` -- the same transformer trained on the
  associational strategy's episodes (observations only).
* ``expert_vs_random`` -- reference rewards: the expert, the exact optimum, the
  associational strategy with the same budget and with 1,000 observations,
  random; and the fraction of divergent episodes.

Command line::

    python -m causal_lessons.experiments.passive_agents train --config small --out results.json
    python -m causal_lessons.experiments.passive_agents train --config paper --device cuda --out results.json
    python -m causal_lessons.experiments.passive_agents evaluate --checkpoint causal_lessons/checkpoints/passive_pointer_small.pt \\
        --out results.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .. import agents as agents_mod
from .. import strategies, training
from .._validate import check_count, check_seed
from ..game import EpisodeBatch
from ..heldout import (
    HELDOUT_LINKS,
    HELDOUT_SETS,
    TEST_KINDS,
    evaluation_episodes,
    links_for,
    strategy_rewards,
    training_sampler,
    training_sets,
)

__all__ = [
    "HELDOUT_LINKS",
    "HELDOUT_SETS",
    "TEST_KINDS",
    "AGENT_KINDS",
    "CONFIGS",
    "ExperimentConfig",
    "get_config",
    "links_for",
    "training_sets",
    "training_sampler",
    "evaluation_episodes",
    "strategy_rewards",
    "reference_rewards",
    "evaluate_agent",
    "train_agent",
    "run_train",
    "run_seeds",
    "seeds_path",
    "run_evaluate",
    "CHECKPOINT_DIR",
    "load_shipped",
    "exploration_table",
    "plot_learning_curves",
    "plot_exploration",
    "main",
]

#: The agents that ``train`` trains: exploit head, which episodes it imitates, how links are held out.
AGENT_KINDS = {
    "pointer": {"head": "pointer", "strategy": "expert", "heldout_mode": "strict"},
    "identity": {"head": "identity", "strategy": "expert", "heldout_mode": "strict"},
    "pointer_direct": {"head": "pointer", "strategy": "expert", "heldout_mode": "direct"},
    "identity_direct": {"head": "identity", "strategy": "expert", "heldout_mode": "direct"},
    "associational": {"head": "identity", "strategy": "associational", "heldout_mode": "strict",
                      "value_scales": (0.1,)},
    # the one-difference control: the identity agent's head, steps and value scaling; only the data differ
    "associational_matched": {"head": "identity", "strategy": "associational", "heldout_mode": "strict"},
}
#: Where the shipped checkpoints live (``causal_lessons/checkpoints/``, defined in :mod:`causal_lessons.training`).
CHECKPOINT_DIR = training.CHECKPOINT_DIR


@dataclass(frozen=True)
class ExperimentConfig(training.ComposedConfig):
    """The sizes of an experiment run: the agent, its training, the test sets, the seeds, the DAG sizes.

    ``agent`` is the agents' network (each agent kind sets its own ``head``, and
    ``n_vars`` and ``max_steps`` fit the largest DAG size); ``train`` the main
    pointer agent's training (the other kinds train for ``control_steps``).
    Settings are read and changed by their plain names (``config.steps``,
    ``get_config("small", d_model=32)``; see :class:`causal_lessons.training.ComposedConfig`);
    ``n_vars`` is the tuple of DAG sizes.
    """

    name: str
    agent: agents_mod.AgentConfig = agents_mod.AgentConfig(value_scales=(5.0,))
    train: training.TrainConfig = training.TrainConfig(steps=6000, batch_size=64, lr=5e-3, warmup=100,
                                                       weight_decay=0.1)
    control_steps: int = 3000
    eval_episodes: int = 10_000
    curve_every: int = 0
    curve_episodes: int = 2000
    seeds: tuple[int, ...] = (0,)
    n_vars: tuple[int, ...] = (5,)
    restricted_share: float = 0.5
    description: str = ""

    def agent_config(self, head: str) -> agents_mod.AgentConfig:
        """The agent built for this experiment, with the given exploit head."""
        return replace(self.agent, n_vars=max(self.n_vars), max_steps=max(8, max(self.n_vars)), head=head)

    def train_config(self, kind: str) -> training.TrainConfig:
        """Training settings for one agent kind (the main pointer agent gets ``steps``, the others ``control_steps``)."""
        steps = self.train.steps if kind == "pointer" else self.control_steps
        return replace(self.train, steps=steps, warmup=min(self.train.warmup, max(1, steps // 10)))


CONFIGS = {
    "lesson": ExperimentConfig(name="lesson").with_settings(
        steps=1500, control_steps=1500, eval_episodes=4000, curve_every=150, curve_episodes=1000,
        description="lesson 04: trained live on one core in about 15 s per agent"),
    "small": ExperimentConfig(name="small").with_settings(
        steps=6000, control_steps=3000, eval_episodes=10_000,
        description="the shipped checkpoint: a few minutes per agent on one CPU core"),
    "paper": ExperimentConfig(name="paper").with_settings(
        d_model=128, n_layers=4, n_heads=8, d_ff=512, steps=20_000, control_steps=10_000,
        batch_size=256, lr=1e-3, warmup=500, eval_episodes=20_000, seeds=(0, 1, 2), n_vars=(4, 5, 6),
        description="GPU-sized: a larger agent, more data, three seeds, DAG sizes 4-6"),
}


def get_config(name: str, *, smoke: bool = False, **overrides) -> ExperimentConfig:
    """A named config (``"lesson"``, ``"small"``, ``"paper"``), optionally shrunk to a smoke test, with
    ``overrides`` (settings by their plain names, e.g. ``steps=500`` or ``d_model=32``).

    ``smoke=True`` keeps the config's shape (agent, seeds, DAG sizes) but trains
    for a few steps and evaluates on a few hundred episodes, so that even
    ``"paper"`` runs in seconds on a CPU.
    """
    if name not in CONFIGS:
        raise ValueError(f"config must be one of {', '.join(repr(c) for c in CONFIGS)}, got {name!r}.")
    config = CONFIGS[name]
    if smoke:
        config = config.with_settings(steps=12, control_steps=8, warmup=2, eval_episodes=300, curve_every=0,
                                      curve_episodes=100, name=config.name + "-smoke")
    return config.with_settings(**overrides)


# ----------------------------------------------------------------------------------------------
# References and evaluation (the test sets are in causal_lessons.heldout)
# ----------------------------------------------------------------------------------------------

def _summary(values: np.ndarray) -> dict[str, Any]:
    mean, low, high = strategies.mean_interval(values)
    return {"mean": mean, "ci95": [low, high]}


def reference_rewards(kind: str, n_episodes: int, *, seed: int = 0, n_vars: int = 5,
                      n_observations: int = 1000) -> dict[str, Any]:
    """Reference expected rewards on the test episodes of one kind, with 95% intervals.

    ``expert``; ``optimum`` (the best allowed exploit from the true effects);
    ``associational_same_budget`` (observing for the expert's K steps);
    ``associational_<n_observations>``; ``associational_exact`` (infinite
    observational data); ``random``; and ``divergent_fraction``, the share of
    episodes where the (infinite-data) associational choice is worse than the causal one.
    """
    test = evaluation_episodes(kind, n_episodes, seed=seed, n_vars=n_vars)
    exact = strategies.exact_choices(test)
    expert = training.expected_reward(test.total_effects, test.goal, test.exploit_var, test.exploit_sign,
                                      test.intervention_value)
    out = {
        "episodes": len(test),
        "expert": _summary(expert),
        "optimum": _summary(exact.causal_value),
        "associational_same_budget": _summary(strategy_rewards(kind, n_episodes, seed=seed, n_vars=n_vars,
                                                               strategy="associational")),
        f"associational_{n_observations}": _summary(strategy_rewards(
            kind, n_episodes, seed=seed, n_vars=n_vars, strategy="associational", n_explore=n_observations,
            chunk=max(1, min(1000, 2_000_000 // n_observations)))),
        "associational_exact": _summary(exact.assoc_value),
        "random": _summary(strategy_rewards(kind, n_episodes, seed=seed, n_vars=n_vars, strategy="random")),
        "divergent_fraction": float(exact.divergent.mean()),
    }
    return out


def evaluate_agent(agent, kind: str, n_episodes: int, *, seed: int = 0, n_vars: int = 5, device: Any = "cpu",
                   batch: EpisodeBatch | None = None) -> dict[str, Any]:
    """Play the test episodes of one kind actively and compare with the expert (see :func:`training.evaluate`).

    Adds ``reward_fraction_ci95`` and ``divergent_agreement`` on the divergent
    episodes (:func:`causal_lessons.strategies.divergent_mask`).  Pass ``batch``
    to reuse test episodes already made by :func:`evaluation_episodes`.
    """
    test = evaluation_episodes(kind, n_episodes, seed=seed, n_vars=n_vars) if batch is None else batch
    metrics = training.evaluate(agent, test, divergent=strategies.divergent_mask(test), seed=seed, device=device)
    metrics["reward_fraction_ci95"] = [metrics.pop("reward_fraction_low"), metrics.pop("reward_fraction_high")]
    metrics["test"] = kind
    metrics["n_vars"] = n_vars
    return metrics


# ----------------------------------------------------------------------------------------------
# Training the agents of the experiments
# ----------------------------------------------------------------------------------------------

def train_agent(kind: str, config: ExperimentConfig | str = "small", *, seed: int = 0, device: Any = "cpu",
                progress: bool = True, curve_test: str | None = "links"):
    """Train one agent of the experiments (see :data:`AGENT_KINDS`); returns ``(agent, history)``.

    With ``config.curve_every`` > 0, the agent is evaluated actively every that
    many steps on ``config.curve_episodes`` test episodes of kind ``curve_test``
    (learning curves; the curves do not influence training).
    """
    if kind not in AGENT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(repr(k) for k in AGENT_KINDS)}, got {kind!r}.")
    if isinstance(config, str):
        config = get_config(config)
    spec = AGENT_KINDS[kind]
    agent_config = config.agent_config(spec["head"])
    if "value_scales" in spec:
        agent_config = replace(agent_config, value_scales=spec["value_scales"])
    agent = agents_mod.make_agent(agent_config, seed=seed)
    sampler = training_sampler(strategy=spec["strategy"], heldout_mode=spec["heldout_mode"], n_vars=config.n_vars,
                               restricted_share=config.restricted_share)
    eval_fn = None
    if config.curve_every and curve_test is not None:
        n_curve = 5 if 5 in config.n_vars else max(config.n_vars)
        curve_batch = evaluation_episodes(curve_test, config.curve_episodes, seed=seed + 1, n_vars=n_curve)

        def eval_fn(a):
            m = evaluate_agent(a, curve_test, config.curve_episodes, seed=seed + 1, n_vars=n_curve, device=device,
                               batch=curve_batch)
            return {k: m[k] for k in ("reward_fraction", "agreement", "divergent_agreement", "explore_coverage")}

    history = training.train(agent, sampler, config.train_config(kind), seed=seed, device=device,
                             progress=progress, eval_fn=eval_fn, eval_every=config.curve_every or None,
                             description=f"{kind} agent")
    return agent, history


def _mean_over_seeds(per_seed: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(per_seed[0])
    if len(per_seed) > 1:
        for key, value in per_seed[0].items():
            if isinstance(value, float):
                values = [m[key] for m in per_seed]
                out[key] = float(np.mean(values))
                out[key + "_sd_over_seeds"] = float(np.std(values, ddof=1))
        out["reward_fraction_ci95"] = [float(np.mean([m["reward_fraction_ci95"][i] for m in per_seed]))
                                       for i in (0, 1)]
        out["per_seed"] = per_seed
    return out


#: experiment name -> (agent kind, test kind, what it shows)
EXPERIMENTS = {
    "heldout_links": ("pointer", "links", "strict held-out links; pointer head"),
    "heldout_links_identity": ("identity", "links", "strict held-out links; identity head"),
    "heldout_links_direct": ("pointer_direct", "links", "only the direct edges held out; pointer head"),
    "heldout_links_direct_identity": ("identity_direct", "links", "only the direct edges held out; identity head"),
    "heldout_sets": ("pointer", "sets", "held-out experiment sets; pointer head"),
    "heldout_sets_identity": ("identity", "sets", "held-out experiment sets; identity head"),
    "associational_control": ("associational", "links", "imitates the associational strategy; strict held-out links"),
    "associational_control_sets": ("associational", "sets", "imitates the associational strategy; held-out sets"),
    "associational_matched": ("associational_matched", "links",
                              "imitates the associational strategy; otherwise the identity agent; strict held-out links"),
    "associational_matched_sets": ("associational_matched", "sets",
                                   "imitates the associational strategy; otherwise the identity agent; held-out sets"),
}


def _checkpoint_metadata(config, kind, seed, history, metrics, device) -> dict[str, Any]:
    return {
        "produced_by": f"python -m causal_lessons.experiments.passive_agents train --config {config.name}",
        "agent_kind": kind,
        "experiment_config": config.to_dict(),
        "train_config": config.train_config(kind).to_dict(),
        "seed": seed,
        "training_seconds": round(history.seconds, 1),
        "episodes_seen": history.episodes_seen,
        "final_loss": history.loss[-1],
        "metrics": metrics,
        "hardware": training.hardware_info(device),
    }


def run_train(config: ExperimentConfig | str = "small", *, out: str | Path | None = None, device: Any = "cpu",
              seeds: Sequence[int] | None = None, agent_kinds: Sequence[str] | None = None,
              checkpoint_dir: str | Path | None = None, progress: bool = True, smoke: bool = False,
              log: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Train the agents of a config, run every experiment, and write the results JSON (and checkpoints).

    ``seeds`` and ``agent_kinds`` override the config's seeds and the agents to
    train (default: all of :data:`AGENT_KINDS`).  With ``checkpoint_dir``, the
    first seed's pointer agent and associational control are saved there, each
    with a JSON of its config, seed and reached metrics beside it.
    """
    if isinstance(config, str):
        config = get_config(config, smoke=smoke)
    device = training.resolve_device(device)
    seeds = tuple(config.seeds if seeds is None else [check_seed(s) for s in seeds])
    kinds = list(AGENT_KINDS if agent_kinds is None else agent_kinds)
    for kind in kinds:
        if kind not in AGENT_KINDS:
            raise ValueError(f"agent kind must be one of {', '.join(AGENT_KINDS)}, got {kind!r}.")
    log = log or (lambda message: None)
    start = time.perf_counter()
    results: dict[str, Any] = {
        "config": config.to_dict(), "seeds": list(seeds), "hardware": training.hardware_info(device),
        "heldout_links": [list(p) for p in HELDOUT_LINKS], "heldout_sets": [list(s) for s in HELDOUT_SETS],
        "training_sets": [list(s) for s in training_sets(5)], "agents": {}, "experiments": {},
    }
    sizes = list(config.n_vars)
    main_n = 5 if 5 in sizes else sizes[0]
    tests = {("links", n): evaluation_episodes("links", config.eval_episodes, n_vars=n) for n in sizes}
    if 5 in sizes:
        tests[("sets", 5)] = evaluation_episodes("sets", config.eval_episodes, n_vars=5)
    per_experiment: dict[str, list] = {name: [] for name in EXPERIMENTS}
    for kind in kinds:
        results["agents"][kind] = []
        for seed in seeds:
            agent, history = train_agent(kind, config, seed=seed, device=device, progress=progress, curve_test=None)
            results["agents"][kind].append({
                "seed": seed, "seconds": round(history.seconds, 1), "episodes_seen": history.episodes_seen,
                "final_loss": history.loss[-1], "parameters": agents_mod.count_parameters(agent),
                "train_config": config.train_config(kind).to_dict(), **AGENT_KINDS[kind],
                "value_scales": list(agent.config.value_scales)})
            log(f"{kind} agent, seed {seed}: trained in {history.seconds:.0f} s, final loss {history.loss[-1]:.3f}")
            reached = {}
            for name, (agent_kind, test_kind, _) in EXPERIMENTS.items():
                if agent_kind != kind or (test_kind, main_n) not in tests:
                    continue
                metrics = evaluate_agent(agent, test_kind, config.eval_episodes, n_vars=main_n, device=device,
                                         batch=tests[(test_kind, main_n)])
                if test_kind == "links" and len(sizes) > 1:
                    metrics["by_n_vars"] = {
                        str(n): evaluate_agent(agent, "links", config.eval_episodes, n_vars=n, device=device,
                                               batch=tests[("links", n)]) for n in sizes}
                per_experiment[name].append(metrics)
                reached[test_kind] = {k: metrics[k] for k in ("reward_fraction", "reward_fraction_ci95",
                                                               "divergent_agreement", "explore_coverage")}
                log(f"  {name}: reward fraction {metrics['reward_fraction']:.3f}, divergent agreement "
                    f"{metrics['divergent_agreement']:.3f}, coverage {metrics['explore_coverage']:.3f}")
            if checkpoint_dir is not None and seed == seeds[0] and kind in ("pointer", "associational"):
                name = "passive_pointer" if kind == "pointer" else "associational_control"
                path = Path(checkpoint_dir) / f"{name}_{config.name}.pt"
                training.save_checkpoint(path, agent, metadata=_checkpoint_metadata(
                    config, kind, seed, history, reached, device))
                log(f"  saved {path}")
    for name, runs in per_experiment.items():
        if runs:
            agent_kind, test_kind, what = EXPERIMENTS[name]
            results["experiments"][name] = {"agent": agent_kind, "what": what, **_mean_over_seeds(runs)}
    references = {kind: reference_rewards(kind, config.eval_episodes, n_vars=main_n)
                  for kind, n in [("train", main_n), ("links", main_n)] + ([("sets", 5)] if 5 in sizes else [])}
    results["experiments"]["expert_vs_random"] = references
    results["seconds"] = round(time.perf_counter() - start, 1)
    if out is not None:
        Path(out).write_text(json.dumps(results, indent=2) + "\n")
        log(f"wrote {out}")
    return results


def seeds_path(config_name: str) -> Path:
    """The shipped per-seed results of a config: ``causal_lessons/checkpoints/seeds_<config>.json``."""
    return Path(CHECKPOINT_DIR) / f"seeds_{config_name}.json"


def run_seeds(config: ExperimentConfig | str = "small", *, seeds: Sequence[int] = (0, 1, 2),
              out: str | Path | None = None, agent_kinds: Sequence[str] | None = None, progress: bool = True,
              log: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Train every agent of ``config`` once per seed and write the results JSON (default
    :func:`seeds_path`) with the config, the seeds, each seed's metrics (``per_seed`` of every
    experiment) and the command that reproduces it; no checkpoints are saved."""
    name = config if isinstance(config, str) else config.name
    if len(seeds) < 1:
        raise ValueError("seeds must name at least one training seed, got none.")
    out = seeds_path(name) if out is None else out
    results = run_train(config, seeds=seeds, agent_kinds=agent_kinds, progress=progress, log=log)
    for experiment in results["experiments"].values():
        if "per_seed" not in experiment and "reward_fraction" in experiment and "what" in experiment:
            experiment["per_seed"] = [{k: v for k, v in experiment.items() if k not in ("agent", "what")}]
    results["command"] = (f"python -m causal_lessons.experiments.passive_agents seeds --config {name} --seeds "
                          + " ".join(str(s) for s in seeds)
                          + ("" if agent_kinds is None else " --agents " + " ".join(agent_kinds)))
    Path(out).write_text(json.dumps(results, indent=2) + "\n")
    if log:
        log(f"wrote {out}")
    return results


def run_evaluate(checkpoint: str | Path, *, out: str | Path | None = None, n_episodes: int = 10_000,
                 seed: int = 0, device: Any = "cpu", log: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Evaluate a saved agent on the held-out links and the held-out sets; write the results JSON."""
    agent, metadata = training.load_checkpoint(checkpoint, device=device)
    log = log or (lambda message: None)
    results = {"checkpoint": str(checkpoint), "checkpoint_metadata": metadata,
               "hardware": training.hardware_info(device), "experiments": {}}
    for kind, name in (("links", "heldout_links"), ("sets", "heldout_sets")):
        metrics = evaluate_agent(agent, kind, n_episodes, seed=seed, device=device)
        results["experiments"][name] = metrics
        log(f"{name}: reward fraction {metrics['reward_fraction']:.3f} "
            f"[{metrics['reward_fraction_ci95'][0]:.3f}, {metrics['reward_fraction_ci95'][1]:.3f}], divergent "
            f"agreement {metrics['divergent_agreement']:.3f}, coverage {metrics['explore_coverage']:.3f}")
    if out is not None:
        Path(out).write_text(json.dumps(results, indent=2) + "\n")
        log(f"wrote {out}")
    return results


def load_shipped(name: str = "passive_pointer_small", *, device: Any = "cpu"):
    """Load a checkpoint shipped in ``causal_lessons/checkpoints/`` (``"passive_pointer_small"`` or
    ``"associational_control_small"``); returns ``(agent, metadata)``."""
    if not isinstance(name, str) or "/" in name:
        raise ValueError(f"name must be a checkpoint name such as 'passive_pointer_small', got {name!r}.")
    return training.load_checkpoint(CHECKPOINT_DIR / f"{name}.pt", device=device)


# ----------------------------------------------------------------------------------------------
# Tables for the lesson
# ----------------------------------------------------------------------------------------------

def exploration_table(result: training.RolloutResult, batch: EpisodeBatch):
    """Where an agent experimented: for each allowed set in ``batch``, the mean number of do()s per variable.

    Returns a DataFrame (rows: the allowed sets, e.g. "ABD"; columns: the
    variables and "observe"), from a :func:`causal_lessons.training.rollout` of ``batch``.
    """
    import pandas as pd

    names = list(batch.names)
    actions = np.asarray(result.explore_actions)
    if actions.shape[0] != len(batch):
        raise ValueError(f"result has {actions.shape[0]} episodes but batch has {len(batch)}: "
                         "pass the rollout of this batch.")
    counts = np.stack([(actions == i).sum(1) for i in range(len(names))] + [(actions < 0).sum(1)], axis=1)
    labels = np.array(["".join(v for v, a in zip(names, row) if a) for row in np.asarray(batch.allowed)])
    table = pd.DataFrame(counts, columns=names + ["observe"])
    table.insert(0, "allowed", labels)
    return table.groupby("allowed").mean().sort_index()


def plot_learning_curves(histories: dict, axes=None, *, metric: str = "reward_fraction"):
    """Left: an evaluation metric during training (one line per agent); right: the imitation loss.

    ``histories``: ``{name: TrainingHistory}`` from :func:`train_agent` with curves.
    Lines take the course colour of their name when it has one.  Returns the axes.
    """
    import matplotlib.pyplot as plt

    from ..plotting import COLORS

    if not isinstance(histories, dict) or not histories:
        raise TypeError("histories must be a dict {name: TrainingHistory}, e.g. {'pointer': history}.")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    palette = {"pointer": COLORS["agent"], "identity": COLORS["bc"], "associational": COLORS["associational"]}
    for name, history in histories.items():
        steps, values = history.curve(metric)
        color = palette.get(name)
        axes[0].plot(steps, values, "o-", ms=3, label=name, color=color)
        axes[1].plot(history.steps, history.loss, label=name, color=color)
    axes[0].axhline(1.0, color=COLORS["expert"], ls="--", lw=1, label="expert")
    axes[0].set_xlabel("training step")
    axes[0].set_ylabel(metric.replace("_", " "))
    axes[0].set_title("active test on held-out links", fontsize=10)
    axes[0].legend(fontsize=8)
    axes[1].set_xlabel("training step")
    axes[1].set_ylabel("imitation loss")
    axes[1].set_title("the loss cannot reach 0 (random order, noisy ties)", fontsize=10)
    return axes


def plot_exploration(table, ax=None, *, title: str = "where the agent experiments"):
    """Heat map of :func:`exploration_table`: mean number of do()s per variable, one row per allowed set."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 2.8))
    image = ax.imshow(table.to_numpy(), cmap="Blues", vmin=0, vmax=max(1.0, float(table.to_numpy().max())))
    ax.set_xticks(range(table.shape[1]), list(table.columns))
    ax.set_yticks(range(table.shape[0]), [f"allowed {s}" for s in table.index])
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8,
                color="white" if value > 0.6 else "black")
    ax.grid(False)
    ax.set_title(title, fontsize=10)
    plt.colorbar(image, ax=ax, fraction=0.04, label="per episode")
    return ax


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m causal_lessons.experiments.passive_agents",
                                     description="Passive agents that learn active causal strategies.")
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train the agents of a config and run every experiment")
    tr.add_argument("--config", choices=sorted(CONFIGS), default="small")
    tr.add_argument("--out", type=Path, required=True, help="results JSON")
    tr.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    tr.add_argument("--seeds", type=int, nargs="+", help="override the config's seeds")
    tr.add_argument("--agents", nargs="+", choices=sorted(AGENT_KINDS), help="train only these agents")
    tr.add_argument("--checkpoint-dir", type=Path, help="save the pointer agent and the control here")
    tr.add_argument("--smoke", action="store_true", help="a few steps only: check that the config runs")
    tr.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    tr.add_argument("--no-progress", action="store_true", help="no progress bars")
    sd = sub.add_parser("seeds", help="train every agent of a config once per seed; save each seed's metrics")
    sd.add_argument("--config", choices=sorted(CONFIGS), default="small")
    sd.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    sd.add_argument("--out", type=Path, default=None, help="results JSON (default: the shipped seeds_<config>.json)")
    sd.add_argument("--agents", nargs="+", choices=sorted(AGENT_KINDS), help="train only these agents")
    sd.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    sd.add_argument("--no-progress", action="store_true", help="no progress bars")
    ev = sub.add_parser("evaluate", help="evaluate a saved agent on the held-out links and sets")
    ev.add_argument("--checkpoint", type=Path, required=True)
    ev.add_argument("--out", type=Path, required=True, help="results JSON")
    ev.add_argument("--episodes", type=int, default=10_000)
    ev.add_argument("--device", default="cpu")
    ev.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(check_count(args.threads, "--threads"))
    if args.command == "train":
        run_train(args.config, out=args.out, device=args.device, seeds=args.seeds, agent_kinds=args.agents,
                  checkpoint_dir=args.checkpoint_dir, progress=not args.no_progress, smoke=args.smoke)
    elif args.command == "seeds":
        run_seeds(args.config, seeds=args.seeds, out=args.out, agent_kinds=args.agents, progress=not args.no_progress)
    else:
        run_evaluate(args.checkpoint, out=args.out, n_episodes=args.episodes, device=args.device)
    return 0


if __name__ == "__main__":
    sys.exit(main())
