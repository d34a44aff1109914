"""Every lesson's claims are audited, its prose numbers are its own, and its terms come in course order (issue 11).

Four checks, each parametrized per lesson so that a lesson passes or fails on its own:

**The claims audit** (``docs/claims.md``). Each lesson ``notebooks/NN_*.ipynb`` has a section
``## Lesson NN — <title>`` with a table ``| id | claim | shown by | pinned by | by construction? | robustness |``
of at least three claims. ``id`` is ``NN.k`` and unique. ``shown by`` holds backticked snippets, each of which
appears verbatim in that lesson's committed text outputs (stdout, ``text/plain``, ``text/markdown``; whitespace
runs are collapsed to one space on both sides, and ``\\|`` in the table stands for ``|``); a claim that no output
can show says so instead, starting with ``cited:`` (a result of the literature, named there) or ``derivation:``
(an argument or a piece of algebra the prose makes). ``pinned by`` names ``nbval`` and/or tests as
``tests/test_x.py::test_name``, each of which must exist; a claim pinned by ``nbval`` alone needs a snippet from a
cell whose output nbval compares (not tagged ``nbval-ignore-output``). ``by construction?`` is ``no`` or
``yes: <why>``; ``robustness`` is not empty.

**Prose numbers.** Every *decimal figure* (digits, a point, digits: ``0.98``, ``−0.5``, ``4.7``; also in
scientific notation, ``1e-8``) and every *percent figure* (``98%``, ``4.7 %``) in a lesson's Markdown cells must
appear in that lesson's text outputs, or be marked in its own cell with an HTML comment
``<!-- cited: 2.31, 2.07 -->`` (quoted from a paper or a cited computation) or ``<!-- parameter: 0.1, 95% -->``
(a setting the lesson chose). Choices:

* *What is a figure.* Whole numbers without a percent sign (``5``, ``2,000``, years, page numbers) are not
  counted. Version-like dotted sequences (``2.13.0``) and arXiv identifiers (``arXiv:2305.16183``) are not
  figures. Numbers inside inline code or fenced code (settings passed to a function, e.g.
  ``deconfounded_share=0.02``), inside URLs and inside HTML comments are not prose. Numbers inside LaTeX
  (``$\\varepsilon = 0.05$``) *are* counted: a reader reads them as claims like any other.
* *Sign.* The sign is ignored (``−0.5``, with a Unicode minus, and ``-0.5`` are the figure ``0.5``): prose often
  states a magnitude ("fell by 0.5") where the output prints a signed value, and ranges such as ``0.10-0.52``
  would otherwise read as a negative number.
* *Rounding.* A prose figure with *d* decimals matches an output number that rounds to it at *d* decimals (half
  up or half to even): ``0.98`` matches ``0.981``; a number with fewer decimals matches only if equal in value
  (``0.50`` matches ``0.5``).
* *Percent and fraction.* A percent figure also matches an output fraction with the same value (``98%`` matches
  ``0.98`` or ``0.981``), and a decimal figure matches an output percent with the same value (``0.98`` matches
  ``98%``).
* *Markers.* A marker covers a figure of its own cell when one of its numbers has the same value and the same kind
  (percent or not). A comment that starts like a marker (``<!--param-->``) but is not in this form fails.

**Glossary order** (``docs/glossary.md``). The glossary has ``## Lesson NN`` sections of entries
``- **term** — definition. (lesson NN)``, the number in the entry equal to its section's. For each term, no
lesson before its introducing lesson uses it in Markdown, and in the introducing lesson its first occurrence is in
bold (``**term**``). Choices:

* *Matching.* Whole words, case-insensitive, except for a term written in capitals (an acronym such as ``SCM``),
  which matches only in capitals. Spaces and hyphens inside a term match any run of spaces, line breaks and
  hyphens (``time-unrolled DAG`` = ``time unrolled DAG``). The last word may take a plural ``s``/``es`` (``y``
  becomes ``ies``); a possessive ``'s`` is a use.
* *Where.* Markdown cells only (code comments and outputs do not count), without inline and fenced code, URLs,
  LaTeX, HTML comments, double-quoted text (straight or curly quotes: titles of papers, and words mentioned rather
  than used) and the ``## Going further`` section (references and suggestions for later). Headings count as uses
  for the order, but the first occurrence that must be bold is the first outside a heading.
* *Lesson 00* is the course's map: it names what the later lessons teach ("error accumulation", "blicket
  detectors"), so its forward uses are not checked; a term it introduces itself is checked like any other.

**Lesson 00 links** the glossary, the claims audit and the reproduction table.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

import nbformat
import pytest

from notebook_io import lesson_paths

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = ROOT / "docs" / "claims.md"
GLOSSARY = ROOT / "docs" / "glossary.md"
LESSONS = {path.name[:2]: path for path in lesson_paths()}
NUMBERS = sorted(LESSONS)

SPACE = r"[ \u00a0\u202f]"
# a number: not glued to a word, a point or another digit on either side (so 2.13.0 and 1.5e-3x are not figures)
FIGURE = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?((?:e|E)[-+−]?\d+)?(" + SPACE + r"?%)?(?!\.?\d)(?![\w])")
MARKER = re.compile(r"<!--\s*(cited|parameter):\s*(.*?)\s*-->", re.S)
COMMENT = re.compile(r"<!--(.*?)-->", re.S)
FENCED = re.compile(r"```.*?```", re.S)
INLINE_CODE = re.compile(r"`[^`]*`")
URL = re.compile(r"https?://\S+|\]\([^)]*\)")
ARXIV = re.compile(r"arXiv:\s*\d+\.\d+(v\d+)?", re.I)
LATEX = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S)
QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”]*”")


# ------------------------------------------------------------------------------------------------ reading lessons
def _notebook(number: str):
    return nbformat.read(LESSONS[number], as_version=4)


def _output_texts(cell) -> list[str]:
    texts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.get("name") == "stdout":
            texts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            for kind in ("text/plain", "text/markdown"):
                if kind in out.get("data", {}):
                    texts.append(out["data"][kind])
    return texts


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def text_outputs(number: str, *, compared_only: bool = False) -> str:
    """The lesson's committed text outputs, whitespace collapsed (only the cells nbval compares, if asked)."""
    parts = []
    for cell in _notebook(number).cells:
        if cell.cell_type != "code":
            continue
        if compared_only and "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        parts += _output_texts(cell)
    return _squash(" \n ".join(parts))


