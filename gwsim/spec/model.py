"""The complete model specification, :class:`ModelSpec`: its parts, TOML reading and validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gwsim.config import read_toml
from gwsim.errors import SpecError
from gwsim.spec.components import Barrier, Boundary, Grid, Properties, Solver, StressPeriod, layered
from gwsim.spec.reading import spec_fields_from_dict
from gwsim.spec.validation import (
    validate_barriers,
    validate_boundaries,
    validate_grid,
    validate_name,
    validate_periods,
    validate_properties,
)


@dataclass
class ModelSpec:
    """A complete structured flow model in metres and days."""

    name: str
    grid: Grid
    properties: Properties
    boundaries: list[Boundary] = field(default_factory=list)
    periods: list[StressPeriod] = field(default_factory=lambda: [StressPeriod()])
    initial_head: Any = None  # scalar or (nlay, nrow, ncol), m; None = top of the model
    solver: Solver = field(default_factory=Solver)
    description: str = ""
    barriers: list[Barrier] = field(default_factory=list)

    @property
    def steady(self) -> bool:
        return all(p.steady for p in self.periods)

    def boundary(self, name: str) -> Boundary:
        """The boundary called ``name``."""
        for b in self.boundaries:
            if b.name == name:
                return b
        raise SpecError(
            "boundaries",
            f"no boundary named {name!r}",
            f"use one of {[b.name for b in self.boundaries]}",
        )

    def validate(self) -> ModelSpec:
        """Check the spec; raise :class:`SpecError` naming the first problem. Returns ``self``."""
        validate_name(self.name)
        validate_grid(self.grid)
        validate_properties(self.properties, self.grid)
        validate_periods(self.periods)
        validate_boundaries(self.boundaries, self.grid, len(self.periods))
        validate_barriers(self.barriers, self.grid)
        if self.initial_head is not None:
            layered(self.initial_head, self.grid.shape, "initial_head")
        return self

    @classmethod
    def from_toml(cls, path: str | Path) -> ModelSpec:
        """Load and validate a spec from a TOML file (see :mod:`gwsim.spec` for the layout)."""
        return cls.from_dict(read_toml(path))

    @classmethod
    def from_dict(cls, data: dict) -> ModelSpec:
        """Build and validate a spec from a dict with the TOML layout."""
        return cls(**spec_fields_from_dict(data)).validate()
