"""Citations: the papers behind every number, and which of them a run used.

Entries live in ``data/CITATIONS.bib``. Code that uses a source calls :func:`cite` (parameter look-ups do
it for you), and a report ends with :func:`format_references` of :func:`citations_used`, as PyBaMM prints
the citations of a simulation.

Entries that are not journal articles, books or proceedings papers say what they are in a ``kind`` field
(:data:`KINDS`); :func:`kind` reads it. No parameter row may rest on an entry of an :data:`UNRELIABLE_KINDS` kind
unless the row is ``assumed`` (:mod:`microneedling.params` enforces it).
"""

from __future__ import annotations

import contextvars
import re
from functools import lru_cache
from importlib import resources

_used: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("citations_used", default=())

_ENTRY = re.compile(r"@(\w+)\s*\{\s*([^,\s]+)\s*,(.*?)\n\}", re.S)
_FIELD = re.compile(r"(\w+)\s*=\s*\{((?:[^{}]|\{[^{}]*\})*)\}", re.S)

#: kinds of entry that are peer-reviewed publications or books (the default from the BibTeX entry type)
PUBLISHED_KINDS = ("journal", "book", "proceedings")
#: kinds that a ``kind`` field may declare, for entries that are not peer-reviewed publications
NON_PEER_REVIEWED_KINDS = ("web", "wikipedia", "calculator", "product", "trade", "repository", "database", "handbook")
#: every kind an entry may have
KINDS = PUBLISHED_KINDS + NON_PEER_REVIEWED_KINDS
#: kinds on which no model parameter may rest: a row whose source is of one of these kinds must be ``assumed``
UNRELIABLE_KINDS = ("web", "wikipedia", "calculator", "product", "trade")
_DEFAULT_KIND = {"article": "journal", "book": "book", "incollection": "book", "inproceedings": "proceedings"}


@lru_cache(maxsize=1)
def bibliography() -> dict[str, dict[str, str]]:
    """All entries of ``CITATIONS.bib`` as ``{key: {field: value}}`` (fields include ``type``)."""
    text = resources.files("microneedling").joinpath("data/CITATIONS.bib").read_text(encoding="utf-8")
    entries: dict[str, dict[str, str]] = {}
    for kind, key, body in _ENTRY.findall(text):
        fields = {name.lower(): " ".join(value.split()) for name, value in _FIELD.findall(body)}
        fields["type"] = kind.lower()
        if key in entries:
            raise ValueError(f"duplicate citation key {key!r} in CITATIONS.bib")
        if fields.get("kind", KINDS[0]) not in KINDS:
            raise ValueError(f"citation {key!r}: kind {fields['kind']!r} not in {KINDS}")
        entries[key] = fields
    return entries


def kind(key: str) -> str:
    """What entry ``key`` is: its ``kind`` field if it has one (:data:`KINDS`), otherwise ``journal``, ``book`` or
    ``proceedings`` from the BibTeX type (``misc`` for an unclassified @misc). Unknown keys raise KeyError."""
    e = bibliography()[key]
    return e.get("kind") or _DEFAULT_KIND.get(e["type"], e["type"])


def is_peer_reviewed(key: str) -> bool:
    """Whether entry ``key`` is a journal article, book or proceedings paper (not a web page, product page,
    calculator, trade article, repository note, database record or handbook table)."""
    return kind(key) in PUBLISHED_KINDS


def cite(key: str) -> str:
    """Record that the current run used source ``key``; returns the key. Unknown keys raise KeyError."""
    if key not in bibliography():
        raise KeyError(f"citation {key!r} is not in data/CITATIONS.bib")
    used = _used.get()
    if key not in used:
        _used.set(used + (key,))
    return key


def citations_used() -> list[str]:
    """Keys cited so far in this context, in first-use order."""
    return list(_used.get())


def reset_citations() -> None:
    _used.set(())


def format_reference(key: str) -> str:
    """One reference as plain text: ``Authors (year). Title. Journal volume:pages. doi``."""
    e = bibliography()[key]
    parts = [f"{e.get('author', 'Anonymous')} ({e.get('year', 'n.d.')})."]
    if "title" in e:
        parts.append(e["title"].rstrip(".") + ".")
    venue = e.get("journal") or e.get("booktitle") or e.get("publisher") or e.get("howpublished")
    if venue:
        vol = f" {e['volume']}" if "volume" in e else ""
        pages = f":{e['pages']}" if "pages" in e else ""
        parts.append(f"{venue}{vol}{pages}.")
    if "doi" in e:
        parts.append(f"doi:{e['doi']}")
    if "note" in e:
        parts.append(f"[{e['note']}]")
    return " ".join(parts)


def format_references(keys: list[str] | None = None) -> list[str]:
    """References for ``keys`` (default: all used in this context), sorted by first author."""
    keys = citations_used() if keys is None else keys
    return [f"[{k}] {format_reference(k)}" for k in sorted(set(keys), key=str.lower)]
