"""Property-based run of the JSON API against its own OpenAPI schema (schemathesis): logged in as the
administrator (every operation allowed) with the CSRF header, a few generated requests per operation (ids,
dates, numbers and strings at and beyond their bounds), no answer may be a server error (5xx). Logging out is
left out (it would end the run's session)."""

from __future__ import annotations

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from planner_support import PATIENT

from microneedling.planner.app import create_app
from microneedling.planner.settings import Settings

EXAMPLES_PER_OPERATION = 6
# a new patient's scar list is scored at once, and unusual sizes compile new engine kernels (seconds each)
SLOW_OPERATIONS = {("POST", "/api/patients"): 2, ("PUT", "/api/patients/{patient_id}"): 2}


def test_no_operation_answers_with_a_server_error(tmp_path):
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 's.db'}", fast_hash=True,
                              admin_password="admin password 1"))
    http = TestClient(app)
    r = http.post("/api/login", json={"username": "admin", "password": "admin password 1"})
    assert r.status_code == 200, r.text
    headers = {"X-CSRF-Token": r.json()["csrf_token"], "Cookie": f"mn_session={http.cookies.get('mn_session')}"}
    assert http.post("/api/patients", json=PATIENT, headers=headers).status_code == 201  # patient 1 exists
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=headers)
    failures: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        if operation.path == "/api/logout":
            continue

        examples = SLOW_OPERATIONS.get((operation.method.upper(), operation.path), EXAMPLES_PER_OPERATION)

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers=headers, timeout=120)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r:.300}"
                                f" -> {response.status_code}")
        run()
    assert not failures, "\n".join(failures)
