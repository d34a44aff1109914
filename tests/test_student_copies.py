"""Student copies (tools/student_copies.py, `make student`).

* Small synthetic notebooks pin down what a copy is: each solution region becomes the stub, the
  exercise cells lose their outputs, nothing else changes; malformed markers are reported by
  lesson, cell and line.
* For every lesson in notebooks/: the copy is a valid notebook; no line of any solution region
  survives anywhere in it (sources, outputs, metadata); every other cell is exactly the
  instructor's.
* The committed copies in student/ are what the tool writes from notebooks/ now (run
  ``make student`` after changing a lesson).
* A student's first Run All: each committed copy, executed as it is (nbclient, one at a time),
  ends without an error or anything on stderr, and every exercise cell says "Not answered yet"
  (each checker's answer to the placeholder ``...``).
* Executing each copy with probe cells (tests/checker_probe.py): each exercise's checker is asked
  about wrong answers; none may be accepted, crash, or print the right answer.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import textwrap
from pathlib import Path

import nbformat

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from checker_probe import MARK, NONSENSE, quoted
from notebook_io import execute, lesson_paths
import student_copies
from student_copies import (BEGIN, END, STUB, STUDENT, SolutionMarkerError, exercise_cells, main, solution_regions,
                            student_copy, write_student_copies)

#: Each lesson's open challenge, by its checker: it accepts any valid answer, so a design the probe makes by changing
#: the reference (10% off, one more, one entry changed, ...) may be right too.
OPEN_CHALLENGES = {
    "01_ladder_of_causation.ipynb": "check_backdoor_set",
    "02_passive_but_interventional.ipynb": "check_identifying_design",
    "03_experiment_then_exploit.ipynb": "check_adjustment_set",
    "04_passive_agents_generalize.ipynb": "check_divergent_episode",
    "05_explanations_and_quality.ipynb": "check_mixture_design",
    "06_language_models_as_agents.ipynb": "check_namer_trap",
    "07_error_accumulation_and_dagger.ipynb": "check_quiet_compounding",
    "08_causal_data_fusion.ipynb": "check_identifying_design",
    "09_children_and_blicket_detectors.ipynb": "check_sure_design",
    "10_causality_and_generalization.ipynb": "check_failing_shift",
    "11_soft_learners_and_logical_tools.ipynb": "check_bias_trap",
    "12_causality_and_dynamics.ipynb": "check_stable_design",
}

TESTS = Path(__file__).resolve().parent
LESSONS = lesson_paths()
IDS = [p.name for p in LESSONS]
#: What every checker says to the placeholder ``...`` (the contract with causal_lessons.exercises).
NOT_ANSWERED = "not answered yet"


def _exercise(source_before: str, solution: str, after: str, **kwargs):
    cell = new_code_cell(f"{source_before}\n{BEGIN}\n{solution}\n{END}\n{after}", **kwargs)
    cell.outputs = [new_output("execute_result", data={"text/plain": "Correct: well done."}, execution_count=3)]
    cell.execution_count = 3
    return cell


def _toy():
    printed = new_code_cell("print(1 + 1)", metadata={"tags": ["nbval-ignore-output"]})
    printed.outputs = [new_output("stream", name="stdout", text="2\n")]
    printed.execution_count = 1
    nb = new_notebook(cells=[
        new_markdown_cell("# Toy lesson\n\nRun time: about 1 s on one core."),
        printed,
        _exercise("answer = ...", "answer = 41 + 1", "check(answer)"),
        new_markdown_cell("## Summary"),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:03d}"
    return nb


# ---------------------------------------------------------------- what a copy is (synthetic notebooks)

def test_stub_is_a_comment_that_says_what_to_replace():
    assert STUB.startswith("# YOUR ANSWER HERE") and "\n" not in STUB
    assert "replace the ... above" in STUB
    namespace = {"answer": ...}
    exec(STUB, namespace)  # runs, and leaves the placeholder for the checker
    assert namespace["answer"] is ...


def test_solution_region_becomes_the_stub_and_the_exercise_output_is_cleared():
    nb = _toy()
    copy_ = student_copy(nb)
    cell = copy_.cells[2]
    assert cell.source == f"answer = ...\n{STUB}\ncheck(answer)"
    assert cell.outputs == [] and cell.execution_count is None
    assert "41 + 1" not in json.dumps(copy_)
    nbformat.validate(copy_)


def test_everything_else_is_kept_exactly():
    nb = _toy()
    before = copy.deepcopy(nb)
    copy_ = student_copy(nb)
    assert nb == before, "student_copy must not change the instructor notebook"
    assert copy_.metadata == nb.metadata
    for i in (0, 1, 3):
        assert copy_.cells[i] == nb.cells[i]
    assert [c.id for c in copy_.cells] == [c.id for c in nb.cells]


def test_an_indented_region_keeps_its_indentation_and_stays_valid_python():
    nb = _toy()
    nb.cells[2] = _exercise("if True:\n    answer = ...", "    answer = 42\n    answer += 0", "check(answer)")
    nb.cells[2].source = nb.cells[2].source.replace(BEGIN, "    " + BEGIN).replace(END, "    " + END)
    source = student_copy(nb).cells[2].source
    assert f"    answer = ...\n    {STUB}\ncheck(answer)" in source
    ast.parse(source)


def test_a_block_left_empty_by_the_stub_is_refused():
    nb = _toy()
    nb.cells[2] = _exercise("answer = ...\nif True:", "    answer = 42", "check(answer)")
    nb.cells[2].source = nb.cells[2].source.replace(BEGIN, "    " + BEGIN).replace(END, "    " + END)
    with pytest.raises(SolutionMarkerError, match=r"toy, cell 2: once the solution is replaced .* not valid Python"):
        student_copy(nb, "toy")


def test_an_answer_without_a_placeholder_is_refused():
    nb = _toy()
    nb.cells[2] = _exercise("x = 1", "answer = 42", "check(answer)")
    with pytest.raises(SolutionMarkerError, match=r"toy, cell 2: the checker uses 'answer', .* `answer = \.\.\.`"):
        student_copy(nb, "toy")
    nb.cells[2] = _exercise("answer = 0", "answer = 42", "check(answer)")  # a placeholder must be `...`
    with pytest.raises(SolutionMarkerError, match="the checker uses 'answer'"):
        student_copy(nb, "toy")


def test_a_function_placeholder_is_accepted_and_helper_names_need_none():
    nb = _toy()
    nb.cells[2] = _exercise('def double(x):\n    """Twice x."""\n    ...',
                            "def double(x):\n    return 2 * x\nhelper = 3", "check(double)")
    source = student_copy(nb, "toy").cells[2].source
    namespace = {"check": lambda f: f(1)}
    exec(source, namespace)
    assert namespace["double"](1) is None and "helper" not in namespace


def test_two_regions_in_one_cell_both_become_stubs():
    nb = _toy()
    nb.cells[2].source = f"a = ...\n{BEGIN}\na = 1\n{END}\nb = ...\n{BEGIN}\nb = 2\n{END}\ncheck(a, b)"
    assert solution_regions(nb) == {2: [["a = 1"], ["b = 2"]]}
    assert student_copy(nb).cells[2].source.count(STUB) == 2


@pytest.mark.parametrize("source, expected", [
    (f"x = 1\n{BEGIN}\nx = 2", "never closed"),
    (f"{BEGIN}\n{BEGIN}\nx = 2\n{END}", "inside another solution region"),
    (f"x = 2\n{END}", "without a"),
    (f"x = 1  ### BEGIN SOLUTION\nx = 2\n{END}", "on a line of its own"),
    ("## BEGIN SOLUTION\nx = 2\n### END SOLUTION", "on a line of its own"),
])
def test_malformed_markers_are_reported_by_cell_and_line(source, expected):
    nb = _toy()
    nb.cells[2] = new_code_cell(source)
    with pytest.raises(SolutionMarkerError, match=expected) as info:
        student_copy(nb, "notebooks/99_toy.ipynb")
    assert "notebooks/99_toy.ipynb, cell 2" in str(info.value)


def test_a_marker_in_a_markdown_cell_is_refused():
    nb = _toy()
    nb.cells[3] = new_markdown_cell(f"Solutions go between\n{BEGIN}\nand the end marker.")
    with pytest.raises(SolutionMarkerError, match=r"cell 3 is a markdown cell .* belong in code cells"):
        exercise_cells(nb, "toy")


def test_command_line_writes_copies_and_refuses_bad_requests(tmp_path, capsys):
    source = tmp_path / "99_toy.ipynb"
    nbformat.write(_toy(), source)
    assert main(["--out", str(tmp_path / "student"), str(source)]) == 0
    written = nbformat.read(tmp_path / "student" / "99_toy.ipynb", as_version=4)
    assert written.cells[2].source == student_copy(_toy()).cells[2].source
    assert "wrote 1 student copies" in capsys.readouterr().out

    broken = _toy()
    broken.cells[2] = new_code_cell(f"{BEGIN}\nx = 1")
    nbformat.write(broken, tmp_path / "98_broken.ipynb")
    assert main(["--out", str(tmp_path / "out2"), str(tmp_path / "98_broken.ipynb")]) == 1
    assert "cell 2" in capsys.readouterr().err
    assert not (tmp_path / "out2").exists(), "nothing is written when a lesson is malformed"

    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path / "x"), str(tmp_path / "missing.ipynb")])
    assert "no such notebook" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--out", str(TESTS.parent / "notebooks")])
    assert "would overwrite the instructor lessons" in capsys.readouterr().err


def test_command_line_writes_to_student_by_default(tmp_path, monkeypatch, capsys):
    source = tmp_path / "99_toy.ipynb"
    nbformat.write(_toy(), source)
    monkeypatch.setattr(student_copies, "STUDENT", tmp_path / "committed")
    assert main([str(source)]) == 0
    assert (tmp_path / "committed" / "99_toy.ipynb").exists()
    assert STUDENT == TESTS.parent / "student"


# ---------------------------------------------------------------- every lesson: the copies themselves

@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """The student copy of every lesson, written as `make student` does."""
    folder = tmp_path_factory.mktemp("student")
    written = write_student_copies(LESSONS, folder)
    return {p.name: nbformat.read(p, as_version=4) for p in written}


def test_the_committed_student_copies_are_up_to_date():
    """student/ holds exactly one copy per lesson, each what `make student` writes from notebooks/ now."""
    committed = sorted(p.name for p in STUDENT.glob("*.ipynb"))
    assert committed == sorted(IDS), (f"student/ should hold one copy per lesson in notebooks/ "
                                      f"(has {committed}); run `make student` and commit student/")
    stale = [path.name for path in LESSONS
             if json.loads((STUDENT / path.name).read_text()) !=
             json.loads(nbformat.writes(student_copy(_instructor(path), path.name)))]
    assert not stale, (f"the student copies of {stale} are out of date with notebooks/ (a lesson changed since "
                       f"they were written): run `make student` and commit student/")


def _instructor(path: Path):
    return nbformat.read(path, as_version=4)


def _solution_lines(nb) -> set[str]:
    return {line.strip() for regions in solution_regions(nb).values() for region in regions
            for line in region if line.strip()}


def test_make_student_writes_one_copy_per_lesson(copies):
    assert sorted(copies) == sorted(IDS)


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_copy_is_a_valid_notebook(path, copies):
    nb = copies[path.name]
    nbformat.validate(nb)
    assert nb.metadata == _instructor(path).metadata


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_no_line_of_any_solution_survives(path, copies):
    instructor = _instructor(path)
    exercises = set(exercise_cells(instructor))
    # a line that the lesson also shows outside its solutions is not a secret (e.g. a shared import)
    public = {line.strip() for i, c in enumerate(instructor.cells) if i not in exercises
              for line in c.source.splitlines()}
    for i in exercises:
        before, _, after = _split_exercise(instructor.cells[i].source)
        public |= {line.strip() for line in (before + "\n" + after).split("\n")}
    secret = _solution_lines(instructor) - public
    nb = copies[path.name]
    for i, cell in enumerate(nb.cells):
        source_lines = {line.strip() for line in cell.source.splitlines()}
        leaked = secret & source_lines
        assert not leaked, f"{path.name}, cell {i}: solution lines survive in the source: {sorted(leaked)}"
        assert BEGIN not in cell.source and END not in cell.source
        rest = json.dumps({"outputs": cell.get("outputs", []), "metadata": cell.metadata,
                           "attachments": cell.get("attachments", {})})
        # outputs and metadata are searched as text; short lines (")" or "])") would match anything
        for line in secret:
            if len(line) >= 8:
                assert json.dumps(line)[1:-1] not in rest, f"{path.name}, cell {i}: {line!r} survives in outputs"
    assert not any(line in json.dumps(nb.metadata) for line in secret if len(line) >= 8)


@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_only_the_exercise_cells_change(path, copies):
    instructor = _instructor(path)
    nb = copies[path.name]
    exercises = set(exercise_cells(instructor))
    assert len(nb.cells) == len(instructor.cells)
    for i, (mine, theirs) in enumerate(zip(nb.cells, instructor.cells)):
        if i in exercises:
            assert mine.outputs == [] and mine.execution_count is None, f"cell {i}: outputs not cleared"
            assert mine.source.count(STUB) == len(solution_regions(instructor)[i]), f"cell {i}: no stub"
            assert mine.metadata == theirs.metadata and mine.id == theirs.id
        else:
            assert mine == theirs, f"{path.name}, cell {i} differs from the instructor version"


# ---------------------------------------------------------------- every lesson: executing the copies

def _split_exercise(source: str) -> tuple[str, str, str]:
    """(code before the solution, the solution, code after it) of a cell with one solution region."""
    lines = source.split("\n")
    begins = [i for i, line in enumerate(lines) if line.strip() == BEGIN]
    ends = [i for i, line in enumerate(lines) if line.strip() == END]
    before = "\n".join(lines[:begins[0]])
    solution = "\n".join(textwrap.dedent("\n".join(lines[b + 1:e])) for b, e in zip(begins, ends))
    after = "\n".join(lines[ends[-1] + 1:])
    return before, solution, after


def _answer_names(before: str, solution: str, after: str) -> list[str]:
    """The names the student must fill in: the `name = ...` placeholders, else what the solution
    assigns and the checker uses."""
    placeholders = re.findall(r"^(\w+)\s*=\s*\.\.\.\s*$", before, flags=re.M)
    if placeholders:
        return list(dict.fromkeys(placeholders))
    assigned = {n.id for n in ast.walk(ast.parse(solution)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    used = {n.id for n in ast.walk(ast.parse(after)) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return sorted(assigned & used)


def _checker_call(after: str) -> tuple[str, str]:
    tree = ast.parse(after)
    last = tree.body[-1]
    assert isinstance(last, ast.Expr), "an exercise cell ends with its checker call"
    before = "\n".join(after.split("\n")[:last.lineno - 1])
    return before, ast.get_source_segment(after, last)


def _probe_notebook(instructor, student):
    """The student copy with, after each exercise cell, a cell that asks its checker about wrong answers."""
    nb = copy.deepcopy(student)
    exercises = exercise_cells(instructor)
    cells = []
    for index, cell in enumerate(nb.cells):
        if index == exercises[0]:
            cells.append(new_code_cell(
                f"import sys as _s\n_s.path.insert(0, {str(TESTS)!r})\nimport checker_probe as _cl_probe\n"
                f"_s.path.pop(0)\ndel _s", metadata={"tags": ["cl-probe-import"]}))
        cell.metadata.setdefault("tags", []).append(f"cl-cell:{index}")
        cells.append(cell)
        if index in exercises:
            before, solution, after = _split_exercise(instructor.cells[index].source)
            checker_before, call = _checker_call(after)
            names = _answer_names(before, solution, after)
            cells.append(new_code_cell(
                f"_cl_probe.probe(globals(), cell={index}, solution={solution!r}, before={checker_before!r}, "
                f"call={call!r}, names={names!r})", metadata={"tags": [f"cl-probe:{index}"]}))
    nb.cells = cells
    return nb


_EXECUTED: dict[str, nbformat.NotebookNode] = {}


@pytest.fixture(scope="module")
def student_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student-run")
    write_student_copies(LESSONS, folder)  # siblings, as in student/ (lesson 00 lists them)
    return folder


def _executed(path: Path, folder: Path):
    """Execute the student copy of ``path`` (with the probe cells) once per test session."""
    if path.name not in _EXECUTED:
        instructor = _instructor(path)
        probe = _probe_notebook(instructor, student_copy(instructor, path.name))
        target = folder / path.name
        nbformat.write(probe, target)
        try:
            _EXECUTED[path.name] = execute(target, allow_errors=True)
        finally:
            nbformat.write(student_copy(instructor, path.name), target)
    return _EXECUTED[path.name]


def _tagged(cell, prefix: str) -> int | None:
    """The lesson cell index a tag ``prefix<index>`` marks (the tags survive notebook_io.clean)."""
    for tag in cell.metadata.get("tags", []):
        if tag.startswith(prefix):
            return int(tag[len(prefix):])
    return None


def _errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def _stderr(cell):
    return "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == "stderr")


def _text(cell) -> str:
    """What a cell shows as text: its streams and the text/plain of its results."""
    return "".join(o.get("text", "") if o.output_type == "stream" else o.get("data", {}).get("text/plain", "")
                   for o in cell.get("outputs", []))


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_a_first_run_all_of_the_student_copy_ends_without_a_traceback(path):
    """Execute the committed student/ copy as a student's Run All does: from a fresh kernel, top to bottom."""
    executed = execute(STUDENT / path.name, allow_errors=True)
    exercises = set(exercise_cells(_instructor(path)))
    problems = []
    for index, cell in enumerate(executed.cells):
        if cell.cell_type != "code":
            continue
        errors, stderr = _errors(cell), _stderr(cell)
        if errors:
            e = errors[0]
            hint = (" (it uses a name defined only inside a solution region: a bug in the lesson)"
                    if e.ename == "NameError" and index not in exercises else "")
            where = "exercise cell" if index in exercises else "cell"
            problems.append(f"{where} {index} fails in the student copy with {e.ename}: {e.evalue}{hint}")
        elif index in exercises and NOT_ANSWERED not in _text(cell).lower():
            problems.append(f"exercise cell {index} should say 'Not answered yet' to the placeholder ..., "
                            f"it shows {_text(cell)[:200]!r}")
        if stderr:
            problems.append(f"cell {index} writes to stderr in the student copy: {stderr[:300]!r}")
    assert not problems, f"student/{path.name}:\n" + "\n".join(problems)


