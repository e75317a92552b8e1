# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# The web UI's HTTPS server and JSON API against a running daemon on loopback: security headers
# on every answer, the Host allowlist, deny-by-default (401 on every endpoint without a
# session), CSRF and origin checks, viewer accounts refused on writes, bad JSON (400 with a
# message), oversized bodies (413), path traversal, the password policy, lockout after three
# failures that survives a restart and is undone by `fleetgw admin unlock`, session idle expiry,
# password change ending the other sessions, the device/credential/audit endpoints, the
# websocket's authentication and the TLS configuration (sslscan).

import base64
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time

import pytest

from conftest import Daemon, SRCDIR, free_tcp_port, need_fleetgw

ADMIN_PW = "Adm1n!secret"
VIEWER_PW = "View3r#secret"
# The current password that changes of security relevance need besides the session.
REAUTH = {"current_password": ADMIN_PW}

# (method, path) of every endpoint; all need a session except the login itself.
ENDPOINTS = [
    ("GET", "/api/v1/session"), ("DELETE", "/api/v1/session"),
    ("POST", "/api/v1/session/password"), ("GET", "/api/v1/status"), ("GET", "/api/v1/about"),
    ("GET", "/api/v1/devices"), ("POST", "/api/v1/devices"), ("GET", "/api/v1/devices/1"),
    ("DELETE", "/api/v1/devices/1"), ("GET", "/api/v1/devices/1/history"),
    ("GET", "/api/v1/credentials"), ("POST", "/api/v1/credentials"),
    ("DELETE", "/api/v1/credentials/x"), ("GET", "/api/v1/audit"), ("GET", "/api/v1/audit.csv"),
    ("GET", "/api/v1/users"), ("POST", "/api/v1/users"), ("DELETE", "/api/v1/users/x"),
    ("POST", "/api/v1/users/x/unlock"), ("GET", "/api/v1/settings/security"),
    ("PUT", "/api/v1/settings/security"), ("GET", "/api/v1/connection"),
    ("PUT", "/api/v1/connection/mode"), ("GET", "/api/v1/system/log"),
    ("PUT", "/api/v1/security/certificate"),
    ("GET", "/api/v1/discovery"), ("POST", "/api/v1/discovery"), ("GET", "/api/v1/discovery/x"),
    ("PUT", "/api/v1/discovery/x"), ("DELETE", "/api/v1/discovery/x"),
    ("POST", "/api/v1/discovery/x/run"),
    ("GET", "/api/v1/sessions"), ("DELETE", "/api/v1/sessions/0123456789abcdef"),
    ("GET", "/api/v1/nonexistent"),
]
WRITES = [(m, p) for m, p in ENDPOINTS if m != "GET" and not p.startswith("/api/v1/session")]


class Resp:
    def __init__(self, r):
        self.status = r.status
        self.headers = {k.lower(): v for k, v in r.getheaders()}
        self.cookies = [v for k, v in r.getheaders() if k.lower() == "set-cookie"]
        self.raw = r.read()
        try:
            self.json = json.loads(self.raw) if self.raw else None
        except ValueError:
            self.json = None

    def error(self):
        return (self.json or {}).get("error", "")


class WebGateway:
    """A fleetgw with its web UI on a free port, an administrator, and an HTTPS client."""

    def __init__(self, tdir, fleetgw, extra=""):
        self.tdir = tdir
        self.dir = tdir / "gw"
        self.conf = tdir / "fleetgw.conf"
        self.port = free_tcp_port()
        self.run_cli = fleetgw
        self.conf.write_text(
            f"[gateway]\nstate_dir = {self.dir}\nlog_level = info\n"
            f"[poll]\ninterval = 60s\n"
            f"[webui]\nport = {self.port}\nlisten = 127.0.0.1\n"
            f"www_dir = {os.path.join(SRCDIR, 'webui', 'www')}\n{extra}")
        self.daemon = None
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE

    @property
    def host(self):
        return f"localhost:{self.port}"

    @property
    def origin(self):
        return f"https://{self.host}"

    def cli(self, *args, ok=True, **kw):
        cp = self.run_cli("-c", self.conf, *args, **kw)
        if ok:
            assert cp.returncode == 0, f"fleetgw {args} failed: {cp.stderr}"
        return cp

    def init(self):
        pw = self.tdir / "admin.pw"
        pw.write_text(ADMIN_PW + "\n")
        cp = self.cli("init", "--admin-password-file", pw)
        assert "created web UI administrator" in cp.stdout
        return self

    def start(self):
        self.daemon = Daemon("fleetgw", [need_fleetgw(), "-c", str(self.conf)],
                             self.tdir / "fleetgw.log")
        self.daemon.start()

        def up():
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return True
            except OSError:
                return False
        assert self.daemon.wait_until(up, 15, "listen"), self.log()
        return self

    def stop(self):
        if self.daemon and self.daemon.alive():
            self.daemon.proc.send_signal(signal.SIGTERM)
            return self.daemon.proc.wait(timeout=15)
        return None

    def log(self):
        return (self.tdir / "fleetgw.log").read_text(errors="replace")

    def request(self, method, path, body=None, sess=None, csrf=True, origin=True, host=None,
                headers=None, raw=None, source=None):
        c = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=15,
                                        source_address=(source, 0) if source else None)
        h = {"Host": host or self.host}
        if origin is True:
            h["Origin"] = self.origin
        elif origin:
            h["Origin"] = origin
        if sess:
            h["Cookie"] = sess["cookie"]
            if csrf is True:
                h["X-CSRF-Token"] = sess["csrf"]
            elif csrf:
                h["X-CSRF-Token"] = csrf
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                             else None)
        if data is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        c.request(method, path, body=data, headers=h)
        r = Resp(c.getresponse())
        c.close()
        return r

    def login(self, user="admin", password=ADMIN_PW, expect=200):
        r = self.request("POST", "/api/v1/session", {"username": user, "password": password})
        assert r.status == expect, (r.status, r.raw)
        if expect != 200:
            return r
        cookie = r.cookies[0].split(";")[0]
        return {"cookie": cookie, "csrf": r.json["csrf"], "set_cookie": r.cookies[0],
                "role": r.json["role"]}

    def audit(self, sess):
        r = self.request("GET", "/api/v1/audit?limit=1000", sess=sess)
        assert r.status == 200
        return r.json["items"]


@pytest.fixture
def web(tdir, fleetgw):
    g = WebGateway(tdir, fleetgw)
    yield g
    if g.daemon:
        g.daemon.stop()


@pytest.fixture
def running(web):
    return web.init().start()


def test_security_headers_static_and_traversal(running):
    web = running
    r = web.request("GET", "/")
    assert r.status == 200 and b"<html" in r.raw.lower()
    for resp in (r, web.request("GET", "/api/v1/status"), web.request("GET", "/nope.html"),
                 web.request("GET", "/app.js")):
        h = resp.headers
        csp = h["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert h["strict-transport-security"].startswith("max-age=31536000")
        assert h["x-content-type-options"] == "nosniff"
        assert h["referrer-policy"] == "no-referrer"
        assert "fleetgw/" not in h.get("server", "")  # no version
    api = web.request("GET", "/api/v1/status")
    assert api.status == 401 and api.headers["cache-control"] == "no-store"
    assert web.request("GET", "/app.js").headers["content-type"].startswith("text/javascript")
    for path in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/pages/../../README.md",
                 "/.hidden.js", "/..%2f..%2fetc%2fpasswd"):
        r = web.request("GET", path)
        assert r.status in (400, 403, 404), (path, r.status)
        assert b"root:" not in r.raw
    assert web.request("POST", "/index.html", raw=b"x").status == 405


