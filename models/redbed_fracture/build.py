"""Nancun (南村乡集镇, Le'an): a red-bed weathered-fracture aquifer as a gwsim spec (m, d).

Conceptual model (values in ``params.toml``, each with its source):

* the small catchment of a valley stream in interbedded sandstone and mudstone, ``slope.width``
  along the stream, from the divide ``slope.length`` above the wells' (northern) bank to the divide
  ``slope.opposite_length`` above the opposite bank. The divides are no-flow edges (one inactive
  row beyond each, so that a zone reaching a divide is not cut by the model); the two lateral edges
  are taken as flow lines (no-flow). Model x runs down the stream, y across it, the grid rotated by
  ``site.stream_direction``. Gullies (``gullies.*``) cut V-shaped into both slopes;
* terrain-following layers (``grid.layer_thickness``); the horizontal K of the weathered fracture
  zone decays with depth z below the land surface, K(z) = max(K0·exp(−z/λ), K_min) down to the
  base of the weathered zone ``k.weathered_base``, and is K_min (fresh rock) below it, times
  ``k.mudstone_factor`` in mudstone. Beds dip (``beds.dip`` towards ``beds.dip_azimuth``), so a
  cell holds sandstone and mudstone in proportions found by sampling it (3 × 3 in plan, 8 in
  depth): its horizontal K is the arithmetic mean of the samples, its vertical K the harmonic mean
  down each sample column (flow across the beds) times ``k.vertical_ratio``;
* horizontal anisotropy: K along the strike of the main fracture set, ``k.strike_ratio`` times
  that across it (MODFLOW 6 NPF ``angle1``);
* recharge = rainfall × infiltration coefficient on the land surface; the stream between the two
  slopes is a RIV boundary with conductance K_bed · width · cell length / bed thickness;
  ``seepage`` drains on the land surface of every active top cell take out the water where the
  water table reaches it (springs in the gullies and at the footslopes), conductance = vertical K
  × cell area / half the top layer's thickness;
* the township's wells (``nancun_wells``) are screened in the weathered zone, each well's rate split
  over its screened layers by transmissivity.

One variant, ``steady`` (mean conditions). The dual-domain transport parameters
(``transport.*``) are not used here; transport reads them.
"""

from __future__ import annotations

import numpy as np

from gwsim.params import Param, convert
from gwsim.spec import Boundary, Grid, ModelSpec, Properties, Solver, StressPeriod, grid_origin_at

VARIANTS = ("steady",)
WELLS = "nancun_wells"
STREAM = "stream"
_PLAN_SAMPLES = 3  # per cell side
_DEPTH_SAMPLES = 8  # per layer


