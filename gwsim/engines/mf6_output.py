"""Read a MODFLOW 6 GWF model's output (grid, heads, budget) and NPF input into plain arrays.

flopy finds the files (simulation and model name files, output control) and reads the binary
records; this module turns them into the fields :class:`gwsim.FlowField` holds (it returns them as a
dict and does not import :mod:`gwsim.flowfield`, which calls it). The structured face flows come
from the FLOW-JA-FACE record and the grid's user-numbered connectivity (IA/JA in the ``.grb`` file),
vectorised over connections. Hydraulic conductivity comes from the model's NPF input, the cells of
each boundary package from its budget records (every cell the package applies to, q = 0 included),
and the levels of river, drain and general-head boundaries from the packages' input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import flopy
import numpy as np

from gwsim.errors import FlowFieldError
from gwsim.grid import StructuredGrid, mask_dry, stacked_tops
from gwsim.provenance import hash_folder, provenance_attrs

# Budget records that are not flows between the aquifer and a source/sink.
_NOT_SOURCES = {"FLOW-JA-FACE", "DATA-SPDIS", "DATA-SAT", "DATA-STOSS", "DATA-STOSY"}
# Array-based package variants carry the same meaning as the list-based ones.
_TYPE_ALIASES = {"RCHA": "RCH", "EVTA": "EVT"}
# Boundary packages whose level (m) maps and sections show, and the input field holding it.
_LEVEL_FIELDS = {"riv": "stage", "drn": "elev", "ghb": "bhead"}


def _load_model(sim_ws: Path, model: str | None, npf: bool):
    """The flopy GWF model, with only DIS, OC, the level-carrying boundary packages and (if
    ``npf``) NPF loaded."""
    if not (sim_ws / "mfsim.nam").is_file():
        raise FlowFieldError(
            f"{sim_ws} has no mfsim.nam: give the folder of a MODFLOW 6 simulation"
        )
    try:
        sim = flopy.mf6.MFSimulation.load(
            sim_ws=str(sim_ws),
            load_only=["dis", "oc", *_LEVEL_FIELDS, *(["npf"] if npf else [])],
            verbosity_level=0,
        )
    except Exception as exc:
        raise FlowFieldError(f"flopy could not load the simulation in {sim_ws}: {exc}") from exc
    gwf_names = [m for m in sim.model_names if sim.get_model(m).model_type.startswith("gwf")]
    if model is None:
        if len(gwf_names) != 1:
            raise FlowFieldError(
                f"{sim_ws} holds {len(gwf_names)} GWF models ({', '.join(gwf_names) or 'none'}): "
                "name one with model=..."
            )
        model = gwf_names[0]
    elif model not in gwf_names:
        raise FlowFieldError(
            f"no GWF model named {model!r} in {sim_ws}; it has {', '.join(gwf_names) or 'none'}"
        )
    return sim.get_model(model)


def _locate_files(sim_ws: Path, gwf) -> dict[str, Path]:
    """The model's grid, head, budget and listing files."""
    model = gwf.name
    dis = gwf.get_package("dis")
    if dis is None or dis.package_type != "dis":
        raise FlowFieldError(
            f"model {model!r} does not use a structured DIS grid; gwsim reads DIS models only"
        )
    oc = gwf.get_package("oc")
    head_rec = oc.head_filerecord.get_data() if oc is not None else None
    budget_rec = oc.budget_filerecord.get_data() if oc is not None else None
    if head_rec is None or budget_rec is None or len(head_rec) == 0 or len(budget_rec) == 0:
        raise FlowFieldError(
            f"model {model!r} saves no head or budget file: add HEAD FILEOUT and BUDGET FILEOUT "
            "to its OC package (and SAVE_FLOWS) and run it again"
        )
    listing = gwf.name_file.list.get_data() or f"{model}.lst"
    return {
        "grb": sim_ws / f"{dis.filename}.grb",
        "head": sim_ws / head_rec[0][0],
        "budget": sim_ws / budget_rec[0][0],
        "listing": sim_ws / listing,
    }