def _probe_records(executed):
    records = []
    for cell in executed.cells:
        if _tagged(cell, "cl-probe:") is not None:
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            errors = [f"{e.ename}: {e.evalue}" for e in _errors(cell)]
            lines = [line for line in text.splitlines() if line.startswith(MARK)]
            assert lines, f"the probe of cell {_tagged(cell, 'cl-probe:')} printed nothing: {errors or text[:500]}"
            records.append(json.loads(lines[-1][len(MARK):]))
    return records


def _reveals(message: str, form: str) -> bool:
    pattern = re.escape(form)
    if re.match(r"[\w.-]", form[0]):
        pattern = r"(?<![\w.])" + pattern
    if re.match(r"[\w.]", form[-1]):
        pattern += r"(?![\w]|\.\d)"
    return re.search(pattern, message) is not None


def _lists_the_options(message: str, right: str) -> bool:
    """The message lists several options, the right one among them (how a checker says 'one of these')."""
    options = set(quoted(message)) - {NONSENSE}
    return len(options) >= 2 and right in options


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_checkers_do_not_reveal_the_answer_when_given_a_wrong_one(path, student_folder):
    records = _probe_records(_executed(path, student_folder))
    instructor = _instructor(path)
    assert len(records) == len(exercise_cells(instructor))
    open_checker = OPEN_CHALLENGES.get(path.name)
    if open_checker:
        assert sum(f"{open_checker}(" in instructor.cells[r["cell"]].source for r in records) == 1, \
            f"{path.name}: OPEN_CHALLENGES names {open_checker}, which no exercise cell (or more than one) calls"
    problems = []
    for record in records:
        where = f"exercise cell {record['cell']}"
        is_open = bool(open_checker) and f"{open_checker}(" in instructor.cells[record["cell"]].source
        if record["error"]:
            problems.append(f"{where}: could not run the reference solution again: {record['error']}")
            continue
        if not record["names"]:
            problems.append(f"{where}: no `answer = ...` placeholder before {BEGIN}")
            continue
        if not record["right"]["correct"]:
            problems.append(f"{where}: the reference solution does not pass: {record['right']['message'][:200]}")
        for trial in record["trials"]:
            said = f"{where}, {trial['name']} = {trial['wrong']} ({trial['label']})"
            if trial["raised"]:
                problems.append(f"{said}: the checker raised {trial['raised']} instead of giving a hint")
            if trial["correct"] and not (is_open and trial["label"] != "the placeholder ..."):
                problems.append(f"{said}: accepted as correct: {trial['message'][:200]}")
            # listing every option (a choice's "Not answered yet", a reply to a non-option) names the right one among others
            listing = trial["label"].endswith(("a string that is not an option", "an extra item", "the placeholder ..."))
            for form in record["forms"][trial["name"]]:
                if _reveals(trial["message"], form) and not (listing and _lists_the_options(trial["message"], form.strip("'\""))):
                    problems.append(f"{said}: the message shows the right answer {form!r}: {trial['message'][:300]!r}")
                    break
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_make_student_rewrites_the_committed_copies():
    recipe = re.search(r"^student:.*\n\t(.*)$", (TESTS.parent / "Makefile").read_text(), flags=re.M)
    assert recipe and recipe.group(1).endswith("tools/student_copies.py --out student")


