"""The model a scenario runs: its ``[model]`` table, shared by every scenario kind that runs flow.

The table names a model spec file (``spec``, relative to the scenario file), holds the spec's
tables inline, or names a site model folder (``site``, ``variant``, ``overrides``): a folder with
``params.toml`` (every value with its unit and source, :mod:`gwsim.params`) and ``build.py``, which
defines ``VARIANTS`` and ``build_spec(params, variant) -> ModelSpec``.

This module sits outside :mod:`gwsim.scenario` so that the scenario kinds can use it while the
scenario registry imports them, with no import cycle.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from gwsim.config import Problems, check_keys, is_number
from gwsim.errors import SpecError
from gwsim.params import apply_overrides, load_params
from gwsim.plausibility import params_findings
from gwsim.spec import ModelSpec


@dataclass
class SiteModel:
    """A site model folder (``params.toml`` + ``build.py``), a variant and parameter overrides.

    ``build.py`` defines ``build_spec(params, variant) -> ModelSpec`` and ``VARIANTS``; the
    parameters are :class:`gwsim.params.Param` values by dotted key.
    """

    folder: Path
    variant: str
    params: dict
    overridden: tuple[str, ...] = ()  # keys the scenario's [model.overrides] changed

    @property
    def params_file(self) -> Path:
        return self.folder / "params.toml"

    @classmethod
    def from_table(cls, model: dict, base: Path) -> SiteModel:
        """The site model of a ``[model]`` table; ``site`` is relative to the folder ``base``."""
        check_keys(model, {"site", "variant", "overrides"}, "model")
        if not isinstance(model["site"], str):
            raise SpecError(
                "model.site", f"{model['site']!r} is not a path", 'site = "../models/…"'
            )
        folder = (base / model["site"]).resolve()
        if not (folder / "build.py").is_file() or not (folder / "params.toml").is_file():
            raise SpecError(
                "model.site",
                f"{folder} is not a site model folder (it needs build.py and params.toml)",
                "point site to models/valley_porous or models/redbed_fracture (relative to the scenario)",
            )
        builder = cls._module(folder)
        variant = model.get("variant", builder.VARIANTS[0])
        if not isinstance(variant, str) or variant not in builder.VARIANTS:
            raise SpecError(
                "model.variant",
                f"unknown variant {variant!r}",
                f"use one of {list(builder.VARIANTS)}",
            )
        params = apply_overrides(
            load_params(folder / "params.toml"), model.get("overrides", {}), "model.overrides"
        )
        problems = Problems()
        problems.errors += params_findings(params).errors  # before build.py sees them
        problems.raise_any()
        return cls(folder, variant, params, tuple(model.get("overrides", {})))

    @staticmethod
    def _module(folder: Path):
        name = f"gwsim_site_{folder.name}"
        spec = importlib.util.spec_from_file_location(name, folder / "build.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    def build(self, params: dict | None = None) -> ModelSpec:
        """The validated spec of this site (from ``params``, default the scenario's).

        ``build.py`` is the site's own code: when the scenario overrides parameters, an error it
        raises (a value it cannot use that :func:`~gwsim.params.apply_overrides` and the
        plausibility bounds let through, e.g. an unknown CRS) is reported as a :class:`SpecError`
        naming the overrides, not as a traceback. Without overrides it is a bug and propagates.
        """
        module = self._module(self.folder)
        try:
            spec = module.build_spec(params or self.params, self.variant)
        except Exception as exc:
            if isinstance(exc, SpecError) or not self.overridden:
                raise
            raise SpecError(
                "model.overrides",
                f"the site model {self.folder.name} cannot be built from these parameters "
                f"({type(exc).__name__}: {exc})",
                f"check the overrides {list(self.overridden)} against {self.params_file} (units, "
                "list lengths, signs)",
            ) from exc
        return spec.validate()


def read_model_table(model: dict, path: Path) -> tuple[ModelSpec, Path | None, SiteModel | None]:
    """(spec, spec file or None, site model or None) of a scenario's ``[model]`` table.

    The table names a spec file (``spec``, relative to the scenario file at ``path``), a site
    model folder (``site``, ``variant``, ``overrides``), or holds the spec's tables inline.
    """
    if "site" in model:
        site = SiteModel.from_table(model, path.parent)
        return site.build(), site.params_file, site
    if "spec" in model:
        if set(model) != {"spec"}:
            raise SpecError("model", "gives spec and inline tables", "give one or the other")
        if not isinstance(model["spec"], str):
            raise SpecError("model.spec", f"{model['spec']!r} is not a path", 'spec = "model.toml"')
        spec_file = (path.parent / model["spec"]).resolve()
        return ModelSpec.from_toml(spec_file), spec_file, None
    return ModelSpec.from_dict(model), None, None


def protection_sources(table: dict, spec: ModelSpec) -> dict[str, list]:
    """``{source: [well name or (x, y)]}`` of a ``[protection]`` table's ``sources``, shared by
    every scenario kind that draws protection zones: each member a well boundary of the model
    that pumps in every stress period, or an [x, y] position over one. Raises every problem
    (:class:`~gwsim.errors.SpecErrors` when several)."""
    sources = table.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise SpecError(
            "protection.sources", "missing or empty", 'add sources = { name = ["well"] }'
        )
    wells = {b.name.lower(): b for b in spec.boundaries if b.kind == "wel"}
    problems = Problems()
    for name, members in sources.items():
        with problems.collect():
            _check_source(f"protection.sources.{name}", members, wells, spec)
    problems.raise_any()
    return {n: [m if isinstance(m, str) else tuple(m) for m in v] for n, v in sources.items()}


def _check_source(where: str, members, wells: dict, spec: ModelSpec) -> None:
    """A source's members: well boundaries that pump (negative rates) in every stress period, or
    [x, y] positions over a column where a well pumps."""
    if not isinstance(members, list) or not members:
        raise SpecError(where, "must be a non-empty list of wells", 'e.g. ["wellfield"]')
    for i, member in enumerate(members):
        if isinstance(member, str):
            if member.lower() not in wells:
                raise SpecError(
                    where,
                    f"{member!r} is not a well boundary of the model",
                    f"use one of {sorted(wells)} or an [x, y] position",
                )
            _check_pumps(where, wells[member.lower()], len(spec.periods))
            continue
        if not (isinstance(member, list) and len(member) == 2 and all(map(is_number, member))):
            raise SpecError(f"{where}[{i}]", f"{member!r}", "give a well name or [x, y] in m")
        cell = spec.grid.cell_of_point(*member)
        pumped = [
            b
            for b in wells.values()
            if cell is not None and any((r, c) == cell for _, r, c in b.cells)
        ]
        if cell is None or not pumped:
            raise SpecError(
                f"{where}[{i}]",
                f"no well of the model at {member} ({'outside the grid' if cell is None else 'cell (row, col) ' + str(cell)})",
                "give the position of a pumping well of the model, or its name",
            )


def _check_pumps(where: str, well, nper: int) -> None:
    """A source well must pump: its total rate is negative in every stress period."""
    for period in range(nper):
        total = float(well.values_in_period(period)["rate"].sum())
        if total > 0:
            raise SpecError(
                where,
                f"well {well.name!r} injects {total:g} m³/d (positive rate) in stress period "
                f"{period}: a protection zone needs a pumping well",
                "give pumping rates as negative numbers (m³/d) in the model, or remove the well "
                "from the source",
            )
        if total == 0:
            raise SpecError(
                where,
                f"well {well.name!r} has a zero rate in stress period {period}: a protection "
                "zone needs a pumping well",
                "give its pumping rate (negative, m³/d)",
            )
