"""Tissue: layered facial skin by zone (:mod:`~microneedling.tissue.skin`, thicknesses in um by zone, sex and
age) and atrophic acne scars (:mod:`~microneedling.tissue.scars`: icepick, boxcar, rolling geometry and the scar
floor's response to new collagen).
"""

from microneedling.tissue.scars import (
    ScarResponse,
    ScarShape,
    layer_below_floor_mm,
    matured,
    net_new_collagen,
    profile,
    scar_depth,
    scar_response_params,
    typical_scar,
)
from microneedling.tissue.skin import (
    FullThickness,
    SkinLayers,
    SkinQuery,
    cross_study_scale,
    full_thickness,
    layered_zones,
    sample_skin_layers,
    skin_layers,
    zones_with_thickness_data,
)

__all__ = [
    "FullThickness",
    "ScarResponse",
    "ScarShape",
    "SkinLayers",
    "SkinQuery",
    "cross_study_scale",
    "full_thickness",
    "layer_below_floor_mm",
    "layered_zones",
    "matured",
    "net_new_collagen",
    "profile",
    "sample_skin_layers",
    "scar_depth",
    "scar_response_params",
    "skin_layers",
    "typical_scar",
    "zones_with_thickness_data",
]
