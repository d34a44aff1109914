"""Lesson 11's experiment: a rigid solver, a soft learner and a tool user in worlds that break the game's rules.

Trains the soft learner (lesson 04's pointer agent) and the tool user (the same
network reading the effect tool) on each training distribution (the game as
designed; a mix of broken worlds up to strength 0.5), once per seed, by
behaviour cloning on the same teacher episodes; then scores every player in
every broken world at every strength (:func:`causal_lessons.soft_learners.sweep_worlds`)
and in the game with other edge-weight scales
(:func:`causal_lessons.soft_learners.sweep_weight_scales`), on the same test
episodes for every player.  Writes ``causal_lessons/checkpoints/soft_learners_seeds.json``
(config, seeds, per-seed metrics, command) and, with ``--checkpoint-dir``, the
first seed's learners.

Command line::

    python -m causal_lessons.experiments.soft_learners train --config small \\
        --checkpoint-dir causal_lessons/checkpoints
    python -m causal_lessons.experiments.soft_learners train --config tiny --out /tmp/tiny.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import training
from .._validate import check_count
from ..soft_learners import (
    CONFIGS,
    LEARNERS,
    REGIMES,
    RESULTS_PATH,
    SoftLearnersConfig,
    checkpoint_path,
    get_config,
    merge_sweep,
    player_key,
    save_learner,
    sweep_weight_scales,
    sweep_worlds,
    train_learner,
)

__all__ = ["SHIPPED", "run", "main"]

#: The learners whose first-seed checkpoints the lesson loads (the tool user trained on varied worlds).
SHIPPED = (("tool", "varied"),)


def run(config: SoftLearnersConfig | str = "small", *, seeds: Sequence[int] | None = None,
        out: str | Path | None = None, checkpoint_dir: str | Path | None = None, device: Any = "cpu",
        log: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Train every learner on every regime for each seed, score all players, write the results JSON."""
    config = get_config(config) if isinstance(config, str) else config
    seeds = tuple(config.seeds if seeds is None else seeds)
    if not seeds:
        raise ValueError("seeds must name at least one training seed, got none.")
    config = config.with_settings(seeds=seeds)
    log = log or (lambda message: None)
    start = time.perf_counter()
    results: dict[str, Any] = {
        "config": config.to_dict(), "seeds": list(seeds), "regimes": {k: v.to_dict() for k, v in REGIMES.items()},
        "hardware": training.hardware_info(device), "training": {}, "worlds": {}, "graded": {},
        "test_episodes": config.eval_episodes, "test_seed": config.test_seed,
    }
    for seed in seeds:
        agents = {}
        for learner in LEARNERS:
            for regime in REGIMES:
                key = player_key(learner, regime)
                tick = time.perf_counter()
                agent, history = train_learner(learner, regime, config, seed=seed, device=device)
                agents[key] = agent
                results["training"].setdefault(key, []).append(
                    {"seed": seed, "seconds": round(time.perf_counter() - tick, 1),
                     "final_loss": round(history.loss[-1], 4), "episodes_seen": history.episodes_seen})
                log(f"seed {seed}: trained {key} in {time.perf_counter() - tick:.0f} s, loss {history.loss[-1]:.3f}")
                if checkpoint_dir is not None and seed == seeds[0] and (learner, regime) in SHIPPED:
                    path = Path(checkpoint_dir) / checkpoint_path(learner, regime, config.name).name
                    save_learner(path, agent, metadata={
                        "regime": regime, "seed": seed, "config": config.to_dict(),
                        "produced_by": f"python -m causal_lessons.experiments.soft_learners train --config "
                                       f"{config.name} --checkpoint-dir {checkpoint_dir}"})
                    log(f"  saved {path}")
        worlds = sweep_worlds(agents, strengths=config.strengths, n_episodes=config.eval_episodes,
                              seed=config.test_seed, game_spec=config.game, device=device, log=log)
        for kind, entry in worlds.items():
            merge_sweep(results["worlds"].setdefault(kind, {}), entry)
        merge_sweep(results["graded"], sweep_weight_scales(agents, scales=config.weight_scales,
                                                      n_episodes=config.eval_episodes, seed=config.test_seed,
                                                      game_spec=config.game, device=device))
    results["seconds"] = round(time.perf_counter() - start, 1)
    results["command"] = (f"python -m causal_lessons.experiments.soft_learners train --config {config.name} "
                          f"--seeds {' '.join(str(s) for s in seeds)}")
    out = RESULTS_PATH if out is None else Path(out)
    out.write_text(json.dumps(results, indent=1) + "\n")
    log(f"wrote {out}")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m causal_lessons.experiments.soft_learners",
                                     description="Soft learners and logical tools (lesson 11).")
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", help="train the learners over seeds and score every player in every world")
    tr.add_argument("--config", choices=sorted(CONFIGS), default="small")
    tr.add_argument("--seeds", type=int, nargs="+", help="override the config's seeds")
    tr.add_argument("--out", type=Path, default=None, help="results JSON (default: the shipped one)")
    tr.add_argument("--checkpoint-dir", type=Path, help="save the first seed's shipped learners here")
    tr.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    tr.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(check_count(args.threads, "--threads"))
    run(args.config, seeds=args.seeds, out=args.out, checkpoint_dir=args.checkpoint_dir, device=args.device)
    return 0


if __name__ == "__main__":
    sys.exit(main())
