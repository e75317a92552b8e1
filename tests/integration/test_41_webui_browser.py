# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# The web UI in a real browser: Debian's chromium, headless, driven by playwright-core (npm,
# installed by `npm ci` in tests/integration/browser; no browser download). Scenarios live in
# browser/webui.mjs; this file starts snmpd and fleetgw for them and acts where a scenario
# waits (restarting the daemon, raising an alert on the agent):
#   - log in, every page drawn, a device page with its counter chart, supply bars and input
#     trays (apart from the supplies, not counted as low on the dashboard), the
#     devices table at tablet width, a request without CSRF token and a cross-site form refused;
#   - three wrong passwords lock the account, and it stays locked after a daemon restart;
#   - the session ends after inactivity and the page says so;
#   - an alert raised on the agent appears on the open device page without a reload;
#   - discovery: a target error shown at its field, a setting added and run against fleetsim,
#     the page following the run to its printers (desktop and tablet width);
#   - security settings need the current password; the users page lists sessions and ends one.
# Screenshots are kept in a directory whose path is printed (run pytest with -s to see it).

import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import SRCDIR, wait_for
from test_40_webui_api import ADMIN_PW, REAUTH, WebGateway

BROWSER_DIR = Path(SRCDIR) / "tests" / "integration" / "browser"

PRINTER = """
override .1.3.6.1.2.1.43.5.1.1.17.1 octet_str "CNB7654321"
override .1.3.6.1.2.1.25.3.2.1.2.1 object_id .1.3.6.1.2.1.25.3.1.5
override .1.3.6.1.2.1.43.10.2.1.4.1.1 counter 12345
override .1.3.6.1.2.1.43.11.1.1.6.1.1 octet_str "Black Toner"
override .1.3.6.1.2.1.43.11.1.1.5.1.1 integer 3
override .1.3.6.1.2.1.43.11.1.1.8.1.1 integer 100
override .1.3.6.1.2.1.43.11.1.1.9.1.1 integer 12
override .1.3.6.1.2.1.43.11.1.1.6.1.2 octet_str "Waste Toner Box"
override .1.3.6.1.2.1.43.11.1.1.5.1.2 integer 4
override .1.3.6.1.2.1.43.11.1.1.8.1.2 integer -2
override .1.3.6.1.2.1.43.11.1.1.9.1.2 integer -3
override .1.3.6.1.2.1.43.8.2.1.2.1.1 integer 3
override .1.3.6.1.2.1.43.8.2.1.8.1.1 integer 8
override .1.3.6.1.2.1.43.8.2.1.9.1.1 integer 500
override .1.3.6.1.2.1.43.8.2.1.10.1.1 integer 250
override .1.3.6.1.2.1.43.8.2.1.12.1.1 octet_str "A4"
override .1.3.6.1.2.1.43.8.2.1.13.1.1 octet_str "Cassette 1"
override .1.3.6.1.2.1.43.8.2.1.2.1.2 integer 3
override .1.3.6.1.2.1.43.8.2.1.8.1.2 integer 8
override .1.3.6.1.2.1.43.8.2.1.9.1.2 integer 500
override .1.3.6.1.2.1.43.8.2.1.10.1.2 integer 20
override .1.3.6.1.2.1.43.8.2.1.13.1.2 octet_str "Cassette 2"
override .1.3.6.1.2.1.43.8.2.1.2.1.3 integer 4
override .1.3.6.1.2.1.43.8.2.1.8.1.3 integer 8
override .1.3.6.1.2.1.43.8.2.1.9.1.3 integer 100
override .1.3.6.1.2.1.43.8.2.1.10.1.3 integer 0
override .1.3.6.1.2.1.43.8.2.1.13.1.3 octet_str "MP Tray"
"""
ALERT_TEXT = "Paper jam in tray 2"
ALERT = f"""
override .1.3.6.1.2.1.43.18.1.1.2.1.7 integer 3
override .1.3.6.1.2.1.43.18.1.1.3.1.7 integer 4
override .1.3.6.1.2.1.43.18.1.1.4.1.7 integer 8
override .1.3.6.1.2.1.43.18.1.1.5.1.7 integer 2
override .1.3.6.1.2.1.43.18.1.1.6.1.7 integer 0
override .1.3.6.1.2.1.43.18.1.1.7.1.7 integer 8
override .1.3.6.1.2.1.43.18.1.1.8.1.7 octet_str "{ALERT_TEXT}"
"""


