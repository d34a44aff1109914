"""The lecturer's whole loop on a real JupyterHub (deploy/hub/jupyterhub_config.py), on 127.0.0.1.

1. Two students log in and click the nbgitpuller link that tools/links.py builds (to a local copy of this
   checkout, pushed as ``main``): each gets the student copy in a home folder of their own, and the link opens
   it in JupyterLab; the lesson's kernel is the course's kernel environment.
2. One student runs the lesson in a kernel of their server (the server's API) with no error output and saves
   it; the kernel is shut down afterwards (its memory, and the server's, are written to test-artifacts/hub/).
3. The lecturer changes the lesson and pushes; a second click merges it without losing the student's saved
   answer.  Where a student changed the same line, the student's line wins (nbgitpuller merges with
   ``-Xours``); the same fix under a new file name reaches everyone, and renaming one's copy and clicking
   again gets it too.
4. nbgrader: the lecturer releases lesson 03 as an assignment; one student answers every exercise, the other
   one; both submit through their server's nbgrader API (the *Assignments* tab); the lecturer collects,
   autogrades, releases feedback and exports the grades to CSV.  Every submission carries its student's hub
   name although all servers run as one unix user (``CourseDirectory.student_id`` from ``JUPYTERHUB_USER``).
5. A third student does it in headless Chromium: the login page, the pull page, the lesson in JupyterLab,
   Run All, no error; a screenshot is kept in test-artifacts/hub/.
"""

from __future__ import annotations

import csv
import json
import shutil
import time
from pathlib import Path

import nbformat
import psutil

import browser_support
from hubclient import ARTIFACTS, LESSON, REPOSITORY_NAME, ROOT, git, hub_link, rss_mb, wait_until
from student_copies import STUB, exercise_cells

ASSIGNMENT = "lesson03"
PATH = f"{REPOSITORY_NAME}/student/{LESSON}"        # where nbgitpuller puts the student copy, from the home
LECTURER_NOTE = "A note from your lecturer: this lesson was updated after the first class."
FIXED = LESSON.replace(".ipynb", "_v2.ipynb")           # the lecturer's fix, published under a new name too
BOBS_LINE, LECTURERS_LINE = "N = 200  # fewer episodes, to see the intervals widen", "N = 1000  # episodes per strategy"


def _source(cell) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def _first_exercise(notebook: dict) -> dict:
    """The lesson's first exercise cell in the student copy: the first whose solution became the stub."""
    return next(c for c in notebook["cells"] if STUB in _source(c))


def _cell(notebook: dict, starts_with: str) -> dict:
    return next(c for c in notebook["cells"] if _source(c).startswith(starts_with))


def _text(outputs: list[dict]) -> str:
    """The text a student sees in ``outputs``: streams, and the plain-text form of displayed values."""
    parts = []
    for output in outputs:
        text = output.get("text") or output.get("data", {}).get("text/plain", "")
        parts.append(text if isinstance(text, str) else "".join(text))
    return "".join(parts)


def _errors(notebook: dict) -> list[str]:
    found = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                found.append(f"{output['ename']}: {output['evalue']}")
            elif output["output_type"] == "stream" and output["name"] == "stderr":
                found.append(f"stderr: {output['text'][:300]}")
    return found


