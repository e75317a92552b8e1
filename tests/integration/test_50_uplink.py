# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# The uplink against the test cloud (tests/cloud/cloud.py: a real mosquitto with TLS and a
# per-gateway ACL, and an HTTPS service) on loopback: registration (pending, managed, and each
# error with its own message and audit record), Monitor mode uploads over HTTPS, Manage mode
# over MQTT/TLS with the broker's ACL, bad down messages, an outbox that survives kill -9 and a
# broker restart, eviction with a data_gap message, the HTTP proxy (tinyproxy), and
# anonymization proven over a compressed day of a fleetsim fleet.

import base64
import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BUILDDIR, Daemon, free_tcp_port, free_udp_port, need_fleetgw, need_program, wait_for

HERE = Path(__file__).resolve().parent
CLOUD = HERE.parent / "cloud" / "cloud.py"
FLEETSIM = Path(BUILDDIR) / "tests" / "fleetsim" / "fleetsim"
PYTHON = "/usr/bin/python3"


class Cloud(Daemon):
    def __init__(self, d, rogue=False, alpn=False):
        self.dir = Path(d) / "cloud"
        argv = [PYTHON, str(CLOUD), "--dir", str(self.dir)] + (["--rogue"] if rogue else []) + \
            (["--alpn"] if alpn else [])
        super().__init__("cloud", argv, Path(d) / "cloud.log")
        self.info = None

    def start(self):
        need_program("mosquitto")
        need_program("mosquitto_sub")
        super().start()
        self.wait_until(lambda: (self.dir / "cloud.json").exists(), 60, "become ready")
        self.info = json.loads((self.dir / "cloud.json").read_text())
        return self

    @property
    def url(self):
        return self.info["url"]

    @property
    def ca(self):
        return self.info["ca"]

    def call(self, path, obj=None, method="POST"):
        """Calls a /test/ endpoint of the cloud (curl: the stdlib client would need the CA)."""
        cp = subprocess.run(["curl", "-s", "--cacert", self.ca, "-X", method, self.url + path,
                             "-d", json.dumps(obj or {})], capture_output=True, text=True,
                            timeout=30)
        return json.loads(cp.stdout) if cp.stdout else None

    def received(self):
        p = self.dir / "received.jsonl"
        if not p.exists():
            return []
        return [json.loads(l) for l in p.read_text().splitlines() if l.strip()]

    def messages(self, kind=None, transport=None):
        return [r for r in self.received() if "msg" in r and isinstance(r["msg"], dict)
                and r["msg"].get("v") == 1 and "kind" in r["msg"] and (kind is None or r["msg"].get("kind") == kind)
                and (transport is None or r["transport"] == transport)]


@pytest.fixture
def cloud(tdir):
    c = Cloud(tdir).start()
    yield c
    c.stop()


_started = []


@pytest.fixture(autouse=True)
def _stop_gateways():
    """Every daemon a test started is stopped when the test ends, passed or failed."""
    yield
    while _started:
        g = _started.pop()
        if g.daemon:
            g.daemon.stop()


class Gateway:
    def __init__(self, tdir, cloud, extra="", name="gw"):
        self.dir = tdir / name
        self.conf = tdir / f"{name}.conf"
        self.cloud = cloud
        self.conf.write_text(
            f"[gateway]\nstate_dir = {self.dir}\nlog_level = info\n"
            f"[snmp]\ntimeout = 500ms\nretries = 1\n"
            f"[poll]\nschedule = fixed\ninterval = 10s\nalert_interval = 10s\n"
            f"[webui]\nenabled = no\n"
            f"[uplink]\nca_file = {cloud.ca}\nalert_delay = 1s\nbackoff_max = 2s\n{extra}")
        self.daemon = None
        self.log_path = tdir / f"{name}.log"

    def cli(self, *args, ok=True, input=None):
        cp = subprocess.run([need_fleetgw(), "-c", str(self.conf)] + [str(a) for a in args],
                            capture_output=True, text=True, input=input or "", timeout=60)
        if ok:
            assert cp.returncode == 0, f"fleetgw {args} failed: {cp.stdout}{cp.stderr}"
        return cp

    def init(self, *extra):
        self.cli("init", *extra)
        return self

    def register(self, *extra, ok=True):
        return self.cli("register", "--url", self.cloud.url, *extra, ok=ok)

    def start(self):
        self.daemon = Daemon("fleetgw", [need_fleetgw(), "-c", str(self.conf)], self.log_path)
        _started.append(self)
        self.daemon.start()
        self.daemon.wait_until(lambda: self.status() is not None, 15, "answer status")
        return self

    def kill9(self):
        os.killpg(self.daemon.proc.pid, signal.SIGKILL)
        self.daemon.proc.wait(5)

    def status(self):
        cp = subprocess.run([need_fleetgw(), "-c", str(self.conf), "status", "--json"],
                            capture_output=True, text=True, timeout=30)
        return json.loads(cp.stdout) if cp.returncode == 0 else None

    def db(self):
        return sqlite3.connect(f"file:{self.dir}/fleetgw.db?mode=ro", uri=True)

    def audit(self):
        with self.db() as c:
            return c.execute("SELECT action, result, coalesce(detail,'') FROM audit").fetchall()

    def gwid(self):
        return self.status()["uplink"]["gateway_id"]

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


