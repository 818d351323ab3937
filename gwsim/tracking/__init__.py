"""Particle tracking (Pollock's semi-analytical method, as MODPATH 7) on structured flow fields.

``track(flow, xyz, direction="forward", t_max=None)`` returns a :class:`TrackResult`; why each
particle stopped is a :class:`Status` (the one list, in :mod:`gwsim.tracking.status`). Start-point
helpers are in :mod:`gwsim.tracking.startpoints`.
"""

from gwsim.tracking.status import Status
from gwsim.tracking.track import Pathlines, TrackingError, TrackResult, track

__all__ = ["Pathlines", "Status", "TrackResult", "TrackingError", "track"]
