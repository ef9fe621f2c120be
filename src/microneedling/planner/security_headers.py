"""Response headers and request limits every planner response gets (OWASP ASVS level 2 as the yardstick).

* ``Content-Security-Policy``: scripts, styles, fonts and frames from the app's own origin only, no inline
  script or style, images also as ``data:`` URIs (the plan figures), ``frame-ancestors 'none'`` (no foreign page
  can frame a patient page). The API's Swagger page loads its assets from the CDN FastAPI names, and only that
  page allows that host.
* ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer``.
* ``Cache-Control: no-store`` on everything but the static assets and the public treatment page's figures
  (:data:`CACHEABLE`, which set their own): pages, API answers and the plan figures carry
  patient data and must not be kept by a browser or a proxy (a new follow-up shows at once).
* ``Strict-Transport-Security`` when the request came over TLS.
* Request bodies larger than ``Settings.max_body_bytes`` are refused with 413 before they are parsed, whether
  the client declared the length or streamed the body; paths matching ``upload_paths`` (photo uploads) have
  the larger limit ``upload_bytes``.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
CACHEABLE = ("/static/", "/treatment/figures/")  # paths whose own Cache-Control is kept (no patient data)
FIXED = ((b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
         (b"referrer-policy", b"no-referrer"))


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response, and the request-body limit."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, upload_paths: re.Pattern[str] | None = None,
                 upload_bytes: int = 0):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.upload_paths = upload_paths
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = self.upload_bytes if self.upload_paths is not None and self.upload_paths.fullmatch(path) else \
            self.max_body_bytes
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received = 0
        started = overflow = False

        async def limited_receive() -> Message:
            nonlocal received, overflow
            if overflow:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # the app sees the client leave; the 413 is ours
                    overflow = True
                    return {"type": "http.disconnect"}
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if overflow:
                return
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"
                           or path.startswith(CACHEABLE)]
                headers += list(FIXED)
                headers.append((b"content-security-policy", CSP.encode()))
                if not path.startswith(CACHEABLE):
                    headers.append((b"cache-control", b"no-store"))
                if scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except Exception:
            if not overflow:
                raise
        if overflow and not started:
            await _too_large(send, self.max_body_bytes)


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"detail": "request body larger than {limit} bytes"}}'.encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *FIXED, (b"content-security-policy", CSP.encode()), (b"cache-control", b"no-store")]})
    await send({"type": "http.response.body", "body": body})
