# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# Discovery with WS-Discovery against simulated fleets (tests/fleetsim --wsd) on loopback:
# devices with SNMP disabled are found and registered through WSD alone, devices that answer
# both are one device found by "snmp+wsd", a device found by SNMP in one sweep and by WSD in
# another stays one device, a WSD-only device that changes address is the same device (its
# endpoint UUID does not change), two sweeps at once register nothing twice, and the pps limit
# holds for SNMP and WSD packets together, measured on the simulator's side. Every packet goes
# to 127.0.0.0/8; the multicast Probe (--wsd-interface) is tested inside a network namespace the
# test creates (unshare -n), where fixed ports cannot collide with anything.

import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import BUILDDIR, free_tcp_port, free_udp_port, need_fleetgw
from test_60_discovery import Fleet, devices, start_daemon
from test_60_discovery import env  # noqa: F401  (the fixture)


class WsdFleet(Fleet):
    """fleetsim with a WS-Discovery responder and SOAP endpoint on every device."""

    def __init__(self, tdir, name, n, base, snmp_off=None):
        exe = Path(BUILDDIR or ".") / "tests" / "fleetsim" / "fleetsim"
        if os.access(exe, os.X_OK):
            help = subprocess.run([str(exe), "--help"], capture_output=True, text=True)
            if "--wsd" not in help.stdout + help.stderr:
                pytest.skip("this fleetsim has no WS-Discovery responder (--wsd)")
        self.wsd_port = free_udp_port()
        self.soap_port = free_tcp_port()
        extra = ["--wsd", "--wsd-port", str(self.wsd_port), "--soap-port", str(self.soap_port)]
        if snmp_off:
            extra += ["--snmp-off", ",".join(map(str, snmp_off))]
        super().__init__(tdir, name, n, base, extra=extra)

    def rx(self):
        """Datagrams received so far: SNMP and WS-Discovery."""
        st = self.stats()
        return int(st["rx"]) + int(st["wsd_rx"])

    def serial(self, i):
        # "ok INDEX ADDRESS SERIAL MAC ENGINE-ID PROFILE up|down ..."
        return self.command(f"show {i}").split()[3]


def pps_worst(samples):
    """The highest rate over any window of at least one second in (time, count) samples."""
    worst = 0.0
    for i, (t0, n0) in enumerate(samples):
        for t1, n1 in samples[i + 1:]:
            if t1 - t0 >= 1.0:
                worst = max(worst, (n1 - n0) / (t1 - t0))
                break
    return worst


def netns_wsd_fleetsim():
    """The fleetsim binary for a test in a network namespace of its own; skips when no namespace
    can be made or fleetsim has no WS-Discovery responder."""
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot create a network namespace (unshare -n)")
    exe = Path(BUILDDIR or ".") / "tests" / "fleetsim" / "fleetsim"
    help = subprocess.run([str(exe), "--help"], capture_output=True, text=True)
    if "--wsd" not in help.stdout + help.stderr:
        pytest.skip("this fleetsim has no WS-Discovery responder (--wsd)")
    return exe


@pytest.fixture
def wsd(env):  # noqa: F811
    run, make = env
    fleets = []

    def make_wsd(tdir, name, n, base, snmp_off=None):
        f = WsdFleet(tdir, name, n, base, snmp_off).start()
        fleets.append(f)
        return f
    yield run, make_wsd
    for f in reversed(fleets):
        f.stop()


def wsd_sweep(run, fleet, target, *extra):
    args = ["discover", "run", "--target", target, "--port", str(fleet.port), "--wsd-port",
            str(fleet.wsd_port), "--credential", "v3", "--json", *extra]
    return json.loads(run(*args, timeout=120).stdout)


