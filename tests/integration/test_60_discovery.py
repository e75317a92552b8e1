# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# Discovery sweeps against simulated fleets (tests/fleetsim) on loopback: ranges with holes,
# credentials tried in order (wrong v2c community, v3), devices that answer no credential, the
# packets-per-second limit measured on the simulator's side, and target syntax errors. Every
# target is in 127.0.0.0/8.

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (BUILDDIR, DATADIR, SRCDIR, Daemon, FleetsimProcess, free_udp_port,
                      need_fleetgw)

V3 = ("fleet", "authpass123", "privpass123")


class Fleet(FleetsimProcess):
    """fleetsim with a control socket; one process per port (it binds 0.0.0.0:PORT)."""

    def __init__(self, tdir, name, devices, base, community="public", v3=True, extra=()):
        exe = Path(BUILDDIR or ".") / "tests" / "fleetsim" / "fleetsim"
        if not os.access(exe, os.X_OK):
            pytest.skip(f"{exe} is not built")
        self.port = free_udp_port()
        self.ctl = tdir / f"{name}.sock"
        self.base = base
        argv = [str(exe), "--devices", str(devices), "--base-address", base, "--port",
                str(self.port), "--control", str(self.ctl), "--events-per-hour", "0",
                "--seed", "11", "--community", community]
        if v3:
            argv += ["--v3-user", V3[0], "--v3-auth-key", V3[1], "--v3-priv-key", V3[2]]
        argv += list(extra)
        super().__init__(name, argv, tdir / f"{name}.log")


@pytest.fixture
def env(tdir, fleetgw):
    """A gateway state directory with credential sets v2 (public), wrong (v2c private), v3
    (the simulator's user) and nobody (v3, unknown user); yields (run, fleets list)."""
    conf = tdir / "fleetgw.conf"
    conf.write_text(f"[gateway]\nstate_dir = {tdir / 'gw'}\n")
    fleets = []

    def run(*args, ok=True, **kw):
        cp = fleetgw("-c", conf, *args, **kw)
        if ok:
            assert cp.returncode == 0, f"fleetgw {args}: {cp.stderr}"
        return cp

    run("init")
    run("credential", "add", "v2", "-v", "2c", input="public\n")
    run("credential", "add", "wrong", "-v", "2c", input="private\n")
    (tdir / "a").write_text(V3[1] + "\n")
    (tdir / "p").write_text(V3[2] + "\n")
    run("credential", "add", "v3", "-v", "3", "-u", V3[0], "-l", "authPriv", "-a", "SHA", "-x",
        "AES", "--auth-pass-file", tdir / "a", "--priv-pass-file", tdir / "p")
    run("credential", "add", "nobody", "-v", "3", "-u", "nobody", "-l", "authPriv", "-a", "SHA",
        "-x", "AES", "--auth-pass-file", tdir / "a", "--priv-pass-file", tdir / "p")

    def fleet(*a, **kw):
        f = Fleet(tdir, *a, **kw).start()
        fleets.append(f)
        return f

    yield run, fleet
    for f in reversed(fleets):
        f.stop()


def sweep(run, fleet, target, *creds, extra=()):
    args = ["discover", "run", "--target", target, "--port", str(fleet.port), "--json"]
    for c in creds:
        args += ["--credential", c]
    cp = run(*args, *extra, timeout=120)
    return json.loads(cp.stdout)


def test_holes_and_credentials_in_order(env):
    run, make = env
    fleet = make("fleetA", 24, "127.61.0.10")
    # Holes: three devices stop answering, two move to the far end of the range.
    for i in (3, 4, 17):
        fleet.command(f"down {i}")
    fleet.command("move 20 127.61.0.250")
    fleet.command("move 21 127.61.0.201")
    expected = {fleet.addr(i) for i in range(24) if i not in (3, 4, 17, 20, 21)}
    expected |= {"127.61.0.250", "127.61.0.201"}

    # The wrong community is tried first on every address, then v3.
    r = sweep(run, fleet, "127.61.0.0/24", "wrong", "nobody", "v3")
    found = {p["address"]: p for p in r["printers"]}
    assert set(found) == expected
    assert all(p["how"] == "snmp-v3" and p["credential"] == "v3" for p in found.values())
    assert all(p["serial"] and p["mac"] and p["model"] and p["engine_id"] for p in found.values())
    assert len({p["serial"] for p in found.values()}) == len(expected)
    s = r["sweep"]
    assert s["total"] == 256 and s["done"] == 256 and s["complete"]
    assert s["printers"] == len(expected) and s["responders"] == len(expected)

    # v2c first: found through the community, the v3 credential never needed.
    r = sweep(run, fleet, "127.61.0.10-127.61.0.40", "v2", "v3")
    assert {p["address"] for p in r["printers"]} == {a for a in expected
                                                     if a.startswith("127.61.0.")
                                                     and 10 <= int(a.split(".")[3]) <= 40}
    assert all(p["how"] == "snmp-v2c" for p in r["printers"])

    # Excludes are honoured.
    r = sweep(run, fleet, "127.61.0.0/24", "v2", extra=("--exclude", "127.61.0.0-127.61.0.200"))
    assert {p["address"] for p in r["printers"]} == {"127.61.0.250", "127.61.0.201"}


