"""Two executions of a lesson give the same text, and the second runs with no network at all.

    python tools/double_run.py notebooks/03_experiment_then_exploit.ipynb [...]
    python tools/double_run.py --all

The first execution is the committed one: every lesson is committed executed, from a fresh kernel, by
``tools/execute_notebooks.py`` (often on another machine, on another day).  The second is made here, from a
fresh kernel, inside a Linux network namespace of its own (``unshare -n``, with only the loopback device up,
which the kernel needs to talk to its own ports), where no address outside the machine can be reached.  The
text of every code cell's outputs (``text/plain``, stdout, stderr, error names) must be identical in the two,
after the substitutions of ``tests/nbval_sanitize.cfg`` (memory addresses, elapsed times): this covers the
cells that nbval leaves out (``nbval-ignore-output``) too.  ``tests/test_double_run.py`` runs it for every
lesson.  ``--fresh-twice`` executes the lesson twice here instead (both fresh, the second offline), e.g. to
check an edited lesson before re-executing it.

An offline run needs ``unshare`` and the right to make a namespace (root, or user namespaces enabled);
:func:`offline_available` says whether this machine has both.
"""

from __future__ import annotations

import argparse
import configparser
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_io import ROOT, execute, lesson_paths  # noqa: E402

SANITIZE_CONFIG = ROOT / "tests" / "nbval_sanitize.cfg"


def sanitizers(config: Path = SANITIZE_CONFIG) -> list[tuple[re.Pattern, str]]:
    """The ``(pattern, replacement)`` pairs of nbval's sanitize file, in file order."""
    parser = configparser.ConfigParser()
    parser.read(config)
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def text_outputs(nb: nbformat.NotebookNode, rules: list[tuple[re.Pattern, str]] | None = None) -> dict[int, list[str]]:
    """``{code cell index: [sanitized text of each output]}``: what two runs must agree on.

    >>> from nbformat.v4 import new_notebook, new_code_cell, new_output
    >>> cell = new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="took 3.2 s\\n")])
    >>> text_outputs(new_notebook(cells=[cell]))
    {0: ['stdout: took N s\\n']}
    """
    rules = sanitizers() if rules is None else rules
    texts: dict[int, list[str]] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        found = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                found.append(f"{out.name}: {out.text}")
            elif out.output_type in ("execute_result", "display_data"):
                found.append(f"text/plain: {out.get('data', {}).get('text/plain', '')}")
            elif out.output_type == "error":
                found.append(f"error: {out.ename}: {out.evalue}")
        for pattern, replacement in rules:
            found = [pattern.sub(replacement, text) for text in found]
        # stream output may arrive in one chunk or several: compare the joined text of each stream
        texts[index] = _join_streams(found)
    return texts


def _join_streams(texts: list[str]) -> list[str]:
    joined: list[str] = []
    for text in texts:
        if joined and text.split(": ", 1)[0] in ("stdout", "stderr") and joined[-1].split(": ", 1)[0] == text.split(": ", 1)[0]:
            joined[-1] += text.split(": ", 1)[1]
        else:
            joined.append(text)
    return joined


def differences(first: nbformat.NotebookNode, second: nbformat.NotebookNode) -> list[str]:
    """One line per code cell whose text outputs differ between two executions (empty when none)."""
    a, b = text_outputs(first), text_outputs(second)
    lines = []
    for index in sorted(set(a) | set(b)):
        if a.get(index) != b.get(index):
            source = first.cells[index].source.split("\n", 1)[0][:60]
            lines.append(f"cell {index} ({source!r}): first run {a.get(index)!r:.300}, second run {b.get(index)!r:.300}")
    return lines


def offline_available() -> tuple[bool, str]:
    """Whether a network namespace can be made here, and if not, why."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False, "the commands unshare and ip (util-linux, iproute2) are not installed"
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, text=True)
    if probe.returncode != 0:
        return False, f"unshare -n failed ({probe.stderr.strip() or probe.returncode}): run as root or enable user namespaces"
    return True, ""


def execute_offline(path: Path, *, timeout: int = 600) -> nbformat.NotebookNode:
    """Execute ``path`` from a fresh kernel inside a network namespace with only loopback up."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / path.name
        script = (f"ip link set lo up && exec {sys.executable!s} {Path(__file__).resolve()!s} "
                  f"--execute-one {path.resolve()!s} --out {out!s} --timeout {timeout}")
        run = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True, env=dict(os.environ))
        if run.returncode != 0:
            raise RuntimeError(f"{path.name}: the offline execution failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
        return nbformat.read(out, as_version=4)


def check(path: Path, *, offline: bool = True, timeout: int = 600, fresh_twice: bool = False) -> list[str]:
    """Execute ``path`` (offline when ``offline``) and return how its text differs from the committed execution.

    With ``fresh_twice`` the first execution is a fresh one too (the two run at once).
    """
    second = execute_offline if offline else execute
    if not fresh_twice:
        return differences(nbformat.read(path, as_version=4), second(path, timeout=timeout))
    with ThreadPoolExecutor(max_workers=2) as pool:
        first_run = pool.submit(execute, path, timeout=timeout)
        second_run = pool.submit(second, path, timeout=timeout)
        return differences(first_run.result(), second_run.result())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every lesson in notebooks/")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    parser.add_argument("--fresh-twice", action="store_true",
                        help="execute twice here (the second offline) instead of comparing with the committed run")
    parser.add_argument("--execute-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.execute_one:  # the second run, inside the namespace
        nbformat.write(execute(args.execute_one, timeout=args.timeout), args.out)
        return 0
    paths = lesson_paths() if args.all else args.notebooks
    if not paths:
        parser.error("name notebooks to check, or pass --all")
    offline, why = offline_available()
    if not offline:
        print(f"no offline run: {why}; both runs use the network as usual")
    failed = 0
    for path in paths:
        found = check(path, offline=offline, timeout=args.timeout, fresh_twice=args.fresh_twice)
        print(f"{path.name}: {'identical text' if not found else f'{len(found)} cells differ'}"
              f"{' (second run offline)' if offline else ''}")
        for line in found:
            print("   ", line)
        failed += bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
