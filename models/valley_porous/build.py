"""Chajia (查家, Xiaohuang town, Dongxiang): a river-valley alluvial aquifer as a gwsim spec (m, d).

Conceptual model (values in ``params.toml``, each with its source):

* a straight valley floor ``valley.width`` wide between bedrock hills, ``valley.length`` long;
  model x runs down the valley, y across it, the grid rotated by ``site.valley_direction``;
* layer 1: silty-clay cap of constant thickness under a land surface that rises from the river
  banks towards the hills; layer 2: sand and gravel; layer 3: basal gravel. The two gravel layers
  thin parabolically from the valley axis to ``aquifer.margin_fraction`` of their axis thickness at
  the margins (a bedrock trough);
* the river runs along the axis, cut through the cap: it is a RIV boundary in layer 2 (the cap
  cells above it are inactive), stage falling downstream, conductance
  C = K_bed · width · cell length / bed thickness (m²/d);
* areal recharge = rainfall × infiltration coefficient on the cap; lateral inflow from the hills
  through general-head boundaries along both margins (C = K_hill · b_hill · Δx / distance, split
  over the gravel layers by thickness); valley underflow through general-head boundaries at both
  ends, whose heads continue the river's slope;
* the well field (``chajia_wells``) pumps from both gravel layers, each well's rate split by the
  layers' transmissivity.

Variants: ``steady`` (mean conditions) and ``seasonal`` (a steady start, then ``seasonal_years``
cycles of a wet season Mar-Jun, with higher stage and recharge, and a dry season Jul-Feb).
"""

from __future__ import annotations

import numpy as np

from gwsim.params import Param, convert
from gwsim.spec import Boundary, Grid, ModelSpec, Properties, Solver, StressPeriod, grid_origin_at

VARIANTS = ("steady", "seasonal")
WELLS = "chajia_wells"
RIVER = "river"


def build_spec(params: dict[str, Param], variant: str) -> ModelSpec:
    """The Chajia valley model for ``variant`` ("steady" or "seasonal") from its parameters."""
    v = {key: p.value for key, p in params.items()}
    length, width = v["valley.length"], v["valley.width"]
    dx, dy = v["grid.cell_along"], v["grid.cell_across"]
    ncol, nrow = round(length / dx), round(width / dy)
    x = (np.arange(ncol) + 0.5) * dx  # cell centres down the valley, m
    y = width - (np.arange(nrow) + 0.5) * dy  # cell centres across, m (row 0 north)
    river_row = nrow // 2
    half = max(y[river_row], width - y[river_row])
    offset = np.clip(np.abs(y - y[river_row]) / half, 0.0, 1.0)[:, None]  # 0 river .. 1 margin

    stage = v["river.stage_upstream"] - v["river.gradient"] * x  # (ncol,) mean stage, m
    top = stage[None, :] + v["river.bank_height"] + v["valley.floor_rise"] * offset
    trough = 1.0 - (1.0 - v["aquifer.margin_fraction"]) * offset**2
    thickness = np.stack(
        [
            np.full((nrow, ncol), v["cap.thickness"]),
            np.broadcast_to(v["aquifer.upper_thickness"] * trough, (nrow, ncol)),
            np.broadcast_to(v["aquifer.lower_thickness"] * trough, (nrow, ncol)),
        ]
    )
    botm = top[None] - np.cumsum(thickness, axis=0)
    idomain = np.ones((3, nrow, ncol), int)
    idomain[0, river_row, :] = 0  # the river has cut through the cap

    k = np.array([v["cap.k"], v["aquifer.upper_k"], v["aquifer.lower_k"]])
    props = Properties(
        k=k,
        k33=[v["cap.k_vertical"], *(k[1:] * v["aquifer.vertical_ratio"])],
        ss=v["aquifer.specific_storage"],
        sy=[v["cap.specific_yield"], v["aquifer.specific_yield"], v["aquifer.specific_yield"]],
        porosity=[v["cap.porosity"], v["aquifer.porosity"], v["aquifer.porosity"]],
        icelltype=[1, 1, 1],
    )
    origin = grid_origin_at(
        v["site.lon"],
        v["site.lat"],
        v["site.crs"],
        length / 2,
        y[river_row],
        v["site.valley_direction"],
    )
    grid = Grid(
        3,
        nrow,
        ncol,
        dx,
        dy,
        top,
        botm,
        *origin,
        v["site.valley_direction"],
        idomain,
        v["site.crs"],
    )

    periods, stage_shift, recharge_factor = _periods(v, variant)
    recharge = (
        convert(
            v["recharge.rainfall"], params["recharge.rainfall"].unit, "m/d", "recharge.rainfall"
        )
        * v["recharge.infiltration_coefficient"]
    )
    transmissivity = k[1:, None, None] * thickness[1:]  # (2, nrow, ncol) m²/d
    boundaries = [
        _river(v, river_row, stage, dx, stage_shift),
        _recharge(idomain, recharge, recharge_factor),
        _hills(v, top, thickness, dx),
        _ends(v, k, thickness, dy),
        _wells(v, y[river_row], transmissivity),
    ]
    return ModelSpec(
        name="chajia",
        grid=grid,
        properties=props,
        boundaries=boundaries,
        periods=periods,
        solver=Solver(dvclose=1e-6, rclose=1e-2, newton=True),
        description=f"Chajia river-valley alluvial aquifer ({variant}); typical values, see "
        "models/valley_porous/params.toml",
    )


