"""Scalar parameter distributions of an ensemble, read from ``[uncertainty.parameters]``.

Each entry names a site-model parameter (a dotted key of the model's ``params.toml``) and the
distribution its value is drawn from, in that parameter's own unit::

    "aquifer.porosity" = { distribution = "uniform", low = 0.20, high = 0.30 }
    "river.bed_k" = { distribution = "lognormal", median = 0.5, sigma = 0.7 }  # sigma of ln

========== ============================== =====================================================
name       keys                           meaning
========== ============================== =====================================================
fixed      value                          always ``value``
uniform    low, high                      uniform on [low, high]
loguniform low, high                      ln uniform on [ln low, ln high]; low > 0
normal     mean, sd                       normal; sd >= 0 (sd = 0 is ``mean``)
lognormal  median, sigma                  ln normal with median ``median`` and sd ``sigma`` of ln
triangular low, mode, high                triangular
========== ============================== =====================================================

A draw that leaves the parameter's ``min``/``max`` (params.toml) is an error naming both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gwsim.config import check_keys
from gwsim.errors import SpecError

DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "loguniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
    "triangular": ("low", "mode", "high"),
}


@dataclass(frozen=True)
class Distribution:
    """A scalar distribution by name and its arguments (in the sampled parameter's unit)."""

    name: str
    args: dict[str, float]

    @classmethod
    def from_table(cls, table, where: str) -> Distribution:
        """Parse ``{distribution = ..., <args>}``; raise :class:`SpecError` naming ``where``."""
        if not isinstance(table, dict) or "distribution" not in table:
            raise SpecError(
                where,
                "needs a distribution",
                'write { distribution = "uniform", low = .., high = .. }',
            )
        name = table["distribution"]
        if name not in DISTRIBUTIONS:
            raise SpecError(
                f"{where}.distribution",
                f"unknown distribution {name!r}",
                f"use one of {sorted(DISTRIBUTIONS)}",
            )
        keys = DISTRIBUTIONS[name]
        check_keys(table, {"distribution", *keys}, where, f"{name} argument")
        missing = [k for k in keys if k not in table]
        if missing:
            raise SpecError(where, f"{name} needs {', '.join(missing)}", f"give {', '.join(keys)}")
        args = {}
        for k in keys:
            v = table[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not np.isfinite(v):
                raise SpecError(f"{where}.{k}", f"{v!r} is not a finite number", "give a number")
            args[k] = float(v)
        _check_args(name, args, where)
        return cls(name, args)

    def sample(self, rng: np.random.Generator) -> float:
        """One draw using ``rng``."""
        a = self.args
        if self.name == "fixed":
            return a["value"]
        if self.name == "uniform":
            return float(rng.uniform(a["low"], a["high"]))
        if self.name == "loguniform":
            return float(np.exp(rng.uniform(np.log(a["low"]), np.log(a["high"]))))
        if self.name == "normal":
            return float(a["mean"] + a["sd"] * rng.standard_normal())
        if self.name == "lognormal":
            return float(a["median"] * np.exp(a["sigma"] * rng.standard_normal()))
        return float(rng.triangular(a["low"], a["mode"], a["high"]))

    def support(self) -> tuple[float, float]:
        """The smallest and largest value a draw can take (may be infinite)."""
        a = self.args
        if self.name == "fixed":
            return a["value"], a["value"]
        if self.name == "normal":
            return (-np.inf, np.inf) if a["sd"] > 0 else (a["mean"], a["mean"])
        if self.name == "lognormal":
            return (0.0, np.inf) if a["sigma"] > 0 else (a["median"], a["median"])
        return a["low"], a["high"]


def _check_args(name: str, a: dict[str, float], where: str) -> None:
    if name in ("normal",) and a["sd"] < 0:
        raise SpecError(f"{where}.sd", f"negative standard deviation {a['sd']}", "give sd >= 0")
    if name == "lognormal":
        if a["sigma"] < 0:
            raise SpecError(
                f"{where}.sigma",
                f"negative standard deviation {a['sigma']} of ln",
                "give sigma >= 0",
            )
        if a["median"] <= 0:
            raise SpecError(f"{where}.median", f"{a['median']} is not > 0", "give a median > 0")
    if name in ("uniform", "loguniform", "triangular") and not a["low"] <= a["high"]:
        raise SpecError(where, f"low {a['low']} > high {a['high']}", "give low <= high")
    if name == "loguniform" and a["low"] <= 0:
        raise SpecError(f"{where}.low", f"{a['low']} is not > 0", "give low > 0 for loguniform")
    if name == "triangular" and not a["low"] <= a["mode"] <= a["high"]:
        raise SpecError(where, "mode outside [low, high]", "give low <= mode <= high")
