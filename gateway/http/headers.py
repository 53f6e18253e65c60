"""Security headers on every response: no MIME sniffing, no framing, no referrer, no caching of
API answers, and a content security policy (a strict one for data, one that GraphiQL's inline
page can live with for HTML)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_DATA_POLICY = b"default-src 'none'; frame-ancestors 'none'"
_PAGE_POLICY = b"frame-ancestors 'none'; object-src 'none'; base-uri 'none'"


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                extra = [h for h in _COMMON if h[0] not in present]
                if b"content-security-policy" not in present:
                    policy = _PAGE_POLICY if content_type.startswith(b"text/html") else _DATA_POLICY
                    extra.append((b"content-security-policy", policy))
                if b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