def test_wsd_only_and_both_are_one_device_each(wsd, tdir):
    run, make = wsd
    fleet = make(tdir, "fleetW", 10, "127.70.0.10", snmp_off=[0, 1, 2])
    r = wsd_sweep(run, fleet, "127.70.0.0/24")
    found = {p["address"]: p for p in r["printers"]}
    assert len(r["printers"]) == 10, "one report per device"
    assert set(found) == {fleet.addr(i) for i in range(10)}
    for i in range(10):
        p = found[fleet.addr(i)]
        assert p["uuid"].startswith("urn:uuid:"), p
        assert p["serial"] == fleet.serial(i), p
        if i < 3:
            assert p["found_by"] == "wsd" and p["how"] == "wsd" and p["credential"] == "", p
            assert p["mac"] == "" and p["engine_id"] == "", p
        else:
            assert p["found_by"] == "snmp+wsd" and p["how"] == "snmp-v3", p
            assert p["mac"] and p["engine_id"], p
    assert len({p["uuid"] for p in found.values()}) == 10
    s = r["sweep"]
    assert s["printers"] == 10 and s["wsd_responders"] == 10 and s["responders"] == 7
    assert s["packets"] == 512 and s["wsd_packets"] == 256, s

    # WSD off: only the SNMP devices, found by SNMP.
    r = wsd_sweep(run, fleet, "127.70.0.0/24", "--no-wsd")
    assert {p["address"] for p in r["printers"]} == {fleet.addr(i) for i in range(3, 10)}
    assert all(p["found_by"] == "snmp" and p["uuid"] == "" for p in r["printers"])