# ---------------------------------------------------------------------------------------------


def test_register_errors_pending_managed(tdir, cloud):
    gw = Gateway(tdir, cloud).init()
    cases = [
        (["--access-code", "WRONG"], "did not accept the access code", "bad_access_code"),
        (["--access-code", "EXPIRED-CODE"], "access code has expired", "access_code_expired"),
    ]
    for args, text, reason in cases:
        cp = gw.register(*args, ok=False)
        assert cp.returncode == 1 and text in cp.stderr, cp.stderr
    pw = tdir / "pw"
    pw.write_text("not-the-password\n")
    cp = gw.register("--access-code", "TEST-CODE", "--user", "alice", "--password-file", pw,
                     ok=False)
    assert "user name or password" in cp.stderr and "not-the-password" not in cp.stderr + cp.stdout
    # TLS: without the test CA the system CAs do not vouch for the cloud.
    cp = subprocess.run([need_fleetgw(), "-c", str(gw.conf), "register", "--url", cloud.url,
                         "--access-code", "TEST-CODE", "--ca-file", "/etc/ssl/certs/ca-certificates.crt"],
                        capture_output=True, text=True, timeout=60)
    assert cp.returncode == 1 and "TLS verification of the cloud failed" in cp.stderr, cp.stderr
    cloud.call("/test/clock", {"offset": 3600})
    cp = gw.register("--access-code", "TEST-CODE", ok=False)
    assert "differs too much from the cloud" in cp.stderr, cp.stderr
    cloud.call("/test/clock", {"offset": 0})
    reasons = [d for a, r, d in gw.audit() if a == "uplink.register" and r == "failed"]
    for reason in ["bad_access_code", "access_code_expired", "bad_credentials", "tls_failed",
                   "clock_skew"]:
        assert any(f"reason={reason}" in d for d in reasons), (reason, reasons)
    assert gw.status() is None  # no daemon: status needs one; the registration is local
    # Pending with the code alone.
    cp = gw.register("--access-code", "TEST-CODE")
    assert "pending" in cp.stdout
    # Managed with user and password; the token is only in the vault, sealed.
    pw.write_text("alice-secret-1\n")
    cp = gw.register("--access-code", "TEST-CODE", "--user", "alice", "--password-file", pw)
    assert "managed" in cp.stdout
    gws = cloud.call("/test/gateways", method="GET")
    managed = [g for g in gws.values() if g["status"] == "managed"]
    assert len(managed) == 1
    raw = (gw.dir / "fleetgw.db").read_bytes()
    assert managed[0]["token"].encode() not in raw
    with gw.db() as c:
        assert c.execute("SELECT count(*) FROM up_secrets WHERE name='token'").fetchone()[0] == 1
    # Unregister wipes it.
    gw.cli("unregister")
    with gw.db() as c:
        assert c.execute("SELECT count(*) FROM up_secrets").fetchone()[0] == 0
    assert any(a == "uplink.unregister" for a, _, _ in gw.audit())


