"""Groundwater quality standard GB/T 14848-2017: Class III limits (drinking-water use), mg/L.

The limits are data (``gwsim/data/gbt14848_class3.toml``, transcribed from DOMAIN.md; verify
against the standard before release). Contaminant keys are lower-case names with underscores,
e.g. ``"trichloroethylene"``, ``"nitrate_n"``, ``"ammonia_n"``, ``"chromium_vi"``.
"""

from __future__ import annotations

from functools import cache

from gwsim.config import package_table
from gwsim.errors import SpecError

TABLE = "gbt14848_class3.toml"  # in gwsim/data/


@cache
def class3_limits() -> dict[str, float]:
    """{contaminant: GB/T 14848-2017 Class III limit, mg/L}."""
    return {k: float(v) for k, v in package_table("gwsim", TABLE)["limits"].items()}


def class3_limit(contaminant: str, where: str = "contaminant") -> float:
    """The Class III limit (mg/L) of ``contaminant``; a clear error if the table lacks it."""
    limits = class3_limits()
    if contaminant not in limits:
        raise SpecError(
            where,
            f"{contaminant!r} has no GB/T 14848 Class III limit in gwsim's table "
            f"(known: {', '.join(sorted(limits))})",
            f"use one of those names, or add a line '{contaminant} = <limit in mg/L>' under "
            f"[limits] in gwsim/data/{TABLE}",
        )
    return limits[contaminant]
