"""Grading a continuous index into ordered classes (vulnerability, load, value).

Classes are numbered 0 (lowest) to n−1; a value v is in class i when breaks[i−1] <= v < breaks[i]
(n classes need n−1 increasing breaks); NaN (outside the area or no data) is class −1.
"""

from __future__ import annotations

import numpy as np

from gwsim.errors import SpecError


def equal_interval_breaks(lower: float, upper: float, n_classes: int) -> np.ndarray:
    """The n−1 breaks that split [lower, upper] into ``n_classes`` equal intervals."""
    return np.linspace(lower, upper, n_classes + 1)[1:-1]


def checked_breaks(breaks, n_classes: int, where: str) -> np.ndarray:
    """Breaks as a float array; :class:`SpecError` unless n−1 strictly increasing numbers."""
    try:
        values = np.asarray(breaks, dtype=float)
    except (TypeError, ValueError) as exc:
        raise SpecError(where, f"{breaks!r} are not numbers", "give a list of numbers") from exc
    if values.ndim != 1 or values.size != n_classes - 1 or np.any(np.diff(values) <= 0):
        raise SpecError(
            where,
            f"{breaks!r} are not {n_classes - 1} increasing values",
            f"give {n_classes - 1} increasing breaks for {n_classes} classes",
        )
    return values


def grade(values, breaks) -> np.ndarray:
    """Class index (int8) of each value: ``searchsorted(breaks, v, side='right')``; −1 for NaN."""
    values = np.asarray(values, dtype=float)
    classes = np.searchsorted(np.asarray(breaks, float), values, side="right").astype(np.int8)
    return np.where(np.isnan(values), np.int8(-1), classes)