def test_monitor_uploads_status_and_expired_token(tdir, cloud):
    gw = Gateway(tdir, cloud, "force_interval = 3s\n").init()
    gw.register("--access-code", "TEST-CODE")
    gw.start()
    gid = gw.gwid()
    wait_for(lambda: cloud.messages("gateway", "https"), 30, "a gateway message over HTTPS")
    logs = wait_for(lambda: cloud.messages("logs", "https"), 30, "log zips")
    assert any("audit.log" in r.get("unzipped", {}) for r in logs)
    assert not cloud.messages(transport="mqtt"), "monitor mode must not use MQTT"
    st = gw.status()
    for k in ["mode", "registered", "connected", "outbox_messages", "outbox_bytes",
              "last_upload", "evicted_total"]:
        assert k in st, k
    assert st["mode"] == "monitor" and st["registered"] is True and st["connected"] is False
    wait_for(lambda: gw.status()["last_upload"], 20, "last_upload")
    # Ids and sequence numbers: envelope fields as the contract says.
    m = cloud.messages()[0]["msg"]
    assert len(m["id"]) == 32 and m["gw"] == gid and m["seq"] >= 1
    # The cloud expires the token: a clear state, an audit record, messages kept.
    cloud.call("/test/expire", {"gateway_id": gid})
    wait_for(lambda: gw.status()["uplink"].get("link") == "token_expired", 30, "token_expired state")
    wait_for(lambda: gw.status()["outbox_messages"] > 0, 30, "messages kept in the outbox")
    assert any(a == "uplink.token_expired" for a, _, _ in gw.audit())
    assert "registration token has expired" in gw.log()


def test_manage_mode_tls_acl_and_bad_down_messages(tdir, cloud):
    gw = Gateway(tdir, cloud, "force_interval = 3s\n").init()
    other = Gateway(tdir, cloud, name="gw2").init()
    gw.register("--access-code", "TEST-CODE")
    other.register("--access-code", "TEST-CODE")
    gw.cli("mode", "manage", "--until", "+2h")
    gw.start()
    gid = gw.gwid()
    wait_for(lambda: gw.status()["connected"], 30, "the MQTT session")
    wait_for(lambda: cloud.messages("gateway", "mqtt"), 30, "a gateway message over MQTT")
    state = [r for r in cloud.received() if r["where"] == f"fleetgw/v1/{gid}/state"]
    assert state and state[-1]["msg"]["state"] == "online"
    # ACL: the other gateway's credentials cannot read this gateway's topics.
    gws = cloud.call("/test/gateways", method="GET")
    oid = [k for k in gws if k != gid][0]
    cp = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(cloud.info["mqtt_port"]),
                         "--cafile", cloud.ca, "-u", oid, "-P", gws[oid]["token"], "-t",
                         f"fleetgw/v1/{gid}/up/#", "-C", "1", "-W", "4"],
                        capture_output=True, text=True, timeout=20)
    assert cp.stdout == "", "another gateway read this gateway's messages"
    assert "denied" in cp.stderr.lower() or cp.returncode != 0, cp.stderr
    # ... nor inject a task into its down topic.
    cloud.call("/test/down", {"gateway_id": gid, "payload": '{"v":1,"id":"evil","type":"ping"}',
                                  "as_user": oid, "as_password": gws[oid]["token"]})
    # Down messages: good, unknown, malformed, oversized, unauthorized; the daemon stays up.
    downs = ['{"v":1,"id":"t1","type":"ping"}', '{"v":1,"id":"t2","type":"reboot"}', "garbage{",
             '{"v":1,"id":"t3","type":"ping","gw":"someone-else"}',
             '{"v":1,"id":"t4","type":"ping","expires_at":"2001-01-01T00:00:00Z"}',
             '{"v":1,"id":"big","type":"ping","args":{"x":"' + "A" * 70000 + '"}}',
             '{"v":1,"id":"t1","type":"ping"}']
    for p in downs:
        assert cloud.call("/test/down", {"gateway_id": gid, "payload": p})["ok"]
    want = {"t1": "ok", "t2": "unsupported", "t4": "expired"}
    def answers():
        res = {m["msg"]["body"]["task_id"]: m["msg"]["body"]["status"]
               for m in cloud.messages("task_result")}
        errs = [m["msg"]["body"]["code"] for m in cloud.messages("error")]
        return (res, errs) if all(res.get(k) == v for k, v in want.items()) and len(errs) >= 3 \
            else None
    res, errs = wait_for(answers, 30, "answers to the down messages")
    assert "evil" not in res
    assert sorted(errs) == ["malformed", "too_large", "unauthorized"]
    # t1 twice: answered twice, run once.
    wait_for(lambda: len([m for m in cloud.messages("task_result")
                      if m["msg"]["body"]["task_id"] == "t1"]) == 2, 20, "the second t1 answer")
    assert gw.daemon.alive()
    acts = [(a, r) for a, r, _ in gw.audit()]
    assert acts.count(("task.rejected", "refused")) >= 3
    # Back to monitor: no more MQTT, offline state published.
    gw.cli("mode", "monitor")
    wait_for(lambda: not gw.status()["connected"], 20, "the MQTT session to end")
    wait_for(lambda: [r for r in cloud.received() if r["where"] == f"fleetgw/v1/{gid}/state"
                  and r["msg"].get("state") == "offline"], 20, "the offline state")