def structured_face_flows(flowja: np.ndarray, ia: np.ndarray, ja: np.ndarray, shape) -> tuple:
    """Right, front and lower face flows (m³/d, positive toward +col, +row, +layer).

    ``flowja`` holds MODFLOW 6's FLOW-JA-FACE (positive into cell n from m); ``ia``/``ja`` the
    0-based user-numbered connectivity of the ``.grb`` file.
    """
    n = np.repeat(np.arange(len(ia) - 1), np.diff(ia))
    forward = ja > n  # each connection once, from the lower to the higher node number
    n, m, q = n[forward], ja[forward], -flowja[forward]
    kn, in_, jn = np.unravel_index(n, shape)
    km, im, jm = np.unravel_index(m, shape)
    faces = {
        "right": (km == kn) & (im == in_) & (jm == jn + 1),
        "front": (km == kn) & (im == in_ + 1) & (jm == jn),
        "lower": (km > kn) & (im == in_) & (jm == jn),  # may skip pass-through layers
    }
    right, front, lower = (np.zeros(int(np.prod(shape))) for _ in range(3))
    for target, mask in zip((right, front, lower), faces.values(), strict=True):
        target[n[mask]] = q[mask]
    return right.reshape(shape), front.reshape(shape), lower.reshape(shape)


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
        NPF input, to take instead of reading it back (flopy parses NPF arrays slowly: about 1 s for
        the 29k-cell valley site model, 1.6 s for the 35k-cell red-bed one).
    """
    gwf = _load_model(sim_ws, model, npf=conductivity is None)
    files = _locate_files(sim_ws, gwf)
    for key in ("grb", "head", "budget"):
        if not files[key].is_file():
            raise FlowFieldError(
                f"{files[key]} is missing: run the simulation in {sim_ws} first"
                + (" (and do not set NOGRB in DIS)" if key == "grb" else "")
            )
    grb = flopy.mf6.utils.MfGrdFile(str(files["grb"]), verbose=False)
    shape = (grb.nlay, grb.nrow, grb.ncol)
    ncells = int(np.prod(shape))
    if grb.ia.size != ncells + 1:
        raise FlowFieldError(f"{files['grb']}: connectivity does not match a {shape} DIS grid")
    datadict = getattr(grb, "_datadict", {})
    icelltype = np.asarray(datadict.get("ICELLTYPE", np.ones(ncells)), int).reshape(shape)
    idomain = np.asarray(grb.idomain, int).reshape(shape)
    top = np.asarray(grb.top, float).reshape(shape[1:])
    botm = np.asarray(grb.bot, float).reshape(shape)

    heads = flopy.utils.HeadFile(str(files["head"]), precision="double")
    head_times = np.asarray(heads.get_times(), float)
    kstpkper = np.asarray(heads.get_kstpkper(), int).reshape(-1, 2)  # flopy gives them 0-based
    # one record per layer and step: select steps by time, not by record index
    head = np.stack([heads.get_data(totim=t) for t in head_times]).astype(float)
    heads.close()
    mask_dry(head)
    head[:, idomain <= 0] = np.nan

    budget = _read_budget(files["budget"], head_times, grb, shape)
    budget["boundary_cells"] = _in_name_file_order(gwf, budget["boundary_cells"])
    saturation = budget.pop("saturation")
    saturation_saved = saturation is not None
    if saturation is None:
        saturation = saturation_from_heads(head, top, botm, icelltype)
    saturation[:, idomain <= 0] = 0.0

    grid = StructuredGrid(
        delr=np.asarray(grb.delr, float),
        delc=np.asarray(grb.delc, float),
        top=top,
        botm=botm,
        idomain=idomain,
        xorigin=float(grb.xorigin or 0.0),
        yorigin=float(grb.yorigin or 0.0),
        angrot=float(grb.angrot or 0.0),
        crs=crs or _grb_crs(grb),
    )
    return {
        "grid": grid,
        "icelltype": icelltype,
        "times": head_times,
        "kstpkper": kstpkper,
        "head": head,
        "saturation": saturation,
        **budget,
        **(
            read_conductivity(gwf, shape)
            if conductivity is None
            else conductivity_arrays(shape, **conductivity)
        ),
        "boundary_levels": read_boundary_levels(
            gwf, budget["boundary_cells"], kstpkper[:, 1], shape
        ),
        "percent_discrepancy": read_percent_discrepancy(files["listing"]),
        "attrs": source_folder_attrs(sim_ws),
        "saturation_saved": saturation_saved,
        "model_name": gwf.name,
        "files": files,
    }


def _read_budget(path: Path, head_times: np.ndarray, grb, shape) -> dict:
    """Face flows, sources, boundary cells and saturation (None if not saved) per saved step."""
    budget = flopy.utils.CellBudgetFile(str(path), precision="double")
    records = budget.recordarray
    totims = records["totim"]
    nt = len(head_times)
    right, front, lower = (np.zeros((nt, *shape)) for _ in range(3))
    saturation = None
    sources: dict[str, np.ndarray] = {}
    source_types: dict[str, str] = {}
    listed: dict[str, list[np.ndarray]] = {}
    found_flowja = np.zeros(nt, bool)
    for idx, rec in enumerate(records):
        matches = np.flatnonzero(np.isclose(head_times, totims[idx], rtol=1e-10, atol=1e-10))
        if matches.size == 0:
            continue  # budget saved at a step whose heads were not: skip it
        t = matches[0]
        text = rec["text"].decode().strip().upper()
        data = budget.get_record(idx)
        if text == "FLOW-JA-FACE":
            right[t], front[t], lower[t] = structured_face_flows(
                np.asarray(data, float).ravel(), grb.ia, grb.ja, shape
            )
            found_flowja[t] = True
        elif text == "DATA-SAT":
            if saturation is None:
                saturation = np.zeros((nt, *shape))
            saturation[t].flat[data["node"] - 1] = data["sat"]
        elif text not in _NOT_SOURCES:
            kind = _TYPE_ALIASES.get(text, text)
            name = rec["paknam2"].decode().strip().lower() or kind.lower()
            if name not in sources:
                sources[name] = np.zeros((nt, *shape))
                source_types[name] = kind
            if rec["imeth"] == 6:
                np.add.at(sources[name][t].reshape(-1), data["node"] - 1, data["q"])
                listed.setdefault(name, []).append(data["node"] - 1)
            else:
                sources[name][t] += np.asarray(data, float).reshape(shape)
    budget.close()
    if not found_flowja.all():
        raise FlowFieldError(
            f"{path} lacks FLOW-JA-FACE for {int((~found_flowja).sum())} saved steps: "
            "set SAVE_FLOWS in the model and BUDGET ALL in its OC package"
        )
    boundary_cells = {
        name: np.column_stack(np.unravel_index(np.unique(np.concatenate(nodes)), shape))
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


def _in_name_file_order(gwf, by_package: dict) -> dict:
    """``by_package`` ordered as the model's name file lists the packages (MODFLOW 6 writes the
    budget in its own order); packages the name file does not name keep theirs, last."""
    listed = [str(p[2]).lower() for p in gwf.name_file.packages.get_data() if p[2]]
    rank = {name: i for i, name in enumerate(listed)}
    return dict(sorted(by_package.items(), key=lambda item: rank.get(item[0], len(rank))))


def read_conductivity(gwf, shape) -> dict[str, np.ndarray | None]:
    """K, K22, K33 (m/d) and ANGLE1 (deg) of the model's NPF input (see :func:`conductivity_arrays`).

    All four are ``None`` when the model has no NPF package flopy can read.
    """
    npf = gwf.get_package("npf")
    try:
        given = {name: getattr(npf, name).array for name in ("k", "k22", "k33", "angle1")}
        return conductivity_arrays(shape, **given)
    except (AttributeError, TypeError, ValueError):
        return dict.fromkeys(("k", "k22", "k33", "angle1"))


def conductivity_arrays(shape, k, k22=None, k33=None, angle1=None) -> dict[str, np.ndarray]:
    """K, K22, K33 (m/d) and ANGLE1 (deg) shaped (nlay, nrow, ncol), with MODFLOW 6's defaults
    for those not given: K22 = K, K33 = K22, ANGLE1 = 0."""
    k = np.broadcast_to(np.asarray(k, float), shape)
    k22 = k if k22 is None else np.broadcast_to(np.asarray(k22, float), shape)
    k33 = k22 if k33 is None else np.broadcast_to(np.asarray(k33, float), shape)
    angle1 = np.broadcast_to(np.asarray(0.0 if angle1 is None else angle1, float), shape)
    return {"k": k.copy(), "k22": k22.copy(), "k33": k33.copy(), "angle1": angle1.copy()}


def read_boundary_levels(gwf, boundary_cells: dict, periods: np.ndarray, shape) -> dict:
    """Level (m) of each river (stage), drain (elevation) and general-head (head) boundary cell.

    Returns ``{package name: (nt, m) array}`` for the saved steps of stress periods ``periods``,
    aligned with ``boundary_cells[name]`` (m cells); NaN where the input does not give it (a cell
    not listed in that period, a time-series value).
    """
    levels = {}
    for pkg in gwf.packagelist:
        column = _LEVEL_FIELDS.get(pkg.package_type)
        name = pkg.package_name.lower()
        if column is None or name not in boundary_cells:
            continue
        cells = boundary_cells[name]
        nodes = np.ravel_multi_index(tuple(cells.T), shape)
        by_period = pkg.stress_period_data.get_data() or {}
        level = np.full((len(periods), len(cells)), np.nan)
        for t, period in enumerate(periods):
            defined = [p for p in by_period if p <= period]  # a period without data keeps the last
            data = by_period[max(defined)] if defined else None
            if data is None or len(data) == 0:
                continue
            listed = np.ravel_multi_index(
                tuple(np.array([tuple(c) for c in data["cellid"]], int).T), shape
            )
            value = np.array([_number(v) for v in data[column]])
            at = np.searchsorted(nodes, listed)
            ok = (at < len(nodes)) & (nodes[np.minimum(at, len(nodes) - 1)] == listed)
            level[t, at[ok]] = value[ok]
        levels[name] = level
    return levels


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


def _grb_crs(grb) -> str | None:
    try:
        crs = grb.crs
    except Exception:
        return None
    return crs.to_string() if crs is not None else None
