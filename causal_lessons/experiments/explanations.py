"""Lesson 05's shipped agents: the quality-conditioning sweep, with a command line.

Every (kind, low-quality share) agent of :mod:`causal_lessons.explanations.quality`
is trained on mixed-quality data, evaluated on ordinary test episodes and saved
in one file with its config, seed and metrics (``explanations_quality_sweep.pt``
and its JSON, loaded by :func:`causal_lessons.explanations.load_sweep`).

Command line::

    python -m causal_lessons.experiments.explanations sweep [--out PATH] [--steps N] [--shares S ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import training
from .._validate import check_count, check_probability
from ..explanations import (
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

__all__ = ["COMMAND", "EVAL_EPISODES", "run_sweep", "main"]

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
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    run_sweep(args.out, shares=args.shares,
              config=QualityConfig().with_settings(steps=check_count(args.steps, "--steps")),
              seed=args.seed, eval_episodes=check_count(args.episodes, "--episodes"), progress=not args.no_progress)
    return 0


if __name__ == "__main__":
    sys.exit(main())
