"""Set-up shared by every lesson: seeds, threads and the plotting style.

Each notebook starts with::

    from causal_lessons.lesson import setup
    rng = setup(seed=0)              # or setup(seed=0, torch=True) in lessons that train models

so that two executions print the same numbers and a lesson uses one CPU core,
as it would on a Binder pod.
"""

from __future__ import annotations

import random

import numpy as np

from ._validate import check_seed
from .plotting import show_alt_text_in_notebooks, use_course_style
from .scm import LinearGaussianSCM

__all__ = ["setup", "seed_everything", "lesson_map", "environment_report", "self_check_model"]


def seed_everything(seed: int, *, torch: bool = False) -> np.random.Generator:
    """Seed Python's and numpy's global generators (and torch's, if asked); return a fresh Generator."""
    seed = check_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    if torch:
        import torch as _torch

        _torch.manual_seed(seed)
    return np.random.default_rng(seed)


def setup(seed: int = 0, *, torch: bool = False, pgmpy: bool = False, threads: int = 1) -> np.random.Generator:
    """Prepare a lesson: seeds, the course plotting style, and optionally torch and pgmpy.

    In a notebook, every figure the lesson shows then carries its alt text, a description in words that screen
    readers and the course website use (:func:`causal_lessons.plotting.show_alt_text_in_notebooks`).
    ``torch=True`` imports torch and makes it use ``threads`` thread(s) (one, as on a
    Binder pod).  ``pgmpy=True`` imports pgmpy quietly (see :mod:`causal_lessons._pgmpy`),
    so that the lesson can then ``from pgmpy... import ...`` without warnings.
    Returns a seeded ``numpy.random.Generator`` for the lesson's own draws.
    """
    show_alt_text_in_notebooks()  # first: it may configure the inline backend, which may reset matplotlib's style
    use_course_style()
    if pgmpy:
        from ._pgmpy import load

        load()
    if torch:
        import torch as _torch

        _torch.set_num_threads(threads)
    return seed_everything(seed, torch=torch)


# ------------------------------------------------------------------------------------------------
# The course itself: the lesson map and the environment self-check (lesson 00)
# ------------------------------------------------------------------------------------------------

#: The syllabus: (number, notebook, the one idea a student leaves with).
SYLLABUS = [
    ("00", "00_start_here.ipynb", "how to use the course, and a check that your set-up works"),
    ("01", "01_ladder_of_causation.ipynb", "seeing, doing and imagining give different answers from one model"),
    ("02", "02_passive_but_interventional.ipynb",
     "passive data can hold other people's experiments, which observation alone cannot replace"),
    ("03", "03_experiment_then_exploit.ipynb", "experimenting first, then exploiting, beats associational strategies"),
    ("04", "04_passive_agents_generalize.ipynb",
     "an agent trained only by imitation discovers and uses causal links it never saw"),
    ("05", "05_explanations_and_quality.ipynb",
     "explanations and a quality signal change what a passive learner generalizes"),
    ("06", "06_language_models_as_agents.ipynb",
     "a small language model trained on transcripts of experiments acts as an agent"),
    ("07", "07_error_accumulation_and_dagger.ipynb",
     "behaviour cloning compounds its errors; interventional data such as DAgger fixes that"),
    ("08", "08_causal_data_fusion.ipynb", "observational data narrows the candidate graphs, so fewer experiments are needed"),
    ("09", "09_children_and_blicket_detectors.ipynb",
     "children and Bayesian learners infer causes from demonstrations, then explore"),
    ("10", "10_causality_and_generalization.ipynb",
     "A/B tests, simulations and digital twins are operations on one SCM"),
    ("11", "11_soft_learners_and_logical_tools.ipynb",
     "leaning on belief can pay on natural text; a learner that uses an exact tool inherits the tool's robustness"),
    ("12", "12_causality_and_dynamics.ipynb",
     "an SCM can be the equilibrium of a dynamical system; do() predicts where a clamped system settles, "
     "not its path, and not a system that never settles"),
]


def _first_cell_facts(path) -> tuple[str, str]:
    """Title and stated run time from a lesson's first (markdown) cell."""
    import json
    import re

    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    source = "".join(cells[0].get("source", "")) if cells else ""
    title = re.search(r"^#\s+(.+)$", source, flags=re.M)
    runtime = re.search(r"[Rr]un time:?\**\s*(about [^.\n]*?on one core)", source)
    return (title.group(1).strip() if title else path.stem), (runtime.group(1) if runtime else "?")


def lesson_map(folder=None) -> str:
    """The lessons present in ``folder`` (default: the course's notebooks), as a Markdown table.

    Titles and run times are read from each notebook's first cell, so the map is
    always in step with the lessons themselves.  Lessons of the syllabus that are
    not in the folder are listed at the end as planned.
    """
    from pathlib import Path

    folder = Path(folder) if folder is not None else Path(__file__).resolve().parents[1] / "notebooks"
    if not folder.is_dir():
        raise FileNotFoundError(f"folder {str(folder)!r} does not exist; pass the notebooks folder of the course.")
    rows = ["| lesson | title | the idea | run time |", "|---|---|---|---|"]
    planned = []
    for number, name, idea in SYLLABUS:
        path = folder / name
        if path.exists():
            title, runtime = _first_cell_facts(path)
            title = title.split("—", 1)[-1].strip()
            rows.append(f"| {number} | [{title}]({name}) | {idea} | {runtime} |")
        else:
            planned.append(f"{number} ({idea})")
    text = "\n".join(rows)
    if planned:
        text += "\n\nPlanned, not yet in this folder: " + "; ".join(planned) + "."
    return text


def self_check_model() -> LinearGaussianSCM:
    """Y := 2 X + 1 + U_Y: the smallest model with an effect to see (lesson 00's self-check and first exercise).

    >>> float(self_check_model().do({"X": 2.0}).mean()["Y"])
    5.0
    """
    return LinearGaussianSCM({("X", "Y"): 2.0}, noise_std=0.5, intercepts={"Y": 1.0})


def environment_report() -> list[dict]:
    """Check the set-up the lessons need; one row per check: ``name``, ``ok``, ``detail``.

    Imports torch and pgmpy, so it takes a few seconds.
    """
    import importlib
    import platform
    import sys

    rows = [{"name": "Python >= 3.11", "ok": sys.version_info >= (3, 11), "detail": platform.python_version()}]
    needed = {"numpy": "2", "pandas": "2", "networkx": "3", "matplotlib": "3", "ipywidgets": "8",
              "torch": "2.13", "pgmpy": "1.1", "gymnasium": "1", "tqdm": "4"}
    for module, prefix in needed.items():
        try:
            if module == "pgmpy":
                from ._pgmpy import load

                version = load().__version__
            else:
                version = importlib.import_module(module).__version__
            version = str(version).split("+")[0]
            ok = version == prefix or version.startswith(prefix + ".") or (
                "." not in prefix and int(version.split(".")[0]) >= int(prefix))
            rows.append({"name": f"{module} {prefix}{'' if '.' in prefix else '+'}", "ok": ok, "detail": version})
        except Exception as exc:  # a missing or broken package is exactly what this reports
            rows.append({"name": module, "ok": False, "detail": f"cannot import: {exc}"})
    import torch

    rows.append({"name": "torch computes", "ok": float(torch.ones(3).sum()) == 3.0, "detail": "CPU tensor sum"})
    return rows
