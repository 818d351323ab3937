"""A light reader of the MODFLOW 6 input that :func:`gwsim.engines.mf6_output.read_gwf_output` needs.

The simulation and model name files, output control, the DIS options, the NPF conductivity arrays
and the levels of river, drain and general-head boundaries, parsed with plain Python and numpy: no
flopy import (about 1 s with the matplotlib it loads) and no flopy text parsing (NPF arrays of a
100,000-cell model took flopy seconds). It reads the forms MODFLOW 6 models usually use (``CONSTANT``,
``INTERNAL`` and text ``OPEN/CLOSE`` arrays, ``LAYERED``, structured list input inline or in a
text ``OPEN/CLOSE`` file); for anything else it raises :class:`UnsupportedInput` and the caller
falls back to flopy.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np

_COMMENT = re.compile(r"\s*(#|!|//).*$")
_CONDUCTIVITY = ("k", "k22", "k33", "angle1")
_LEVEL_COLUMNS = {"riv": 0, "drn": 0, "ghb": 0}  # stage, elev, bhead follow the cell id


class UnsupportedInput(Exception):
    """The input uses a form this reader leaves to flopy."""


def blocks(path: Path) -> dict[tuple[str, int], list[list[str]]]:
    """``{(block name, period or 0): [words of each line]}``, comments and blank lines removed."""
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as exc:
        raise UnsupportedInput(f"{path}: {exc}") from exc
    out: dict[tuple[str, int], list[list[str]]] = {}
    current = None
    for line in text.splitlines():
        line = _uncommented(line)
        if "'" in line or '"' in line:
            words = [w.strip("'\"") for w in shlex.split(line, posix=False)]
        else:
            words = line.split()
        if not words:
            continue
        head = words[0].upper()
        if head == "BEGIN":
            number = int(words[2]) if len(words) > 2 and words[2].isdigit() else 0
            current = (words[1].upper(), number)
            out[current] = []
        elif head == "END":
            current = None
        elif current is not None:
            out[current].append(words)
    return out


def model_entries(sim_ws: Path) -> list[tuple[str, str, str]]:
    """(model type, name file, model name) of each model in ``mfsim.nam``."""
    rows = blocks(sim_ws / "mfsim.nam").get(("MODELS", 0), [])
    return [(r[0].lower(), r[1], r[2]) for r in rows if len(r) >= 3]


def name_file(sim_ws: Path, nam: str) -> dict:
    """A model name file: ``list`` (listing file or None) and ``packages`` [(type, file, name)]
    (``type`` lower case without the 6, ``name`` lower case or None when not given)."""
    content = blocks(sim_ws / nam)
    listing = None
    for words in content.get(("OPTIONS", 0), []):
        if words[0].upper() == "LIST" and len(words) > 1:
            listing = words[1]
    packages = [
        (r[0].lower().rstrip("6"), r[1], r[2].lower() if len(r) > 2 else None)
        for r in content.get(("PACKAGES", 0), [])
    ]
    return {"list": listing, "packages": packages}


def output_files(sim_ws: Path, oc_file: str) -> dict[str, str | None]:
    """The ``head`` and ``budget`` file names that output control saves to (None if none)."""
    found = {"head": None, "budget": None}
    for words in blocks(sim_ws / oc_file).get(("OPTIONS", 0), []):
        kind = words[0].lower()
        if kind in found and len(words) > 2 and words[1].upper() == "FILEOUT":
            found[kind] = words[2]
    return found


def saves_grb(sim_ws: Path, dis_file: str) -> bool:
    """False when the DIS options say NOGRB."""
    return not any(
        w[0].upper() == "NOGRB" for w in blocks(sim_ws / dis_file).get(("OPTIONS", 0), [])
    )


def read_arrays(sim_ws: Path, path: str, names, shape) -> dict[str, np.ndarray]:
    """The GRIDDATA arrays ``names`` of a package file, shaped ``shape`` (nlay, nrow, ncol)."""
    words = [w for line in blocks(sim_ws / path).get(("GRIDDATA", 0), []) for w in line]
    nlay, nrow, ncol = shape
    out = {}
    i = 0
    while i < len(words):
        name = words[i].lower()
        layered = i + 1 < len(words) and words[i + 1].upper() == "LAYERED"
        i += 2 if layered else 1
        parts, count = (nlay, nrow * ncol) if layered else (1, nlay * nrow * ncol)
        values = []
        for _ in range(parts):
            array, i = _array(sim_ws, words, i, count)
            values.append(array)
        if name in names:
            out[name] = np.concatenate(values).reshape(shape)
    return out


def _array(sim_ws: Path, words: list[str], i: int, count: int) -> tuple[np.ndarray, int]:
    """One array control record and its data from ``words[i:]``; (values, next index)."""
    control = words[i].upper()
    if control == "CONSTANT":
        return np.full(count, _float(words[i + 1])), i + 2
    if control not in ("INTERNAL", "OPEN/CLOSE"):
        raise UnsupportedInput(f"array control {words[i]!r}")
    source = words[i + 1] if control == "OPEN/CLOSE" else None
    i += 2 if source else 1
    factor = 1.0
    while i < len(words) and words[i].upper() in ("FACTOR", "IPRN", "(BINARY)"):
        if words[i].upper() == "(BINARY)":
            raise UnsupportedInput("binary array input")
        if words[i].upper() == "FACTOR":
            factor = _float(words[i + 1])
        i += 2
    if source is None:
        data = words[i : i + count]
        i += count
    else:
        data = (sim_ws / source).read_text().split()[:count]
    if len(data) != count:
        raise UnsupportedInput(f"array of {len(data)} values where {count} are needed")
    return _floats(data) * factor, i


def read_levels(sim_ws: Path, path: str, kind: str, shape) -> dict[int, tuple[np.ndarray, list]]:
    """``{0-based period: (0-based nodes, level values as text)}`` of a RIV/DRN/GHB file."""
    out = {}
    for (block, period), rows in blocks(sim_ws / path).items():
        if block != "PERIOD":
            continue
        rows = _list_rows(sim_ws, rows)
        try:
            cells = np.array([r[:3] for r in rows]).astype(int).reshape(-1, 3) - 1
        except ValueError as exc:
            raise UnsupportedInput("list input that is not layer row column") from exc
        nodes = np.ravel_multi_index(tuple(cells.T), shape) if len(cells) else cells[:, 0]
        out[period - 1] = (nodes, [r[3 + _LEVEL_COLUMNS[kind]] for r in rows])
    return out


def _list_rows(sim_ws: Path, rows: list[list[str]]) -> list[list[str]]:
    """A list block's rows, each ``OPEN/CLOSE file`` line replaced by the text file's rows."""
    out = []
    for row in rows:
        if row[0].upper() != "OPEN/CLOSE":
            out.append(row)
            continue
        if "(BINARY)" in (w.upper() for w in row[2:]):
            raise UnsupportedInput("binary OPEN/CLOSE list input")
        try:
            text = (sim_ws / row[1]).read_text(errors="replace")
        except OSError as exc:
            raise UnsupportedInput(f"{row[1]}: {exc}") from exc
        out += [w for w in (_uncommented(line).split() for line in text.splitlines()) if w]
    return out


def _uncommented(line: str) -> str:
    """``line`` without its trailing comment (the regular expression only where one may be)."""
    return _COMMENT.sub("", line) if ("#" in line or "!" in line or "//" in line) else line


def _float(word: str) -> float:
    return float(word.replace("D", "E").replace("d", "e"))


def _floats(words: list[str]) -> np.ndarray:
    try:
        return np.array(words, dtype=float)
    except ValueError:
        return np.array([_float(w) for w in words])
