"""Behaviour cloning of passive agents, and their *active* evaluation in the causal DAG game.

Training is passive: the agent reads expert episodes (made by
:func:`causal_lessons.environment.generate_episodes`) and learns to predict the
expert's next action, teacher-forced, one token per step.  Evaluation is
active: :func:`rollout` lets the agent choose its own exploration
interventions, computes what they reveal in each episode's hidden DAG, and
lets the agent choose its exploit intervention from what it saw.

Rewards are compared as *expected* rewards: with intercepts 0, the goal's mean
after do(X = s * v) is ``s * v * total_effect[X, goal]``, so the agent and the
expert are scored on the same episodes without extra sampling noise.

>>> cfg = TrainConfig(steps=10, batch_size=8)
>>> cfg.steps, cfg.batch_size
(10, 8)
"""

from __future__ import annotations

import json
import math
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from . import agents as _agents
from ._validate import check_count, check_int, check_positive, check_real, check_seed
from .game import check_batch, simulate

__all__ = [
    "TrainConfig",
    "ComposedConfig",
    "TrainingHistory",
    "RolloutResult",
    "episode_targets",
    "batch_tensors",
    "bc_loss",
    "train",
    "fit",
    "rollout",
    "rollout_tokens",
    "expected_reward",
    "ratio_interval",
    "evaluate",
    "save_checkpoint",
    "load_checkpoint",
    "save_model",
    "read_model",
    "hardware_info",
    "resolve_device",
    "CHECKPOINT_DIR",
]

@dataclass(frozen=True)
class TrainConfig:
    """How to train: number of optimiser steps, batch size, learning rate (with warm-up and cosine decay)."""

    steps: int = 2000
    batch_size: int = 64
    lr: float = 3e-3
    warmup: int = 100
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    chunk: int = 32
    explore_weight: float = 1.0

    def __post_init__(self):
        check_count(self.steps, "steps")
        check_count(self.batch_size, "batch_size")
        check_positive(self.lr, "lr")
        check_int(self.warmup, "warmup", minimum=0)
        check_real(self.weight_decay, "weight_decay", minimum=0.0)
        check_positive(self.grad_clip, "grad_clip")
        check_count(self.chunk, "chunk")
        check_real(self.explore_weight, "explore_weight", minimum=0.0)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return asdict(self)


