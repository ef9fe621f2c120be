"""Field messages a clinic can read, for forms that fail validation: "Scar count: enter a whole number"
instead of "zones.0.scars.0.count: Input should be a valid integer". Each message names the field by its
form label (with its unit) and says what to enter; the JSON API keeps pydantic's detailed list."""

from __future__ import annotations

from pydantic import ValidationError

from microneedling.errors import InputError

LABELS: dict[str, str] = {
    "label": "Patient code", "age_years": "Age (years)", "sex": "Sex", "fitzpatrick": "Fitzpatrick skin type",
    "zone": "Zone", "type": "Scar type", "count": "Scar count", "depth_mm": "Scar depth (mm)",
    "width_mm": "Scar width (mm)", "active_acne_grade": "Active acne grade",
    "isotretinoin_months_ago": "Isotretinoin stopped (months ago)",
    "recent_filler_or_laser_months_ago": "Recent filler, laser or peel (months ago)",
    "name": "Plan name", "device": "Device", "available_lengths_mm": "Needle lengths (mm)",
    "caps_mm": "Needle-length cap (mm)", "sessions": "Number of sessions",
    "interval_weeks": "Interval between sessions (weeks)", "baseline_gb_score": "Baseline Goodman & Baron score",
    "require_bleeding": "Bleeding endpoint", "starts_at": "Date and time", "duration_min": "Duration (minutes)",
    "plan_id": "Plan", "note": "Note", "repeat": "Number of sessions to book",
    "needle_length_mm": "Needle length (mm)", "endpoint_reached": "Endpoint reached",
    "adverse_events": "Adverse events", "week": "Week after the first session", "gb_grade": "Goodman & Baron grade",
    "gb_score": "Goodman & Baron score", "photos": "Photo", "view": "Photo view", "file": "Photo file name",
    "taken_on": "Photo date", "username": "User name", "password": "Password", "role": "Role",
    "provider_id": "Provider", "current_password": "Current password", "new_password": "New password",
    "rule_id": "Rule", "reason": "Reason", "zones": "Scars", "scars": "Scars", "history": "History",
}


def label(loc: tuple | list | str) -> str:
    """The form label of a field location (its last named part; list positions are skipped)."""
    parts = [p for p in ([loc] if isinstance(loc, str) else loc) if isinstance(p, str) and p != "body"]
    for part in reversed(parts):
        if part in LABELS:
            return LABELS[part]
    return parts[-1].replace("_", " ").capitalize() if parts else "Form"


def _number(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def explain(error: dict) -> str:
    """What to enter, for one pydantic error (``ValidationError.errors()`` item)."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return "enter a whole number"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return "enter a number"
    if kind == "greater_than_equal":
        return f"must be at least {_number(ctx['ge'])}"
    if kind == "greater_than":
        return f"must be more than {_number(ctx['gt'])}"
    if kind == "less_than_equal":
        return f"must be at most {_number(ctx['le'])}"
    if kind == "less_than":
        return f"must be less than {_number(ctx['lt'])}"
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "required"
    if kind == "string_too_short":
        return f"enter at least {ctx['min_length']} characters"
    if kind == "string_too_long":
        return f"enter at most {ctx['max_length']} characters"
    if kind in ("too_short", "too_long"):
        return "required" if kind == "too_short" else "too many entries"
    if kind in ("enum", "literal_error"):
        return f"choose one of {ctx.get('expected', 'the listed options')}"
    if kind == "string_pattern_mismatch":
        return "use letters, digits, spaces, dots and dashes only"
    if kind.startswith(("date", "datetime", "time")):
        return "enter a valid date" if kind.startswith("date_") else "enter a valid date and time"
    if kind in ("bool_parsing", "bool_type"):
        return "choose yes or no"
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return "is not a field of this form"
    return error["msg"]


def field_messages(exc: Exception) -> list[str]:
    """One readable line per problem of a failed form (validation or a model rule)."""
    if isinstance(exc, ValidationError):
        out = []
        for e in exc.errors():
            line = f"{label(e['loc'])}: {explain(e)}"
            if line not in out:
                out.append(line)
        return out
    if isinstance(exc, InputError):
        return [f"{label(exc.field.split('.'))}: {exc.allowed}"]
    return [str(exc)]
