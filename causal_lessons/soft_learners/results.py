"""Lesson 11's shipped results: evaluating players over worlds and strengths, reading the seeds' JSON back,
and drawing it.

The experiment (``python -m causal_lessons.experiments.soft_learners train``)
trains each learner (:data:`~causal_lessons.soft_learners.learners.LEARNERS`) on
each training distribution (:data:`~causal_lessons.soft_learners.learners.REGIMES`)
once per seed, scores every player with :func:`sweep_worlds` and
:func:`sweep_weight_scales`, and writes :data:`RESULTS_PATH`.  A player's key
in the results is ``"rigid"`` or ``"<learner>/<regime>"`` (e.g. ``"tool/varied"``).

>>> player_key("soft", "clean"), split_player("tool/varied")
('soft/clean', ('tool', 'varied'))
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .. import training
from .._validate import check_count, check_positive
from ..game import GameSpec
from ..game import game_spec as game_spec_with
from .learners import LEARNER_LABELS, LEARNERS, REGIMES
from .measures import BEST_OF_BOTH_MARGIN, evaluate_players, verdict
from .worlds import KIND_LABELS, WORLD_KINDS, World, world_episodes

__all__ = [
    "RESULTS_PATH",
    "METRICS",
    "player_key",
    "split_player",
    "sweep_worlds",
    "sweep_weight_scales",
    "merge_sweep",
    "load_results",
    "check_results",
    "world_curve",
    "graded_curve",
    "outcome_table",
    "best_of_both",
    "plot_world_scores",
    "plot_graded",
    "PLAYER_COLORS",
]

#: Where the shipped results live.
RESULTS_PATH = training.CHECKPOINT_DIR / "soft_learners_seeds.json"
#: The numbers recorded for every player, world and strength.
METRICS = ("score", "low", "high", "follow", "tool_right", "follow_when_right", "follow_when_wrong")
#: The players' colours in the lesson's figures.
PLAYER_COLORS = {"rigid": "#0072B2", "soft": "#D55E00", "tool": "#009E73"}


def player_key(learner: str, regime: str) -> str:
    """The results' key of a trained learner, e.g. ``"tool/varied"``."""
    if learner not in LEARNERS:
        raise ValueError(f"learner must be one of {', '.join(repr(k) for k in LEARNERS)}, got {learner!r}.")
    if regime not in REGIMES:
        raise ValueError(f"regime must be one of {', '.join(repr(r) for r in REGIMES)}, got {regime!r}.")
    return f"{learner}/{regime}"


def split_player(key: str) -> tuple[str, str | None]:
    """``"tool/varied"`` -> ``("tool", "varied")``; ``"rigid"`` -> ``("rigid", None)``."""
    if key == "rigid":
        return "rigid", None
    if not isinstance(key, str) or key.count("/") != 1:
        raise ValueError(f"player must be 'rigid' or '<learner>/<regime>' such as 'soft/clean', got {key!r}.")
    learner, regime = key.split("/")
    player_key(learner, regime)
    return learner, regime


def _round(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 4)


def _collect(per_setting: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, list]]:
    """[{player: metrics} per setting] -> {player: {metric: [value per setting]}}."""
    players = per_setting[0].keys()
    return {p: {m: [_round(s[p][m]) for s in per_setting] for m in METRICS} for p in players}


def sweep_worlds(agents: dict[str, Any], *, kinds: Sequence[str] = WORLD_KINDS, strengths: Sequence[float],
                 n_episodes: int, seed: int, game_spec: GameSpec | None = None, device: Any = "cpu",
                 log=None) -> dict[str, Any]:
    """Score the rigid solver and ``agents`` ({key: agent}) in every kind of world at every strength, in the
    game ``game_spec`` (default :class:`~causal_lessons.game.GameSpec`).

    The same ``seed`` gives every player the same episodes.  Returns
    ``{kind: {"strengths": [...], player: {metric: [value per strength]}}}``.
    """
    n_episodes = check_count(n_episodes, "n_episodes")
    out = {}
    for kind in kinds:
        rows = []
        for s in strengths:
            world = World() if s == 0 else World(kind, s)
            rows.append(evaluate_players(world_episodes(n_episodes, world, seed=seed, game_spec=game_spec), agents,
                                         seed=seed, device=device))
        out[kind] = {"strengths": [float(s) for s in strengths], **_collect(rows)}
        if log:
            log(f"  {kind}: " + ", ".join(f"{p} {v['score'][-1]:.3f}" for p, v in out[kind].items()
                                          if p != "strengths"))
    return out


