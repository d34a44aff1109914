"""Lesson 11's content-effects experiment: train soft reasoners over seeds and corpora, measure them, save them.

For every training seed and every share of arbitrary problems in the corpus
(:data:`causal_lessons.content_effects.ARBITRARY_SHARES`: the natural corpus has
a tenth, the conflict corpus all), a soft reasoner is trained by
:func:`causal_lessons.content_effects.train_model`, with a learning curve, and
measured on both :func:`~causal_lessons.content_effects.evaluation_problems`
alone and deferring to the logic tool.  Every run's metrics go to
:data:`~causal_lessons.content_effects.SEEDS_RESULTS` with the config, the
seeds, the metrics of belief alone and of the tool alone, and the command; the
natural model of the first seed is saved as the shipped checkpoint
(:data:`~causal_lessons.content_effects.SHIPPED_CHECKPOINT`, with its JSON).

Command line::

    python -m causal_lessons.experiments.content_effects seeds [--seeds 0 1 2 3 4] [--shares 0 0.1 0.3 1]
        [--steps 4000] [--workers 2] [--out PATH] [--checkpoint PATH]
    python -m causal_lessons.experiments.content_effects evaluate --checkpoint PATH
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .. import content_effects as ce
from ..training import hardware_info

__all__ = ["CURVE_EVERY", "run_one", "run_seeds", "main"]

#: Steps between two points of a run's learning curve.
CURVE_EVERY = 500


def run_one(share: float, seed: int, steps: int | None = None) -> dict[str, Any]:
    """Train one soft reasoner (``share`` of arbitrary problems, training ``seed``) and measure it; returns the
    run's record and, for the caller to save, the model's state (``"state"``)."""
    import torch

    torch.set_num_threads(1)
    tests = ce.evaluation_problems()
    lm, history = ce.train_model(share, seed=seed, steps=steps, eval_every=CURVE_EVERY, tests=tests)
    record = {"share": share, "seed": seed, "training_seconds": round(history.seconds, 1),
              "final_loss": history.loss[-1], "metrics": ce.model_metrics(lm, tests),
              "curve": {"steps": history.eval_steps, "bias": [e["bias"] for e in history.evals],
                        "natural_accuracy": [e["natural_accuracy"] for e in history.evals]}}
    return {"record": record, "history": history.to_dict(), "state": lm.state_dict()}


def _command(seeds: Sequence[int], shares: Sequence[float], steps: int | None) -> str:
    return (f"{ce.COMMAND} --seeds {' '.join(map(str, seeds))} --shares {' '.join(f'{s:g}' for s in shares)}"
            + (f" --steps {steps}" if steps is not None else ""))


def run_seeds(seeds: Sequence[int] = (0, 1, 2, 3, 4), shares: Sequence[float] = ce.ARBITRARY_SHARES, *,
              steps: int | None = None, workers: int = 1, out: str | Path = ce.SEEDS_RESULTS,
              checkpoint: str | Path | None = ce.SHIPPED_CHECKPOINT,
              log: Callable[[str], None] | None = print) -> dict[str, Any]:
    """Train and measure a reasoner for every seed and share (``workers`` processes at a time), write ``out``,
    and save the natural-corpus model of the first seed to ``checkpoint`` (None: no checkpoint)."""
    log = log or (lambda message: None)
    seeds, shares = [int(s) for s in seeds], [float(s) for s in shares]
    if not seeds or not shares:
        raise ValueError("seeds and shares must each hold at least one value.")
    config = ce.CONTENT_EXPERIMENT if steps is None else ce.CONTENT_EXPERIMENT.with_settings(steps=steps)
    natural = config.corpus.arbitrary_share
    jobs = [(share, seed) for seed in seeds for share in shares]
    start = time.perf_counter()
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(run_one, *zip(*jobs), [steps] * len(jobs)))
    else:
        results = [run_one(share, seed, steps) for share, seed in jobs]
    command = _command(seeds, shares, steps)
    runs = []
    for (share, seed), result in zip(jobs, results):
        record = result["record"]
        runs.append(record)
        cells, text = record["metrics"]["model"]["cells"], record["metrics"]["model"]["natural"]
        log(f"share {share:g}, seed {seed}: belief bias {cells['belief_bias']['index']:.3f}, four cells "
            f"{cells['accuracy']:.3f}, natural text {text['accuracy']:.3f} ({record['training_seconds']:.0f} s)")
        if checkpoint is not None and seed == seeds[0] and share == natural:
            meta = {"produced_by": command, "corpus": "natural", "share": share, "seed": seed,
                    "experiment_config": config.to_dict(), "train_config": config.train_config().to_dict(),
                    "training_seconds": record["training_seconds"], "final_loss": record["final_loss"],
                    "history": result["history"], "metrics": record["metrics"], "hardware": hardware_info("cpu")}
            lm = ce.make_reasoner(config.reasoner, seed=None)
            lm.load_state_dict(result["state"])
            path = ce.save_reasoner(checkpoint, lm.eval(), metadata=meta)
            log(f"saved {path}")
    tests = ce.evaluation_problems(config)
    results_json = {"command": command, "seeds": seeds, "shares": shares, "natural_share": natural,
                    "experiment_config": config.to_dict(), "train_config": config.train_config().to_dict(),
                    "curve_every": CURVE_EVERY, "test_sizes": {k: len(v) for k, v in tests.items()},
                    "reference": ce.reference_metrics(tests), "runs": runs, "hardware": hardware_info("cpu"),
                    "seconds": round(time.perf_counter() - start, 1)}
    Path(out).write_text(json.dumps(results_json, indent=1) + "\n")
    log(f"wrote {out}")
    return results_json


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    import torch

    parser = argparse.ArgumentParser(prog="python -m causal_lessons.experiments.content_effects",
                                     description="Content effects in a soft reasoner (lesson 11, part 1).")
    sub = parser.add_subparsers(dest="command", required=True)
    sd = sub.add_parser("seeds", help="train a reasoner per seed and share of arbitrary problems; save the metrics")
    sd.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    sd.add_argument("--shares", type=float, nargs="+", default=list(ce.ARBITRARY_SHARES))
    sd.add_argument("--steps", type=int, default=None,
                    help=f"training steps (default {ce.CONTENT_EXPERIMENT.steps})")
    sd.add_argument("--workers", type=int, default=1)
    sd.add_argument("--out", type=Path, default=ce.SEEDS_RESULTS)
    sd.add_argument("--checkpoint", type=Path, default=ce.SHIPPED_CHECKPOINT)
    ev = sub.add_parser("evaluate", help="measure a saved reasoner on the test sets")
    ev.add_argument("--checkpoint", type=Path, required=True)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    if args.command == "seeds":
        run_seeds(args.seeds, args.shares, steps=args.steps, workers=args.workers, out=args.out,
                  checkpoint=args.checkpoint)
    else:
        lm, _ = ce.load_reasoner(args.checkpoint)
        print(json.dumps(ce.model_metrics(lm, ce.evaluation_problems()), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