def need_browser():
    if not os.access("/usr/bin/chromium", os.X_OK):
        pytest.skip("Debian's chromium is not installed")
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        pytest.skip("playwright-core missing: run 'npm ci' in tests/integration/browser")


@pytest.fixture(scope="module")
def shots():
    d = Path(tempfile.mkdtemp(prefix="fgw-webui-shots-", dir=os.environ.get("TMPDIR", "/tmp")))
    yield d
    print(f"\nbrowser screenshots: {d}")
    for p in sorted(d.glob("*.png")):
        print(f"  {p}")


class Scenario:
    """One run of webui.mjs SCENARIO, read line by line."""

    def __init__(self, name, web, shots, **env):
        self.lines = []
        e = dict(os.environ, URL=f"https://localhost:{web.port}/", PASSWORD=ADMIN_PW,
                 SHOTS=str(shots), PROFILE=str(web.tdir / f"profile-{name}"),
                 OTHER_ORIGIN=f"https://127.0.0.1:{web.port}")
        e.update({k: str(v) for k, v in env.items()})
        self.log = web.tdir / f"browser-{name}.log"
        self.proc = subprocess.Popen(["node", str(BROWSER_DIR / "webui.mjs"), name],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     env=e, cwd=BROWSER_DIR)

    def _read(self):
        line = self.proc.stdout.readline()
        if line:
            self.lines.append(line.rstrip())
            with open(self.log, "a") as f:
                f.write(line)
        return line

    def wait_ready(self, timeout=60):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            line = self._read()
            if not line:
                break
            try:
                if "ready" in json.loads(line):
                    return
            except ValueError:
                pass
        raise AssertionError("scenario never got ready:\n" + "\n".join(self.lines))

    def finish(self, timeout=150):
        end = time.monotonic() + timeout
        while self._read():
            if time.monotonic() > end:
                self.proc.kill()
                break
        rc = self.proc.wait(timeout=10)
        assert rc == 0, "browser scenario failed:\n" + "\n".join(self.lines)
        return self.lines


def add_printer(web, agent):
    s = web.login()
    r = web.request("POST", "/api/v1/credentials", {**REAUTH, "name": "pub", "version": "2c",
                                                      "community": "public"}, sess=s)
    assert r.status == 201, r.raw
    r = web.request("POST", "/api/v1/devices", {"address": agent.host, "port": agent.port,
                                                  "credential": "pub", "name": "Finance MFP"},
                    sess=s)
    assert r.status == 201, r.raw
    dev = r.json["device"]["id"]
    end = time.monotonic() + 40
    while time.monotonic() < end:
        d = web.request("GET", f"/api/v1/devices/{dev}", sess=s).json
        if d["device"]["status"] == "ok" and d["state"]["counters"]:
            return dev, d
        time.sleep(0.5)
    raise AssertionError(f"device not polled: {d}")


def seed_history(web, dev, name):
    """Counter history of the last ten days, as hourly polls would have left it."""
    db = sqlite3.connect(web.dir / "fleetgw.db", timeout=10)
    now = int(time.time())
    with db:
        for i in range(20):
            ts = now - (20 - i) * 12 * 3600
            db.execute("INSERT INTO counter_readings (device_id, ts, name, oid, value) "
                       "VALUES (?, ?, ?, '1.3.6.1.2.1.43.10.2.1.4.1.1', ?)",
                       (dev, ts, name, 10000 + i * 115 + (i % 3) * 40))
    db.close()


