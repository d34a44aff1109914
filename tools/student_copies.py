"""Student copies of the lessons: every solution region replaced by a stub.

    python tools/student_copies.py                                     # every lesson -> student/ (make student)
    python tools/student_copies.py --out handout notebooks/03_*.ipynb   # some lessons, elsewhere
    python tools/student_copies.py --nbgrader ~/course [--assignment NAME] [notebooks ...]

The lessons in ``notebooks/`` are the instructor version: each exercise's reference solution
sits between a ``### BEGIN SOLUTION`` and a ``### END SOLUTION`` line, after a placeholder
``answer = ...`` (a ``def`` whose body is ``...`` for an exercise that asks for a function).
A student copy replaces each such region by :data:`STUB`, a comment that says what to do, and
clears the outputs of the exercise cells; every other cell is kept exactly as in the instructor
version, outputs included, so that the student sees the lesson's results.  The placeholder is
left as ``...``, so the cell runs and the checker after it answers "Not answered yet" (every
checker treats ``...`` so): a student copy's first Run All ends without a traceback.

The copies of every lesson are committed in ``student/`` (same file names); a test checks that
they are what this tool writes from ``notebooks/`` now (run ``make student`` after changing a
lesson).  Binder and the JupyterHub links open them (tools/links.py).

The replacement is the one nbgrader's ``ClearSolutions`` preprocessor makes with the same stub
(see :func:`nbgrader_config_text`; tests/test_nbgrader.py checks that both write the same cells),
so making the copies needs nothing outside the course's own environment.

``--nbgrader COURSE`` writes an nbgrader course folder instead: ``COURSE/source/<assignment>/``
holds the instructor lessons with nbgrader cell metadata added (each exercise cell becomes an
"autograded answer", followed by a locked test cell that asserts the exercise's checker), and
``COURSE/nbgrader_config.py`` sets the same stub.  Then ``nbgrader generate_assignment``,
``nbgrader autograde`` and ``nbgrader generate_feedback`` work as usual (docs/teaching.md); an
exercise left at ``...`` scores 0, because its checker's feedback is not correct.
The committed lessons are never modified.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
import textwrap
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_io import ROOT, lesson_paths  # noqa: E402

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"

#: What replaces each solution region in a student copy (and in nbgrader's release version): a comment
#: only, so that the placeholder above it (``answer = ...``) reaches the checker, which says "Not answered yet".
STUB = "# YOUR ANSWER HERE: replace the ... above with your answer, then run the cell"

#: Where the student copies are committed (``make student`` writes them there).
STUDENT = ROOT / "student"

#: nbgrader cell-metadata schema written by --nbgrader (nbgrader 0.9 uses version 3).
NBGRADER_SCHEMA = 3


class SolutionMarkerError(ValueError):
    """A lesson's ``### BEGIN SOLUTION`` / ``### END SOLUTION`` markers are not well formed."""


def _marker_lines(source: str) -> list[tuple[int, str]]:
    return [(i, line) for i, line in enumerate(source.split("\n"))
            if "BEGIN SOLUTION" in line or "END SOLUTION" in line]