def build_spec(params: dict[str, Param], variant: str) -> ModelSpec:
    """The Nancun red-bed model for ``variant`` ("steady") from its parameters."""
    v = {key: p.value for key, p in params.items()}
    cell = v["grid.cell_size"]
    ncol = round(v["slope.width"] / cell)
    n_north, n_south = round(v["slope.length"] / cell), round(v["slope.opposite_length"] / cell)
    nrow = n_north + n_south + 3  # beyond the divide, the northern slope, the stream, ... , beyond
    stream_row = n_north + 1
    thickness = np.asarray(v["grid.layer_thickness"], float)
    nlay = len(thickness)
    x = (np.arange(ncol) + 0.5) * cell  # cell centres along the stream, m
    bed = v["stream.bed_elevation"] - v["stream.gradient"] * x
    top = bed[None, :] + v["stream.bank_height"] + _hills(v, stream_row, nrow, x)
    botm = top[None] - np.cumsum(thickness)[:, None, None]
    idomain = np.ones((nlay, nrow, ncol), int)
    idomain[:, [0, -1], :] = 0  # beyond the divides

    angle = v["site.stream_direction"]
    k, k33 = conductivity(v, top, thickness, cell, angle)
    props = Properties(
        k=k,
        k22=k * v["k.strike_ratio"],
        k33=k33,
        angle1=90.0 - v["fractures.strike"] - angle,
        ss=v["fractures.specific_storage"],
        sy=v["fractures.specific_yield"],
        porosity=v["fractures.porosity"],
        icelltype=1,
    )
    site_x = v["slope.width"] / 2  # the stream point nearest the wells
    site_y = (nrow - stream_row - 0.5) * cell
    origin = grid_origin_at(v["site.lon"], v["site.lat"], v["site.crs"], site_x, site_y, angle)
    grid = Grid(nlay, nrow, ncol, cell, cell, top, botm, *origin, angle, idomain, v["site.crs"])
    recharge = (
        convert(
            v["recharge.rainfall"], params["recharge.rainfall"].unit, "m/d", "recharge.rainfall"
        )
        * v["recharge.infiltration_coefficient"]
    )
    active = np.argwhere(idomain[0] > 0)
    boundaries = [
        _stream(v, stream_row, bed, botm, cell),
        Boundary("rch", "rain", [(0, i, j) for i, j in active], {"rate": recharge}),
        _seepage(active, top, thickness[0], k33[0], cell),
        _wells(v, stream_row, top, botm, k, cell),
    ]
    return ModelSpec(
        name="nancun",
        grid=grid,
        properties=props,
        boundaries=boundaries,
        periods=[StressPeriod()],
        # under-relaxation weights that recover by 0.1 per outer iteration, not IMS's 1e-4: with
        # 1e-4 a cell whose weight had been cut crept by millimetres per iteration and missed 400
        # iterations in 5 of 30 realizations of the uncertainty ranges
        solver=Solver(
            dvclose=1e-3, rclose=0.1, newton=True, outer_maximum=400, under_relaxation_kappa=0.1
        ),
        description=f"Nancun red-bed weathered-fracture aquifer ({variant}); typical values, see "
        "models/redbed_fracture/params.toml",
    )


def _hills(v: dict, stream_row: int, nrow: int, x: np.ndarray) -> np.ndarray:
    """(nrow, ncol) land surface above the stream banks (m): both slopes, rising as
    relief·(d/length)^shape with distance d from the stream, less the V-shaped gullies."""
    cell = v["grid.cell_size"]
    rows = np.arange(nrow)
    rise = np.zeros((nrow, len(x)))
    sides = (
        (rows < stream_row, "slope.length", "slope.relief", "gullies.along_north"),
        (
            rows > stream_row,
            "slope.opposite_length",
            "slope.opposite_relief",
            "gullies.along_south",
        ),
    )
    for side, length, relief, gullies in sides:
        d = np.clip(np.abs(rows - stream_row) * cell, 0.0, v[length])[:, None]
        rise[side] = (v[relief] * (d / v[length]) ** v["slope.shape"])[side] * np.ones(len(x))
        head = 1.0 - d / (v["gullies.reach"] * v[length])  # 1 at the stream .. 0 at its head
        for along in v[gullies]:
            across = 1.0 - np.abs(x - (v["slope.width"] / 2 + along)) / v["gullies.half_width"]
            cut = v["gullies.depth"] * np.clip(head, 0.0, 1.0) * np.clip(across, 0.0, 1.0)[None]
            rise[side] = np.minimum(rise[side], (rise - cut)[side])
    return rise


