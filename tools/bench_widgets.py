"""Time every lesson's widget update on one CPU core: median and 95th percentile per widget.

    python tools/bench_widgets.py                      # every widget, table on stdout
    python tools/bench_widgets.py ladder fusion        # some widgets
    python tools/bench_widgets.py --samples 10         # fewer settings per widget
    python tools/bench_widgets.py --readme README.md   # also rewrite the latency table in the README

What a student waits for after moving a control is what the frame does: one call of
the widget's update function (``<thing>_update``, with the fixed options its builder
passes and ``draw=True``; ``widgets.frame.call_update``, which passes the figure of the
previous setting for the update to draw on, as the frame does) plus turning its figure
into the image that the widget shows (``widgets.frame.figure_image``: the PNG, drawn
once, and its alt text), then closing it in pyplot.  That is
what is timed (CPU time of the process, which is the wall-clock time on an idle
core and, unlike it, does not count the time a busy machine gives to other
programs; the wall-clock figures are reported too, and so is the same update
without its figure, ``draw=False``), for settings spread over the controls'
whole range: every
combination of the controls' values (the ranges the builders use, e.g.
``widgets.fusion.TRIAL_SIZES``), or ``--samples`` of them drawn without
replacement with a fixed seed; the two button-driven games time random plays of
every length.  The objects a widget is built on (trained agents, the lesson's
sweep table) are made first and not timed; nor is one warm-up call.

Each widget runs in a fresh process pinned to core 0 (``taskset -c 0``, when
available) with one thread for BLAS and torch.  The goal is a median of at most
100 ms and a 95th percentile of at most 250 ms; rows that miss it are marked.
This is a measurement, not a test: it is not run by ``make test``.
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import cpu_name, update_readme  # noqa: E402

GOAL_MEDIAN_MS, GOAL_P95_MS = 100.0, 250.0
BEGIN, END = "<!-- widget-latency:begin -->", "<!-- widget-latency:end -->"


def _grid(rng: np.random.Generator, samples: int | None, **axes) -> list[dict]:
    """Settings over the controls' ranges: every combination, or ``samples`` of them at random."""
    names = list(axes)
    combos = [dict(zip(names, values)) for values in itertools.product(*axes.values())]
    if samples is not None and samples < len(combos):
        combos = [combos[i] for i in sorted(rng.choice(len(combos), samples, replace=False))]
    return [{k: v.item() if isinstance(v, np.generic) else v for k, v in combo.items()} for combo in combos]


def _values(bounds) -> list:
    from causal_lessons.widgets.frame import range_values

    return list(range_values(bounds))


def _lesson(rng, samples):
    from causal_lessons.widgets import lesson

    return lesson.self_check_update, _grid(rng, samples, x=_values(lesson.X_RANGE))


def _ladder(rng, samples):
    from causal_lessons.widgets import ladder

    return ladder.confounding_update, _grid(rng, samples, confounding=_values(ladder.CONFOUNDING_RANGE))


def _passive_logs(rng, samples):
    from causal_lessons.scm import LinearGaussianSCM
    from causal_lessons.widgets import passive_logs as w

    scm = LinearGaussianSCM({("X", "Y"): 0.8})                   # lesson 02's model
    return (partial(w.passive_data_update, scm, reps=100, seed=0),
            _grid(rng, samples, p=_values(w.P_RANGE), n_rows=_values(w.ROWS_RANGE)))


def _game(rng, samples):
    from causal_lessons.widgets import game

    names = list("ABCDE")
    settings = []
    for k in range(samples or 70):                               # plays of every length: 0-5 steps, then the exploit
        moves = [str(rng.choice(names + ["observe"])) for _ in range(5)]
        moves.append((str(rng.choice(names)), int(rng.choice([-1, 1]))))
        settings.append({"moves": moves[:k % 7], "seed": int(rng.integers(0, 1000))})
    return game.game_update, settings


def _agents(rng, samples):
    from causal_lessons.agents import make_agent
    from causal_lessons.experiments import passive_agents as pa
    from causal_lessons.widgets import agents as w

    pointer, _ = pa.load_shipped("passive_pointer_small")
    identity = make_agent(pa.get_config("lesson").agent_config("identity"), seed=0)
    batch = pa.evaluation_episodes("links", 200)                 # the lesson's widget shows 200 test episodes
    agents = {"pointer": pointer, "identity": identity}
    return (partial(w.episode_update, agents, batch),
            _grid(rng, samples, index=list(range(len(batch))), agent_name=list(agents)))


def _explanations(rng, samples):
    from causal_lessons import explanations as ex
    from causal_lessons.widgets import explanations as w

    sweep, _ = ex.load_sweep()
    table = ex.quality_table(sweep, ex.quality_test_episodes(100))   # the look-up costs the same for any size
    return (partial(w.quality_update, table),
            _grid(rng, samples, kind=list(ex.QUALITY_KINDS), low_share=sorted(set(table["low_share"])),
                  asked=list(ex.QUALITY_LEVELS)))


