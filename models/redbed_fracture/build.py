"""Nancun (南村乡集镇, Le'an): a red-bed weathered-fracture aquifer as a gwsim spec (m, d).

Conceptual model (values in ``params.toml``, each with its source):

* one hillslope of interbedded sandstone and mudstone, ``slope.width`` along a valley stream and
  ``slope.length`` from the stream up to the groundwater divide (a no-flow edge, as are the two
  lateral edges, taken as flow lines); model x runs down the stream, y up the slope, the grid
  rotated by ``site.stream_direction``;
* terrain-following layers (``grid.layer_thickness``); the horizontal K of the weathered fracture
  zone decays with depth z below the land surface, K(z) = max(K0·exp(−z/λ), K_min), times
  ``k.mudstone_factor`` in mudstone. Beds dip (``beds.dip`` towards ``beds.dip_azimuth``), so a
  cell holds sandstone and mudstone in proportions found by sampling it (3 × 3 in plan, 8 in
  depth): its horizontal K is the arithmetic mean of the samples, its vertical K the harmonic mean
  down each sample column (flow across the beds) times ``k.vertical_ratio``;
* horizontal anisotropy: K along the strike of the main fracture set, ``k.strike_ratio`` times
  that across it (MODFLOW 6 NPF ``angle1``);
* recharge = rainfall × infiltration coefficient on the land surface; the stream along the foot
  of the slope is a RIV boundary with conductance K_bed · width · cell length / bed thickness. With
  these values the water table stays below the land surface everywhere but at the stream; with a
  lower K or more recharge it would rise above it, and gullies and springs (drains at the land
  surface) would have to be added;
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
    nrow = round(v["slope.length"] / cell) + 1  # the stream row, then the slope to the divide
    thickness = np.asarray(v["grid.layer_thickness"], float)
    nlay = len(thickness)
    upslope = (nrow - 1 - np.arange(nrow)) * cell  # (nrow,) distance of row centres from stream
    bed = v["stream.bed_elevation"] - v["stream.gradient"] * (np.arange(ncol) + 0.5) * cell
    hill = v["slope.relief"] * (upslope / upslope.max()) ** v["slope.shape"]
    top = bed[None, :] + v["stream.bank_height"] + hill[:, None]
    botm = top[None] - np.cumsum(thickness)[:, None, None]

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
    site_x, site_y = v["slope.width"] / 2, cell / 2  # the stream point nearest the wells
    origin = grid_origin_at(v["site.lon"], v["site.lat"], v["site.crs"], site_x, site_y, angle)
    grid = Grid(nlay, nrow, ncol, cell, cell, top, botm, *origin, angle, crs=v["site.crs"])
    recharge = (
        convert(
            v["recharge.rainfall"], params["recharge.rainfall"].unit, "m/d", "recharge.rainfall"
        )
        * v["recharge.infiltration_coefficient"]
    )
    boundaries = [
        _stream(v, bed, botm, cell),
        Boundary(
            "rch", "rain", [(0, i, j) for i in range(nrow) for j in range(ncol)], {"rate": recharge}
        ),
        _wells(v, top, botm, k, cell),
    ]
    return ModelSpec(
        name="nancun",
        grid=grid,
        properties=props,
        boundaries=boundaries,
        periods=[StressPeriod()],
        solver=Solver(dvclose=1e-3, rclose=0.1, newton=True),
        description=f"Nancun red-bed weathered-fracture aquifer ({variant}); typical values, see "
        "models/redbed_fracture/params.toml",
    )


def conductivity(v: dict, top: np.ndarray, thickness: np.ndarray, cell: float, angle: float):
    """Horizontal and vertical K (m/d), (nlay, nrow, ncol), of the weathered, interbedded rock.

    Each cell is sampled at ``_PLAN_SAMPLES``² plan points × ``_DEPTH_SAMPLES`` depths. A sample at
    depth z below the land surface and elevation e has K = max(K0·exp(−z/λ), K_min) · f, with f = 1
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
        samples = litho * decay[:, None, None]  # (m, nrow*s, ncol*s)
        vertical = v["k.vertical_ratio"] * m / (1.0 / samples).sum(axis=0)
        k[lay] = samples.mean(axis=0).reshape(nrow, s, ncol, s).mean(axis=(1, 3))
        k33[lay] = vertical.reshape(nrow, s, ncol, s).mean(axis=(1, 3))
    return k, k33


def _stream(v: dict, bed: np.ndarray, botm: np.ndarray, cell: float) -> Boundary:
    """The valley stream along the foot of the slope, in the layer holding its bed bottom."""
    row = botm.shape[1] - 1
    rbot = bed - v["stream.bed_thickness"]
    layers = [int(np.argmax(botm[:, row, j] <= rbot[j])) for j in range(len(bed))]
    cond = v["stream.bed_k"] * v["stream.width"] * cell / v["stream.bed_thickness"]
    return Boundary(
        "riv",
        STREAM,
        [(lay, row, j) for j, lay in enumerate(layers)],
        {"stage": bed + v["stream.depth"], "cond": cond, "rbot": rbot},
    )


def _wells(v: dict, top, botm, k: np.ndarray, cell: float) -> Boundary:
    """The township's wells, screened where the layer centres lie within the screen depths."""
    nrow = top.shape[0]
    cells, rates = [], []
    for along, upslope, rate in zip(
        v["wells.along"], v["wells.upslope"], v["wells.rate"], strict=True
    ):
        col = int((v["slope.width"] / 2 + along) // cell)
        row = nrow - 1 - round(upslope / cell)
        cell_top = np.concatenate([[top[row, col]], botm[:-1, row, col]])
        mid_depth = top[row, col] - 0.5 * (cell_top + botm[:, row, col])
        screened = np.flatnonzero(
            (mid_depth >= v["wells.screen_top"]) & (mid_depth <= v["wells.screen_bottom"])
        )
        t = k[screened, row, col] * (cell_top - botm[:, row, col])[screened]
        cells += [(int(lay), row, col) for lay in screened]
        rates += list(-rate * t / t.sum())
    return Boundary("wel", WELLS, cells, {"rate": rates})
