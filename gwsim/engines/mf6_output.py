"""Read a MODFLOW 6 GWF model's output (grid, heads, budget) into the fields of a FlowField.

The binary grid, head and budget files are read with numpy (:mod:`.mf6_binary`); the input that
locates them and gives conductivity and boundary levels comes from :mod:`.mf6_model_input`; the
result is the dict of fields :class:`gwsim.FlowField` holds (this module does not import
:mod:`gwsim.flowfield`, which calls it). The structured face flows come from the FLOW-JA-FACE
record and the grid's user-numbered connectivity (IA/JA in the ``.grb`` file), vectorised over
connections. Hydraulic conductivity comes from the model's NPF input when first used
(:class:`~.mf6_model_input.DeferredConductivity`), the cells of each boundary package from its
budget records (every cell the package applies to, q = 0 included), and the levels of river,
drain and general-head boundaries from the packages' input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from gwsim.engines.mf6_binary import read_budget, read_grb, read_heads
from gwsim.engines.mf6_model_input import (
    CONDUCTIVITY_FIELDS,
    DeferredConductivity,
    conductivity_arrays,
    npf_stamp,
    read_model_input,
)
from gwsim.errors import FlowFieldError
from gwsim.grid import StructuredGrid, mask_dry, stacked_tops
from gwsim.provenance import hash_folder, provenance_attrs

# Budget records that are not flows between the aquifer and a source/sink.
_NOT_SOURCES = {"FLOW-JA-FACE", "DATA-SPDIS", "DATA-SAT", "DATA-STOSS", "DATA-STOSY"}
# Array-based package variants carry the same meaning as the list-based ones.
_TYPE_ALIASES = {"RCHA": "RCH", "EVTA": "EVT"}


def face_connections(ia: np.ndarray, ja: np.ndarray, shape) -> tuple:
    """Where each cell's right, front and lower face flow sits in FLOW-JA-FACE.

    ``ia``/``ja`` are the 0-based user-numbered connectivity of the ``.grb`` file. Returns three
    ``(positions, nodes)`` pairs: connection ``positions[i]`` of FLOW-JA-FACE runs from cell
    ``nodes[i]`` to its neighbour toward +col, +row or +layer (the next active cell below, past
    pass-through layers). On a DIS grid the neighbour's node number differs by 1, ``ncol`` or a
    multiple of ``nrow * ncol``, which tells the faces apart without unravelling node numbers.
    """
    nlay, nrow, ncol = shape
    layer_size = nrow * ncol
    n = np.repeat(np.arange(nlay * layer_size, dtype=ja.dtype), np.diff(ia))
    offset = ja - n
    faces = (
        offset == 1 if ncol > 1 else None,
        (offset == ncol) & (offset < layer_size) if nrow > 1 else None,
        offset >= layer_size,
    )
    empty = np.empty(0, np.intp)
    pairs = []
    for mask in faces:
        at = empty if mask is None else np.flatnonzero(mask)
        pairs.append((at, n[at]))
    return tuple(pairs)


def fill_face_flows(flowja: np.ndarray, connections: tuple, right, front, lower) -> None:
    """Write the right, front and lower face flows (m³/d, positive toward +col, +row, +layer)
    of one step into the given (nlay, nrow, ncol) arrays.

    ``flowja`` holds MODFLOW 6's FLOW-JA-FACE (positive into cell n from m); ``connections`` is
    :func:`face_connections` of the grid.
    """
    for target, (at, nodes) in zip((right, front, lower), connections, strict=True):
        target.reshape(-1)[nodes] = np.negative(flowja[at])


def read_gwf_output(
    sim_ws: Path,
    model: str | None = None,
    crs: str | None = None,
    conductivity: Mapping[str, np.ndarray] | None = None,
) -> dict:
    """The fields of a :class:`gwsim.FlowField` (all but porosity) from a MODFLOW 6 GWF model.

    Parameters
    ----------
    sim_ws : simulation folder (``mfsim.nam``, the model's input and output files).
    model : GWF model name; ``None`` takes the only GWF model in the simulation.
    crs : CRS of the grid; by default the one recorded in the binary grid file, if any.
    conductivity : ``k`` and optionally ``k22``, ``k33`` (m/d), ``angle1`` (deg) as written to the
        NPF input, to take instead of reading it back. Without it, ``k``, ``k22``, ``k33`` and
        ``angle1`` are one :class:`DeferredConductivity` that the flow field calls on first use.
    """
    inputs = read_model_input(sim_ws, model, npf=False)
    files = inputs["files"]
    for key in ("grb", "head", "budget"):
        if not files[key].is_file():
            raise FlowFieldError(
                f"{files[key]} is missing: run the simulation in {sim_ws} first"
                + (" (and do not set NOGRB in DIS)" if key == "grb" else "")
            )
    grb = read_grb(files["grb"])
    shape = (int(grb["NLAY"]), int(grb["NROW"]), int(grb["NCOL"]))
    ncells = int(np.prod(shape))
    if grb["IA"].size != ncells + 1:
        raise FlowFieldError(f"{files['grb']}: connectivity does not match a {shape} DIS grid")
    icelltype = np.asarray(grb.get("ICELLTYPE", np.ones(ncells)), int).reshape(shape)
    idomain = np.asarray(grb["IDOMAIN"], int).reshape(shape)
    top = np.asarray(grb["TOP"], float).reshape(shape[1:])
    botm = np.asarray(grb["BOTM"], float).reshape(shape)

    head_times, kstpkper, head = read_heads(files["head"], shape)
    mask_dry(head)
    head[:, idomain <= 0] = np.nan

    budget = _read_budget(files["budget"], head_times, grb, shape)
    rank = {name: i for i, name in enumerate(inputs["package_order"])}
    budget["boundary_cells"] = dict(  # in name-file order (MODFLOW 6 writes its own order)
        sorted(budget["boundary_cells"].items(), key=lambda item: rank.get(item[0], len(rank)))
    )
    saturation = budget.pop("saturation")
    saturation_saved = saturation is not None
    if saturation is None:
        saturation = saturation_from_heads(head, top, botm, icelltype)
    saturation[:, idomain <= 0] = 0.0

    grid = StructuredGrid(
        delr=np.asarray(grb["DELR"], float),
        delc=np.asarray(grb["DELC"], float),
        top=top,
        botm=botm,
        idomain=idomain,
        xorigin=float(grb["XORIGIN"]),
        yorigin=float(grb["YORIGIN"]),
        angrot=float(grb["ANGROT"]),
        crs=crs or grb.get("CRS") or None,
    )
    if conductivity is not None:
        conductivity_fields = conductivity_arrays(shape, **conductivity)
    elif (stamp := npf_stamp(sim_ws, inputs["model_name"])) is not None:
        deferred = DeferredConductivity(sim_ws, inputs["model_name"], stamp)
        conductivity_fields = dict.fromkeys(CONDUCTIVITY_FIELDS, deferred)
    else:  # no NPF file to read later: read what can be read now
        given = read_model_input(sim_ws, model, npf=True)["conductivity"]
        conductivity_fields = given or dict.fromkeys(CONDUCTIVITY_FIELDS)
    return {
        "grid": grid,
        "icelltype": icelltype,
        "times": head_times,
        "kstpkper": kstpkper,
        "head": head,
        "saturation": saturation,
        **budget,
        **conductivity_fields,
        "boundary_levels": boundary_levels(
            inputs["levels"], budget["boundary_cells"], kstpkper[:, 1], shape
        ),
        "percent_discrepancy": read_percent_discrepancy(files["listing"]),
        "attrs": source_folder_attrs(sim_ws),
        "saturation_saved": saturation_saved,
        "model_name": inputs["model_name"],
        "files": files,
    }


def _read_budget(path: Path, head_times: np.ndarray, grb: dict, shape) -> dict:
    """Face flows, sources, boundary cells and saturation (None if not saved) per saved step."""
    nt = len(head_times)
    connections = face_connections(grb["IA"] - 1, grb["JA"] - 1, shape)
    right, front, lower = (np.zeros((nt, *shape)) for _ in range(3))
    saturation = None
    sources: dict[str, np.ndarray] = {}
    source_types: dict[str, str] = {}
    listed: dict[str, list[np.ndarray]] = {}
    found_flowja = np.zeros(nt, bool)
    for rec in read_budget(path):
        matches = np.flatnonzero(np.isclose(head_times, rec.totim, rtol=1e-10, atol=1e-10))
        if matches.size == 0:
            continue  # budget saved at a step whose heads were not: skip it
        t = matches[0]
        text = rec.text.upper()
        if text == "FLOW-JA-FACE":
            fill_face_flows(rec.array, connections, right[t], front[t], lower[t])
            found_flowja[t] = True
        elif text == "DATA-SAT":
            if saturation is None:
                saturation = np.zeros((nt, *shape))
            saturation[t].flat[rec.node] = rec.aux["sat"]
        elif text not in _NOT_SOURCES:
            kind = _TYPE_ALIASES.get(text, text)
            name = rec.package.lower() or kind.lower()
            if name not in sources:
                sources[name] = np.zeros((nt, *shape))
                source_types[name] = kind
            if rec.imeth == 6:
                np.add.at(sources[name][t].reshape(-1), rec.node, rec.q)
                listed.setdefault(name, []).append(rec.node)
            else:
                sources[name][t] += rec.array.reshape(shape)
    if not found_flowja.all():
        raise FlowFieldError(
            f"{path} lacks FLOW-JA-FACE for {int((~found_flowja).sum())} saved steps: "
            "set SAVE_FLOWS in the model and BUDGET ALL in its OC package"
        )
    boundary_cells = {
        name: np.column_stack(np.unravel_index(_sorted_unique(nodes, right[0].size), shape))
        for name, nodes in listed.items()
    }
    return {
        "flow_right_face": right,
        "flow_front_face": front,
        "flow_lower_face": lower,
        "sources": sources,
        "source_types": source_types,
        "boundary_cells": boundary_cells,
        "saturation": saturation,
    }


def _sorted_unique(node_lists: list[np.ndarray], ncell: int) -> np.ndarray:
    """The distinct node numbers of several lists, sorted (a mark per cell: no sort needed)."""
    marked = np.zeros(ncell, bool)
    for nodes in node_lists:
        marked[nodes] = True
    return np.flatnonzero(marked)


def boundary_levels(levels: dict, boundary_cells: dict, periods: np.ndarray, shape) -> dict:
    """Level (m) of each river (stage), drain (elevation) and general-head (head) boundary cell.

    ``levels`` is :func:`read_model_input`'s ``{package: {period: (nodes, values)}}``. Returns
    ``{package name: (nt, m) array}`` for the saved steps of stress periods ``periods``, aligned
    with ``boundary_cells[name]`` (m cells); NaN where the input does not give it (a cell not
    listed in that period, a time-series value).
    """
    out = {}
    for name, by_period in levels.items():
        if name not in boundary_cells:
            continue
        cells = boundary_cells[name]
        nodes = np.ravel_multi_index(tuple(cells.T), shape)
        level = np.full((len(periods), len(cells)), np.nan)
        for t, period in enumerate(periods):
            defined = [p for p in by_period if p <= period]  # a period without data keeps the last
            if not defined or len(by_period[max(defined)][0]) == 0:
                continue
            listed, texts = by_period[max(defined)]
            value = np.array([_number(v) for v in texts])
            at = np.searchsorted(nodes, listed)
            ok = (at < len(nodes)) & (nodes[np.minimum(at, len(nodes) - 1)] == listed)
            level[t, at[ok]] = value[ok]
        out[name] = level
    return out


def _number(value) -> float:
    """A float, or NaN for a value that is not one (a time-series name)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def read_percent_discrepancy(listing: Path) -> float | None:
    """Largest |PERCENT DISCREPANCY| in a MODFLOW listing file (None if it has none)."""
    if not listing.is_file():
        return None
    values = re.findall(
        r"PERCENT DISCREPANCY\s*=\s*([-+0-9.EeDd]+)", listing.read_text(errors="replace")
    )
    if not values:
        return None
    return max(abs(float(v.replace("D", "E").replace("d", "e"))) for v in values)


def source_folder_attrs(sim_ws: Path) -> dict[str, str]:
    """Provenance attributes for a flow field read from ``sim_ws``."""
    attrs = provenance_attrs(hash_folder(sim_ws), executables=["mf6"])
    attrs["source_model"] = str(sim_ws.resolve())
    return attrs


def saturation_from_heads(head, top, botm, icelltype) -> np.ndarray:
    """Saturated fraction of each cell from heads: 1 for confined cells, clipped for convertible."""
    frac = (head - botm[None]) / (stacked_tops(top, botm) - botm)[None]
    frac = np.clip(np.nan_to_num(frac, nan=0.0), 0.0, 1.0)
    confined = np.broadcast_to(icelltype == 0, frac.shape) & np.isfinite(head)
    return np.where(confined, 1.0, frac)
