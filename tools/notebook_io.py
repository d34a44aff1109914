"""Reading, executing and cleaning the lesson notebooks (shared by the tools and the tests)."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
KEPT_CELL_METADATA = ("tags", "nbgrader")


def lesson_paths() -> list[Path]:
    """The lesson notebooks in course order."""
    return sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip machine- and run-specific metadata so that the committed notebook is reproducible."""
    nb.metadata = nbformat.from_dict({"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}})
    nb.nbformat, nb.nbformat_minor = 4, 5
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:03d}"
        cell.metadata = nbformat.from_dict({k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA and v})
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("execution", None)
            cell.outputs = _coalesce_streams(cell.get("outputs", []))
    return nb


def _coalesce_streams(outputs: list) -> list:
    """Consecutive stream outputs of one stream as one output: how a busy machine cut the text into pieces is not
    saved (the text itself is the same, and nbval compares it after joining the pieces too)."""
    merged = []
    for out in outputs:
        if out.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream" \
                and merged[-1].get("name") == out.get("name"):
            merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def execute(path: Path, *, timeout: int = 600, allow_errors: bool = False) -> nbformat.NotebookNode:
    """Execute a notebook from a clean kernel in its own folder and return it (not saved)."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    env = dict(os.environ, PYTHONHASHSEED="0")
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        store_widget_state=True,  # needed by nbclient for Output widgets; clean() drops it
    )
    old = os.environ.copy()
    os.environ.update(env)
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return clean(nb)
