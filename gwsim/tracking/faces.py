"""Which face a boundary package's flow crosses: MODPATH 7's ``DEFAULTIFACE`` as the ``iface`` option.

MODPATH 7 treats the flow of every boundary package as a source or sink spread through the cell
(it enters or leaves the cell's volume; a cell with a sink is a weak sink), unless its
``DEFAULTIFACE`` list names the package's budget type with a face 1-6 (1 west, 2 east, 3 south,
4 north, 5 bottom, 6 top): then the flow crosses that face, where the face bounds the active grid
(no active neighbour across it); in cells where that face touches another active cell it stays a
distributed source or sink. Storage is never a source (a transient step is followed step by step).

gwsim's default, ``{"RCH": 6, "EVT": 6}``, puts recharge and evapotranspiration on the top face:
water enters where it falls, so particles released at the water table follow the recharge that
carries them, and recharge cells are not weak sources in backward tracking. ``{}`` is MODPATH 7's
own default (and flopy's ``Modpath7Bas``): every package spread through its cells.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral

from gwsim.errors import GwsimError

DEFAULT_IFACE = {"RCH": 6, "EVT": 6}  # gwsim's default: recharge and ET through the top face
# Budget types of MODFLOW 6 GWF boundary packages (list and array variants; MVR moves water
# between packages and is not one).
BOUNDARY_TYPES = (
    "CHD",
    "WEL",
    "DRN",
    "RIV",
    "GHB",
    "RCH",
    "EVT",
    "MAW",
    "SFR",
    "LAK",
    "UZF",
    "API",
)
TYPE_ALIASES = {"RCHA": "RCH", "EVTA": "EVT"}  # as the budget file labels array recharge / ET
FACE_NAMES = {1: "west", 2: "east", 3: "south", 4: "north", 5: "bottom", 6: "top"}


class FaceOptionError(GwsimError, ValueError):
    """An ``iface`` mapping names an unknown budget type or a face outside 1-6."""


def checked_iface(iface: Mapping[str, int] | None, known_types=()) -> dict[str, int]:
    """``iface`` as ``{budget type (upper case): face 1-6}``; ``None`` gives :data:`DEFAULT_IFACE`.

    Parameters
    ----------
    iface : budget type -> face, as MODPATH 7's DEFAULTIFACE (``"RCHA"``/``"EVTA"`` are ``"RCH"``
        and ``"EVT"``).
    known_types : further budget types accepted (those of the flow field at hand).

    Raises
    ------
    FaceOptionError : not a mapping, a type that is no boundary package's budget type (storage
        included), or a face that is not an integer 1-6.
    """
    if iface is None:
        return dict(DEFAULT_IFACE)
    if not isinstance(iface, Mapping):
        raise FaceOptionError(
            f"iface must be a mapping of budget type to face, e.g. {{'RCH': 6}}, not {iface!r}"
        )
    allowed = set(BOUNDARY_TYPES) | {t.upper() for t in known_types if not t.startswith("STO")}
    checked = {}
    for kind, face in iface.items():
        name = TYPE_ALIASES.get(str(kind).upper(), str(kind).upper())
        if name not in allowed:
            raise FaceOptionError(
                f"iface names {kind!r}, which is not the budget type of a boundary package; use "
                f"one of {', '.join(sorted(allowed))} (storage cannot be put on a face)"
            )
        if isinstance(face, bool) or not isinstance(face, Integral) or face not in FACE_NAMES:
            raise FaceOptionError(
                f"iface[{kind!r}] = {face!r}: a face is an integer 1-6 (1 west, 2 east, 3 south, "
                "4 north, 5 bottom, 6 top); leave the type out to spread it through the cell"
            )
        checked[name] = int(face)
    return checked
