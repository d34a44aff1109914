"""Execute lesson notebooks in place, from a fresh kernel, and save them clean.

    python tools/execute_notebooks.py notebooks/01_ladder_of_causation.ipynb [...]
    python tools/execute_notebooks.py --all

The committed, executed notebooks are what readers see on the web and what nbval
compares against, so run this after every edit of a lesson.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_io import execute, lesson_paths  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="execute every lesson in notebooks/")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    paths = lesson_paths() if args.all else args.notebooks
    if not paths:
        parser.error("name notebooks to execute, or pass --all")
    for path in paths:
        start = time.perf_counter()
        nb = execute(path, timeout=args.timeout)
        nbformat.write(nb, path)
        print(f"{path}: executed in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
