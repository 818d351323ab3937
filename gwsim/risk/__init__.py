"""Risk of enterprise leaks to drinking-water sources, and the options to control it.

HJ 610-2016 leak cases of GB/T 14848-2017 Class III contaminants, from enterprise footprints to
source wells, monitoring wells and site boundaries, on a gwsim flow field. Modules:

- :mod:`~gwsim.risk.leaks`: contaminants, leak cases, enterprises and where a leak enters the
  aquifer (the source term);
- :mod:`~gwsim.risk.receptors`: receptors (wells, protection zones) and the cells whose concentrations make theirs;
- :mod:`~gwsim.risk.screening`: which share of a leak each well captures, by particle tracking;
- :mod:`~gwsim.risk.leak_transport`: one leak's transport run and its peaks and exceedance times;
- :mod:`~gwsim.risk.mass`: cumulative mass into wells and across a site boundary, and the floor
  below which a value reads "not reached";
- :mod:`~gwsim.risk.assessment`: every leak run, ranked (:func:`assess_enterprise_risk`);
- :mod:`~gwsim.risk.control`: risk-control options compared on one leak (:func:`compare_options`);
- :mod:`~gwsim.risk.plots`, :mod:`~gwsim.risk.outputs`, :mod:`~gwsim.risk.scenario`
  (:mod:`~gwsim.risk.scenario_tables` reads its tables): figures, files and the
  ``enterprise_risk`` scenario kind (imported on their own: they need matplotlib and the scenario
  layer).
"""

from gwsim.risk.assessment import RiskAssessment, assess_enterprise_risk
from gwsim.risk.control import (
    AntiSeepage,
    Change,
    ControlComparison,
    CutoffWall,
    HydraulicContainment,
    NaturalAttenuation,
    ReactiveBarrier,
    compare_options,
)
from gwsim.risk.leak_transport import (
    HJ610_TIMES,
    RunResult,
    exceedance_time,
    output_times,
    receptor_summary,
    run_leak,
)
from gwsim.risk.leaks import (
    Contaminant,
    Enterprise,
    LeakCase,
    check_case,
    check_contaminant,
    leak_cells,
    leak_mass_rate,
    leak_sources,
)
from gwsim.risk.mass import NOT_REACHED, boundary_crossing, sink_mass
from gwsim.risk.receptors import (
    RECEPTOR_KINDS,
    Probe,
    Receptor,
    boundary_probe,
    receptor_probe,
    resolve_zone_receptors,
)
from gwsim.risk.screening import Screening, capture_screening, screen_enterprise

__all__ = [
    "HJ610_TIMES",
    "NOT_REACHED",
    "RECEPTOR_KINDS",
    "AntiSeepage",
    "Change",
    "Contaminant",
    "ControlComparison",
    "CutoffWall",
    "Enterprise",
    "HydraulicContainment",
    "LeakCase",
    "NaturalAttenuation",
    "Probe",
    "ReactiveBarrier",
    "Receptor",
    "RiskAssessment",
    "RunResult",
    "Screening",
    "assess_enterprise_risk",
    "boundary_crossing",
    "boundary_probe",
    "capture_screening",
    "check_case",
    "check_contaminant",
    "compare_options",
    "exceedance_time",
    "leak_cells",
    "leak_mass_rate",
    "leak_sources",
    "output_times",
    "receptor_probe",
    "receptor_summary",
    "resolve_zone_receptors",
    "run_leak",
    "screen_enterprise",
    "sink_mass",
]
