"""The package imports quickly and without torch or pgmpy (its docstring examples run under pytest's
--doctest-modules, configured in pyproject.toml)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_import_is_quick_and_light():
    code = (
        "import time, sys, json; t = time.perf_counter(); import causal_lessons; "
        "print(json.dumps({'s': time.perf_counter() - t, 'torch': 'torch' in sys.modules, "
        "'pgmpy': 'pgmpy' in sys.modules}))"
    )
    runs = [json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                      check=True).stdout) for _ in range(3)]
    assert not any(r["torch"] or r["pgmpy"] for r in runs)
    assert min(r["s"] for r in runs) < 0.5


def test_scm_import_does_not_pull_in_torch_or_pgmpy():
    code = "import sys, causal_lessons.scm, causal_lessons.graphs, causal_lessons.plotting; " \
           "print('torch' in sys.modules or 'pgmpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
