"""The planner for providers: candidacy, per-zone plan, predicted outcome, schedule and outcome tracking,
as a FastAPI web app on SQLite or PostgreSQL (``microneedling serve``)."""
