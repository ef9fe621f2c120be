"""Clinic: who is a candidate (:mod:`~microneedling.clinic.candidacy`, rules with reasons, evidence levels and
sources, provider overrides) and which needle each facial zone gets (:mod:`~microneedling.clinic.zone_plan`).
"""

from microneedling.clinic.candidacy import (
    Decision,
    Finding,
    Override,
    decide,
    default_rules,
    evaluate,
)
from microneedling.clinic.zone_plan import (
    PlanRequest,
    ZonePlan,
    plan_zones,
    zone_caps,
)

__all__ = [
    "Decision",
    "Finding",
    "Override",
    "PlanRequest",
    "ZonePlan",
    "decide",
    "default_rules",
    "evaluate",
    "plan_zones",
    "zone_caps",
]