def markdown_cells(number: str) -> list[str]:
    return [cell.source for cell in _notebook(number).cells if cell.cell_type == "markdown"]


# ---------------------------------------------------------------------------------------------------- numbers
def _figures(text: str, *, counted_only: bool = True) -> list[tuple[str, Decimal, int, bool]]:
    """(as written, |value|, decimals, is percent) of each figure in ``text``; whole numbers without % are left out
    when ``counted_only``."""
    found = []
    for match in FIGURE.finditer(text):
        whole, frac, exp, pct = match.groups()
        if counted_only and not (frac or exp or pct):
            continue
        digits = whole.replace(",", "") + (frac or "") + (exp or "").replace("−", "-")
        value = abs(Decimal(digits))
        decimals = len(frac) - 1 if frac else 0
        found.append((match.group(0), value, decimals, bool(pct)))
    return found


def _prose_text(source: str) -> str:
    text = COMMENT.sub(" ", source)
    text = FENCED.sub(" ", text)
    text = INLINE_CODE.sub(" ", text)
    text = URL.sub(" ", text)
    text = ARXIV.sub(" ", text)
    return text.replace("−", "-")


def _rounds_to(value: Decimal, target: Decimal, decimals: int) -> bool:
    step = Decimal(1).scaleb(-decimals)
    return any(value.quantize(step, rounding=mode) == target for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN))


def _output_values(outputs: str) -> list[tuple[Decimal, int, bool]]:
    return [(value, decimals, pct) for _, value, decimals, pct in _figures(outputs.replace("−", "-"), counted_only=False)]


