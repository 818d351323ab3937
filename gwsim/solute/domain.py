"""The transport domain: the cells a run's plume can reach, and the ring of cells around them.

Rule (:func:`reach_domain`): particles start on a 2 × 2 × 2 lattice in every source cell and are
tracked forward (:func:`gwsim.track`, the transport's mobile porosity, no retardation, so they
move as fast as an unretarded solute) for :data:`TIME_MARGIN` × the run's length. Every column a
path visits is in the domain, with :data:`MIN_CELLS` cells around it, and so is every column
whose centre lies within :data:`SPREAD` · sqrt(2·α_TH·L) of those (transverse spreading over the
longest path L, m) or within :data:`SPREAD` · sqrt(2·α_L·L) of a path's end (longitudinal
spreading ahead of the front, which the time margin alone covers only for L ≥ 18·α_L); all
layers of those columns belong to it (vertical spreading and layer-to-layer flow need no
tracking). Tracking takes well under a second on the site models.

The engines use it as follows (:mod:`gwsim.engines.mf6_gwt`, :mod:`gwsim.engines.mt3d`):
MODFLOW 6 GWT solves on the smallest box of rows and columns holding the domain (IDOMAIN 0
outside it, :func:`gwsim.engines.mf6_gwt.solved_cells`), reading a flow budget written for the
box (:mod:`gwsim.engines.mf6_fmi`) in which the flow across its edge is one more package: mass
leaves with it at the cell's concentration and is booked as ``SSM_DOMAIN-EDGE``;
MT3D-USGS (explicit TVD advection) solves on the domain and holds a ring
two cells thick around it at 0 mg/L (:func:`gwsim.engines.mt3d.icbund`), so mass leaving through the edge is booked as a constant-
concentration budget term and :func:`gwsim.transport` warns (:class:`TransportDomainWarning`)
when more than :data:`EDGE_LOSS_WARN` of the mass that entered leaves there.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree

from gwsim.errors import GwsimWarning
from gwsim.flowfield import FlowField
from gwsim.tracking import TrackingError, track
from gwsim.tracking.result import Pathlines
from gwsim.tracking.startpoints import cell_lattice_points

TIME_MARGIN = 2.0  # tracked time / run length
SPREAD = 3.0  # transverse standard deviations, sqrt(2·α_TH·L), around the paths
MIN_CELLS = 2  # cells of margin around the paths, at least
EDGE_LOSS_WARN = 1e-3  # share of the mass that entered which may leave through the domain's edge


class TransportDomainWarning(GwsimWarning):
    """More than a floor of the solute left the transport domain (gwsim.solute.domain)."""


def source_paths(flow: FlowField, cells, t_end: float, porosity: np.ndarray) -> Pathlines | None:
    """Forward paths from a 2 × 2 × 2 lattice in each source cell of ``cells`` ((layer, row,
    col)), tracked with the mobile ``porosity`` (-) and no retardation for :data:`TIME_MARGIN`
    × ``t_end`` (d); None when particles cannot start (a source cell dry when the flow starts)."""
    starts = cell_lattice_points(flow, [tuple(c) for c in cells])
    moving = flow if np.array_equal(porosity, flow.porosity) else flow.with_porosity(porosity)
    try:
        return track(moving, starts, "forward", TIME_MARGIN * t_end, pathlines=True).pathlines
    except TrackingError:
        return None


def reach_domain(
    flow: FlowField,
    cells,
    t_end: float,
    porosity: np.ndarray,
    alpha_l: float,
    alpha_th: float,
    paths: Pathlines | None = None,
) -> np.ndarray:
    """(nlay, nrow, ncol) bool: the active cells a plume from ``cells`` can reach by ``t_end`` (d).

    ``cells`` are the sources' (layer, row, col); ``porosity`` the transport's mobile porosity
    (-); ``alpha_l``, ``alpha_th`` the longitudinal and horizontal transverse dispersivities (m);
    ``paths`` those of :func:`source_paths` when already tracked. See the module doc for the
    rule; every active cell when particles cannot start (a source cell dry when the flow starts).
    """
    _, nrow, ncol = flow.shape
    paths = paths if paths is not None else source_paths(flow, cells, t_end, porosity)
    if paths is None:  # solve every cell
        return flow.grid.idomain > 0
    columns = np.zeros((nrow, ncol), bool)
    visited = np.unravel_index(paths.cell, flow.shape)
    columns[visited[1], visited[2]] = True
    for _, row, col in cells:
        columns[row, col] = True
    step = np.hypot(np.diff(paths.x), np.diff(paths.y))
    step[paths.offsets[1:-1] - 1] = 0.0  # no step from one particle's end to the next's start
    longest = max((s.sum() for s in np.split(step, paths.offsets[1:-1])), default=0.0)
    columns = ndimage.binary_dilation(columns, np.ones((3, 3), bool), iterations=MIN_CELLS)
    centres = np.column_stack([flow.grid.xcenters.ravel(), flow.grid.ycenters.ravel()])
    ends = np.column_stack([paths.x[paths.offsets[1:] - 1], paths.y[paths.offsets[1:] - 1]])
    for around, alpha in ((centres[columns.ravel()], alpha_th), (ends, alpha_l)):
        radius = SPREAD * np.sqrt(2 * alpha * longest)
        if radius > 0:
            near, _ = cKDTree(around).query(centres, distance_upper_bound=radius)
            columns |= np.isfinite(near).reshape(nrow, ncol)
    return np.broadcast_to(columns, flow.shape) & (flow.grid.idomain > 0)


def warn_if_leaving(share: float | None, what: str) -> None:
    """Warn when more than :data:`EDGE_LOSS_WARN` of the solute ``what`` (a phrase)."""
    if share is not None and share > EDGE_LOSS_WARN:
        warnings.warn(
            f"{share:.2%} of the solute {what} the transport domain (the cells its plume was "
            f"expected to reach, gwsim.solute.domain; floor {EDGE_LOSS_WARN:.1%}): results near "
            "its edge are unreliable; rerun with transport(..., domain='all') or a larger domain",
            TransportDomainWarning,
            stacklevel=3,
        )
