"""Template filters for plain labels: ``yesno`` (Yes / No, a dash when unknown), ``num`` (a number as a
clinic writes it, with its unit: 3 not 3.0, 0.75 mm), ``word`` (a stored value in words: no-show, not
no_show) and ``citation`` (a clean reference, no reading notes)."""

from __future__ import annotations

import re

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


# stored values whose words are not just the value with spaces for underscores
VALUE_WORDS: dict[str, str] = {"no_show": "no-show"}


def value_word(value) -> str:
    """A stored value (an appointment status, a choice of a form) in words: no-show, not no_show."""
    text = str(value)
    return VALUE_WORDS.get(text, text.replace("_", " "))


_REFERENCE = re.compile(r"^(?P<authors>.*?) \((?P<year>[^)]*)\)\. (?P<rest>.*)$")
_NOTE = re.compile(r"\s*\[[^\]]*\]\s*$")


def citation(reference: str) -> str:
    """A reference as the planner stores it (:func:`microneedling.citations.format_reference`: authors, year,
    title, journal, doi, then the bibliography's reading note in brackets) as a clean citation: the note
    dropped, more than three authors cut to the first three and "et al."."""
    text = _NOTE.sub("", reference)
    m = _REFERENCE.match(text)
    if not m:
        return text
    authors = [a.strip().strip("{}") for a in m["authors"].split(" and ") if a.strip()]
    shown = "; ".join(authors[:3]) + (" et al." if len(authors) > 3 else "")
    return f"{shown} ({m['year']}). {m['rest']}"


def install(env: Environment) -> None:
    env.filters["yesno"] = yes_no
    env.filters["num"] = num
    env.filters["word"] = value_word
    env.filters["citation"] = citation
