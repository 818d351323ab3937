"""MODFLOW 6 template workspaces: write a model's input once, then only the numbers that change.

An ensemble runs one model many times with other K, recharge, river conductance...: the same grid,
packages and cells. :meth:`Mf6Template.write` writes the simulation of one spec once through flopy
(:func:`gwsim.engines.mf6.simulation`) with every value array (NPF k, k22, k33, angle1; IC strt;
STO ss, sy) and every stress-period list (one file per boundary and written period) in an external
text file. :meth:`Mf6Template.fill` then makes the workspace of any spec of the same structure
(:func:`structure_key`: grid, periods, solver, cell types, barriers, boundary cells): files whose
numbers did not change are hard links to the template's, the others are rewritten with numpy in
flopy's own number format, so that MODFLOW 6 reads exactly the numbers of a workspace flopy wrote
(the heads agree to the last bit). :func:`run` keeps a few templates per process
(:class:`TemplateCache`) and writes a new one when a spec's structure differs.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gwsim.engines import mf6
from gwsim.errors import GwsimError
from gwsim.flowfield import FlowField
from gwsim.spec import ModelSpec

TEMPLATES_PER_PROCESS = 2  # structures kept; an ensemble has one


def value_arrays(spec: ModelSpec) -> dict[tuple[str, str], np.ndarray]:
    """{(package, array): (nlay, nrow, ncol) values} that the template keeps in external files."""
    props = spec.properties.arrays(spec.grid.shape)
    arrays = {("npf", name): props[name] for name in ("k", "k22", "k33", "angle1")}
    arrays["ic", "strt"] = mf6.initial_head(spec, spec.grid.resolve())
    if not spec.steady:
        arrays.update({("sto", name): props[name] for name in ("ss", "sy")})
    return {key: np.asarray(values, float) for key, values in arrays.items()}


def value_lists(spec: ModelSpec) -> dict[tuple[str, int], np.ndarray]:
    """{(boundary, period): (ncell, ncolumn) values} of every written stress-period list."""
    nper = len(spec.periods)
    return {
        (b.name, period): np.column_stack(mf6.boundary_columns(b, period)).astype(float)
        for b in spec.boundaries
        for period in mf6.written_periods(b, nper)
    }


def structure_key(spec: ModelSpec) -> str:
    """SHA-256 of everything :func:`gwsim.engines.mf6.simulation` writes besides
    :func:`value_arrays` and :func:`value_lists`: two specs with the same key differ only there."""
    digest = hashlib.sha256()

    def add(item):
        if isinstance(item, np.ndarray):
            digest.update(f"{item.dtype}{item.shape}".encode())
            digest.update(np.ascontiguousarray(item).tobytes())
        else:
            digest.update(repr(item).encode())

    g = spec.grid
    nper = len(spec.periods)
    add((spec.name, g.shape, g.xorigin, g.yorigin, g.angrot, spec.solver, spec.periods))
    for array in g.arrays().values():
        add(array)
    add(np.asarray(spec.properties.arrays(g.shape)["icelltype"]))
    for b in spec.barriers:
        add((b.name, b.hydraulic_characteristic))
        add(np.asarray(b.faces, int))
    for b in spec.boundaries:
        add((b.kind, b.name, mf6.written_periods(b, nper)))
        add(np.asarray(b.cells, int))
    return digest.hexdigest()


@dataclass(frozen=True)
class NumberFormat:
    """flopy's text format of floating-point numbers (its simulation data settings)."""

    fixed: str  # arrays, for lower <= |v| <= upper and 0, e.g. "{:15.8f}"
    scientific: str  # arrays elsewhere, and every list value, e.g. "{:.8E}"
    lower: float
    upper: float

    @classmethod
    def of(cls, sim) -> NumberFormat:
        data = sim.simulation_data
        return cls(
            data.sci_format_str,
            data.reg_format_str,
            data._sci_note_lower_thres,  # flopy has no public getter for these two
            data._sci_note_upper_thres,
        )

    def array_text(self, values: np.ndarray) -> str:
        """A 2-D array as flopy writes it to an external file (one row a line)."""
        size = np.abs(values)
        scientific = ((size > self.upper) | (size < self.lower)) & (size != 0)
        lines = []
        for row, sci in zip(values.tolist(), scientific.tolist(), strict=True):
            lines.append(
                " ".join(
                    self.scientific.format(v) if s else self.fixed.format(v)
                    for v, s in zip(row, sci, strict=True)
                )
            )
        return "\n".join(lines) + "\n"

    def list_text(self, prefixes: list[str], suffix: str, values: np.ndarray) -> str:
        """A stress-period list: each row's cell id, its values, the boundary name."""
        fmt = self.scientific.format
        return "".join(
            f"{prefix}{' '.join(fmt(v) for v in row)}{suffix}\n"
            for prefix, row in zip(prefixes, values.tolist(), strict=True)
        )