def test_host_header_allowlist(running):
    web = running
    r = web.request("GET", "/", host="evil.example")
    assert r.status == 421 and "host name" in r.error()
    assert web.request("GET", "/api/v1/status", host=f"rebind.example:{web.port}").status == 421
    assert web.request("GET", "/", host=f"127.0.0.1:{web.port}").status == 200
    assert web.request("GET", "/", host=f"LOCALHOST:{web.port}").status == 200


def test_every_endpoint_needs_a_session(running):
    web = running
    for method, path in ENDPOINTS:
        r = web.request(method, path, body={} if method in ("POST", "PUT") else None)
        assert r.status == 401, (method, path, r.status)
        assert r.error(), (method, path)
    # A made-up cookie is no session either.
    fake = {"cookie": "__Host-fgw_sid=" + "ab" * 16, "csrf": "00" * 16}
    assert web.request("GET", "/api/v1/status", sess=fake).status == 401


def test_login_cookie_logout(running):
    web = running
    s = web.login()
    sc = s["set_cookie"]
    assert sc.startswith("__Host-fgw_sid=")
    assert re.match(r"__Host-fgw_sid=[0-9a-f]{32};", sc)  # 128 bits
    for attr in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
        assert attr in sc, sc
    assert "Domain" not in sc and "Expires" not in sc
    me = web.request("GET", "/api/v1/session", sess=s)
    assert me.status == 200 and me.json["user"] == "admin" and me.json["role"] == "admin"
    # A second login issues a different token.
    s2 = web.login()
    assert s2["cookie"] != s["cookie"]
    assert web.request("DELETE", "/api/v1/session", sess=s).status == 200
    assert web.request("GET", "/api/v1/status", sess=s).status == 401
    assert web.request("GET", "/api/v1/status", sess=s2).status == 200
    # The database holds no token in clear.
    db = (web.dir / "fleetgw.db").read_bytes()
    assert s2["cookie"].split("=")[1].encode() not in db
    actions = [(a["action"], a["result"]) for a in web.audit(s2)]
    assert ("login", "ok") in actions and ("logout", "ok") in actions


