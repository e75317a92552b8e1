# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# The daemon against real net-snmp agents on loopback: init and key-file permissions, strict
# configuration, polling and status, one log line per state change, a dead device that does not
# delay the others, counter regression events, shared engine IDs, a vendor counter table read
# whole (probe and store), CSV import through the running daemon, SIGHUP with a bad file,
# SIGTERM exit 0, and secrets that never show.

import json
import os
import re
import signal
import stat
import time

import pytest

from conftest import Daemon, SNMPD_USERS, free_udp_port, need_fleetgw, wait_for

AUTH_PASS = SNMPD_USERS["fleet"][1]
PRIV_PASS = SNMPD_USERS["fleet"][3]


class Gateway:
    """A fleetgw state dir with its config, the CLI, and the daemon."""

    def __init__(self, tdir, fleetgw, interval="10s", extra=""):
        self.dir = tdir / "gw"
        self.conf = tdir / "fleetgw.conf"
        self.run_cli = fleetgw
        self.conf.write_text(
            f"[gateway]\nstate_dir = {self.dir}\nlog_level = info\n"
            f"[snmp]\ntimeout = 500ms\nretries = 1\n"
            f"[poll]\nschedule = fixed\ninterval = {interval}\nalert_interval = {interval}\n"
            f"{extra}")
        self.daemon = None

    def cli(self, *args, ok=True, **kw):
        cp = self.run_cli("-c", self.conf, *args, **kw)
        if ok:
            assert cp.returncode == 0, f"fleetgw {args} failed: {cp.stderr}"
        return cp

    def json(self, *args):
        return json.loads(self.cli(*args).stdout)

    def init(self):
        self.cli("init")
        return self

    def add_v3(self, name, tdir):
        (tdir / "a.txt").write_text(AUTH_PASS + "\n")
        (tdir / "p.txt").write_text(PRIV_PASS + "\n")
        self.cli("credential", "add", name, "-v", "3", "-u", "fleet", "-l", "authPriv", "-a",
                 "SHA-256", "-x", "AES", "--auth-pass-file", tdir / "a.txt",
                 "--priv-pass-file", tdir / "p.txt")

    def start(self):
        self.daemon = Daemon("fleetgw", [need_fleetgw(), "-c", str(self.conf)],
                             self.dir.parent / "fleetgw.log")
        self.daemon.start()
        self.daemon.wait_until(lambda: self.status() is not None, 10, "answer status")
        return self

    def status(self):
        cp = self.run_cli("-c", self.conf, "status", "--json")
        return json.loads(cp.stdout) if cp.returncode == 0 else None

    def log(self):
        return self.daemon.log.read_text(errors="replace")

    def device(self, dev_id):
        return self.json("device", "show", str(dev_id), "--json")

    def wait(self, pred, timeout, what):
        return wait_for(pred, timeout, what)

    def stop(self):
        if self.daemon and self.daemon.alive():
            self.daemon.proc.send_signal(signal.SIGTERM)
            return self.daemon.proc.wait(timeout=10)
        return None


@pytest.fixture
def gw(tdir, fleetgw):
    g = Gateway(tdir, fleetgw)
    yield g
    if g.daemon:
        g.daemon.stop()


PRINTER_OVERRIDES = """
override .1.3.6.1.2.1.43.5.1.1.17.1 octet_str "CNB1234567"
override .1.3.6.1.2.1.25.3.2.1.2.1 object_id .1.3.6.1.2.1.25.3.1.5
override .1.3.6.1.2.1.43.10.2.1.4.1.1 counter {count}
override .1.3.6.1.2.1.43.11.1.1.6.1.1 octet_str "Black Toner"
override .1.3.6.1.2.1.43.11.1.1.5.1.1 integer 3
override .1.3.6.1.2.1.43.11.1.1.8.1.1 integer 100
override .1.3.6.1.2.1.43.11.1.1.9.1.1 integer {toner}
"""


def printer_conf(count=5000, toner=42):
    return PRINTER_OVERRIDES.format(count=count, toner=toner)


