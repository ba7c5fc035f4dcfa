"""A pure ASGI middleware that refuses request bodies above a size limit with 413."""

from __future__ import annotations

from typing import Any

from node.api.errors import BodyTooLarge, error_response

Scope = dict[str, Any]


class BodyLimit:
    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or {}).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            response = error_response(
                413, "body_too_large", f"the body must be at most {self.max_bytes} bytes"
            )
            await response(scope, receive, send)
            return
        seen = 0
        limit = self.max_bytes

        async def counted_receive() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(f"the body must be at most {limit} bytes")
            return message

        await self.app(scope, counted_receive, send)
