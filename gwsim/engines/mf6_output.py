"""Read a MODFLOW 6 GWF model's binary output (grid, heads, budget) into plain arrays.

flopy finds the files (simulation and model name files, output control) and reads the binary
records; this module turns them into the arrays :class:`gwsim.FlowField` holds. The structured face
flows come from the FLOW-JA-FACE record and the grid's user-numbered connectivity (IA/JA in the
``.grb`` file), vectorised over connections.
"""

from __future__ import annotations

from pathlib import Path

import flopy
import numpy as np

from gwsim.errors import FlowFieldError
from gwsim.grid import StructuredGrid, mask_dry, stacked_tops

# Budget records that are not flows between the aquifer and a source/sink.
_NOT_SOURCES = {"FLOW-JA-FACE", "DATA-SPDIS", "DATA-SAT", "DATA-STOSS", "DATA-STOSY"}
# Array-based package variants carry the same meaning as the list-based ones.
_TYPE_ALIASES = {"RCHA": "RCH", "EVTA": "EVT"}


def _locate_files(sim_ws: Path, model: str | None) -> dict[str, Path | str]:
    """Names of the model and of its grid, head, budget and listing files."""
    if not (sim_ws / "mfsim.nam").is_file():
        raise FlowFieldError(
            f"{sim_ws} has no mfsim.nam: give the folder of a MODFLOW 6 simulation"
        )
    try:
        sim = flopy.mf6.MFSimulation.load(
            sim_ws=str(sim_ws), load_only=["dis", "oc"], verbosity_level=0
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
    gwf = sim.get_model(model)
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
        "model": model,
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


def read_gwf_output(cls, sim_ws: Path, model: str | None, porosity, crs: str | None):
    """Build a FlowField (``cls``) from the output files of a MODFLOW 6 GWF model."""
    from gwsim.flowfield import read_percent_discrepancy, source_folder_attrs

    files = _locate_files(sim_ws, model)
    for key in ("grb", "head", "budget"):
        if not Path(files[key]).is_file():
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
    kstpkper = np.asarray(heads.get_kstpkper(), int)  # flopy gives them 0-based
    # one record per layer and step: select steps by time, not by record index
    head = np.stack([heads.get_data(totim=t) for t in head_times]).astype(float)
    heads.close()
    mask_dry(head)
    head[:, idomain <= 0] = np.nan

    budget = flopy.utils.CellBudgetFile(str(files["budget"]), precision="double")
    records = budget.recordarray
    totims = records["totim"]
    nt = len(head_times)
    right = np.zeros((nt, *shape))
    front = np.zeros((nt, *shape))
    lower = np.zeros((nt, *shape))
    saturation = None
    sources: dict[str, np.ndarray] = {}
    source_types: dict[str, str] = {}
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
            else:
                sources[name][t] += np.asarray(data, float).reshape(shape)
    budget.close()
    if not found_flowja.all():
        raise FlowFieldError(
            f"{files['budget']} lacks FLOW-JA-FACE for {int((~found_flowja).sum())} saved steps: "
            "set SAVE_FLOWS in the model and BUDGET ALL in its OC package"
        )
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
    return cls(
        grid=grid,
        icelltype=icelltype,
        porosity=porosity,
        times=head_times,
        kstpkper=kstpkper.reshape(-1, 2),
        head=head,
        saturation=saturation,
        flow_right_face=right,
        flow_front_face=front,
        flow_lower_face=lower,
        sources=sources,
        source_types=source_types,
        percent_discrepancy=read_percent_discrepancy(Path(files["listing"])),
        attrs=source_folder_attrs(sim_ws),
        saturation_saved=saturation_saved,
        model_name=str(files["model"]),
        files={k: Path(v) for k, v in files.items() if k != "model"},
    )


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
