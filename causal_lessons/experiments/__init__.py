"""Reproducible experiments behind the lessons, each a module with a command line.

* :mod:`causal_lessons.experiments.passive_agents` -- passive agents that learn
  active causal strategies (Lampinen et al. 2023): held-out causal links,
  held-out experiment sets, the associational control, and reference rewards.
  ``python -m causal_lessons.experiments.passive_agents train --config small --out results.json``
"""
