"""Lesson 05's shipped agents: the quality-conditioning sweep, with a command line.

Every (kind, low-quality share) agent of :mod:`causal_lessons.explanations.quality`
is trained on mixed-quality data, evaluated on ordinary test episodes and saved
in one file with its config, seed and metrics (``explanations_quality_sweep.pt``
and its JSON, loaded by :func:`causal_lessons.explanations.load_sweep`).

Command line::

    python -m causal_lessons.experiments.explanations sweep [--out PATH] [--steps N] [--shares S ...]
    python -m causal_lessons.experiments.explanations seeds [--confound-seeds 0 1 2 3 4] [--sweep-seeds 0 1 2]
        [--out causal_lessons/checkpoints/explanations_seeds.json]

``seeds`` retrains part 1's three confounded agents and part 2's sweep once per
training seed and saves only each seed's metrics (``SEEDS_RESULTS``), which
lesson 05 shows as mean and range.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import json

from .. import training
from .._validate import check_count, check_probability, check_seed
from ..explanations import (
    CONFOUND_KINDS,
    choice_report,
    deconfounded_episodes,
    explanation_report,
    quality_table,
    train_confounded,
    QUALITY_KINDS,
    QUALITY_LEVELS,
    SWEEP_CHECKPOINT,
    SWEEP_SHARES,
    QualityConfig,
    quality_metrics,
    quality_test_episodes,
    save_agents,
    sweep_name,
    train_quality_agent,
)

__all__ = ["COMMAND", "EVAL_EPISODES", "SEEDS_RESULTS", "SEEDS_COMMAND", "run_seeds", "run_sweep", "main"]

#: The command that makes the shipped sweep (recorded in its metadata).
COMMAND = "python -m causal_lessons.experiments.explanations sweep"
#: Test episodes for the saved metrics.
EVAL_EPISODES = 2000


def run_sweep(out: str | Path = SWEEP_CHECKPOINT, *, shares: Sequence[float] = SWEEP_SHARES,
              kinds: Sequence[str] = QUALITY_KINDS, config: QualityConfig | None = None, seed: int = 0,
              eval_episodes: int = EVAL_EPISODES, progress: bool = True,
              log: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Train every (kind, low share) agent of part 2, save them in one file with config, seed and metrics
    (evaluated on ``eval_episodes`` ordinary test episodes), and return the metadata."""
    config = QualityConfig() if config is None else config
    shares = [check_probability(s, "shares") for s in shares]
    for kind in kinds:
        if kind not in QUALITY_KINDS:
            raise ValueError(f"kinds must be among {', '.join(repr(k) for k in QUALITY_KINDS)}, got {kind!r}.")
    log = log or (lambda message: None)
    start = time.perf_counter()
    test = quality_test_episodes(eval_episodes)
    trained, metrics = {}, {}
    for kind in kinds:
        for share in shares:
            agent, history = train_quality_agent(kind, share, config, seed=seed, progress=progress)
            name = sweep_name(kind, share)
            trained[name] = agent
            asks = QUALITY_LEVELS if kind != "plain" else (None,)
            metrics[name] = {"seconds": round(history.seconds, 1), "final_loss": history.loss[-1],
                             **{asked or "none": quality_metrics(agent, test, quality=asked) for asked in asks}}
            log(f"{name}: trained in {history.seconds:.0f} s; reward fraction "
                + ", ".join(f"{k} {v['reward_fraction']:.3f}" for k, v in metrics[name].items() if isinstance(v, dict)))
    meta = {"produced_by": COMMAND, "quality_config": config.to_dict(),
            "train_config": config.train_config().to_dict(), "seed": seed, "shares": list(shares),
            "kinds": list(kinds), "eval_episodes": int(eval_episodes), "metrics": metrics,
            "hardware": training.hardware_info("cpu"), "seconds": round(time.perf_counter() - start, 1)}
    save_agents(out, trained, metadata=meta)
    log(f"saved {out}")
    return meta


#: The shipped per-seed results of lesson 05 (loaded by the lesson through ``causal_lessons.seeds``).
SEEDS_RESULTS = training.CHECKPOINT_DIR / "explanations_seeds.json"
#: The command that makes :data:`SEEDS_RESULTS`.
SEEDS_COMMAND = "python -m causal_lessons.experiments.explanations seeds"


