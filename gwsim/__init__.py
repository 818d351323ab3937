"""gwsim: groundwater flow, particle tracking and transport for pollution prevention and
drinking-water source protection, on MODFLOW 6 and MT3D-USGS through flopy.

Units are metres and days throughout; concentrations are mg/L.
"""

from gwsim._version import __version__
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
from gwsim.risk import Contaminant, Enterprise, LeakCase, Receptor, assess_enterprise_risk
from gwsim.solute import DualDomain, Plume, Source, transport
from gwsim.tracking import TrackResult, track

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
    "assess_enterprise_risk",
    "attribute_source",
    "capture_zone",
    "design_network",
    "protection_zones",
    "track",
    "transport",
]
