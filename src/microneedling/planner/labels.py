"""Template filters for plain labels: ``yesno`` (Yes / No, a dash when unknown) and ``num`` (a number as a
clinic writes it, with its unit: 3 not 3.0, 0.75 mm)."""

from __future__ import annotations

from jinja2 import Environment


def yes_no(value) -> str:
    """Yes / No for a truth value, "-" for None."""
    return "-" if value is None else ("Yes" if value else "No")


def num(value, unit: str = "", digits: int = 3) -> str:
    """``value`` with at most ``digits`` significant digits and no trailing zeros, then ``unit``; "-" for None."""
    if value is None:
        return "-"
    text = f"{float(value):.{digits}g}" if isinstance(value, (int, float)) else str(value)
    return f"{text} {unit}".strip()


def install(env: Environment) -> None:
    env.filters["yesno"] = yes_no
    env.filters["num"] = num
