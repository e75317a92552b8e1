# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# The scheduler against a simulated fleet (tests/fleetsim): every device polled at its interval
# within tolerance, no poll missed, an unreachable device backing off and coming back, a counter
# reset reported as a regression event, Table 5 intervals and pinned priorities as `device list`
# shows them, and SNMPv3 devices polled with net-snmp's user list kept small.

import json
import os
import re
import time
from pathlib import Path

import pytest

from conftest import BUILDDIR, Daemon, FleetsimProcess, free_udp_port, need_fleetgw, wait_for

V3 = ("fleet", "authpass123", "privpass123")


class Fleet(FleetsimProcess):
    """fleetsim on 127.31.x.y with a control socket."""

    def __init__(self, tdir, devices, base="127.31.0.1", v3=False):
        exe = Path(BUILDDIR or ".") / "tests" / "fleetsim" / "fleetsim"
        if not os.access(exe, os.X_OK):
            pytest.skip(f"{exe} is not built")
        self.port = free_udp_port()
        self.ctl = tdir / "fleetsim.sock"
        self.base = base
        argv = [str(exe), "--devices", str(devices), "--base-address", base, "--port",
                str(self.port), "--control", str(self.ctl), "--events-per-hour", "0",
                "--seed", "7"]
        if v3:
            argv += ["--v3-user", V3[0], "--v3-auth-key", V3[1], "--v3-priv-key", V3[2]]
        super().__init__("fleetsim", argv, tdir / "fleetsim.log")


class Gateway:
    def __init__(self, tdir, run, conf_extra):
        self.dir = tdir / "gw"
        self.conf = tdir / "fleetgw.conf"
        self.run = run
        self.conf.write_text(f"[gateway]\nstate_dir = {self.dir}\n"
                             f"[snmp]\ntimeout = 500ms\nretries = 1\n{conf_extra}")
        self.daemon = None

    def cli(self, *args, **kw):
        cp = self.run("-c", self.conf, *args, **kw)
        assert cp.returncode == 0, f"fleetgw {args}: {cp.stderr}"
        return cp.stdout

    def json(self, *args):
        return json.loads(self.cli(*args))

    def start(self):
        self.daemon = Daemon("fleetgw", [need_fleetgw(), "-c", str(self.conf)],
                             self.dir.parent / "fleetgw.log").start()
        self.daemon.wait_until(lambda: self.run("-c", self.conf, "status").returncode == 0, 10,
                               "answer status")
        return self

    def status(self):
        return self.json("status", "--json")

    def log(self):
        return self.daemon.log.read_text(errors="replace")


def register(gw, fleet, n, cred):
    csv = gw.dir.parent / "fleet.csv"
    csv.write_text("address,port,credential,name\n" +
                   "".join(f"{fleet.addr(i)},{fleet.port},{cred},sim{i}\n" for i in range(n)))
    assert f"imported {n} devices" in gw.cli("device", "import", csv)


@pytest.fixture
def setup(tdir, fleetgw):
    started = []

    def make(devices, conf_extra, v3=False):
        fleet = Fleet(tdir, devices, v3=v3).start()
        started.append(fleet)
        gw = Gateway(tdir, fleetgw, conf_extra)
        gw.cli("init")
        if v3:
            (tdir / "a").write_text(V3[1] + "\n")
            (tdir / "p").write_text(V3[2] + "\n")
            gw.cli("credential", "add", "sim", "-v", "3", "-u", V3[0], "-l", "authPriv", "-a",
                   "SHA", "-x", "AES", "--auth-pass-file", tdir / "a", "--priv-pass-file",
                   tdir / "p")
        else:
            gw.cli("credential", "add", "sim", "-v", "2c", input="public\n")
        register(gw, fleet, devices, "sim")
        started.append(gw.start().daemon)
        return fleet, gw

    yield make
    for d in reversed(started):
        d.stop()


FIXED = "[poll]\nschedule = fixed\nalert_interval = 10s\ninterval = 20s\n"