def sweep_weight_scales(agents: dict[str, Any], *, scales: Sequence[float], n_episodes: int, seed: int,
                        game_spec: GameSpec | None = None, device: Any = "cpu") -> dict[str, Any]:
    """Score the players in the game as designed (``game_spec``) with edge weights {-c, 0, +c} for every scale c
    in ``scales`` (training used c = 1).  Returns ``{"scales": [...], player: {metric: [value per scale]}}``."""
    n_episodes = check_count(n_episodes, "n_episodes")
    rows = []
    for c in scales:
        c = check_positive(c, "scales")
        spec = game_spec_with(game_spec, weights=(-c, 0.0, c))
        rows.append(evaluate_players(world_episodes(n_episodes, World(), seed=seed, game_spec=spec), agents,
                                     seed=seed, device=device))
    return {"scales": [float(c) for c in scales], **_collect(rows)}


def merge_sweep(into: dict, part: dict) -> None:
    """Add one training seed's sweep (:func:`sweep_worlds`' entry for one kind, or :func:`sweep_weight_scales`)
    to the results ``into``: the settings and the rigid solver once, each learner's metrics as one more list
    (one per seed).

    >>> into = {}
    >>> for seed_score in (0.5, 0.7):
    ...     merge_sweep(into, {"strengths": [0.0], "rigid": {"score": [0.9]}, "soft/clean": {"score": [seed_score]}})
    >>> into["soft/clean"]["score"], into["rigid"]["score"]
    ([[0.5], [0.7]], [0.9])
    """
    for key, value in part.items():
        if key in ("strengths", "scales", "rigid"):
            into.setdefault(key, value)
        else:
            entry = into.setdefault(key, {metric: [] for metric in value})
            for metric, values in value.items():
                entry[metric].append(values)


def check_results(results: Any) -> dict[str, Any]:
    """Raise a clear error unless ``results`` looks like the experiment's JSON (worlds, graded, seeds)."""
    if not isinstance(results, dict) or not {"worlds", "graded", "seeds", "config"} <= set(results):
        raise TypeError("results must be the dict written by `python -m causal_lessons.experiments.soft_learners "
                        "train` (load it with load_results()).")
    return results


def load_results(path: str | Path | None = None) -> dict[str, Any]:
    """The shipped results (:data:`RESULTS_PATH`), or those at ``path``."""
    path = RESULTS_PATH if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no results at {path}; make them with "
                                "`python -m causal_lessons.experiments.soft_learners train`.")
    return check_results(json.loads(path.read_text()))


def _check_kind(results: dict, kind: str) -> dict:
    if kind not in results["worlds"]:
        raise ValueError(f"kind must be one of {', '.join(repr(k) for k in results['worlds'])}, got {kind!r}.")
    return results["worlds"][kind]


def _band(entry: dict, player: str, metric: str) -> dict[str, np.ndarray]:
    if player not in entry:
        known = [k for k in entry if k not in ("strengths", "scales", "seeds")]
        raise ValueError(f"player must be one of {', '.join(repr(k) for k in known)}, got {player!r}.")
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(repr(m) for m in METRICS)}, got {metric!r}.")
    values = np.array(entry[player][metric], dtype=float)       # (settings,) rigid, (seeds, settings) learners
    if player == "rigid":
        if metric == "score":
            low, high = np.array(entry[player]["low"], float), np.array(entry[player]["high"], float)
        else:
            low = high = values
        return {"mean": values, "min": low, "max": high, "per_seed": values[None]}
    return {"mean": values.mean(0), "min": values.min(0), "max": values.max(0), "per_seed": values}


def world_curve(results: dict, kind: str, player: str, metric: str = "score") -> dict[str, np.ndarray]:
    """One player's curve in one kind of world: ``strengths``, ``mean``, ``min``, ``max`` and ``per_seed``.

    For a learner the band is the range over training seeds; the rigid solver
    has no training seed, and its band is the 95% interval over test episodes.
    """
    check_results(results)
    entry = _check_kind(results, kind)
    return {"strengths": np.array(entry["strengths"]), **_band(entry, player, metric)}


def graded_curve(results: dict, player: str, metric: str = "score") -> dict[str, np.ndarray]:
    """One player's score as the weight scale moves away from training's 1: ``scales``, ``mean``, ``min``,
    ``max``, ``per_seed`` (as :func:`world_curve`)."""
    check_results(results)
    entry = results["graded"]
    return {"scales": np.array(entry["scales"]), **_band(entry, player, metric)}


def _at(curve: dict, strength: float) -> int:
    hits = np.flatnonzero(np.isclose(curve["strengths"], strength))
    if not hits.size:
        raise ValueError(f"strength must be one of {', '.join(f'{s:g}' for s in curve['strengths'])}, "
                         f"got {strength!r}.")
    return int(hits[0])


