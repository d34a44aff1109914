"""Playing the causal DAG game: whole batches of episodes, or one step at a time in Gymnasium.

The rules (task sampling, simulation, the episode record, the settings
:class:`~causal_lessons.game.GameSpec`) are in :mod:`causal_lessons.game`; the
players in :mod:`causal_lessons.strategies`.  Two ways to play share the same
sampling code (:func:`~causal_lessons.game.sample_tasks`,
:func:`~causal_lessons.game.simulate`):

* :func:`generate_episodes` writes whole episodes of a strategy as arrays (an
  :class:`~causal_lessons.game.EpisodeBatch`), vectorized over episodes: the data
  that passive agents are trained on.
* :class:`CausalDAGEnv` is a Gymnasium environment, played one step at a time
  (by a strategy from :mod:`causal_lessons.strategies`, an agent, or a person).

Both take the game's settings as a ``game=`` :class:`~causal_lessons.game.GameSpec`
and/or as keywords (``n_vars``, ``n_explore``, ``weights``, ``noise_std``,
``intervention_value``, ``allowed_sets``, ``heldout_links``, ``heldout_mode``,
``test_links``; see :class:`~causal_lessons.game.GameSpec`).  The rules' names
(``EpisodeBatch``, ``sample_tasks``, ``simulate``, ...) can be imported from here too.

>>> batch = generate_episodes(4, seed=0)
>>> batch.weights.shape, batch.explore_values.shape, len(batch)
((4, 5, 5), (4, 5, 5), 4)
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from . import game
from ._validate import check_count, check_int, check_seed
from .game import *  # noqa: F403  (the rules' names, re-exported: callers import them from here too)
from .game import (DONE, EXPLOIT, EXPLORE, OBSERVE, EpisodeBatch, GameSpec, game_spec, sample_tasks, simulate,
                   written_tasks)
from .strategies import as_strategy

__all__ = ["CausalDAGEnv", "generate_episodes", "written_episodes", "ENV_ID", *game.__all__]


def generate_episodes(n_episodes: int, *, strategy="expert", game: GameSpec | None = None,
                      seed: int | None = None, **settings) -> EpisodeBatch:
    """Play ``n_episodes`` whole episodes with a strategy, vectorized; deterministic by ``seed``.

    ``strategy``: "expert" (experiment on each allowed variable once, in a random
    order, then exploit the largest estimated effect on the goal), "associational"
    (observe only, then exploit by the regression slope of the goal on each
    variable) or "random"; or a strategy object from :mod:`causal_lessons.strategies`.
    The game is ``game`` (a :class:`~causal_lessons.game.GameSpec`) with
    ``settings`` changed, or ``GameSpec(**settings)``: ``n_explore``:
    exploration steps K (default ``n_vars``).  ``allowed_sets``: None (all
    variables) or a list of name sets, one drawn per episode.
    ``heldout_links``: ordered (source, target) name pairs kept out of the
    episodes: ``heldout_mode="strict"`` makes their total effect exactly 0,
    ``"direct"`` only removes the direct edge.  ``test_links=True``: the goal is a
    held-out pair's target and its source the unique best exploit choice.

    The same ``seed`` gives the same DAGs, allowed sets and goals for every
    strategy (and the same noise for the same steps), so strategies can be
    compared episode by episode.
    """
    n_episodes = check_count(n_episodes, "n_episodes")
    game = game_spec(game, **settings)
    player = as_strategy(strategy)
    task_seed, strategy_seed, noise_seed = np.random.SeedSequence(check_seed(seed)).spawn(3)
    tasks = sample_tasks(n_episodes, game=game, rng=np.random.default_rng(task_seed))
    return _play(tasks, game, player, strategy_seed, noise_seed)


def written_episodes(edges, goal, *, copies: int = 1, strategy="expert", game: GameSpec | None = None,
                     seed: int | None = None, **settings) -> EpisodeBatch:
    """``copies`` plays of one hand-written episode (:func:`~causal_lessons.game.written_tasks`: the DAG ``edges``,
    ``{(cause, effect): weight}``, and the ``goal``'s name), each with its own noise; deterministic by ``seed``.

    >>> batch = written_episodes({("A", "B"): 1, ("B", "C"): -1}, "C", copies=3, n_vars=3, seed=0)
    >>> len(batch), batch.names[batch.exploit_var[0]], int(batch.exploit_sign[0])
    (3, 'A', -1)
    """
    game = game_spec(game, **settings)
    player = as_strategy(strategy)
    tasks = written_tasks(edges, goal, game=game, copies=copies)
    _, strategy_seed, noise_seed = np.random.SeedSequence(check_seed(seed)).spawn(3)
    return _play(tasks, game, player, strategy_seed, noise_seed)


def _play(tasks, game: GameSpec, player, strategy_seed, noise_seed) -> EpisodeBatch:
    """Play ``tasks`` with ``player``: its exploration, the simulated values, its exploit and the reward."""
    n_episodes, k, noise_std, value = len(tasks), game.n_explore, game.noise_std, game.intervention_value
    rng_play, rng_noise = np.random.default_rng(strategy_seed), np.random.default_rng(noise_seed)
    explore_actions = player.explore_actions(tasks.allowed, k, rng_play)
    explore_values = simulate(tasks.weights, explore_actions, value, noise_std, rng_noise)
    var, sign = player.choose(explore_actions, explore_values, tasks.goal, tasks.allowed, value, rng_play)
    after = simulate(tasks.weights, var[:, None], (sign * value)[:, None], noise_std, rng_noise)[:, 0]
    reward = after[np.arange(n_episodes), tasks.goal]
    return EpisodeBatch(
        names=tasks.names,
        weights=tasks.weights.astype(np.float32),
        total_effects=tasks.total_effects.astype(np.float32),
        allowed=tasks.allowed,
        explore_actions=explore_actions.astype(np.int64),
        explore_values=explore_values.astype(np.float32),
        goal=tasks.goal,
        exploit_var=var.astype(np.int64),
        exploit_sign=sign.astype(np.int64),
        reward=reward.astype(np.float32),
        noise_std=noise_std,
        intervention_value=value,
        strategy=player.name,
    )


# ==================================================================================================
# The Gymnasium environment
# ==================================================================================================

class CausalDAGEnv(gym.Env):
    """The causal DAG game as a Gymnasium environment (one episode = K exploration steps + 1 exploit).

    **Actions** (``Discrete(2n + 1)``): ``i`` in [0, n) is do(X_i = +v);
    ``n + i`` is do(X_i = -v); ``2n`` is "observe".  Use :meth:`intervene_action`
    and :attr:`observe_action` rather than the numbers.

    * Exploration: "observe", or do(X_i = +v) on an allowed variable.
    * Exploit: do(X_i = +v) or do(X_i = -v) on an allowed variable other than the goal.

    **Invalid actions never crash.**  In exploration an invalid action (a variable
    that is not allowed, or a negative intervention) is played as "observe"; in the
    exploit an invalid action (the goal, a variable that is not allowed, or
    "observe") is played as *no intervention*: the reward is the goal's natural
    value.  Either way ``info["invalid_action"]`` is True.

    **Observation** (a dict): ``phase`` (0 explore, 1 exploit, 2 done), ``step``
    (steps taken), ``values`` (every variable after the last step; zeros before
    the first), ``intervened`` (+1/-1 at the variable set in the last step, else 0),
    ``allowed`` (1 for the variables one may experiment on) and ``goal`` (one-hot,
    all zeros until the exploit phase).

    **Reward**: 0 during exploration; the goal's value after the exploit.

    ``info`` holds ``scm`` (the episode's :class:`~causal_lessons.scm.LinearGaussianSCM`),
    ``goal`` (its name, for teaching and checking: the observation reveals it only
    in the exploit phase), ``names``, ``allowed`` (names), ``phase``,
    ``n_explore``, ``intervention_value`` and ``invalid_action``.

    The game is ``game`` (a :class:`~causal_lessons.game.GameSpec`, kept as
    :attr:`game`) with the keyword ``settings`` (and ``n_vars``) changed, or
    ``GameSpec(n_vars, **settings)``: ``CausalDAGEnv(5, heldout_links=[("A", "E")])``.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(self, n_vars: int | None = None, *, game: GameSpec | None = None, render_mode: str | None = None,
                 **settings):
        if n_vars is not None:
            settings["n_vars"] = n_vars
        #: The game's settings (a :class:`~causal_lessons.game.GameSpec`).
        self.game = game_spec(game, **settings)
        self.n_vars = self.game.n_vars
        self.names = self.game.names
        self.n_explore = self.game.n_explore
        self.noise_std = self.game.noise_std
        self.intervention_value = self.game.intervention_value
        modes = self.metadata["render_modes"] + [None]
        if render_mode not in modes:
            raise ValueError(f"render_mode must be one of {', '.join(repr(m) for m in modes)}, got {render_mode!r}.")
        self.render_mode = render_mode
        sample_tasks(1, game=self.game, seed=0)   # can the constraints be met?  A clear error now if not
        n = self.n_vars
        largest = float(np.abs(self.game.weights).max())
        # |value| <= (largest |set value or noise|) * (sum of |total effects| into it) <= this bound
        # (noise beyond 20 standard deviations never happens in practice).
        self.value_bound = float((self.intervention_value + 20 * self.noise_std) * (1 + largest) ** n)
        self.action_space = spaces.Discrete(2 * n + 1)
        self.observation_space = spaces.Dict({
            "phase": spaces.Discrete(3),
            "step": spaces.Discrete(self.n_explore + 2),
            "values": spaces.Box(-self.value_bound, self.value_bound, shape=(n,), dtype=np.float32),
            "intervened": spaces.Box(-1.0, 1.0, shape=(n,), dtype=np.float32),
            "allowed": spaces.MultiBinary(n),
            "goal": spaces.MultiBinary(n),
        })
        self._task = None
        self._phase = DONE

    # ------------------------------------------------------------------ action helpers
    @property
    def observe_action(self) -> int:
        """The action number of "observe"."""
        return 2 * self.n_vars

    def intervene_action(self, variable, sign: int = +1) -> int:
        """The action number of do(variable = sign * v); ``variable`` is a name or an index."""
        i = self._index(variable, "variable")
        if sign not in (1, -1):
            raise ValueError(f"sign must be +1 or -1, got {sign!r}.")
        return i if sign == 1 else self.n_vars + i

    def describe_action(self, action: int) -> str:
        """Readable text for an action number, e.g. ``"do(B = +5)"`` or ``"observe"``."""
        action = check_int(action, "action", minimum=0, maximum=2 * self.n_vars)
        if action == self.observe_action:
            return "observe"
        sign = 1 if action < self.n_vars else -1
        return f"do({self.names[action % self.n_vars]} = {sign * self.intervention_value:+g})"

    def _index(self, variable, what: str) -> int:
        if isinstance(variable, str):
            if variable not in self.names:
                raise KeyError(f"{what}: unknown variable {variable!r}; the variables are {', '.join(self.names)}.")
            return self.names.index(variable)
        return check_int(variable, what, minimum=0, maximum=self.n_vars - 1)

    # ------------------------------------------------------------------ Gymnasium API
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if options:
            raise ValueError(f"CausalDAGEnv.reset takes no options, got {sorted(options)}; "
                             "set them when making the environment.")
        self._task = sample_tasks(1, game=self.game, rng=self.np_random)
        self._scm = episode_scm(self._task.weights[0], self.names, self.noise_std)
        self._phase, self._step = EXPLORE, 0
        self._values = np.zeros(self.n_vars, dtype=np.float32)
        self._intervened = np.zeros(self.n_vars, dtype=np.float32)
        return self._obs(), self._info(False)

    def step(self, action):
        if self._task is None:
            raise RuntimeError("call reset() before step(): there is no episode yet.")
        if self._phase == DONE:
            raise RuntimeError("the episode is over: call reset() to start a new one.")
        if not self.action_space.contains(action):
            raise ValueError(f"action must be a whole number from 0 to {2 * self.n_vars}, got {action!r}.")
        action = int(action)
        n, allowed, goal = self.n_vars, self._task.allowed[0], int(self._task.goal[0])
        var, sign = (action % n, 1 if action < n else -1) if action < 2 * n else (OBSERVE, 1)
        if self._phase == EXPLORE:
            invalid = var != OBSERVE and (sign < 0 or not allowed[var])
        else:
            invalid = var == OBSERVE or var == goal or not allowed[var]
        if invalid:
            var, sign = OBSERVE, 1
        values = simulate(self._task.weights, np.array([[var]]), sign * self.intervention_value,
                          self.noise_std, self.np_random)[0, 0]
        self._values = values.astype(np.float32)
        self._intervened = np.zeros(n, dtype=np.float32)
        if var != OBSERVE:
            self._intervened[var] = sign
        self._step += 1
        reward = 0.0
        if self._phase == EXPLOIT:
            reward, self._phase = float(values[goal]), DONE
        elif self._step >= self.n_explore:
            self._phase = EXPLOIT
        return self._obs(), reward, self._phase == DONE, False, self._info(bool(invalid))

    def render(self):
        if self.render_mode != "ansi" or self._task is None:
            return None
        phase = ("explore", "exploit", "done")[self._phase]
        values = "  ".join(f"{v}={x:+.2f}" for v, x in zip(self.names, self._values))
        goal = self.names[int(self._task.goal[0])] if self._phase != EXPLORE else "?"
        return f"step {self._step} ({phase}), goal {goal}: {values}"

    # ------------------------------------------------------------------ internals
    def _obs(self) -> dict:
        goal = np.zeros(self.n_vars, dtype=np.int8)
        if self._phase != EXPLORE:
            goal[int(self._task.goal[0])] = 1
        return {
            "phase": int(self._phase),
            "step": int(self._step),
            "values": self._values.copy(),
            "intervened": self._intervened.copy(),
            "allowed": self._task.allowed[0].astype(np.int8),
            "goal": goal,
        }

    def _info(self, invalid: bool) -> dict:
        return {
            "scm": self._scm,
            "goal": self.names[int(self._task.goal[0])],
            "names": list(self.names),
            "allowed": [v for v, a in zip(self.names, self._task.allowed[0]) if a],
            "phase": int(self._phase),
            "n_explore": self.n_explore,
            "intervention_value": self.intervention_value,
            "noise_std": self.noise_std,
            "invalid_action": invalid,
        }


#: The Gymnasium id: ``gymnasium.make(ENV_ID, n_vars=5, ...)`` makes a :class:`CausalDAGEnv`.
ENV_ID = "causal_lessons/CausalDAG-v0"
if ENV_ID not in gym.registry:
    gym.register(id=ENV_ID, entry_point=CausalDAGEnv)