def run_seeds(out: str | Path = SEEDS_RESULTS, *, confound_seeds: Sequence[int] = (0, 1, 2, 3, 4),
              sweep_seeds: Sequence[int] = (0, 1, 2), confound_episodes: int = 2000, sweep_episodes: int = 1000,
              log: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Train part 1's agents once per seed of ``confound_seeds`` and part 2's sweep once per seed of
    ``sweep_seeds``, evaluate them on the lesson's test episodes (the same for every seed), and write
    ``out``: the configs, the seeds, each seed's metrics and the command."""
    confound_seeds = [check_seed(s) for s in confound_seeds]
    sweep_seeds = [check_seed(s) for s in sweep_seeds]
    log = log or (lambda message: None)
    start = time.perf_counter()
    test = deconfounded_episodes(check_count(confound_episodes, "confound_episodes"))
    confound = []
    for seed in confound_seeds:
        row: dict[str, Any] = {"seed": seed}
        for kind in CONFOUND_KINDS:
            agent, history = train_confounded(kind, seed=seed)
            result = training.rollout(agent, test)
            row[kind] = choice_report(agent, test, result=result)
            row[kind]["seconds"] = round(history.seconds, 1)
            if kind == "explained":
                row[kind].update({f"said_{k}": v for k, v in explanation_report(agent, test, result).items()})
            log(f"part 1, seed {seed}, {kind}: best pick {row[kind]['best_pick']:.3f}, "
                f"shortcut pick {row[kind]['shortcut_pick']:.3f}")
        confound.append(row)
    quality_test = quality_test_episodes(check_count(sweep_episodes, "sweep_episodes"))
    sweeps = []
    config = QualityConfig()
    for seed in sweep_seeds:
        trained = {}
        for kind in QUALITY_KINDS:
            for share in SWEEP_SHARES:
                trained[(kind, share)], _ = train_quality_agent(kind, share, config, seed=seed)
        table = quality_table(trained, quality_test)
        rows = [{k: (str(v) if k in ("kind", "asked") else float(v)) for k, v in r.items()}
                for r in table.to_dict("records")]
        sweeps.append({"seed": seed, "rows": rows})
        log(f"part 2, seed {seed}: sweep of {len(trained)} agents done")
    command = (f"{SEEDS_COMMAND} --confound-seeds {' '.join(map(str, confound_seeds))} "
               f"--sweep-seeds {' '.join(map(str, sweep_seeds))}")
    results = {"command": command, "confound_seeds": confound_seeds, "sweep_seeds": sweep_seeds,
               "confound_episodes": int(confound_episodes), "sweep_episodes": int(sweep_episodes),
               "quality_config": config.to_dict(), "quality_train_config": config.train_config().to_dict(),
               "confound": confound, "sweep": sweeps, "hardware": training.hardware_info("cpu"),
               "seconds": round(time.perf_counter() - start, 1)}
    Path(out).write_text(json.dumps(results, indent=2) + "\n")
    log(f"wrote {out}")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: ``python -m causal_lessons.experiments.explanations sweep [--out PATH] [--steps N] ...``."""
    parser = argparse.ArgumentParser(prog="python -m causal_lessons.experiments.explanations",
                                     description="Lesson 05's shipped agents (the quality sweep).")
    sub = parser.add_subparsers(dest="command", required=True)
    sw = sub.add_parser("sweep", help="train the plain and conditioned agents at every low-quality share")
    sw.add_argument("--out", type=Path, default=SWEEP_CHECKPOINT)
    sw.add_argument("--steps", type=int, default=QualityConfig().steps)
    sw.add_argument("--seed", type=int, default=0)
    sw.add_argument("--shares", type=float, nargs="+", default=list(SWEEP_SHARES),
                    help="shares of low-quality training episodes")
    sw.add_argument("--episodes", type=int, default=EVAL_EPISODES, help="test episodes for the saved metrics")
    sw.add_argument("--no-progress", action="store_true")
    sd = sub.add_parser("seeds", help="retrain parts 1 and 2 once per training seed; save each seed's metrics")
    sd.add_argument("--out", type=Path, default=SEEDS_RESULTS)
    sd.add_argument("--confound-seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    sd.add_argument("--sweep-seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    if args.command == "seeds":
        run_seeds(args.out, confound_seeds=args.confound_seeds, sweep_seeds=args.sweep_seeds)
        return 0
    run_sweep(args.out, shares=args.shares,
              config=QualityConfig().with_settings(steps=check_count(args.steps, "--steps")),
              seed=args.seed, eval_episodes=check_count(args.episodes, "--episodes"), progress=not args.no_progress)
    return 0


if __name__ == "__main__":
    sys.exit(main())
