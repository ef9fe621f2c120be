"""iCalendar (RFC 5545) export of appointments: CRLF lines folded at 75 octets; event times in the clinic's
time zone (``DTSTART;TZID=...``) with a ``VTIMEZONE`` that lists the zone's UTC-offset changes over the
years of the events (computed from :mod:`zoneinfo`), the clinic as ``LOCATION`` and a ``VALARM`` reminder
(default 24 hours before)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

REMINDER_HOURS = 24.0


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


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[datetime]:
    """The UTC instants (aware, to the minute) at which ``zone``'s UTC offset changes in the years given."""
    def off(t: datetime) -> timedelta:
        return t.astimezone(zone).utcoffset() or timedelta(0)

    out = []
    t = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    while t < end:
        nxt = t + timedelta(days=1)
        if off(t) != off(nxt):
            lo, hi = t, nxt  # off(lo) != off(hi): bisect to the minute
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if off(mid) == off(t) else (lo, mid)
            out.append(hi.replace(second=0, microsecond=0))
        t = nxt
    return out


def vtimezone(zone: ZoneInfo, first_year: int, last_year: int) -> list[str]:
    """A VTIMEZONE for ``zone``: one STANDARD or DAYLIGHT observance per offset change from the year before
    ``first_year`` (so the first events have a rule in force) to ``last_year``; a zone without changes gets
    one STANDARD observance with its fixed offset."""
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone.key}"]
    changes = transitions(zone, first_year - 1, last_year)
    if not changes:
        probe = datetime(first_year, 1, 1, tzinfo=UTC).astimezone(zone)
        off = _offset(probe.utcoffset() or timedelta(0))
        return lines + ["BEGIN:STANDARD", "DTSTART:19700101T000000", f"TZOFFSETFROM:{off}", f"TZOFFSETTO:{off}",
                        f"TZNAME:{probe.tzname()}", "END:STANDARD", "END:VTIMEZONE"]
    for t in changes:
        before, after = (t - timedelta(minutes=1)).astimezone(zone), t.astimezone(zone)
        kind = "DAYLIGHT" if after.dst() else "STANDARD"
        onset = t + (before.utcoffset() or timedelta(0))  # local time in the offset before the change
        lines += [f"BEGIN:{kind}", f"DTSTART:{onset.strftime('%Y%m%dT%H%M%S')}",
                  f"TZOFFSETFROM:{_offset(before.utcoffset() or timedelta(0))}",
                  f"TZOFFSETTO:{_offset(after.utcoffset() or timedelta(0))}", f"TZNAME:{after.tzname()}",
                  f"END:{kind}"]
    return lines + ["END:VTIMEZONE"]


def calendar(events: list[dict], name: str = "Microneedling sessions", zone: ZoneInfo | None = None,
             location: str = "", reminder_hours: float | None = REMINDER_HOURS) -> str:
    """``events``: dicts with uid, starts_at (naive UTC datetime), duration_min, summary, description.
    Times are written in ``zone`` (UTC if None) with its VTIMEZONE; ``location`` on every event; a display
    alarm ``reminder_hours`` before each (none if None)."""
    zone = zone or ZoneInfo("UTC")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//microneedling//planner//EN", "CALSCALE:GREGORIAN",
             f"X-WR-CALNAME:{_escape(name)}", f"X-WR-TIMEZONE:{zone.key}"]
    local = [(e, e["starts_at"].replace(tzinfo=UTC).astimezone(zone)) for e in events]
    years = [t.year for _, t in local] or [datetime.now(UTC).year]
    lines += vtimezone(zone, min(years), max(years))
    for e, start in local:
        lines += ["BEGIN:VEVENT", f"UID:{e['uid']}", f"DTSTAMP:{stamp}",
                  f"DTSTART;TZID={zone.key}:{start.strftime('%Y%m%dT%H%M%S')}",
                  f"DURATION:PT{int(e['duration_min'])}M", f"SUMMARY:{_escape(e['summary'])}",
                  f"DESCRIPTION:{_escape(e.get('description', ''))}"]
        if location:
            lines.append(f"LOCATION:{_escape(location)}")
        if reminder_hours is not None:
            minutes = int(round(reminder_hours * 60))
            before = f"{minutes // 60}H" if minutes % 60 == 0 else f"{minutes}M"
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{_escape(e['summary'])}",
                      f"TRIGGER:-PT{before}", "END:VALARM"]
        lines.append("END:VEVENT")
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