def test_csrf_and_origin_checks(running):
    web = running
    s = web.login()
    body = {"lockout_threshold": 3, "current_password": ADMIN_PW}
    path = "/api/v1/settings/security"
    assert web.request("PUT", path, body, sess=s).status == 200
    r = web.request("PUT", path, body, sess=s, csrf=False)
    assert r.status == 403 and "CSRF" in r.error()
    assert web.request("PUT", path, body, sess=s, csrf="0" * 32).status == 403
    r = web.request("PUT", path, body, sess=s, origin="https://evil.example")
    assert r.status == 403 and "origin" in r.error()
    r = web.request("PUT", path, body, sess=s, origin=None)
    assert r.status == 403
    r = web.request("PUT", path, body, sess=s, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status == 403 and "another site" in r.error()
    # Login itself refuses another origin (login CSRF).
    r = web.request("POST", "/api/v1/session", {"username": "admin", "password": ADMIN_PW},
                    origin="https://evil.example")
    assert r.status == 403
    # Mutating routes are never reachable with GET.
    assert web.request("GET", "/api/v1/users/x/unlock", sess=s).status == 405


def test_viewer_cannot_write(running):
    web = running
    admin = web.login()
    r = web.request("POST", "/api/v1/users", {**REAUTH, "name": "vera", "password": VIEWER_PW,
                                                "role": "viewer"}, sess=admin)
    assert r.status == 201, r.raw
    viewer = web.login("vera", VIEWER_PW)
    assert viewer["role"] == "viewer"
    for method, path in WRITES:
        r = web.request(method, path, body={} if method in ("POST", "PUT") else None,
                        sess=viewer)
        if path == "/api/v1/nonexistent":
            continue
        assert r.status == 403, (method, path, r.status, r.raw)
    for path in ("/api/v1/status", "/api/v1/devices", "/api/v1/credentials", "/api/v1/about",
                 "/api/v1/settings/security"):
        assert web.request("GET", path, sess=viewer).status == 200, path
    assert web.request("GET", "/api/v1/audit", sess=viewer).status == 403
    # Admins create viewers only.
    r = web.request("POST", "/api/v1/users", {**REAUTH, "name": "eve", "password": VIEWER_PW,
                                                "role": "admin"}, sess=admin)
    assert r.status == 400


def test_bad_json_and_oversized_bodies(running):
    web = running
    s = web.login()
    path = "/api/v1/settings/security"
    r = web.request("PUT", path, sess=s, raw=b'{"lockout_threshold": ')
    assert r.status == 400 and "not valid JSON" in r.error(), r.raw
    r = web.request("PUT", path, sess=s, raw=b"[1, 2]")
    assert r.status == 400 and "JSON object" in r.error()
    r = web.request("PUT", path, sess=s, raw=b'{"a": 1, "a": 2}')
    assert r.status == 400
    r = web.request("PUT", path, {"lockout_threshold": "3"}, sess=s)
    assert r.status == 400 and "lockout_threshold" in r.error()
    r = web.request("PUT", path, {"lockout_threshold": 99}, sess=s)
    assert r.status == 400
    r = web.request("PUT", path, sess=s, raw=b"")
    assert r.status == 400
    big = b'{"x": "' + b"a" * (70 * 1024) + b'"}'
    r = web.request("PUT", path, sess=s, raw=big)
    assert r.status == 413 and r.error()
    # Unauthenticated oversize is refused before anything is read.
    r = web.request("POST", "/api/v1/session", raw=big)
    assert r.status == 413
    r = web.request("POST", "/api/v1/session", raw=b"{nope")
    assert r.status == 400 and "JSON" in r.error()
    # The server is still fine.
    assert web.request("GET", "/api/v1/status", sess=s).status == 200


def test_password_policy(running):
    web = running
    s = web.login()
    cases = {
        "Sh0rt!": "8 to 64",
        "alllowercase1!": "upper-case",
        "ALLUPPERCASE1!": "lower-case",
        "NoDigitsHere!": "digit",
        "NoSymbols123": "symbol",
        "A1!" + "a" * 62: "8 to 64",
    }
    for pw, why in cases.items():
        r = web.request("POST", "/api/v1/users", {**REAUTH, "name": "pat", "password": pw}, sess=s)
        assert r.status == 400 and why in r.error(), (pw, r.raw)
        r = web.request("POST", "/api/v1/session/password", {"current": ADMIN_PW, "new": pw},
                        sess=s)
        assert r.status == 400 and why in r.error(), (pw, r.raw)
    ok = "A1!" + "a" * 61  # 64 characters
    assert web.request("POST", "/api/v1/users", {**REAUTH, "name": "pat", "password": ok},
                       sess=s).status == 201
    # The same policy on the CLI.
    pw = web.tdir / "weak.pw"
    pw.write_text("weak\n")
    cp = web.cli("admin", "reset-password", "--password-file", pw, ok=False)
    assert cp.returncode != 0 and "8 to 64" in cp.stderr


COMMON = ["Password1!", "P@ssw0rd2024!", "Welcome1!", "Qwerty123$", "Letmein!2", "!1Dragon99",
          "Adm1n!2345", "Fleetgw#1"]


def test_common_passwords_refused(running, tdir, fleetgw):
    """The blocklist (webui/common-passwords.txt, beside www/) refuses common passwords and
    their decorated forms at account creation, password change and on the CLI (reset and
    init), while uncommon ones pass."""
    web = running
    s = web.login()
    assert "password blocklist loaded entries=" in web.log()
    for pw in COMMON:
        r = web.request("POST", "/api/v1/users", {**REAUTH, "name": "pat", "password": pw}, sess=s)
        assert r.status == 400 and "too common" in r.error(), (pw, r.raw)
        r = web.request("POST", "/api/v1/session/password", {"current": ADMIN_PW, "new": pw},
                        sess=s)
        assert r.status == 400 and "too common" in r.error(), (pw, r.raw)
    for pw in ("Tr0ub4dor&3x", "Violet-Lamp-42", "gX7#qPz!m2"):
        r = web.request("POST", "/api/v1/users",
                        {**REAUTH, "name": "p" + str(len(pw)), "password": pw},
                        sess=s)
        assert r.status == 201, (pw, r.raw)
    pwf = web.tdir / "common.pw"
    pwf.write_text("Welcome2024!\n")
    cp = web.cli("admin", "reset-password", "--password-file", pwf, ok=False)
    assert cp.returncode != 0 and "too common" in cp.stderr, cp.stderr
    # `fleetgw init` checks it too.
    d = tdir / "fresh"
    d.mkdir()
    g = WebGateway(d, fleetgw)
    (d / "admin.pw").write_text("Password123!\n")
    cp = g.cli("init", "--admin-password-file", d / "admin.pw", ok=False)
    assert cp.returncode != 0 and "too common" in cp.stderr, (cp.stdout, cp.stderr)


def test_lockout_survives_restart_and_admin_unlock(running):
    web = running
    bodies = []
    for _ in range(3):
        t0 = time.monotonic()
        r = web.login(password="Wrong!pass1", expect=401)
        assert time.monotonic() - t0 >= 0.9  # failed attempts are delayed
        bodies.append(r.raw)
    # Locked: the right password gets the same answer as a wrong one or an unknown user.
    locked = web.login(expect=401)
    unknown = web.login(user="nobody", expect=401)
    assert locked.raw == bodies[0] == unknown.raw
    assert web.stop() == 0
    web.start()
    assert web.login(expect=401).raw == bodies[0]
    cp = web.cli("admin", "unlock")
    assert "unlocked" in cp.stdout
    s = web.login()
    items = web.audit(s)
    actions = [(a["action"], a["result"]) for a in items]
    assert actions.count(("login", "failed")) >= 5
    assert ("account.locked", "ok") in actions and ("account.unlocked", "ok") in actions
    assert all(a["source"] for a in items)
    assert ADMIN_PW not in json.dumps(items) and ADMIN_PW not in web.log()
    # The chain still verifies.
    assert "intact" in web.cli("audit", "verify").stdout


def test_admin_recovery_through_daemon_and_direct(running):
    """`fleetgw admin` goes through the running daemon's control socket (the only writer of
    the database) and works on the database itself only when no daemon runs."""
    web = running
    pwfile = web.tdir / "new.pw"
    for _ in range(3):
        web.login(password="Wrong!pass1", expect=401)
    web.login(expect=401)
    cp = web.cli("admin", "unlock")
    assert "unlocked (by the running daemon)" in cp.stdout, cp.stdout
    s = web.login()
    assert web.request("GET", "/api/v1/status", sess=s).status == 200
    # The policy is checked by the command, before anything is sent.
    pwfile.write_text("weakpassword\n")
    cp = web.cli("admin", "reset-password", "--password-file", pwfile, ok=False)
    assert cp.returncode != 0 and "upper-case" in cp.stderr, cp.stderr
    pwfile.write_text("N3w!Secret-one\n")
    cp = web.cli("admin", "reset-password", "--password-file", pwfile)
    assert "(by the running daemon)" in cp.stdout, cp.stdout
    assert web.request("GET", "/api/v1/status", sess=s).status == 401  # sessions ended
    web.login(expect=401)
    s = web.login(password="N3w!Secret-one")
    cp = web.cli("admin", "unlock", "nosuchuser", ok=False)
    assert cp.returncode != 0 and "no such web UI account" in cp.stderr
    acts = [(a["action"], a["result"], a["user"], a["source"]) for a in web.audit(s)]
    assert ("account.unlocked", "ok", "root", "cli") in acts, acts
    assert ("password.reset", "ok", "root", "cli") in acts, acts
    assert ("account.unlocked", "failed", "root", "cli") in acts, acts
    assert "N3w!Secret" not in web.log()
    # No daemon: the same commands change the database directly.
    assert web.stop() == 0
    pwfile.write_text("Th1rd#Secret\n")
    cp = web.cli("admin", "reset-password", "--password-file", pwfile)
    assert "set;" in cp.stdout and "daemon" not in cp.stdout, cp.stdout
    web.start()
    for _ in range(3):
        web.login(password="Wrong!pass1", expect=401)
    assert web.stop() == 0
    cp = web.cli("admin", "unlock")
    assert "unlocked" in cp.stdout and "daemon" not in cp.stdout, cp.stdout
    web.start()
    s = web.login(password="Th1rd#Secret")
    assert "intact" in web.cli("audit", "verify").stdout


def test_login_rate_limit_per_source_address(running):
    """Many wrong logins from one address, each against another user name (so no account
    lockout helps), get that address refused with 429 and audited; other addresses and the
    accounts are unaffected."""
    import concurrent.futures
    web = running
    def wrong(i):
        return web.request("POST", "/api/v1/session",
                           {"username": f"guess{i}", "password": "Wrong!pass1"}).status
    with concurrent.futures.ThreadPoolExecutor(6) as ex:
        codes = list(ex.map(wrong, range(11)))
    assert codes == [401] * 11, codes
    r = web.request("POST", "/api/v1/session", {"username": "admin", "password": ADMIN_PW})
    assert r.status == 429 and "Too many failed logins from your address" in r.error(), r.raw
    r = web.request("POST", "/api/v1/session", {"username": "guess99", "password": "x"})
    assert r.status == 429
    # Another address logs in as usual: the admin account was never locked.
    r = web.request("POST", "/api/v1/session", {"username": "admin", "password": ADMIN_PW},
                    source="127.0.0.2")
    assert r.status == 200, r.raw
    s = {"cookie": r.cookies[0].split(";")[0], "csrf": r.json["csrf"]}
    items = web.audit(s)
    limited = [a for a in items if a["action"] == "login.ratelimited"]
    assert len(limited) == 1 and limited[0]["source"] == "127.0.0.1", limited
    assert "failed logins from this address" in limited[0]["detail"]
    refused = [a for a in items if a["action"] == "login" and "too many" in (a["detail"] or "")]
    assert refused and refused[0]["user"] in ("admin", "guess99"), refused


def test_login_burst_is_limited_before_hashing(running):
    """50 wrong logins sent at once from one address, then the right password while they are
    in flight: attempts in flight count against the per-address limit and the lockout, so at
    most the lockout's three are evaluated, the account ends up locked, and the right password
    is refused (also from another address) until it is unlocked."""
    import concurrent.futures
    import threading
    web = running
    go = threading.Event()

    def attempt(pw):
        go.wait()
        if pw == ADMIN_PW:
            time.sleep(0.3)  # behind the burst
        return web.request("POST", "/api/v1/session", {"username": "admin", "password": pw})
    with concurrent.futures.ThreadPoolExecutor(51) as ex:
        futs = [ex.submit(attempt, f"Wrong!pass{i}") for i in range(50)]
        right = ex.submit(attempt, ADMIN_PW)
        go.set()
        codes = [f.result().status for f in futs]
        rr = right.result()
    assert set(codes) <= {401, 429}, codes
    assert rr.status in (401, 429), (rr.status, rr.raw)
    # Locked: the right password from another address gets the generic answer.
    r = web.request("POST", "/api/v1/session", {"username": "admin", "password": ADMIN_PW},
                    source="127.0.0.2")
    assert r.status == 401, r.raw
    assert "unlocked" in web.cli("admin", "unlock").stdout
    r = web.request("POST", "/api/v1/session", {"username": "admin", "password": ADMIN_PW},
                    source="127.0.0.2")
    assert r.status == 200, r.raw
    s = {"cookie": r.cookies[0].split(";")[0], "csrf": r.json["csrf"]}
    items = web.audit(s)
    evaluated = [a for a in items if a["action"] == "login" and a["detail"] == "wrong password"]
    assert 1 <= len(evaluated) <= 3, len(evaluated)
    assert ("account.locked", "ok") in [(a["action"], a["result"]) for a in items]
    oks = [a for a in items if a["action"] == "login" and a["result"] == "ok"]
    assert len(oks) == 1 and oks[0]["source"] == "127.0.0.2", oks


def test_hashing_queue_is_capped(running):
    """Logins from many addresses at once: beyond the hashing queue's room the answer is 503
    with Retry-After, never an unbounded queue."""
    import concurrent.futures
    import threading
    web = running
    go = threading.Event()

    def attempt(i):
        go.wait()
        return web.request("POST", "/api/v1/session",
                           {"username": f"nobody{i}", "password": "Wrong!pass1"},
                           source=f"127.0.{1 + i // 200}.{1 + i % 200}")
    with concurrent.futures.ThreadPoolExecutor(120) as ex:
        futs = [ex.submit(attempt, i) for i in range(120)]
        go.set()
        res = [f.result() for f in futs]
    codes = [r.status for r in res]
    assert set(codes) <= {401, 503}, codes
    busy = [r for r in res if r.status == 503]
    assert busy and all(r.headers.get("retry-after") == "5" for r in busy), codes
    assert codes.count(401) >= 34, codes


def test_blocked_address_is_not_evicted(running):
    """An address refused for too many failures stays refused while failures from 256 other
    addresses fill the limiter's table (it keeps the 256 most recent unblocked ones)."""
    import concurrent.futures
    web = running

    def wrong(src, i=0):
        return web.request("POST", "/api/v1/session",
                           {"username": f"guess{i}", "password": "Wrong!pass1"},
                           source=src).status
    codes = [wrong("127.0.9.9", i) for i in range(11)]
    assert codes == [401] * 11, codes
    assert wrong("127.0.9.9") == 429
    srcs = [f"127.1.{i // 250}.{1 + i % 250}" for i in range(260)]
    with concurrent.futures.ThreadPoolExecutor(24) as ex:
        codes = list(ex.map(wrong, srcs))
    assert set(codes) == {401}, codes
    assert wrong("127.0.9.9") == 429


def test_sessions_list_end_and_cap(running):
    web = running
    r = web.request("POST", "/api/v1/users", {**REAUTH, "name": "vera", "password": VIEWER_PW},
                    sess=web.login())
    assert r.status == 201
    admin = web.login()
    vs = [web.login("vera", VIEWER_PW) for _ in range(5)]
    lst = web.request("GET", "/api/v1/sessions", sess=admin)
    assert lst.status == 200 and lst.json["max_per_user"] == 5
    mine = [x for x in lst.json["sessions"] if x["current"]]
    assert len(mine) == 1 and mine[0]["user"] == "admin"
    assert sum(1 for x in lst.json["sessions"] if x["user"] == "vera") == 5
    assert all(len(x["id"]) == 16 and x["source"] == "127.0.0.1" for x in lst.json["sessions"])
    assert web.request("GET", "/api/v1/sessions", sess=vs[0]).status == 403
    # A sixth login of vera ends her least recently used session.
    for v in vs[1:]:
        assert web.request("GET", "/api/v1/status", sess=v).status == 200
    time.sleep(1.1)
    for v in vs[1:]:
        assert web.request("GET", "/api/v1/status", sess=v).status == 200
    v6 = web.login("vera", VIEWER_PW)
    assert web.request("GET", "/api/v1/status", sess=vs[0]).status == 401
    assert web.request("GET", "/api/v1/status", sess=v6).status == 200
    # The administrator ends one of vera's sessions.
    lst = web.request("GET", "/api/v1/sessions", sess=admin).json["sessions"]
    target = next(x for x in lst if x["user"] == "vera")
    r = web.request("DELETE", f"/api/v1/sessions/{target['id']}", sess=admin)
    assert r.status == 200, r.raw
    alive = [web.request("GET", "/api/v1/status", sess=v).status for v in vs[1:] + [v6]]
    assert alive.count(401) == 1 and alive.count(200) == 4, alive
    assert web.request("DELETE", f"/api/v1/sessions/{target['id']}", sess=admin).status == 404
    assert web.request("DELETE", "/api/v1/sessions/nothex", sess=admin).status == 404
    details = [a["detail"] for a in web.audit(admin) if a["action"] == "session.terminated"]
    assert "session of vera ended by an administrator" in details, details
    assert any("session limit" in (d or "") for d in details), details


def test_session_idle_timeout(tdir, fleetgw):
    web = WebGateway(tdir, fleetgw, extra="session_idle_timeout = 3s\n").init().start()
    try:
        s = web.login()
        assert web.request("GET", "/api/v1/status", sess=s).status == 200
        time.sleep(1.5)
        assert web.request("GET", "/api/v1/status", sess=s).status == 200  # activity renews
        time.sleep(2.0)
        assert web.request("GET", "/api/v1/status", sess=s).status == 200  # 3.5 s after login
        time.sleep(5.0)
        r = web.request("GET", "/api/v1/status", sess=s)
        assert r.status == 401
        s2 = web.login()
        ended = [a for a in web.audit(s2) if a["action"] == "session.terminated"]
        assert ended and ended[0]["detail"] == "inactivity" and ended[0]["user"] == "admin"
    finally:
        web.daemon.stop()


def test_password_change_ends_other_sessions(running):
    web = running
    a, b = web.login(), web.login()
    r = web.request("POST", "/api/v1/session/password", {"current": "Wrong!pw1", "new":
                                                          "N3w!password"}, sess=a)
    assert r.status == 403
    r = web.request("POST", "/api/v1/session/password", {"current": ADMIN_PW, "new":
                                                          "N3w!password"}, sess=a)
    assert r.status == 200, r.raw
    fresh = {"cookie": r.cookies[0].split(";")[0], "csrf": r.json["csrf"]}
    assert web.request("GET", "/api/v1/status", sess=b).status == 401
    assert web.request("GET", "/api/v1/status", sess=a).status == 401
    assert web.request("GET", "/api/v1/status", sess=fresh).status == 200
    web.login(password="N3w!password")
    web.login(expect=401)


def test_devices_credentials_audit(running):
    web = running
    s = web.login()
    r = web.request("POST", "/api/v1/credentials", {**REAUTH, "name": "pub", "version": "2c",
                                                      "community": "s3cr3t-community"}, sess=s)
    assert r.status == 201, r.raw
    r = web.request("POST", "/api/v1/credentials", {**REAUTH, "name": "x", "bogus": "1"}, sess=s)
    assert r.status == 400
    lst = web.request("GET", "/api/v1/credentials", sess=s)
    assert lst.status == 200 and lst.json["credentials"][0]["name"] == "pub"
    assert b"s3cr3t" not in lst.raw
    ids = []
    for i in range(12):
        r = web.request("POST", "/api/v1/devices", {"address": f"127.0.0.{i + 2}",
                                                      "port": 16100 + i, "credential": "pub",
                                                      "name": f"printer-{i:02d}"}, sess=s)
        assert r.status == 201, r.raw
        ids.append(r.json["device"]["id"])
    r = web.request("POST", "/api/v1/devices", {"address": "127.0.0.2", "port": 16100,
                                                  "credential": "pub"}, sess=s)
    assert r.status == 409
    r = web.request("POST", "/api/v1/devices", {"address": "h", "credential": "nope"}, sess=s)
    assert r.status in (400, 404) and r.error()
    page = web.request("GET", "/api/v1/devices?limit=5&offset=5&sort=name&order=desc", sess=s)
    assert page.status == 200 and page.json["total"] == 12
    assert [d["name"] for d in page.json["items"]] == [f"printer-{i:02d}" for i in
                                                       range(6, 1, -1)]
    # How each device is reached: SNMP with its credential set (a WSD-only printer: test_63).
    assert all(d["transport"] == "snmp" and d["credential"] == "pub" for d in page.json["items"])
    flt = web.request("GET", "/api/v1/devices?q=printer-1", sess=s)
    assert flt.json["total"] == 2
    assert web.request("GET", "/api/v1/devices?sort=bogus", sess=s).status == 400
    d = web.request(f"GET", f"/api/v1/devices/{ids[0]}", sess=s)
    assert d.status == 200 and d.json["device"]["name"] == "printer-00"
    assert d.json["device"]["transport"] == "snmp"
    assert "state" in d.json and "events" in d.json
    # Trays are their own list, never part of supplies (not polled yet: both empty).
    assert d.json["state"]["trays"] == [] and d.json["state"]["supplies"] == []
    h = web.request("GET", f"/api/v1/devices/{ids[0]}/history?counter=total&days=7", sess=s)
    assert h.status == 200 and h.json["points"] == []
    assert web.request("GET", "/api/v1/devices/999999", sess=s).status == 404
    assert web.request("DELETE", f"/api/v1/devices/{ids[0]}", sess=s).status == 200
    assert web.request("GET", f"/api/v1/devices/{ids[0]}", sess=s).status == 404
    r = web.request("DELETE", "/api/v1/credentials/pub", sess=s)
    assert r.status == 409  # still in use
    st = web.request("GET", "/api/v1/status", sess=s)
    assert st.json["devices_total"] == 11 and "gateway" in st.json
    csv = web.request("GET", "/api/v1/audit.csv", sess=s)
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    text = csv.raw.decode()
    assert text.startswith("id,time,user,source,action,result,detail,hash")
    assert ",device.add,ok," in text and ",credential.add,ok," in text
    assert "s3cr3t" not in text
    about = web.request("GET", "/api/v1/about", sess=s)
    assert about.json["version"] and len(about.json["tls_fingerprint_sha256"]) == 95
    status = json.loads(web.cli("status", "--json").stdout)
    assert status["webui"]["fingerprint_sha256"] == about.json["tls_fingerprint_sha256"]


def _ws_upgrade(web, cookie=None, origin=True):
    raw = socket.create_connection(("127.0.0.1", web.port), 5)
    s = web.ctx.wrap_socket(raw, server_hostname="localhost")
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET /api/v1/events HTTP/1.1", f"Host: {web.host}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if origin:
        lines.append(f"Origin: {web.origin}")
    if cookie:
        lines.append(f"Cookie: {cookie}")
    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    s.settimeout(5)
    try:
        head = s.recv(4096)
    except (OSError, ssl.SSLError):
        head = b""
    return s, head


def test_websocket_needs_session_and_origin(running):
    web = running
    sock, head = _ws_upgrade(web)
    assert not head.startswith(b"HTTP/1.1 101")
    sock.close()
    s = web.login()
    sock, head = _ws_upgrade(web, s["cookie"], origin=False)
    assert not head.startswith(b"HTTP/1.1 101")
    sock.close()
    sock, head = _ws_upgrade(web, s["cookie"])
    assert head.startswith(b"HTTP/1.1 101"), head
    # The first frame is the hello.
    data = head.split(b"\r\n\r\n", 1)[1] or sock.recv(4096)
    assert b'"hello"' in data
    sock.close()


def _ws_closed_within(sock, seconds):
    """True when the server closes the websocket (close frame or EOF) within seconds."""
    end = time.monotonic() + seconds
    sock.settimeout(0.5)
    while time.monotonic() < end:
        try:
            data = sock.recv(4096)
        except (socket.timeout, TimeoutError):
            continue
        except (OSError, ssl.SSLError):
            return True
        if not data or b"\x88" in data[:2]:
            return True
    return False


def test_websocket_and_background_requests_do_not_renew_the_session(tdir, fleetgw):
    web = WebGateway(tdir, fleetgw, extra="session_idle_timeout = 3s\n").init().start()
    try:
        s = web.login()
        sock, head = _ws_upgrade(web, s["cookie"])
        assert head.startswith(b"HTTP/1.1 101"), head
        # A page's own refreshes after live events and a websocket that reconnects are no
        # activity of the person.
        t0 = time.monotonic()
        while time.monotonic() - t0 < 4.5:
            r = web.request("GET", "/api/v1/status", sess=s,
                            headers={"X-Fleetgw-Background": "1"})
            if r.status == 401:
                break
            assert r.status == 200
            ws2, head2 = _ws_upgrade(web, s["cookie"])
            ws2.close()
            time.sleep(0.5)
        assert web.request("GET", "/api/v1/status", sess=s).status == 401
        # Its websocket is closed by the server once the session has ended.
        assert _ws_closed_within(sock, 8), "websocket still open after the session ended"
        sock.close()
        # A person's requests do renew it.
        s = web.login()
        for _ in range(4):
            time.sleep(1.2)
            assert web.request("GET", "/api/v1/status", sess=s).status == 200
        # Logging out closes the session's websocket at once.
        sock, head = _ws_upgrade(web, s["cookie"])
        assert head.startswith(b"HTTP/1.1 101"), head
        assert web.request("DELETE", "/api/v1/session", sess=s).status == 200
        assert _ws_closed_within(sock, 2), "websocket still open after logout"
        sock.close()
    finally:
        web.daemon.stop()


def test_tls_versions_and_ciphers(running):
    web = running
    exe = shutil.which("sslscan")
    if not exe:
        pytest.skip("sslscan is not installed")
    cp = subprocess.run([exe, "--no-colour", f"127.0.0.1:{web.port}"], capture_output=True,
                        text=True, timeout=120)
    out = cp.stdout
    (web.tdir / "sslscan.txt").write_text(out)
    for old in ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1"):
        assert re.search(rf"^{re.escape(old)}\s+disabled", out, re.M), out
    assert re.search(r"^TLSv1\.2\s+enabled", out, re.M) and re.search(r"^TLSv1\.3\s+enabled",
                                                                      out, re.M)
    accepted = re.findall(r"^(?:Preferred|Accepted)\s+(TLSv1\.[23])\s+\d+ bits\s+(\S+)", out,
                          re.M)
    assert accepted, out
    for _, cipher in accepted:
        assert re.search(r"GCM|CHACHA20", cipher), cipher
        assert not re.search(r"RC4|DES|MD5|NULL|EXPORT|anon|CBC|SHA$", cipher), cipher


def test_connection_state_and_mode(running):
    web = running
    admin = web.login()
    r = web.request("GET", "/api/v1/connection", sess=admin)
    assert r.status == 200, r.raw
    d = r.json
    for k in ("mode", "registered", "connected", "outbox_messages", "outbox_bytes",
              "last_upload", "evicted_total", "uplink"):
        assert k in d, k
    assert "ok" not in d
    assert d["mode"] == "monitor" and d["registered"] is False and d["connected"] is False
    path = "/api/v1/connection/mode"
    until = int(time.time()) + 3600
    r = web.request("PUT", path, {**REAUTH, "mode": "manage", "until": until}, sess=admin)
    assert r.status == 200, r.raw
    assert r.json["mode"] == "manage" and r.json["uplink"]["manage_until"].endswith("Z")
    # Errors are sentences, with the status that fits.
    r = web.request("PUT", path, {**REAUTH, "mode": "manage", "until": int(time.time()) - 10},
                    sess=admin)
    assert r.status == 400 and "future" in r.error()
    r = web.request("PUT", path, {**REAUTH, "mode": "sometimes"}, sess=admin)
    assert r.status == 400 and "monitor" in r.error()
    r = web.request("PUT", path, {**REAUTH, "mode": "monitor", "until": until}, sess=admin)
    assert r.status == 400 and r.error()
    r = web.request("PUT", path, {**REAUTH, "mode": "monitor", "extra": 1}, sess=admin)
    assert r.status == 400 and "unknown" in r.error()
    r = web.request("PUT", path, {**REAUTH, "mode": "monitor"}, sess=admin)
    assert r.status == 200 and r.json["mode"] == "monitor"
    assert "manage_until" not in r.json["uplink"]
    # Viewers see the state but cannot switch.
    assert web.request("POST", "/api/v1/users", {**REAUTH, "name": "vic", "password": VIEWER_PW},
                       sess=admin).status == 201
    viewer = web.login("vic", VIEWER_PW)
    assert web.request("GET", "/api/v1/connection", sess=viewer).status == 200
    assert web.request("PUT", path, {**REAUTH, "mode": "manage"}, sess=viewer).status == 403
    modes = [(a["action"], a["result"], a["detail"]) for a in web.audit(admin)
             if a["action"] == "uplink.mode"]
    assert ("uplink.mode", "ok", "monitor") in modes
    assert any(m[2].startswith("manage until ") for m in modes)


def test_system_log_download(running):
    web = running
    admin = web.login()
    r = web.request("GET", "/api/v1/system/log", sess=admin)
    assert r.status == 200, r.raw
    assert r.headers["content-type"].startswith("text/plain")
    assert re.match(r'attachment; filename="fleetgw-log-\d{4}-\d\d-\d\d\.txt"',
                    r.headers["content-disposition"])
    assert r.headers["cache-control"].startswith("no-store")
    text = r.raw.decode()
    # The daemon's own start-up records, as its stderr has them.
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \w+ ui: ", text, re.M), text
    assert "login" not in text or ADMIN_PW not in text
    assert web.request("POST", "/api/v1/users", {**REAUTH, "name": "vlad", "password": VIEWER_PW},
                       sess=admin).status == 201
    viewer = web.login("vlad", VIEWER_PW)
    assert web.request("GET", "/api/v1/system/log", sess=viewer).status == 403
    acts = [(a["action"], a["result"]) for a in web.audit(admin)]
    assert ("system.log.download", "ok") in acts


def _cert_pair(days_valid=30, expired=False, rsa=False):
    """A self-signed P-256 (or RSA 2048) certificate and its key as PEM text
    (python3-cryptography)."""
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa as rsa_keys
    from cryptography.x509.oid import NameOID
    key = (rsa_keys.generate_private_key(65537, 2048) if rsa
           else ec.generate_private_key(ec.SECP256R1()))
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gw.example")])
    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = ((now - datetime.timedelta(days=10), now - datetime.timedelta(days=1))
                  if expired else (now - datetime.timedelta(minutes=5),
                                   now + datetime.timedelta(days=days_valid)))
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .sign(key, hashes.SHA256()))
    fp = cert.fingerprint(hashes.SHA256()).hex().upper()
    return (cert.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode(),
            ":".join(fp[i:i + 2] for i in range(0, len(fp), 2)))