class ComposedConfig:
    """The settings of an experiment, composed of configs that define their own fields (a mixin for frozen dataclasses).

    A composed config's fields may be configs themselves, e.g. an
    :class:`~causal_lessons.agents.AgentConfig` ``agent`` (the network) and a
    :class:`TrainConfig` ``train`` (the optimiser), so that each setting is
    defined once, in its own config.  Settings are read and changed by their
    plain names: ``config.steps`` is ``config.train.steps`` and
    ``config.with_settings(d_model=32)`` changes ``config.agent.d_model`` (a field of the
    composed config itself wins over one of a part's).  :meth:`to_dict` is
    JSON-friendly (the parts as nested dicts) and :meth:`from_dict` reads it back.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Run(ComposedConfig):
    ...     train: TrainConfig = TrainConfig(steps=100)
    ...     seed: int = 0
    >>> run = Run().with_settings(steps=5, seed=1)
    >>> run.steps, run.seed, run.to_dict()["train"]["steps"]
    (5, 1, 5)
    """

    def _parts(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if is_dataclass(value)}

    def __getattr__(self, name: str):
        if not name.startswith("_"):
            for part in self._parts().values():
                if name in {f.name for f in fields(part)}:
                    return getattr(part, name)
        raise AttributeError(f"{type(self).__name__} has no setting {name!r}")

    def setting_names(self) -> list[str]:
        """Every setting :meth:`with_settings` accepts: the own fields, then the parts' fields."""
        names = [f.name for f in fields(self)]
        for part in self._parts().values():
            names += [f.name for f in fields(part) if f.name not in names]
        return names

    def with_settings(self, **settings):
        """A copy with ``settings`` changed; each is a field of this config or of one of its parts.

        An unknown name is a ValueError that lists the settings; the parts
        check their own values (e.g. ``steps=0`` is refused by :class:`TrainConfig`).
        """
        own = {f.name for f in fields(self)}
        unknown = sorted(set(settings) - set(self.setting_names()))
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)}; the settings are "
                             f"{', '.join(self.setting_names())}.")
        changes = {k: v for k, v in settings.items() if k in own}
        for name, part in self._parts().items():
            part = changes.get(name, part)
            inner = {k: v for k, v in settings.items() if k not in own and k in {f.name for f in fields(part)}}
            if inner:
                changes[name] = replace(part, **inner)
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (the parts as nested dicts)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        """Rebuild a config saved by :meth:`to_dict` (lists become tuples; unknown keys are an error)."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown {cls.__name__} keys: {', '.join(unknown)}.")
        values = {}
        for name, value in data.items():
            default = known[name].default
            if is_dataclass(default) and isinstance(value, dict):
                kind = type(default)
                value = kind.from_dict(value) if hasattr(kind, "from_dict") else kind(**value)
            elif isinstance(value, list):
                value = tuple(value)
            values[name] = value
        return cls(**values)


@dataclass
class TrainingHistory:
    """What happened during training: losses every ``log_every`` steps and active evaluations."""

    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    explore_loss: list[float] = field(default_factory=list)
    exploit_loss: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    evals: list[dict[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    episodes_seen: int = 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict."""
        return asdict(self)

    def curve(self, metric: str) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, values)`` of one evaluation metric, e.g. ``"reward_fraction"``."""
        if not self.evals:
            raise ValueError("this training run recorded no evaluations (pass eval_fn and eval_every to train).")
        if metric not in self.evals[0]:
            raise KeyError(f"metric: unknown metric {metric!r}; the recorded ones are {', '.join(self.evals[0])}.")
        return np.array(self.eval_steps), np.array([e[metric] for e in self.evals])


def resolve_device(device: Any = "cpu"):
    """A torch device from ``"cpu"``, ``"cuda"`` or ``"auto"`` (cuda when available), with a clear error."""
    import torch

    if isinstance(device, torch.device):
        return device
    if device not in ("cpu", "cuda", "auto") and not (isinstance(device, str) and device.startswith("cuda:")):
        raise ValueError(f"device must be 'cpu', 'cuda' or 'auto', got {device!r}.")
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise RuntimeError("device='cuda' was asked for, but torch sees no CUDA GPU here; use device='cpu'.")
    return torch.device(device)


def hardware_info(device: Any = "cpu") -> dict[str, Any]:
    """The machine a result was computed on: CPU model, GPU name if used, torch version, threads."""
    import torch

    device = resolve_device(device)
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"device": str(device), "cpu": cpu, "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "python": platform.python_version()}
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


def episode_targets(batch: Any, n_vars: int) -> dict[str, np.ndarray]:
    """The expert's choices in a batch, as training targets for an agent that handles ``n_vars`` variables.

    * ``explore`` (B, K): class of each exploration action (variable index, or ``n_vars`` = observe);
    * ``pointer`` (B,): the exploration step that experimented on the exploit variable (-1 if none did);
    * ``sign`` (B,): 1.0 for a positive exploit sign, 0.0 for negative;
    * ``identity`` (B,): class ``2 * variable + (sign > 0)`` of the identity head.
    """
    check_batch(batch)
    actions = np.asarray(batch.explore_actions)
    exploit = np.asarray(batch.exploit_var)
    hit = actions == exploit[:, None]
    pointer = np.where(hit.any(1), hit.argmax(1), -1)
    sign = np.asarray(batch.exploit_sign)
    return {
        "explore": _agents.action_index(actions, n_vars),
        "pointer": pointer.astype(np.int64),
        "sign": (sign > 0).astype(np.float32),
        "identity": (2 * exploit + (sign > 0)).astype(np.int64),
    }


def batch_tensors(batch: Any, agent, device) -> dict[str, Any]:
    """A batch of played episodes as an agent's torch inputs and targets on ``device``: ``tokens`` (its
    :func:`~causal_lessons.agents.episode_tokens`) and the :func:`episode_targets` (the default ``tensors_fn`` of
    :func:`train`)."""
    import torch

    cfg = agent.config
    tokens = _agents.episode_tokens(batch.allowed, batch.explore_actions, batch.explore_values, batch.goal,
                                    layout=agent.layout)
    out = {"tokens": torch.from_numpy(tokens).to(device)}
    for key, value in episode_targets(batch, cfg.n_vars).items():
        out[key] = torch.from_numpy(value).to(device)
    return out


def bc_loss(agent, tensors: dict[str, Any], *, explore_weight: float = 1.0, hidden: Any = None):
    """Behaviour-cloning loss of one batch: ``(total, explore_part, exploit_part)`` as torch scalars.

    The exploration part is the cross-entropy of the expert's K exploration
    actions (each predicted from the tokens before it).  The exploit part is,
    for the pointer head, the cross-entropy of the pointed step plus the
    binary cross-entropy of the sign; for the identity head, the cross-entropy
    of the 2n-way "variable x sign" class.  Episodes whose expert exploit
    variable was never experimented on cannot be pointed at and are left out
    of the pointer part.  ``hidden``: the agent's hidden states of
    ``tensors["tokens"]`` when the caller has already computed them (a loss that
    adds other targets on the same hidden states, such as explanations).
    """
    from torch.nn import functional as F

    if hidden is None:
        hidden = agent.encode(tensors["tokens"])
    steps = tensors["explore"].shape[1]
    logits = agent.explore_logits(hidden[:, :steps])
    explore = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tensors["explore"].reshape(-1))
    if agent.config.head == "pointer":
        target = tensors["pointer"]
        valid = target >= 0
        if not bool(valid.any()):
            raise ValueError("no episode in the batch experimented on its exploit variable, so a pointer agent "
                             "has nothing to point at: train it on expert episodes, or use head='identity'.")
        scores = agent.pointer_logits(hidden)
        exploit = F.cross_entropy(scores[valid], target[valid])
        sign = agent.sign_logits(hidden[valid], target[valid])
        exploit = exploit + F.binary_cross_entropy_with_logits(sign, tensors["sign"][valid])
    else:
        exploit = F.cross_entropy(agent.identity_logits(hidden), tensors["identity"])
    total = explore_weight * explore + exploit
    return total, explore.detach(), exploit.detach()


def train(
    agent,
    sampler: Callable[[int, int], Any],
    config: TrainConfig | None = None,
    *,
    seed: int = 0,
    device: Any = "cpu",
    progress: bool = True,
    log_every: int = 50,
    eval_fn: Callable[[Any], dict[str, float]] | None = None,
    eval_every: int | None = None,
    description: str = "training",
    loss_fn: Callable[[Any, dict[str, Any]], tuple[Any, Any, Any]] | None = None,
    tensors_fn: Callable[[Any, Any, Any], dict[str, Any]] | None = None,
) -> TrainingHistory:
    """Behaviour-clone ``agent`` on episodes from ``sampler(n_episodes, seed)`` for ``config.steps`` steps.

    Episodes are drawn fresh, ``config.chunk`` batches at a time, each chunk
    with its own seed derived from ``seed``, so a run is reproducible.  Adam
    with a linear warm-up and a cosine decay of the learning rate.  Every
    ``eval_every`` steps (and at the end) ``eval_fn(agent)`` is called and its
    metrics are recorded (the agent is in eval mode meanwhile).  A progress bar
    (``tqdm.auto``) is shown unless ``progress=False``.

    ``loss_fn(agent, tensors) -> (total, explore_part, exploit_part)`` replaces
    :func:`bc_loss` and ``tensors_fn(batch, agent, device) -> dict`` replaces
    the conversion of a sampled batch into tensors (every entry is sliced into
    batches along its first axis): hooks for extra training targets or inputs
    (lesson 05's explanations and quality tokens).
    """
    _agents.check_agent(agent)
    config = _check_config(config)
    for hook, name in ((loss_fn, "loss_fn"), (tensors_fn, "tensors_fn")):
        if hook is not None and not callable(hook):
            raise TypeError(f"{name} must be a function or None, got {type(hook).__name__}.")
    if loss_fn is None:
        def loss_fn(agent_, tensors_):
            return bc_loss(agent_, tensors_, explore_weight=config.explore_weight)
    return fit(agent, sampler, config, tensors_fn=batch_tensors if tensors_fn is None else tensors_fn,
               loss_fn=loss_fn, seed=seed, device=device, progress=progress, log_every=log_every,
               eval_fn=eval_fn, eval_every=eval_every, description=description)


def _check_config(config: Any) -> TrainConfig:
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a causal_lessons.training.TrainConfig, got {type(config).__name__}.")
    return config


def fit(
    model,
    sampler: Callable[[int, int], Any],
    config: TrainConfig | None,
    *,
    tensors_fn: Callable[[Any, Any, Any], dict[str, Any]],
    loss_fn: Callable[[Any, dict[str, Any]], tuple[Any, Any, Any]],
    seed: int = 0,
    device: Any = "cpu",
    progress: bool = True,
    log_every: int = 50,
    eval_fn: Callable[[Any], dict[str, float]] | None = None,
    eval_every: int | None = None,
    description: str = "training",
    check_chunk: Callable[[Any, str], Any] = check_batch,
) -> TrainingHistory:
    """The training loop that :func:`train` (agents) and :func:`causal_lessons.language_agents.train_lm` share.

    ``tensors_fn(batch, model, device)`` turns a chunk of episodes from
    ``sampler(config.chunk * config.batch_size, seed * 100_003 + chunk number)``
    into a dict of tensors (sliced into batches along the first axis);
    ``loss_fn(model, tensors) -> (total, explore_part, exploit_part)`` is the
    loss of one batch (only ``total`` is optimised; the parts are logged).
    AdamW with a linear warm-up and a cosine decay of the learning rate, and
    gradient clipping, as ``config`` says.

    The sampler draws episodes of the game (checked by ``check_chunk``,
    :func:`causal_lessons.game.check_batch`); a model trained on other data passes
    the check of its own data (lesson 11's reasoning problems:
    :func:`causal_lessons.content_effects.check_texts`).
    """
    import torch
    from tqdm.auto import tqdm

    config = _check_config(config)
    if not callable(sampler):
        raise TypeError("sampler must be a function sampler(n_episodes, seed) that returns an EpisodeBatch.")
    if not callable(check_chunk):
        raise TypeError(f"check_chunk must be a function check_chunk(chunk, name) that raises on a wrong chunk, "
                        f"got {check_chunk!r}.")
    seed = check_seed(seed)
    log_every = check_count(log_every, "log_every")
    if eval_every is not None:
        eval_every = check_count(eval_every, "eval_every")
    device = resolve_device(device)
    model.to(device)
    torch.manual_seed(seed)
    # the fused implementation does the whole update in one kernel: ~4x cheaper for a small model on a CPU
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay, fused=True)

    def lr_at(step: int) -> float:
        if step < config.warmup:
            return (step + 1) / config.warmup
        progress_ = (step - config.warmup) / max(1, config.steps - config.warmup)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress_)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimiser, lr_at)
    history = TrainingHistory()
    sums = np.zeros(3)
    count = 0
    start = time.perf_counter()
    chunk_size = config.chunk * config.batch_size
    data = None
    model.train()
    bar = tqdm(range(config.steps), desc=description, disable=not progress, leave=False)
    for step in bar:
        within = step % config.chunk
        if within == 0:
            chunk = sampler(chunk_size, seed * 100_003 + step // config.chunk)
            check_chunk(chunk, "the sampler's result")
            data = tensors_fn(chunk, model, device)
        part = slice(within * config.batch_size, (within + 1) * config.batch_size)
        tensors = {k: v[part] for k, v in data.items()}
        loss, explore, exploit = loss_fn(model, tensors)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip, foreach=True)
        optimiser.step()
        scheduler.step()
        history.episodes_seen += len(next(iter(tensors.values())))
        sums += (loss.item(), explore.item(), exploit.item())
        count += 1
        last = step == config.steps - 1
        if (step + 1) % log_every == 0 or last:
            mean = sums / count
            history.steps.append(step + 1)
            history.loss.append(float(mean[0]))
            history.explore_loss.append(float(mean[1]))
            history.exploit_loss.append(float(mean[2]))
            sums[:] = 0
            count = 0
            bar.set_postfix(loss=f"{mean[0]:.3f}")
        if eval_fn is not None and eval_every is not None and ((step + 1) % eval_every == 0 or last):
            model.eval()
            history.eval_steps.append(step + 1)
            history.evals.append({k: float(v) for k, v in eval_fn(model).items()})
            model.train()
    bar.close()
    model.eval()
    history.seconds = time.perf_counter() - start
    return history


# ----------------------------------------------------------------------------------------------
# Active evaluation
# ----------------------------------------------------------------------------------------------

@dataclass
class RolloutResult:
    """What an agent did, actively, in a batch of episodes.

    ``explore_actions`` (B, K; -1 = observe) are the interventions the environment carried out (an
    action on a variable that is not allowed is refused and becomes "observe");
    ``proposed_actions`` are the agent's raw choices; ``explore_values`` (B, K, n) what it saw;
    ``exploit_var`` (-1 when it chose no valid intervention) and ``exploit_sign``; ``pointer`` the
    exploration step it pointed at (pointer head; -1 otherwise); ``reward`` the expected exploit reward.
    """

    explore_actions: np.ndarray
    proposed_actions: np.ndarray
    explore_values: np.ndarray
    exploit_var: np.ndarray
    exploit_sign: np.ndarray
    pointer: np.ndarray
    reward: np.ndarray

    def coverage(self, allowed: np.ndarray) -> np.ndarray:
        """Per episode: did exploration intervene on every allowed variable?"""
        allowed = np.asarray(allowed, bool)
        done = np.zeros_like(allowed)
        for k in range(self.explore_actions.shape[1]):
            act = self.explore_actions[:, k]
            rows = np.flatnonzero(act >= 0)
            done[rows, act[rows]] = True
        return (done | ~allowed).all(1)


def expected_reward(total_effects: np.ndarray, goal: np.ndarray, var: np.ndarray, sign: np.ndarray,
                    intervention_value: float) -> np.ndarray:
    """Expected goal value after do(var = sign * v); 0 where ``var`` is -1 (no intervention: the goal's mean)."""
    total_effects = np.asarray(total_effects)
    var = np.asarray(var)
    rows = np.arange(len(var))
    effect = total_effects[rows, np.maximum(var, 0), np.asarray(goal)]
    return np.where(var >= 0, np.asarray(sign) * intervention_value * effect, 0.0).astype(np.float64)


def rollout(agent, batch: Any, *, noise_std: float = 0.1, intervention_value: float | None = None,
            seed: int | None = 0, device: Any = "cpu", chunk: int = 4096, interventions: bool = True,
            simulator: Callable[[slice, np.ndarray, float, np.random.Generator], np.ndarray] | None = None
            ) -> RolloutResult:
    """Let ``agent`` play the episodes of ``batch`` actively, greedily (its most likely action each time).

    Only the hidden DAGs (``weights``), the allowed sets, the number of steps
    and the goals of ``batch`` are used: the agent picks its own exploration
    interventions, each followed by a fresh sample of every variable under
    that intervention (:func:`causal_lessons.environment.simulate`), and
    then its exploit.  An exploration action on a variable that is not allowed
    is refused (recorded as "observe").  An exploit that is not allowed, or on
    the goal itself, or a pointer at an "observe" step, is no intervention:
    its expected reward is 0.  With ``interventions=False`` the environment
    refuses every exploration intervention (the agent may only watch), which
    shows what "being able to intervene at test time" is worth.

    ``simulator(episodes, actions, value, rng)`` replaces the game's rules for
    the exploration steps: it returns the values (b, 1, n) of the episodes
    ``episodes`` (a slice of the batch) after ``actions`` (b, 1) set to ``value``
    (lesson 11 passes a world that breaks the game's assumptions,
    :meth:`causal_lessons.soft_learners.WorldEpisodes.simulate`).  The
    ``reward`` of the result always follows the game's linear rules.
    """
    import torch

    _agents.check_agent(agent)
    check_batch(batch)
    noise_std = check_positive(noise_std, "noise_std")
    iv = agent.config.intervention_value if intervention_value is None else \
        check_positive(intervention_value, "intervention_value")
    seed = check_seed(seed)
    chunk = check_count(chunk, "chunk")
    if not isinstance(interventions, bool):
        raise TypeError(f"interventions must be True or False, got {interventions!r}.")
    if simulator is not None and not callable(simulator):
        raise TypeError(f"simulator must be a function (or None), got {type(simulator).__name__}.")
    device = resolve_device(device)
    weights = np.asarray(batch.weights, np.float32)
    allowed = np.asarray(batch.allowed, bool)
    goal = np.asarray(batch.goal, np.int64)
    size, n = allowed.shape
    _agents.check_n_vars(n, agent)
    steps = np.asarray(batch.explore_actions).shape[1]
    rng = np.random.default_rng(seed)
    layout, cfg = agent.layout, agent.config
    results = {k: [] for k in ("explore_actions", "proposed_actions", "explore_values", "exploit_var",
                               "exploit_sign", "pointer")}
    agent.eval()
    agent.to(device)
    with torch.no_grad():
        for lo in range(0, size, chunk):
            part = slice(lo, min(size, lo + chunk))
            b = part.stop - part.start
            rows = np.arange(b)
            tokens = [_agents.start_tokens(allowed[part], layout)]
            taken = np.full((b, steps), -1, np.int64)
            proposed = np.full((b, steps), -1, np.int64)
            values = np.zeros((b, steps, n), np.float32)
            for k in range(steps):
                x = torch.from_numpy(np.stack(tokens, 1)).to(device)
                logits = agent.explore_logits(agent.encode(x)[:, -1])
                choice = _agents.index_to_action(logits.argmax(-1).cpu().numpy(), cfg.n_vars)
                proposed[:, k] = choice
                ok = (choice >= 0) & (choice < n)
                ok[ok] = allowed[part][rows[ok], choice[ok]] & interventions
                act = np.where(ok, choice, -1)
                taken[:, k] = act
                if simulator is None:
                    values[:, k] = simulate(weights[part], act[:, None], iv, noise_std, rng)[:, 0]
                else:
                    values[:, k] = simulator(part, act[:, None], iv, rng)[:, 0]
                tokens.append(_agents.step_tokens(act, values[:, k], layout))
            tokens.append(_agents.goal_tokens(goal[part], layout))
            hidden = agent.encode(torch.from_numpy(np.stack(tokens, 1)).to(device))
            if cfg.head == "pointer":
                pointer = agent.pointer_logits(hidden).argmax(-1)
                sign = np.where(agent.sign_logits(hidden, pointer).cpu().numpy() >= 0, 1, -1)
                pointer = pointer.cpu().numpy()
                var = taken[rows, pointer]
            else:
                cls = agent.identity_logits(hidden).argmax(-1).cpu().numpy()
                var, sign = cls // 2, np.where(cls % 2 == 1, 1, -1)
                pointer = np.full(b, -1, np.int64)
                var = np.where(var < n, var, -1)
            valid = var >= 0
            valid[valid] = allowed[part][rows[valid], var[valid]] & (var[valid] != goal[part][valid])
            results["explore_actions"].append(taken)
            results["proposed_actions"].append(proposed)
            results["explore_values"].append(values)
            results["exploit_var"].append(np.where(valid, var, -1))
            results["exploit_sign"].append(sign.astype(np.int64))
            results["pointer"].append(pointer.astype(np.int64))
    out = {k: np.concatenate(v) for k, v in results.items()}
    out["reward"] = expected_reward(batch.total_effects, goal, out["exploit_var"], out["exploit_sign"], iv)
    return RolloutResult(**out)


def rollout_tokens(agent, batch: Any, result: RolloutResult) -> np.ndarray:
    """The tokens (B, K + 2, F) the agent read in a rollout: start, its own exploration steps, the goal."""
    _agents.check_agent(agent)
    check_batch(batch)
    layout = agent.layout
    return np.concatenate([
        _agents.start_tokens(batch.allowed, layout)[:, None],
        _agents.step_tokens(result.explore_actions, result.explore_values, layout),
        _agents.goal_tokens(batch.goal, layout)[:, None],
    ], axis=1)


def ratio_interval(agent_values: np.ndarray, reference_values: np.ndarray, level: float = 0.95
                   ) -> tuple[float, float, float]:
    """Ratio of means ``mean(agent) / mean(reference)`` over paired episodes, with a delta-method interval.

    Returns ``(ratio, low, high)``.  The interval uses the paired differences
    ``agent - ratio * reference`` (so the correlation between the two is used).
    """
    from scipy.stats import norm

    a = np.asarray(agent_values, float)
    r = np.asarray(reference_values, float)
    if a.shape != r.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError("agent_values and reference_values must be 1-d arrays of the same length (2 or more).")
    level = check_real(level, "level", minimum=0.5, maximum=0.999)
    mean_r = r.mean()
    if mean_r == 0:
        raise ValueError("the reference's mean reward is 0, so a ratio to it is undefined.")
    ratio = a.mean() / mean_r
    se = (a - ratio * r).std(ddof=1) / math.sqrt(len(a)) / abs(mean_r)
    z = float(norm.ppf(0.5 + level / 2))
    return float(ratio), float(ratio - z * se), float(ratio + z * se)


def evaluate(agent, batch: Any, *, divergent: np.ndarray | None = None, noise_std: float = 0.1,
             seed: int | None = 0, device: Any = "cpu", result: RolloutResult | None = None) -> dict[str, float]:
    """Active evaluation of ``agent`` on the episodes of ``batch`` against the expert in the same episodes.

    Returns ``reward_fraction`` (the agent's mean expected exploit reward over the
    expert's) with ``reward_fraction_low``/``_high`` (95% interval), ``agreement``
    (share of episodes where the agent's exploit is worth as much as the
    expert's), ``divergent_agreement`` (the same on the ``divergent`` episodes,
    if given), ``explore_coverage`` (share of episodes where exploration
    intervened on every allowed variable), and the mean rewards.
    """
    check_batch(batch)
    iv = agent.config.intervention_value
    if result is None:
        result = rollout(agent, batch, noise_std=noise_std, seed=seed, device=device)
    expert = expected_reward(batch.total_effects, batch.goal, batch.exploit_var, batch.exploit_sign, iv)
    ratio, low, high = ratio_interval(result.reward, expert)
    as_good = result.reward >= expert - 1e-6
    metrics = {
        "reward_fraction": ratio,
        "reward_fraction_low": low,
        "reward_fraction_high": high,
        "agreement": float(as_good.mean()),
        "explore_coverage": float(result.coverage(batch.allowed).mean()),
        "agent_reward": float(result.reward.mean()),
        "expert_reward": float(expert.mean()),
        "episodes": int(len(expert)),
    }
    if divergent is not None:
        divergent = np.asarray(divergent, bool)
        if divergent.shape != expert.shape:
            raise ValueError(f"divergent must be a boolean array with one entry per episode ({len(expert)}), "
                             f"got shape {divergent.shape}.")
        metrics["divergent_agreement"] = float(as_good[divergent].mean()) if divergent.any() else float("nan")
        metrics["divergent_episodes"] = int(divergent.sum())
    return metrics


# ----------------------------------------------------------------------------------------------
# Checkpoints
# ----------------------------------------------------------------------------------------------

#: Where the course's trained checkpoints ship: inside the package (``causal_lessons/checkpoints/``), so that an
#: installed package, editable or not, carries them. Each ``NAME.pt`` has ``NAME.pt.json`` beside it with the
#: config, seed and metrics it reached, and the command that reproduces it.
CHECKPOINT_DIR = Path(__file__).resolve().parent / "checkpoints"


def save_checkpoint(path: str | Path, agent, *, metadata: dict[str, Any] | None = None) -> Path:
    """Save ``agent`` (its config and weights, as float32) to ``path`` and ``metadata`` to ``path.json``.

    The JSON file beside the checkpoint holds the agent config plus whatever
    ``metadata`` says (training config, seed, reached metrics, hardware).
    """
    _agents.check_agent(agent)
    return save_model(path, agent, "agent_config", metadata)


def load_checkpoint(path: str | Path, *, device: Any = "cpu"):
    """Load an agent saved by :func:`save_checkpoint`; returns ``(agent, metadata)`` (metadata may be empty)."""
    saved, metadata = read_model(path, "agent_config", what="checkpoint",
                                 command="python -m causal_lessons.experiments.passive_agents train --config small")
    agent = _agents.make_agent(_agents.AgentConfig.from_dict(saved["agent_config"]), seed=None)
    agent.load_state_dict(saved["state_dict"])
    agent.to(resolve_device(device))
    agent.eval()
    return agent, metadata


def save_model(path: str | Path, model, config_key: str, metadata: dict[str, Any] | None = None) -> Path:
    """Save a model's config (under ``config_key``) and float32 weights to ``path``; the config and ``metadata``
    to ``path.json`` beside it.  Shared by the agents' and the language models' checkpoints."""
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu", dtype=torch.float32).clone() for k, v in model.state_dict().items()}
    torch.save({config_key: model.config.to_dict(), "state_dict": state}, path)
    meta = {config_key: model.config.to_dict(), **(metadata or {})}
    path.with_suffix(path.suffix + ".json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return path


def read_model(path: str | Path, config_key: str, *, what: str, command: str) -> tuple[dict[str, Any], dict]:
    """Read a checkpoint written by :func:`save_model`: ``(saved, metadata)``, ``saved`` holding ``config_key``
    and ``"state_dict"``; a clear error when there is no file (``command`` makes one) or it is another kind."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no {what} at {path}; train one with `{command}`.")
    saved = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(saved, dict) or config_key not in saved or "state_dict" not in saved:
        raise ValueError(f"{path} is not a {what} (it has no {config_key!r}).")
    meta_path = path.with_suffix(path.suffix + ".json")
    return saved, (json.loads(meta_path.read_text()) if meta_path.is_file() else {})