def test_outbox_survives_kill9_and_broker_restart(tdir, cloud):
    gw = Gateway(tdir, cloud, "force_interval = 1s\n").init()
    gw.register("--access-code", "TEST-CODE")
    gw.cli("mode", "manage")
    gw.start()
    wait_for(lambda: gw.status()["connected"], 30, "the MQTT session")
    cloud.call("/test/broker", {"action": "stop"})
    wait_for(lambda: gw.status()["outbox_messages"] >= 6, 30, "messages piling up in the outbox")
    gw.kill9()
    gw.start()
    time.sleep(2)
    cloud.call("/test/broker", {"action": "start"})
    wait_for(lambda: gw.status()["connected"] and gw.status()["outbox_messages"] == 0, 60,
         "the outbox to drain after the broker came back")
    gw.daemon.stop()
    time.sleep(1)
    with gw.db() as c:
        last = int(c.execute("SELECT value FROM settings WHERE key='up.seq'").fetchone()[0])
    msgs = cloud.messages()
    seqs = {}
    for r in msgs:
        m = r["msg"]
        seqs.setdefault(m["seq"], set()).add(m["id"])
    missing = [s for s in range(1, last + 1) if s not in seqs]
    assert not missing, f"messages lost: seq {missing[:20]}"
    assert all(len(ids) == 1 for ids in seqs.values()), "a redelivery changed its id"


def test_eviction_counted_and_data_gap(tdir, cloud):
    gw = Gateway(tdir, cloud, "force_interval = 1s\noutbox_max_bytes = 4096\n").init()
    gw.register("--access-code", "TEST-CODE")
    cloud.call("/test/fail", {"status": 503})
    gw.start()
    wait_for(lambda: gw.status()["evicted_total"] > 0, 60, "evictions")
    assert gw.status()["outbox_bytes"] <= 4096
    cloud.call("/test/fail", {"status": 0})
    gap = wait_for(lambda: cloud.messages("data_gap"), 60, "a data_gap message")
    body = gap[0]["msg"]["body"]
    assert body["evicted"] >= 1 and body["from_seq"] <= body["to_seq"]


def test_proxy_tinyproxy_basic_auth(tdir, cloud):
    tp = need_program("tinyproxy")
    port = free_tcp_port()
    conf = tdir / "tinyproxy.conf"
    conf.write_text(f"Port {port}\nListen 127.0.0.1\nTimeout 60\nLogFile \"{tdir}/tinyproxy.log\"\n"
                    f"LogLevel Connect\nPidFile \"{tdir}/tinyproxy.pid\"\nMaxClients 10\n"
                    f"Allow 127.0.0.1\nBasicAuth fgw proxy-pw-1\nConnectPort {cloud.url.rsplit(':', 1)[1]}\n")
    proxy = Daemon("tinyproxy", [tp, "-d", "-c", str(conf)], tdir / "tinyproxy.out").start()
    try:
        def up():
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return True
            except OSError:
                return False
        wait_for(up, 10, "tinyproxy")
        gw = Gateway(tdir, cloud, f"force_interval = 2s\nproxy = http://127.0.0.1:{port}\n"
                                  "proxy_user = fgw\n").init()
        ppw = tdir / "ppw"
        ppw.write_text("proxy-pw-1\n")
        gw.register("--access-code", "TEST-CODE", "--proxy-password-file", ppw)
        gw.start()
        wait_for(lambda: cloud.messages("gateway", "https"), 30, "uploads through the proxy")
        log = (tdir / "tinyproxy.log").read_text(errors="replace")
        assert "CONNECT" in log, log[-2000:]
        raw = (gw.dir / "fleetgw.db").read_bytes()
        assert b"proxy-pw-1" not in raw
    finally:
        proxy.stop()