def _served_fingerprint(web, *opts):
    """SHA-256 fingerprint of the certificate a new TLS connection gets, per openssl s_client."""
    cp = subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{web.port}",
                         "-servername", "localhost", *opts], input=b"", capture_output=True,
                        timeout=20)
    pem = re.search(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", cp.stdout,
                    re.S)
    assert pem, cp.stdout + cp.stderr
    fp = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256"],
                        input=pem.group(0), capture_output=True, check=True).stdout.decode()
    return fp.strip().split("=", 1)[1]


def test_certificate_upload(running):
    pytest.importorskip("cryptography")
    web = running
    admin = web.login()
    path = "/api/v1/security/certificate"
    old_fp = web.request("GET", "/api/v1/about", sess=admin).json["tls_fingerprint_sha256"]
    cert, key, fp = _cert_pair()
    other_cert, other_key, _ = _cert_pair()
    old_cert, old_key, _ = _cert_pair(expired=True)
    for body, words in (
            ({"certificate": "hello", "key": key}, "not a PEM certificate"),
            ({"certificate": cert, "key": "hello"}, "not an unencrypted PEM key"),
            ({"certificate": cert, "key": other_key}, "does not belong"),
            ({"certificate": old_cert, "key": old_key}, "expired"),
            ({"certificate": cert}, "key:"),
            ({"certificate": cert, "key": key, "x": 1}, "unknown field")):
        r = web.request("PUT", path, dict(body, current_password=ADMIN_PW), sess=admin)
        assert r.status == 400 and words in r.error(), (words, r.status, r.raw)
    # Nothing was written by the refusals, and the server still serves the old certificate.
    crt, kf = web.dir / "webui.crt", web.dir / "webui.key"
    assert key.split("\n")[1] not in kf.read_text()
    assert _served_fingerprint(web) == old_fp
    r = web.request("PUT", path, {"certificate": cert, "key": key}, sess=admin)
    assert r.status == 400 and "current_password" in r.error(), r.raw
    r = web.request("PUT", path, {"certificate": cert, "key": key,
                                  "current_password": "Wrong!pass1"}, sess=admin)
    assert r.status == 403 and "current password is wrong" in r.error(), r.raw
    r = web.request("PUT", path, {"certificate": cert, "key": key,
                                  "current_password": ADMIN_PW}, sess=admin)
    assert r.status == 200, r.raw
    assert r.json["pending_fingerprint_sha256"] == fp
    # Applied at once: new connections get the new certificate, no restart.
    assert r.json["tls_fingerprint_sha256"] == fp and r.json["restart_required"] is False
    assert _served_fingerprint(web) == fp != old_fp
    assert web.request("GET", "/api/v1/about", sess=admin).json["tls_fingerprint_sha256"] == fp
    assert os.stat(kf).st_mode & 0o777 == 0o600
    assert "BEGIN CERTIFICATE" in crt.read_text()
    assert not (web.dir / "webui.key.new").exists()
    viewer_pw = VIEWER_PW
    assert web.request("POST", "/api/v1/users", {**REAUTH, "name": "vcert", "password": viewer_pw},
                       sess=admin).status == 201
    viewer = web.login("vcert", viewer_pw)
    assert web.request("PUT", path, {"certificate": other_cert, "key": other_key},
                       sess=viewer).status == 403
    acts = [(a["action"], a["result"]) for a in web.audit(admin)]
    assert ("tls.certificate", "ok") in acts and ("tls.certificate", "failed") in acts
    # An RSA certificate replaces the ECDSA one at once too: clients that prefer ECDSA (as
    # s_client does by default) must not keep getting the old one.
    rsa_cert, rsa_key, rsa_fp = _cert_pair(rsa=True)
    r = web.request("PUT", path, {"certificate": rsa_cert, "key": rsa_key,
                                  "current_password": ADMIN_PW}, sess=admin)
    assert r.status == 200, r.raw
    assert r.json["tls_fingerprint_sha256"] == rsa_fp and r.json["restart_required"] is False
    assert _served_fingerprint(web) == rsa_fp
    assert _served_fingerprint(web, "-sigalgs", "ECDSA+SHA256:RSA-PSS+SHA256") == rsa_fp
    # And back to ECDSA.
    r = web.request("PUT", path, {"certificate": cert, "key": key,
                                  "current_password": ADMIN_PW}, sess=admin)
    assert r.status == 200 and r.json["restart_required"] is False, r.raw
    assert _served_fingerprint(web) == fp
    # The restart serves the uploaded certificate.
    web.stop()
    web.start()
    admin = web.login()
    assert web.request("GET", "/api/v1/about", sess=admin).json["tls_fingerprint_sha256"] == fp
    assert _served_fingerprint(web) == fp


