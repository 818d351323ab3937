"""Chajia (查家, Xiaohuang town, Dongxiang): a river-valley alluvial aquifer as a gwsim spec (m, d).

Conceptual model (values in ``params.toml``, each with its source). The model reaches the
surface-water divides on both sides of the valley, so the water the wells pump enters it as rain,
from the river or as valley underflow, never through an assumed boundary head:

* a straight valley floor ``valley.width`` wide, ``valley.length`` long, with hillslopes
  ``hills.length`` wide rising ``hills.relief`` to the divide on either side (profile
  relief·sin²(π/2·d/length), d distance from the valley margin); model x runs down the valley, y
  across it, the grid rotated by ``site.valley_direction``. One row beyond each divide is inactive:
  the divide is a no-flow edge, and a zone reaching it is not cut by the model;
* three terrain-following layers. Valley floor: silty-clay cap; sand and gravel; basal gravel, the
  gravels thinning parabolically to ``aquifer.margin_fraction`` at the margins (bedrock trough).
  Valley-side fans (``fans.*``) replace the cap by silty sand and gravel within ``fans.radius`` of
  their apex at the foot of the hills. Hillslopes: regolith over two layers of weathered bedrock;
* the river runs along the axis, cut through the cap: a RIV boundary in layer 2 (the cap cells
  above it are inactive), stage falling downstream, conductance C = K_bed · width · Δx / b_bed;
* recharge = rainfall × infiltration coefficient: ``rain`` on the valley floor (cap and fans),
  ``hillslope_rain`` on the hills; ``seepage`` drains on the land surface of every active top cell
  take out the water where the water table reaches it (springs at the footslopes), conductance =
  vertical K × cell area / half the top layer's thickness;
* valley underflow: ``valley_inflow`` brings K·b·Δy·I into each gravel cell of the up-valley end
  (I = the river's gradient), and ``valley_outflow`` (general head continuing the river's
  slope ``ends.distance`` beyond the down-valley end) lets it out;
* the well field (``chajia_wells``) pumps from both gravel layers, each well's rate split by the
  layers' transmissivity.

Variants: ``steady`` (mean conditions); ``low_stage`` (steady, dry-season stage and recharge);
``flood_stage`` (steady, stage ``river.flood_rise`` above the mean with wet-season recharge, a
bounding case for water drawn from the river); ``seasonal`` (a steady start, then
``seasonal_years`` cycles of a wet season Mar-Jun, with higher stage and recharge, and a dry
season Jul-Feb).
"""

from __future__ import annotations

import numpy as np

from gwsim.params import Param, convert
from gwsim.spec import Boundary, Grid, ModelSpec, Properties, Solver, StressPeriod, grid_origin_at

VARIANTS = ("steady", "seasonal", "low_stage", "flood_stage")
WELLS = "chajia_wells"
RIVER = "river"
_CAP, _UPPER, _LOWER = 0, 1, 2  # layers


