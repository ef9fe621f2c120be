"""Errors of a posted form, each beside its field: the form's input name and the plain message
(:func:`microneedling.planner.messages.located_messages`, the one mapping from validation errors to messages).

A page can hold several forms (the patient page: scheduling, follow-ups, overrides, moving a session), so the
errors name the form they belong to; the templates' macros (``_field_errors.html``) mark that form's fields
with ``aria-invalid="true"`` and ``aria-describedby`` pointing at the message, which is shown beside the field
(WCAG 2.2 success criteria 3.3.1 Error Identification and 3.3.3 Error Suggestion). A short summary at the top
of the page (``role="alert"``) is announced by screen readers and links to each message.

The summary links only to messages the page shows: the macros note each message they place
(:meth:`FormErrors.place`) and the page layouts render their content before the summary, so a message whose
field is not on the page (a form the page does not show) is listed without a link instead of with a link to
nothing. A field the user does not type into (a hidden input filled by a script, such as the drawn signature;
a value a button sets) has its message placed beside the control the user acts on, and the summary link then
leads to that control (the signature pad) or to the message in its form.

A form whose input names differ from the model's field locations passes a ``names`` function
(location -> input name, or None for a problem of the form as a whole)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request
from pydantic import BaseModel

from microneedling.planner.messages import Loc, explain, located_messages

Names = Callable[[Loc], str | None]


@dataclass(frozen=True)
class FieldError:
    field: str | None  # the form's input name; None: the form as a whole
    message: str


@dataclass(frozen=True)
class FormErrors:
    """The errors of form ``form`` (a name unique on the page) as posted."""

    form: str
    items: tuple[FieldError, ...]
    # id of each message placed on the page -> the id the summary links to (the message, or the control it is about)
    shown: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def message(self, form: str, field: str) -> str | None:
        """The message beside input ``field`` of form ``form`` (None if it has none)."""
        if form != self.form:
            return None
        found = [e.message for e in self.items if e.field == field]
        return "; ".join(found) if found else None

    def element_id(self, field: str | None) -> str:
        """The id of the element holding ``field``'s message (the target of ``aria-describedby``)."""
        return re.sub(r"[^A-Za-z0-9_-]", "-", f"{self.form}-{field or 'form'}-error")

    def place(self, field: str | None, control: str | None = None) -> str:
        """The id of the element that shows ``field``'s message on the page (None: the messages about the form
        as a whole), noted as placed so that the summary links to it, or to the element with id ``control``:
        the visible control the user acts on when ``field`` is a hidden input (the signature pad)."""
        ident = self.element_id(field)
        self.shown[ident] = control or ident
        return ident

    @property
    def summary(self) -> list[tuple[str | None, str]]:
        """(id the summary links to: the message on the page or the control it is about, or None where the page
        does not show the message apart from the summary; message) in the order the page shows the messages
        (those it does not show beside a field first, then top to bottom), so the list reads as the form does.
        Read it after the page's fields are rendered (:meth:`place`)."""
        order = {ident: k for k, ident in enumerate(self.shown)}
        rows = sorted(((self.element_id(e.field), e.message) for e in self.items),
                      key=lambda row: order.get(row[0], -1))
        return [(self.shown.get(ident), message) for ident, message in rows]

    @property
    def general(self) -> list[str]:
        """The messages about the form as a whole (shown in the summary only)."""
        return [e.message for e in self.items if e.field is None]


def last_name(loc: Loc) -> str | None:
    """The input name of a location when the form's inputs are named as the model's fields: its last named
    part (list positions skipped); None for the empty location."""
    names = [p for p in loc if isinstance(p, str)]
    return names[-1] if names else None


def form_errors(exc: Exception, form: str, names: Names = last_name,
                model: type[BaseModel] | None = None) -> FormErrors:
    """The errors of a failed post of form ``form``: each message with the input it belongs to."""
    items: list[FieldError] = []
    for loc, message in located_messages(exc, model):
        item = FieldError(names(loc) if loc else None, message)
        if item not in items:
            items.append(item)
    return FormErrors(form, tuple(items))


def form_message(form: str, message: str) -> FormErrors:
    """One message about form ``form`` as a whole."""
    return FormErrors(form, (FieldError(None, message),))


def body_model(request: Request) -> type[BaseModel] | None:
    """The input model of the JSON body of the route that served ``request`` (None if it has none)."""
    field = getattr(request.scope.get("route"), "body_field", None)
    model = getattr(getattr(field, "field_info", None), "annotation", None)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def api_messages(request: Request, errors: list[dict]) -> list[str]:
    """The plain message of each of a JSON request's validation errors (``RequestValidationError.errors()``),
    for the API's 422 detail beside pydantic's own wording, so scripts of the pages can show them."""
    model = body_model(request)
    return [explain(e, model) for e in errors]
