"""Key-zone delineation for groundwater pollution prevention (地下水污染防治重点区划定).

Three gridded assessments — intrinsic vulnerability (DRASTIC, with a red-bed adaptation),
pollution-source load (an enterprise inventory spread down the hydraulic gradient) and groundwater
value (protection zones, yield, use) — overlaid by planner-editable matrices into protection,
treatment and priority / key / general prevention-and-control zones. Modules:

- :mod:`~gwsim.zoning.layers`: aligned raster layers (netCDF, GeoTIFF, a gwsim flow model);
- :mod:`~gwsim.zoning.drastic`: the DRASTIC index (Aller et al. 1987);
- :mod:`~gwsim.zoning.load`, :mod:`~gwsim.zoning.value`: the other two assessments;
- :mod:`~gwsim.zoning.grading`, :mod:`~gwsim.zoning.scheme`, :mod:`~gwsim.zoning.overlay`:
  classes, the scheme as data, and the overlay;
- :mod:`~gwsim.zoning.outputs`, :mod:`~gwsim.zoning.plotting`,
  :mod:`~gwsim.zoning.scenario`: files, maps and the ``keyzones`` scenario kind.

Tables (ratings, factors, limits, matrices, requirements) are data in ``gwsim/zoning/data/``.
"""

from gwsim.zoning.drastic import drastic_index, drastic_ratings, drastic_table, drastic_weights
from gwsim.zoning.layers import as_layer, check_aligned, layers_from_flow, read_layer
from gwsim.zoning.load import PollutionSource, read_inventory, source_hazard, spread_load
from gwsim.zoning.overlay import Sample, delineate, read_monitoring
from gwsim.zoning.scheme import KeyZoneScheme, scheme_from_dict
from gwsim.zoning.value import ProtectionZone, groundwater_value, read_protection_zones

__all__ = [
    "KeyZoneScheme",
    "PollutionSource",
    "ProtectionZone",
    "Sample",
    "as_layer",
    "check_aligned",
    "delineate",
    "drastic_index",
    "drastic_ratings",
    "drastic_table",
    "drastic_weights",
    "groundwater_value",
    "layers_from_flow",
    "read_inventory",
    "read_layer",
    "read_monitoring",
    "read_protection_zones",
    "scheme_from_dict",
    "source_hazard",
    "spread_load",
]
