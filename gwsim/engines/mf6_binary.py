"""numpy readers of MODFLOW 6's binary output: grid (``.grb``), head and budget files.

Why not flopy's readers: flopy's ``CellBudgetFile`` indexes the file by walking every record
header in Python and then reads each record again, and importing flopy loads matplotlib (about
1 s before any data moves). Here the head file, whose records all have one size on a DIS grid, is
a single structured ``np.fromfile``; the budget file is mapped into memory and each record
becomes a view of that map (a few dozen Python steps per saved time step), so records nobody
uses, such as specific discharge, are never read from disk. flopy stays the
reference in the tests, on models with every kind of budget record.

Record layouts (MODFLOW 6 input/output guide, "binary output files"):

* head: ``kstp, kper`` (int32), ``pertim, totim`` (float64), ``text`` (16 chars),
  ``ncol, nrow, ilay`` (int32), then ``ncol * nrow`` float64 values;
* budget: ``kstp, kper`` (int32), ``text`` (16 chars), ``ndim1, ndim2, ndim3`` (int32; ndim3 < 0
  means a compact header follows), ``imeth`` (int32), ``delt, pertim, totim`` (float64); method 1
  is an array of ``ndim1 * ndim2 * |ndim3|`` float64; method 6 gives ``txt1id1, txt2id1, txt1id2,
  txt2id2`` (16 chars each), ``ndat`` (int32), ``ndat - 1`` auxiliary names (16 chars),
  ``nlist`` (int32) and ``nlist`` records of ``node, node2`` (int32), ``q`` and the auxiliary
  values (float64);
* grid: four 50-character lines (``GRID DIS``, ``VERSION``, ``NTXT``, ``LENTXT``), ``NTXT``
  definitions ``NAME TYPE NDIM n dims...`` of ``LENTXT`` characters, then the data in that order.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from gwsim.errors import FlowFieldError

_HEAD_HEADER = [
    ("kstp", "<i4"),
    ("kper", "<i4"),
    ("pertim", "<f8"),
    ("totim", "<f8"),
    ("text", "S16"),
    ("ncol", "<i4"),
    ("nrow", "<i4"),
    ("ilay", "<i4"),
]
_BUDGET_HEADER = np.dtype(
    [
        ("kstp", "<i4"),
        ("kper", "<i4"),
        ("text", "S16"),
        ("ndim1", "<i4"),
        ("ndim2", "<i4"),
        ("ndim3", "<i4"),
        ("imeth", "<i4"),
        ("delt", "<f8"),
        ("pertim", "<f8"),
        ("totim", "<f8"),
    ]
)
_GRB_TYPES = {"INTEGER": "<i4", "DOUBLE": "<f8"}


class BudgetRecord(NamedTuple):
    """One budget record: ``array`` (method 1) or ``node, node2, q, aux`` (method 6, 0-based
    nodes; ``aux`` maps auxiliary names to values); ``package`` is the budget term's package
    name (txt2id2), empty for arrays; ``delt``, ``pertim`` (d) and ``names`` (txt1id1, txt2id1,
    txt1id2, txt2id2 of method 6) and ``dims`` complete the header, for
    :func:`write_budget_record`."""

    kstp: int
    kper: int
    text: str
    imeth: int
    totim: float
    package: str
    array: np.ndarray | None
    node: np.ndarray | None
    node2: np.ndarray | None
    q: np.ndarray | None
    aux: dict[str, np.ndarray]
    delt: float = 0.0
    pertim: float = 0.0
    names: tuple[str, ...] = ()
    dims: tuple[int, ...] = ()  # ndim1, ndim2, ndim3 as written (ndim3 < 0); () not read


def read_grb(path: Path) -> dict[str, np.ndarray]:
    """The variables of a DIS binary grid file, by upper-case name (IA and JA stay 1-based)."""
    raw = Path(path).read_bytes()
    try:
        lines = [raw[i * 50 : (i + 1) * 50].decode().split() for i in range(4)]
        if lines[0] != ["GRID", "DIS"]:
            raise FlowFieldError(f"{path} is a {' '.join(lines[0])} grid file; gwsim reads DIS")
        ntxt, lentxt = int(lines[2][1]), int(lines[3][1])
        pos = 200
        out = {}
        definitions = []
        for i in range(ntxt):
            words = raw[pos + i * lentxt : pos + (i + 1) * lentxt].decode().split("#")[0].split()
            definitions.append(words)
        pos += ntxt * lentxt
        for words in definitions:
            name, kind, ndim = words[0], words[1], int(words[3])
            count = int(np.prod([int(d) for d in words[4 : 4 + ndim]])) if ndim else 1
            if kind == "CHARACTER":  # e.g. CRS: a string of that many characters
                out[name] = raw[pos : pos + count].decode().strip()
                pos += count
                continue
            dtype = np.dtype(_GRB_TYPES[kind])
            values = np.frombuffer(raw, dtype, count, pos)
            out[name] = values if ndim else values[0]
            pos += count * dtype.itemsize
    except (IndexError, KeyError, ValueError, UnicodeDecodeError) as exc:
        raise FlowFieldError(
            f"{path} is not a MODFLOW 6 binary grid file it can read: {exc}"
        ) from exc
    return out


def read_layer_records(
    path: Path, header: list, value_type: str, shape, what: str, error=FlowFieldError
) -> np.ndarray:
    """Every record of a binary file written layer by layer (a header of ``header`` fields, then
    one layer of ``value_type`` values), as an (nsaved, nlay) structured array; ``what`` names the
    file kind in ``error``'s message. MODFLOW's head files and MT3D's concentration files are
    laid out so."""
    nlay, nrow, ncol = shape
    dtype = np.dtype([*header, ("data", value_type, (nrow, ncol))])
    size = Path(path).stat().st_size
    if size % dtype.itemsize or size // dtype.itemsize % nlay:
        raise error(
            f"{path} does not hold whole layers of a {shape} grid: is it a {what} of this model?"
        )
    steps = np.fromfile(path, dtype).reshape(-1, nlay)
    if not (steps["ilay"] == np.arange(1, nlay + 1)).all() or (steps["ncol"] != ncol).any():
        raise error(f"{path}: records do not run layer by layer over a {shape} grid")
    return steps


def read_heads(path: Path, shape: tuple[int, int, int]):
    """(totim (nt,), kstpkper (nt, 2) 0-based, head (nt, nlay, nrow, ncol)) of a DIS head file."""
    steps = read_layer_records(path, _HEAD_HEADER, "<f8", shape, "double-precision head file")
    first = steps[:, 0]
    kstpkper = np.column_stack([first["kstp"], first["kper"]]).astype(int) - 1
    return first["totim"].astype(float), kstpkper, steps["data"]


def read_budget(path: Path):
    """Every record of a MODFLOW 6 budget file, in file order (see :class:`BudgetRecord`)."""
    if Path(path).stat().st_size == 0:
        return
    raw = np.memmap(path, np.uint8, mode="r")  # records unused (e.g. DATA-SPDIS) are not read
    pos, end = 0, raw.size
    while pos < end:
        header = np.frombuffer(raw, _BUDGET_HEADER, 1, pos)[0]
        if header["ndim3"] >= 0:
            raise FlowFieldError(f"{path}: a budget record without a compact header (not MF6?)")
        pos += _BUDGET_HEADER.itemsize
        imeth = int(header["imeth"])
        text = header["text"].decode().strip()
        common = (int(header["kstp"]), int(header["kper"]), text, imeth, float(header["totim"]))
        timing = {
            "delt": float(header["delt"]),
            "pertim": float(header["pertim"]),
            "dims": (int(header["ndim1"]), int(header["ndim2"]), int(header["ndim3"])),
        }
        if imeth == 1:
            count = int(header["ndim1"]) * int(header["ndim2"]) * -int(header["ndim3"])
            array = np.frombuffer(raw, "<f8", count, pos)
            pos += 8 * count
            yield BudgetRecord(*common, "", array, None, None, None, {}, **timing)
        elif imeth == 6:
            names = np.frombuffer(raw, "S16", 4, pos)
            ndat = int(np.frombuffer(raw, "<i4", 1, pos + 64)[0])
            pos += 68
            aux_names = [n.decode().strip() for n in np.frombuffer(raw, "S16", ndat - 1, pos)]
            pos += 16 * (ndat - 1)
            nlist = int(np.frombuffer(raw, "<i4", 1, pos)[0])
            pos += 4
            row = np.dtype([("node", "<i4"), ("node2", "<i4"), ("q", "<f8", (ndat,))])
            data = np.frombuffer(raw, row, nlist, pos)
            pos += row.itemsize * nlist
            aux = {name: data["q"][:, i + 1] for i, name in enumerate(aux_names)}
            package = names[3].decode().strip()
            yield BudgetRecord(
                *common,
                package,
                None,
                data["node"] - 1,
                data["node2"] - 1,
                data["q"][:, 0],
                aux,
                **timing,
                names=tuple(n.decode().strip() for n in names),
            )
        else:
            raise FlowFieldError(
                f"{path}: budget method {imeth} for {text} (MODFLOW 6 writes 1, 6)"
            )


def write_budget_record(out, record: BudgetRecord) -> None:
    """Append ``record`` to the open binary file ``out`` in MODFLOW 6's budget layout (see the
    module doc; 1-based nodes; ``dims`` as given, else (n, 1, -1) for an array of n values and
    (0, 0, -1) for a list), so that :func:`read_budget` and MODFLOW 6's budget-file reader read
    it back unchanged."""
    header = np.zeros(1, _BUDGET_HEADER)[0]
    header["kstp"], header["kper"] = record.kstp, record.kper
    header["text"] = record.text.rjust(16).encode()
    header["imeth"], header["delt"] = record.imeth, record.delt
    header["pertim"], header["totim"] = record.pertim, record.totim
    default = (record.array.size, 1, -1) if record.imeth == 1 else (0, 0, -1)
    header["ndim1"], header["ndim2"], header["ndim3"] = record.dims or default
    if record.imeth == 1:
        out.write(header.tobytes())
        out.write(np.ascontiguousarray(record.array, "<f8").tobytes())
        return
    out.write(header.tobytes())
    out.write(np.array([n.ljust(16) for n in record.names], "S16").tobytes())
    out.write(np.int32(1 + len(record.aux)).tobytes())
    out.write(np.array([n.ljust(16) for n in record.aux], "S16").tobytes())
    ndat = 1 + len(record.aux)
    row = np.dtype([("node", "<i4"), ("node2", "<i4"), ("q", "<f8", (ndat,))])
    data = np.zeros(len(record.q), row)
    data["node"], data["node2"] = np.asarray(record.node) + 1, np.asarray(record.node2) + 1
    data["q"] = np.column_stack([record.q, *record.aux.values()]) if len(record.q) else 0.0
    out.write(np.int32(len(data)).tobytes())
    out.write(data.tobytes())
