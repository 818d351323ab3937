"""Grading a continuous index into ordered classes (vulnerability, load, value).

Classes are numbered 0 (lowest) to n−1; a value v is in class i when breaks[i−1] <= v < breaks[i]
(n classes need n−1 increasing breaks); NaN (outside the area or no data) is class −1.

Breaks are fixed numbers, equal intervals over a range, or natural breaks: the Fisher-Jenks
optimal partition of the mapped values (Jenks 1967; Fisher 1958, "On grouping for maximum
homogeneity", JASA 53), computed by the ``jenkspy`` package. Natural breaks depend on the data, so
two areas graded this way are not comparable; say which grading a map uses.
"""

from __future__ import annotations

import numpy as np

from gwsim.errors import SpecError


def equal_interval_breaks(lower: float, upper: float, n_classes: int) -> np.ndarray:
    """The n−1 breaks that split [lower, upper] into ``n_classes`` equal intervals."""
    return np.linspace(lower, upper, n_classes + 1)[1:-1]


NATURAL_BREAKS = "natural_breaks"


def natural_breaks(values, n_classes: int, where: str) -> np.ndarray:
    """The n−1 Fisher-Jenks breaks of the finite ``values`` (each break the upper value of a
    class, so ``grade`` puts it in the class above: the break is nudged up by 1e-9 of the range).

    Raises :class:`SpecError` naming ``where`` when the values have fewer than ``n_classes``
    distinct numbers.
    """
    import jenkspy

    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if np.unique(values).size < n_classes:
        raise SpecError(
            where,
            f"natural breaks need at least {n_classes} distinct values, the map has "
            f"{np.unique(values).size}",
            "give fixed breaks or fewer classes",
        )
    inner = np.asarray(jenkspy.jenks_breaks(values, n_classes=n_classes), float)[1:-1]
    return inner + 1e-9 * max(np.ptp(values), 1.0)


def resolved_breaks(breaks, values, n_classes: int, where: str) -> np.ndarray:
    """``breaks`` as numbers: fixed ones as given, :data:`NATURAL_BREAKS` from ``values``."""
    if isinstance(breaks, str) and breaks == NATURAL_BREAKS:
        return natural_breaks(values, n_classes, where)
    return np.asarray(breaks, float)


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