def build_spec(params: dict[str, Param], variant: str) -> ModelSpec:
    """The Chajia valley model for ``variant`` (one of :data:`VARIANTS`) from its parameters."""
    v = {key: p.value for key, p in params.items()}
    dx = v["grid.cell_along"]
    ncol = round(v["valley.length"] / dx)
    x = (np.arange(ncol) + 0.5) * dx  # cell centres down the valley, m
    geo = _geometry(v)
    nrow = len(geo["delc"])
    stage = v["river.stage_upstream"] - v["river.gradient"] * x  # (ncol,) mean stage, m
    hill_rise = (
        v["hills.relief"] * np.sin(0.5 * np.pi * geo["hill_distance"] / v["hills.length"]) ** 2
    )
    top = (
        stage[None, :]
        + v["river.bank_height"]
        + (v["valley.floor_rise"] * geo["offset"] + hill_rise)[:, None]
    )
    fan = _fans(v, geo, x)
    valley = geo["valley"][:, None] & np.ones(ncol, bool)
    trough = 1.0 - (1.0 - v["aquifer.margin_fraction"]) * geo["offset"] ** 2
    half_hill = 0.5 * v["hills.thickness"]
    thickness = np.stack(
        [
            np.where(valley, v["cap.thickness"], v["regolith.thickness"]),
            np.where(valley, (v["aquifer.upper_thickness"] * trough)[:, None], half_hill),
            np.where(valley, (v["aquifer.lower_thickness"] * trough)[:, None], half_hill),
        ]
    )
    botm = top[None] - np.cumsum(thickness, axis=0)
    idomain = np.ones((3, nrow, ncol), int)
    idomain[:, ~geo["active_row"], :] = 0  # beyond the divides
    idomain[_CAP, geo["river_row"], :] = 0  # the river has cut through the cap

    props = _properties(v, valley, fan)
    k = props.k
    origin = grid_origin_at(
        v["site.lon"],
        v["site.lat"],
        v["site.crs"],
        v["valley.length"] / 2,
        geo["y"][geo["river_row"]],
        v["site.valley_direction"],
    )
    grid = Grid(
        3,
        nrow,
        ncol,
        dx,
        geo["delc"],
        top,
        botm,
        *origin,
        v["site.valley_direction"],
        idomain,
        v["site.crs"],
    )

    periods, stage_shift, recharge_factor = _periods(v, variant)
    rain = convert(
        v["recharge.rainfall"], params["recharge.rainfall"].unit, "m/d", "recharge.rainfall"
    )
    coefficient = np.where(
        valley,
        np.where(fan, v["fans.infiltration_coefficient"], v["recharge.infiltration_coefficient"]),
        v["hills.infiltration_coefficient"],
    )
    area = dx * geo["delc"][:, None] * np.ones(ncol)
    transmissivity = k[1:] * thickness[1:]  # (2, nrow, ncol) m²/d
    boundaries = [
        _river(v, geo["river_row"], stage, dx, stage_shift),
        _recharge("rain", idomain & valley, rain * coefficient, recharge_factor),
        _recharge("hillslope_rain", idomain & ~valley, rain * coefficient, recharge_factor),
        _seepage(idomain, top, thickness, props.k33, area),
        _upvalley(v, geo, transmissivity),
        _downvalley(v, geo, k, thickness),
        _wells(v, geo, dx, transmissivity),
    ]
    return ModelSpec(
        name="chajia",
        grid=grid,
        properties=props,
        boundaries=boundaries,
        periods=periods,
        # "complex" (backtracking, ILU(5)) ends the limit cycles of seepage cells switching on
        # and off, and under-relaxation weights that recover by 0.1 per outer iteration (IMS:
        # 1e-4) keep it from creeping: every realization of the uncertainty ranges converges
        solver=Solver(
            dvclose=1e-4,
            rclose=1e-1,
            newton=True,
            outer_maximum=400,
            complexity="complex",
            under_relaxation_kappa=0.1,
        ),
        description=f"Chajia river-valley alluvial aquifer ({variant}), valley floor and "
        "hillslopes to the divides; typical values, see models/valley_porous/params.toml",
    )


def _geometry(v: dict) -> dict:
    """Row widths and positions across the valley (row 0 north, the left bank looking downstream).

    Rows: one inactive row beyond the northern divide, the left-bank hillslope, the valley floor
    (the river in its middle row), the right-bank hillslope, one inactive row beyond the southern
    divide. Returns delc (m), y (row centres from the southern grid edge, m), river_row, and per
    row: valley (bool), active_row (bool), offset (0 at the river .. 1 at the margins, valley rows)
    and hill_distance (m from the valley margin, hill rows; 0 elsewhere); margins: y of the
    valley's northern and southern edges (m).
    """
    dy, dh = v["grid.cell_across"], v["hills.cell_across"]
    n_valley = round(v["valley.width"] / dy)
    n_hill = round(v["hills.length"] / dh)
    delc = np.array([dh] * (n_hill + 1) + [dy] * n_valley + [dh] * (n_hill + 1))
    kind = np.array(
        ["out"] + ["hill"] * n_hill + ["valley"] * n_valley + ["hill"] * n_hill + ["out"]
    )
    y = delc.sum() - (np.cumsum(delc) - 0.5 * delc)
    valley = kind == "valley"
    river_row = n_hill + 1 + n_valley // 2
    north_margin = y[valley].max() + 0.5 * dy  # valley edges, m
    south_margin = y[valley].min() - 0.5 * dy
    half = max(north_margin - y[river_row], y[river_row] - south_margin)
    offset = np.where(valley, np.clip(np.abs(y - y[river_row]) / half, 0.0, 1.0), 1.0)
    hill_distance = np.where(
        valley, 0.0, np.maximum(y - north_margin, 0.0) + np.maximum(south_margin - y, 0.0)
    )
    return {
        "delc": delc,
        "y": y,
        "river_row": river_row,
        "valley": valley,
        "active_row": kind != "out",
        "offset": offset,
        "hill_distance": np.minimum(hill_distance, v["hills.length"]),
        "margins": (north_margin, south_margin),
    }