def test_init_creates_private_state(gw):
    gw.init()
    assert stat.S_IMODE(os.stat(gw.dir).st_mode) == 0o700
    key = gw.dir / "secrets.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert key.stat().st_size == 32
    assert (gw.dir / "fleetgw.db").exists()
    # A second init keeps the key: replacing it would orphan every stored secret.
    before = key.read_bytes()
    gw.init()
    assert key.read_bytes() == before


def test_refuses_readable_key(gw):
    gw.init()
    os.chmod(gw.dir / "secrets.key", 0o644)
    cp = gw.cli(ok=False)
    assert cp.returncode == 1
    assert "secrets.key" in cp.stderr and "0644" in cp.stderr


def test_config_check_and_dump(gw, tdir, fleetgw):
    cp = gw.cli("-t")
    assert "configuration ok" in cp.stdout
    dump = gw.cli("-T").stdout
    assert re.search(r"^interval = 10s$", dump, re.M)
    assert re.search(r"^retries = 1$", dump, re.M)
    # Defaults appear too.
    assert re.search(r"^max_in_flight = \d+$", dump, re.M)
    bad = tdir / "bad.conf"
    bad.write_text("[snmp]\nretries = 1\n\nretries = 2\n[poll]\ninterval = 3x\n")
    cp = fleetgw("-c", bad, "-t")
    assert cp.returncode == 1
    assert re.search(r"bad\.conf:4: snmp\.retries: .*duplicate", cp.stderr), cp.stderr
    bad.write_text("[snmp]\ntimeout = 2s\nfrobnicate = yes\n")
    cp = fleetgw("-c", bad, "-t")
    assert cp.returncode == 1 and "bad.conf:3: snmp.frobnicate" in cp.stderr, cp.stderr


def test_polls_status_and_state_changes(gw, tdir, snmpd_factory):
    agent = snmpd_factory(printer_conf())
    gw.init()
    gw.add_v3("v3", tdir)
    gw.cli("credential", "add", "pub", "-v", "2c", input="public\n")
    gw.cli("device", "add", agent.endpoint, "--credential", "v3", "--name", "mfp")
    dead_port = free_udp_port()
    gw.cli("device", "add", f"127.0.0.1:{dead_port}", "--credential", "pub", "--name", "gone")
    gw.start()

    dev = gw.wait(lambda: (d := gw.device(1))["device"]["status"] == "ok" and d, 20,
                  "device 1 polled")
    assert dev["device"]["serial"] == "CNB1234567"
    assert dev["device"]["engine_id"] == agent.engine_id
    assert dev["device"]["page_count_total"] == 5000
    toner = [s for s in dev["state"]["supplies"] if s["description"] == "Black Toner"]
    assert toner and toner[0]["percent"] == 42 and toner[0]["state"] == "ok"
    gw.wait(lambda: gw.device(2)["device"]["status"] == "unreachable", 20, "device 2 failed")

    # The dead device keeps failing while the live one keeps being polled on time.
    st0 = gw.status()
    gw.wait(lambda: gw.status()["polls_ok"] >= st0["polls_ok"] + 2, 30, "two more polls")
    st = gw.status()
    for key in ("devices", "polls_ok", "polls_failed", "uptime_s", "rss_kb", "polls_in_flight",
                "devices_unreachable"):
        assert key in st, key
    assert st["devices"] == 2 and st["devices_unreachable"] == 1
    assert st["polls_failed"] >= 2 and 0 < st["rss_kb"] < 200000

    # One line per state change, not one per failed poll.
    log = gw.log()
    assert len(re.findall(r"device poll failed device=2 ", log)) == 1, log
    # The start-up round is one summary line, not one "device polled" line per device.
    assert len(re.findall(r"first poll round: 2 devices, 1 ok, 1 unreachable seconds=\d+",
                          log)) == 1, log
    assert not re.search(r"device polled device=1 ", log), log
    assert gw.stop() == 0
    assert "stopped" in gw.log()


