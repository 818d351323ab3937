"""Which enterprise does a detection point to? Backward dispersive tracking from the sampled wells.

From every sampled well a swarm is tracked backward (:mod:`gwsim.monitoring.swarm`) for the largest
travel time of its window. The share π_w(x) of the swarm of well w that passes under map cell x
with a travel time inside w's window ``(t_min, t_max)`` is the probability that water sampled at w
passed under x that long before (the backward location probability of Neupauer & Wilson 1999,
integrated over the window). An enterprise e's share f_we is the share that passes under any cell
of its footprint.

Likelihood of enterprise e (one leak, wells sampled independently):

    log L_e = Σ_{w detecting} log f_we + Σ_{w not detecting} log(1 − f_we) + concentration term

with f clipped to [1/(2N), 1 − 1/(2N)] (N particles per well) so that one particle more or less
never rules an enterprise out. The concentration term compares the detected concentrations with
the shares: a leak of unknown strength k gives c_w ≈ k·f_we, so the residuals
r_w = ln c_w − ln f_we share one mean; term = −Σ (r_w − r̄)² / (2σ²) (σ = ``log_sigma``, a factor
e by default). Posterior probabilities are L_e × prior, normalised. The origin map is the same
likelihood for every map cell, normalised over the map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from gwsim.flowfield import FlowField
from gwsim.monitoring.candidates import resolve_stations
from gwsim.monitoring.errors import MonitoringError
from gwsim.monitoring.swarm import random_walk
from gwsim.risk.leaks import footprint_columns


@dataclass(frozen=True)
class Detection:
    """A sampled well: position (x, y[, z], m), the travel-time window (t_min, t_max) in days
    within which a leak's water would have reached it, and the concentration found (mg/L; None
    or at most the detection limit: not detected)."""

    well: tuple
    window: tuple[float, float]
    concentration: float | None = None
    name: str = ""


@dataclass
class Attribution:
    """Enterprises ranked by how well each explains the detections and non-detections.

    Attributes
    ----------
    ranking : one row per enterprise, most probable first: name, probability, log_likelihood and
        the share f_we for each well.
    shares : (n_wells, n_enterprises) f_we (see the module docstring).
    origin : (y, x) map of the probability that the leak started under each cell (sums to 1).
    detected : (n_wells,) which samples count as detections.
    """

    ranking: list[dict]
    shares: np.ndarray
    origin: xr.DataArray
    detected: np.ndarray

    @property
    def most_likely(self) -> str:
        return self.ranking[0]["enterprise"]


def _footprints(candidates) -> dict[str, object]:
    if isinstance(candidates, dict):
        return dict(candidates)
    out = {}
    for item in candidates:
        if not (hasattr(item, "name") and hasattr(item, "footprint")):
            raise MonitoringError(
                "candidates must be {name: footprint geometry} or objects with .name and "
                ".footprint (gwsim.Enterprise)"
            )
        out[item.name] = item.footprint
    return out


def _well_points(flow: FlowField, well, n: int) -> np.ndarray:
    """(n, 3) start points in a well's screen: at z, or spread through its column's saturated
    thickness."""
    station = resolve_stations(flow, [well], "detection wells")
    x, y = station.points[0, :2]
    layer, row, col = station.cells[0]
    if layer >= 0:
        return np.tile(station.points[0], (n, 1))
    wet = np.flatnonzero(
        (flow.grid.idomain[:, row, col] > 0) & (flow.saturation[0, :, row, col] > 0)
    )
    top = flow.grid.botm[wet[0], row, col] + flow.saturated_thickness[0, wet[0], row, col]
    bottom = flow.grid.botm[wet[-1], row, col]
    z = bottom + (top - bottom) * (np.arange(n) + 0.5) / n
    return np.column_stack([np.full(n, x), np.full(n, y), z])


def _passing(flow: FlowField, visits, window, n: int, footprints: dict[str, np.ndarray]):
    """Share of a swarm passing under each map cell, and under each footprint (a set of map
    cells), within the travel-time window: ((nrow * ncol,), (n_footprints,))."""
    ncell2d = flow.shape[1] * flow.shape[2]
    inside = (visits.t >= window[0]) & (visits.t <= window[1])
    particle, column = visits.particle[inside], visits.node[inside] % ncell2d
    key = np.unique(np.column_stack([particle, column]), axis=0)
    by_cell = np.bincount(key[:, 1], minlength=ncell2d) / n
    by_footprint = np.array(
        [np.unique(key[np.isin(key[:, 1], cells), 0]).size / n for cells in footprints.values()]
    )
    return by_cell, by_footprint


def attribute_source(
    flow: FlowField,
    detections: Sequence[Detection],
    candidates,
    *,
    detection_limit: float = 0.0,
    particles: int = 500,
    n_steps: int = 25,
    dispersivity=(10.0, 1.0, 0.1),
    prior=None,
    log_sigma: float | None = 1.0,
    seed: int = 0,
) -> Attribution:
    """Rank candidate enterprises as the origin of detected contamination (see the module).

    Parameters
    ----------
    flow : the flow field.
    detections : :class:`Detection` s, detecting and not (at least one detecting).
    candidates : {name: footprint} (shapely Polygon or Point, model coordinates) or
        gwsim.Enterprise objects.
    detection_limit : mg/L; a concentration above it is a detection.
    particles, n_steps, dispersivity, seed : backward swarm options (dispersivity in m).
    prior : {name: prior probability}, default equal.
    log_sigma : spread of ln-concentration residuals (see the module docstring); None leaves the
        concentrations out (only detected or not counts), e.g. for illustrative samples.
    """
    footprints = _footprints(candidates)
    if not footprints:
        raise MonitoringError("no candidate enterprises given")
    detections = list(detections)
    detected = np.array(
        [d.concentration is not None and d.concentration > detection_limit for d in detections]
    )
    if not detected.any():
        raise MonitoringError(
            "no sample exceeds the detection limit: attribution needs at least one detection"
        )
    for d in detections:
        t_min, t_max = d.window
        if not 0 <= t_min < t_max < np.inf:
            raise MonitoringError(
                f"detection {d.name or d.well}: window {d.window} must be 0 <= t_min < t_max d"
            )
    columns = {}
    for name, fp in footprints.items():
        rows, cols = footprint_columns(flow, fp, f"candidates[{name!r}]")
        columns[name] = np.ravel_multi_index((rows, cols), flow.shape[1:])
    names = list(footprints)
    passing = np.empty((len(detections), flow.shape[1] * flow.shape[2]))
    shares = np.empty((len(detections), len(names)))
    for i, d in enumerate(detections):
        xyz = _well_points(flow, d.well, particles)
        visits = random_walk(
            flow,
            xyz,
            "backward",
            d.window[1],
            n_steps=n_steps,
            dispersivity=dispersivity,
            seed=seed + i,
        )
        passing[i], shares[i] = _passing(flow, visits, d.window, particles, columns)
    eps = 0.5 / particles
    loglik = _log_likelihood(shares, detected, detections, eps, log_sigma)
    log_prior = np.log(_prior(prior, names))
    post = np.exp(loglik + log_prior - (loglik + log_prior).max())
    post /= post.sum()
    order = np.argsort(-post, kind="stable")
    ranking = [
        {
            "enterprise": names[j],
            "probability": round(float(post[j]), 4),
            "log_likelihood": round(float(loglik[j]), 3),
            **{
                f"share_{d.name or i}": round(float(shares[i, j]), 4)
                for i, d in enumerate(detections)
            },
        }
        for j in order
    ]
    return Attribution(
        ranking=ranking,
        shares=shares,
        origin=_origin_map(flow, passing, detected, eps),
        detected=detected,
    )


def _prior(prior, names) -> np.ndarray:
    if prior is None:
        return np.full(len(names), 1.0 / len(names))
    p = np.array([float(prior.get(n, 0.0)) for n in names])
    if not (p >= 0).all() or not p.sum() > 0:
        raise MonitoringError("prior must give non-negative probabilities, not all zero")
    return np.maximum(p / p.sum(), 1e-300)


def _log_likelihood(shares, detected, detections, eps, log_sigma) -> np.ndarray:
    f = np.clip(shares, eps, 1 - eps)
    loglik = np.log(f[detected]).sum(axis=0) + np.log(1 - f[~detected]).sum(axis=0)
    conc = np.array([d.concentration or 0.0 for d in detections])
    measured = detected & (conc > 0)
    if log_sigma is not None and measured.sum() >= 2:
        r = np.log(conc[measured])[:, None] - np.log(f[measured])
        loglik -= ((r - r.mean(axis=0)) ** 2).sum(axis=0) / (2 * log_sigma**2)
    return loglik


def _origin_map(flow: FlowField, passing, detected, eps) -> xr.DataArray:
    """(y, x) probability that the leak started under each active cell: the likelihood of the
    module docstring with the per-cell shares (clipped as the enterprises'), normalised."""
    f = np.clip(passing, eps, 1 - eps)
    log_map = np.log(f[detected]).sum(axis=0) + np.log(1 - f[~detected]).sum(axis=0)
    active = (flow.grid.idomain > 0).any(axis=0).ravel()
    weights = np.where(active, np.exp(log_map - log_map[active].max()), 0.0)
    prob = (weights / weights.sum()).reshape(flow.shape[1:])
    coords = {k: v for k, v in flow.grid.coords().items() if k != "layer"}
    return xr.DataArray(
        prob,
        dims=("y", "x"),
        coords=coords,
        name="origin_probability",
        attrs={"units": "1", "long_name": "probability that the leak started under the cell"},
    )
