"""Key-zone delineation for groundwater pollution prevention (地下水污染防治重点区划定).

Key zones as the 2023 national guide draws them (the default scheme): protection-type areas
(source protection zones, the sources' recharge areas, mineral-water and spring areas) and
control-type areas from three gridded assessments — functional value (yield, use, water quality),
intrinsic vulnerability (DRASTIC, with a red-bed adaptation) and pollution-source load (point
sources spread down the hydraulic gradient, area sources by land use) — graded into 一级 and 二级
管控区; the rest is 一般区. The 2014 trial guide's scheme is kept as an alternative. Modules:

- :mod:`~gwsim.zoning.layers`: aligned raster layers (netCDF, GeoTIFF, a gwsim flow model);
- :mod:`~gwsim.zoning.model_layers`: layers from a site model (media, main-aquifer K, yield);
- :mod:`~gwsim.zoning.monitoring`: monitoring samples, Class III exceedances, water quality;
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
from gwsim.zoning.load import (
    PollutionSource,
    read_inventory,
    read_land_use,
    source_hazard,
    spread_load,
)
from gwsim.zoning.model_layers import layers_from_model
from gwsim.zoning.monitoring import Sample, read_monitoring
from gwsim.zoning.overlay import delineate
from gwsim.zoning.scheme import KeyZoneScheme, scheme_from_dict
from gwsim.zoning.value import (
    ProtectionZone,
    groundwater_value,
    read_protection_zones,
    zones_from_protection,
)

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
    "layers_from_model",
    "read_inventory",
    "read_land_use",
    "read_layer",
    "read_monitoring",
    "read_protection_zones",
    "scheme_from_dict",
    "source_hazard",
    "spread_load",
    "zones_from_protection",
]
