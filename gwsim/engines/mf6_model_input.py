"""The input of a MODFLOW 6 GWF model that reading its output needs: which files it writes, its
NPF conductivity and the levels of its river, drain and general-head boundaries.

Parsed without flopy by :mod:`.mf6_input`; flopy reads the input forms that parser leaves alone.
Conductivity can be read later, when first used (:class:`DeferredConductivity`): parsing NPF text
is most of the time reading a large model takes, and tracking never needs it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gwsim.engines import mf6_input
from gwsim.engines.mf6_binary import read_grb
from gwsim.errors import FlowFieldError

# Boundary packages whose level (m) maps and sections show, and the input field holding it.
_LEVEL_FIELDS = {"riv": "stage", "drn": "elev", "ghb": "bhead"}
CONDUCTIVITY_FIELDS = ("k", "k22", "k33", "angle1")


def _choose_model(sim_ws: Path, gwf_names: list[str], model: str | None) -> str:
    if model is None:
        if len(gwf_names) != 1:
            raise FlowFieldError(
                f"{sim_ws} holds {len(gwf_names)} GWF models ({', '.join(gwf_names) or 'none'}): "
                "name one with model=..."
            )
        return gwf_names[0]
    if model not in gwf_names:
        raise FlowFieldError(
            f"no GWF model named {model!r} in {sim_ws}; it has {', '.join(gwf_names) or 'none'}"
        )
    return model


def _no_output_error(model: str) -> FlowFieldError:
    return FlowFieldError(
        f"model {model!r} saves no head or budget file: add HEAD FILEOUT and BUDGET FILEOUT "
        "to its OC package (and SAVE_FLOWS) and run it again"
    )


def read_model_input(sim_ws: Path, model: str | None, npf: bool) -> dict:
    """Model name, files, package order, NPF arrays (if ``npf``) and boundary level input.

    Returns ``{"model_name", "files", "package_order", "conductivity" (dict or None),
    "levels" ({package name: {0-based period: (nodes, level texts)}})}``. Parsed without flopy
    (:mod:`.mf6_input`); flopy reads the input forms that parser leaves alone.
    """
    if not (sim_ws / "mfsim.nam").is_file():
        raise FlowFieldError(
            f"{sim_ws} has no mfsim.nam: give the folder of a MODFLOW 6 simulation"
        )
    try:
        return _parsed_model_input(sim_ws, model, npf)
    except mf6_input.UnsupportedInput:
        return _flopy_model_input(sim_ws, model, npf)


def _parsed_model_input(sim_ws: Path, model: str | None, npf: bool) -> dict:
    entries = mf6_input.model_entries(sim_ws)
    name = _choose_model(sim_ws, [m for t, _, m in entries if t.startswith("gwf")], model)
    nam = next(f for t, f, m in entries if m == name)
    content = mf6_input.name_file(sim_ws, nam)
    by_type = {}
    for kind, path, _ in content["packages"]:
        by_type.setdefault(kind, path)
    if "dis" not in by_type:
        raise FlowFieldError(
            f"model {name!r} does not use a structured DIS grid; gwsim reads DIS models only"
        )
    saved = mf6_input.output_files(sim_ws, by_type["oc"]) if "oc" in by_type else {}
    if not saved.get("head") or not saved.get("budget"):
        raise _no_output_error(name)
    if not mf6_input.saves_grb(sim_ws, by_type["dis"]):
        raise FlowFieldError(f"{sim_ws / by_type['dis']}.grb is missing (do not set NOGRB in DIS)")
    shape = _grb_shape(sim_ws / f"{by_type['dis']}.grb")
    levels = {}
    for kind, path, pname in content["packages"]:
        if kind in _LEVEL_FIELDS:
            if pname is None:  # MODFLOW 6's default package names: flopy knows them
                raise mf6_input.UnsupportedInput("boundary package without a name")
            levels[pname] = mf6_input.read_levels(sim_ws, path, kind, shape)
    conductivity = None
    if npf and "npf" in by_type:
        given = mf6_input.read_arrays(sim_ws, by_type["npf"], CONDUCTIVITY_FIELDS, shape)
        conductivity = conductivity_arrays(shape, **given) if "k" in given else None
    return {
        "model_name": name,
        "files": {
            "grb": sim_ws / f"{by_type['dis']}.grb",
            "head": sim_ws / saved["head"],
            "budget": sim_ws / saved["budget"],
            "listing": sim_ws / (content["list"] or f"{name}.lst"),
        },
        "package_order": [p for _, _, p in content["packages"] if p],
        "conductivity": conductivity,
        "levels": levels,
    }


def _grb_shape(path: Path) -> tuple[int, int, int]:
    if not path.is_file():
        raise FlowFieldError(f"{path} is missing: run the simulation in {path.parent} first")
    grb = read_grb(path)
    return int(grb["NLAY"]), int(grb["NROW"]), int(grb["NCOL"])


def _flopy_model_input(sim_ws: Path, model: str | None, npf: bool) -> dict:
    """:func:`read_model_input` through flopy (DIS, OC, NPF and the level packages only)."""
    import flopy  # only for input forms mf6_input does not parse

    try:
        sim = flopy.mf6.MFSimulation.load(
            sim_ws=str(sim_ws),
            load_only=["dis", "oc", *_LEVEL_FIELDS, *(["npf"] if npf else [])],
            verbosity_level=0,
        )
    except Exception as exc:
        raise FlowFieldError(f"flopy could not load the simulation in {sim_ws}: {exc}") from exc
    gwf_names = [m for m in sim.model_names if sim.get_model(m).model_type.startswith("gwf")]
    gwf = sim.get_model(_choose_model(sim_ws, gwf_names, model))
    dis = gwf.get_package("dis")
    if dis is None or dis.package_type != "dis":
        raise FlowFieldError(
            f"model {gwf.name!r} does not use a structured DIS grid; gwsim reads DIS models only"
        )
    oc = gwf.get_package("oc")
    head_rec = oc.head_filerecord.get_data() if oc is not None else None
    budget_rec = oc.budget_filerecord.get_data() if oc is not None else None
    if head_rec is None or budget_rec is None or len(head_rec) == 0 or len(budget_rec) == 0:
        raise _no_output_error(gwf.name)
    shape = (dis.nlay.get_data(), dis.nrow.get_data(), dis.ncol.get_data())
    levels = {}
    for pkg in gwf.packagelist:
        column = _LEVEL_FIELDS.get(pkg.package_type)
        if column is None:
            continue
        by_period = {}
        for period, data in (pkg.stress_period_data.get_data() or {}).items():
            if data is None or len(data) == 0:
                by_period[period] = (np.empty(0, int), [])
                continue
            cells = np.array([tuple(c) for c in data["cellid"]], int).reshape(-1, 3)
            by_period[period] = (np.ravel_multi_index(tuple(cells.T), shape), list(data[column]))
        levels[pkg.package_name.lower()] = by_period
    return {
        "model_name": gwf.name,
        "files": {
            "grb": sim_ws / f"{dis.filename}.grb",
            "head": sim_ws / head_rec[0][0],
            "budget": sim_ws / budget_rec[0][0],
            "listing": sim_ws / (gwf.name_file.list.get_data() or f"{gwf.name}.lst"),
        },
        "package_order": [str(p[2]).lower() for p in gwf.name_file.packages.get_data() if p[2]],
        "conductivity": read_conductivity(gwf, shape) if npf else None,
        "levels": levels,
    }


def read_conductivity(gwf, shape) -> dict[str, np.ndarray | None]:
    """K, K22, K33 (m/d) and ANGLE1 (deg) of the model's NPF input (see :func:`conductivity_arrays`).

    All four are ``None`` when the model has no NPF package flopy can read.
    """
    npf = gwf.get_package("npf")
    try:
        given = {name: getattr(npf, name).array for name in CONDUCTIVITY_FIELDS}
        return conductivity_arrays(shape, **given)
    except (AttributeError, TypeError, ValueError):
        return dict.fromkeys(CONDUCTIVITY_FIELDS)


def conductivity_arrays(shape, k, k22=None, k33=None, angle1=None) -> dict[str, np.ndarray]:
    """K, K22, K33 (m/d) and ANGLE1 (deg) shaped (nlay, nrow, ncol), with MODFLOW 6's defaults
    for those not given: K22 = K, K33 = K22, ANGLE1 = 0."""
    k = np.broadcast_to(np.asarray(k, float), shape)
    k22 = k if k22 is None else np.broadcast_to(np.asarray(k22, float), shape)
    k33 = k22 if k33 is None else np.broadcast_to(np.asarray(k33, float), shape)
    angle1 = np.broadcast_to(np.asarray(0.0 if angle1 is None else angle1, float), shape)
    return {"k": k.copy(), "k22": k22.copy(), "k33": k33.copy(), "angle1": angle1.copy()}


class DeferredConductivity:
    """The NPF conductivity of a model, read when first asked for (``FlowField.k`` etc.).

    Parsing the NPF text is most of the time :func:`read_gwf_output` would spend on a large model
    (0.4 s of 0.8 s for 450,000 cells), and tracking never needs it. Called, it returns
    ``{"k", "k22", "k33", "angle1"}`` (arrays, or ``None`` each where the NPF input cannot be
    read), reading once. It refuses to read an NPF file that changed since the flow field was
    read (another size or modification time than ``npf_stamp``, from :func:`npf_stamp`).
    """

    def __init__(self, sim_ws: Path, model_name: str, stamp: tuple):
        self.sim_ws = sim_ws
        self.model_name = model_name
        self.stamp = stamp
        self.values: dict | None = None

    def __call__(self) -> dict[str, np.ndarray | None]:
        if self.values is None:
            if npf_stamp(self.sim_ws, self.model_name) != self.stamp:
                raise FlowFieldError(
                    f"the NPF input in {self.sim_ws} changed or vanished since the flow field was "
                    "read, so its conductivity (k, k22, k33, angle1) cannot be read now: read "
                    "the flow field again, or pass conductivity=... to FlowField.from_mf6"
                )
            given = read_model_input(self.sim_ws, self.model_name, npf=True)["conductivity"]
            self.values = given or dict.fromkeys(CONDUCTIVITY_FIELDS)
        return self.values


def npf_stamp(sim_ws: Path, model_name: str) -> tuple | None:
    """(file name, size, modification time in ns) of a model's NPF file; None when the name
    files do not say which it is or it cannot be read."""
    try:
        entries = mf6_input.model_entries(sim_ws)
        nam = next(f for _, f, m in entries if m.lower() == model_name.lower())
        packages = mf6_input.name_file(sim_ws, nam)["packages"]
        npf = next(path for kind, path, _ in packages if kind == "npf")
        stat = (sim_ws / npf).stat()
    except (StopIteration, OSError, mf6_input.UnsupportedInput):
        return None
    return npf, stat.st_size, stat.st_mtime_ns
