"""The package's layout rules (CONTRIBUTING.md, "Layout"), checked on the source with ast: no import cycle, the
game's rules know no players, the library never imports the experiments, files of one sitting, internal imports
at the top, and only public names used across modules."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "causal_lessons"
#: "About 800 lines": a file one reads in one sitting (a little slack, so that a docstring does not force a split).
MAX_LINES = 820
#: Internal modules that may be imported inside a function: they load matplotlib (plotting) or pgmpy (_pgmpy).
LAZY_INTERNAL = {"causal_lessons.plotting", "causal_lessons._pgmpy"}
#: Libraries imported inside the functions that need them (slow to import); matplotlib only through plotting.
LAZY_EXTERNAL = {"torch", "pgmpy", "ipywidgets", "IPython"}
#: Private modules whose underscored names the package shares on purpose.
SHARED_PRIVATE = {"causal_lessons._validate", "causal_lessons._pgmpy"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path):
    """``(target module, imported name or None, line, inside a function, local name)`` for every import."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    inner = {id(node) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
             for node in ast.walk(f)}
    for node in ast.walk(tree):
        lazy = id(node) in inner
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:
                    yield sub, None, node.lineno, lazy, alias.asname or alias.name
                else:
                    yield target, alias.name, node.lineno, lazy, alias.asname or alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, node.lineno, lazy, alias.asname


def _internal_imports(path: Path):
    return [(t, n, line, lazy) for t, n, line, lazy, _ in _imports(path) if t.split(".")[0] == "causal_lessons"]


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for name, path in MODULES.items():
        for target, _, _, _ in _internal_imports(path):
            if target != name:
                graph.add_edge(name, target)
    return graph


def test_the_import_graph_has_no_cycle():
    cycles = list(nx.simple_cycles(_graph()))
    assert not cycles, "import cycles (top-level and inside functions): " + "; ".join(" -> ".join(c) for c in cycles)


#: Modules that hold rules of the game (lesson 11's broken worlds are rules too): they know no players.
RULES = ("causal_lessons.game", "causal_lessons.soft_learners.worlds")


@pytest.mark.parametrize("rules", RULES)
def test_the_game_rules_know_no_players(rules):
    reached = nx.descendants(_graph(), rules)
    players = {m for m in reached if m.startswith(("causal_lessons.strategies", "causal_lessons.agents",
                                                  "causal_lessons.environment", "causal_lessons.training",
                                                  "causal_lessons.soft_learners.players",
                                                  "causal_lessons.soft_learners.learners"))}
    assert not players, f"{rules} reaches {sorted(players)}"
    assert "causal_lessons.game" in nx.descendants(_graph(), "causal_lessons.strategies")


def test_the_library_never_imports_the_experiments():
    offenders = [f"{name} line {line}" for name, path in MODULES.items()
                 if not name.startswith("causal_lessons.experiments")
                 for target, _, line, _ in _internal_imports(path) if target.startswith("causal_lessons.experiments")]
    assert not offenders, "library modules importing causal_lessons.experiments: " + ", ".join(offenders)


def test_every_command_line_lives_in_experiments():
    commands = [name for name, path in MODULES.items() if 'if __name__ == "__main__"' in path.read_text()]
    assert commands and all(name.startswith("causal_lessons.experiments.") for name in commands), commands


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_is_read_in_one_sitting(name):
    lines = MODULES[name].read_text().count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines (at most about 800: split it along its own seams)"


def test_internal_imports_are_at_the_top():
    lazy = [f"{name} line {line}: {target}" for name, path in MODULES.items()
            for target, _, line, inside in _internal_imports(path) if inside and target not in LAZY_INTERNAL]
    assert not lazy, "imports inside functions (only plotting and _pgmpy may be lazy): " + ", ".join(lazy)