def test_devices_answering_no_credential(env):
    run, make = env
    # Another community and no v3 user: v2c is silent, v3 gets unknownUserNames Reports.
    fleet = make("fleetB", 12, "127.62.0.1", community="secret", v3=False)
    r = sweep(run, fleet, "127.62.0.0/28", "v2", "v3")
    assert r["printers"] == []
    assert r["sweep"]["responders"] == 12
    assert r["sweep"]["total"] == 16


def test_pps_limit(env):
    run, make = env
    fleet = make("fleetC", 4, "127.63.0.1")
    before = int(fleet.stats()["rx"])
    t0 = time.monotonic()
    # 512 mostly empty addresses with one v3 credential: one SNMP packet per silent address,
    # plus one WS-Discovery Probe per address (WSD is on by default; nothing answers it here).
    r = sweep(run, fleet, "127.63.0.0/23", "v3", extra=("--pps", "200"))
    elapsed = time.monotonic() - t0
    rx = int(fleet.stats()["rx"]) - before
    assert {p["address"] for p in r["printers"]} == {fleet.addr(i) for i in range(4)}
    assert r["sweep"]["packets"] == 1024 and r["sweep"]["wsd_packets"] == 512
    # Both kinds share the limit: at least 5 s for 1024 packets at 200 pps.
    assert r["sweep"]["elapsed_s"] >= 1024 / 200 * 0.95, r["sweep"]
    probe_rate = 1024 / r["sweep"]["elapsed_s"]
    print(f"pps limit 200: {probe_rate:.0f} paced packets/s over {r['sweep']['elapsed_s']:.2f} s,"
          f" simulator received {rx} SNMP packets in {elapsed:.2f} s")
    assert probe_rate <= 200 * 1.1
    # SNMP alone, as before WS-Discovery: one packet per address.
    r = sweep(run, fleet, "127.63.0.0/24", "v3", extra=("--pps", "400", "--no-wsd"))
    assert r["sweep"]["packets"] == 256 and r["sweep"]["wsd_packets"] == 0
    assert r["sweep"]["elapsed_s"] >= 256 / 400 * 0.95, r["sweep"]


@pytest.mark.parametrize("target,message", [
    ("127.0.0.1,127.0.0.300", "target 2: '127.0.0.300': octet out of range"),
    ("::1", "target 1: '::1': IPv6 is not supported by the SNMP sweep yet"),
    ("127.0.0.0/15", "more than a /16 (65536): confirm to sweep"),
])
def test_bad_targets(env, target, message):
    run, _ = env
    cp = run("discover", "run", "--target", target, "--json", ok=False)
    assert cp.returncode == 2
    assert message in cp.stderr


def start_daemon(tdir, run):
    conf = tdir / "fleetgw.conf"
    d = Daemon("fleetgw", [need_fleetgw(), "-f", "-c", str(conf)], tdir / "fleetgw.log")
    d.start()
    d.wait_until(lambda: run("status", ok=False).returncode == 0, 10, "answer status")
    return d


def devices(run):
    return json.loads(run("device", "list", "--json").stdout)


def test_moved_device_is_same_device(env, tdir):
    run, make = env
    fleet = make("fleetM", 8, "127.64.0.10")
    run("discover", "add", "lab", "--target", "127.64.0.0/24", "--credential", "wrong",
        "--credential", "v3", "--port", str(fleet.port), "--auto-register")
    gw = start_daemon(tdir, run)
    try:
        s = json.loads(run("discover", "run", "lab", "--json", timeout=120).stdout)
        assert s["last_run"]["state"] == "done"
        assert s["last_run"]["printers"] == 8 and s["last_run"]["registered"] == 8
        before = {d["address"]: d for d in devices(run)}
        assert set(before) == {fleet.addr(i) for i in range(8)}, before.keys()
        moved_id = before[fleet.addr(2)]["id"]

        fleet.command("move 2 127.64.0.200")
        s = json.loads(run("discover", "run", "lab", "--json", timeout=120).stdout)
        assert s["last_run"]["moved"] == 1 and s["last_run"]["registered"] == 0
        after = {d["id"]: d for d in devices(run)}
        assert len(after) == 8, "no duplicate after a move"
        assert after[moved_id]["address"] == "127.64.0.200"
        show = json.loads(run("device", "show", str(moved_id), "--json").stdout)
        assert any(e["kind"] == "device_moved" for e in show["events"]), show["events"]
        assert "127.64.0.200" in {p["address"] for p in s["printers"]}

        st = json.loads(run("status", "--json").stdout)
        assert st["discovery"]["settings"] == 1 and st["discovery"]["running"] == []
        # Two settings over the same printers register nothing twice.
        run("discover", "add", "lab2", "--target", "127.64.0.0/24", "--credential", "v3",
            "--port", str(fleet.port), "--auto-register")
        s = json.loads(run("discover", "run", "lab2", "--json", timeout=120).stdout)
        assert s["last_run"]["registered"] == 0 and len(devices(run)) == 8
    finally:
        gw.stop()


