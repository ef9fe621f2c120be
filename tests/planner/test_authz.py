"""Authorisation: every route refuses anonymous users; each role is refused exactly the routes whose
permission it lacks; a provider never reaches another provider's patients (404, indistinguishable from
absent), an assistant sees only their provider's patients, an admin sees all."""

import base64

import pytest
from fastapi.routing import APIRoute
from planner_support import PATIENT, record_body, sign_consent, signature_png

from microneedling.planner.security import PERMISSIONS

PUBLIC = {("GET", "/login"), ("POST", "/login"), ("POST", "/api/login"),
          # the patient side: treatment page, questionnaire and token links (their limits: test_public.py)
          ("GET", "/treatment"), ("GET", "/treatment/figures/{name}.png"), ("GET", "/questionnaire"),
          ("POST", "/questionnaire"), ("POST", "/api/intake"), ("GET", "/p/{token}"), ("POST", "/p/{token}/consent"),
          ("POST", "/p/{token}/photo"),
          # a load balancer's readiness check: no patient data, no database (test_warmup.py)
          ("GET", "/api/health")}


def routes(app):
    """(method, path, permission or None) for every route of the app (the static mount excluded)."""
    out, todo = [], list(app.routes)
    while todo:
        r = todo.pop(0)
        if hasattr(r, "original_router"):  # routers included lazily
            todo.extend(r.original_router.routes)
            continue
        if not isinstance(r, APIRoute):
            continue
        perm = None
        stack = list(r.dependant.dependencies)
        while stack:
            d = stack.pop()
            perm = getattr(d.call, "permission", None) or perm
            stack.extend(d.dependencies)
        for m in r.methods - {"HEAD"}:
            out.append((m, r.path, perm))
    return sorted(out)


@pytest.fixture(scope="module")
def world(planner):
    a = planner["clients"]["dra"].post("/api/patients", json={**PATIENT, "label": "A-1"}).json()["id"]
    b = planner["clients"]["drb"].post("/api/patients", json={**PATIENT, "label": "B-1"}).json()["id"]
    plan_a = planner["clients"]["dra"].post(f"/api/patients/{a}/plans", json={}).json()["id"]
    appt_a = planner["clients"]["dra"].post(f"/api/patients/{a}/appointments",
                                            json={"starts_at": "2027-05-03T10:00:00"}).json()[0]["id"]
    consent_a = sign_consent(planner["clients"]["dra"], a)
    photo_a = planner["clients"]["dra"].post(f"/api/patients/{a}/photos", data={"view": "front", "taken_on": "2027-05-03"},
                                             files={"file": ("a.png", base64.b64decode(signature_png()), "image/png")}).json()["id"]
    return {"a": a, "b": b, "plan_a": plan_a, "appt_a": appt_a, "consent_a": consent_a, "photo_a": photo_a}


def fill(path, world, own=True):
    return (path.replace("{patient_id}", str(world["a"] if own else world["b"]))
            .replace("{plan_id}", str(world["plan_a"])).replace("{appointment_id}", str(world["appt_a"]))
            .replace("{consent_id}", str(world["consent_a"])).replace("{photo_id}", str(world["photo_a"])))


VALID = {  # valid API bodies, so that a refusal cannot come from body validation
    "overrides": {"rule_id": "darker_phototype", "reason": "discussed with the patient"},
    "appointments": {"starts_at": "2027-06-01T09:00:00"},
    "record": record_body(),
    "followups": {"week": 4, "gb_score": 10},
    "users": {"username": "newuser", "password": "long enough password", "role": "provider"},
    "consents": {"template_version": 1, "typed_name": "Alex Example", "signature_png_base64": signature_png()},
    "consent-templates": {"title": "Clinic consent", "body_md": "# Consent\n\nThe clinic's own text."},
    "status": {"status": "no_show"},
    "reschedule": {"starts_at": "2027-06-08T09:00:00"},
}