def _periods(v: dict, variant: str):
    """Stress periods, river-stage shifts (m) and recharge factors (-) by period."""
    if variant == "steady":
        return [StressPeriod()], [0.0], [1.0]
    wet_days = v["recharge.wet_season_days"]
    dry_days = 365.0 - wet_days
    share = v["recharge.wet_season_share"]
    periods, shift, factor = [StressPeriod()], [0.0], [1.0]
    for _ in range(int(v["recharge.seasonal_years"])):
        periods += [StressPeriod(wet_days, 3, 1.0, False), StressPeriod(dry_days, 4, 1.0, False)]
        shift += [v["river.wet_rise"], -v["river.dry_drop"]]
        factor += [share * 365.0 / wet_days, (1.0 - share) * 365.0 / dry_days]
    return periods, shift, factor


def _river(v: dict, row: int, stage: np.ndarray, dx: float, shift: list) -> Boundary:
    """The river in the top gravel layer: stage falling downstream, bed-K conductance."""
    ncol = len(stage)
    cond = v["river.bed_k"] * v["river.width"] * dx / v["river.bed_thickness"]
    rbot = stage - v["river.depth"] - v["river.bed_thickness"]
    return Boundary(
        "riv",
        RIVER,
        [(1, row, j) for j in range(ncol)],
        {"stage": stage, "cond": cond, "rbot": rbot},
        periods={p: {"stage": stage + s} for p, s in enumerate(shift) if p > 0},
    )


def _recharge(idomain: np.ndarray, rate: float, factor: list) -> Boundary:
    """Rainfall recharge (m/d) on every cap cell; rain on the river channel stays in the river."""
    cells = np.argwhere(idomain[0] > 0)
    return Boundary(
        "rch",
        "rain",
        [(0, i, j) for i, j in cells],
        {"rate": rate * factor[0]},
        periods={p: {"rate": rate * f} for p, f in enumerate(factor) if p > 0},
    )


def _hills(v: dict, top: np.ndarray, thickness: np.ndarray, dx: float) -> Boundary:
    """Lateral inflow from the hills along both valley margins, into the gravel layers."""
    nrow, ncol = top.shape
    cells, bhead, cond = [], [], []
    total = v["hills.k"] * v["hills.thickness"] * dx / v["hills.distance"]  # m²/d per cell
    for i in (0, nrow - 1):
        gravel = thickness[1:, i].sum(axis=0)
        for lay in (1, 2):
            for j in range(ncol):
                cells.append((lay, i, j))
                bhead.append(top[i, j] + v["hills.head_above_margin"])
                cond.append(total * thickness[lay, i, j] / gravel[j])
    return Boundary("ghb", "hills", cells, {"bhead": bhead, "cond": cond})


def _ends(v: dict, k: np.ndarray, thickness: np.ndarray, dy: float) -> Boundary:
    """Valley underflow in and out at both ends; heads continue the river's slope."""
    _, nrow, ncol = thickness.shape
    d = v["ends.distance"]
    head = {
        0: v["river.stage_upstream"] + v["river.gradient"] * d,
        ncol - 1: v["river.stage_upstream"] - v["river.gradient"] * (v["valley.length"] + d),
    }
    cells, bhead, cond = [], [], []
    for j, h in head.items():
        for lay in (1, 2):
            for i in range(nrow):
                cells.append((lay, i, j))
                bhead.append(h)
                cond.append(k[lay] * thickness[lay, i, j] * dy / d)
    return Boundary("ghb", "underflow", cells, {"bhead": bhead, "cond": cond})


def _wells(v: dict, y_river: float, transmissivity: np.ndarray) -> Boundary:
    """The well field: each well screened in both gravel layers, rate split by transmissivity."""
    dx, dy = v["grid.cell_along"], v["grid.cell_across"]
    cells, rates = [], []
    for along, across, rate in zip(
        v["wells.along"], v["wells.across"], v["wells.rate"], strict=True
    ):
        col = int((v["valley.length"] / 2 + along) // dx)
        row = int((v["valley.width"] - y_river - across) // dy)
        t = transmissivity[:, row, col]
        cells += [(1, row, col), (2, row, col)]
        rates += list(-rate * t / t.sum())
    return Boundary("wel", WELLS, cells, {"rate": rates})
