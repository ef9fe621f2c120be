"""iCalendar (RFC 5545) export of appointments: CRLF lines folded at 75 octets, floating local times."""

from __future__ import annotations

from datetime import UTC, datetime


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    raw = line.encode("utf-8")
    out, start, limit = [], 0, 75
    while len(raw) - start > limit:
        cut = start + limit
        while (raw[cut] & 0xC0) == 0x80:  # do not split a UTF-8 sequence
            cut -= 1
        out.append(raw[start:cut].decode("utf-8"))
        start, limit = cut, 74  # continuation lines start with one space
    out.append(raw[start:].decode("utf-8"))
    return [out[0]] + [" " + part for part in out[1:]]


def calendar(events: list[dict], name: str = "Microneedling sessions") -> str:
    """``events``: dicts with uid, starts_at (datetime), duration_min, summary, description."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microneedling//planner//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(name)}"]
    for e in events:
        lines += ["BEGIN:VEVENT", f"UID:{e['uid']}", f"DTSTAMP:{stamp}",
                  f"DTSTART:{e['starts_at'].strftime('%Y%m%dT%H%M%S')}", f"DURATION:PT{int(e['duration_min'])}M",
                  f"SUMMARY:{_escape(e['summary'])}", f"DESCRIPTION:{_escape(e.get('description', ''))}",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))


def unfold(text: str) -> list[str]:
    """Inverse of folding: the logical content lines of an iCalendar text."""
    out: list[str] = []
    for line in text.split("\r\n"):
        if line.startswith(" ") and out:
            out[-1] += line[1:]
        elif line:
            out.append(line)
    return out
