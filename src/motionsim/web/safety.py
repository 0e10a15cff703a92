"""ASGI guards for a server that runs on the user's machine, or for a class on a LAN, outermost first:

- `SecurityHeaders`: every answer says it may not be framed (``X-Frame-Options: DENY``, CSP ``frame-ancestors
  'none'``), must not be type-sniffed, sends no referrer (a token in an address never leaks) and is not for other
  sites to embed (``Cross-Origin-Resource-Policy``);
- `HostCheck`: only the host names the server is bound to (plus the ``localhost`` forms) are served, so a page
  on another name that resolves to this machine (DNS rebinding) gets 400;
- `TokenAuth`: when a token is set, every request carries it: a cookie (HttpOnly, SameSite=Strict) that the
  first visit with ``?token=`` sets before redirecting to the clean address, or ``Authorization: Bearer``;
  compared in constant time;
- `SameOrigin`: a write from another site is refused (datasette's csrf.py: Sec-Fetch-Site, else Origin, scheme
  included, against Host; no CSRF tokens, curl still works), and so is a WebSocket opened by another site's page
  (browsers send Origin on every WebSocket handshake);
- `BodyLimit`: a request body over the limit is refused with 413 as soon as it passes it.

A refused WebSocket (the Live page's) is accepted and closed at once with code 1008 and the reason in one short
line, which the page shows; nothing reaches the app.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import socket
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
#: Host names that always mean this machine.
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
#: Addresses that bind every interface.
ANY_ADDRESS = frozenset({"0.0.0.0", "::", ""})
HEADERS = [(b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'"),
           (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
           (b"cross-origin-resource-policy", b"same-origin")]


async def _reply(send: Any, status: int, message: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


def close_reason(message: str, limit: int = 123) -> str:
    """``message`` as a WebSocket close reason: at most 123 bytes of UTF-8 (the protocol's limit), cut with '...'."""
    data = message.encode("utf-8", "replace")
    return message if len(data) <= limit else data[:limit - 3].decode("utf-8", "ignore") + "..."


async def _refuse(scope: dict, receive: Any, send: Any, status: int, message: str,
                  extra: list[tuple[bytes, bytes]] | None = None, short: str | None = None) -> None:
    """Answer 4xx with one line. A WebSocket handshake is accepted and at once closed with code 1008 (policy
    violation) and ``short`` (or ``message``) as the reason: a browser shows a page the reason of a close, never
    the answer to a refused handshake. Nothing else is sent or read."""
    if scope["type"] == "websocket":
        if (await receive())["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": 1008, "reason": close_reason(short or message)})
    else:
        await _reply(send, status, message, extra)


def _header(scope: dict, name: bytes) -> bytes | None:
    return next((v for k, v in scope["headers"] if k == name), None)


class SecurityHeaders:
    """Add `HEADERS` to every HTTP answer that does not set them itself."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in HEADERS if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


def allowed_hosts(host: str) -> frozenset[str]:
    """Host names served when bound to ``host``: that host and the localhost forms; bound to every interface
    (0.0.0.0, ::), also this machine's names (and any IP address, see `HostCheck`)."""
    names = set(LOCAL_NAMES) | {host.strip("[]").lower()}
    if host in ANY_ADDRESS:
        names |= {n.lower() for n in (socket.gethostname(), socket.getfqdn()) if n}
    return frozenset(names - {""})