def test_auto_upgrade_time_setting(running):
    web = running
    admin = web.login()
    path = "/api/v1/settings/security"
    assert web.request("GET", path, sess=admin).json["auto_upgrade_time"] is None
    r = web.request("PUT", path, {"auto_upgrade_time": "03:30", "current_password": ADMIN_PW}, sess=admin)
    assert r.status == 200 and r.json["auto_upgrade_time"] == "03:30", r.raw
    for bad in ("3:30", "24:00", "12:60", "ab:cd", "12:30:00", 330, "-1:00", " 1:00"):
        r = web.request("PUT", path, {"auto_upgrade_time": bad}, sess=admin)
        assert r.status == 400 and "HH:MM" in r.error(), (bad, r.raw)
    # Other settings leave it alone; it survives a restart.
    assert web.request("PUT", path, {"lockout_threshold": 4, "current_password": ADMIN_PW}, sess=admin).status == 200
    web.stop()
    web.start()
    admin = web.login()
    d = web.request("GET", path, sess=admin).json
    assert d["auto_upgrade_time"] == "03:30" and d["lockout_threshold"] == 4
    r = web.request("PUT", path, {"auto_upgrade_time": "00:00", "current_password": ADMIN_PW}, sess=admin)
    assert r.status == 200 and r.json["auto_upgrade_time"] == "00:00"
    r = web.request("PUT", path, {"auto_upgrade_time": None, "current_password": ADMIN_PW}, sess=admin)
    assert r.status == 200 and r.json["auto_upgrade_time"] is None
    assert web.request("POST", "/api/v1/users", {**REAUTH, "name": "vup", "password": VIEWER_PW},
                       sess=admin).status == 201
    viewer = web.login("vup", VIEWER_PW)
    assert web.request("GET", path, sess=viewer).json["auto_upgrade_time"] is None
    assert web.request("PUT", path, {"auto_upgrade_time": "01:00"}, sess=viewer).status == 403
    details = [a["detail"] for a in web.audit(admin) if a["action"] == "settings.security"]
    assert any("auto_upgrade_time none -> 03:30" in x for x in details), details
    assert any("auto_upgrade_time 00:00 -> none" in x for x in details), details


