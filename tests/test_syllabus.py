"""docs/syllabus.md agrees with the lessons: every lesson is in its table and in both schedules (with as many
sessions as the table says), with its full title, the run time of the README's benchmark table, and the lesson
sections the schedules split at."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SYLLABUS = (ROOT / "docs" / "syllabus.md").read_text()
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _section(title: str) -> str:
    start = SYLLABUS.index(title)
    following = re.search(r"^#{2,3} ", SYLLABUS[start + len(title):], flags=re.M)
    return SYLLABUS[start:start + len(title) + following.start()] if following else SYLLABUS[start:]


def _rows(text: str) -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("|") and not set(line) <= set("|-: ")][1:]


def _first_cell(notebook: Path) -> str:
    return "".join(nbformat.read(notebook, as_version=4).cells[0].source)


def _benchmark() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("<!-- benchmark-table:begin -->"):readme.index("<!-- benchmark-table:end -->")]
    return {row[0].strip("`"): row[1] for row in _rows(table)}


TABLE = {re.search(r"notebooks/(\d\d_[\w]+\.ipynb)", row[0]).group(1): row
         for row in _rows(_section("## The lessons at a glance"))}


def test_every_lesson_is_in_the_table_with_its_full_title_and_link():
    assert sorted(TABLE) == [p.name for p in LESSONS], "docs/syllabus.md: add the new lesson to its table"
    for notebook in LESSONS:
        title = re.search(r"^#\s+(.+)$", _first_cell(notebook), flags=re.M).group(1).strip()
        assert TABLE[notebook.name][0] == f"[{title}](../notebooks/{notebook.name})"


@pytest.mark.parametrize("notebook", LESSONS, ids=[p.stem[:2] for p in LESSONS])
def test_run_times_are_the_benchmark_tables(notebook):
    measured = _benchmark()
    run_time = TABLE[notebook.name][1]
    if notebook.name in measured:
        assert run_time == f"{measured[notebook.name]} s", f"{notebook.name}: the README's table says " \
                                                            f"{measured[notebook.name]} s"
    else:  # not benchmarked yet: the time its first cell states, said to be stated
        stated = re.search(r"[Rr]un time:?\**\s*about (\d+) s", _first_cell(notebook)).group(1)
        assert run_time == f"about {stated} s (stated)"
        assert f"Lesson {notebook.name[:2]} is not in that table yet; its first cell states about {stated} s" \
            in " ".join(SYLLABUS.split())


def _sessions(schedule: str) -> Counter:
    counts = Counter()
    for row in _rows(_section(schedule)):
        for cell in row[1:]:
            for number in re.findall(r"Lesson (\d\d)", cell):
                counts[number] += 2 if row[1:] == [cell] and schedule.startswith("### Twelve") else 1
    return counts


def test_both_schedules_hold_every_lesson_as_often_as_the_table_says():
    six, twelve = _sessions("### Six weeks (12 sessions)"), _sessions("### Twelve weeks (24 sessions)")
    for notebook in LESSONS:
        number = notebook.name[:2]
        row = TABLE[notebook.name]
        if row[3] == "homework":
            assert number not in six and number not in twelve and "Lesson 00" in SYLLABUS
            continue
        assert six[number] == int(row[3]), f"lesson {number}: the six-week schedule has {six[number]} sessions"
        assert twelve[number] == int(row[4]), f"lesson {number}: the twelve-week schedule has {twelve[number]}"
    assert sum(six.values()) == 12 and len(_rows(_section("### Six weeks (12 sessions)"))) == 6
    assert sum(twelve.values()) <= 24 and len(_rows(_section("### Twelve weeks (24 sessions)"))) == 12


def test_the_sections_the_schedules_split_at_exist():
    headings = {notebook.name[:2]: [line for cell in nbformat.read(notebook, as_version=4).cells
                                    if cell.cell_type == "markdown" for line in cell.source.splitlines()
                                    if line.startswith("## ")] for notebook in LESSONS}
    splits = re.findall(r"lesson (\d\d) (?:at|after) \*([^*]+)\*", " ".join(SYLLABUS.split()))
    assert len(splits) == 5
    for number, name in splits:
        assert f"## {name}" in headings[number], f"lesson {number} has no section {name!r}"
    for number in ("05", "10", "12"):  # "written in parts"
        assert sum(h.startswith("## Part") for h in headings[number]) == 2


def test_prerequisites_name_python_probability_and_transformers_for_lessons_04_to_06():
    prerequisites = _section("## Prerequisites")
    assert "**Python**" in prerequisites and "**Probability and statistics**" in prerequisites
    assert "**For lessons 04 to 06: what a transformer is**" in prerequisites
    for number in ("04", "05", "06"):
        first = _first_cell(next(p for p in LESSONS if p.name.startswith(number)))
        assert "transformer" in first or "language model" in first


def test_every_lesson_has_a_learning_outcome():
    mapped = {n for row in _rows(_section("## Learning outcomes")) for n in re.findall(r"\d\d", row[-1])}
    assert mapped == {p.name[:2] for p in LESSONS} - {"00"}


def test_the_benchmark_writes_its_run_times_into_the_syllabus(tmp_path):
    """`make benchmark` (tools/benchmark.py --readme) keeps the syllabus's run-time column in step with the README."""
    from benchmark import update_syllabus

    copy = tmp_path / "syllabus.md"
    copy.write_text(SYLLABUS)
    first, second = LESSONS[0].name, LESSONS[1].name
    update_syllabus(copy, [{"notebook": first, "seconds": 41.6}, {"notebook": second, "seconds": 7.2}])
    rows = {re.search(r"notebooks/(\d\d_[\w]+\.ipynb)", row[0]).group(1): row
            for row in _rows(copy.read_text()[copy.read_text().index("## The lessons at a glance"):])
            if "notebooks/" in row[0]}
    assert rows[first][1] == "42 s" and rows[second][1] == "7 s"
    # every other cell and row as it was
    assert [row[2:] for row in rows.values()] == [row[2:] for row in TABLE.values()]
    assert {name: row[1] for name, row in rows.items() if name not in (first, second)} == \
        {name: row[1] for name, row in TABLE.items() if name not in (first, second)}
