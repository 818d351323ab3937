"""``gwsim.design_network``: detection matrix, HJ 164 layout rules and the well choice in one call."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gwsim.flowfield import FlowField
from gwsim.monitoring.candidates import checked_candidates
from gwsim.monitoring.design import NetworkDesign, choose_wells
from gwsim.monitoring.detection import detection_matrix
from gwsim.monitoring.layout import LayoutRules, layout_sets
from gwsim.solute import Source


def design_network(
    flow: FlowField | Sequence[FlowField],
    sources: Sequence[Source],
    candidates,
    n_wells: int,
    *,
    existing=None,
    window: float = 1000.0,
    receptors: Sequence = (),
    lead_time: float = 0.0,
    detection_limit: float | None = None,
    method: str = "swarm",
    layout: LayoutRules | None = None,
    enterprises: dict[str, object] | None = None,
    recharge_areas: dict[str, object] | None = None,
    weights=None,
    solver: str = "auto",
    time_limit: float = 60.0,
    **detection_options,
) -> NetworkDesign:
    """Design a monitoring network of ``n_wells`` new wells that detects the most leaks in time.

    Parameters
    ----------
    flow : a flow field, or a sequence of them (an ensemble: detection becomes a probability and
        the objective its expected value).
    sources : gwsim.Source leak locations (an enterprise's footprint as several sources); a
        ``mass_rate`` (g/d) each when a ``detection_limit`` is given.
    candidates : (m, 2) or (m, 3) points x, y[, z] (m) where a well could go, e.g. from
        :func:`gwsim.monitoring.candidate_lattice`.
    n_wells : number of new wells to choose.
    existing : (k, 2) or (k, 3) points of wells already there: they are in the network and do not
        count against ``n_wells``; they become candidates ``m .. m + k - 1``.
    window, receptors, lead_time, detection_limit, method, **detection_options : see
        :func:`gwsim.monitoring.detection_matrix` (time window d, supply wells or class-2 zones,
        lead time d, mg/L, "swarm" or "transport", particles, dispersivity, ...).
    layout, enterprises, recharge_areas : HJ 164 rules (:class:`LayoutRules`) to apply, the
        enterprise footprints {name: shapely geometry} they refer to and the drinking-water
        sources' recharge areas {name: geometry} for early-warning wells.
    weights : (n_sources,) weights of the sources in the objective (default equal).
    solver, time_limit : "auto" (MILP, greedy fallback), "milp" or "greedy"; seconds.

    Returns
    -------
    NetworkDesign
        ``.detects`` (n_sources, n_candidates), ``.detection_time`` (d), ``.chosen`` (candidate
        indices, most valuable first), ``.coverage``, ``.marginal``, ``.undetected``.
    """
    points = checked_candidates(candidates)
    first_existing = len(points)
    if existing is not None and len(existing):
        points = np.concatenate([points, checked_candidates(existing)])
    existing_idx = np.arange(first_existing, len(points))
    matrix = detection_matrix(
        flow,
        sources,
        points,
        window=window,
        method=method,
        receptors=receptors,
        lead_time=lead_time,
        detection_limit=detection_limit,
        **detection_options,
    )
    rules = {}
    if layout is not None:
        first = flow if isinstance(flow, FlowField) else flow[0]
        rules = layout_sets(first, points, enterprises or {}, layout, recharge_areas)
    return choose_wells(
        matrix,
        n_wells,
        existing=existing_idx,
        rules=rules,
        weights=weights,
        solver=solver,
        time_limit=time_limit,
    )
