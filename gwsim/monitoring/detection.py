"""The detection matrix: which candidate well sees which leak, when, and how big the plume is then.

A candidate detects a source when the source's plume reaches the candidate's cell (or column) above
a detection limit within the time window, and before the plume reaches a receptor (a supply well or
a class-2 protection zone) minus a lead time (e.g. one sampling interval). Two ways to compute it:

``method="swarm"`` (default): a particle swarm with dispersion (:mod:`gwsim.monitoring.swarm`),
``particles`` per source, released at t = 0 and followed for the window. For a continuous leak
of ṁ g/d the flux-averaged concentration of a cell that a share G(t) of the swarm has passed by
time t is c(t) = ṁ·G(t)/Q (mg/L; Q the water flowing through the cell, m³/d; a continuous release
is the sum of instantaneous ones, so its mass flux through the cell at t is ṁ times the share of
an instantaneous swarm arrived by t). The cell detects when c reaches the detection limit, i.e.
when G reaches DL·Q/ṁ; without a limit (``detection_limit=None``) when G reaches ``min_share``.
It is the default because one tracking pass serves every source and candidate (a transport run
would be needed per source to tell sources apart), it has no numerical dispersion and no Courant
limits, it is cheap enough for ensembles of flow fields, and it does not rely on MODFLOW 6.4.1 GWT,
whose dispersion is wrong for flow oblique to the grid (see :mod:`gwsim.risk`).

``method="transport"``: one :func:`gwsim.transport` run per source (its ``mass_rate``, ``start`` and
``stop``), the cell's concentration compared with the detection limit (a column: its largest layer,
a multi-level sample) and the first exceedance interpolated between output times. Slower; it adds
sorption, decay and transient source terms.

Receptor arrival: the first time the plume exceeds the detection limit (or ``min_share``) in any
receptor cell, by the same rule as at the candidates. Contaminated area at detection: the map area of the cells the swarm has reached
(swarm) or where the limit is exceeded (transport) at the detection time, m².

With several flow fields (an ensemble), everything is computed per field; a candidate's detection
probability for a source is the share of fields in which it detects (equal weights).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from gwsim.flowfield import FlowField
from gwsim.monitoring.candidates import Stations, cell_stations, resolve_stations
from gwsim.monitoring.detection_transport import transport_detection
from gwsim.monitoring.errors import MonitoringError
from gwsim.monitoring.sources import mass_rates, receptor_nodes, source_points
from gwsim.monitoring.swarm import Visits, random_walk
from gwsim.solute import Source

METHODS = ("swarm", "transport")


@dataclass
class DetectionMatrix:
    """Detections of ``n_sources`` leaks by ``n_candidates`` wells in ``n_fields`` flow fields.

    Attributes
    ----------
    detects : (n_fields, n_sources, n_candidates) bool, detected in time (see the module).
    time : same shape, detection time, d since the leak started (inf where not detected).
    area : same shape, contaminated map area at detection, m² (inf where not detected).
    receptor_time : (n_fields, n_sources) arrival at the nearest receptor, d (inf: never).
    candidates : (n_candidates, 3) x, y, z (NaN: whole column), m.
    method, window (d), lead_time (d): how it was computed.
    """

    detects: np.ndarray
    time: np.ndarray
    area: np.ndarray
    receptor_time: np.ndarray
    candidates: np.ndarray
    method: str
    window: float
    lead_time: float = 0.0

    @property
    def n_fields(self) -> int:
        return self.detects.shape[0]

    @property
    def n_sources(self) -> int:
        return self.detects.shape[1]

    @property
    def n_candidates(self) -> int:
        return self.detects.shape[2]

    @property
    def probability(self) -> np.ndarray:
        """(n_sources, n_candidates) share of flow fields in which the candidate detects."""
        return self.detects.mean(axis=0)

    @property
    def mean_time(self) -> np.ndarray:
        """(n_sources, n_candidates) mean detection time over the fields that detect, d."""
        hits = self.detects.sum(axis=0)
        total = np.where(self.detects, self.time, 0.0).sum(axis=0)
        return np.where(hits > 0, total / np.maximum(hits, 1), np.inf)

    @property
    def undetectable(self) -> np.ndarray:
        """Indices of the sources no candidate detects in any field."""
        return np.flatnonzero(~self.detects.any(axis=(0, 2)))


# ---------------------------------------------------------------------- flows through stations
def cell_throughflow(flow: FlowField, step: int = -1) -> np.ndarray:
    """(nlay, nrow, ncol) water entering each cell through its faces and from sources, m³/d."""
    inflow = np.zeros(flow.shape)
    faces = (flow.flow_right_face[step], flow.flow_front_face[step], flow.flow_lower_face[step])
    for axis, q in zip((2, 1, 0), faces, strict=True):
        inflow += np.maximum(-q, 0.0)  # from the neighbour on the + side
        ahead = [slice(None)] * 3
        behind = [slice(None)] * 3
        ahead[axis], behind[axis] = slice(1, None), slice(None, -1)
        inflow[tuple(ahead)] += np.maximum(q[tuple(behind)], 0.0)
    for q in flow.sources.values():
        inflow += np.maximum(q[step], 0.0)
    return inflow


def station_throughflow(flow: FlowField, stations: Stations, step: int = -1) -> np.ndarray:
    """(k,) water flowing through each station, m³/d: a cell's inflow, or a column's inflow from
    outside the column (vertical exchange between its own cells not counted twice)."""
    inflow = cell_throughflow(flow, step).ravel()
    lower = np.abs(flow.flow_lower_face[step]).ravel()
    q = np.zeros(stations.n)
    np.add.at(q, stations.member_station, inflow[stations.member_node])
    below = stations.member_node + flow.shape[1] * flow.shape[2]  # the cell underneath
    key = stations.member_node * stations.n + stations.member_station
    internal = np.isin(below * stations.n + stations.member_station, key)
    np.add.at(q, stations.member_station[internal], -lower[stations.member_node[internal]])
    return np.maximum(q, 1e-12)


# ---------------------------------------------------------------------- swarm
def _first_station_arrivals(visits: Visits, stations: Stations, per_source: int):
    """(source, station, t) of each particle's first arrival at each station, sorted by source,
    station and time."""
    which, station = stations.stations_of_nodes(visits.node)
    particle, t = visits.particle[which], visits.t[which]
    order = np.lexsort((t, station, particle))
    particle, station, t = particle[order], station[order], t[order]
    first = np.ones(particle.size, bool)
    first[1:] = (particle[1:] != particle[:-1]) | (station[1:] != station[:-1])
    source = particle[first] // per_source
    station, t = station[first], t[first]
    order = np.lexsort((t, station, source))
    return source[order], station[order], t[order]


def _kth_arrival(source, station, t, required: np.ndarray) -> np.ndarray:
    """(n_sources, n_stations) time of the ``required[s, k]``-th arrival, inf if fewer arrive."""
    out = np.full(required.shape, np.inf)
    if source.size == 0:
        return out
    new = np.ones(source.size, bool)
    new[1:] = (source[1:] != source[:-1]) | (station[1:] != station[:-1])
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, source.size))
    s, k = source[starts], station[starts]
    need = required[s, k]
    ok = sizes >= need
    out[s[ok], k[ok]] = t[starts[ok] + need[ok] - 1]
    return out


def _swarm_area(flow: FlowField, visits: Visits, per_source: int, times: np.ndarray):
    """(n_sources, n_stations) map area (m²) the swarm of each source reached by ``times``."""
    ncol_rc = flow.shape[1] * flow.shape[2]
    cell_area = flow.grid.cell_area.ravel()
    source = visits.particle // per_source
    column = visits.node % ncol_rc
    order = np.lexsort((visits.t, column, source))
    source, column, t = source[order], column[order], visits.t[order]
    first = np.ones(source.size, bool)
    first[1:] = (source[1:] != source[:-1]) | (column[1:] != column[:-1])
    source, column, t = source[first], column[first], t[first]
    area = np.full(times.shape, np.inf)
    for s in range(times.shape[0]):
        mine = source == s
        order = np.argsort(t[mine])
        ts, reached = t[mine][order], np.cumsum(cell_area[column[mine][order]])
        finite = np.isfinite(times[s])
        n = np.searchsorted(ts, times[s][finite], side="right")
        area[s, finite] = np.where(n > 0, reached[np.maximum(n - 1, 0)], 0.0)
    return area


def swarm_detection(
    flow: FlowField,
    points: np.ndarray,
    stations: Stations,
    receptors: Stations,
    window: float,
    *,
    particles: int,
    n_steps: int,
    dispersivity,
    share: Callable[[Stations], np.ndarray],
    seed: int,
):
    """Detection time, area and receptor time of each source on one flow field (swarm method).

    ``share(stations)`` gives the (n_sources, n_stations) share G of a source's swarm that must
    pass a station for its concentration to reach the limit; a receptor is reached when one of its
    cells is. Returns (time, area, receptor_time).
    """
    xyz = np.repeat(points, particles, axis=0)
    visits = random_walk(
        flow, xyz, "forward", window, n_steps=n_steps, dispersivity=dispersivity, seed=seed
    )

    def arrival(where: Stations) -> np.ndarray:
        required = np.ceil(share(where) * particles - 1e-9)
        required = np.maximum(required, 1).astype(np.int64)
        return _kth_arrival(*_first_station_arrivals(visits, where, particles), required)

    time = arrival(stations)
    receptor_time = arrival(receptors).min(axis=1, initial=np.inf)
    return time, _swarm_area(flow, visits, particles, time), receptor_time


# ---------------------------------------------------------------------- public
def _flows(flow) -> list[FlowField]:
    flows = [flow] if isinstance(flow, FlowField) else list(flow)
    if not flows or not all(isinstance(f, FlowField) for f in flows):
        raise MonitoringError("flow must be a gwsim.FlowField or a sequence of them (an ensemble)")
    shapes = {f.shape for f in flows}
    if len(shapes) > 1:
        raise MonitoringError(f"the ensemble's flow fields have different grids {sorted(shapes)}")
    return flows


def detection_matrix(
    flow: FlowField | Sequence[FlowField],
    sources: Sequence[Source],
    candidates,
    *,
    window: float = 1000.0,
    method: str = "swarm",
    receptors: Sequence = (),
    lead_time: float = 0.0,
    detection_limit: float | None = None,
    min_share: float = 0.05,
    particles: int = 200,
    n_steps: int = 25,
    dispersivity=(10.0, 1.0, 0.1),
    seed: int = 0,
    transport_options: dict | None = None,
) -> DetectionMatrix:
    """Which candidate detects which source, when, on one flow field or an ensemble.

    Parameters
    ----------
    flow : a flow field, or a sequence of them (an ensemble; detection becomes a probability).
    sources : gwsim.Source leak locations (several per enterprise footprint if wanted).
    candidates : (m, 2) or (m, 3) points x, y[, z], m (see :mod:`.candidates`).
    window : time window, d: a detection counts only within it.
    method : "swarm" (default) or "transport" (see the module docstring).
    receptors : well names / (x, y) of supply wells, or shapely polygons (class-2 zones): a
        detection counts only ``lead_time`` days or more before the plume reaches one.
    lead_time : d, e.g. the sampling interval.
    detection_limit : mg/L; needs each source's ``mass_rate`` (g/d). None: detect when a share
        ``min_share`` of the swarm has passed (swarm method only).
    particles, n_steps, dispersivity, seed : swarm options (dispersivity (α_L, α_TH, α_TV), m).
    transport_options : keyword arguments of :func:`gwsim.transport` (method "transport").

    Returns
    -------
    DetectionMatrix
    """
    if method not in METHODS:
        raise MonitoringError(f"method must be one of {METHODS}, not {method!r}")
    if not (np.isfinite(window) and window > 0):
        raise MonitoringError(f"window must be a positive number of days, not {window!r}")
    if not lead_time >= 0:
        raise MonitoringError(f"lead_time must be >= 0 d, not {lead_time!r}")
    if not (isinstance(particles, int) and particles >= 1):
        raise MonitoringError(f"particles must be a positive integer, not {particles!r}")
    if not 0 < min_share <= 1:
        raise MonitoringError(f"min_share must be in (0, 1], not {min_share!r}")
    if method == "transport" and detection_limit is None:
        raise MonitoringError("method='transport' needs a detection_limit in mg/L")
    if detection_limit is not None and not detection_limit > 0:
        raise MonitoringError(f"detection_limit must be > 0 mg/L, not {detection_limit!r}")
    flows = _flows(flow)
    sources = list(sources)
    rates = mass_rates(sources) if detection_limit is not None else None
    shape = (len(flows), len(sources))
    results = []
    for f, field in enumerate(flows):
        points = source_points(field, sources)
        stations = resolve_stations(field, candidates)
        receptors_f = receptor_nodes(field, receptors)
        receptor_cells = cell_stations(field, receptors_f)
        if method == "transport":
            results.append(
                transport_detection(
                    field,
                    sources,
                    stations,
                    receptors_f,
                    window,
                    detection_limit,
                    **(transport_options or {}),
                )
            )
            continue

        def share(where: Stations, field=field) -> np.ndarray:
            if rates is None:
                return np.full((len(sources), where.n), float(min_share))
            return detection_limit * station_throughflow(field, where)[None] / rates[:, None]

        results.append(
            swarm_detection(
                field,
                points,
                stations,
                receptor_cells,
                window,
                particles=particles,
                n_steps=n_steps,
                dispersivity=dispersivity,
                share=share,
                seed=seed + f,
            )
        )
    of_candidate = stations.of_candidate
    time = np.stack([r[0] for r in results])[..., of_candidate]
    area = np.stack([r[1] for r in results])[..., of_candidate]
    receptor_time = np.stack([r[2] for r in results]).reshape(shape)
    detects = (time <= window) & (time + lead_time <= receptor_time[..., None])
    return DetectionMatrix(
        detects=detects,
        time=np.where(detects, time, np.inf),
        area=np.where(detects, area, np.inf),
        receptor_time=receptor_time,
        candidates=stations.points,
        method=method,
        window=float(window),
        lead_time=float(lead_time),
    )