def test_counter_regression_is_an_event(gw, tdir, snmpd_factory):
    agent = snmpd_factory(printer_conf(count=5000))
    gw.init()
    gw.cli("credential", "add", "pub", "-v", "2c", input="public\n")
    gw.cli("device", "add", agent.endpoint, "--credential", "pub")
    gw.start()
    gw.wait(lambda: gw.device(1)["device"]["page_count_total"] == 5000, 20, "first count")
    # The printer's counter goes backwards (board replaced, counter reset): same port, new agent.
    agent.stop()
    agent.extra_conf = printer_conf(count=1200)
    agent._write_conf()
    Daemon.start(agent)  # same argv, so the same port
    ev = gw.wait(lambda: [e for e in gw.device(1)["events"] if e["kind"] == "counter_regression"],
                 30, "counter_regression event")
    detail = ev[0]["detail"]
    assert detail["previous"] == 5000 and detail["value"] == 1200
    # The meter keeps its highest value.
    assert gw.device(1)["device"]["page_count_total"] == 5000


def test_shared_engine_id_is_reported(gw, tdir, snmpd_factory):
    # The snmpd fixture gives every instance the same engineID: two "devices" sharing one.
    a, b = snmpd_factory(), snmpd_factory()
    gw.init()
    gw.add_v3("v3", tdir)
    gw.cli("device", "add", a.endpoint, "--credential", "v3")
    gw.cli("device", "add", b.endpoint, "--credential", "v3")
    gw.start()
    gw.wait(lambda: "devices share an SNMP engine ID" in gw.log(), 30, "shared engine warning")
    kinds = [e["kind"] for i in (1, 2) for e in gw.device(i)["events"]]
    assert "engine_id_shared" in kinds


# A colour Sharp MFP (like an MX-3570N): its labelled counter table 2385.1.1.19.2.1 (count in
# column 3, label in column 4) has rows the catalogue maps by index ("Prints"), rows it maps by
# the device's label ("Full Color Copy Count") and rows it has never seen, which must still be
# reported under a name made from the label (or the index when there is none).
SHARP = ".1.3.6.1.4.1.2385.1.1.19.2.1"
SHARP_ROWS = [  # index, value, label
    ("1.4.60", 61000, "Prints"),
    ("1.4.61", 41000, "Black & White Print Count"),
    ("4.4.63", 9800, "Full Color Copy Count"),
    ("7.4.61", 77, "Black & White Document Filing Print Count"),
    ("9.4.80", 12, "Fax Receive Line1"),
    ("9.4.82", 5, None),
]
SHARP_NAMES = {
    "1.4.60": "print_total", "1.4.61": "print_mono", "4.4.63": "copy_full_colour",
    "7.4.61": "sharp_black_white_document_filing_print", "9.4.80": "sharp_fax_receive_line1",
    "9.4.82": "sharp_9_4_82",
}


def sharp_conf(count=152000):
    lines = [printer_conf(count=count),
             "override .1.3.6.1.2.1.1.2.0 object_id .1.3.6.1.4.1.2385.3.1.111.1.40"]
    for idx, value, label in SHARP_ROWS:
        lines.append(f"override {SHARP}.3.{idx} counter {value}")
        if label:
            lines.append(f'override {SHARP}.4.{idx} octet_str "{label}"')
    return "\n".join(lines) + "\n"