def figure_is_printed(figure: tuple[str, Decimal, int, bool], printed: list[tuple[Decimal, int, bool]]) -> bool:
    """Whether a prose figure appears among the printed numbers (rounding, percent and fraction; see the docstring)."""
    _, value, decimals, pct = figure
    candidates = []
    for out_value, out_decimals, out_pct in printed:
        candidates.append((out_value, out_decimals))
        if out_pct and not pct:
            candidates.append((out_value / 100, out_decimals + 2))
        if pct and not out_pct:
            candidates.append((out_value * 100, max(out_decimals - 2, 0)))
    for out_value, out_decimals in candidates:
        if out_value == value:
            return True
        if out_decimals >= decimals and _rounds_to(out_value, value, decimals):
            return True
    return False


def _marked(source: str) -> set[tuple[Decimal, bool]]:
    marked = set()
    for _, content in MARKER.findall(source):
        marked |= {(value, pct) for _, value, _, pct in _figures(content.replace("−", "-"), counted_only=False)}
    return marked


def unexplained_figures(number: str) -> list[str]:
    """The prose figures of a lesson that are neither printed by it nor marked as cited or parameters."""
    printed = _output_values(text_outputs(number))
    missing = []
    for index, source in enumerate(markdown_cells(number)):
        marked = _marked(source)
        for figure in _figures(_prose_text(source)):
            if (figure[1], figure[3]) in marked or figure_is_printed(figure, printed):
                continue
            missing.append(f"markdown cell {index}: {figure[0]!r}")
    return missing


def test_figure_matching_rules():
    printed = _output_values("reward 0.981, 98%, shift -2.5, 0.5, 1e-08")
    def ok(text):
        return all(figure_is_printed(f, printed) for f in _figures(_prose_text(text)))
    assert ok("0.98") and ok("98%") and ok("98.1 %") and ok("−2.5") and ok("0.50") and ok("1e-8")
    assert not ok("0.97") and not ok("0.982") and not ok("2.51") and not ok("97%")
    assert _figures(_prose_text("torch 2.13.0, arXiv:2305.16183, `x=0.3`, [a](b0.5.md), 2,000 runs")) == []
    assert [f[0] for f in _figures(_prose_text("ranges 0.10-0.52; the rate is 0.5. $p = 0.25$"))] == \
        ["0.10", "0.52", "0.5", "0.25"]
    assert _marked("<!-- parameter: 0.1, 95 % -->") == {(Decimal("0.1"), False), (Decimal("95"), True)}


@pytest.mark.parametrize("number", NUMBERS)
def test_prose_numbers_are_printed_or_marked(number):
    malformed = [c.strip() for source in markdown_cells(number) for c in COMMENT.findall(source)
                 if re.match(r"\s*(cite|param)", c, re.I) and not MARKER.fullmatch(f"<!--{c}-->")]
    assert not malformed, (f"lesson {number}: markers must read '<!-- cited: 2.31 -->' or "
                           f"'<!-- parameter: 0.1 -->', found {malformed}")
    missing = unexplained_figures(number)
    assert not missing, (f"lesson {number}: these prose figures are neither in the lesson's text outputs nor marked "
                         f"with <!-- cited: ... --> or <!-- parameter: ... --> in their cell: {missing}")


# ----------------------------------------------------------------------------------------------- claims audit
def _cells(row: str) -> list[str]:
    inner = row.strip()[1:-1] if row.strip().endswith("|") else row.strip()[1:]
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", inner)]


def claims_sections() -> dict[str, dict]:
    """``{NN: {"title": ..., "rows": [cells, ...]}}`` from docs/claims.md."""
    sections, current = {}, None
    for line in CLAIMS.read_text().splitlines():
        heading = re.match(r"## Lesson (\d\d) — (.+)", line)
        if heading:
            current = sections.setdefault(heading.group(1), {"title": heading.group(2), "rows": []})
            continue
        if line.startswith("## "):
            current = None
        elif current is not None and re.match(r"\|\s*\d\d\.\d+\s*\|", line):
            current["rows"].append(_cells(line))
    return sections


def _test_exists(reference: str) -> bool:
    path, _, name = reference.partition("::")
    file = ROOT / path
    return file.exists() and re.search(rf"^\s*(async )?def {re.escape(name)}\(", file.read_text(), re.M) is not None


def test_claims_file_names_only_existing_lessons_with_unique_ids():
    sections = claims_sections()
    assert set(sections) <= set(LESSONS), f"docs/claims.md has sections for lessons that do not exist: " \
                                          f"{sorted(set(sections) - set(LESSONS))}"
    ids = [row[0] for section in sections.values() for row in section["rows"]]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"claim ids must be unique: {duplicates}"