def test_manage_mode_alpn_endpoint_and_fallback(tdir):
    """The registration offers a port-443 stand-in that requires ALPN "mqtt" first and the
    8883-style listener second (binding the real 443 would clash with other services on the
    test machine, so a high loopback port plays 443). The gateway uses the first with ALPN, and
    falls back to the second when the first fails."""
    cloud = Cloud(tdir, alpn=True).start()
    try:
        gw = Gateway(tdir, cloud, "force_interval = 3s\n").init()
        cp = gw.register("--access-code", "TEST-CODE")
        aport, mport = cloud.info["alpn_port"], cloud.info["mqtt_port"]
        assert f"localhost:{aport}" in cp.stdout and f"localhost:{mport}" in cp.stdout, cp.stdout
        gw.cli("mode", "manage")
        gw.start()
        wait_for(lambda: gw.status()["connected"], 30, "the MQTT session")
        assert gw.status()["uplink"]["broker"] == f"localhost:{aport}/mqtt"
        assert gw.status()["uplink"]["endpoints"][1:] == [f"localhost:{aport}",
                                                          f"localhost:{mport}"]
        wait_for(lambda: cloud.messages("gateway", "mqtt"), 30, "a gateway message over MQTT")
        alog = (cloud.dir / "alpn.log").read_text()
        assert "alpn=mqtt" in alog and "alpn=None" not in alog, alog
        # The 443 front goes away: the session falls back to the second endpoint.
        cloud.call("/test/alpn", {"action": "stop"})
        wait_for(lambda: (gw.status()["connected"] and
                          gw.status()["uplink"]["broker"] == f"localhost:{mport}"), 60,
                 "the fallback to the second endpoint")
        n = len(cloud.messages("gateway", "mqtt"))
        wait_for(lambda: len(cloud.messages("gateway", "mqtt")) > n or
                 len(cloud.messages("logs", "mqtt")) > 0, 30, "messages over the fallback")
        assert "trying the next broker endpoint" in gw.log()
        # A fresh start with the front still down: the first endpoint fails, the second works.
        gw.daemon.stop()
        gw.start()
        wait_for(lambda: gw.status()["connected"], 30, "the session after a restart")
        assert gw.status()["uplink"]["broker"] == f"localhost:{mport}"
    finally:
        cloud.stop()


def _tinyproxy(tdir, cloud, password, name="tinyproxy"):
    """tinyproxy on loopback with basic auth, allowed to CONNECT to the cloud's two ports."""
    tp = need_program("tinyproxy")
    port = free_tcp_port()
    conf = tdir / f"{name}.conf"
    conf.write_text(f"Port {port}\nListen 127.0.0.1\nTimeout 600\nLogFile \"{tdir}/{name}.log\"\n"
                    f"LogLevel Connect\nPidFile \"{tdir}/{name}.pid\"\nMaxClients 10\n"
                    f"Allow 127.0.0.1\nBasicAuth fgw {password}\n"
                    f"ConnectPort {cloud.url.rsplit(':', 1)[1]}\nConnectPort {cloud.info['mqtt_port']}\n")
    proxy = Daemon(name, [tp, "-d", "-c", str(conf)], tdir / f"{name}.out").start()

    def up():
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            return False
    wait_for(up, 10, "tinyproxy")
    return proxy, port


def _tcp_peers(port):
    """Names of the processes holding an established TCP connection to 127.0.0.1:port."""
    cp = subprocess.run(["ss", "-Htnp", "state", "established", f"( dport = :{port} )"],
                        capture_output=True, text=True, timeout=10)
    return cp.stdout