def solution_regions(nb: nbformat.NotebookNode, name: str = "the notebook") -> dict[int, list[list[str]]]:
    """The solution regions of ``nb``: ``{cell index: [lines of region 1, lines of region 2, ...]}``.

    The marker lines themselves are not included.  Raises :class:`SolutionMarkerError`, naming
    ``name`` and the cell, when a marker is malformed: not on a line of its own, in a markdown
    cell, nested, or missing its partner.
    """
    regions: dict[int, list[list[str]]] = {}
    for index, cell in enumerate(nb.cells):
        markers = _marker_lines(cell.source)
        if not markers:
            continue
        where = f"{name}, cell {index}"
        if cell.cell_type != "code":
            raise SolutionMarkerError(
                f"{where} is a {cell.cell_type} cell with a solution marker: solution regions belong in code "
                f"cells (to show the marker in prose, write it without 'BEGIN SOLUTION'/'END SOLUTION').")
        lines = cell.source.split("\n")
        current: list[str] | None = None
        for number, line in enumerate(lines):
            stripped = line.strip()
            if "BEGIN SOLUTION" in line or "END SOLUTION" in line:
                if stripped not in (BEGIN, END):
                    raise SolutionMarkerError(
                        f"{where}, line {number + 1}: {line.strip()!r} should be exactly {BEGIN!r} or {END!r} "
                        f"on a line of its own.")
                if stripped == BEGIN:
                    if current is not None:
                        raise SolutionMarkerError(f"{where}, line {number + 1}: {BEGIN!r} inside another solution "
                                                  f"region; close the first one with {END!r}.")
                    current = []
                else:
                    if current is None:
                        raise SolutionMarkerError(f"{where}, line {number + 1}: {END!r} without a {BEGIN!r} "
                                                  f"before it.")
                    regions.setdefault(index, []).append(current)
                    current = None
            elif current is not None:
                current.append(line)
        if current is not None:
            raise SolutionMarkerError(f"{where}: {BEGIN!r} is never closed; add {END!r} after the solution.")
    return regions


def exercise_cells(nb: nbformat.NotebookNode, name: str = "the notebook") -> list[int]:
    """Indices of the cells that hold a solution region (the exercise cells)."""
    return sorted(solution_regions(nb, name))


def stub_source(source: str) -> str:
    """``source`` with each solution region (markers included) replaced by :data:`STUB`, indented like its
    ``### BEGIN SOLUTION`` line: what nbgrader's ``ClearSolutions`` writes with ``code_stub = STUB``.

    >>> print(stub_source("answer = ...\\n### BEGIN SOLUTION\\nanswer = 42\\n### END SOLUTION\\ncheck(answer)"))
    answer = ...
    # YOUR ANSWER HERE: replace the ... above with your answer, then run the cell
    check(answer)
    """
    lines, inside = [], False
    for line in source.split("\n"):
        if BEGIN in line:
            inside = True
            indent = re.match(r"\s*", line).group(0)
            lines += [indent + stub_line for stub_line in STUB.split("\n")]
        elif END in line:
            inside = False
        elif not inside:
            lines.append(line)
    return "\n".join(lines)


