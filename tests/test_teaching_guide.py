"""docs/teaching.md, the instructor guide, stays in step with the lessons and the tools it describes.

* every lesson in notebooks/ has a section with the guide's five parts, and the run time the guide quotes is
  the one the lesson's first cell states;
* every relative link in the guide resolves, and the example links are what tools/links.py builds;
* the README's "Teaching with this course" section points to the guide and the commands.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from links import binder_url, nbgitpuller_url
from notebook_io import lesson_paths

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "teaching.md"
LESSONS = lesson_paths()
PARTS = ["**Learning goals", "**Suggested", "**Discussion question", "**Exercise answer", "**Common mistakes"]


def _guide() -> str:
    return GUIDE.read_text()


def _section(number: str) -> str | None:
    match = re.search(rf"^### Lesson {number} — .*?(?=^### |\Z)", _guide(), flags=re.M | re.S)
    return match.group(0) if match else None


def _stated_run_time(path: Path) -> str:
    first = nbformat.read(path, as_version=4).cells[0].source
    match = re.search(r"[Rr]un time[^\n]*?(about \d+\s*(?:s\b|seconds|min))", first)
    assert match, f"{path.name}: the first cell states no run time"
    return match.group(1)


@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_every_lesson_has_a_complete_section(path):
    number = path.name[:2]
    section = _section(number)
    assert section, (f"docs/teaching.md has no section '### Lesson {number} — ...' for {path.name}: add its "
                     f"goals, run time, session plan, discussion questions, exercise answers and common mistakes")
    for part in PARTS:
        assert part in section, f"lesson {number}'s section in docs/teaching.md lacks {part.strip('*')!r}"
    run_time = _stated_run_time(path)
    assert f"**Run time:** {run_time}" in section, \
        f"lesson {number}: the guide should quote the run time the lesson states ({run_time!r})"
    row = re.search(rf"^\| {number} \| \[.*?\]\(\.\./notebooks/{re.escape(path.name)}\) \| (.*?) \|", _guide(), re.M)
    assert row and row.group(1) == run_time, f"lesson {number}: the guide's lesson table should say {run_time!r}"


def test_sections_are_only_for_lessons_that_exist():
    numbers = re.findall(r"^### Lesson (\d\d) — ", _guide(), flags=re.M)
    assert sorted(numbers) == sorted(p.name[:2] for p in LESSONS)


def test_relative_links_resolve():
    for target in re.findall(r"\]\((?!https?://|#)([^)\s]+)\)", _guide()):
        assert (GUIDE.parent / target.split("#")[0]).resolve().exists(), f"broken link in docs/teaching.md: {target}"


def test_internal_anchors_exist():
    headings = re.findall(r"^#+ (.+)$", _guide(), flags=re.M)
    slugs = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}
    for anchor in re.findall(r"\]\(#([^)]+)\)", _guide()):
        assert anchor in slugs, f"docs/teaching.md links to #{anchor}, which is no heading"


def test_example_links_are_what_links_py_builds():
    guide = _guide()
    assert binder_url("causal-lessons/causal-lessons") in guide
    assert nbgitpuller_url("OWNER/NAME", "https://hub.example.edu", branch="student-only") in guide


def test_commands_in_the_guide_exist():
    guide = _guide()
    for tool in set(re.findall(r"tools/\w+\.py", guide)):
        assert (ROOT / tool).exists(), f"docs/teaching.md mentions {tool}, which does not exist"
    makefile = (ROOT / "Makefile").read_text()
    for target in set(re.findall(r"`make (\w+)", guide)):
        assert re.search(rf"^{target}:", makefile, flags=re.M), f"docs/teaching.md mentions make {target}"


def test_readme_section_points_to_the_guide_and_commands():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Teaching with this course", 1)[1].split("\n## ", 1)[0]
    for needle in ("docs/teaching.md", "make student", "tools/links.py", "--nbgrader"):
        assert needle in section, f"README's 'Teaching with this course' should mention {needle}"


# ---------------------------------------------------------------- the guide's answers are the lessons' answers

@pytest.fixture(scope="module")
def student_run_folder(tmp_path_factory):
    from student_copies import write_student_copies

    folder = tmp_path_factory.mktemp("guide-run")
    write_student_copies(LESSONS, folder)
    return folder


def _answer_items(section: str, count: int) -> list[str]:
    paragraph = section.split("**Exercise answer", 1)[1].split("\n\n", 1)[0]
    paragraph = " ".join(paragraph.replace("−", "-").replace('"', "'").split())
    if count == 1:
        return [paragraph]
    parts = re.split(r"\((\d+)\)", paragraph)
    items = {int(number): text for number, text in zip(parts[1::2], parts[2::2])}
    return [items.get(k, "") for k in range(1, count + 1)]


@pytest.mark.slow
@pytest.mark.parametrize("path", LESSONS, ids=[p.name for p in LESSONS])
def test_the_guides_exercise_answers_are_the_reference_solutions(path, student_run_folder):
    """Each numbered answer in the guide shows the value the lesson's reference solution computes."""
    from test_student_copies import _executed, _probe_records, _reveals

    records = _probe_records(_executed(path, student_run_folder))  # shared with test_student_copies: run once
    items = _answer_items(_section(path.name[:2]) or "", len(records))
    for k, (record, item) in enumerate(zip(records, items), start=1):
        assert not record["error"], record["error"]
        forms = [f for name in record["names"] for f in record["forms"][name]]
        assert any(_reveals(item, form.replace('"', "'")) for form in forms), \
            f"lesson {path.name[:2]}, exercise {k}: the guide's answer {item.strip()[:120]!r} does not show the " \
            f"reference solution's value (one of {forms[:6]})"


def test_the_guides_nbgrader_config_line_is_the_tools():
    from student_copies import nbgrader_config_text

    line = next(l for l in nbgrader_config_text().splitlines() if l.startswith("c.ClearSolutions.code_stub"))
    assert line in _guide(), "docs/teaching.md should show the same ClearSolutions.code_stub as the tool writes"


# ---------------------------------------------------------------- the hub set-up the guide shows is the one tested

def _block_after(marker: str) -> list[str]:
    """The lines of the first code block after ``marker`` in the guide."""
    rest = _guide().split(marker, 1)[1]
    block = re.search(r"```\w*\n(.*?)```", rest, flags=re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_the_guide_shows_the_hub_configuration_the_hub_test_runs():
    config = {line.strip() for line in (ROOT / "deploy" / "hub" / "jupyterhub_config.py").read_text().splitlines()}
    shown = _block_after("`deploy/hub/jupyterhub_config.py`; its core:")
    assert len(shown) >= 5 and all(line in config for line in shown), \
        f"docs/teaching.md shows lines that are not in deploy/hub/jupyterhub_config.py: {set(shown) - config}"


def test_the_guide_shows_the_students_nbgrader_configuration():
    config = {line.strip() for line in (ROOT / "deploy" / "hub" / "etc-jupyter" / "nbgrader_config.py").read_text()
              .splitlines()}
    shown = _block_after("`JUPYTER_CONFIG_PATH`; `deploy/z2jh/values.yaml` mounts it):")
    assert 'c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]' in shown
    assert all(line in config for line in shown), set(shown) - config


def test_the_guide_names_the_deployment_files_that_exist():
    for path in set(re.findall(r"`(deploy/[\w./-]+)`", _guide())):
        assert (ROOT / path).exists(), f"docs/teaching.md names {path}, which does not exist"
