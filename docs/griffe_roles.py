"""Griffe extension for the API reference: the Sphinx markup of the docstrings, read as Markdown.

The docstrings name other objects with Sphinx roles (``:func:`run_course```, ``:class:`~microneedling.errors.
InputError```, ``:mod:`microneedling.healing.model```). Markdown has no such syntax, so each role is rewritten
into an *optional* mkdocs-autorefs reference: a link where the target is rendered in the API reference, plain
code where it is not (private, undocumented or outside the package), and never a build warning. Names are
resolved in the scope of the object whose docstring they appear in, as Sphinx does; ``~`` shows the last part
of the name only. A paragraph ending in the reST literal-block marker ``::`` ends in one colon instead (the
indented block after it is already a code block in Markdown). Loaded by mkdocstrings through ``extensions``
in ``mkdocs.yml``.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|class|mod|data|attr|meth|exc|obj|const|type):`(~?)([\w.]+?)(\(\))?`")
LITERAL_BLOCK = re.compile(r"(?<=\S)::\n\n")  # reST "text::" before an indented block: Markdown shows "text:"


def _lookup(package: griffe.Module, path: str) -> str | None:
    """The canonical path of ``path`` inside ``package``, or None if it is not there."""
    parts = path.split(".")
    if parts[0] != package.name:
        return None
    obj: Any = package
    try:
        for part in parts[1:]:
            obj = obj.members[part]
        return obj.final_target.path if obj.is_alias else obj.path
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _resolve(package: griffe.Module, scope: griffe.Object, name: str) -> str | None:
    if name.startswith(package.name + ".") or name == package.name:
        return _lookup(package, name)
    head, _, rest = name.partition(".")
    try:
        base = scope.resolve(head)
    except (griffe.NameResolutionError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return _lookup(package, f"{base}.{rest}" if rest else base)


def _rewrite(package: griffe.Module, obj: griffe.Object) -> None:
    if obj.docstring is None:
        return

    def link(match: re.Match) -> str:
        short, name, call = match.group(1), match.group(2), match.group(3) or ""
        shown = (name.rsplit(".", 1)[-1] if short else name) + call
        target = _resolve(package, obj, name)
        if target is None:
            return f"`{shown}`"
        return f'<autoref identifier="{target}" optional><code>{shown}</code></autoref>'

    obj.docstring.value = LITERAL_BLOCK.sub(":\n\n", ROLE.sub(link, obj.docstring.value))


def _walk(obj: griffe.Object):
    yield obj
    for member in obj.members.values():
        if not member.is_alias:
            yield from _walk(member)


class SphinxRoles(griffe.Extension):
    """Rewrite Sphinx roles into optional autorefs once the whole package is loaded."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        for obj in _walk(pkg):
            _rewrite(pkg, obj)