def test_manage_mode_through_http_proxy(tdir, cloud):
    """MQTT over TLS through tinyproxy (CONNECT, basic auth): fleetgw itself never connects to
    the broker; a wrong proxy password is a clear link state, a log line and an audit record."""
    proxy, port = _tinyproxy(tdir, cloud, "proxy-pw-1")
    try:
        gw = Gateway(tdir, cloud, f"force_interval = 2s\nproxy = http://127.0.0.1:{port}\n"
                                  "proxy_user = fgw\n").init()
        ppw = tdir / "ppw"
        # A proxy password over the limit is refused with the limit named, before any request.
        ppw.write_text("x" * 300 + "\n")
        cp = gw.register("--access-code", "TEST-CODE", "--proxy-password-file", ppw, ok=False)
        assert cp.returncode == 1 and "limit of 256 bytes" in cp.stderr, cp.stderr
        ppw.write_text("proxy-pw-1\n")
        gw.register("--access-code", "TEST-CODE", "--proxy-password-file", ppw)
        gw.cli("mode", "manage")
        gw.start()
        gid = gw.gwid()
        wait_for(lambda: gw.status()["connected"], 30, "the MQTT session through the proxy")
        wait_for(lambda: cloud.messages("gateway", "mqtt"), 30, "a gateway message over MQTT")
        mport = cloud.info["mqtt_port"]
        log = (tdir / "tinyproxy.log").read_text(errors="replace")
        assert f"CONNECT localhost:{mport}" in log, log[-2000:]
        # The broker's only client connection from the gateway side is tinyproxy's.
        peers = _tcp_peers(mport)
        assert "tinyproxy" in peers and "fleetgw" not in peers, peers
        # Tasks come down the tunnel too.
        assert cloud.call("/test/down", {"gateway_id": gid,
                                         "payload": '{"v":1,"id":"px1","type":"ping"}'})["ok"]
        wait_for(lambda: [m for m in cloud.messages("task_result", "mqtt")
                          if m["msg"]["body"]["task_id"] == "px1"], 30, "the ping answer")
        # The session is persistent through the tunnel too: a task sent while the gateway is
        # away is kept by the broker and answered after the next connect.
        mlog = cloud.dir / "mosquitto.log"
        seen = mlog.stat().st_size
        gw.daemon.stop()
        wait_for(lambda: [r for r in cloud.received() if r["where"] == f"fleetgw/v1/{gid}/state"
                          and r["msg"].get("state") == "offline"], 20, "the offline state")
        # A polite stop: the gateway's own "offline" and its DISCONNECT reach the broker through
        # the relay and the proxy. The broker logs "disconnected" only for a DISCONNECT, which
        # also discards the Will: so the "offline" above is the gateway's, not the Will.
        def broker_saw():
            with open(mlog, "rb") as f:
                f.seek(seen)
                return f.read().decode(errors="replace")
        wait_for(lambda: f"Client {gid} disconnected" in broker_saw(), 10,
                 "the broker to see the gateway's DISCONNECT")
        tail = broker_saw()
        assert f"Client {gid} closed its connection" not in tail, tail
        assert f"Received PUBLISH from {gid}" in tail and "/state" in tail, tail
        assert f"Received DISCONNECT from {gid}" in tail, tail
        assert cloud.call("/test/down", {"gateway_id": gid,
                                         "payload": '{"v":1,"id":"px2","type":"ping"}'})["ok"]
        gw.start()
        wait_for(lambda: [m for m in cloud.messages("task_result", "mqtt")
                          if m["msg"]["body"]["task_id"] == "px2"], 30,
                 "the answer to the task sent while the gateway was away")
        gw.daemon.stop()
        proxy.stop()
        # The proxy's password changed: the gateway says so, audits it once, keeps messages.
        proxy, port2 = _tinyproxy(tdir, cloud, "proxy-pw-2", name="tinyproxy2")
        gw.conf.write_text(gw.conf.read_text().replace(f"127.0.0.1:{port}", f"127.0.0.1:{port2}"))
        gw.start()
        wait_for(lambda: gw.status()["uplink"].get("link") == "proxy_auth_failed", 30,
                 "the proxy_auth_failed link state")
        assert not gw.status()["connected"]
        assert "refused the credentials of proxy user 'fgw' (40" in gw.log(), gw.log()[-3000:]
        assert "proxy-pw-1" not in gw.log()
        acts = [(a, r) for a, r, _ in gw.audit()]
        assert acts.count(("uplink.proxy_auth_failed", "failed")) == 1, acts
        wait_for(lambda: gw.status()["outbox_messages"] > 0, 30, "messages kept in the outbox")
        assert gw.daemon.alive()
    finally:
        proxy.stop()


