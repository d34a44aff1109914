"""Deterministic and offline: every lesson, executed twice, prints the same text, and the second run has no network.

tools/double_run.py compares the committed execution of each lesson (made from a fresh kernel by
tools/execute_notebooks.py) with a second one made here from a fresh kernel inside a network namespace with only
loopback up (``unshare -n``): the text of every output, including the cells that nbval does not compare.  Without the right to make a namespace (not root, no user namespaces) the second
run is an ordinary one and the offline half is skipped, unless ``CAUSAL_LESSONS_REQUIRE_OFFLINE=1`` (set by
``.ci/run``), which makes it a failure.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from double_run import check, differences, offline_available
from notebook_io import lesson_paths

REQUIRED = os.environ.get("CAUSAL_LESSONS_REQUIRE_OFFLINE") == "1"
OFFLINE, WHY = offline_available()


def _notebook(text: str):
    return new_notebook(cells=[new_code_cell("print(x)", outputs=[new_output("stream", name="stdout", text=text)])])


def test_differences_finds_a_changed_output_and_ignores_elapsed_times_and_chunking():
    assert differences(_notebook("took 1.2 s\n"), _notebook("took 3.4 s\n")) == []
    chunked = _notebook("a\n")
    chunked.cells[0].outputs.append(new_output("stream", name="stdout", text="b\n"))
    assert differences(chunked, _notebook("a\nb\n")) == []
    found = differences(_notebook("0.51\n"), _notebook("0.52\n"))
    assert len(found) == 1 and "cell 0" in found[0] and "0.51" in found[0] and "0.52" in found[0]


def test_the_namespace_reaches_no_network():
    if not OFFLINE:
        if REQUIRED:
            pytest.fail(f"CAUSAL_LESSONS_REQUIRE_OFFLINE=1 but no network namespace can be made: {WHY}")
        pytest.skip(WHY)
    probe = ("import socket\n"
             "try:\n"
             "    socket.create_connection(('1.1.1.1', 443), timeout=3)\n"
             "except OSError as error:\n"
             "    print('unreachable', type(error).__name__)\n"
             "else:\n"
             "    print('reached')\n")
    run = subprocess.run(["unshare", "-n", "sh", "-c", f"ip link set lo up && {sys.executable} -c \"$0\"", probe],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("unreachable"), run.stdout


@pytest.mark.slow
@pytest.mark.parametrize("path", lesson_paths(), ids=lambda p: p.stem)
def test_two_runs_give_the_same_text_and_the_second_is_offline(path):
    """The committed run and a fresh offline run of the lesson print the same text."""
    if not OFFLINE and REQUIRED:
        pytest.fail(f"CAUSAL_LESSONS_REQUIRE_OFFLINE=1 but no network namespace can be made: {WHY}")
    found = check(path, offline=OFFLINE)
    assert not found, f"{path.name}: two executions printed different text:\n" + "\n".join(found)
