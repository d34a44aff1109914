"""Benchmark the passive agents on this machine: training speed, and what a fixed clock buys.

    python tools/bench_agents.py speed                       # tokens/s for a few agent and batch sizes
    python tools/bench_agents.py clock --seconds 20          # batch 64 vs 256, pointer vs identity, same clock
    python tools/bench_agents.py lesson                      # the lesson's training run, timed, with its metrics

Run it pinned to one core, as the lessons are measured (``taskset -c 0``), and
say what else the machine was doing: on a shared machine the numbers move with
the load.  ``clock`` first measures each setting's steps per second, then trains
for that many steps (so each run is reproducible given the step count) and
evaluates actively on the strict held-out links.  This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _load() -> str:
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"
    except OSError:
        return "load unknown"


def steps_per_second(config, head: str, seconds: float = 3.0) -> tuple[float, float]:
    """(optimiser steps/s, tokens/s) of behaviour cloning for an agent of ``config`` with ``head``."""
    import torch

    from causal_lessons import agents, training
    from causal_lessons.experiments import passive_agents as pa

    agent = agents.make_agent(config.agent_config(head), seed=0)
    batch = pa.training_sampler(n_vars=config.n_vars)(config.batch_size * 8, 0)
    tensors = training.batch_tensors(batch, agent, torch.device("cpu"))
    optimiser = torch.optim.AdamW(agent.parameters(), lr=1e-3, fused=True)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds or steps < 5:
        part = {k: v[(steps % 8) * config.batch_size:(steps % 8 + 1) * config.batch_size] for k, v in tensors.items()}
        loss, _, _ = training.bc_loss(agent, part)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        steps += 1
    rate = steps / (time.perf_counter() - start)
    return rate, rate * config.batch_size * tensors["tokens"].shape[1]


def speed(args) -> list[dict]:
    from causal_lessons.experiments import passive_agents as pa

    rows = []
    for d_model in (32, 64, 128):
        for batch in (64, 256):
            config = pa.get_config("small", d_model=d_model, d_ff=2 * d_model, batch_size=batch)
            rate, tokens = steps_per_second(config, "pointer", args.seconds)
            rows.append({"d_model": d_model, "batch": batch, "steps_per_s": round(rate, 1),
                         "tokens_per_s": round(tokens)})
            print(f"d_model {d_model:4d}  batch {batch:4d}: {rate:6.1f} steps/s, {tokens:9.0f} tokens/s", flush=True)
    return rows


def clock(args) -> list[dict]:
    from causal_lessons.experiments import passive_agents as pa

    test = pa.evaluation_episodes("links", args.episodes)
    rows = []
    for head in ("pointer", "identity"):
        for batch in (64, 256):
            config = pa.get_config("lesson", batch_size=batch, curve_every=0)
            rate, _ = steps_per_second(config, head, 3.0)
            steps = max(20, int(rate * args.seconds))
            kind = "pointer" if head == "pointer" else "identity"
            config = pa.get_config("lesson", batch_size=batch, curve_every=0, steps=steps, control_steps=steps)
            agent, history = pa.train_agent(kind, config, seed=args.seed, progress=False)
            m = pa.evaluate_agent(agent, "links", args.episodes, batch=test)
            row = {"head": head, "batch": batch, "steps": steps, "train_s": round(history.seconds, 1), **_scores(m)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def _scores(metrics: dict) -> dict:
    return {k: round(metrics[k], 3) for k in ("reward_fraction", "divergent_agreement", "explore_coverage")}


def lesson(args) -> list[dict]:
    from causal_lessons.experiments import passive_agents as pa

    config = pa.get_config("lesson")
    test = pa.evaluation_episodes("links", config.eval_episodes)
    rows = []
    for kind in ("pointer", "identity"):
        start = time.perf_counter()
        agent, history = pa.train_agent(kind, config, seed=args.seed, progress=False)
        seconds = time.perf_counter() - start
        m = pa.evaluate_agent(agent, "links", config.eval_episodes, batch=test)
        row = {"agent": kind, "steps": config.train_config(kind).steps, "seconds_with_curves": round(seconds, 1),
               **_scores(m)}
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("speed", "clock", "lesson"))
    parser.add_argument("--seconds", type=float, default=3.0, help="speed: seconds per setting; clock: training clock")
    parser.add_argument("--episodes", type=int, default=4000, help="test episodes (clock)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    print(f"# {args.what} on {_load()}", flush=True)
    rows = {"speed": speed, "clock": clock, "lesson": lesson}[args.what](args)
    print(f"# done; {_load()}")
    if args.json:
        args.json.write_text(json.dumps({"load": _load(), "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
