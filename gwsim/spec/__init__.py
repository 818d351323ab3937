"""Model specification: plain dataclasses that describe a structured groundwater-flow model.

A :class:`ModelSpec` holds the grid, the hydraulic properties of every cell, the boundary conditions
and the stress periods, in metres and days, independent of any engine. Engines
(:mod:`gwsim.engines`) turn it into MODFLOW input. Specs come from Python (the site models' build
scripts) or from TOML (:meth:`ModelSpec.from_toml`); unknown keys are errors, and
:meth:`ModelSpec.validate` reports the first problem as a :class:`~gwsim.errors.SpecError` that
names the field and the fix.

Modules: :mod:`~gwsim.spec.components` (the parts: grid, properties, boundaries, barriers, stress
periods, solver), :mod:`~gwsim.spec.model` (:class:`ModelSpec`), :mod:`~gwsim.spec.reading`
(TOML tables to parts, cell selection) and :mod:`~gwsim.spec.validation` (the checks).

Boundary kinds and the values each cell carries (MODFLOW 6 meaning):

========  ===========================================================
``chd``   ``head`` (m)
``ghb``   ``bhead`` (m), ``cond`` (m²/d)
``riv``   ``stage`` (m), ``cond`` (m²/d), ``rbot`` (m)
``drn``   ``elev`` (m), ``cond`` (m²/d)
``wel``   ``rate`` (m³/d; negative = pumping)
``rch``   ``rate`` (m/d; recharge flux applied to the cell's area)
``evt``   ``surface`` (m), ``rate`` (m/d, maximum ET), ``depth`` (m, extinction depth)
========  ===========================================================

In TOML a boundary picks its cells with ``cells`` (a list of [layer, row, column], 0-based),
``where`` (``{layer = 0, row = 5}``; a value may be an int or a [start, stop) range; every active
cell that matches) or ``points`` (a list of [x, y] in model coordinates, with ``layer``). ``rch``
and ``evt`` without a selection apply to the uppermost active cell of every column. A value is a
scalar, a list with one value per cell, or ``{start = a, end = b}`` (linear along the selection,
e.g. a river stage falling downstream). ``periods = {"2" = {stage = 21.0}}`` changes values from
stress period 2 (0-based) on.
"""

from gwsim.spec.components import (
    BOUNDARY_FIELDS,
    Barrier,
    Boundary,
    Grid,
    Properties,
    Solver,
    StressPeriod,
    grid_origin_at,
    layered,
)
from gwsim.spec.model import ModelSpec

__all__ = [
    "BOUNDARY_FIELDS",
    "Barrier",
    "Boundary",
    "Grid",
    "ModelSpec",
    "Properties",
    "Solver",
    "StressPeriod",
    "grid_origin_at",
    "layered",
]
