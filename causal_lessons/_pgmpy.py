"""Import pgmpy once, quietly.

pgmpy 1.1 imports its own deprecated ``pgmpy.estimators.StructureScore`` module
when ``pgmpy.models`` loads, which prints a FutureWarning that is not about our
code and would land on every lesson's stderr.  :func:`load` imports pgmpy with
exactly that warning silenced; afterwards ``import pgmpy...`` is cached and quiet.
Other warnings still show.  pgmpy takes a few seconds to import, so call this
only where pgmpy is used.
"""

from __future__ import annotations

import warnings

_PGMPY_OWN_DEPRECATIONS = r"`pgmpy\.estimators\.StructureScore` is deprecated"


def load():
    """Import pgmpy (models, factors, inference, estimators, identification) and return the package."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PGMPY_OWN_DEPRECATIONS, category=FutureWarning)
        import pgmpy
        import pgmpy.estimators  # noqa: F401
        import pgmpy.factors.continuous  # noqa: F401
        import pgmpy.factors.discrete  # noqa: F401
        import pgmpy.identification  # noqa: F401
        import pgmpy.inference  # noqa: F401
        import pgmpy.models  # noqa: F401
    return pgmpy