@pytest.fixture
def gateway(tdir, fleetgw):
    need_browser()
    g = WebGateway(tdir, fleetgw,
                   extra="").init()
    # Poll often so the live-alert scenario does not wait long.
    g.conf.write_text(g.conf.read_text().replace(
        "[poll]\ninterval = 60s\n", "[poll]\nschedule = fixed\ninterval = 10s\n"
                                   "alert_interval = 10s\n"))
    yield g
    if g.daemon:
        g.daemon.stop()


def test_pages_chart_and_csrf(gateway, snmpd_factory, shots):
    agent = snmpd_factory(PRINTER)
    gateway.start()
    dev, d = add_printer(gateway, agent)
    names = [c["name"] for c in d["state"]["counters"]]
    seed_history(gateway, dev, "total" if "total" in names else names[0])
    # The agent's three input trays (an empty MP tray, a cassette at 4 %) share index numbers
    # with the toner and the waste box: they are trays, not supplies, and none of them makes a
    # supply "low or empty" (the toner at 12 % is ok, the waste box "some remaining").
    st = d["state"]
    assert [(x["index"], x["description"]) for x in st["supplies"]] == [
        (1, "Black Toner"), (2, "Waste Toner Box")]
    assert [(t["index"], t["name"], t["level_text"]) for t in st["trays"]] == [
        (1, "Cassette 1", "250 of 500 sheets"), (2, "Cassette 2", "20 of 500 sheets"),
        (3, "MP Tray", "empty")]
    s = gateway.login()
    dash = gateway.request("GET", "/api/v1/status", sess=s).json
    assert dash["supplies_low"] == 0 and dash["low_supplies"] == [], dash
    Scenario("pages", gateway, shots, DEVICE=dev, SUPPLIES_LOW=0).finish()


def test_first_hour_chart(gateway, snmpd_factory, shots):
    """A new device: after a few polls (10 s apart) the chart has its readings, ending at the
    table's value, on an axis of minutes for every period (the history keeps one row an hour,
    so without the current reading the chart had one dot)."""
    agent = snmpd_factory(PRINTER)
    gateway.start()
    dev, d = add_printer(gateway, agent)
    s = gateway.login()
    first = {c["name"]: c["ts"] for c in d["state"]["counters"]}
    assert gateway.daemon.wait_until(
        lambda: any(c["ts"] != first.get(c["name"]) for c in
                    gateway.request("GET", f"/api/v1/devices/{dev}", sess=s).json["state"]
                    ["counters"]), 40, "a second counter poll")
    names = [c["name"] for c in d["state"]["counters"]]
    name = "total" if "total" in names else names[0]
    hist = gateway.request("GET", f"/api/v1/devices/{dev}/history?counter={name}&days=1",
                           sess=s).json["points"]
    assert len(hist) == 2 and hist[-1][1] == 12345, hist
    Scenario("chart", gateway, shots, DEVICE=dev).finish()