def test_cadence_backoff_and_regression(setup):
    n = 12
    fleet, gw = setup(n, FIXED)
    # Let every device reach its steady cadence, then count polls over a measured window.
    wait_for(lambda: all(d["status"] == "ok" for d in gw.json("device", "list", "--json")), 40,
         "every device polled")
    s0, t0 = gw.status(), time.monotonic()
    time.sleep(30)
    s1, t1 = gw.status(), time.monotonic()
    polls = s1["polls_ok"] - s0["polls_ok"]
    expected = n * (t1 - t0) / 10
    # Status polls every 10 s (full polls every 20 s include the status objects).
    assert expected * 0.85 <= polls <= expected * 1.15 + n, (polls, expected)
    # Full polls every 20 s: in a 30 s window each device has one or two, depending on where
    # its phase falls.
    full = s1["polls_full"] - s0["polls_full"]
    assert n <= full <= 2 * n, full
    assert s1["polls_missed"] == 0
    assert s1["poll_lateness_p99_ms"] < 1000
    for d in gw.json("device", "list", "--json"):
        assert d["alert_interval_s"] == 10 and d["counter_interval_s"] == 20
        assert d["next_poll"] is not None

    # A device taken away: retried sooner than its interval, then backing off.
    fleet.command("down 3")
    wait_for(lambda: gw.json("device", "show", "4", "--json")["device"]["status"] == "unreachable",
         20, "device 4 unreachable")
    fails = []
    last = gw.status()["polls_failed"]
    end = time.monotonic() + 16
    while time.monotonic() < end:
        cur = gw.status()["polls_failed"]
        if cur != last:
            fails.append(time.monotonic())
            last = cur
        time.sleep(0.1)
    gaps = [b - a for a, b in zip(fails, fails[1:])]
    # alert interval 10 s: retries after 1.25, 2.5, 5, 10 s (plus the 1 s of timeouts).
    assert len(gaps) >= 2 and gaps[-1] > gaps[0] * 1.5, gaps
    assert gw.status()["devices_unreachable"] == 1
    fleet.command("up 3")
    wait_for(lambda: gw.json("device", "show", "4", "--json")["device"]["status"] == "ok", 20,
         "device 4 back")
    log = gw.log()
    assert len(re.findall(r"device poll failed device=4 ", log)) == 1, log
    assert len(re.findall(r"device polled device=4 .*previous=unreachable", log)) == 1, log

    # A counter reset (board swap) is an event, and the meter keeps its value.
    before = gw.json("device", "show", "6", "--json")["device"]["page_count_total"]
    fleet.command("counter 5 100")
    ev = wait_for(lambda: [e for e in gw.json("device", "show", "6", "--json")["events"]
                       if e["kind"] == "counter_regression"], 30, "regression event")
    assert ev[0]["detail"]["value"] < before
    assert gw.json("device", "show", "6", "--json")["device"]["page_count_total"] >= before


def test_table5_and_pinned_priority(setup):
    fleet, gw = setup(30, "")
    devs = gw.json("device", "list", "--json")
    # 30 devices: the 26-100 band; new devices are high priority.
    assert {d["priority"] for d in devs} == {"high"}
    assert {d["alert_interval_s"] for d in devs} == {300}
    assert {d["counter_interval_s"] for d in devs} == {3600}
    gw.cli("device", "set", "2", "--priority", "low")
    d2 = [d for d in gw.json("device", "list", "--json") if d["id"] == 2][0]
    assert d2["priority"] == "low" and d2["priority_pinned"]
    assert d2["alert_interval_s"] == 1200 and d2["counter_interval_s"] == 14400
    gw.cli("device", "set", "2", "--priority", "auto")
    d2 = [d for d in gw.json("device", "list", "--json") if d["id"] == 2][0]
    assert not d2["priority_pinned"] and d2["priority"] == "high"
    cp = gw.run("-c", gw.conf, "device", "set", "2", "--priority", "urgent")
    assert cp.returncode == 1 and "high, middle, low or auto" in cp.stderr
    # First polls are spread over the first minute: after 20 s about a third of the fleet was
    # polled, not all of it at once and not none.
    time.sleep(20)
    first = gw.status()["polls_ok"]
    assert 4 <= first <= 20, first
    assert gw.status()["polls_missed"] == 0


def test_v3_fleet(setup):
    n = 40
    fleet, gw = setup(n, FIXED, v3=True)
    wait_for(lambda: gw.status()["polls_ok"] >= 2 * n, 60, "two rounds of v3 polls")
    devs = gw.json("device", "list", "--json")
    assert all(d["status"] == "ok" for d in devs)
    engines = {d["engine_id"] for d in devs}
    assert len(engines) == n and "" not in engines
    st = gw.status()
    assert st["polls_failed"] == 0 and st["polls_missed"] == 0
