"""`motionsim serve`: the local web page (FastAPI + uvicorn, from the ``web`` extra). Binds 127.0.0.1 unless
another host is asked for; ``--port 0`` picks a free port and the line printed says which."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path
from typing import TextIO

from ..errors import MissingExtraError, MotionsimError
from .options import positive_float

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="a local web page to compare two motions",
                              description="Serve a web page on this machine: upload two videos or keypoint files "
                              "(or pick them from --data), follow the progress, see the feedback video, the "
                              "per-part timeline and the scores; every comparison is kept in a history. The JSON "
                              "API (POST /api/compare answers like compare --json) is documented at /docs.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to bind (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the network)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--data", metavar="DIR", help="folder whose videos and keypoint files the page may pick by name")
    p.add_argument("--state", metavar="DIR",
                   help="folder for the history, uploads and results (default: the user's data folder)")
    p.add_argument("--max-upload-mb", type=positive_float, default=500, metavar="MB",
                   help="largest upload accepted, per file (default 500)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    try:
        import uvicorn

        from ..web.app import create_app
        from ..web.settings import Settings, default_state_dir
    except ImportError as exc:
        raise MissingExtraError(f"serve needs {exc.name}, which a plain install leaves out: "
                                f"pip install 'motionsim[web]'") from exc
    data = Path(args.data) if args.data else None
    if data is not None and not data.is_dir():
        raise MotionsimError(f"{args.data}: --data must be a folder")
    settings = Settings(state_dir=Path(args.state) if args.state else default_state_dir(), data_dir=data,
                        max_upload_mb=args.max_upload_mb)
    if args.host not in LOCAL_HOSTS:
        print(f"motionsim: warning: serving on {args.host}: anyone who can reach this machine can upload files "
              f"and read the history; there is no login", file=sys.stderr)
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((args.host, args.port))
    except OSError as exc:
        sock.close()
        raise MotionsimError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from exc
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if ":" in args.host else args.host
    out.write(f"motionsim: serving on http://{shown}:{port}/ (history in {settings.state_dir}; Ctrl-C stops)\n")
    out.flush()
    config = uvicorn.Config(create_app(settings), workers=1, log_level="warning", timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
