"""Lesson 06's shipped language models: train the three models, measure them, save them; with a command line.

Each model of :data:`causal_lessons.language_agents.MODELS` is trained by
:func:`causal_lessons.language_agents.train_model` (:data:`~causal_lessons.language_agents.LM_EXPERIMENT`),
evaluated on both :func:`~causal_lessons.language_agents.evaluation_sets`, and
saved as ``language_<model>.pt`` with its config, seed, learning curves and
metrics in the JSON beside it.

Command line::

    python -m causal_lessons.experiments.language_agents train [--models pointer namer parrot] [--steps 6000]
        [--out-dir causal_lessons/checkpoints]
    python -m causal_lessons.experiments.language_agents evaluate --checkpoint causal_lessons/checkpoints/language_pointer.pt [--episodes 2000]
    python -m causal_lessons.experiments.language_agents seeds --models parrot --seeds 1 2 [--out PATH]
        [--curve-every 250] [--keep-other-models]

``seeds`` retrains models once per training seed and saves only their metrics
(the parrot's also with the true facts written into its text, ``told``), and
with ``--curve-every`` their learning curves, in ``SEEDS_RESULTS``; the shipped
seed-0 models are not retrained but evaluated the same way (``--seeds 0``
retrains them).  With ``--keep-other-models`` the runs already in the file of
models not named in ``--models`` are kept, so that the file can be filled one
model at a time; every command that wrote it is listed in ``commands``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .._validate import check_count
from ..language_agents import (
    CHECKPOINT_DIR,
    LM_EXPERIMENT,
    MODELS,
    evaluate,
    evaluation_sets,
    load_lm,
    load_shipped,
    save_lm,
    train_model,
)
from ..training import hardware_info

__all__ = ["COMMAND", "SEEDS_RESULTS", "metrics_table", "run_seeds", "run_train", "main"]

#: The command that trains the shipped models (recorded in their metadata, with its options).
COMMAND = "python -m causal_lessons.experiments.language_agents train"
_METRICS = ("reward_fraction", "reward_fraction_ci95", "divergent_agreement", "explore_coverage", "unparseable_rate",
            "invalid_rate", "episodes")


def metrics_table(lm, tests: dict[str, Any]) -> dict[str, Any]:
    """The saved metrics of ``lm`` on each test set of ``tests`` (``{name: batch}``, e.g. from ``evaluation_sets``)."""
    out = {}
    for kind, batch in tests.items():
        metrics = evaluate(lm, batch)
        out[kind] = {k: metrics[k] for k in _METRICS}
    return out


def run_train(models: Sequence[str] = tuple(MODELS), *, out_dir: str | Path = CHECKPOINT_DIR,
              steps: int | None = None, seed: int = 0, eval_episodes: int = 2000, progress: bool = True,
              log: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Train the given models, evaluate each on ``eval_episodes`` episodes of both test sets, and save
    ``out_dir/language_<model>.pt`` (``language_<model>_<steps>.pt`` for a number of steps other than the
    default) with its config, seed, learning curves and metrics in the JSON beside it."""
    log = log or (lambda message: None)
    tests = evaluation_sets(check_count(eval_episodes, "eval_episodes"))
    config = LM_EXPERIMENT if steps is None else LM_EXPERIMENT.with_settings(steps=steps)
    results = {}
    for model in models:
        lm, history = train_model(model, seed=seed, progress=progress, config=config)
        metrics = metrics_table(lm, tests)
        meta = {
            "produced_by": f"{COMMAND} --models {model}" + (f" --steps {steps}" if steps is not None else "")
                           + (f" --seed {seed}" if seed else ""),
            "model": model, "seed": seed, "experiment_config": config.to_dict(),
            "train_config": config.train_config().to_dict(), "loss_on": "own",
            "training_seconds": round(history.seconds, 1), "episodes_seen": history.episodes_seen,
            "final_loss": history.loss[-1], "history": history.to_dict(), "metrics": metrics,
            "eval_episodes": eval_episodes, "hardware": hardware_info("cpu"),
        }
        stem = f"language_{model}" + (f"_{steps}" if steps is not None and steps != LM_EXPERIMENT.steps else "")
        path = save_lm(Path(out_dir) / f"{stem}.pt", lm, metadata=meta)
        results[model] = metrics
        log(f"{model}: trained in {history.seconds:.0f} s; held-out links {metrics['links']['reward_fraction']:.3f}, "
            f"training distribution {metrics['train']['reward_fraction']:.3f} of the expert's reward; saved {path}")
    return results


#: The shipped per-seed results of lesson 06's models (beside the checkpoints).
SEEDS_RESULTS = Path(CHECKPOINT_DIR) / "language_seeds.json"


def _curves(history: dict[str, Any]) -> dict[str, Any]:
    """The learning curves of a training history (as saved): the evaluation steps and the reward fractions."""
    return {"eval_steps": list(history["eval_steps"]), "evals": list(history["evals"])}