def _python(source: str) -> str:
    """A cell's source as the kernel runs it (IPython magics turned into Python)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _is_placeholder(node: ast.AST, name: str) -> bool:
    """``name = ...``, or ``def name(...)`` whose body is ``...`` or ``return ...`` (after a docstring)."""
    def ellipsis(value):
        return isinstance(value, ast.Constant) and value.value is Ellipsis

    if isinstance(node, ast.Assign):
        return ellipsis(node.value) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
        body = node.body[1:] if (node.body and isinstance(node.body[0], ast.Expr)
                                 and isinstance(node.body[0].value, ast.Constant)
                                 and isinstance(node.body[0].value.value, str)) else node.body
        return len(body) == 1 and ((isinstance(body[0], ast.Expr) and ellipsis(body[0].value))
                                   or (isinstance(body[0], ast.Return) and ellipsis(body[0].value)))
    return False


def _bound(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


def check_placeholders(nb: nbformat.NotebookNode, name: str = "the notebook") -> None:
    """Check that each exercise cell still runs once its solutions are stubbed.

    The stubbed cell must be valid Python, and every name that a solution region sets and the
    code after ``### END SOLUTION`` (the checker call) uses must have a placeholder in the cell:
    ``answer = ...`` before the region, or a ``def`` whose body is ``...``.  Raises
    :class:`SolutionMarkerError` naming ``name``, the cell and the missing placeholder.
    """
    for index, regions in solution_regions(nb, name).items():
        where = f"{name}, cell {index}"
        source = nb.cells[index].source
        stubbed = stub_source(source)
        try:
            tree = ast.parse(_python(stubbed))
        except SyntaxError as exc:
            raise SolutionMarkerError(
                f"{where}: once the solution is replaced by the stub the cell is not valid Python ({exc.msg}, "
                f"line {exc.lineno}); keep a placeholder line such as `answer = ...` in the same block as the "
                f"solution.") from None
        try:
            solved = _bound(ast.parse(textwrap.dedent("\n".join(line for region in regions for line in region))))
            after = ast.parse(_python(source.rsplit(END, 1)[1].split("\n", 1)[-1]))
        except SyntaxError:
            continue  # an indented region or unusual code: the parse above already showed the cell runs
        used = {n.id for n in ast.walk(after) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        for needed in sorted(solved & used):
            if not any(_is_placeholder(node, needed) for node in ast.walk(tree)):
                raise SolutionMarkerError(
                    f"{where}: the checker uses {needed!r}, which only the solution sets; put a placeholder "
                    f"`{needed} = ...` (or `def {needed}(...): ...`) before {BEGIN!r}, so that the student copy "
                    f"runs and its checker says \"Not answered yet\".")


def student_copy(nb: nbformat.NotebookNode, name: str = "the notebook") -> nbformat.NotebookNode:
    """Return the student version of ``nb`` (``nb`` itself is not changed).

    Each solution region becomes :data:`STUB`; exercise cells lose their outputs and execution
    count; everything else (other cells and their outputs, ids, metadata) is kept as it is.
    """
    exercises = exercise_cells(nb, name)
    check_placeholders(nb, name)
    copy_ = copy.deepcopy(nb)
    for index in exercises:
        cell = copy_.cells[index]
        cell.source = stub_source(cell.source)
        cell.outputs = []
        cell.execution_count = None
    return copy_


def _checker_statements(source_after: str, where: str) -> tuple[str, str]:
    """Split the code after ``### END SOLUTION`` into (statements before the checker call, the call)."""
    try:
        tree = ast.parse(source_after)
    except SyntaxError as exc:
        raise SolutionMarkerError(f"{where}: the code after {END!r} is not valid Python ({exc.msg}).") from None
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        raise SolutionMarkerError(f"{where}: the exercise cell must end with its checker call, e.g. "
                                  f"check_answer(answer), after {END!r}.")
    last = tree.body[-1]
    lines = source_after.split("\n")
    before = "\n".join(lines[:last.lineno - 1]).rstrip()
    return before, ast.get_source_segment(source_after, last)


def nbgrader_source(nb: nbformat.NotebookNode, name: str = "the notebook", *, points: int = 1) -> nbformat.NotebookNode:
    """Return ``nb`` prepared for nbgrader's full pipeline (``nb`` itself is not changed).

    Each exercise cell is marked as an autograded answer (``exercise-K``), and a locked test
    cell (``exercise-K-check``, worth ``points``) is inserted after it: it repeats the
    exercise's checker call and asserts that the answer is correct.
    """
    regions = solution_regions(nb, name)
    check_placeholders(nb, name)
    out = copy.deepcopy(nb)
    cells = []
    for index, cell in enumerate(out.cells):
        cells.append(cell)
        if index not in regions:
            continue
        k = sum(1 for i in regions if i <= index)
        cell.metadata["nbgrader"] = {
            "grade": False, "grade_id": f"exercise-{k}", "locked": False, "schema_version": NBGRADER_SCHEMA,
            "solution": True, "task": False,
        }
        after = cell.source.rsplit(END, 1)[1].split("\n", 1)[-1]
        before, call = _checker_statements(after, f"{name}, cell {index}")
        test = (f"# Autograder test for exercise {k} (locked: nbgrader runs it to grade the cell above)\n"
                + (before + "\n" if before else "")
                + f"_grade = {call}\nassert _grade, _grade")
        cells.append(nbformat.v4.new_code_cell(test, metadata={"nbgrader": {
            "grade": True, "grade_id": f"exercise-{k}-check", "locked": True, "points": points,
            "schema_version": NBGRADER_SCHEMA, "solution": False, "task": False,
        }}))
    out.cells = cells
    for index, cell in enumerate(out.cells):
        cell.id = f"cell-{index:03d}"
    return out


