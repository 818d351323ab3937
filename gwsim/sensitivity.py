"""One-at-a-time sensitivity of protection zones to K, porosity, recharge and river-bed conductance.

Each parameter is multiplied by each of its factors (e.g. halved and doubled; a wider range where
the value is poorly known, such as fracture porosity or a river bed's K) with the others at their
base values; the flow model is re-run (not needed for porosity, which changes travel times only)
and the numerical protection zones recomputed. The table shows how the class-1, class-2 and outer
zone areas change, and :func:`most_sensitive` names the assumption that moves each zone most, so a
planner sees which survey matters most.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from gwsim.engines import run_flow
from gwsim.errors import SpecError, TruncatedZoneWarning
from gwsim.flowfield import FlowField
from gwsim.spec import ModelSpec

PARAMETERS = ("k", "porosity", "recharge", "river_cond")
ZONES = ("class1", "class2", "quasi")


def scaled_spec(spec: ModelSpec, parameter: str, factor: float) -> ModelSpec:
    """A copy of ``spec`` with hydraulic conductivity (all components), porosity (capped at 1),
    every recharge rate or every river-bed conductance (RIV ``cond``) multiplied by ``factor``."""
    if parameter not in PARAMETERS:
        raise SpecError(
            "sensitivity.parameters", f"unknown parameter {parameter!r}", f"use {PARAMETERS}"
        )
    new = copy.deepcopy(spec)
    props = new.properties
    if parameter == "k":
        base = props.arrays(spec.grid.shape)
        props.k, props.k22, props.k33 = (base[name] * factor for name in ("k", "k22", "k33"))
    elif parameter == "porosity":
        props.porosity = np.minimum(props.arrays(spec.grid.shape)["porosity"] * factor, 1.0)
    else:
        kind, key = ("rch", "rate") if parameter == "recharge" else ("riv", "cond")
        for b in new.boundaries:
            if b.kind == kind:
                b.values = {**b.values, key: b.values[key] * factor}
                b.periods = {
                    p: {**v, key: v[key] * factor} if key in v else v for p, v in b.periods.items()
                }
    return new


def zone_sensitivity(
    spec: ModelSpec,
    base_flow: FlowField,
    base_zones,
    zones_of: Callable[[FlowField], object],
    workspace: Path,
    parameters: Sequence[str] = PARAMETERS,
    factors: Sequence[float] | Mapping[str, Sequence[float]] = (0.5, 2.0),
    progress: bool = True,
) -> list[dict]:
    """Rows of zone areas (ha) and their change (%) for each parameter × factor.

    ``factors`` apply to every parameter, or map a parameter to its own factors (e.g.
    ``{"porosity": [0.25, 0.5, 2.0], "river_cond": [0.1, 10.0]}``; others get 0.5 and 2).

    ``zones_of(flow)`` returns :class:`gwsim.protection.ProtectionZones` for a flow field; the base
    case is ``base_flow`` (the flow field of ``spec``) with its zones ``base_zones``. The spec is
    an argument because the cases re-run the flow model from scaled copies of it.
    """
    base = {s.name: s for s in base_zones.sources}
    rows = []
    if not isinstance(factors, Mapping):
        factors = dict.fromkeys(parameters, factors)
    cases = [(p, f) for p in parameters for f in factors.get(p, (0.5, 2.0))]
    for parameter, factor in tqdm(cases, desc="sensitivity runs", unit="run", disable=not progress):
        case = scaled_spec(spec, parameter, factor)
        if parameter == "porosity":
            flow = base_flow.with_porosity(case.properties.arrays(spec.grid.shape)["porosity"])
        else:
            flow = run_flow(case, workspace / f"{parameter}_x{factor:g}")
        with warnings.catch_warnings():  # the base case already warned about truncation
            warnings.simplefilter("ignore", TruncatedZoneWarning)
            sources = zones_of(flow).sources
        for src in sources:
            ref = base[src.name]
            row = {"source": src.name, "parameter": parameter, "factor": factor}
            for zone in (z for z in ZONES if z in src.numerical):
                area = src.numerical[zone].area / 1e4
                ref_area = ref.numerical[zone].area / 1e4
                row[f"{zone}_area_ha"] = round(area, 2)
                row[f"{zone}_change_pct"] = (
                    round(100.0 * (area / ref_area - 1.0), 1) if ref_area else None
                )
            rows.append(row)
    return rows


def most_sensitive(rows: list[dict]) -> dict[str, dict[str, dict]]:
    """{source: {zone: row}}: the case that changes each zone's area most (by |change|)."""
    worst: dict[str, dict[str, dict]] = {}
    for row in rows:
        for zone in ZONES:
            change = row.get(f"{zone}_change_pct")
            if change is None:
                continue
            best = worst.setdefault(row["source"], {}).get(zone)
            if best is None or abs(change) > abs(best[f"{zone}_change_pct"]):
                worst[row["source"]][zone] = row
    return worst
