"""Route handlers reach the database only through planner/services.py: no query, session call or
SQLAlchemy import in planner/routers/*.py (or the page helpers they share); no two routers answer the same
request, so their order is free."""

import re
from pathlib import Path

from starlette.routing import compile_path

import microneedling.planner.routers as routers
import microneedling.planner.web as web

FORBIDDEN = ("select(", ".query(", "db.add(", "db.get(", ".execute(", "from sqlalchemy", "import sqlalchemy")


def test_route_handlers_reach_the_database_only_through_services():
    files = sorted(Path(routers.__file__).parent.glob("*.py")) + [Path(web.__file__)]
    assert len(files) >= 8, files  # auth, patients, plans, schedule, records, users, docs, __init__ + web
    hits = [f"{path.name}:{n}: {line.strip()}" for path in files
            for n, line in enumerate(path.read_text().splitlines(), 1) if any(f in line for f in FORBIDDEN)]
    assert not hits, "database access outside services:\n" + "\n".join(hits)


def _example(path: str) -> str:
    """A concrete request path for a route's path template (every parameter set to 1)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def test_no_two_routers_answer_the_same_request():
    # the routers are tried in ROUTERS' order (the most requested first); that order is free only while no
    # route of one router fits a request that a route of another router answers
    routes = [(k, method, route.path, compile_path(route.path)[0]) for k, router in enumerate(routers.ROUTERS)
              for route in router.routes for method in getattr(route, "methods", None) or ()]
    assert len(routes) > 80
    clashes = [(p, q) for k, m, p, rx in routes for k2, m2, q, rx2 in routes
               if k < k2 and m == m2 and (rx.match(_example(q)) or rx2.match(_example(p)))]
    assert clashes == []