def test_security_changes_need_the_current_password(running):
    """Security settings changes re-authenticate: no password, 400; a wrong one, 403, audited
    and counted towards the lockout; the right one, the change."""
    web = running
    s = web.login()
    path = "/api/v1/settings/security"
    r = web.request("PUT", path, {"lockout_minutes": 20}, sess=s)
    assert r.status == 400 and "current_password" in r.error(), r.raw
    r = web.request("PUT", path, {"lockout_minutes": 20, "current_password": "Wrong!pass1"},
                    sess=s)
    assert r.status == 403 and "current password is wrong" in r.error(), r.raw
    assert web.request("GET", path, sess=s).json["lockout_minutes"] == 30
    r = web.request("PUT", path, {"lockout_minutes": 20, "current_password": ADMIN_PW}, sess=s)
    assert r.status == 200 and r.json["lockout_minutes"] == 20, r.raw
    acts = [(a["action"], a["result"], a["detail"]) for a in web.audit(s)]
    assert ("settings.security", "failed", "wrong current password") in acts, acts
    # Wrong current passwords count towards the lockout like wrong logins (the right one above
    # ended the earlier run): the third locks, the fourth is refused as locked.
    for _ in range(4):
        r = web.request("PUT", path, {"lockout_minutes": 21, "current_password": "Nope!x1a"},
                        sess=s)
        assert r.status == 403
    web.login(expect=401)
    acts = [(a["action"], a["detail"]) for a in web.audit(s)]
    assert ("settings.security", "account locked") in acts, acts
    assert "unlocked" in web.cli("admin", "unlock").stdout