def outcome_table(results: dict, regime: str = "varied", strength: float = 1.0):
    """Each broken world at ``strength``: every player's score (mean [min, max] over seeds; the rigid solver's
    95% interval) and its :func:`~causal_lessons.soft_learners.measures.verdict` against the clean game."""
    import pandas as pd

    check_results(results)
    players = ["rigid"] + [player_key(learner, regime) for learner in LEARNERS]
    rows = {}
    for kind in results["worlds"]:
        row = {}
        for player in players:
            curve = world_curve(results, kind, player)
            i = _at(curve, strength)
            name = LEARNER_LABELS[split_player(player)[0]]
            row[name] = f"{curve['mean'][i]:.2f} [{curve['min'][i]:.2f}, {curve['max'][i]:.2f}]"
            row[f"{name}: verdict"] = verdict(curve["mean"][0], curve["mean"][i])
        rows[KIND_LABELS[kind]] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def best_of_both(results: dict, kind: str, regime: str = "varied") -> dict[str, np.ndarray]:
    """Where the tool user gets the best of both in one kind of world, strength by strength.

    ``seeds_ok[i]``: in how many training seeds the tool user's score is at
    most :data:`~causal_lessons.soft_learners.measures.BEST_OF_BOTH_MARGIN`
    below the better of the rigid solver and the soft learner of the same seed;
    ``mean_ok[i]``: the same for the seed means; ``seeds``: how many seeds.
    """
    rigid = world_curve(results, kind, "rigid")["mean"]
    soft = world_curve(results, kind, player_key("soft", regime))["per_seed"]
    tool = world_curve(results, kind, player_key("tool", regime))["per_seed"]
    better = np.maximum(rigid[None], soft)
    ok = tool >= better - BEST_OF_BOTH_MARGIN
    return {"strengths": world_curve(results, kind, "rigid")["strengths"], "seeds_ok": ok.sum(0),
            "mean_ok": tool.mean(0) >= np.maximum(rigid, soft.mean(0)) - BEST_OF_BOTH_MARGIN,
            "seeds": int(tool.shape[0])}


def _draw_band(ax, x, curve, color, label, rigid=False, markers=True):
    ax.fill_between(x, curve["min"], curve["max"], color=color, alpha=0.2, lw=0)
    style = {"ls": "--", "marker": "s", "ms": 2.5, "lw": 1.4, "zorder": 3} if rigid else {"marker": "o", "ms": 3,
                                                                                          "lw": 1.6}
    if not markers:
        style.pop("marker")
    ax.plot(x, curve["mean"], color=color, label=label, **style)


def plot_world_scores(results: dict, kind: str, regime: str = "varied", ax=None, *, mark: float | None = None,
                      title: str | None = None, markers: bool = True):
    """The three players' scores against the strength of one broken world (bands: seeds' range; the rigid
    solver's, dashed: its 95% interval), the training range of the varied regime shaded, ``mark`` drawn as a
    dotted line; ``markers=False`` draws the curves without a marker per strength (faster)."""
    import matplotlib.pyplot as plt

    check_results(results)
    _check_kind(results, kind)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 3.2))
    top = results["config"]["mix_strength"] if regime == "varied" else 0.0
    if top > 0:
        ax.axvspan(0, top, color="#999999", alpha=0.12, lw=0, label="strengths seen in training")
    for player in ["rigid"] + [player_key(learner, regime) for learner in LEARNERS]:
        curve = world_curve(results, kind, player)
        learner = split_player(player)[0]
        _draw_band(ax, curve["strengths"], curve, PLAYER_COLORS[learner], LEARNER_LABELS[learner],
                   rigid=player == "rigid", markers=markers)
    if mark is not None:
        ax.axvline(mark, color="#000000", lw=1, ls=":")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(min(0.0, ax.get_ylim()[0]), 1.05)
    ax.set_xlabel("strength of the break (0: the game as designed)")
    ax.set_ylabel("score (share of the best gain)")
    ax.set_title(title or KIND_LABELS[kind], fontsize=10)
    return ax


def plot_graded(results: dict, ax=None, *, players: Sequence[str] = ("rigid", "soft/clean", "tool/clean")):
    """Score against the weight scale of the test worlds (training: 1, marked), one band per player."""
    import matplotlib.pyplot as plt

    check_results(results)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 3.2))
    for player in players:
        curve = graded_curve(results, player)
        learner, regime = split_player(player)
        label = LEARNER_LABELS[learner] + (f" (trained: {regime})" if regime else "")
        _draw_band(ax, curve["scales"], curve, PLAYER_COLORS[learner], label, rigid=player == "rigid")
    ax.axvline(1.0, color="#000000", lw=1, ls=":", label="training's scale")
    ax.set_xscale("log", base=2)
    ticks = [c for c in (0.25, 0.5, 1, 2, 4) if curve["scales"].min() <= c <= curve["scales"].max()]
    ax.set_xticks(ticks, [f"{c:g}" for c in ticks])
    ax.minorticks_off()
    ax.set_xlabel("edge weight scale c (weights -c, 0, +c)")
    ax.set_ylabel("score (share of the best gain)")
    return ax