def test_anonymized_day_of_a_fleet(tdir, cloud):
    if not FLEETSIM.exists():
        pytest.skip("fleetsim not built")
    port = free_udp_port()
    sim = Daemon("fleetsim", [str(FLEETSIM), "--devices", "8", "--base-address", "127.21.0.1",
                              "--port", str(port), "--community", "public",
                              "--events-per-hour", "3600", "--control", str(tdir / "sim.sock")],
                 tdir / "fleetsim.log").start()
    try:
        wait_for(lambda: "ready" in (tdir / "fleetsim.log").read_text(errors="replace"), 60,
             "fleetsim")
        gw = Gateway(tdir, cloud, "force_interval = 4s\n").init("--anonymize")
        gw.cli("anonymize", "off", ok=False)
        comm = tdir / "comm"
        comm.write_text("public\n")
        gw.cli("credential", "add", "pub", "-v", "2c", "--community-file", comm)
        # A discovery setting exists, and still no discovery message may leave the gateway.
        gw.cli("discover", "add", "lab", "--target", "127.21.0.0/28", "--credential", "pub",
               "--port", port)
        addrs = [f"127.21.0.{i}" for i in range(1, 9)]
        for i, a in enumerate(addrs):
            gw.cli("device", "add", f"{a}:{port}", "--credential", "pub", "--name", f"printer-floor{i}")
        gw.register("--access-code", "TEST-CODE")
        gw.cli("mode", "manage")
        gw.start()
        # A compressed day: several counter, log and gateway rounds, alerts from fleetsim events.
        wait_for(lambda: len(cloud.messages("counters")) >= 3 and len(cloud.messages("logs")) >= 4,
             90, "three counters rounds and log zips")
        gw.cli("mode", "monitor")
        wait_for(lambda: len(cloud.messages("counters", "https")) >= 1, 30, "an HTTPS round")
        gw.daemon.stop()
        with gw.db() as c:
            rows = c.execute("SELECT address, name, sys_name, sys_location FROM devices").fetchall()
        secrets_ = set(addrs)
        for addr, name, sys_name, sys_loc in rows:
            secrets_ |= {addr, name} | ({sys_name} if len(sys_name) >= 3 else set()) | \
                        ({sys_loc} if len(sys_loc) >= 3 else set())
        assert any(r[2] for r in rows), "the poll learned no sysName: nothing was tested"
        # A short host name ("vm") would match inside base64 by chance; its key must be gone.
        if len(socket.gethostname()) >= 6:
            secrets_.add(socket.gethostname())
        assert all("hostname" not in m["msg"]["body"] for m in cloud.messages("gateway"))
        secrets_.add("127.0.0.1")
        everything = ""
        for r in cloud.received():
            everything += json.dumps(r)
            for text in r.get("unzipped", {}).values():
                everything += text
        for raw in (cloud.dir / "raw").iterdir():
            data = raw.read_bytes()
            try:
                import gzip
                data = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
            except OSError:
                pass
            everything += data.decode("utf-8", "replace")
        leaks = sorted(s for s in secrets_ if s and s in everything)
        assert not leaks, f"anonymized gateway sent: {leaks}"
        c = cloud.messages("counters")[-1]["msg"]["body"]["devices"]
        assert len(c) == 8 and all("serial" in d and "c" in d for d in c)
        # Trays travel apart from supplies ("t": [name, level, capacity, state]); fleetsim's
        # printers have two cassettes and the MP tray, and none of them is a supply.
        # (Devices not fully polled yet have neither counters nor trays.)
        polled = [d for d in c if d["c"]]
        assert polled, c
        assert all({t[0] for t in d["t"]} == {"Cassette 1", "Cassette 2", "MP Tray"}
                   for d in polled), [d["t"] for d in c]
        assert all(s[0] != "input" for d in c for s in d["s"]), [d["s"] for d in c]
        assert not cloud.messages("discovery")
        assert any(r.get("unzipped", {}).get("audit.log", "").count("device.add") for r in
                   cloud.messages("logs")), "audit log zip lacks the device.add records"
        acts = gw.audit()
        assert ("uplink.anonymize.off", "refused") in [(a, r) for a, r, _ in acts]
    finally:
        sim.stop()