def _wait_run(web, sess, name, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r = web.request("GET", f"/api/v1/discovery/{name}", sess=sess)
        assert r.status == 200, r.raw
        run = r.json["setting"]["last_run"]
        if run and run["state"] != "running":
            return r.json["setting"]
        time.sleep(0.3)
    raise AssertionError(f"discovery {name} did not finish: {r.json}")


def test_right_current_password_ends_a_run_of_failures(running):
    """Wrong current passwords count towards the lockout; the right one resets the count, as a
    good login does: four failures, never three in a row, lock nothing."""
    web = running
    s = web.login()
    body = {"session_idle_timeout_s": 600}

    def reauth(pw, status):
        r = web.request("PUT", "/api/v1/settings/security", dict(body, current_password=pw),
                        sess=s)
        assert r.status == status, r.raw

    for _ in range(2):
        for _ in range(2):
            reauth("Wrong!pass1", 403)
        reauth(ADMIN_PW, 200)
    web.login()


def test_account_secret_and_mode_changes_need_the_current_password(running):
    """New SNMP credentials, account creation, deletion and unlocking, and the uplink mode
    re-authenticate like the security settings: without the password 400 (nothing done), with a
    wrong one 403 (audited, nothing done), with the right one the change."""
    web = running
    s = web.login()
    cred = {"name": "pub", "version": "2c", "community": "public"}
    viewer = {"name": "vera", "password": VIEWER_PW}
    mode = {"mode": "manage"}
    cases = [("POST", "/api/v1/credentials", cred, 201, "credential.add"),
             ("POST", "/api/v1/users", viewer, 201, "user.create")]
    for method, path, body, ok, action in cases:
        r = web.request(method, path, body, sess=s)
        assert r.status == 400 and "current_password" in r.error(), (path, r.raw)
        r = web.request(method, path, dict(body, current_password="Wrong!pass1"), sess=s)
        assert r.status == 403 and "current password is wrong" in r.error(), (path, r.raw)
        s = web.login()  # wrong passwords count towards the lockout; a login resets it
        r = web.request(method, path, dict(body, current_password=ADMIN_PW), sess=s)
        assert r.status == ok, (path, r.raw)
    lst = web.request("GET", "/api/v1/credentials", sess=s).json["credentials"]
    assert [c["name"] for c in lst] == ["pub"], lst
    # vera locks herself out; unlocking her needs the administrator's password.
    for _ in range(3):
        web.login("vera", "Wrong!pass1", expect=401)
    unlock = "/api/v1/users/vera/unlock"
    assert web.request("POST", unlock, sess=s).status == 400
    r = web.request("POST", unlock, {}, sess=s)
    assert r.status == 400 and "current_password" in r.error(), r.raw
    assert web.request("POST", unlock, {"current_password": "Wrong!pass1"}, sess=s).status == 403
    web.login("vera", VIEWER_PW, expect=401)  # still locked
    s = web.login()
    r = web.request("POST", unlock, {"current_password": ADMIN_PW}, sess=s)
    assert r.status == 200, r.raw
    web.login("vera", VIEWER_PW)
    # The uplink mode.
    path = "/api/v1/connection/mode"
    assert web.request("PUT", path, mode, sess=s).status == 400
    r = web.request("PUT", path, dict(mode, current_password="Wrong!pass1"), sess=s)
    assert r.status == 403, r.raw
    s = web.login()
    assert web.request("GET", "/api/v1/connection", sess=s).json["mode"] == "monitor"
    r = web.request("PUT", path, dict(mode, current_password=ADMIN_PW), sess=s)
    assert r.status == 200 and r.json["mode"] == "manage", r.raw
    # Deleting an account.
    assert web.request("DELETE", "/api/v1/users/vera", sess=s).status == 400
    r = web.request("DELETE", "/api/v1/users/vera", {}, sess=s)
    assert r.status == 400 and "current_password" in r.error(), r.raw
    r = web.request("DELETE", "/api/v1/users/vera", {"current_password": "Wrong!pass1"}, sess=s)
    assert r.status == 403, r.raw
    s = web.login()
    web.login("vera", VIEWER_PW)
    r = web.request("DELETE", "/api/v1/users/vera", {"current_password": ADMIN_PW}, sess=s)
    assert r.status == 200, r.raw
    web.login("vera", VIEWER_PW, expect=401)
    # Every wrong password was audited under the action it was for.
    acts = [(a["action"], a["result"], a["detail"]) for a in web.audit(s)]
    for action in ("credential.add", "user.create", "account.unlocked", "uplink.mode",
                   "user.delete"):
        assert (action, "failed", "wrong current password") in acts, (action, acts)
    assert ("user.delete", "ok", "vera") in acts and ("account.unlocked", "ok", "vera") in acts


def test_discovery_settings(running, tdir):
    from test_60_discovery import Fleet
    web = running
    s = web.login()
    r = web.request("POST", "/api/v1/credentials", {**REAUTH, "name": "pub", "version": "2c",
                                                      "community": "public"}, sess=s)
    assert r.status == 201, r.raw
    fleet = Fleet(tdir, "fleet", 6, "127.0.60.1", v3=False).start()
    try:
        # A schedule whose window lies hours away, so the scheduler leaves it alone here.
        h = time.localtime().tm_hour
        window = f"{(h + 3) % 24:02d}:00-{(h + 4) % 24:02d}:00"
        good = {"name": "Office LAN", "targets": "127.0.60.1-127.0.60.10",
                "excludes": "127.0.60.9", "credentials": ["pub"],
                "schedule": f"daily {(h + 3) % 24:02d}:30", "window": window, "pps": 200,
                "port": fleet.port}
        # The parser's sentence comes back naming the field it is about.
        r = web.request("POST", "/api/v1/discovery",
                        dict(good, targets="127.0.60.1, 127.0.60.2,\n10.0.0.300"), sess=s)
        assert r.status == 400 and r.json["field"] == "targets", r.raw
        assert r.error() == "target 3: '10.0.0.300': octet out of range", r.raw
        for bad, fld in ((dict(good, schedule="weekly"), "schedule"),
                         (dict(good, window="25:00-01:00"), "window"),
                         (dict(good, credentials=["nope"]), "credentials"),
                         (dict(good, credentials=[]), "credentials"),
                         (dict(good, excludes="10.0.0.0/33"), "excludes"),
                         (dict(good, pps=0), "pps"), (dict(good, pps="fast"), "pps"),
                         (dict(good, name=""), "name"), (dict(good, bogus=1), None),
                         (dict(good, auto_register="yes"), "auto_register")):
            r = web.request("POST", "/api/v1/discovery", bad, sess=s)
            assert r.status == 400 and r.error(), (bad, r.raw)
            assert r.json.get("field") == fld, (bad, r.raw)
        # More than a /16 needs the confirmation.
        r = web.request("POST", "/api/v1/discovery", dict(good, name="big", targets="10.0.0.0/15"),
                        sess=s)
        assert r.status == 400 and r.json.get("needs_confirm") is True, r.raw
        r = web.request("POST", "/api/v1/discovery",
                        dict(good, name="big", targets="10.0.0.0/15", confirmed=True), sess=s)
        assert r.status == 201 and r.json["setting"]["confirmed"] is True, r.raw
        assert web.request("DELETE", "/api/v1/discovery/big", sess=s).status == 200
        big = b'{"name": "x", "targets": "' + b"1" * (70 * 1024) + b'"}'
        assert web.request("POST", "/api/v1/discovery", sess=s, raw=big).status == 413
        r = web.request("POST", "/api/v1/discovery", good, sess=s)
        assert r.status == 201, r.raw
        st = r.json["setting"]
        assert (st["name"], st["schedule"], st["window"], st["pps"]) == \
            ("Office LAN", good["schedule"], window, 200)
        assert st["last_run"] is None and st["printers"] == []
        assert web.request("POST", "/api/v1/discovery", good, sess=s).status == 409
        lst = web.request("GET", "/api/v1/discovery", sess=s)
        assert [x["name"] for x in lst.json["settings"]] == ["Office LAN"]
        # The CLI sees the same setting: one code path.
        cli = json.loads(web.cli("discover", "show", "Office LAN", "--json").stdout)
        assert cli["targets"] == good["targets"]
        # A change that the parser refuses leaves the setting as it was.
        r = web.request("PUT", "/api/v1/discovery/Office%20LAN",
                        dict(good, targets="127.0.60.1-127.0.60.999"), sess=s)
        assert r.status == 400 and r.json["field"] == "targets", r.raw
        r = web.request("GET", "/api/v1/discovery/Office%20LAN", sess=s)
        assert r.status == 200 and r.json["setting"]["targets"] == good["targets"]
        r = web.request("PUT", "/api/v1/discovery/Office%20LAN",
                        dict(good, schedule="manual", window="", targets="127.0.60.1-127.0.60.8"),
                        sess=s)
        assert r.status == 200 and r.json["setting"]["schedule"] == "manual", r.raw
        assert web.request("PUT", "/api/v1/discovery/none", good, sess=s).status == 404
        # Viewers read, never write.
        r = web.request("POST", "/api/v1/users", {**REAUTH, "name": "vera", "password": VIEWER_PW,
                                                    "role": "viewer"}, sess=s)
        assert r.status == 201
        v = web.login("vera", VIEWER_PW)
        assert web.request("GET", "/api/v1/discovery/Office%20LAN", sess=v).status == 200
        assert web.request("POST", "/api/v1/discovery/Office%20LAN/run", sess=v).status == 403
        assert web.request("PUT", "/api/v1/discovery/Office%20LAN", good, sess=v).status == 403
        # A run on the daemon's loop against the simulated fleet.
        r = web.request("POST", "/api/v1/discovery/Office%20LAN/run", sess=s)
        assert r.status == 202 and r.json["started"] is True, r.raw
        done = _wait_run(web, s, "Office%20LAN")
        assert done["last_run"]["state"] == "done", done
        assert done["last_run"]["total"] == 8
        found = sorted(p["address"] for p in done["printers"])
        assert found == [fleet.addr(i) for i in range(6)], found
        # A change keeps the last run and its printers; the WS-Discovery options round-trip.
        r = web.request("PUT", "/api/v1/discovery/Office%20LAN",
                        dict(good, pps=300, wsd=False, wsd_port=3703), sess=s)
        assert r.status == 200, r.raw
        st = r.json["setting"]
        assert (st["pps"], st["wsd"], st["wsd_port"]) == (300, False, 3703), st
        assert st["last_run"]["state"] == "done" and len(r.json["setting"]["printers"]) == 6, st
        r = web.request("PUT", "/api/v1/discovery/Office%20LAN",
                        dict(good, wsd_interface="1.2.3"), sess=s)
        assert r.status == 400 and r.json.get("field") == "wsd_interface", r.raw
        # A new name is a new setting; the old name is gone.
        r = web.request("PUT", "/api/v1/discovery/Office%20LAN", dict(good, name="Office"),
                        sess=s)
        assert r.status == 200 and r.json["setting"]["name"] == "Office", r.raw
        assert web.request("GET", "/api/v1/discovery/Office%20LAN", sess=s).status == 404
        assert web.request("POST", "/api/v1/discovery/nope/run", sess=s).status == 404
        assert web.request("DELETE", "/api/v1/discovery/nope", sess=s).status == 404
        assert web.request("DELETE", "/api/v1/discovery/Office", sess=s).status == 200
        assert web.request("GET", "/api/v1/discovery/Office", sess=s).status == 404
        acts = [(a["action"], a["user"]) for a in web.audit(s)]
        for act in ("discover.add", "discover.set", "discover.run", "discover.remove"):
            assert (act, "admin") in acts, act
    finally:
        fleet.stop()