def test_set_changes_options_and_keeps_last_run(env):
    """discover set changes only the options given and keeps the last run and its printers; a
    second add of the same name is refused as existing, not as a database error."""
    run, make = env
    fleet = make("fleetS", 4, "127.66.0.10")
    run("discover", "add", "office", "--target", "127.66.0.0/28", "--credential", "v3",
        "--port", str(fleet.port), "--no-wsd")
    first = json.loads(run("discover", "run", "office", "--json", timeout=120).stdout)
    assert first["last_run"]["printers"] == 4

    cp = run("discover", "add", "office", "--target", "127.66.0.1", "--credential", "v2", ok=False)
    assert cp.returncode != 0 and "a discovery setting 'office' exists" in cp.stderr, cp.stderr

    cp = run("discover", "set", "office", "--pps", "800", "--schedule", "daily 03:15",
             "--credential", "wrong", "--credential", "v3")
    assert "changed" in cp.stdout
    s = json.loads(run("discover", "show", "office", "--json").stdout)
    assert s["pps"] == 800 and s["schedule"] == "daily 03:15"
    assert s["credentials"] == ["wrong", "v3"]
    assert s["targets"] == "127.66.0.0/28" and s["wsd"] is False, "untouched options kept"
    assert s["last_run"]["printers"] == 4 and len(s["printers"]) == 4, "last run kept"

    cp = run("discover", "set", "office", "--target", "127.66.0.300", ok=False)
    assert cp.returncode == 2 and "'127.66.0.300': octet out of range" in cp.stderr, cp.stderr
    s = json.loads(run("discover", "show", "office", "--json").stdout)
    assert s["targets"] == "127.66.0.0/28", "a refused change stores nothing"

    cp = run("discover", "set", "nosuch", "--pps", "10", ok=False)
    assert cp.returncode != 0 and "no discovery setting 'nosuch'" in cp.stderr, cp.stderr