def test_registry_across_sweeps_and_moves(wsd, tdir):
    run, make = wsd
    fleet = make(tdir, "fleetR", 8, "127.71.0.10", snmp_off=[0, 1])
    port = ["--port", str(fleet.port), "--wsd-port", str(fleet.wsd_port)]
    # First an SNMP-only setting registers the six SNMP devices.
    run("discover", "add", "snmp", "--target", "127.71.0.0/24", "--credential", "v3",
        "--auto-register", "--no-wsd", *port)
    run("discover", "add", "both", "--target", "127.71.0.0/24", "--credential", "v3",
        "--auto-register", *port)
    listed = {s["name"]: s for s in json.loads(run("discover", "list", "--json").stdout)}
    assert listed["snmp"]["wsd"] is False and listed["both"]["wsd"] is True
    assert listed["both"]["wsd_port"] == fleet.wsd_port and listed["both"]["wsd_interface"] == ""
    assert "wsd=auto" in run("discover", "list").stdout
    gw = start_daemon(tdir, run)
    try:
        s = json.loads(run("discover", "run", "snmp", "--json", timeout=120).stdout)
        assert s["last_run"]["registered"] == 6
        assert all(d["wsd_uuid"] == "" for d in devices(run))

        # Then WSD: the six are matched (their UUIDs stored), the two WSD-only ones added.
        s = json.loads(run("discover", "run", "both", "--json", timeout=120).stdout)
        assert s["last_run"]["registered"] == 2 and s["last_run"]["moved"] == 0, s["last_run"]
        assert s["last_run"]["wsd_responders"] == 8
        # On the host lo carries no multicast: a directed Probe per address, kept with the run.
        assert s["last_run"]["wsd_mode"] == "directed" and s["last_run"]["wsd_interfaces"] == []
        shown = json.loads(run("discover", "show", "both", "--json").stdout)
        assert shown["last_run"]["wsd_mode"] == "directed", shown
        assert "wsd_mode=directed" in run("discover", "list").stdout
        snmp = json.loads(run("discover", "show", "snmp", "--json").stdout)
        assert snmp["last_run"]["wsd_mode"] == "off", snmp
        by_addr = {p["address"]: p for p in s["printers"]}
        devs = {d["address"]: d for d in devices(run)}
        assert len(devs) == 8, "no duplicates"
        for i in range(8):
            d, p = devs[fleet.addr(i)], by_addr[fleet.addr(i)]
            assert d["wsd_uuid"] == p["uuid"] and d["wsd_uuid"].startswith("urn:uuid:")
            assert d["serial"] == fleet.serial(i)
            assert p["found_by"] == ("wsd" if i < 2 else "snmp+wsd")
            assert p["device_id"] == d["id"]

        # A WSD-only device changes address: the same device, moved, same UUID.
        moved = devs[fleet.addr(1)]
        fleet.command("move 1 127.71.0.200")
        s = json.loads(run("discover", "run", "both", "--json", timeout=120).stdout)
        assert s["last_run"]["moved"] == 1 and s["last_run"]["registered"] == 0, s["last_run"]
        after = {d["id"]: d for d in devices(run)}
        assert len(after) == 8
        assert after[moved["id"]]["address"] == "127.71.0.200"
        assert after[moved["id"]]["wsd_uuid"] == moved["wsd_uuid"]
        show = json.loads(run("device", "show", str(moved["id"]), "--json").stdout)
        assert any(e["kind"] == "device_moved" for e in show["events"]), show["events"]

        # Two sweeps at once over the same printers register nothing twice.
        fleet.command("move 1 " + fleet.addr(1))
        for name in ("both2", "both3"):
            run("discover", "add", name, "--target", "127.71.0.0/24", "--credential", "v3",
                "--auto-register", "--pps", "300", *port)
        procs = [subprocess.Popen([need_fleetgw(), "-c", str(tdir / "fleetgw.conf"), "discover",
                                   "run", n, "--json"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for n in ("both2", "both3")]
        outs = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
        assert all(o["last_run"]["state"] == "done" for o in outs)
        assert sum(o["last_run"]["registered"] for o in outs) == 0
        assert sum(o["last_run"]["moved"] for o in outs) == 1  # device 1 moved back once
        assert len(devices(run)) == 8
    finally:
        gw.stop()


def test_pps_limit_with_wsd(wsd, tdir):
    run, make = wsd
    # WSD-only devices: every datagram the simulator receives is a paced first packet (no
    # SNMP identity poll follows, metadata goes over TCP).
    fleet = make(tdir, "fleetP", 4, "127.72.0.1", snmp_off=[0, 1, 2, 3])
    samples = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append((time.monotonic(), fleet.rx()))
            time.sleep(0.1)
    before = fleet.rx()
    th = threading.Thread(target=sample)
    th.start()
    try:
        r = wsd_sweep(run, fleet, "127.72.0.0/23", "--pps", "200")
    finally:
        stop.set()
        th.join()
    total = fleet.rx() - before
    assert {p["address"] for p in r["printers"]} == {fleet.addr(i) for i in range(4)}
    assert all(p["found_by"] == "wsd" for p in r["printers"])
    s = r["sweep"]
    assert s["packets"] == 1024 and s["wsd_packets"] == 512, s
    assert total == 1024, f"simulator received {total}"
    assert s["elapsed_s"] >= 1024 / 200 * 0.95, s
    # The highest rate over any window of at least one second, as the simulator saw it.
    worst = pps_worst(samples)
    print(f"pps limit 200 with WSD: {total} datagrams in {s['elapsed_s']:.2f} s, "
          f"highest 1 s rate {worst:.0f}/s")
    assert 0 < worst <= 200 * 1.15


def test_multicast_probe_in_namespace(env, tdir):  # noqa: F811
    """--wsd-interface: one multicast Probe out of lo instead of directed ones. Multicast only
    inside a network namespace of its own that has nothing but the loopback."""
    run, _ = env
    exe = netns_wsd_fleetsim()
    conf = tdir / "fleetgw.conf"
    script = f"""
ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo || exit 9
{exe} --devices 6 --base-address 127.73.0.10 --port 16161 --wsd --wsd-port 13702 \\
    --soap-port 15357 --snmp-off 0,1 --events-per-hour 0 --v3-user fleet \\
    --v3-auth-key authpass123 --v3-priv-key privpass123 >{tdir}/msim.log 2>&1 &
sim=$!
for i in $(seq 300); do grep -q ready {tdir}/msim.log && break; sleep 0.1; done
{need_fleetgw()} -c {conf} discover run --target 127.73.0.0/24 --port 16161 \\
    --wsd-port 13702 --wsd-interface 127.0.0.1 --credential v3 --json >{tdir}/mout.json
rc=$?
kill $sim
wait $sim
exit $rc
"""
    cp = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True,
                        timeout=120)
    assert cp.returncode == 0, cp.stderr + (tdir / "msim.log").read_text(errors="replace")
    r = json.loads((tdir / "mout.json").read_text())
    found = {p["address"]: p for p in r["printers"]}
    addrs = [f"127.73.0.{10 + i}" for i in range(6)]
    assert set(found) == set(addrs)
    assert [found[a]["found_by"] for a in addrs] == ["wsd"] * 2 + ["snmp+wsd"] * 4
    s = r["sweep"]
    assert s["wsd_packets"] == 1 and s["packets"] == 256 + 1, s
    assert s["wsd_responders"] == 6 and s["printers"] == 6


def test_automatic_multicast_in_namespace(env, tdir):  # noqa: F811
    """Without --wsd-interface, targets on the subnet of an up, multicast-capable interface are
    covered by multicast Probes (3 of them) out of it and get no directed Probe. Inside a network
    namespace of its own where lo (127.0.0.1/8) carries multicast; on the host lo has no
    IFF_MULTICAST, so the other tests see directed Probes."""
    run, _ = env
    exe = netns_wsd_fleetsim()
    conf = tdir / "fleetgw.conf"
    ctl = tdir / "asim.sock"
    go_on = tdir / "asim.done"
    # 8 WSD-only devices at 127.74.0.10-17, so every datagram the simulator receives is a paced
    # first packet (SNMP identity polls are not paced); .17 is excluded and answers the
    # multicast Probe all the same, which the sweep must ignore.
    script = f"""
ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo || exit 9
{exe} --devices 8 --base-address 127.74.0.10 --port 16161 --wsd --wsd-port 13702 \\
    --soap-port 15357 --snmp-off 0,1,2,3,4,5,6,7 --events-per-hour 0 --v3-user fleet \\
    --v3-auth-key authpass123 --v3-priv-key privpass123 --control {ctl} >{tdir}/asim.log 2>&1 &
sim=$!
for i in $(seq 300); do grep -q ready {tdir}/asim.log && break; sleep 0.1; done
{need_fleetgw()} -c {conf} discover run --target 127.74.0.0/23 --exclude 127.74.0.17 \\
    --port 16161 --wsd-port 13702 --credential v3 --pps 200 --json >{tdir}/aout.json
echo $? >{tdir}/aout.rc
for i in $(seq 600); do [ -e {go_on} ] && break; sleep 0.1; done
kill $sim
wait $sim
exit 0
"""

    def rx():
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as so:
            so.connect(str(ctl))
            so.sendall(b"stats\n")
            reply = so.makefile().readline()
        st = dict(kv.split("=", 1) for kv in reply.split()[1:] if "=" in kv)
        return st

    proc = subprocess.Popen(["unshare", "-n", "sh", "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    samples = []
    try:
        deadline = time.monotonic() + 120
        while not (tdir / "aout.rc").exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the sweep did not finish"
            log = tdir / "asim.log"
            if ctl.exists() and log.exists() and "ready" in log.read_text(errors="replace"):
                st = rx()
                samples.append((time.monotonic(), int(st["rx"]) + int(st["wsd_rx"])))
            time.sleep(0.1)
        stats = rx()
    finally:
        go_on.touch()
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err + (tdir / "asim.log").read_text(errors="replace")
    assert (tdir / "aout.rc").read_text().strip() == "0", err
    r = json.loads((tdir / "aout.json").read_text())
    found = {p["address"]: p for p in r["printers"]}
    addrs = [f"127.74.0.{10 + i}" for i in range(7)]
    assert set(found) == set(addrs), found.keys()
    assert all(found[a]["found_by"] == "wsd" for a in addrs), found
    s = r["sweep"]
    assert s["wsd_mode"] == "multicast", s
    assert s["wsd_interfaces"] == [{"name": "lo", "address": "127.0.0.1", "prefix": 8}], s
    # 511 SNMP first packets and 3 multicast Probes, no directed Probe.
    assert s["wsd_packets"] == 3 and s["packets"] == 511 + 3, s
    assert s["wsd_responders"] == 7 and s["printers"] == 7, s
    # The simulator saw the 3 multicast Probes and nothing else over WSD.
    assert int(stats["wsd_rx"]) == 3, stats
    assert int(stats["wsd_bad"]) == 0, stats
    assert s["elapsed_s"] >= 514 / 200 * 0.95, s
    worst = pps_worst(samples)
    print(f"automatic multicast, pps 200: {s['packets']} packets in {s['elapsed_s']:.2f} s, "
          f"highest 1 s rate {worst:.0f}/s")
    assert 0 < worst <= 200 * 1.15


@pytest.mark.parametrize("args,message", [
    (["discover", "run", "--target", "127.0.0.1", "--wsd-interface", "eth0"],
     "--wsd-interface: 'eth0': "),
    (["discover", "run", "--target", "127.0.0.1", "--no-wsd", "--wsd-interface", "127.0.0.1"],
     "--wsd-interface: WS-Discovery is off (--no-wsd)"),
    (["discover", "run", "--target", "127.0.0.1", "--wsd-port", "0"],
     "--wsd-port: '0': expected 1..65535"),
    (["discover", "add", "x", "--target", "127.0.0.0/24", "--credential", "v2",
      "--wsd-interface", "10.0.0.300"], "wsd interface: '10.0.0.300': octet out of range"),
    (["discover", "add", "x", "--target", "127.0.0.0/24", "--credential", "v2", "--no-wsd",
      "--wsd-interface", "127.0.0.1"], "wsd interface: '127.0.0.1': WS-Discovery is off"),
])
def test_bad_wsd_options(env, args, message):  # noqa: F811
    run, _ = env
    cp = run(*args, ok=False)
    assert cp.returncode == 2, cp
    assert message in cp.stderr