@pytest.mark.parametrize("number", NUMBERS)
def test_claims_audit(number):
    sections = claims_sections()
    assert number in sections, f"docs/claims.md needs a section '## Lesson {number} — <title>' with its claims"
    rows = sections[number]["rows"]
    assert len(rows) >= 3, f"lesson {number}: audit at least a few claims (found {len(rows)})"
    outputs, compared = text_outputs(number), text_outputs(number, compared_only=True)
    problems = []
    for row in rows:
        if len(row) != 6:
            problems.append(f"{row[0]}: a row has 6 columns, found {len(row)}")
            continue
        claim_id, claim, shown, pinned, construction, robustness = row
        if not re.fullmatch(rf"{number}\.\d+", claim_id):
            problems.append(f"{claim_id}: ids of lesson {number} read '{number}.k'")
        if not claim:
            problems.append(f"{claim_id}: the claim is empty")
        snippets = re.findall(r"`([^`]+)`", shown)
        if not snippets and not re.match(r"(cited|derivation):\s*\S", shown):
            problems.append(f"{claim_id}: 'shown by' needs backticked output snippets, or 'cited: ...' / "
                            f"'derivation: ...'")
        for snippet in snippets:
            if _squash(snippet) not in outputs:
                problems.append(f"{claim_id}: not in the lesson's text outputs: `{snippet}`")
        references = re.findall(r"tests/[\w/]+\.py::\w+", pinned)
        for reference in references:
            if not _test_exists(reference):
                problems.append(f"{claim_id}: no such test: {reference}")
        if not references and "nbval" not in pinned and not shown.startswith(("cited:", "derivation:")):
            problems.append(f"{claim_id}: 'pinned by' names nbval or tests")
        if "nbval" in pinned and not references and snippets and \
                not any(_squash(s) in compared for s in snippets):
            problems.append(f"{claim_id}: pinned by nbval alone, but every snippet comes from a cell tagged "
                            f"nbval-ignore-output (nbval does not compare it)")
        if not re.fullmatch(r"no|yes: .+", construction):
            problems.append(f"{claim_id}: 'by construction?' reads 'no' or 'yes: <why>', found {construction!r}")
        if not robustness:
            problems.append(f"{claim_id}: say how robust it is (seeds, sample size, exact)")
    assert not problems, f"lesson {number}, docs/claims.md:\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------------------------------- glossary
ENTRY = re.compile(r"- \*\*(?P<term>[^*]+)\*\* — (?P<definition>.+) \(lesson (?P<lesson>\d\d)\)")


def glossary() -> dict[str, str]:
    """``{term: introducing lesson}`` from docs/glossary.md (checks the entries' form on the way)."""
    terms, section = {}, None
    for number, line in enumerate(GLOSSARY.read_text().splitlines(), start=1):
        heading = re.match(r"## Lesson (\d\d)\b", line)
        if heading:
            section = heading.group(1)
            continue
        if line.startswith("## "):
            section = None
        if not line.startswith("- "):
            continue
        entry = ENTRY.fullmatch(line.rstrip())
        assert entry, f"docs/glossary.md line {number}: entries read '- **term** — definition. (lesson NN)': {line!r}"
        assert section is not None, f"docs/glossary.md line {number}: an entry outside a '## Lesson NN' section"
        assert entry["lesson"] == section, f"docs/glossary.md line {number}: lesson {entry['lesson']} under " \
                                           f"'## Lesson {section}'"
        assert entry["term"] not in terms, f"docs/glossary.md: {entry['term']!r} is listed twice"
        terms[entry["term"]] = section
    return terms


def term_pattern(term: str) -> re.Pattern:
    """Whole words, plural forms, spaces and hyphens interchangeable; case-insensitive unless an acronym."""
    words = re.split(r"[\s-]+", term.strip())
    last = words[-1]
    if last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        tail = re.escape(last[:-1]) + "(?:y|ies)"
    else:
        tail = re.escape(last) + "(?:s|es)?"
    body = r"[\s-]+".join([re.escape(w) for w in words[:-1]] + [tail])
    acronym = term.upper() == term and any(c.isalpha() for c in term)
    return re.compile(rf"(?<![\w-]){body}(?![\w])", 0 if acronym else re.I)