class Mf6Template:
    """A written MODFLOW 6 workspace whose value files :meth:`fill` rewrites for another spec."""

    def __init__(self, folder: Path, key: str, number_format: NumberFormat):
        self.folder = folder
        self.key = key
        self.number_format = number_format
        self.arrays: dict[tuple[str, str], list[str]] = {}  # -> file per layer, or one file
        self.lists: dict[tuple[str, int], str] = {}  # -> file
        self.list_rows: dict[str, tuple[list[str], str]] = {}  # boundary -> cell ids, name
        self.values: dict[tuple, np.ndarray] = {}  # what the template's files hold

    @classmethod
    def write(cls, spec: ModelSpec, folder: str | Path) -> Mf6Template:
        """Write the template of ``spec`` into ``folder`` (through flopy, once)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        sim = mf6.simulation(spec, folder)
        gwf = sim.get_model(spec.name)
        template = cls(folder, structure_key(spec), NumberFormat.of(sim))
        arrays, lists = value_arrays(spec), value_lists(spec)
        for package, name in arrays:
            getattr(getattr(gwf, package), name).store_as_external_file(
                f"{spec.name}.{package}.{name}.txt"
            )
        for b in spec.boundaries:
            gwf.get_package(b.name).stress_period_data.store_as_external_file(
                f"{spec.name}.{b.name}.txt"
            )
            cells = np.asarray(b.cells, int) + 1
            template.list_rows[b.name] = ([f"{k} {i} {j} " for k, i, j in cells], f" {b.name}")
        sim.write_simulation(silent=True)
        for package, name in arrays:
            template.arrays[package, name] = template._array_files(spec, package, name)
        for name, period in lists:
            template.lists[name, period] = template._existing(
                f"{spec.name}.{name}_{period + 1}.txt"
            )
        template.values = {**arrays, **lists}
        return template

    def _existing(self, name: str) -> str:
        if not (self.folder / name).is_file():
            raise GwsimError(
                f"the MODFLOW 6 template in {self.folder} has no file {name}: this flopy version "
                "names external files differently. Report it, or run the model with "
                "gwsim.engines.mf6.run (no template)"
            )
        return name

    def _array_files(self, spec: ModelSpec, package: str, name: str) -> list[str]:
        """flopy's external file(s) of an array: one per layer (LAYERED), or one in all."""
        stem = f"{spec.name}.{package}.{name}"
        layers = [f"{stem}_layer{k + 1}.txt" for k in range(spec.grid.nlay)]
        if all((self.folder / f).is_file() for f in layers):
            return layers
        return [self._existing(f"{stem}.txt")]

    def texts(self, spec: ModelSpec) -> dict[str, str]:
        """{file: new text} of the value files whose numbers differ in ``spec``."""
        texts = {}
        for key, values in value_arrays(spec).items():
            files, old = self.arrays[key], self.values[key]
            if len(files) == 1:  # one file for all layers
                values, old = ([a.reshape(-1, a.shape[-1])] for a in (values, old))
            for file, part, was in zip(files, values, old, strict=True):
                if not np.array_equal(part, was):
                    texts[file] = self.number_format.array_text(part)
        for key, values in value_lists(spec).items():
            if not np.array_equal(values, self.values[key]):
                prefixes, suffix = self.list_rows[key[0]]
                texts[self.lists[key]] = self.number_format.list_text(prefixes, suffix, values)
        return texts

    def fill(self, spec: ModelSpec, workspace: Path) -> int:
        """Make ``workspace`` the MODFLOW 6 input of ``spec``; return how many files were
        rewritten. Raises GwsimError when ``spec``'s structure is not the template's."""
        if structure_key(spec) != self.key:
            raise GwsimError(
                f"model {spec.name!r} differs from the template in {self.folder} in more than "
                "values (grid, periods, solver or boundary cells): write a template for it"
            )
        texts = self.texts(spec)
        for source in self.folder.iterdir():
            target = workspace / source.name
            target.unlink(missing_ok=True)  # never write through a link into the template
            if source.name in texts:
                target.write_text(texts[source.name])
                continue
            try:
                os.link(source, target)
            except OSError:  # another file system, or no hard links
                shutil.copyfile(source, target)
        return len(texts)


class TemplateCache:
    """The templates of the last :data:`TEMPLATES_PER_PROCESS` structures, in temporary folders
    removed when they leave the cache or the process ends."""

    def __init__(self, size: int = TEMPLATES_PER_PROCESS):
        self.size = size
        self._templates: OrderedDict[str, Mf6Template] = OrderedDict()
        self._lock = threading.Lock()  # threaded dask workers share the cache

    def template(self, spec: ModelSpec) -> Mf6Template:
        """The template of ``spec``'s structure, written now if there is none."""
        key = structure_key(spec)
        with self._lock:
            if key in self._templates:
                self._templates.move_to_end(key)
                return self._templates[key]
            folder = Path(tempfile.mkdtemp(prefix=f"gwsim-template-{spec.name}-"))
            template = Mf6Template.write(spec, folder)
            self._templates[key] = template
            while len(self._templates) > self.size:
                _, old = self._templates.popitem(last=False)
                shutil.rmtree(old.folder, ignore_errors=True)
            return template

    def clear(self) -> None:
        with self._lock:
            for template in self._templates.values():
                shutil.rmtree(template.folder, ignore_errors=True)
            self._templates.clear()


TEMPLATES = TemplateCache()
atexit.register(TEMPLATES.clear)


def run(spec: ModelSpec, workspace: str | Path | None = None) -> FlowField:
    """:func:`gwsim.engines.mf6.run` of ``spec`` through this process's template of its
    structure: the same files and result, but only the changed numbers are written."""
    spec.validate()
    workspace = mf6.prepare_workspace(spec, workspace)
    TEMPLATES.template(spec).fill(spec, workspace)
    return mf6.solve(spec, workspace)