def call(client, method, url, csrf_ok=True):
    if url.startswith("/api/"):
        headers = {"X-CSRF-Token": client.csrf if csrf_ok else "x"}
        body = VALID.get(url.rstrip("/").rsplit("/", 1)[-1], {}) if method == "POST" else None
        body = {**PATIENT, "label": "A-1"} if method == "PUT" else body
        if method == "PUT" and url.endswith("/chart"):
            body = {"markers": [{"zone": "cheek", "x": 0.3, "y": 0.5, "type": "boxcar"}]}
        body = {"consent_to_share": True} if method == "PATCH" else body  # the one PATCH: a photo's consent flag
        if method == "POST" and url.endswith("/photos"):  # the one multipart upload
            return client.http.request(method, url, data={"view": "front", "taken_on": "2027-05-03"}, headers=headers,
                                       files={"file": ("a.png", base64.b64decode(signature_png()), "image/png")})
        return client.http.request(method, url, json=body, headers=headers, follow_redirects=False)
    data = {"csrf_token": client.csrf} if method == "POST" else None
    if method == "POST" and url.endswith("/photos"):  # the page's multipart upload form
        return client.http.request(method, url, data={**data, "view": "front", "taken_on": "2027-05-03"},
                                   files={"file": ("a.png", base64.b64decode(signature_png()), "image/png")},
                                   follow_redirects=False)
    return client.http.request(method, url, data=data, follow_redirects=False)


def test_every_route_is_classified(planner):
    for method, path, perm in routes(planner["app"]):
        if (method, path) in PUBLIC:
            continue
        assert perm in PERMISSIONS or path in ("/api/me",), f"{method} {path} has no permission"


def test_anonymous_is_refused_everywhere(planner, world):
    from fastapi.testclient import TestClient

    anon = TestClient(planner["app"])
    checked = 0
    for method, path, _ in routes(planner["app"]):
        if (method, path) in PUBLIC:
            continue
        r = anon.request(method, fill(path, world), follow_redirects=False)
        if path.startswith("/api/"):
            assert r.status_code == 401, (method, path, r.status_code)
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, path)
        checked += 1
    assert checked > 30


@pytest.mark.parametrize("role", ["admin", "dra", "asa"])
def test_each_role_on_each_route(planner, world, role):
    client = planner["clients"][role]
    user_role = {"admin": "admin", "dra": "provider", "asa": "assistant"}[role]
    for method, path, perm in routes(planner["app"]):
        if (method, path) in PUBLIC or path in ("/logout", "/api/logout") or perm is None:
            continue
        r = call(client, method, fill(path, world))
        if user_role in PERMISSIONS[perm]:
            assert r.status_code not in (401, 403), (role, method, path, r.status_code, r.text[:200])
        else:
            assert r.status_code == 403, (role, method, path, r.status_code)


def test_no_cross_patient_access(planner, world):
    drb, asa = planner["clients"]["drb"], planner["clients"]["asa"]
    hits = 0
    for method, path, perm in routes(planner["app"]):
        if "{" not in path:
            continue
        if path == "/api/users" or "{user_id}" in path:  # accounts, not patients: admin only (403 to others)
            continue
        r = call(drb, method, fill(path, world))  # dra's patient, plan, appointment
        assert r.status_code == 404, (method, path, r.status_code)
        hits += 1
        if perm in PERMISSIONS and "assistant" in PERMISSIONS[perm] and "{patient_id}" in path:
            assert call(asa, method, fill(path, world, own=False)).status_code == 404, (method, path)
    assert hits > 15
    assert [p["label"] for p in drb.get("/api/patients").json()] == ["B-1"]
    assert "A-1" in [p["label"] for p in asa.get("/api/patients").json()]
    assert "B-1" not in [p["label"] for p in asa.get("/api/patients").json()]
    assert {"A-1", "B-1"} <= {p["label"] for p in planner["clients"]["admin"].get("/api/patients").json()}
    assert "A-1" not in drb.get("/patients").text and "A-1" not in drb.get("/calendar.ics").text
