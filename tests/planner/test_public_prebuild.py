"""The public treatment page is built when the planner starts, in a background thread: start-up is not blocked,
the first request afterwards computes nothing, and a request arriving during the build waits for it instead of
computing the same part a second time."""

from __future__ import annotations

import threading
from collections import Counter

import matplotlib.pyplot as plt
import pytest
from fastapi.testclient import TestClient

from microneedling.planner import public
from microneedling.planner.app import create_app
from microneedling.planner.settings import Settings


def _new_builds(before: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in public.build_counts().items() if v != before.get(k, 0)}


@pytest.mark.slow  # the whole page's engines run once (about 35 s on two idle cores)
def test_the_page_is_built_at_start_and_the_first_request_builds_nothing(tmp_path):
    public.clear_cache()  # the caches are per process: start from nothing, as a fresh server does
    before = public.build_counts()
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", fast_hash=True,
                              public_page_at_start=True))
    thread = app.state.public_page
    assert thread.daemon
    thread.join(timeout=600)
    assert not thread.is_alive()
    built = _new_builds(before)
    # every figure and the engine runs behind them were computed at start, each exactly once
    assert {f"_{name}_figure" for name in public.FIGURE_NAMES} <= set(built)
    assert set(built.values()) == {1}, built
    after = public.build_counts()
    anon = TestClient(app)
    page = anon.get("/treatment")
    assert page.status_code == 200
    for name in public.FIGURE_NAMES:
        assert f"/treatment/figures/{name}.png" in page.text
        img = anon.get(f"/treatment/figures/{name}.png")
        assert img.status_code == 200 and img.content == public.figure(name).png
    assert public.build_counts() == after  # the first visitor computed nothing


def test_a_request_during_the_build_waits_for_it_and_nothing_is_built_twice(tmp_path, monkeypatch):
    """Builders that stand in for the engines (so that the build can be held at a known point): the start-up
    build is held inside the first figure while a request for that figure arrives; the request waits, and once the
    build goes on it gets the figure the build made."""
    entered, release = threading.Event(), threading.Event()
    runs: Counter[str] = Counter()

    def builder(name: str):
        def build():
            runs[name] += 1
            if name == public.FIGURE_NAMES[0]:
                entered.set()
                release.wait(60)
            fig, ax = plt.subplots(figsize=(1, 1))
            ax.plot([0, 1], [0, runs[name]])
            return fig, name

        return build

    specs = {n: (n, builder(n), lambda v: f"figure {v}", f"alt {n}") for n in public.FIGURE_NAMES}
    monkeypatch.setattr(public, "_figure_specs", lambda: specs)
    monkeypatch.setattr(public, "typical_course", lambda: {"sessions": 3, "interval_weeks": 4.0, "downtime": None,
                                                             "references": ()})
    monkeypatch.setattr(public, "evidence", lambda: {"available": False, "reason": "not computed in this test"})
    public.clear_cache()
    app = None
    try:
        app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", fast_hash=True,
                                  public_page_at_start=True))
        assert entered.wait(60)  # the start-up build is computing the first figure
        first = public.FIGURE_NAMES[0]
        got = {}
        request = threading.Thread(target=lambda: got.update(r=TestClient(app).get(f"/treatment/figures/{first}.png")))
        request.start()
        request.join(1.0)
        assert request.is_alive()  # waiting for the build in progress, not computing the figure itself
        release.set()
        request.join(60)
        app.state.public_page.join(60)
        assert got["r"].status_code == 200 and got["r"].content == public.figure(first).png
        assert runs == {n: 1 for n in public.FIGURE_NAMES}
    finally:
        release.set()
        if app is not None:
            app.state.public_page.join(60)
        monkeypatch.undo()
        public.clear_cache()


def test_the_start_up_build_is_off_on_test_databases_unless_asked(tmp_path):
    assert Settings().build_public_page_at_start() and not Settings(fast_hash=True).build_public_page_at_start()
    assert not Settings(public_page_at_start=False).build_public_page_at_start()
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'n.db'}", fast_hash=True))
    assert not hasattr(app.state, "public_page")
