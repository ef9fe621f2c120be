"""Field messages a clinic can read, for forms that fail validation: "Scar count must be a whole number from 1
to 500" instead of "zones.0.scars.0.count: Input should be a valid integer".

Each message is one sentence that names the field by its plain name and says what to enter, with the field's
bounds and unit read from the input model's JSON schema (so a bound is written once, in the model), or from the
error itself when no model is given. :func:`located_messages` is the one mapping from a failed form (a pydantic
``ValidationError``, a rule's :class:`microneedling.errors.InputError`, or a conflict) to (field location,
message); :mod:`microneedling.planner.form_errors` turns the locations into the form's input names. The JSON
API keeps pydantic's detailed list and adds these messages to it."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, PydanticUserError, ValidationError

from microneedling.errors import InputError
from microneedling.planner.labels import value_word

Loc = tuple[str | int, ...]

# field name (the last named part of a location) -> (plain name, unit of its numbers)
LABELS: dict[str, tuple[str, str]] = {
    "label": ("Patient code", ""), "age_years": ("Age", "years"), "sex": ("Sex", ""),
    "fitzpatrick": ("Fitzpatrick skin type", ""), "zone": ("Zone", ""), "type": ("Scar type", ""),
    "count": ("Scar count", ""), "depth_mm": ("Scar depth", "mm"), "width_mm": ("Scar width", "mm"),
    "active_acne_grade": ("Active acne grade", ""),
    "isotretinoin_months_ago": ("Time since isotretinoin was stopped", "months"),
    "recent_filler_or_laser_months_ago": ("Time since the last filler, laser or peel", "months"),
    "name": ("Plan name", ""), "device": ("Device", ""), "available_lengths_mm": ("Needle lengths", "mm"),
    "caps_mm": ("Needle-length cap", "mm"), "sessions": ("Number of sessions", ""),
    "interval_weeks": ("Interval between sessions", "weeks"),
    "baseline_gb_score": ("Baseline Goodman & Baron score", ""), "require_bleeding": ("Bleeding endpoint", ""),
    "starts_at": ("Date and time", ""), "duration_min": ("Duration", "minutes"), "plan_id": ("Plan", ""),
    "note": ("Note", ""), "repeat": ("Number of sessions to book", ""),
    "needle_length_mm": ("Needle length", "mm"), "passes": ("Passes", ""),
    "over_depth_reason": ("Reason for the deeper needle", ""), "cartridge_lot": ("Cartridge lot number", ""),
    "cartridge_expiry": ("Cartridge expiry date", ""), "anaesthetic": ("Anaesthetic", ""),
    "product": ("Anaesthetic product", ""), "concentration_pct": ("Anaesthetic concentration", "%"),
    "minutes": ("Anaesthetic time on the skin", "minutes"), "endpoint": ("Endpoint", ""),
    "endpoint_reached": ("Endpoint reached", ""), "adverse_events": ("Adverse events", ""),
    "week": ("Week after the first session", ""), "gb_grade": ("Goodman & Baron grade", ""),
    "gb_score": ("Goodman & Baron score", ""), "photos": ("Photo", ""), "view": ("Photo view", ""),
    "file": ("Photo file name", ""), "taken_on": ("Photo date", ""), "username": ("User name", ""),
    "password": ("Password", ""), "role": ("Role", ""), "provider_id": ("Provider", ""),
    "current_password": ("Current password", ""), "new_password": ("New password", ""), "rule_id": ("Rule", ""),
    "reason": ("Reason", ""), "zones": ("Scars", ""), "scars": ("Scars", ""), "history": ("History", ""),
    "typed_name": ("Full name", ""), "signature_png_base64": ("Signature", ""),
    "template_version": ("Consent form version", ""), "title": ("Title", ""), "body_md": ("Text", ""),
    "status": ("Status", ""), "markers": ("Markers", ""), "visit_date": ("Visit date", ""),
    "size": ("Marker size", ""), "x": ("Marker position", ""), "y": ("Marker position", ""),
    # "Model.field" or "Model.field.subfield": the name in that model only
    "TreatmentIn.zones": ("Zones treated", ""), "PhotoIn.file": ("Photo", ""), "PhotoIn.taken_on": ("Taken on", ""),
    "PhotoIn.visit": ("Visit date", ""),
    # the public questionnaire, in its own words
    "IntakeIn.fitzpatrick": ("Skin type", ""), "IntakeIn.scars": ("Scar areas", ""),
    "IntakeIn.scars.zone": ("Area of the face", ""), "IntakeIn.scars.type": ("Kind of scar", ""),
    "IntakeIn.scars.count": ("Number of scars", ""), "IntakeIn.contact.name": ("Your name", ""),
    "IntakeIn.contact.reach": ("Email address or phone number", ""),
}

# regular expressions of the input models -> what they allow, in words
PATTERNS: dict[str, str] = {
    r"^[\w .\-]+$": "letters, digits, spaces, dots and dashes",
    r"^[a-z0-9_.\-]+$": "lower-case letters, digits, dots, dashes and underscores",
    r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$": "letters, digits, dots, dashes and slashes, starting with a letter or digit",
    r"^[\w\-][\w .\-]*$": "letters, digits, spaces, dots and dashes, not starting with a dot or space",
}

NUMERIC = {"int_parsing", "int_from_float", "int_type", "float_parsing", "float_type", "finite_number",
           "greater_than", "greater_than_equal", "less_than", "less_than_equal", "multiple_of"}
VERBS = ("is ", "are ", "must ", "does ", "has ", "cannot ", "should ")


def _parts(loc: Loc | list | str) -> list[str | int]:
    return [p for p in ([loc] if isinstance(loc, str) else loc) if p not in ("body", "__root__")]


def _entry(loc: Loc | list | str, model: type[BaseModel] | None = None) -> tuple[str, str]:
    names = [p for p in _parts(loc) if isinstance(p, str)]
    if model is not None and names and f"{model.__name__}.{'.'.join(names)}" in LABELS:
        return LABELS[f"{model.__name__}.{'.'.join(names)}"]
    for part in reversed(names):
        if part in LABELS:
            return LABELS[part]
    return (names[-1].replace("_", " ").capitalize(), "") if names else ("This form", "")


def label(loc: Loc | list | str) -> str:
    """The plain name of a field location (its last named part; list positions are skipped)."""
    return _entry(loc)[0]


def _number(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


@cache
def _schema(model: type[BaseModel]) -> dict:
    """``model``'s JSON schema; empty for a model that has none (then the errors' own bounds are used)."""
    try:
        return model.model_json_schema()
    except PydanticUserError:  # e.g. a field type without a JSON schema
        return {}


def _resolve(node: dict, defs: dict) -> dict:
    """Follow ``$ref`` and single-option ``allOf`` / optional ``anyOf`` (X or null) to the node itself."""
    while True:
        if "$ref" in node:
            node = {**defs.get(node["$ref"].rsplit("/", 1)[-1], {}), **{k: v for k, v in node.items() if k != "$ref"}}
            continue
        options = [o for o in node.get("anyOf", node.get("allOf", [])) if o.get("type") != "null"]
        if len(options) == 1 and ("anyOf" in node or "allOf" in node):
            rest = {k: v for k, v in node.items() if k not in ("anyOf", "allOf")}
            node = {**rest, **options[0]}
            continue
        return node


def field_schema(model: type[BaseModel] | None, loc: Loc | list) -> dict:
    """The JSON schema of the field at ``loc`` in ``model`` (``{}`` if there is none)."""
    if model is None:
        return {}
    root = _schema(model)
    defs = root.get("$defs", {})
    node = _resolve(root, defs)
    for part in _parts(loc):
        if isinstance(part, int):
            node = node.get("items", {})
        elif part in node.get("properties", {}):
            node = node["properties"][part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return {}
        node = _resolve(node, defs)
    return node


def _bound(schema: dict, ctx: dict, inclusive: str, exclusive: str, ge: str, gt: str) -> tuple[float, bool] | None:
    """(bound, exclusive) of one side: the schema's inclusive or exclusive bound, else the error's own."""
    if inclusive in schema:
        return schema[inclusive], False
    if exclusive in schema:
        return schema[exclusive], True
    if ge in ctx or gt in ctx:
        return ctx.get(ge, ctx.get(gt)), gt in ctx
    return None


def _bounds(schema: dict, ctx: dict) -> tuple[tuple[float, bool] | None, tuple[float, bool] | None]:
    """(lower, exclusive), (upper, exclusive) of a number: the schema's, else the error's own bound."""
    return (_bound(schema, ctx, "minimum", "exclusiveMinimum", "ge", "gt"),
            _bound(schema, ctx, "maximum", "exclusiveMaximum", "le", "lt"))


def _number_rule(name: str, unit: str, schema: dict, error: dict) -> str:
    """"Age must be a number from 12 to 100 years", "Scar depth must be a number above 0 and up to 3 mm"."""
    kind = error["type"]
    whole = schema.get("type") == "integer" or (not schema and kind.startswith("int"))
    low, high = _bounds(schema, error.get("ctx") or {})
    what = "a whole number" if whole else "a number"
    if low and high and not low[1] and not high[1]:
        rule = f"from {_number(low[0])} to {_number(high[0])}"
    else:
        lower = "" if low is None else (f"above {_number(low[0])}" if low[1] else
                                        f"from {_number(low[0])}" if high else f"of at least {_number(low[0])}")
        upper = "" if high is None else (f"below {_number(high[0])}" if high[1] else f"up to {_number(high[0])}")
        rule = " and ".join(p for p in (lower, upper) if p)
    return " ".join(p for p in (f"{name} must be {what}", rule, unit if rule else "") if p)


def _choices(schema: dict, ctx: dict) -> str:
    if schema.get("enum"):
        values = [value_word(v) for v in schema["enum"]]
        return ", ".join(values[:-1]) + f" or {values[-1]}" if len(values) > 1 else values[0]
    return str(ctx.get("expected", "the listed options")).replace("'", "")


def explain(error: dict, model: type[BaseModel] | None = None) -> str:
    """One plain sentence for one pydantic error (a ``ValidationError.errors()`` item) of ``model``'s input."""
    kind, ctx, loc = error["type"], error.get("ctx") or {}, error.get("loc", ())
    name, unit = _entry(loc, model)
    schema = field_schema(model, loc)
    blank = error.get("input", "") is None and (kind.endswith("_type") or kind in ("enum", "literal_error"))
    if kind == "missing" or blank:  # a blank field, or no choice made among radio buttons
        return f"{name} is required"
    if kind in NUMERIC:
        return _number_rule(name, unit, schema, error)
    if kind == "string_too_short" and (ctx.get("min_length") == 1 or error.get("input") == ""):
        return f"{name} is required"
    if kind == "string_too_short":
        return f"{name} must be at least {ctx['min_length']} characters"
    if kind == "string_too_long":
        return f"{name} must be at most {ctx['max_length']} characters"
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        return f"{name}: fill in at least {'one row' if least == 1 else f'{least} rows'}"
    if kind == "too_long":
        return f"{name}: at most {ctx.get('max_length')} entries"
    if kind in ("enum", "literal_error"):
        return f"{name} must be one of {_choices(schema, ctx)}"
    if kind == "string_pattern_mismatch":
        allowed = PATTERNS.get(ctx.get("pattern", ""))
        return f"{name} may contain only {allowed}" if allowed else f"{name} contains characters that are not allowed"
    if kind.startswith("datetime") or (kind.startswith("date") and schema.get("format") == "date-time"):
        return f"{name} must be a date and time (year-month-day hours:minutes)"
    if kind.startswith("date"):
        return f"{name} must be a date (year-month-day)"
    if kind.startswith("time"):
        return f"{name} must be a time (hours:minutes)"
    if kind in ("bool_parsing", "bool_type"):
        return f"{name} must be yes or no"
    if kind == "extra_forbidden":
        return f"{name} is not a field of this form"
    if kind == "value_error":
        return f"{name}: {error['msg'].removeprefix('Value error, ')}"
    return f"{name}: {error['msg']}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def rule_message(exc: InputError, model: type[BaseModel] | None = None) -> str:
    """A model rule's refusal as a sentence: "User name is already taken"; a reason that names its own subject
    ("cheek: 1.5 mm is deeper than the plan ...") is kept as it is."""
    name = _entry(exc.field.split("."), model)[0]
    if exc.allowed.startswith(VERBS):
        return f"{name} {exc.allowed}"
    if ": " in exc.allowed[:24]:
        return _sentence(exc.allowed)
    return f"{name}: {exc.allowed}"


def location(field: str) -> Loc:
    """An :class:`InputError` field path ("zones.0.over_depth_reason") as a location tuple."""
    return tuple(int(p) if p.isdigit() else p for p in field.split("."))


def located_messages(exc: Exception, model: type[BaseModel] | None = None) -> list[tuple[Loc, str]]:
    """(field location, plain message) for each problem of a failed form, in order and without repeats; a
    problem of the form as a whole (a conflict) has the empty location. ``model``: the input model the form
    was validated with, whose schema gives the bounds and units of the messages."""
    if isinstance(exc, ValidationError):
        out: list[tuple[Loc, str]] = []
        for e in exc.errors():
            item = (tuple(_parts(e["loc"])), explain(e, model))
            if item not in out:
                out.append(item)
        return out
    if isinstance(exc, InputError):
        return [(location(exc.field), rule_message(exc, model))]
    return [((), _sentence(str(exc)))]
