"""The app factory for multi-worker servers reads the database and the hash cost from the environment and
warms the engine."""

from __future__ import annotations

from microneedling.planner.asgi import DATABASE_URL_ENV, FAST_HASH_ENV, app_from_environment


def test_app_from_environment(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    monkeypatch.setenv(FAST_HASH_ENV, "1")
    app = app_from_environment()
    assert app.state.settings.database_url == url and app.state.settings.fast_hash
    assert app.state.settings.warm_up_engine()
    app.state.warm_up.join(timeout=300)
    assert (tmp_path / "env.db").exists()