def split_host(value: str) -> tuple[str, int | None] | None:
    """``"name:port"`` / ``"[v6]:port"`` -> (name lower-cased without a final dot, port or None); None if malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1:]
    else:
        name, colon, port = value.partition(":")
        rest = colon + port
    if rest and (not rest.startswith(":") or not rest[1:].isdigit() or len(rest) > 6):
        return None
    name = name.rstrip(".")
    return (name, int(rest[1:]) if rest else None) if name else None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostCheck:
    """Serve only requests whose Host header names this server (400 otherwise): one of ``names`` and, when
    ``port`` is known, that port. Bound to every interface, an IP address is accepted too (an address cannot be
    rebound; the token protects the server then)."""

    def __init__(self, app: Any, host: str, port: int | None) -> None:
        self.app, self.port = app, port
        self.names, self.any_ip = allowed_hosts(host), host in ANY_ADDRESS

    def allows(self, value: bytes | None) -> bool:
        parsed = split_host(value.decode("latin-1")) if value else None
        if parsed is None:
            return False
        name, port = parsed
        if self.port is not None and port != self.port and not (port is None and self.port == 80):
            return False
        return name in self.names or (self.any_ip and _is_ip(name))

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            value = _header(scope, b"host")
            if not self.allows(value):
                shown = (value or b"").decode("latin-1")[:100]
                where = ", ".join(sorted(n if ":" not in n else f"[{n}]" for n in self.names))
                port = f" on port {self.port}" if self.port is not None else ""
                await _refuse(scope, receive, send, 400, f"host {shown!r} is not served here: this server answers "
                              f"to {where}{port} (a page on another name cannot use it)",
                              short=f"host {shown[:60]!r} is not served here")
                return
        await self.app(scope, receive, send)


def token_cookie(port: int | None) -> str:
    """The cookie name (one per port: servers on other ports of the same host keep their own)."""
    return f"motionsim-token-{port}" if port else "motionsim-token"


class TokenAuth:
    """Require ``token`` on every request (401 otherwise): ``Authorization: Bearer <token>``, or the cookie that a
    GET with ``?token=<token>`` sets (HttpOnly, SameSite=Strict) while redirecting to the address without it."""

    def __init__(self, app: Any, token: str, port: int | None) -> None:
        self.app, self.token, self.cookie = app, token.encode(), token_cookie(port)

    def _matches(self, given: str | bytes | None) -> bool:
        if given is None:
            return False
        given = given.encode("utf-8", "surrogateescape") if isinstance(given, str) else given
        return hmac.compare_digest(given, self.token)

    def _cookie(self, scope: dict) -> bytes | None:
        for header, value in scope["headers"]:
            if header != b"cookie":
                continue
            for part in value.split(b";"):
                name, _, given = part.strip().partition(b"=")
                if name.decode("latin-1") == self.cookie:
                    return given
        return None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        auth = _header(scope, b"authorization") or b""
        scheme, _, given = auth.partition(b" ")
        if (scheme.lower() == b"bearer" and self._matches(given.strip())) or self._matches(self._cookie(scope)):
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        offered = [v for k, v in query if k == "token"]
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and offered and self._matches(offered[-1]):
            await self._enter(scope, send, [(k, v) for k, v in query if k != "token"])
            return
        wrong = " (the token given is wrong)" if offered or auth else ""
        await _refuse(scope, receive, send, 401, f"this server needs its token{wrong}: open the address that "
                      f"motionsim serve printed (it ends with ?token=...), or send the header Authorization: Bearer "
                      f"<token>", [(b"www-authenticate", b'Bearer realm="motionsim"')],
                      short=f"this server needs its token{wrong}: open the address motionsim serve printed")

    async def _enter(self, scope: dict, send: Any, rest: list[tuple[str, str]]) -> None:
        """Set the cookie and redirect to the same address without the token (nothing else is answered)."""
        raw = scope.get("raw_path") or quote(scope["path"]).encode()
        location = b"/" + raw.lstrip(b"/")  # never //other.site
        if rest:
            location += b"?" + urlencode(rest).encode()
        cookie = f"{self.cookie}={self.token.decode()}; Path=/; HttpOnly; SameSite=Strict".encode()
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location), (b"set-cookie", cookie), (b"content-length", b"0"),
                                (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": b""})


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, from Content-Length or while they stream in."""

    def __init__(self, app: Any, limit: int, message: str) -> None:
        self.app, self.limit, self.message = app, limit, message

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            await _reply(send, 413, self.message)
            return
        seen, exceeded, started = 0, False, False

        async def limited_receive() -> dict:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: dict) -> None:
            nonlocal started
            if exceeded:
                return  # the app's answer to a body it could not finish reading is replaced by 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _reply(send, 413, self.message)


class SameOrigin:
    """Refuse writes coming from another site (403), and WebSocket handshakes from another site's page."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        checked = scope["type"] == "websocket" or (scope["type"] == "http" and scope["method"] in WRITES)
        if checked and not _same_origin(dict(scope["headers"]), scope.get("scheme", "http")):
            await _refuse(scope, receive, send, 403, "cross-site request refused: use the page that motionsim serve "
                          "shows")
            return
        await self.app(scope, receive, send)


def _same_origin(headers: dict[bytes, bytes], scheme: str) -> bool:
    site = headers.get(b"sec-fetch-site")
    if site is not None:
        return site in (b"same-origin", b"none")
    origin = headers.get(b"origin")
    if origin is None or origin == b"null":
        return origin is None
    parts = urlsplit(origin.decode("latin-1"))
    expected = {"ws": "http", "wss": "https"}.get(scheme, scheme)
    return parts.scheme == expected and parts.netloc == headers.get(b"host", b"").decode("latin-1")
