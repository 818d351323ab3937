"""MT3D-USGS's flow-transport link file, written from a :class:`~gwsim.FlowField`.

MT3D-USGS reads its flows from the link file that MODFLOW's LMT package writes. This module writes
that file directly from any flow field gwsim reads (MODFLOW 6 models built by gwsim or by plain
flopy, Newton models, rotated anisotropy), so MT3D-USGS runs without a MODFLOW-NWT rerun.

Format (MT3D-USGS 1.1.0 ``FMI1MF5AR``/``FMI1MF5RP1A``/``FMI1MF5RP2A``, as MODFLOW-NWT's LMT8 writes
it with the extended header, unformatted): Fortran stream access (no record markers, as both
programs open binary files), little-endian 4-byte integers and single-precision reals.

* header: ``"MT3D4.00.00"`` (11 characters), MTWEL, MTDRN, MTRCH, MTEVT, MTRIV, MTGHB, MTCHD, ISS, NPERFL and 12
  more package flags (all 0 here); a flag > 0 says the package's records follow each step;
* per flow step, each array record preceded by ``KPER, KSTP, NCOL, NROW, NLAY, LABEL(16)``:
  ``THKSAT`` (saturated thickness, m; -111 marks a confined cell, 1e30 an inactive or dry one), ``QXX``, ``QYY``,
  ``QZZ`` (m³/d across the right/front/lower face, positive toward +column, +row, +layer, present
  when there is more than one column/row/layer), ``STO`` (m³/d released from storage, positive
  into the cell; only when ISS = 0);
* point sources ``CNH``, ``WEL``, ``DRN``, ``RIV``, ``GHB``: the label record ends with the count
  NUM, then NUM records ``K, I, J, Q`` (1-based cell, m³/d positive into the aquifer; ``CNH`` is
  the net flow out of a fixed-head cell into its neighbours, i.e. what the fixed head supplies);
* areal ``RCH`` and ``EVT``: a layer-index record (nrow × ncol) and a rate record (m³/d per column).

These conventions are the FlowField's own (face flows toward +col/+row/+layer; sources positive
into the cell, storage positive where water is released), so no sign changes are needed. MODFLOW 6
package types map as: CHD → CNH, WEL → WEL, DRN → DRN, RIV → RIV, GHB → GHB, RCH → RCH, EVT → EVT,
STO-SS + STO-SY → STO; any other package (MAW, SFR, LAK, UZF, ...) is written as point sources in
the WEL record, which MT3D treats alike (sources enter at the concentration SSM gives them, 0 by
default; sinks leave at the cell's concentration). Recharge or ET on more than one cell of a column
in a step goes to the RCH/EVT record for the uppermost such cell and to the WEL record for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from gwsim.errors import GwsimError
from gwsim.flowfield import FlowField

HEADER = "MT3D4.00.00"
INACTIVE = 1e30  # MT3D's marker of an inactive (or dry) cell in the THKSAT record
CONFINED = -111.0  # LMT's marker of a confined cell (MT3D takes its full thickness)
POINT_LABELS = ("CNH", "WEL", "DRN", "RIV", "GHB")
AREAL_LABELS = ("RCH", "EVT")
READ_ORDER = ("CNH", "WEL", "DRN", "RCH", "EVT", "RIV", "GHB")  # MT3D-USGS's FMI1MF5RP2A
_LABEL_OF_TYPE = {
    "CHD": "CNH",
    "WEL": "WEL",
    "DRN": "DRN",
    "RIV": "RIV",
    "GHB": "GHB",
    "RCH": "RCH",
    "EVT": "EVT",
}


@dataclass
class LinkInfo:
    """What a written link file holds, for the MT3D input that reads it.

    ``steps[p]`` lists the flow-field steps written as MT3D stress period ``p`` (one record set
    per step); ``max_points`` is the most point sources/sinks of one step (SSM's MXSS needs it).
    """

    path: Path
    steps: list[list[int]]
    steady: bool  # ISS = 1: no storage records
    packages: set[str] = field(default_factory=set)  # labels written each step ("WEL", "RCH", ...)
    max_points: int = 0


def _label(source_type: str) -> str | None:
    if source_type.startswith("STO"):
        return None
    return _LABEL_OF_TYPE.get(source_type, "WEL")


def default_steps(flow: FlowField) -> list[list[int]]:
    """Saved steps grouped by stress period; one step alone for a single-step (steady) field."""
    if flow.ntimes == 1:
        return [[0]]
    periods = flow.kstpkper[:, 1]
    return [list(np.flatnonzero(periods == p)) for p in np.unique(periods)]


def _check(flow: FlowField, steps: list[list[int]]) -> None:
    if np.any(flow.grid.idomain < 0):
        raise GwsimError(
            "the flow model has vertical pass-through cells (idomain < 0), which MT3D-USGS cannot "
            "represent: give them idomain 1 with a thin layer, or use engine='mf6'"
        )
    flat = [t for period in steps for t in period]
    if not flat or min(flat) < 0 or max(flat) >= flow.ntimes or flat != sorted(set(flat)):
        raise GwsimError(
            f"link-file steps {steps} must be increasing indices into the flow field's "
            f"{flow.ntimes} saved steps"
        )


class _Writer:
    """MT3D-USGS's unformatted link file: Fortran stream access (no record markers), as MODFLOW
    and MT3D-USGS open their binary files (``openspec.inc``)."""

    def __init__(self, path: Path, shape: tuple[int, int, int]):
        self.file = open(path, "wb")
        self.nlay, self.nrow, self.ncol = shape

    def record(self, *items: np.ndarray) -> None:
        for item in items:
            self.file.write(np.ascontiguousarray(item).tobytes())

    def label(self, kper: int, kstp: int, text: str, count: int | None = None) -> None:
        ints = np.array([kper, kstp, self.ncol, self.nrow, self.nlay], "<i4")
        name = np.frombuffer(text.ljust(16).encode("ascii"), np.uint8)
        tail = [] if count is None else [np.array([count], "<i4")]
        self.record(ints, name, *tail)

    def array(self, kper: int, kstp: int, text: str, values: np.ndarray) -> None:
        self.label(kper, kstp, text)
        self.record(np.asarray(values, "<f4").ravel())

    def points(self, kper: int, kstp: int, text: str, cells: np.ndarray, q: np.ndarray) -> None:
        self.label(kper, kstp, text, len(q))
        rows = np.zeros(len(q), [("cell", "<i4", 3), ("q", "<f4")])
        rows["cell"] = np.asarray(cells, int).reshape(-1, 3) + 1
        rows["q"] = q
        self.record(rows)

    def areal(self, kper: int, kstp: int, text: str, layer: np.ndarray, q: np.ndarray) -> None:
        self.label(kper, kstp, text)
        self.record(np.asarray(layer + 1, "<i4").ravel(), np.asarray(q, "<f4").ravel())

    def close(self) -> None:
        self.file.close()


def _split_areal(q: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(layer, rate) of the uppermost nonzero cell of each column, and the other nonzero cells."""
    nonzero = q != 0
    layer = np.where(nonzero.any(axis=0), nonzero.argmax(axis=0), 0)
    rate = np.take_along_axis(q, layer[None], axis=0)[0]
    rest = nonzero.copy()
    np.put_along_axis(rest, layer[None], False, axis=0)
    return layer, rate, rest


def _point_sources(flow, chosen) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    """Per point label, (cells, (nt, ncells) flows) of each package: the cells where the package
    exchanges water at some written step (a fixed list per package, as LMT writes)."""
    points: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for name, q in flow.sources.items():
        label = _label(flow.source_types[name])
        if label in POINT_LABELS:
            cells = np.argwhere(np.any(q[chosen] != 0, axis=0))
            points.setdefault(label, []).append((cells, q[(slice(None), *cells.T)]))
    return points


def _areal_sources(flow) -> dict[str, np.ndarray]:
    """Per areal label ("RCH", "EVT"), the (nt, nlay, nrow, ncol) flows of its packages summed."""
    areal: dict[str, np.ndarray] = {}
    for name, q in flow.sources.items():
        label = _label(flow.source_types[name])
        if label in AREAL_LABELS:
            areal[label] = areal[label] + q if label in areal else q
    return areal


def _step_points(points, areal, split, t: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(cells, flows) of each point record at step ``t``: the packages' cells, plus recharge and
    ET that are not the uppermost of their column (in WEL), and an always-present CNH."""
    parts = {label: [(cells, q[t]) for cells, q in pkgs] for label, pkgs in points.items()}
    for label, (_, _, rest) in split.items():
        if rest.any():
            cells = np.argwhere(rest)
            parts.setdefault("WEL", []).append((cells, areal[label][t][tuple(cells.T)]))
    parts.setdefault("CNH", [])
    return {
        label: (
            np.concatenate([c for c, _ in pkgs] + [np.zeros((0, 3), int)]),
            np.concatenate([q for _, q in pkgs] + [np.zeros(0)]),
        )
        for label, pkgs in parts.items()
    }


def write_link_file(
    flow: FlowField, path: str | Path, steps: list[list[int]] | None = None
) -> LinkInfo:
    """Write MT3D-USGS's flow-transport link file for ``flow`` to ``path``.

    Parameters
    ----------
    flow : the flow field (any MODFLOW 6 DIS model gwsim reads).
    path : file to write (MT3D's FTL file, unformatted).
    steps : saved steps of ``flow`` written as MT3D's stress periods and time steps, one list
        of step indices per period; by default the flow's own periods and saved steps, or its
        single step for a one-step (steady) field, which MT3D then reads once for all periods.
        MT3D's BTN must have the same number of periods and steps per period.

    Returns
    -------
    LinkInfo
        The steps written, whether storage is absent, the package records present and the most
        point sources of one step.
    """
    path = Path(path)
    steps = default_steps(flow) if steps is None else [[int(t) for t in p] for p in steps]
    _check(flow, steps)
    chosen = [t for period in steps for t in period]
    storage = [q for n, q in flow.sources.items() if flow.source_types[n].startswith("STO")]
    steady = all(not np.any(q[chosen]) for q in storage)
    points = _point_sources(flow, chosen)
    areal = _areal_sources(flow)
    split = {label: [_split_areal(q[t]) for t in chosen] for label, q in areal.items()}
    if any(rest.any() for parts in split.values() for _, _, rest in parts):
        points.setdefault("WEL", [])
    packages = set(points) | set(areal)
    n_chd = sum(len(cells) for cells, _ in points.get("CNH", []))
    flags = [int(label in packages) for label in ("WEL", "DRN", "RCH", "EVT", "RIV", "GHB")]

    idomain = flow.grid.idomain
    thickness = flow.saturated_thickness
    faces = {"QXX": flow.flow_right_face, "QYY": flow.flow_front_face, "QZZ": flow.flow_lower_face}
    nfaces = dict(zip(faces, flow.shape[::-1], strict=True))  # ncol, nrow, nlay
    writer = _Writer(path, flow.shape)
    max_points = 0
    try:
        writer.record(
            np.frombuffer(HEADER.encode("ascii"), np.uint8),
            np.array([*flags, n_chd, int(steady), len(steps), *[0] * 12], "<i4"),
        )
        n = 0  # index of the step among those written
        for kper, period in enumerate(steps, start=1):
            for kstp, t in enumerate(period, start=1):
                thk = np.where(flow.icelltype == 0, CONFINED, thickness[t])
                thk = np.where((idomain > 0) & (thickness[t] > 0), thk, INACTIVE)
                writer.array(kper, kstp, "THKSAT", thk)
                for text, q in faces.items():
                    if nfaces[text] > 1:
                        writer.array(kper, kstp, text, q[t])
                if not steady:
                    writer.array(kper, kstp, "STO", sum(q[t] for q in storage))
                lists = _step_points(points, areal, {lb: p[n] for lb, p in split.items()}, t)
                max_points = max(max_points, sum(len(q) for _, q in lists.values()))
                for label in READ_ORDER:
                    if label in split:
                        layer, rate, _ = split[label][n]
                        writer.areal(kper, kstp, label, layer, rate)
                    elif label in lists:
                        writer.points(kper, kstp, label, *lists[label])
                n += 1
    finally:
        writer.close()
    return LinkInfo(path, steps, steady, packages, max_points)


DISCHARGE_TYPES = ("RIV", "DRN", "GHB")  # head-dependent boundaries that groundwater leaves by


def kept_columns(flow: FlowField, keep) -> np.ndarray:
    """(nrow, ncol) bool: the columns holding a cell of ``keep`` ((m, 3) layer, row, col)."""
    columns = np.zeros(flow.shape[1:], bool)
    keep = np.asarray(keep, int).reshape(-1, 3)
    columns[keep[:, 1], keep[:, 2]] = True
    return columns


def discharge_exits(flow: FlowField, keep=()) -> FlowField:
    """``flow`` with the water rising to a discharge boundary leaving where it enters its column.

    A gaining stream (or drain, GHB) takes its water from the top cell of its column, which gets
    it from the cell below, and so on: the upward flow through the column's thin upper cells
    (2 m at Nancun's stream, fracture porosity 0.02) sets MT3D-USGS's explicit TVD step for the
    whole run (``fmi1.f``: ``DTRACK2`` is the smallest cell volume over the sum of its largest
    face flows, over every cell it solves). Here the upward face flows below the boundary's
    cell are removed, from the top down, and their water leaves instead where it was, through
    the same package; a cell that passes water on sideways keeps that much of its inflow from
    below (no cell becomes a source of water): each cell's water balance is kept,
    the package takes the same water, and solute leaves with it at the concentration of the
    cell it enters the column by rather than of the cell above. Only the column's own
    concentrations change (the water there is on its way out). ``keep``: cells ((m, 3) layer,
    row, col) whose columns are left as they are (a leak's cells and the cells its receptors
    read: a leak in a stream's column must reach the stream as before).

    Returns ``flow`` itself when nothing moves; otherwise a copy with new ``flow_lower_face`` and
    discharge arrays (the others shared).
    """
    names = [n for n, kind in flow.source_types.items() if kind in DISCHARGE_TYPES]
    if not names:
        return flow
    sources = {n: q.copy() if n in names else q for n, q in flow.sources.items()}
    lower = flow.flow_lower_face.copy()
    nlay = flow.shape[0]
    left_alone = kept_columns(flow, keep)
    moved_any = False
    for t in range(flow.ntimes):
        wet = (flow.grid.idomain > 0) & (flow.saturated_thickness[t] > 0)
        out = np.stack([np.minimum(sources[n][t], 0.0) for n in names])  # (npkg, nlay, nrow, ncol)
        for row, col in np.argwhere((out < 0).any(axis=(0, 1)) & ~left_alone):
            top = int(np.flatnonzero((out[:, :, row, col] < 0).any(axis=0))[0])
            package = names[int(np.argmin(out[:, top, row, col]))]  # the largest discharge
            q = sources[package][t][:, row, col]  # m³/d, a view: changed in place
            k = top
            while k + 1 < nlay and wet[k + 1, row, col] and lower[t, k, row, col] < 0:
                rising = -lower[t, k, row, col]
                kept = max(q[k] + rising, 0.0)  # what cell k passes on sideways stays rising
                if kept >= rising:
                    break
                q[k] += rising - kept
                q[k + 1] -= rising - kept
                lower[t, k, row, col] = -kept
                moved_any = True
                k += 1
    return replace(flow, flow_lower_face=lower, sources=sources) if moved_any else flow


def recharge_past_thin_cells(flow: FlowField, fraction: float, keep=()) -> FlowField:
    """``flow`` with the recharge that drains through a barely wet water-table cell entering the
    cell below it directly.

    Where the water table lies a few centimetres into a cell (saturated fraction below
    ``fraction``), the recharge crossing that sliver sets MT3D-USGS's explicit TVD step
    (``DTRACK2``, see :func:`discharge_exits`: at Nancun 0.6 m³/d through 4 cm of a 40 m cell
    with porosity 0.02, under 2 d). Recharge carries no solute, so the part of it that the cell
    passes down is applied to the cell below instead (from the layer it was applied to, through
    the dry cells above), and the face flows on its way reduced by as much: each cell's water
    balance is kept. The thin cell's own concentration changes: solute that reaches it sideways
    is no longer flushed down by the recharge but leaves sideways, and the cell below is
    diluted in its place. ``keep``: cells ((m, 3) layer, row, col) whose columns are left as
    they are (a leak's cells, whose solute the recharge flushes down as before, and the cells
    its receptors read). Returns ``flow`` itself when nothing moves.
    """
    names = [n for n, kind in flow.source_types.items() if kind == "RCH"]
    kept = kept_columns(flow, keep)
    sources = {n: q.copy() if n in names else q for n, q in flow.sources.items()}
    lower = flow.flow_lower_face.copy()
    moved_any = False
    for t in range(flow.ntimes):
        saturation = np.where(flow.grid.idomain > 0, flow.saturation[t], 0.0)
        wet = saturation > 0
        top = wet.argmax(axis=0)  # the water-table cell of each column
        rows, cols = np.indices(top.shape)
        below = np.minimum(top + 1, flow.shape[0] - 1)
        thin = (
            wet.any(axis=0)
            & ~kept
            & (saturation[top, rows, cols] < fraction)
            & (top + 1 < flow.shape[0])
            & wet[below, rows, cols]
        )
        for row, col in np.argwhere(thin):
            k = int(top[row, col])
            for name in names:
                q = sources[name][t][:, row, col]  # a view: changed in place
                into = np.flatnonzero(q[: k + 1] > 0)  # where it is applied: at or above k
                if into.size != 1:
                    continue
                start = int(into[0])  # the cells from there down to k are dry but for k
                moved = min(q[start], lower[t, start : k + 1, row, col].min())
                if moved > 0:
                    q[start] -= moved
                    q[k + 1] += moved
                    lower[t, start : k + 1, row, col] -= moved
                    moved_any = True
    return replace(flow, flow_lower_face=lower, sources=sources) if moved_any else flow


THIN_WATER_TABLE = 0.05  # saturated fraction below which a water-table cell passes recharge on


def step_relieved(flow: FlowField, keep=()) -> FlowField:
    """``flow`` for MT3D-USGS with the flows that set its explicit step re-routed where they
    carry no solute that is read: :func:`recharge_past_thin_cells` (below
    :data:`THIN_WATER_TABLE`) and :func:`discharge_exits`, neither in the columns of ``keep``
    (cells, (m, 3): a leak's cells and the cells its receptors read). Water balances and
    boundary flows are kept."""
    return discharge_exits(recharge_past_thin_cells(flow, THIN_WATER_TABLE, keep), keep)