def _lecturer_run(lecturer, code: str) -> str:
    """Run Python code in a kernel of the lecturer's own server (as in a terminal there: same environment)."""
    notebook = {"cells": [{"cell_type": "code", "source": code, "metadata": {}, "outputs": [], "execution_count": None}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    lecturer.save_notebook("run.ipynb", notebook)
    executed, _ = lecturer.run_notebook("run.ipynb")
    lecturer.shut_down_kernels()
    assert not _errors(executed), _errors(executed)
    return _text(executed["cells"][0]["outputs"])


def _nbgrader(lecturer, course: Path, *args: str) -> str:
    code = (f"import subprocess\n"
            f"r = subprocess.run(['nbgrader', *{list(args)!r}], cwd={str(course)!r}, capture_output=True, text=True)\n"
            f"print(r.returncode)\nprint(r.stdout[-4000:] + r.stderr[-4000:])")
    out = _lecturer_run(lecturer, code)
    assert out.startswith("0\n"), f"nbgrader {' '.join(args)} failed:\n{out}"
    return out


def _answer(notebook: dict, solutions: dict[str, str], exercises: list[str]) -> None:
    """Type the reference answer into the answer cells named in ``exercises`` (nbgrader grade ids)."""
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in exercises:
            cell["source"] = "\n".join(line for line in solutions[grade_id].splitlines()
                                       if not line.strip().startswith(("### BEGIN SOLUTION", "### END SOLUTION")))


def test_the_lecturers_whole_loop_on_a_hub(hub):
    started = time.monotonic()
    measured: dict[str, float | str] = {}
    link = hub_link(hub, LESSON)
    assert f"urlpath=lab%2Ftree%2F{REPOSITORY_NAME}%2Fstudent%2F{LESSON}" in link

    # ------------------------------------------------------------ 1. two students log in and click the link
    alice, bob = hub.student("alice"), hub.student("bob")
    for student in (alice, bob):
        student.pull(link)
        assert (student.home / PATH).read_text() == git("show", f"HEAD:student/{LESSON}", cwd=ROOT), \
            "the link opens the committed student copy"
        lab = student.session.get(f"{student.base}/lab/tree/{PATH}", timeout=120)
        assert lab.status_code == 200 and "JupyterLab" in lab.text, f"{student.name}: JupyterLab did not open"
    assert alice.home != bob.home and (bob.home / PATH).exists()
    spec = alice.api("GET", "api/kernelspecs").json()["kernelspecs"]["python3"]["spec"]
    assert spec["display_name"] == "Python 3 (causal-lessons)", "the lesson runs in the course's kernel environment"

    # ------------------------------------------------------------ 2. bob runs the lesson in his server's kernel
    server_pid = next(p.pid for p in psutil.Process(hub.proc.pid).children(recursive=True)
                      if "jupyterhub-singleuser" in " ".join(p.cmdline()) and
                      p.environ().get("JUPYTERHUB_USER") == "bob")
    measured["server_idle_mb"] = round(rss_mb(server_pid))
    run_started = time.monotonic()
    executed, kernel = bob.run_notebook(PATH)
    measured["lesson_run_s"] = round(time.monotonic() - run_started, 1)
    assert not _errors(executed), f"{LESSON} in bob's server: {_errors(executed)}"
    feedback = _text(_first_exercise(executed)["outputs"])
    assert "Not answered yet" in feedback
    measured["kernel_after_lesson_mb"] = round(rss_mb(kernel))
    assert "Culling kernels with idle durations > 1200 seconds" in hub.log_text(), \
        "the servers read deploy/hub/etc-jupyter/jupyter_server_config.json (idle kernels are shut down)"
    measured["server_with_lesson_open_mb"] = round(rss_mb(server_pid))
    measured["hub_and_proxy_mb"] = round(rss_mb(hub.proc.pid) + sum(
        rss_mb(p.pid) for p in psutil.Process(hub.proc.pid).children() if "configurable-http-proxy" in " ".join(p.cmdline())))
    executed_cell = _cell(executed, "N = 1000")
    executed_cell["source"] = executed_cell["source"].replace("N = 1000", BOBS_LINE, 1)  # bob tries his own value
    bob.save_notebook(PATH, executed)
    bob.shut_down_kernels()
    wait_until(lambda: not psutil.pid_exists(kernel) or psutil.Process(kernel).status() == psutil.STATUS_ZOMBIE,
               60, "bob's kernel to shut down")

    # alice types an answer to exercise 1 and saves, without running
    mine = alice.read_notebook(PATH)
    _first_exercise(mine)["source"] = _source(_first_exercise(mine)).replace(
        "answer = ...", "answer = ('A', 5)  # alice's answer", 1)
    alice.save_notebook(PATH, mine)

    # ------------------------------------------------------------ 3. the lecturer changes the lesson and pushes
    clone = hub.scratch / "lecturer-clone"
    git("clone", "-q", str(hub.remote), str(clone))
    lesson_file = clone / "student" / LESSON
    upstream = json.loads(lesson_file.read_text())
    _cell(upstream, "# Lesson 03")["source"] = _source(_cell(upstream, "# Lesson 03")) + f"\n\n{LECTURER_NOTE}"
    _cell(upstream, "N = 1000")["source"] = _source(_cell(upstream, "N = 1000")).replace("N = 1000", LECTURERS_LINE, 1)
    lesson_file.write_text(json.dumps(upstream, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    shutil.copy(lesson_file, clone / "student" / FIXED)  # the same fix under a new name: nobody has that file yet
    git("add", f"student/{FIXED}", cwd=clone)
    git("commit", "-q", "-am", "Lesson 03: a note for the class; name N", cwd=clone)
    git("push", "-q", "origin", "main", cwd=clone)

    for student in (alice, bob):
        student.pull(link)
    alices = alice.read_notebook(PATH)
    assert "answer = ('A', 5)  # alice's answer" in _source(_first_exercise(alices)), "alice's answer survives"
    assert LECTURER_NOTE in _source(_cell(alices, "# Lesson 03")) and LECTURERS_LINE in (alice.home / PATH).read_text()
    bobs = bob.read_notebook(PATH)
    assert LECTURER_NOTE in _source(_cell(bobs, "# Lesson 03")), "bob gets the change to a cell he did not touch"
    assert not _errors(bobs) and _first_exercise(bobs)["outputs"], "bob's saved run survives"
    assert BOBS_LINE in _source(_cell(bobs, "N = ")) and LECTURERS_LINE not in (bob.home / PATH).read_text(), \
        "where both changed the same line, nbgitpuller keeps the student's (git merge -Xours), silently"
    # a fix under a new file name reaches everyone
    for student in (alice, bob):
        assert LECTURERS_LINE in (student.home / PATH.replace(LESSON, FIXED)).read_text()
    # the fix that reaches everyone: rename your copy, click the link again
    kept = PATH.replace(".ipynb", "-mine.ipynb")
    bob.api("PATCH", f"api/contents/{PATH}", json={"path": kept})
    bob.pull(link)
    assert LECTURERS_LINE in (bob.home / PATH).read_text() and BOBS_LINE in (bob.home / kept).read_text()

    # ------------------------------------------------------------ 4. nbgrader: release, fetch, submit, grade
    lecturer = hub.student("lecturer")
    course = lecturer.home / "course"
    _lecturer_run(lecturer, f"import subprocess, sys\n"
                            f"r = subprocess.run([sys.executable, 'tools/student_copies.py', '--nbgrader', {str(course)!r}, "
                            f"'notebooks/{LESSON}'], cwd={str(ROOT)!r}, capture_output=True, text=True)\n"
                            f"assert r.returncode == 0, r.stderr")
    _nbgrader(lecturer, course, "generate_assignment", ASSIGNMENT)
    _nbgrader(lecturer, course, "release_assignment", ASSIGNMENT)
    source = json.loads((course / "source" / ASSIGNMENT / LESSON).read_text())
    solutions = {c["metadata"]["nbgrader"]["grade_id"]: _source(c) for c in source["cells"]
                 if c["metadata"].get("nbgrader", {}).get("solution")}
    exercises = sorted(solutions)
    n = len(exercises)                   # one point per exercise (tools/student_copies.py --nbgrader)
    assert n == len(exercise_cells(nbformat.read(ROOT / "notebooks" / LESSON, as_version=4))), exercises
    for student, answered in ((alice, exercises), (bob, exercises[:1])):
        listing = student.nbgrader("fetch", ASSIGNMENT)
        assert any(a["assignment_id"] == ASSIGNMENT for a in listing)
        fetched = f"{ASSIGNMENT}/{LESSON}"
        notebook = student.read_notebook(fetched)
        _answer(notebook, solutions, answered)
        student.save_notebook(fetched, notebook)
        student.nbgrader("submit", ASSIGNMENT)
    for step in ("collect", "autograde", "generate_feedback", "release_feedback"):
        _nbgrader(lecturer, course, step, ASSIGNMENT)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["alice", "bob"], \
        "each submission is filed under its student's hub name, not the unix user's"
    _nbgrader(lecturer, course, "export")
    with open(course / "grades.csv", newline="") as f:
        grades = {row["student_id"]: row for row in csv.DictReader(f)}
    assert sorted(grades) == ["alice", "bob"]
    got = {name: (float(row["score"]), float(row["max_score"])) for name, row in grades.items()}
    assert got == {"alice": (float(n), float(n)), "bob": (1.0, float(n))}, got
    for student, score in ((alice, f"{n:.1f} / {n:.1f}"), (bob, f"1.0 / {n:.1f}")):
        student.nbgrader("fetch_feedback", ASSIGNMENT)
        pages = list((student.home / ASSIGNMENT / "feedback").glob(f"*/{LESSON.replace('.ipynb', '.html')}"))
        assert len(pages) == 1 and score in pages[0].read_text(), f"{student.name}'s feedback should say {score}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(course / "grades.csv", ARTIFACTS / "grades.csv")

    measured["loop_s"] = round(time.monotonic() - started, 1)
    (ARTIFACTS / "measurements.json").write_text(json.dumps(measured, indent=1) + "\n")
    print(json.dumps(measured))


# ---------------------------------------------------------------- 5. a student in a real browser

def test_a_student_in_a_browser_logs_in_pulls_and_runs_the_lesson(hub, playwright_driver):
    name = "carol"
    # her JupyterLab settings, as a lecturer may ship them: no news toast; render every cell (see tests/browser)
    settings = hub.home(name) / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser = browser_support.launch(playwright_driver)
    try:
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.set_default_timeout(120_000)
        visited = []
        page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
        page.goto(f"{hub.url}/hub/login")
        page.screenshot(path=str(ARTIFACTS / "login-page.png"))
        page.fill("#username_input", name)
        page.fill("#password_input", "any")
        # after the login the hub starts her server, whose default URL is the lesson's nbgitpuller address
        with page.expect_response(lambda r: f"/user/{name}/git-pull?" in r.url and r.status == 200,
                                  timeout=300_000) as pull_page:
            page.click("#login_submit")
        assert "Synchronizing" in pull_page.value.text(), "nbgitpuller's pull page"
        page.wait_for_url(f"**/user/{name}/lab/tree/{PATH}", timeout=240_000)
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
        browser_support.run_all_cells(page, timeout=600_000, idle_timeout=240_000)
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        assert errors.count() == 0, f"an error in the browser: {errors.first.inner_text()[:500]}"
        page.get_by_text("Not answered yet").first.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / "lesson03-run-all.png"))
    finally:
        browser.close()
    assert (hub.home(name) / PATH).exists(), "nbgitpuller cloned the course into carol's home"
    assert any(f"/user/{name}/git-pull?" in url for url in visited), visited
