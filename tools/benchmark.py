"""Time every lesson on one CPU core and report its peak memory.

    python tools/benchmark.py                 # all lessons, table on stdout
    python tools/benchmark.py notebooks/04_*.ipynb
    python tools/benchmark.py --readme README.md   # also rewrite the table in the README (and docs/syllabus.md's run times)

Each notebook runs in a fresh process pinned to core 0 (``taskset -c 0``, as on
a 1-CPU Binder pod) with one thread for BLAS and torch.  "Peak memory" is the
largest resident set of the notebook's kernel.  The course's budget is 60 s and
1.5 GB per lesson; rows over budget are marked.  This is a measurement, not a
test: it is not run by ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_io import execute, lesson_paths  # noqa: E402

BUDGET_S, BUDGET_MB = 60.0, 1500.0
BEGIN, END = "<!-- benchmark-table:begin -->", "<!-- benchmark-table:end -->"


def run_one(path: Path) -> dict:
    """Execute one notebook in this process (called in the pinned child) and measure it."""
    start = time.perf_counter()
    execute(path)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"notebook": path.name, "seconds": round(seconds, 1), "peak_mb": round(peak_mb)}


def measure(path: Path) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    cmd = [sys.executable, __file__, "--child", str(path)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0"] + cmd
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    lines = ["| lesson | run time (s, 1 core) | peak memory (MB) |", "|---|---:|---:|"]
    for row in rows:
        flag = " ⚠" if row["seconds"] > BUDGET_S or row["peak_mb"] > BUDGET_MB else ""
        lines.append(f"| `{row['notebook']}` | {row['seconds']:.0f}{flag} | {row['peak_mb']} |")
    return "\n".join(lines)


def update_readme(readme: Path, text: str, cpu: str, *, begin: str = BEGIN, end: str = END) -> None:
    """Replace the block between the ``begin`` and ``end`` markers of ``readme`` with ``text`` and a date stamp."""
    content = readme.read_text()
    if begin not in content or end not in content:
        raise SystemExit(f"{readme} has no {begin} ... {end} block to replace")
    stamp = f"Measured by `make benchmark` on {cpu}, {time.strftime('%Y-%m-%d')}."
    new = f"{begin}\n{text}\n\n{stamp}\n{end}"
    readme.write_text(re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: new, content, flags=re.S))


def update_syllabus(syllabus: Path, rows: list[dict]) -> None:
    """Write the measured run times into the run-time column of ``syllabus``'s lesson table (docs/syllabus.md)."""
    seconds = {row["notebook"]: f"{row['seconds']:.0f} s" for row in rows}

    def replace(match: re.Match) -> str:
        name = match.group(2)
        return f"{match.group(1)}{seconds[name]} |" if name in seconds else match.group(0)

    content = syllabus.read_text()
    syllabus.write_text(re.sub(r"^(\|[^|\n]*\(\.\./notebooks/(\d\d_\w+\.ipynb)\) \| )[^|\n]+\|", replace, content,
                               flags=re.M))


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "this machine"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--readme", type=Path, help="rewrite the benchmark table in this README (and the run times "
                        "in docs/syllabus.md beside it)")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_one(args.child)))
        return 0
    paths = args.notebooks or lesson_paths()
    if args.readme and args.notebooks:
        parser.error("--readme rewrites the whole table: run it without naming notebooks")
    rows = []
    for path in paths:
        row = measure(path.resolve())
        rows.append(row)
        print(f"{row['notebook']}: {row['seconds']} s, {row['peak_mb']} MB", file=sys.stderr, flush=True)
    text = table(rows)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    if args.readme:
        update_readme(args.readme, text, cpu_name())
        syllabus = args.readme.resolve().parent / "docs" / "syllabus.md"
        if syllabus.exists():
            update_syllabus(syllabus, rows)
    over = [r for r in rows if r["seconds"] > BUDGET_S or r["peak_mb"] > BUDGET_MB]
    if over:
        print(f"over budget ({BUDGET_S:.0f} s, {BUDGET_MB:.0f} MB): {', '.join(r['notebook'] for r in over)}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
