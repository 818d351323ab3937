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
    SpecError,
)
from gwsim.flowfield import FlowField

__all__ = [
    "EngineError",
    "ExecutableError",
    "FlowField",
    "FlowFieldError",
    "GwsimError",
    "SpecError",
    "__version__",
]
