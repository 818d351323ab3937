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

from gwsim.config import Problems, check_keys
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
