"""Kill the real server (SIGKILL) while clients write, then check no acknowledged row was lost and no
half-written patient exists. Shared by the SQLite and PostgreSQL tests."""

from __future__ import annotations

import threading
import time

import httpx
from planner_support import PASSWORD, PATIENT, free_port, seed_users, start_server
from sqlalchemy import select

from microneedling.planner.app import create_app
from microneedling.planner.models import AuditRow, PatientRow, ScarRow
from microneedling.planner.settings import Settings


def kill_during_writes(database_url: str, writers: int = 4, min_acks: int = 40) -> dict:
    app = create_app(Settings(database_url=database_url, fast_hash=True))  # migrate + users, then let go
    seed_users(app)
    app.state.engine.dispose()
    port = free_port()
    proc = start_server(database_url, port)
    base = f"http://127.0.0.1:{port}"
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(k: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as c:
            csrf = c.post("/api/login", json={"username": "dra", "password": PASSWORD}).json()["csrf_token"]
            i = 0
            while not stop.is_set():
                label = f"D-{k}-{i}"
                try:
                    r = c.post("/api/patients", json={**PATIENT, "label": label}, headers={"X-CSRF-Token": csrf})
                except httpx.HTTPError:
                    return
                if r.status_code == 201:
                    with lock:
                        acked.append(label)
                i += 1

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(writers)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < min_acks and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.kill()  # SIGKILL with requests in flight
    proc.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=15)

    app = create_app(Settings(database_url=database_url, fast_hash=True))  # restart: migrations run again
    with app.state.sessions() as db:
        labels = set(db.scalars(select(PatientRow.label).where(PatientRow.label.like("D-%"))))
        patients = list(db.scalars(select(PatientRow).where(PatientRow.label.like("D-%"))))
        scarless = [p.label for p in patients if not db.scalars(select(ScarRow).where(ScarRow.patient_id == p.id)).first()]
        audited = set(db.scalars(select(AuditRow.entity_id).where(AuditRow.entity == "patient")))
    app.state.engine.dispose()
    return {"acked": list(acked), "stored": labels, "scarless": scarless,
            "unaudited": [p.label for p in patients if p.id not in audited]}
