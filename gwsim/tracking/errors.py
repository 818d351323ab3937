"""The error of a tracking run's bad start points or options, and how it lists the culprits."""

from __future__ import annotations

import numpy as np

from gwsim.errors import GwsimError


class TrackingError(GwsimError, ValueError):
    """Start points or options of a tracking run are invalid."""


def first_indices(mask: np.ndarray, count: int = 10) -> str:
    """The first ``count`` indices where ``mask`` is True, as text ("0, 4, 7, ..." )."""
    idx = np.flatnonzero(mask)
    text = ", ".join(str(i) for i in idx[:count])
    return text + (", ..." if idx.size > count else "")