def glossary_text(number: str) -> list[tuple[str, bool]]:
    """The lesson's Markdown as (line, is heading) pairs, without what the glossary check leaves out."""
    lines, stop = [], False
    for source in markdown_cells(number):
        # placeholders (not spaces) keep bold markers paired: **`do()` on ...** stays bold
        text = COMMENT.sub(" ", source)
        text = FENCED.sub(" ", text)
        text = INLINE_CODE.sub("⟨code⟩", text)
        text = LATEX.sub("⟨math⟩", text)
        text = URL.sub("⟨link⟩", text)
        text = QUOTED.sub("⟨quote⟩", text)
        cell_lines = []
        for line in text.splitlines():
            if re.match(r"#+ Going further", line.strip()):
                stop = True
                break
            cell_lines.append((line, line.lstrip().startswith("#")))
        lines.append(cell_lines)
        if stop:
            break
    # keep cells apart so that a term never runs across two cells
    flat = []
    for cell_lines in lines:
        flat += cell_lines + [("", False)]
    return flat


def _joined(lines: list[tuple[str, bool]]) -> tuple[str, list[tuple[int, int]]]:
    text, headings, position = "", [], 0
    for line, heading in lines:
        if heading:
            headings.append((position, position + len(line)))
        text += line + "\n"
        position += len(line) + 1
    return text, headings


def _bold_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\*\*(?!\s).+?\*\*", text, re.S)]


def test_glossary_file_form():
    terms = glossary()
    assert terms, "docs/glossary.md lists no terms"
    assert set(terms.values()) <= set(LESSONS), "docs/glossary.md has sections for lessons that do not exist"
    assert GLOSSARY.read_text().startswith("# "), "docs/glossary.md starts with a title and an introduction"


def test_term_matching_rules():
    assert term_pattern("collider").search("two colliders") and term_pattern("DAG").search("a DAG")
    assert not term_pattern("DAG").search("a CPDAG or DAgger or dag")
    assert term_pattern("time-unrolled DAG").search("the time\nunrolled DAGs")
    assert term_pattern("overhypothesis").search("Overhypothesis") and not term_pattern("policy").search("policymaker")
    assert term_pattern("policy").search("two policies")


@pytest.mark.parametrize("number", NUMBERS)
def test_glossary_order(number):
    terms = glossary()
    text, headings = _joined(glossary_text(number))
    problems = []
    for term, introduced in terms.items():
        if introduced not in LESSONS:
            continue
        matches = list(term_pattern(term).finditer(text))
        if "00" < number < introduced and matches:
            around = text[max(matches[0].start() - 40, 0):matches[0].end() + 40].replace("\n", " ")
            problems.append(f"{term!r} is introduced in lesson {introduced} but used here: ...{around}...")
        if number == introduced:
            outside = [m for m in matches if not any(a <= m.start() < b for a, b in headings)]
            if not outside:
                problems.append(f"{term!r} is introduced here (docs/glossary.md) but never used outside a heading")
                continue
            first = outside[0]
            if not any(a <= first.start() and first.end() <= b for a, b in _bold_spans(text)):
                around = text[max(first.start() - 40, 0):first.end() + 40].replace("\n", " ")
                problems.append(f"{term!r}: its first use in the lesson that introduces it is not bold: ...{around}...")
    assert not problems, f"lesson {number}, glossary order:\n  " + "\n  ".join(problems)


# ------------------------------------------------------------------------------------------------- lesson 00
@pytest.mark.parametrize("document", ["glossary.md", "claims.md", "reproduction.md"])
def test_lesson_00_links_the_audit_documents(document):
    assert (ROOT / "docs" / document).exists(), f"docs/{document} is missing"
    markdown = "\n".join(markdown_cells("00"))
    assert re.search(rf"\]\((\.\./)?docs/{re.escape(document)}(#[^)]*)?\)", markdown), \
        f"lesson 00 links docs/{document} (a Markdown link, e.g. [the glossary](../docs/{document}))"