def _fans(v: dict, geo: dict, x: np.ndarray) -> np.ndarray:
    """(nrow, ncol) valley-floor cells on a valley-side fan (within its radius of the apex)."""
    fan = np.zeros((len(geo["y"]), len(x)), bool)
    north, south = geo["margins"]
    for along, bank in zip(v["fans.along"], v["fans.bank"], strict=True):
        apex_x = v["valley.length"] / 2 + along
        apex_y = north if bank > 0 else south
        dist = np.hypot(x[None, :] - apex_x, geo["y"][:, None] - apex_y)
        fan |= dist <= v["fans.radius"]
    return fan & geo["valley"][:, None]


def _properties(v: dict, valley: np.ndarray, fan: np.ndarray) -> Properties:
    """K (m/d), storage and porosity per cell: valley floor, fans and hillslopes."""
    hill_kv = v["hills.vertical_ratio"]
    layer1 = np.where(fan, v["fans.k"], v["cap.k"])
    layer1_kv = np.where(fan, v["fans.k"] * v["aquifer.vertical_ratio"], v["cap.k_vertical"])
    k = np.stack(
        [
            np.where(valley, layer1, v["regolith.k"]),
            np.where(valley, v["aquifer.upper_k"], v["hills.k"]),
            np.where(valley, v["aquifer.lower_k"], v["hills.k"]),
        ]
    )
    k33 = np.stack(
        [
            np.where(valley, layer1_kv, v["regolith.k"] * hill_kv),
            np.where(valley, v["aquifer.upper_k"] * v["aquifer.vertical_ratio"], k[1] * hill_kv),
            np.where(valley, v["aquifer.lower_k"] * v["aquifer.vertical_ratio"], k[2] * hill_kv),
        ]
    )
    gravel_n, gravel_sy = v["aquifer.porosity"], v["aquifer.specific_yield"]
    porosity = np.stack(
        [
            np.where(valley, np.where(fan, gravel_n, v["cap.porosity"]), v["regolith.porosity"]),
            np.where(valley, gravel_n, v["hills.porosity"]),
            np.where(valley, gravel_n, v["hills.porosity"]),
        ]
    )
    sy = np.stack(
        [
            np.where(
                valley, np.where(fan, gravel_sy, v["cap.specific_yield"]), v["hills.specific_yield"]
            ),
            np.where(valley, gravel_sy, v["hills.specific_yield"]),
            np.where(valley, gravel_sy, v["hills.specific_yield"]),
        ]
    )
    return Properties(
        k=k,
        k33=k33,
        ss=v["aquifer.specific_storage"],
        sy=sy,
        porosity=porosity,
        icelltype=[1, 1, 1],
    )


def _periods(v: dict, variant: str):
    """Stress periods, river-stage shifts (m) and recharge factors (-) by period."""
    wet_days = v["recharge.wet_season_days"]
    dry_days = 365.0 - wet_days
    share = v["recharge.wet_season_share"]
    wet_factor = share * 365.0 / wet_days
    dry_factor = (1.0 - share) * 365.0 / dry_days
    if variant == "steady":
        return [StressPeriod()], [0.0], [1.0]
    if variant == "low_stage":
        return [StressPeriod()], [-v["river.dry_drop"]], [dry_factor]
    if variant == "flood_stage":
        return [StressPeriod()], [v["river.flood_rise"]], [wet_factor]
    periods, shift, factor = [StressPeriod()], [0.0], [1.0]
    for _ in range(int(v["recharge.seasonal_years"])):
        periods += [StressPeriod(wet_days, 3, 1.0, False), StressPeriod(dry_days, 4, 1.0, False)]
        shift += [v["river.wet_rise"], -v["river.dry_drop"]]
        factor += [wet_factor, dry_factor]
    return periods, shift, factor


