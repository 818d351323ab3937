"""gwsim: groundwater flow, particle tracking and transport for pollution prevention and
drinking-water source protection, on MODFLOW 6 and MT3D-USGS through flopy.

Units are metres and days throughout; concentrations are mg/L.

``import gwsim`` is light: the public names below load their modules (and numba, flopy, xarray,
matplotlib behind them) on first use, through the module-level ``__getattr__`` (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from gwsim._version import __version__
from gwsim.errors import (
    EngineError,
    ExecutableError,
    FlowFieldError,
    GwsimError,
    GwsimWarning,
    SpecError,
)

# public name -> module that defines it, imported when the name is first used
_LAZY = {
    "CaptureZone": "gwsim.capture",
    "capture_zone": "gwsim.capture",
    "FlowField": "gwsim.flowfield",
    "ProtectionZones": "gwsim.protection",
    "protection_zones": "gwsim.protection",
    "Contaminant": "gwsim.risk",
    "Enterprise": "gwsim.risk",
    "LeakCase": "gwsim.risk",
    "Receptor": "gwsim.risk",
    "assess_enterprise_risk": "gwsim.risk",
    "DualDomain": "gwsim.solute",
    "Plume": "gwsim.solute",
    "Source": "gwsim.solute",
    "transport": "gwsim.solute",
    "NetworkDesign": "gwsim.monitoring",
    "attribute_source": "gwsim.monitoring",
    "design_network": "gwsim.monitoring",
    "TrackResult": "gwsim.tracking",
    "track": "gwsim.tracking",
}

if TYPE_CHECKING:
    from gwsim.capture import CaptureZone, capture_zone
    from gwsim.flowfield import FlowField
    from gwsim.monitoring import NetworkDesign, attribute_source, design_network
    from gwsim.protection import ProtectionZones, protection_zones
    from gwsim.risk import Contaminant, Enterprise, LeakCase, Receptor, assess_enterprise_risk
    from gwsim.solute import DualDomain, Plume, Source, transport
    from gwsim.tracking import TrackResult, track


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gwsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


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
