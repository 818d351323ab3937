"""Solute transport on a flow field: point sources, a plume of concentrations (m, d, g, mg/L).

:func:`transport` can run MODFLOW 6 GWT as a simulation of its own that reads a flow model's head and
budget files (FMI), so it works on any :class:`~gwsim.FlowField` whose budget holds saturation. It
solves advection (TVD scheme), dispersion, linear sorption, first-order decay and, optionally,
mass exchange with an immobile (matrix) domain, with water from the flow model's sources entering
at 0 mg/L and leaving sinks at the cell's concentration. ``engine="mt3d"`` solves the same problem
with MT3D-USGS on the link file gwsim writes from the flow field (:mod:`gwsim.engines.mt3d`), with
the same periods and source terms and its own Courant-limited steps. The default
``engine="auto"`` takes MODFLOW 6 GWT when the installed mf6 passed gwsim's dispersion probe and
MT3D-USGS otherwise (:mod:`gwsim.engines.transport_choice`).

Modelling choices (also in :func:`transport`'s docstring):

* **Retardation** R is linear equilibrium sorption: bulk density ρb = (1 − n)·2650 kg/m³ (quartz
  grains) and Kd = (R − 1)·n/ρb m³/kg per cell, so that 1 + ρb·Kd/n = R exactly.
* **Decay** at rate λ acts on the dissolved and the sorbed phase alike (radioactive decay,
  biodegradation of the whole mass), so a retarded solute also loses mass at rate λ.
* **Time steps** follow the Courant and time-stepping Peclet limits on steady flow and the flow
  model's own steps on transient flow (:mod:`gwsim.solute.schedule`), taken over the transport
  domain: the cells the plume can reach, found by forward tracking (:mod:`gwsim.solute.domain`;
  MT3D-USGS solves only there).

Modules: :mod:`.inputs` (Source, DualDomain), :mod:`.checks` (input validation),
:mod:`.domain` (the cells a plume can reach), :mod:`.schedule` (stress periods and time steps), :mod:`.stresses` (sources as cell stresses),
:mod:`.plume` (Plume and its netCDF file), :mod:`.run` (:func:`transport`). The engines that solve
the problem are in :mod:`gwsim.engines`.
"""

from gwsim.solute.inputs import DualDomain, Source
from gwsim.solute.plume import Plume
from gwsim.solute.run import ENGINES, transport

__all__ = ["ENGINES", "DualDomain", "Plume", "Source", "transport"]