def _language_agents(rng, samples):
    from causal_lessons import language_agents as la
    from causal_lessons.widgets import language_agents as w

    models = {name: la.load_shipped(f"language_{name}")[0] for name in la.MODELS}
    batch = la.evaluation_sets(100)["links"]                     # the lesson's widget shows 100 test episodes
    return (partial(w.transcript_update, models, batch),
            _grid(rng, samples, index=list(range(len(batch))), model_name=list(models), step=list(range(1, 9))))


def _imitation(rng, samples):
    from causal_lessons.widgets import imitation as w

    # the lesson's widget: measured=True, 2,000 episodes per policy (dagger_widget's defaults)
    return (partial(w.error_accumulation_update, measured=True, episodes=2_000, seed=0),
            _grid(rng, samples, epsilon=_values(w.EPSILON_RANGE), horizon=_values(w.HORIZON_RANGE)))


def _fusion(rng, samples):
    from causal_lessons.widgets import fusion as w

    return w.estimators_update, _grid(rng, samples, trial_size=_values(w.TRIAL_SIZES),
                                      confounding=_values(w.CONFOUNDING_RANGE))


def _blickets(rng, samples):
    from causal_lessons.blickets import object_names, random_hypothesis
    from causal_lessons.widgets import blickets as w

    objects = object_names()
    settings = []
    for k in range(samples or 60):
        truth = random_hypothesis(0.5, seed=int(rng.integers(0, 1000)))
        tests = ["".join(o for o in objects if rng.random() < 0.5) for _ in range(k % 9)]   # 0-8 tests so far
        settings.append({"tests": tests, "blickets": truth.blickets, "rule": truth.rule, "reveal": bool(k % 2)})
    return w.detector_update, settings


def _generalization(rng, samples):
    from causal_lessons.widgets import generalization as w

    return (partial(w.shift_update, n_train=500, seed=0),
            _grid(rng, samples, shift=_values(w.SHIFT_RANGE), marker_noise=_values(w.NOISE_RANGE)))


def _dynamics(rng, samples):
    from causal_lessons.widgets import dynamics as w

    return w.clamp_update, _grid(rng, samples, clamped=list(w.CLAMP_CHOICES), value=_values(w.VALUE_RANGE),
                                 gain=_values(w.GAIN_RANGE))


def _soft_learners(rng, samples):
    from causal_lessons.soft_learners import load_results
    from causal_lessons.widgets import soft_learners as w

    return (partial(w.breaks_update, results=load_results()),
            _grid(rng, samples, kind=list(w.KIND_CHOICES), strength=[round(float(s), 1) for s in
                                                                      _values(w.STRENGTH_RANGE)],
                  regime=list(w.REGIME_CHOICES)))


#: widget name -> (lesson, widget builder, update function, set-up)
WIDGETS = {
    "lesson": ("00", "self_check_widget", "self_check_update", _lesson),
    "ladder": ("01", "confounding_widget", "confounding_update", _ladder),
    "passive_logs": ("02", "passive_data_widget", "passive_data_update", _passive_logs),
    "game": ("03", "dag_game_widget", "game_update", _game),
    "agents": ("04", "episode_explorer", "episode_update", _agents),
    "explanations": ("05", "quality_explorer", "quality_update", _explanations),
    "language_agents": ("06", "transcript_stepper", "transcript_update", _language_agents),
    "imitation": ("07", "dagger_widget", "error_accumulation_update", _imitation),
    "fusion": ("08", "estimators_widget", "estimators_update", _fusion),
    "blickets": ("09", "blicket_detector_widget", "detector_update", _blickets),
    "generalization": ("10", "shift_widget", "shift_update", _generalization),
    "soft_learners": ("11", "breaks_widget", "breaks_update", _soft_learners),
    "dynamics": ("12", "clamp_widget", "clamp_update", _dynamics),
}


