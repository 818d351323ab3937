"""The detection matrix's transport-run alternative: one :func:`gwsim.transport` run per source.

Each source's plume is simulated alone (so that detections can be told apart) at ``n_times``
log-spaced output times up to the window; a station's concentration is its cell's, or the largest
over its column's layers (a multi-level sample); the detection time is the first exceedance of the
detection limit, interpolated linearly between output times (:func:`gwsim.risk.exceedance_time`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gwsim.flowfield import FlowField
from gwsim.monitoring.candidates import Stations
from gwsim.risk import exceedance_time
from gwsim.solute import Source, transport


def transport_detection(
    flow: FlowField,
    sources: Sequence[Source],
    stations: Stations,
    receptors: np.ndarray,
    window: float,
    detection_limit: float,
    *,
    n_times: int = 40,
    **options,
):
    """(time, area, receptor_time) of each source on one flow field by transport runs.

    ``options`` go to :func:`gwsim.transport` (dispersivity, decay, retardation, engine, ...).
    """
    times = np.unique(np.geomspace(window / 200.0, window, n_times).round(6))
    cell_area = flow.grid.cell_area
    time = np.full((len(sources), stations.n), np.inf)
    area = np.full_like(time, np.inf)
    receptor_time = np.full(len(sources), np.inf)
    for s, src in enumerate(sources):
        plume = transport(flow, [src], times, **options)
        c = np.nan_to_num(plume.concentration.values).reshape(len(times), -1)
        by_station = np.zeros((len(times), stations.n))
        np.maximum.at(by_station.T, stations.member_station, c[:, stations.member_node].T)
        for k in range(stations.n):
            t = exceedance_time(times, by_station[:, k], detection_limit)
            time[s, k] = np.inf if t is None else t
        if receptors.size:
            t = exceedance_time(times, c[:, receptors].max(axis=1), detection_limit)
            receptor_time[s] = np.inf if t is None else t
        above = (c.reshape(len(times), *flow.shape) > detection_limit).any(axis=1)
        reached = (above * cell_area[None]).sum(axis=(1, 2))
        finite = np.isfinite(time[s])
        index = np.minimum(np.searchsorted(times, time[s][finite]), len(times) - 1)
        area[s, finite] = reached[index]
    return time, area, receptor_time