def test_slow_libraries_are_imported_inside_functions():
    eager = [f"{name} line {line}: {target}" for name, path in MODULES.items()
             for target, _, line, inside, _ in _imports(path)
             if not inside and (target.split(".")[0] in LAZY_EXTERNAL
                                or (target.split(".")[0] == "matplotlib" and not name.startswith(
                                    ("causal_lessons.plotting", "causal_lessons.widgets"))))]
    assert not eager, "slow libraries imported at the top of a module: " + ", ".join(eager)


def _private_uses(path: Path, own: str):
    """Private names of other causal_lessons modules that ``path`` imports or reads as ``module._name``."""
    modules = {}
    for target, name, line, _, local in _imports(path):
        if target.split(".")[0] != "causal_lessons" or target == own or target in SHARED_PRIVATE:
            continue
        if name is None:
            if local is not None:
                modules[local] = target
        elif name.startswith("_") and not name.startswith("__"):
            yield f"line {line}: from {target} import {name}"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules \
                and node.attr.startswith("_") and not node.attr.startswith("__"):
            yield f"line {node.lineno}: {node.value.id}.{node.attr} ({modules[node.value.id]})"


def test_only_public_names_are_used_across_modules():
    files = {name: path for name, path in MODULES.items()}
    files.update({f"tests/{p.name}": p for p in (ROOT / "tests").rglob("*.py")})
    files.update({f"tools/{p.name}": p for p in (ROOT / "tools").glob("*.py")})
    found = [f"{name} {use}" for name, path in files.items() for use in _private_uses(path, name)]
    assert not found, "private names used across modules (make them public and documented, or move them to " \
                      "_validate): " + "; ".join(found)


def test_names_taken_from_another_module_are_in_its_public_list():
    missing = []
    for name, path in MODULES.items():
        for target, imported, line, _ in _internal_imports(path):
            if imported in (None, "*") or target in SHARED_PRIVATE or target == name:
                continue
            public = getattr(importlib.import_module(target), "__all__", None)
            if public is not None and imported not in public:
                missing.append(f"{name} line {line}: {target}.{imported}")
    assert not missing, "names used across modules but not in their module's __all__: " + ", ".join(missing)


def test_importing_the_library_loads_no_torch_pgmpy_or_ipywidgets():
    names = sorted(MODULES)
    code = ("import importlib, sys\n"
            f"for name in {names!r}:\n"
            "    importlib.import_module(name)\n"
            "print(sorted(m for m in ('torch', 'pgmpy', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_public_functions_and_classes_are_documented():
    undocumented = []
    for name in MODULES:
        module = importlib.import_module(name)
        for public in getattr(module, "__all__", []):
            obj = getattr(module, public)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == name \
                    and not inspect.getdoc(obj):
                undocumented.append(f"{name}.{public}")
    assert not undocumented, "public names without a docstring: " + ", ".join(undocumented)


def _table_modules(cell: str) -> list[str]:
    """The modules a cell of the lesson table names: `a`, `b` (`c`, `d`) -> a, b, b.c, b.d."""
    names, top, inside = [], None, False
    for token in re.findall(r"`[^`]+`|\(|\)", cell):
        if token in "()":
            inside = token == "("
        elif inside:
            names.append(f"causal_lessons.{top}.{token.strip('`')}")
        else:
            top = token.strip("`")
            names.append(f"causal_lessons.{top}")
    return names


def test_the_lesson_table_in_contributing_names_modules_that_exist():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    table = text[text.index("### Lessons and their modules"):text.index("## Package rules")]
    rows = [line.split("|")[1:-1] for line in table.splitlines() if re.match(r"\| \d\d ", line)]
    assert len(rows) == len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    for lesson, domain, widget, exercises, command in rows:
        named = _table_modules(domain) + [f"causal_lessons.{w[:-3].replace('/', '.')}"  # one or more files a cell
                                          for cell in (widget, exercises) for w in re.findall(r"`([^`]+)`", cell)]
        named += [f"causal_lessons.{c}" for c in re.findall(r"`causal_lessons\.(experiments\.\w+)", command)]
        missing = [m for m in named if m not in MODULES]
        assert not missing, f"CONTRIBUTING.md's row for lesson {lesson.strip()} names missing modules {missing}"