def time_widget(name: str, *, samples: int | None = 40, seed: int = 0) -> dict:
    """Build ``name``'s objects, then time its update (and the figure's PNG) at each setting; in this process."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from causal_lessons.plotting import use_course_style
    from causal_lessons.widgets.frame import call_update, figure_image

    use_course_style()
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:                                     # the widgets without torch still run
        pass
    lesson, builder, update_name, setup = WIDGETS[name]
    update, settings = setup(np.random.default_rng(seed), samples)

    last = {"figure": None}

    def call(setting: dict) -> None:                       # what WidgetFrame.refresh does
        view = call_update(update, setting, last["figure"])  # drawn on the last figure if the update takes it
        figure_image(view.figure)
        plt.close("all")
        last["figure"] = view.figure

    draws = "draw" in inspect.signature(update).parameters
    call(settings[0])                                      # warm-up: imports and first-use caches
    cpu, wall, numbers = [], [], []
    for setting in settings:
        start, start_cpu = time.perf_counter(), time.process_time()
        call(setting)
        cpu.append(1000 * (time.process_time() - start_cpu))
        wall.append(1000 * (time.perf_counter() - start))
        if draws:                                          # the same update without its figure
            start_cpu = time.process_time()
            update(**setting, draw=False)
            numbers.append(1000 * (time.process_time() - start_cpu))
    cpu, wall = np.array(cpu), np.array(wall)
    numbers = np.array(numbers) if numbers else cpu
    return {"widget": name, "lesson": lesson, "builder": builder, "update": update_name, "settings": len(cpu),
            "median_ms": round(float(np.median(cpu)), 1), "p95_ms": round(float(np.percentile(cpu, 95)), 1),
            "max_ms": round(float(cpu.max()), 1), "no_figure_median_ms": round(float(np.median(numbers)), 1),
            "wall_median_ms": round(float(np.median(wall)), 1), "wall_p95_ms": round(float(np.percentile(wall, 95)), 1),
            "reference_ms": reference_ms()}


def reference_ms() -> float:
    """CPU time of a fixed pure-Python loop (``sum(range(10**6))``), to compare machines: the median of 5 runs."""
    runs = []
    for _ in range(5):
        start = time.process_time()
        sum(range(10**6))
        runs.append(1000 * (time.process_time() - start))
    return round(float(np.median(runs)), 1)


def measure(name: str, *, samples: int | None, seed: int = 0) -> dict:
    """Run :func:`time_widget` in a fresh process on core 0 with one thread."""
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    cmd = [sys.executable, __file__, "--child", name, "--seed", str(seed)]
    cmd += ["--samples", str(samples)] if samples is not None else ["--all-settings"]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0"] + cmd
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"timing the {name} widget failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def within_goal(row: dict) -> bool:
    return row["median_ms"] <= GOAL_MEDIAN_MS and row["p95_ms"] <= GOAL_P95_MS


def table(rows: list[dict]) -> str:
    lines = ["| lesson | widget | update function | settings | median (ms) | p95 (ms) | within goal | "
             "median without the figure (ms) | wall-clock median, p95 (ms) |",
             "|---|---|---|---:|---:|---:|---|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['lesson']} | `{r['builder']}` | `{r['update']}` | {r['settings']} | {r['median_ms']:.0f} | "
                     f"{r['p95_ms']:.0f} | {'yes' if within_goal(r) else '**no**'} | {r['no_figure_median_ms']:.0f} | "
                     f"{r['wall_median_ms']:.0f}, {r['wall_p95_ms']:.0f} |")
    reference = np.median([r["reference_ms"] for r in rows])
    lines += ["", f"CPU time on one core; a reference loop, `sum(range(10**6))`, took {reference:.0f} ms of CPU time "
                  "in the same processes (the median)."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("widgets", nargs="*", metavar="WIDGET",
                        help=f"widgets to time (default: all): {', '.join(WIDGETS)}")
    parser.add_argument("--samples", type=int, default=40, help="settings per widget (default 40)")
    parser.add_argument("--all-settings", action="store_true", help="time every combination of the controls' values")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample of settings")
    parser.add_argument("--readme", type=Path, help="rewrite the latency table in this README")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument("--in-process", action="store_true", help="time here, not in pinned child processes")
    parser.add_argument("--child", choices=list(WIDGETS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    samples = None if args.all_settings else args.samples
    if samples is not None and samples < 1:
        parser.error(f"--samples must be at least 1, got {samples}")
    unknown = [w for w in args.widgets if w not in WIDGETS]
    if unknown:
        parser.error(f"unknown widget {', '.join(unknown)}; the widgets are {', '.join(WIDGETS)}")
    if args.child:
        print(json.dumps(time_widget(args.child, samples=samples, seed=args.seed)))
        return 0
    if args.readme and args.widgets:
        parser.error("--readme rewrites the whole table: run it without naming widgets")
    rows = []
    for name in args.widgets or WIDGETS:
        row = (time_widget(name, samples=samples, seed=args.seed) if args.in_process
               else measure(name, samples=samples, seed=args.seed))
        rows.append(row)
        print(f"{name}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms over {row['settings']} settings",
              file=sys.stderr, flush=True)
    text = table(rows)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    if args.readme:
        update_readme(args.readme, text, cpu_name(), begin=BEGIN, end=END)
    missed = [r["widget"] for r in rows if not within_goal(r)]
    if missed:
        print(f"over the goal (median {GOAL_MEDIAN_MS:.0f} ms, p95 {GOAL_P95_MS:.0f} ms): {', '.join(missed)}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
