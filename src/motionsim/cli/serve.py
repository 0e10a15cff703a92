"""`motionsim serve`: the local web page (FastAPI + uvicorn, from the ``web`` extra). Binds 127.0.0.1 unless
another host is asked for; ``--port 0`` picks a free port and the line printed says which. Bound beyond this
machine, every request needs a token (generated and printed in the address, as Jupyter does, or ``--token``).
The history is checked before the address is printed: a corrupt or emptied database stops here with one line."""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import re
import secrets
import socket
import sys
from pathlib import Path
from typing import TextIO

from ..errors import MissingExtraError, MotionsimError
from .options import positive_float, positive_int

TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~-]{8,256}")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="a local web page to compare two motions",
                              description="Serve a web page on this machine: upload two videos or keypoint files "
                              "(or pick them from --data), follow the progress, see the feedback video, the "
                              "per-part timeline and the scores; every comparison is kept in a history. The Live "
                              "page (/live) scores you in front of your camera against a reference while you move "
                              "and saves the take as a comparison. The JSON API (POST /api/compare answers like "
                              "compare --json) is documented at /docs.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the network, "
                   "and beyond 127.0.0.0/8 and ::1 every request needs the token)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--token", nargs="?", const="", metavar="TOKEN",
                   help="require this token on every request (at least 8 of A-Z a-z 0-9 . _ ~ -); without a value, "
                   "a random one. Beyond 127.0.0.1 a token is always required (a random one unless given); the "
                   "address printed carries it (?token=...), a browser keeps it as a cookie, scripts send "
                   "'Authorization: Bearer TOKEN'")
    p.add_argument("--data", metavar="DIR", help="folder whose videos and keypoint files the page may pick by name")
    p.add_argument("--state", metavar="DIR",
                   help="folder for the history, uploads and results (default: the user's data folder)")
    p.add_argument("--max-upload-mb", type=positive_float, default=500, metavar="MB",
                   help="largest upload accepted, per file (default 500)")
    p.add_argument("--max-input-mb", type=positive_float, default=100, metavar="MB",
                   help="largest keypoint data read from one input: a JSON/CSV file's size, or what a .npy/.npz "
                   "declares once decompressed (default 100)")
    p.add_argument("--keep-days", type=positive_float, metavar="DAYS",
                   help="remove finished comparisons older than this, at start and after each job (default: keep)")
    p.add_argument("--max-state-gb", type=positive_float, metavar="GB",
                   help="keep the state folder under this size by removing the oldest finished comparisons "
                   "(default: no limit); a queued or running one is never removed")
    p.add_argument("--max-live", type=positive_int, default=1, metavar="N",
                   help="live takes at once on the Live page (default 1: each runs pose estimation on most of a "
                   "CPU core); more are told the server is busy")
    p.add_argument("--reset-history", action="store_true",
                   help="start a new history: the old database, results and uploads are moved into "
                   "STATE/old-<time>/ (nothing is deleted); for a database that cannot be read")
    p.set_defaults(func=run)


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine: ``localhost``, 127.0.0.0/8 or ::1."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _token(args: argparse.Namespace) -> str | None:
    if args.token is None:
        return None if is_loopback(args.host) else secrets.token_urlsafe(24)
    if args.token == "":
        return secrets.token_urlsafe(24)
    if not TOKEN_CHARS.fullmatch(args.token):
        raise MotionsimError("argument --token: expected at least 8 characters among A-Z a-z 0-9 . _ ~ -")
    return args.token


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except (OSError, OverflowError) as exc:
        sock.close()
        raise MotionsimError(f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}") from exc
    return sock


def _announce(out: TextIO, host: str, port: int, token: str | None, state: Path) -> None:
    """The address to open (with the token), before anything else is printed on stdout."""
    query = f"?token={token}" if token else ""
    wildcard = host in ("0.0.0.0", "::")
    shown = socket.gethostname() if wildcard else f"[{host}]" if ":" in host else host
    out.write(f"motionsim: serving on http://{shown}:{port}/{query} (history in {state}; Ctrl-C stops)\n")
    if wildcard:
        out.write(f"motionsim: also http://127.0.0.1:{port}/{query} on this machine\n")
    out.flush()
    if not is_loopback(host):
        print(f"motionsim: note: serving on {host}: requests need the token (in the address above; scripts "
              f"send 'Authorization: Bearer <token>')", file=sys.stderr)


def websocket_options() -> dict:
    """uvicorn's WebSocket settings for the Live page: messages up to one camera frame (`MAX_MESSAGE_BYTES`), no
    compression (JPEG frames do not compress; it would cost CPU), pings that find a vanished browser in ~10 s."""
    from ..web.live_runner import MAX_MESSAGE_BYTES

    return {"ws_max_size": MAX_MESSAGE_BYTES, "ws_per_message_deflate": False, "ws_ping_interval": 5.0,
            "ws_ping_timeout": 5.0}


def run(args: argparse.Namespace, out: TextIO) -> int:
    try:
        import uvicorn
        import websockets  # noqa: F401 - uvicorn's WebSocket implementation (the Live page)

        from ..web import history
        from ..web.app import create_app
        from ..web.settings import Settings, default_state_dir
    except ImportError as exc:
        raise MissingExtraError(f"serve needs {exc.name}, which a plain install leaves out: "
                                f"pip install 'motionsim[web]'") from exc
    data = Path(args.data) if args.data else None
    if data is not None and not data.is_dir():
        raise MotionsimError(f"{args.data}: --data must be a folder")
    token = _token(args)
    settings = Settings(state_dir=Path(args.state) if args.state else default_state_dir(), data_dir=data,
                        max_upload_mb=args.max_upload_mb, max_input_mb=args.max_input_mb, host=args.host,
                        token=token, keep_days=args.keep_days, max_state_gb=args.max_state_gb,
                        max_live=args.max_live)
    history.hold_state(settings.state_dir)  # before anything is moved or checked; the app holds it too
    try:
        if args.reset_history:
            aside = history.move_aside(settings.db_path, settings.results_dir, settings.upload_dir)
            if aside is not None:
                print(f"motionsim: moved the old history, results and uploads to {aside}", file=sys.stderr)
        history.check_history(settings.db_path, settings.results_dir, settings.upload_dir)
        sock = _bind(args.host, args.port)
        settings = dataclasses.replace(settings, port=sock.getsockname()[1])
        _announce(out, args.host, settings.port, token, settings.state_dir)
        config = uvicorn.Config(create_app(settings), workers=1, log_level="warning", timeout_graceful_shutdown=5,
                                proxy_headers=False,  # no proxy: X-Forwarded-* never changes scheme or client
                                **websocket_options())
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        history.release_state(settings.state_dir)
    return 0
