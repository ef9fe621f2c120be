"""Route handlers reach the database only through planner/services.py: no query, session call or
SQLAlchemy import in planner/routers/*.py (or the page helpers they share)."""

from pathlib import Path

import microneedling.planner.routers as routers
import microneedling.planner.web as web

FORBIDDEN = ("select(", ".query(", "db.add(", "db.get(", ".execute(", "from sqlalchemy", "import sqlalchemy")


def test_route_handlers_reach_the_database_only_through_services():
    files = sorted(Path(routers.__file__).parent.glob("*.py")) + [Path(web.__file__)]
    assert len(files) >= 8, files  # auth, patients, plans, schedule, records, users, docs, __init__ + web
    hits = [f"{path.name}:{n}: {line.strip()}" for path in files
            for n, line in enumerate(path.read_text().splitlines(), 1) if any(f in line for f in FORBIDDEN)]
    assert not hits, "database access outside services:\n" + "\n".join(hits)