def _visible_text(notebook) -> list[tuple[int, str]]:
    """What a student sees in a copy before answering: every Markdown cell and every code cell's text output."""
    seen = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            seen.append((index, cell.source))
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    seen.append((index, output.get("text", "")))
                else:
                    data = output.get("data", {})
                    seen.append((index, data.get("text/plain", "") + data.get("text/markdown", "")
                                 + data.get("text/html", "")))
    return seen


def _distinctive_numbers(record) -> list[str]:
    """The printed forms of an exercise's numeric answers that could not turn up by chance (two or more significant
    digits, e.g. 0.024, 3.1 or 21; not 0.5 or 2)."""
    forms = []
    for name, kind in record.get("types", {}).items():
        if not re.match(r"(float|int)", kind):
            continue
        for form in record["forms"][name]:
            digits = re.sub(r"^[-+]?[0.]*", "", form).replace(".", "")
            if re.fullmatch(r"[-+]?\d*\.?\d+", form) and len(digits.rstrip("0")) >= 2:
                forms.append(form)
    return sorted(set(forms))


#: Reviewed coincidences: another quantity that happens to print the same digits as an exercise's answer.
COINCIDENCES = {
    ("07_error_accumulation_and_dagger.ipynb", 27, "0.36", 6): "BC's error on its own states (ε = 0.01, T = 100), "
                                                                 "not the chance of staying on the ridge at ε = 0.02",
    ("04_passive_agents_generalize.ipynb", 37, "0.99", 33): "the pointer agent's held-out-link reward over seeds",
    ("05_explanations_and_quality.ipynb", 37, "0.33", 23): "plain imitation's reward fraction at 40% low quality",
    ("05_explanations_and_quality.ipynb", 37, "0.33", 26): "the same reward fraction in the sweep table",
    ("10_causality_and_generalization.ipynb", 50, "2.1", 42): "the crossover shift at marker noise 0.5",
    ("10_causality_and_generalization.ipynb", 48, "11.61", 14): "the twin's mean basket with nobody on the new page "
                                                                   "in the new market, a population mean (the control "
                                                                   "arm's sample mean, 11.608, rounds to it; the "
                                                                   "checker needs 3 decimals)",
    ("10_causality_and_generalization.ipynb", 48, "12", 56): "'Lesson 12' in Going further",
}


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=IDS)
def test_no_student_visible_text_gives_a_numeric_answer_away(path, student_folder):
    """An answer printed anywhere else in the student copy (prose, or the output of a cell the copy keeps, such as the
    cell right below a stub) gives the exercise away: no exercise's numeric answer may appear there."""
    records = _probe_records(_executed(path, student_folder))
    copy_ = nbformat.read(STUDENT / path.name, as_version=4)
    exercises = set(exercise_cells(_instructor(path)))
    seen = [(index, text) for index, text in _visible_text(copy_) if index not in exercises]
    problems = []
    for record in records:
        for form in _distinctive_numbers(record):
            for index, text in seen:
                if _reveals(text, form) and (path.name, record["cell"], form, index) not in COINCIDENCES:
                    problems.append(f"exercise cell {record['cell']}: its answer {form} is shown in cell {index}: "
                                    f"...{text[max(0, text.find(form) - 80):text.find(form) + 40]!r}...")
    assert not problems, f"student/{path.name}:\n" + "\n".join(problems)
