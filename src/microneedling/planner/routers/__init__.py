"""The planner's routes, one module per resource, each with its HTML pages (``pages``) and its JSON API
under /api (``api``): login and logout, patients (with candidacy), plans (with figures and the printable
plan), consents (signing, signed PDF, consent form versions), schedule (appointments, calendar, iCalendar),
records (treatment records, aftercare sheet, lot recall, follow-ups), users (with the audit log), and the API
documentation (/api/docs). Route handlers reach the database only through
:mod:`microneedling.planner.services` and the planner's concept modules (consent, scheduling,
treatment_records).

Pages are server-rendered (Jinja2, plain forms); every form carries the session's CSRF token, and bad input
re-renders the form with field messages and status 422, storing nothing. In the JSON API, unsafe methods
need the session's CSRF token in the ``X-CSRF-Token`` header; bad bodies get 422 with field messages and
store nothing."""

from __future__ import annotations

from fastapi import APIRouter

from microneedling.planner.routers import (
    account,
    auth,
    charts,
    consents,
    docs,
    intake,
    patients,
    photos,
    plans,
    public,
    records,
    schedule,
    users,
)

# A request is matched against the routes in this order until one fits (each candidate costs a regular
# expression): the patient list and patient reads, by far the most requested, come first. No two routes answer
# the same method and path in two routers (tested), so the order changes nothing else.
ROUTERS: tuple[APIRouter, ...] = (
    patients.pages, patients.api, auth.api, account.api, consents.api, plans.api, schedule.api, records.api,
    users.api, docs.api, auth.pages, account.pages, consents.pages, plans.pages, schedule.pages,
    records.pages, users.pages, charts.api, photos.api, photos.pages,
    public.api, public.pages, intake.api, intake.pages,
)