def test_sweep_killed_midway_resumes(env, tdir):
    run, make = env
    fleet = make("fleetR", 6, "127.65.0.1")
    # Two printers late in the range, found only after the restart.
    fleet.command("move 4 127.65.3.100")
    fleet.command("move 5 127.65.3.200")
    run("discover", "add", "big", "--target", "127.65.0.0/22", "--credential", "v3", "--port",
        str(fleet.port), "--pps", "150", "--auto-register")
    gw = start_daemon(tdir, run)
    assert json.loads(run("status", "--json").stdout)["discovery"]["running"] == []
    # The CLI follows a run until it ends: start it in the background and watch status.
    follower = subprocess.Popen([need_fleetgw(), "-c", str(tdir / "fleetgw.conf"), "discover",
                                 "run", "big"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    try:
        def progressed():
            st = json.loads(run("status", "--json").stdout)
            running = st["discovery"]["running"]
            return running and running[0]["done"] >= 400
        end = time.monotonic() + 30
        while not progressed():
            assert time.monotonic() < end, "sweep did not progress"
            time.sleep(0.2)
        time.sleep(1.2)  # let a checkpoint land
        os.killpg(gw.proc.pid, 9)
        gw.proc.wait()
        follower.kill()
        follower.wait()
        gw = start_daemon(tdir, run)

        def finished():
            s = json.loads(run("discover", "show", "big", "--json").stdout)
            return s if s["last_run"]["state"] == "done" else None
        end = time.monotonic() + 30
        while not (s := finished()):
            assert time.monotonic() < end, "resumed sweep did not finish"
            time.sleep(0.3)
        assert s["last_run"]["resumed_from"] >= 300, s["last_run"]
        assert {p["address"] for p in s["printers"]} == \
            {fleet.addr(i) for i in range(4)} | {"127.65.3.100", "127.65.3.200"}
        assert len(devices(run)) == 6
        assert "sweep started name=big addresses=1024 from=" in gw.log.read_text()
    finally:
        follower.kill()
        gw.stop()


def test_reload_during_polls_and_sweep(env, tdir):
    """SIGHUP loads a new counter catalogue while the daemon polls a fleet and a sweep runs:
    polls and the sweep under way finish with the catalogue they started with, later ones use
    the new one, and nothing reads a freed catalogue (the ASan build aborts if it does)."""
    run, make = env
    fleet = make("fleetL", 40, "127.68.0.10")
    # Six printers spread over the range, so the sweep reads identities during the reloads.
    late = [f"127.68.{1 + k // 2}.{100 + 100 * (k % 2)}" for k in range(6)]
    for i, addr in enumerate(late):
        fleet.command(f"move {i} {addr}")
    addrs = set(late) | {fleet.addr(i) for i in range(6, 40)}
    shipped = Path(DATADIR or Path(SRCDIR) / "snmp") / "counters.catalogue"
    cat = tdir / "counters.catalogue"
    cat.write_text(shipped.read_text())
    conf = tdir / "fleetgw.conf"
    conf.write_text(conf.read_text() + f"log_level = info\n[snmp]\ncatalogue = {cat}\n"
                    "[poll]\nschedule = fixed\ninterval = 10s\nalert_interval = 10s\n")
    run("discover", "add", "all", "--target", "127.68.0.0/22", "--credential", "v3", "--port",
        str(fleet.port), "--pps", "150", "--no-wsd", "--auto-register")
    gw = start_daemon(tdir, run)
    follower = None

    def status():
        return json.loads(run("status", "--json").stdout)

    def wait(pred, timeout, what):
        end = time.monotonic() + timeout
        while not (v := pred()):
            assert gw.alive(), f"daemon died ({what}); see {gw.log}"
            assert time.monotonic() < end, what
            time.sleep(0.2)
        return v

    try:
        s = json.loads(run("discover", "run", "all", "--json", timeout=120).stdout)
        assert s["last_run"]["state"] == "done" and s["last_run"]["registered"] == 40
        assert {d["address"] for d in devices(run)} == addrs
        wait(lambda: status()["polls_ok"] >= 20, 30, "first polls")

        # The second run is followed by a CLI in the background; reload while it goes.
        follower = subprocess.Popen([need_fleetgw(), "-c", str(conf), "discover", "run", "all"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait(lambda: (r := status()["discovery"]["running"]) and r[0]["done"] >= 50, 30,
             "second sweep under way")
        during_sweep = 0
        for n in range(6):
            with open(cat, "a") as f:
                f.write(f"# reload {n}\n")
            gw.proc.send_signal(signal.SIGHUP)
            wait(lambda: gw.log.read_text().count("configuration reloaded path=") == n + 1, 10,
                 f"reload {n + 1} logged")
            st = status()
            during_sweep += bool(st["discovery"]["running"])
            time.sleep(0.3)
        assert during_sweep >= 3, "the reloads came while the sweep ran"

        def finished():
            s = json.loads(run("discover", "show", "all", "--json").stdout)
            return s if s["last_run"]["state"] == "done" and s["last_run"]["done"] else None
        s = wait(lambda: not status()["discovery"]["running"] and finished(), 60,
                 "the sweep under the reloads to finish")
        assert s["last_run"]["printers"] == 40, s["last_run"]
        assert {p["address"] for p in s["printers"]} == addrs
        assert follower.wait(timeout=30) == 0

        # Polling goes on with the last catalogue: every device keeps its decoded counters.
        ok0 = status()["polls_ok"]
        wait(lambda: status()["polls_ok"] >= ok0 + 40, 30, "a poll round after the reloads")
        st = status()
        assert st["devices"] == 40 and st["devices_unreachable"] == 0, st
        for d in devices(run):
            assert d["page_count_total"] > 0, d
        gw.proc.send_signal(signal.SIGTERM)
        assert gw.proc.wait(timeout=20) == 0
        log = gw.log.read_text()
        assert "stopped" in log
        assert not re.search(r"AddressSanitizer|LeakSanitizer|runtime error", log), log
    finally:
        if follower:
            follower.kill()
            follower.wait()
        gw.stop()


def test_host_name_targets(env):
    run, make = env
    fleet = make("fleetH", 3, "127.66.0.1")
    fleet.command("move 1 127.0.0.1")
    # localhost resolves (IPv4, from /etc/hosts) to the moved device. No name that needs DNS:
    # the test must not send anything off the loopback.
    r = sweep(run, fleet, "localhost, 127.66.0.1", "v3")
    assert {p["address"] for p in r["printers"]} == {"127.0.0.1", "127.66.0.1"}
    assert r["sweep"]["total"] == 2 and r["sweep"]["done"] == 2