def nbgrader_config_text(course_id: str = "causal-lessons") -> str:
    """The ``nbgrader_config.py`` that makes nbgrader write the same stubs as the student copies."""
    return (
        "# nbgrader configuration for causal-lessons (written by tools/student_copies.py --nbgrader)\n"
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {course_id!r}\n"
        "# the same stub as `make student`, so students see the same cells either way\n"
        f"c.ClearSolutions.code_stub = {{'python': {STUB!r}}}\n"
        "# a lesson runs in at most about a minute; leave room for a slow grading machine\n"
        "c.Execute.timeout = 600\n"
        "# on a hub, the students' servers name each submission after the hub user (CourseDirectory.student_id,\n"
        "# deploy/hub/etc-jupyter/nbgrader_config.py); here, in the course folder, collect and grade every student\n"
        "c.CourseDirectory.student_id = '*'\n"
    )


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _display(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def write_student_copies(paths: list[Path], out: Path) -> list[Path]:
    """Write the student copy of each lesson in ``paths`` to ``out`` (same file names); return the new paths."""
    out = Path(out)
    copies = [(path, student_copy(_read(path), _display(path))) for path in paths]  # check all before writing
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path, nb in copies:
        nbformat.validate(nb)
        target = out / Path(path).name
        nbformat.write(nb, target)
        written.append(target)
    return written


def assignment_name(path: Path) -> str:
    """The nbgrader assignment a lesson goes to by default: ``lesson03`` for ``03_experiment_then_exploit``."""
    match = re.match(r"(\d+)_", Path(path).name)
    return f"lesson{match.group(1)}" if match else re.sub(r"\W+", "_", Path(path).stem)


def write_nbgrader_course(paths: list[Path], course: Path, assignment: str | None = None) -> list[Path]:
    """Write ``course/source/<assignment>/<lesson>.ipynb`` for each lesson, and ``nbgrader_config.py`` if missing."""
    course = Path(course)
    if assignment is not None and not re.fullmatch(r"[A-Za-z0-9_-]+", assignment):
        raise ValueError(f"--assignment must be letters, digits, '_' or '-' (nbgrader uses it as a folder name), "
                         f"got {assignment!r}.")
    prepared = [(path, nbgrader_source(_read(path), _display(path))) for path in paths]
    written = []
    for path, nb in prepared:
        nbformat.validate(nb)
        folder = course / "source" / (assignment or assignment_name(path))
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / Path(path).name)
        written.append(folder / Path(path).name)
    config = course / "nbgrader_config.py"
    if not config.exists():
        config.write_text(nbgrader_config_text())
    elif repr(STUB) not in config.read_text():
        print(f"note: {config} exists and was left alone; for the same stubs as `make student` add:\n"
              f"c.ClearSolutions.code_stub = {{'python': {STUB!r}}}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="lessons to copy (default: every lesson)")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--out", type=Path, help="folder for the student copies (default: student/, the committed ones)")
    target.add_argument("--nbgrader", type=Path, metavar="COURSE", help="nbgrader course folder to write source/ into")
    parser.add_argument("--assignment", help="with --nbgrader: put every lesson into this one assignment "
                                             "(default: one assignment per lesson, lesson00, lesson01, ...)")
    args = parser.parse_args(argv)
    paths = args.notebooks or lesson_paths()
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    if args.assignment and not args.nbgrader:
        parser.error("--assignment goes with --nbgrader")
    if args.nbgrader is None and args.out is None:
        args.out = STUDENT
    try:
        if args.out is not None:
            if args.out.resolve() == (ROOT / "notebooks").resolve():
                parser.error("--out notebooks/ would overwrite the instructor lessons; choose another folder")
            written = write_student_copies(paths, args.out)
            print(f"wrote {len(written)} student copies to {_display(args.out)}/")
        else:
            written = write_nbgrader_course(paths, args.nbgrader, args.assignment)
            print(f"wrote {len(written)} lessons to {args.nbgrader}/source/; next: "
                  f"cd {args.nbgrader} && nbgrader generate_assignment ASSIGNMENT")
    except SolutionMarkerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        parser.error(str(exc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