def run_seeds(models: Sequence[str] = ("parrot",), seeds: Sequence[int] = (1, 2), *,
              out: str | Path = SEEDS_RESULTS, eval_episodes: int = 2000, include_shipped: bool = True,
              curve_every: int = 0, keep_other_models: bool = False,
              log: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Train each model once per seed (the shipped config), evaluate it on both test sets (the parrot also
    ``told`` the true facts), and write ``out`` with the config, the seeds, each run's metrics and the commands.

    With ``include_shipped``, the shipped seed-0 checkpoints are evaluated too.  With ``curve_every`` > 0 each
    run also records its learning curves as the shipped models did (``curves``: reward fractions on
    ``LM_EXPERIMENT.curve_episodes`` episodes of both test sets every that many steps; the evaluation draws
    no training randomness, so the trained weights are the same with or without curves); the shipped runs'
    curves are copied from their metadata.  With ``keep_other_models``, the runs already in ``out`` of the
    models not in ``models`` are kept (``commands`` lists every command that wrote the file)."""
    log = log or (lambda message: None)
    for model in models:
        if model not in MODELS:
            raise ValueError(f"models must be names from {', '.join(repr(m) for m in MODELS)}, got {model!r}.")
    curve_every = int(curve_every)
    if curve_every < 0:
        raise ValueError(f"curve_every must be 0 (no learning curves) or a positive number of steps, got {curve_every}.")
    tests = evaluation_sets(check_count(eval_episodes, "eval_episodes"))
    start = time.perf_counter()
    runs = []

    def measure(model, seed, lm, seconds, source, history=None, hardware=None):
        metrics = metrics_table(lm, tests)
        if model == "parrot":
            for kind, batch in tests.items():
                metrics[kind]["told_reward_fraction"] = evaluate(lm, batch, told=True)["reward_fraction"]
        run = {"model": model, "seed": seed, "source": source, "training_seconds": seconds,
               "hardware": hardware or hardware_info("cpu"), "metrics": metrics}
        if curve_every and history is not None:
            run["curves"] = _curves(history)
        runs.append(run)
        log(f"{model}, seed {seed} ({source}): " + ", ".join(
            f"{kind} {m['reward_fraction']:.3f}" + (f" (told {m['told_reward_fraction']:.3f})"
                                                     if "told_reward_fraction" in m else "")
            for kind, m in metrics.items()))

    for model in models:
        if include_shipped and 0 not in seeds:
            lm, meta = load_shipped(f"language_{model}")
            measure(model, meta["seed"], lm, meta["training_seconds"], "shipped checkpoint", meta["history"],
                    meta.get("hardware"))
        for seed in seeds:
            lm, history = train_model(model, seed=seed, progress=False, curve_every=curve_every)
            measure(model, seed, lm, round(history.seconds, 1), "trained by this command",
                    history.to_dict() if curve_every else None)
    command = (f"python -m causal_lessons.experiments.language_agents seeds --models {' '.join(models)} "
               f"--seeds {' '.join(map(str, seeds))}" + (f" --curve-every {curve_every}" if curve_every else ""))
    commands, kept = [], []
    if keep_other_models and Path(out).exists():
        previous = json.loads(Path(out).read_text())
        if previous["eval_episodes"] != int(eval_episodes) or previous["train_config"] != LM_EXPERIMENT.train_config().to_dict():
            raise ValueError(f"{out} was made with other settings (eval_episodes or training config); "
                             "write to a new file with --out instead of keeping its runs.")
        kept = [run for run in previous["runs"] if run["model"] not in models]
        commands = [c for c in previous.get("commands", [previous.get("command")]) if c]
        command += " --keep-other-models"
    runs = kept + runs
    results = {"commands": commands + [command], "models": sorted({run["model"] for run in runs}, key=list(MODELS).index),
               "seeds": sorted({run["seed"] for run in runs}),
               "experiment_config": LM_EXPERIMENT.to_dict(), "train_config": LM_EXPERIMENT.train_config().to_dict(),
               "eval_episodes": int(eval_episodes), "runs": runs, "hardware": hardware_info("cpu"),
               "seconds": round(time.perf_counter() - start, 1)}
    Path(out).write_text(json.dumps(results, indent=2) + "\n")
    log(f"wrote {out}")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    import torch

    parser = argparse.ArgumentParser(prog="python -m causal_lessons.experiments.language_agents",
                                     description="Language models as agents in the causal DAG game (lesson 06).")
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train language models and save them with their metrics")
    tr.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
    tr.add_argument("--steps", type=int, default=None, help=f"training steps (default {LM_EXPERIMENT.steps})")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--out-dir", type=Path, default=CHECKPOINT_DIR)
    tr.add_argument("--eval-episodes", type=int, default=2000)
    tr.add_argument("--no-progress", action="store_true")
    ev = sub.add_parser("evaluate", help="evaluate a saved language model on both test sets")
    ev.add_argument("--checkpoint", type=Path, required=True)
    ev.add_argument("--episodes", type=int, default=2000)
    sd = sub.add_parser("seeds", help="retrain models once per seed (no learning curves) and save their metrics")
    sd.add_argument("--models", nargs="+", choices=list(MODELS), default=["parrot"])
    sd.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    sd.add_argument("--out", type=Path, default=SEEDS_RESULTS)
    sd.add_argument("--eval-episodes", type=int, default=2000)
    sd.add_argument("--curve-every", type=int, default=0, help="record learning curves every that many steps "
                    f"(the shipped models: {LM_EXPERIMENT.curve_every}; default 0, none)")
    sd.add_argument("--keep-other-models", action="store_true",
                    help="keep the runs already in --out of the models not retrained")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.command == "seeds":
        run_seeds(args.models, args.seeds, out=args.out, eval_episodes=args.eval_episodes,
                  curve_every=args.curve_every, keep_other_models=args.keep_other_models)
    elif args.command == "train":
        run_train(args.models, out_dir=args.out_dir, steps=args.steps, seed=args.seed,
                  eval_episodes=args.eval_episodes, progress=not args.no_progress)
    else:
        lm, _ = load_lm(args.checkpoint)
        print(json.dumps(metrics_table(lm, evaluation_sets(args.episodes)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