def test_wsd_device_page(gateway, tdir, shots):
    """WSD-only devices (fleetsim --snmp-off): transport, no SNMP port, "no counters (WSD only)",
    alerts in words; four alerts on four devices make one toast."""
    from test_62_discovery_wsd import WsdFleet
    fleet = WsdFleet(tdir, "fleetU", 4, "127.79.0.10", snmp_off=[0, 1, 2, 3]).start()
    try:
        gateway.cli("credential", "add", "pub", "-v", "2c", input="public\n")
        gateway.cli("discover", "add", "lab", "--target", "127.79.0.0/24", "--credential", "pub",
                    "--port", str(fleet.port), "--wsd-port", str(fleet.wsd_port),
                    "--auto-register")
        out = json.loads(gateway.cli("discover", "run", "lab", "--json", timeout=120).stdout)
        assert out["last_run"]["registered"] == 4, out
        gateway.start()
        s = gateway.login()
        items = gateway.request("GET", "/api/v1/devices", sess=s).json["items"]
        ids = {d["address"]: d["id"] for d in items}
        assert all(d["transport"] == "wsd" for d in items), items
        # Polled once each (the alerts standing then are learnt, not announced): the daemon
        # sums that round up in one line.
        assert gateway.daemon.wait_until(
            lambda: "first poll round: 4 devices, 4 ok" in gateway.log(), 40,
            "poll every WSD device")
        dev0 = ids[fleet.addr(0)]
        sc = Scenario("wsd", gateway, shots, DEVICE=dev0, ADDRESS=fleet.addr(0), ALERTS=4)
        sc.wait_ready()
        # A paper jam on every device: four new alerts within one status poll interval.
        for i in range(4):
            fleet.command(f"jam {i}")
        sc.finish()
        # A toner running low (a level above 0 and under 10 %) is "MarkerSupplyLow" over
        # WS-Print, Printer-MIB markerTonerAlmostEmpty (1104): both in words.
        toner = [x for x in gateway.request("GET", f"/api/v1/devices/{dev0}", sess=s)
                 .json["state"]["supplies"] if x["type"] == "toner"][0]
        fleet.command(f"toner 0 {toner['index']} 1")

        def low():
            a = gateway.request("GET", f"/api/v1/devices/{dev0}", sess=s).json["state"]["alerts"]
            return [x for x in a if x["code"] == 1104]
        low = wait_for(low, 30, "the low toner alert")
        assert low[0]["description"] == "MarkerSupplyLow", low
        assert low[0]["text"] == "Marker supply low", low
        assert low[0]["code_text"] == "Marker toner almost empty", low
    finally:
        fleet.stop()


def test_lockout_survives_restart(gateway, shots):
    gateway.start()
    Scenario("lockout", gateway, shots).finish()
    assert gateway.stop() == 0
    gateway.start()
    Scenario("locked", gateway, shots).finish()


def test_session_expiry(gateway, shots):
    gateway.conf.write_text(gateway.conf.read_text() + "session_idle_timeout = 3s\n")
    gateway.start()
    Scenario("expiry", gateway, shots, EXPIRY_LIMIT_MS=60000).finish()


def test_live_alert(gateway, snmpd_factory, shots):
    agent = snmpd_factory(PRINTER)
    gateway.start()
    dev, _ = add_printer(gateway, agent)
    sc = Scenario("alert", gateway, shots, DEVICE=dev, ALERT=ALERT_TEXT)
    sc.wait_ready()
    # The agent "reboots" with a paper jam: the next status poll finds the new alert.
    agent.extra_conf = PRINTER + ALERT
    agent._write_conf()
    agent.restart()
    sc.finish()


def test_discovery_page(gateway, tdir, shots):
    from test_60_discovery import Fleet
    fleet = Fleet(tdir, "fleet", 5, "127.0.61.1", v3=False).start()
    try:
        gateway.start()
        s = gateway.login()
        r = gateway.request("POST", "/api/v1/credentials", {**REAUTH, "name": "pub", "version": "2c",
                                                              "community": "public"}, sess=s)
        assert r.status == 201, r.raw
        lines = Scenario("discovery", gateway, shots, TARGETS="127.0.61.1-127.0.61.20",
                         SNMP_PORT=fleet.port, PRINTERS=5).finish()
        print("\n".join(l for l in lines if "progress_events" in l))
    finally:
        fleet.stop()


def test_security_reauth_and_sessions(gateway, shots):
    from test_40_webui_api import _served_fingerprint
    crt, key = gateway.tdir / "new.crt", gateway.tdir / "new.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "30", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)
    want = subprocess.run(["openssl", "x509", "-in", str(crt), "-noout", "-fingerprint",
                           "-sha256"], check=True, capture_output=True, text=True)
    want = want.stdout.strip().split("=", 1)[1]
    gateway.start()
    assert _served_fingerprint(gateway) != want
    other = gateway.login()  # a second session for the page to end
    Scenario("security", gateway, shots, CERT_FILE=crt, KEY_FILE=key).finish()
    assert _served_fingerprint(gateway) == want
    assert gateway.request("GET", "/api/v1/status", sess=other).status == 401
    ended = [a for a in gateway.audit(gateway.login()) if a["action"] == "session.terminated"]
    assert ended, "ending the session was not audited"
