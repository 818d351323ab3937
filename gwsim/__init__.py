"""gwsim: groundwater flow, particle tracking and transport for pollution prevention and
drinking-water source protection, on MODFLOW 6 and MT3D-USGS through flopy.

Units are metres and days throughout; concentrations are mg/L.
"""

__version__ = "0.1.0"

from gwsim.errors import (
    EngineError,
    ExecutableError,
    FlowFieldError,
    GwsimError,
    GwsimWarning,
    SpecError,
)
from gwsim.flowfield import FlowField
from gwsim.transport import DualDomain, Plume, Source, transport

__all__ = [
    "DualDomain",
    "EngineError",
    "ExecutableError",
    "FlowField",
    "FlowFieldError",
    "GwsimError",
    "GwsimWarning",
    "Plume",
    "Source",
    "SpecError",
    "__version__",
    "transport",
]
