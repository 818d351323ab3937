"""gwsim: groundwater flow, particle tracking and transport for pollution prevention and
drinking-water source protection, on MODFLOW 6 and MT3D-USGS through flopy.

Units are metres and days throughout; concentrations are mg/L.
"""

__version__ = "0.1.0"

from gwsim.capture import CaptureZone, capture_zone
from gwsim.errors import (
    EngineError,
    ExecutableError,
    FlowFieldError,
    GwsimError,
    GwsimWarning,
    SpecError,
)
from gwsim.flowfield import FlowField
from gwsim.monitoring import NetworkDesign, attribute_source, design_network
from gwsim.protection import ProtectionZones, protection_zones
from gwsim.risk import Contaminant, Enterprise, LeakCase, Receptor, assess
from gwsim.tracking import TrackResult, track
from gwsim.transport import DualDomain, Plume, Source, transport

__all__ = [
    "CaptureZone",
    "Contaminant",
    "DualDomain",
    "EngineError",
    "Enterprise",
    "ExecutableError",
    "FlowField",
    "FlowFieldError",
    "GwsimError",
    "GwsimWarning",
    "LeakCase",
    "NetworkDesign",
    "Plume",
    "ProtectionZones",
    "Receptor",
    "Source",
    "SpecError",
    "TrackResult",
    "__version__",
    "assess",
    "attribute_source",
    "capture_zone",
    "design_network",
    "protection_zones",
    "track",
    "transport",
]