def _river(v: dict, row: int, stage: np.ndarray, dx: float, shift: list) -> Boundary:
    """The river in the top gravel layer: stage falling downstream, bed-K conductance."""
    ncol = len(stage)
    cond = v["river.bed_k"] * v["river.width"] * dx / v["river.bed_thickness"]
    rbot = stage - v["river.depth"] - v["river.bed_thickness"]
    return Boundary(
        "riv",
        RIVER,
        [(_UPPER, row, j) for j in range(ncol)],
        {"stage": stage + shift[0], "cond": cond, "rbot": rbot},
        periods={p: {"stage": stage + s} for p, s in enumerate(shift) if p > 0},
    )


def _recharge(name: str, where: np.ndarray, rate: np.ndarray, factor: list) -> Boundary:
    """Rainfall recharge (m/d) on the active top cells ``where`` (the uppermost active layer:
    under the river channel rain stays in the river)."""
    cells = np.argwhere(where[_CAP] > 0)
    base = rate[tuple(cells.T)]
    return Boundary(
        "rch",
        name,
        [(_CAP, i, j) for i, j in cells],
        {"rate": base * factor[0]},
        periods={p: {"rate": base * f} for p, f in enumerate(factor) if p > 0},
    )


def _seepage(idomain, top, thickness, k33, area) -> Boundary:
    """Drains on the land surface of every active top cell: springs and seepage faces."""
    cells = np.argwhere(idomain[_CAP] > 0)
    i, j = cells.T
    cond = k33[_CAP, i, j] * area[i, j] / (0.5 * thickness[_CAP, i, j])
    return Boundary(
        "drn", "seepage", [(_CAP, a, b) for a, b in cells], {"elev": top[i, j], "cond": cond}
    )


def _upvalley(v: dict, geo: dict, transmissivity: np.ndarray) -> Boundary:
    """Valley underflow into the gravel at the up-valley end: T · Δy · river gradient (m³/d)."""
    rows = np.flatnonzero(geo["valley"])
    cells, rates = [], []
    for lay in (_UPPER, _LOWER):
        for i in rows:
            cells.append((lay, i, 0))
            rates.append(transmissivity[lay - 1, i, 0] * geo["delc"][i] * v["river.gradient"])
    return Boundary("wel", "valley_inflow", cells, {"rate": rates})


def _downvalley(v: dict, geo: dict, k: np.ndarray, thickness: np.ndarray) -> Boundary:
    """Valley underflow out of the gravel at the down-valley end; head continues the river."""
    ncol = k.shape[2]
    d = v["ends.distance"]
    head = v["river.stage_upstream"] - v["river.gradient"] * (v["valley.length"] + d)
    cells, cond = [], []
    for lay in (_UPPER, _LOWER):
        for i in np.flatnonzero(geo["valley"]):
            cells.append((lay, i, ncol - 1))
            cond.append(k[lay, i, ncol - 1] * thickness[lay, i, ncol - 1] * geo["delc"][i] / d)
    return Boundary("ghb", "valley_outflow", cells, {"bhead": head, "cond": cond})


def _wells(v: dict, geo: dict, dx: float, transmissivity: np.ndarray) -> Boundary:
    """The well field: each well screened in both gravel layers, rate split by transmissivity."""
    y_edges = geo["y"] + 0.5 * geo["delc"]  # northern edge of each row, m
    cells, rates = [], []
    for along, across, rate in zip(
        v["wells.along"], v["wells.across"], v["wells.rate"], strict=True
    ):
        col = int((v["valley.length"] / 2 + along) // dx)
        y_well = geo["y"][geo["river_row"]] + across
        row = int(np.flatnonzero(y_edges > y_well)[-1])
        t = transmissivity[:, row, col]
        cells += [(_UPPER, row, col), (_LOWER, row, col)]
        rates += list(-rate * t / t.sum())
    return Boundary("wel", WELLS, cells, {"rate": rates})
