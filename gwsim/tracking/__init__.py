"""Particle tracking (Pollock's semi-analytical method, as MODPATH 7) on structured flow fields.

``track(flow, xyz, direction="forward", t_max=None)`` (:mod:`gwsim.tracking.tracker`) returns a
:class:`TrackResult` (:mod:`gwsim.tracking.result`); why each particle stopped is a
:class:`Status` (the one list, in :mod:`gwsim.tracking.status`). The numba kernel is
:mod:`gwsim.tracking.pollock`; start-point helpers are in :mod:`gwsim.tracking.startpoints`.
"""

from gwsim.tracking.faces import DEFAULT_IFACE, FaceOptionError
from gwsim.tracking.result import Pathlines, TrackResult
from gwsim.tracking.status import Status
from gwsim.tracking.tracker import TrackingError, track

__all__ = [
    "DEFAULT_IFACE",
    "FaceOptionError",
    "Pathlines",
    "Status",
    "TrackResult",
    "TrackingError",
    "track",
]