def test_vendor_table_rows_are_probed_and_stored(gw, tdir, snmpd_factory, fleetgw):
    agent = snmpd_factory(sharp_conf())
    want = {SHARP_NAMES[idx]: (f"{SHARP[1:]}.3.{idx}", value) for idx, value, _ in SHARP_ROWS}

    cp = fleetgw("probe", "--json", "-v", "2c", "-c", "public", agent.endpoint)
    assert cp.returncode == 0, cp.stderr
    j = json.loads(cp.stdout)
    assert j["vendor"] == "Sharp"
    got = {c["name"]: (c["oid"], c["value"]) for c in j["counters"]}
    for name, ov in want.items():
        assert got.get(name) == ov, (name, got)
    # Table rows are never the billing total: the life count stays it.
    assert j["page_count_total"] == 152000 and j["page_count_source"] == "marker_life.1"

    gw.init()
    gw.add_v3("v3", tdir)
    gw.cli("device", "add", agent.endpoint, "--credential", "v3", "--name", "sharp")
    gw.start()
    dev = gw.wait(lambda: (d := gw.device(1))["device"]["status"] == "ok" and d, 20,
                  "device polled")
    stored = {c["name"]: c for c in dev["state"]["counters"]}
    for name, (oid, value) in want.items():
        assert name in stored, (name, sorted(stored))
        assert stored[name]["value"] == value, stored[name]
    assert dev["device"]["page_count_total"] == 152000


def test_import_through_running_daemon(gw, tdir, snmpd):
    gw.init()
    gw.cli("credential", "add", "pub", "-v", "2c", input="public\n")
    gw.start()
    csv = tdir / "devices.csv"
    csv.write_text("address,port,credential,name\n"
                   f"127.0.0.1,{snmpd.port},pub,first\n"
                   "10.0.0.300,161,pub,bad\n")
    cp = gw.cli("device", "import", csv, ok=False)
    assert cp.returncode == 1 and "devices.csv:3" in cp.stderr, cp.stderr
    assert gw.json("device", "list", "--json") == []
    csv.write_text("address,port,credential,name\n"
                   f"127.0.0.1,{snmpd.port},pub,first\n"
                   "printer-2.example.invalid,,pub,second\n")
    assert "imported 2 devices" in gw.cli("device", "import", csv).stdout
    # The daemon took the change at once: the device is polled without a restart.
    gw.wait(lambda: gw.device(1)["device"]["status"] == "ok", 20, "imported device polled")
    audit = gw.cli("audit", "verify")
    assert "intact" in audit.stdout


def test_reload_keeps_old_config_on_error_and_stops_cleanly(gw, tdir):
    gw.init()
    gw.start()
    good = gw.conf.read_text()
    gw.conf.write_text(good + "unknown_key = 1\n")
    gw.daemon.proc.send_signal(signal.SIGHUP)
    gw.wait(lambda: "reload failed, keeping the running configuration" in gw.log(), 10,
            "reload failure logged")
    # The CLI reads the same file to find the daemon: put a good one back (no SIGHUP) to ask.
    gw.conf.write_text(good)
    assert gw.status()["schedule"] == "fixed"
    assert gw.daemon.alive()
    gw.conf.write_text(good.replace("schedule = fixed", "schedule = table5"))
    gw.daemon.proc.send_signal(signal.SIGHUP)
    gw.wait(lambda: gw.status()["schedule"] == "table5", 10, "reloaded schedule")
    t0 = time.monotonic()
    assert gw.stop() == 0
    assert time.monotonic() - t0 < 5
    assert not (gw.dir / "control.sock").exists()


def test_secrets_never_shown(gw, tdir, snmpd):
    gw.init()
    gw.add_v3("v3", tdir)
    gw.cli("credential", "add", "pub", "-v", "2c", input="s3cret-community\n")
    gw.cli("device", "add", snmpd.endpoint, "--credential", "v3")
    gw.start()
    gw.wait(lambda: gw.device(1)["device"]["status"] == "ok", 20, "device polled")
    outputs = [
        gw.cli("credential", "list", "--json").stdout,
        gw.cli("credential", "list").stdout,
        gw.cli("device", "list", "--json").stdout,
        gw.cli("device", "show", "1", "--json").stdout,
        gw.cli("-T").stdout,
        gw.cli("status", "--json").stdout,
        gw.log(),
    ]
    gw.stop()
    raw = (gw.dir / "fleetgw.db").read_bytes()
    for wal in gw.dir.glob("fleetgw.db-wal"):
        raw += wal.read_bytes()
    for secret in (AUTH_PASS, PRIV_PASS, "s3cret-community"):
        for out in outputs:
            assert secret not in out
        assert secret.encode() not in raw
