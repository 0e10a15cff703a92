"""Who may use the server (issue 26, findings 3 and 8): only the host names it is bound to (DNS rebinding), no
framing, the Origin's scheme compared, and a token when one is set (cookie after the first visit, or a bearer
header), compared in constant time."""

from __future__ import annotations

import socket

import httpx
import pytest
from fastapi.testclient import TestClient
from web_helpers import LOCAL

from motionsim.web.app import create_app
from motionsim.web.safety import allowed_hosts, split_host, token_cookie
from motionsim.web.settings import Settings

TOKEN = "class-of-2024.token"


@pytest.fixture
def bound(tmp_path, data_dir):
    """An app that knows its port (8123), as `motionsim serve` builds it."""
    with TestClient(create_app(Settings(state_dir=tmp_path / "s", data_dir=data_dir, port=8123)),
                    base_url="http://127.0.0.1:8123") as client:
        yield client


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8123", "127.0.0.1.nip.io:8123", "127.0.0.1:8000",
                                  "localhost:80", "", "[::1", "127.0.0.1:81234", "local host:8123"])
def test_a_foreign_host_header_is_refused(bound, host):
    for method, path in (("GET", "/api/jobs"), ("GET", "/"), ("DELETE", "/api/jobs/x"), ("POST", "/api/compare")):
        response = bound.request(method, path, headers={"Host": host})
        assert response.status_code == 400, (method, path, host)
        assert response.json()["detail"].startswith(f"host {host!r} is not served here: this server answers to ")
        assert "127.0.0.1, [::1], localhost on port 8123" in response.json()["detail"]
        assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("host", ["127.0.0.1:8123", "localhost:8123", "LOCALHOST:8123", "localhost.:8123",
                                  "[::1]:8123"])
def test_the_bound_host_and_localhost_forms_are_served(bound, host):
    assert bound.get("/api/jobs", headers={"Host": host}).status_code == 200


def test_host_names_by_binding():
    assert split_host("[::1]:8000") == ("::1", 8000) and split_host("Example.COM.") == ("example.com", None)
    assert split_host("a:b") is None and split_host("[::1]x") is None
    assert allowed_hosts("127.0.0.1") == {"127.0.0.1", "::1", "localhost"}
    assert allowed_hosts("192.168.1.5") == {"127.0.0.1", "::1", "localhost", "192.168.1.5"}
    assert socket.gethostname().lower() in allowed_hosts("0.0.0.0")  # the machine's names only on every interface
    from motionsim.cli.serve import is_loopback  # where no token is required by default

    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.5", "example.com", ""]))


def test_bound_to_every_interface_an_address_is_served_a_name_is_not(tmp_path):
    settings = Settings(state_dir=tmp_path / "s", host="0.0.0.0", port=8123, token=TOKEN)
    with TestClient(create_app(settings), base_url="http://192.168.1.5:8123",
                    headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        assert client.get("/api/jobs").status_code == 200
        assert client.get("/api/jobs", headers={"Host": f"{socket.gethostname()}:8123"}).status_code == 200
        assert client.get("/api/jobs", headers={"Host": "attacker.example:8123"}).status_code == 400


def test_framing_and_content_type_headers_on_every_answer(client):
    for response in (client.get("/"), client.get("/api/jobs"), client.get("/api/jobs/nope"),
                     client.get("/static/app.js"), client.get("/docs"),
                     client.post("/api/compare", headers={"Sec-Fetch-Site": "cross-site"})):
        assert response.headers["x-frame-options"] == "DENY", response.url
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["content-type"]
    page = client.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in page and "object-src 'none'" in page


def test_the_report_is_sandboxed(client, data_dir):
    from web_helpers import upload, wait_for

    job = wait_for(client, upload(client, data_dir / "wave.json", data_dir / "kick.json").json()["id"])
    report = client.get(job["links"]["report"])
    assert report.status_code == 200
    assert report.headers["content-security-policy"] == "sandbox allow-scripts; frame-ancestors 'none'"


def test_the_origin_scheme_is_compared(client):
    form = {"a_name": "wave.json", "b_name": "kick.json", "feedback": "false"}
    for origin in ("https://127.0.0.1", "ftp://127.0.0.1", "http://127.0.0.1:80", "http://evil.example"):
        response = client.post("/api/compare", data=form, headers={"Origin": origin})
        assert response.status_code == 403, origin
        assert response.json()["detail"].startswith("cross-site request refused")
    assert client.delete("/api/jobs/x", headers={"Origin": "https://127.0.0.1"}).status_code == 403
    assert client.get("/api/jobs").json()["count"] == 0
    assert client.post("/api/compare", data=form, headers={"Origin": "http://127.0.0.1"}).status_code == 202


@pytest.fixture
def guarded(tmp_path, data_dir):
    """An app on 127.0.0.1 that requires a token (``--token`` given)."""
    settings = Settings(state_dir=tmp_path / "s", data_dir=data_dir, port=8123, token=TOKEN)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8123", follow_redirects=False) as client:
        yield client


def test_without_the_token_nothing_is_served(guarded):
    for path in ("/", "/api/jobs", "/api/data", "/docs", "/openapi.json", "/static/app.js"):
        response = guarded.get(path)
        assert response.status_code == 401, path
        assert response.json()["detail"].startswith("this server needs its token: open the address that motionsim "
                                                    "serve printed")
        assert response.headers["www-authenticate"].startswith("Bearer")
    for headers in ({"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"},
                    {"Authorization": f"Bearer {TOKEN}x"}, {"Cookie": f"{token_cookie(8000)}={TOKEN}"},
                    {"Cookie": f"{token_cookie(8123)}={TOKEN[:-1]}"}):
        assert guarded.get("/api/jobs", headers=headers).status_code == 401, headers
    assert guarded.get("/?token=wrong").status_code == 401
    assert "the token given is wrong" in guarded.get("/?token=wrong").json()["detail"]
    assert guarded.post(f"/api/compare?token={TOKEN}", data={"a_name": "wave.json"}).status_code == 401


def test_the_first_visit_sets_a_strict_cookie_and_cleans_the_address(guarded):
    response = guarded.get(f"/?token={TOKEN}")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{token_cookie(8123)}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert guarded.get("/").status_code == 200  # the client keeps the cookie
    assert guarded.get("/api/jobs").status_code == 200
    guarded.cookies.clear()
    assert guarded.get("/").status_code == 401
    moved = guarded.get(httpx.URL(LOCAL + ":8123", raw_path=f"//evil.example/x?token={TOKEN}&job=1".encode()))
    assert moved.status_code == 303 and moved.headers["location"] == "/evil.example/x?job=1"  # never off-site


def test_scripts_send_the_token_as_a_bearer_header(guarded, data_dir):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    response = guarded.post("/api/compare?wait=true", headers=headers,
                            data={"a_name": "wave.json", "b_name": "kick.json", "feedback": "false"})
    assert response.status_code == 200 and "similarity" in response.json()
    assert guarded.get("/api/jobs", headers=headers).json()["count"] == 1


def test_loopback_needs_no_token_by_default(client):
    assert client.get("/").status_code == 200 and client.get("/api/jobs").status_code == 200


@pytest.mark.parametrize("token", ["short", "has space in it", "ünïcode-token", "semi;colon=cookie"])
def test_serve_refuses_a_token_that_cannot_travel_in_an_address(tmp_path, capsys, token):
    from motionsim.cli import main

    assert main(["serve", "--port", "0", "--state", str(tmp_path / "s"), "--token", token]) == 2
    assert "argument --token: expected at least 8 characters among A-Z a-z 0-9 . _ ~ -" in capsys.readouterr().err
