"""Reproducible experiments behind the lessons, each a module with a command line.

They made the shipped checkpoints and results (``causal_lessons/checkpoints/``), and
import the library; no library module imports them.

* :mod:`causal_lessons.experiments.passive_agents` -- passive agents that learn
  active causal strategies (Lampinen et al. 2023, lesson 04): held-out causal links,
  held-out experiment sets, the associational control, and reference rewards.
  ``python -m causal_lessons.experiments.passive_agents train --config small --out results.json``
* :mod:`causal_lessons.experiments.explanations` -- lesson 05's sweep of agents
  conditioned on a quality signal. ``python -m causal_lessons.experiments.explanations sweep``
* :mod:`causal_lessons.experiments.language_agents` -- lesson 06's three language
  models. ``python -m causal_lessons.experiments.language_agents train``
"""
