"""Why a particle stopped: the one list of termination statuses of :func:`gwsim.track`.

The codes are small integers (``TrackResult.status`` is an ``int8`` array); :class:`Status` names
them. "Sink" means a sink in forward tracking and a source in backward tracking (backward tracking
follows the water upstream, so the cells where water enters the aquifer are where it ends).

====================  ====  ==================================================================  =============
name                  code  meaning                                                             MODPATH 7
====================  ====  ==================================================================  =============
``T_MAX``              1    still moving when the tracking time reached ``t_max``                1 (active)
``END_OF_FLOW``        2    still moving at the end (forward) or start (backward) of a           1 (active)
                            transient flow simulation whose last (first) step is not steady
``LEFT_DOMAIN``        3    left the model through a face with no active neighbour: the grid's  2 (boundary)
                            outer edge, the top of the active domain (the water table or a
                            recharge face in backward tracking) or a face next to an inactive
                            (``idomain <= 0``) cell; the end point lies on that face
``ENTERED_DRY_CELL``   4    reached a face whose neighbour is dry (inactive) in that time step;  2
                            the end point lies on that face
``SINK``               5    in a cell it cannot leave: no face carries water out (a strong      5 (no exit)
                            sink, such as a pumping well or gaining river cell that takes all
                            its inflow; in transient flow also a cell sending all its inflow
                            to storage, as MODPATH 7 does)
``WEAK_SINK``          6    entered a weak sink cell (one that also passes water on) with       3 (4 back-
                            ``weak_sinks="stop"``                                              ward)
``INACTIVE_CELL``      7    its cell went dry at the start of a time step                       7 (inactive)
``STRANDED``           8    cannot move: zero velocity in every direction, or no exit time      0 (undefined)
                            could be found (a stagnation point)
====================  ====  ==================================================================  =============
"""

from enum import IntEnum


class Status(IntEnum):
    """Termination status of a tracked particle (see the table in this module's docstring)."""

    T_MAX = 1
    END_OF_FLOW = 2
    LEFT_DOMAIN = 3
    ENTERED_DRY_CELL = 4
    SINK = 5
    WEAK_SINK = 6
    INACTIVE_CELL = 7
    STRANDED = 8