def conductivity(v: dict, top: np.ndarray, thickness: np.ndarray, cell: float, angle: float):
    """Horizontal and vertical K (m/d), (nlay, nrow, ncol), of the weathered, interbedded rock.

    Each cell is sampled at ``_PLAN_SAMPLES``² plan points × ``_DEPTH_SAMPLES`` depths. A sample at
    depth z below the land surface and elevation e has K = max(K0·exp(−z/λ), K_min) · f above the
    base of the weathered zone (``k.weathered_base``) and K_min · f below it, with f = 1
    in sandstone and ``k.mudstone_factor`` in mudstone; the bed is found from the stratigraphic
    height e + tan(dip)·(distance along the dip direction), periodic with the sandstone + mudstone
    thickness. Horizontal K: arithmetic mean of the samples; vertical K: harmonic mean down each
    sample column times ``k.vertical_ratio``, averaged over the columns.
    """
    nrow, ncol = top.shape
    nlay = len(thickness)
    s, m = _PLAN_SAMPLES, _DEPTH_SAMPLES
    frac = (np.arange(s) + 0.5) / s
    xs = ((np.arange(ncol)[:, None] + frac) * cell).reshape(-1)  # (ncol*s,) local x
    ys = ((nrow - np.arange(nrow)[:, None] - frac) * cell).reshape(-1)  # (nrow*s,) local y
    dip_az = np.deg2rad(v["beds.dip_azimuth"])
    east, north = np.sin(dip_az), np.cos(dip_az)  # dip direction in map coordinates
    a = np.deg2rad(angle)
    along_dip = xs[None, :] * (east * np.cos(a) + north * np.sin(a)) + ys[:, None] * (
        -east * np.sin(a) + north * np.cos(a)
    )
    surface = np.repeat(np.repeat(top, s, axis=0), s, axis=1)  # (nrow*s, ncol*s)
    bounds = np.concatenate([[0.0], np.cumsum(thickness)])
    period = v["beds.sandstone_thickness"] + v["beds.mudstone_thickness"]
    k = np.empty((nlay, nrow, ncol))
    k33 = np.empty((nlay, nrow, ncol))
    for lay in range(nlay):
        depth = bounds[lay] + (np.arange(m) + 0.5) / m * thickness[lay]  # (m,)
        elevation = surface[None] - depth[:, None, None]
        strat = (elevation + np.tan(np.deg2rad(v["beds.dip"])) * along_dip[None]) % period
        litho = np.where(strat < v["beds.sandstone_thickness"], 1.0, v["k.mudstone_factor"])
        decay = np.maximum(v["k.k0"] * np.exp(-depth / v["k.decay_length"]), v["k.minimum"])
        decay[depth > v["k.weathered_base"]] = v["k.minimum"]  # fresh rock
        samples = litho * decay[:, None, None]  # (m, nrow*s, ncol*s)
        vertical = v["k.vertical_ratio"] * m / (1.0 / samples).sum(axis=0)
        k[lay] = samples.mean(axis=0).reshape(nrow, s, ncol, s).mean(axis=(1, 3))
        k33[lay] = vertical.reshape(nrow, s, ncol, s).mean(axis=(1, 3))
    return k, k33


def _stream(v: dict, row: int, bed: np.ndarray, botm: np.ndarray, cell: float) -> Boundary:
    """The valley stream between the two slopes, in the layer holding its bed bottom."""
    rbot = bed - v["stream.bed_thickness"]
    layers = [int(np.argmax(botm[:, row, j] <= rbot[j])) for j in range(len(bed))]
    cond = v["stream.bed_k"] * v["stream.width"] * cell / v["stream.bed_thickness"]
    return Boundary(
        "riv",
        STREAM,
        [(lay, row, j) for j, lay in enumerate(layers)],
        {"stage": bed + v["stream.depth"], "cond": cond, "rbot": rbot},
    )


def _seepage(active: np.ndarray, top, thickness: float, k33: np.ndarray, cell: float) -> Boundary:
    """Drains on the land surface of every active top cell: springs and seepage faces."""
    i, j = active.T
    cond = k33[i, j] * cell**2 / (0.5 * thickness)
    return Boundary(
        "drn", "seepage", [(0, a, b) for a, b in active], {"elev": top[i, j], "cond": cond}
    )


def _wells(v: dict, stream_row: int, top, botm, k: np.ndarray, cell: float) -> Boundary:
    """The township's wells, screened where the layer centres lie within the screen depths."""
    cells, rates = [], []
    for along, upslope, rate in zip(
        v["wells.along"], v["wells.upslope"], v["wells.rate"], strict=True
    ):
        col = int((v["slope.width"] / 2 + along) // cell)
        row = stream_row - round(upslope / cell)
        cell_top = np.concatenate([[top[row, col]], botm[:-1, row, col]])
        mid_depth = top[row, col] - 0.5 * (cell_top + botm[:, row, col])
        screened = np.flatnonzero(
            (mid_depth >= v["wells.screen_top"]) & (mid_depth <= v["wells.screen_bottom"])
        )
        t = k[screened, row, col] * (cell_top - botm[:, row, col])[screened]
        cells += [(int(lay), row, col) for lay in screened]
        rates += list(-rate * t / t.sum())
    return Boundary("wel", WELLS, cells, {"rate": rates})
