"""The JSON API is typed: every 2xx JSON response of an /api/ route has a named response model in the
OpenAPI document (no bare dict), and the planner's inputs take device, sessions and interval between
sessions with the bounds of microneedling.protocol."""

import pytest
from fastapi.routing import APIRoute
from planner_support import record_body
from pydantic import ValidationError

from microneedling.errors import InputError
from microneedling.planner.schemas import AppointmentIn, PlanIn, TreatmentIn
from microneedling.protocol import MAX_INTERVAL_WEEKS, MAX_SESSIONS, MIN_INTERVAL_WEEKS

NOT_IN_SCHEMA = {"/api/openapi.json", "/api/docs"}  # the API's own documentation


def typed(schema: dict) -> bool:
    """A named model (``$ref``), a list of them, or a choice between them; not an untyped object."""
    if "$ref" in schema:
        return True
    if schema.get("type") == "array":
        return typed(schema.get("items", {}))
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return all(typed(s) for s in schema[key])
    return False


@pytest.fixture(scope="module")
def openapi(planner):
    r = planner["clients"]["dra"].get("/api/openapi.json")
    assert r.status_code == 200
    return r.json()


def test_every_api_json_response_has_a_response_model(openapi):
    untyped, checked = [], 0
    for path, operations in openapi["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, op in operations.items():
            for status, response in op["responses"].items():
                if not status.startswith("2"):
                    continue
                content = response.get("content", {})
                if content and "application/json" not in content:
                    continue  # a declared binary answer (e.g. application/pdf), not JSON
                checked += 1
                schema = content.get("application/json", {}).get("schema", {})
                if not typed(schema):
                    untyped.append(f"{method.upper()} {path} {status}: {schema}")
    assert not untyped, "untyped JSON responses:\n" + "\n".join(untyped)
    assert checked >= 20


def test_every_api_route_is_in_the_openapi_document(planner, openapi):
    routes = {(m.lower(), r.path) for r in planner["app"].routes if isinstance(r, APIRoute)
              and r.path.startswith("/api/") and r.path not in NOT_IN_SCHEMA for m in r.methods - {"HEAD"}}
    documented = {(m, p) for p, ops in openapi["paths"].items() for m in ops}
    assert routes <= documented, routes - documented


def test_response_models_are_objects_with_fields(openapi):
    empty = [name for name, s in openapi["components"]["schemas"].items()
             if s.get("type") == "object" and not s.get("properties")]
    assert not empty


REFUSED = (ValidationError, InputError)


@pytest.mark.parametrize("interval", [MIN_INTERVAL_WEEKS / 2, MAX_INTERVAL_WEEKS + 1])
def test_interval_between_sessions_has_the_protocol_bounds(interval):
    with pytest.raises(REFUSED):
        AppointmentIn(starts_at="2027-01-04T09:00:00", interval_weeks=interval)
    with pytest.raises(REFUSED):
        PlanIn(interval_weeks=interval)


def test_sessions_and_device_have_the_protocol_bounds():
    assert PlanIn(sessions=MAX_SESSIONS, interval_weeks=MAX_INTERVAL_WEEKS).sessions == MAX_SESSIONS
    assert AppointmentIn(starts_at="2027-01-04T09:00:00", interval_weeks=MAX_INTERVAL_WEEKS).interval_weeks == \
        MAX_INTERVAL_WEEKS
    with pytest.raises(REFUSED):
        PlanIn(sessions=MAX_SESSIONS + 1)
    with pytest.raises(REFUSED):
        PlanIn(device="none")
    with pytest.raises(REFUSED):
        TreatmentIn(**{**record_body(), "device": "none"})
    assert TreatmentIn(**record_body()).device == "pen"  # the same record with a needling device is valid
