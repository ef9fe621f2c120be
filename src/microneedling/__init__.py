"""microneedling: simulate and plan microneedling (percutaneous collagen induction) of atrophic acne scars.

The flat API a notebook uses (``import microneedling as mn``); the command-line tool is a thin layer over it::

    import microneedling as mn
    mn.configure()                                   # float64 and one XLA device per core, once
    layers = mn.skin_layers("cheek", "F", 30.0)      # layered facial skin (um)
    injury = mn.session_injury("cheek", "roller", 1.5)
    course = mn.run_course(mn.CourseQuery(protocol=mn.Protocol(device="roller", needle_length_mm=1.5,
                                                               sessions=3, interval_weeks=4),
                                          scar="rolling"))
    trial = mn.run_trial(mn.load_spec("examples/trial.yaml"))
    print(mn.format_references())                    # the sources the run used

Importing the package changes no process-wide setting and loads the engines (and reads the version from the
installed metadata) only when a name is first used.
Units are in names (``needle_length_mm``, ``interval_weeks``); every parameter comes from the registry
(:func:`registry`), whose rows carry their source and status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from microneedling.lazy import lazy_exports

# public name -> (module, attribute)
_API: dict[str, tuple[str, str]] = {
    "__version__": ("microneedling.version", "__version__"),
    # set-up, parameters, citations, errors
    "configure": ("microneedling.config", "configure"),
    "InputError": ("microneedling.errors", "InputError"),
    "Parameter": ("microneedling.params", "Parameter"),
    "registry": ("microneedling.params", "registry"),
    "get_parameter": ("microneedling.params", "get_parameter"),
    "parameter_value": ("microneedling.params", "parameter_value"),
    "cite": ("microneedling.citations", "cite"),
    "citations_used": ("microneedling.citations", "citations_used"),
    "format_references": ("microneedling.citations", "format_references"),
    # who is treated
    "Zone": ("microneedling.patient", "Zone"),
    "Sex": ("microneedling.patient", "Sex"),
    "Fitzpatrick": ("microneedling.patient", "Fitzpatrick"),
    "ScarType": ("microneedling.patient", "ScarType"),
    "ScarGroup": ("microneedling.patient", "ScarGroup"),
    "ZoneScars": ("microneedling.patient", "ZoneScars"),
    "History": ("microneedling.patient", "History"),
    "Patient": ("microneedling.patient", "Patient"),
    "load_patients": ("microneedling.patient", "load_patients"),
    # how
    "Device": ("microneedling.protocol", "Device"),
    "Scale": ("microneedling.protocol", "Scale"),
    "Protocol": ("microneedling.protocol", "Protocol"),
    # skin and injury
    "skin_layers": ("microneedling.tissue.skin", "skin_layers"),
    "session_injury": ("microneedling.mechanics.injury", "session_injury"),
    "Injury": ("microneedling.mechanics.injury", "Injury"),
    # the course pipeline
    "CourseQuery": ("microneedling.course", "CourseQuery"),
    "CourseResult": ("microneedling.course", "CourseResult"),
    "run_course": ("microneedling.course", "run_course"),
    # the score model
    "quantitative_score": ("microneedling.outcomes.goodman_baron", "quantitative_score"),
    "qualitative_grade": ("microneedling.outcomes.goodman_baron", "qualitative_grade"),
    "population_score": ("microneedling.outcomes.goodman_baron", "population_score"),
    # virtual trials
    "TrialSpec": ("microneedling.trials.spec", "TrialSpec"),
    "load_spec": ("microneedling.trials.spec", "load_spec"),
    "spec_from_dict": ("microneedling.trials.spec", "spec_from_dict"),
    "run_trial": ("microneedling.trials.run", "run_trial"),
    "run_sweep": ("microneedling.trials.sweep", "run_sweep"),
    # the clinic
    "evaluate_candidacy": ("microneedling.clinic.candidacy", "evaluate"),
    "PlanRequest": ("microneedling.clinic.zone_plan", "PlanRequest"),
    "plan_zones": ("microneedling.clinic.zone_plan", "plan_zones"),
}

__all__ = list(_API)


__getattr__ = lazy_exports("microneedling", _API)


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # static tools (type checkers, the API reference) see the same names
    from microneedling.citations import citations_used, cite, format_references
    from microneedling.clinic.candidacy import evaluate as evaluate_candidacy
    from microneedling.clinic.zone_plan import PlanRequest, plan_zones
    from microneedling.config import configure
    from microneedling.course import CourseQuery, CourseResult, run_course
    from microneedling.errors import InputError
    from microneedling.mechanics.injury import Injury, session_injury
    from microneedling.outcomes.goodman_baron import population_score, qualitative_grade, quantitative_score
    from microneedling.params import Parameter, get_parameter, parameter_value, registry
    from microneedling.patient import (
        Fitzpatrick,
        History,
        Patient,
        ScarGroup,
        ScarType,
        Sex,
        Zone,
        ZoneScars,
        load_patients,
    )
    from microneedling.protocol import Device, Protocol, Scale
    from microneedling.tissue.skin import skin_layers
    from microneedling.trials.run import run_trial
    from microneedling.trials.spec import TrialSpec, load_spec, spec_from_dict
    from microneedling.trials.sweep import run_sweep
    from microneedling.version import __version__
