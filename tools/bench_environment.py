"""How fast does the causal DAG game write expert episodes?  (episodes per second, on one core)

    python tools/bench_environment.py                  # 100,000 five-variable expert episodes, 3 repeats
    python tools/bench_environment.py --episodes 20000 --strategy associational --repeats 5

The process pins itself to one CPU core and one BLAS thread, as on a 1-CPU Binder
pod.  The budget (issue 3) is 100,000 five-variable expert episodes in at most 5 s.
Timings on a shared machine are inflated by the other processes: the load average
is printed with the result.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BUDGET_S = 5.0


def pin_to_one_core() -> str:
    """Run on one core (the first this process may use); say which."""
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"core {core}"
    return "all cores (no CPU affinity on this system)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--episodes", type=int, default=100_000)
    parser.add_argument("--n-vars", type=int, default=5)
    parser.add_argument("--strategy", default="expert")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    where = pin_to_one_core()

    from causal_lessons.environment import generate_episodes

    generate_episodes(1000, n_vars=args.n_vars, strategy=args.strategy, seed=0)   # warm up (imports, caches)
    times = []
    for repeat in range(args.repeats):
        start = time.perf_counter()
        batch = generate_episodes(args.episodes, n_vars=args.n_vars, strategy=args.strategy, seed=repeat)
        times.append(time.perf_counter() - start)
    best, median = min(times), statistics.median(times)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.episodes:,} {args.n_vars}-variable {args.strategy} episodes on {where}: "
          f"best {best:.2f} s ({args.episodes / best:,.0f} episodes/s), median {median:.2f} s "
          f"({args.episodes / median:,.0f} episodes/s); mean reward {batch.reward.mean():.2f}; "
          f"load average {load:.2f} on {os.cpu_count()} CPUs")
    if args.episodes >= 100_000 and best > BUDGET_S * args.episodes / 100_000:
        print(f"slower than the budget: {BUDGET_S:.0f} s per 100,000 episodes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
