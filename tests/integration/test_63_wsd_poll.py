# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# Polling printers that answer only WS-Discovery (tests/fleetsim --wsd --snmp-off) on loopback:
# discovery registers them as WSD devices (no credential set used, their XAddrs stored), the
# daemon polls them over WS-Print at the schedule's cadence so they stay ok, their consumables
# appear as supplies with the simulator's levels, a jam and a toner change show at the next
# poll, a device that stops answering becomes unreachable (one log line per state change, the
# backoff of SNMP devices) and comes back, and a WSD device a later sweep reaches over SNMP is
# polled over SNMP from then on (counters appear). The bus events of WSD polls reach the uplink
# (test cloud) as those of SNMP polls do.

import json
import re
import subprocess
import time

from conftest import wait_for
from test_50_uplink import Gateway, _stop_gateways, cloud  # noqa: F401 (fixtures)
from test_51_uplink_events import events as uplink_events
from test_60_discovery import devices, start_daemon
from test_60_discovery import env  # noqa: F401  (the fixture)
from test_62_discovery_wsd import WsdFleet, wsd  # noqa: F401  (the fixture)

# The fastest schedule the configuration allows: status polls every 10 s, full polls every 20 s.
FAST = ("[snmp]\ntimeout = 500ms\nretries = 1\n"
        "[poll]\nschedule = fixed\nalert_interval = 10s\ninterval = 20s\n")


def show(run, dev_id):
    return json.loads(run("device", "show", str(dev_id), "--json").stdout)


def sim_levels(fleet, i):
    """{supply index: percent} as the simulator's Printer-MIB gives them (level / max)."""
    line = fleet.command(f"show {i}")
    raw = dict(kv.split(":") for kv in re.search(r"levels=(\S+)", line).group(1).split(","))
    # The maximum capacities come from the simulator's own Printer-MIB: SNMP on for a moment.
    fleet.command(f"snmp {i} on")
    try:
        out = subprocess.run(["snmpwalk", "-v2c", "-c", "public", "-On", "-Oq", "-t", "2",
                              f"{fleet.addr(i)}:{fleet.port}", "1.3.6.1.2.1.43.11.1.1.8"],
                             capture_output=True, text=True, timeout=20).stdout
    finally:
        fleet.command(f"snmp {i} off")
    maxes = {int(o.rsplit(".", 1)[1]): int(v) for o, v in (ln.split() for ln in out.splitlines())}
    assert maxes and set(maxes) == set(map(int, raw)), (out, raw)
    return {k: int(raw[str(k)]) * 100 // m for k, m in maxes.items() if m > 0}


def test_wsd_only_devices_are_polled(wsd, tdir):  # noqa: F811
    run, make = wsd
    fleet = make(tdir, "fleetP", 5, "127.75.0.10", snmp_off=[0, 1, 2])
    port = ["--port", str(fleet.port), "--wsd-port", str(fleet.wsd_port)]
    run("discover", "add", "lab", "--target", "127.75.0.0/24", "--credential", "v3",
        "--auto-register", *port)
    s = json.loads(run("discover", "run", "lab", "--json", timeout=120).stdout)
    assert s["last_run"]["registered"] == 5, s["last_run"]
    devs = {d["address"]: d for d in devices(run)}
    ids = {i: devs[fleet.addr(i)]["id"] for i in range(5)}
    for i in range(5):
        d = devs[fleet.addr(i)]
        if i < 3:
            # Registered as WSD: no credential set, polled at the XAddrs of its ProbeMatch.
            assert d["transport"] == "wsd" and d["credential"] is None, d
            assert d["wsd_xaddrs"].startswith(f"http://{fleet.addr(i)}:{fleet.soap_port}/"), d
            assert d["counters_note"] == "no counters (WSD only)"
        else:
            assert d["transport"] == "snmp" and d["credential"] == "v3", d

    with open(tdir / "fleetgw.conf", "a") as f:
        f.write(FAST)
    gw = start_daemon(tdir, run)
    try:
        t0 = time.monotonic()
        # The first polls fall within the first alert interval (10 s).
        poll = wait_for(lambda: (lambda st: st if st["polls_ok"] >= 5 and st["polls_wsd"] >= 3
                                 else None)(json.loads(run("status", "--json").stdout)), 20,
                        "every device polled")
        assert all(d["status"] == "ok" for d in devices(run)), devices(run)
        assert poll["devices_by_transport"] == {"snmp": 2, "wsd": 3}, poll
        assert poll["polls_failed"] == 0 and poll["wsd_polls_in_flight"] <= 2, poll

        # Supplies with the simulator's levels; no counters, said so.
        for i in range(3):
            sh = show(run, ids[i])
            want = sim_levels(fleet, i)
            got = {s["index"]: s["percent"] for s in sh["state"]["supplies"]}
            assert got == want, (i, got, want)
            assert all(s["type"] and s["description"] for s in sh["state"]["supplies"])
            assert sh["state"]["counters"] == [], sh["state"]["counters"]
            assert sh["device"]["serial"] == fleet.command(f"show {i}").split()[3]
        text = run("device", "show", str(ids[0])).stdout
        assert re.search(r"^transport\s+wsd$", text, re.M), text
        assert "counters: no counters (WSD only)" in text, text

        # Changes in the simulator show at the next poll (alert interval 10 s): a jam, an
        # empty toner, and a device that stops answering (unreachable, retried with backoff).
        polls = json.loads(run("status", "--json").stdout)["polls_wsd"]
        fleet.command("jam 0")
        fleet.command("toner 1 1 0")
        fleet.command("down 2")
        wait_for(lambda: any(a["description"] == "MediaJam"
                             for a in show(run, ids[0])["state"]["alerts"]), 15, "jam seen")
        s1 = wait_for(lambda: [s for s in show(run, ids[1])["state"]["supplies"]
                               if s["index"] == 1 and s["percent"] == 0], 15, "toner 0 seen")
        assert s1[0]["state"] == "empty", s1
        wait_for(lambda: show(run, ids[2])["device"]["status"] == "unreachable", 15,
                 "device unreachable")
        st = json.loads(run("status", "--json").stdout)
        assert st["devices_unreachable"] == 1, st
        assert st["polls_wsd"] >= polls + 3, st
        assert [d["status"] for d in devices(run)].count("ok") == 4
        fleet.command("clear 0")
        fleet.command("up 2")
        wait_for(lambda: not show(run, ids[0])["state"]["alerts"], 15, "jam cleared")
        wait_for(lambda: show(run, ids[2])["device"]["status"] == "ok", 15, "device back")
        log = gw.log.read_text(errors="replace")
        failed = re.findall(rf"device poll failed device={ids[2]} .*transport=wsd "
                            r"state=unreachable", log)
        assert len(failed) == 1, log
        assert len(re.findall(rf"device polled device={ids[2]} .*previous=unreachable", log)) == 1
        assert not re.search(r"device poll failed device=(%s) " % "|".join(
            str(ids[i]) for i in (0, 1)), log), log

        # The device answers SNMP now: the next sweep makes it an SNMP device with counters.
        fleet.command("snmp 0 on")
        s = json.loads(run("discover", "run", "lab", "--json", timeout=120).stdout)
        assert s["last_run"]["registered"] == 0, s["last_run"]
        d0 = show(run, ids[0])["device"]
        assert d0["transport"] == "snmp" and d0["credential"] == "v3", d0
        assert "counters_note" not in d0
        # Polled over SNMP at once after the sweep: counters.
        wait_for(lambda: show(run, ids[0])["state"]["counters"], 5, "SNMP counters")
        assert show(run, ids[0])["device"]["status"] == "ok"
        assert time.monotonic() - t0 < 60
    finally:
        gw.stop()


def test_wsd_poll_events_reach_the_uplink(tdir, cloud):  # noqa: F811
    """The bus events of WSD polls (device.state, alert.new, alert.cleared) are the SNMP
    path's: the uplink carries them to the test cloud."""
    fleet = WsdFleet(tdir, "fleetE", 2, "127.77.0.10", snmp_off=[0, 1]).start()
    try:
        gw = Gateway(tdir, cloud).init()
        gw.cli("credential", "add", "pub", "-v", "2c", input="public\n")
        gw.cli("discover", "add", "lab", "--target", "127.77.0.0/24", "--credential", "pub",
               "--port", fleet.port, "--wsd-port", fleet.wsd_port, "--auto-register")
        gw.register("--access-code", "TEST-CODE")
        gw.cli("mode", "manage")
        gw.start()
        wait_for(lambda: gw.status()["connected"], 30, "the MQTT session")
        out = json.loads(gw.cli("discover", "run", "lab", "--json").stdout)
        assert out["last_run"]["registered"] == 2, out
        ids = {d["address"]: d["id"] for d in json.loads(gw.cli("device", "list", "--json").stdout)}
        dev0, dev1 = ids[fleet.addr(0)], ids[fleet.addr(1)]

        def of(kind, dev, **want):
            return [e for _, e in uplink_events(cloud, kind)[0] if e["dev"] == dev and
                    all(e.get(k) == v for k, v in want.items())]
        # Polled over WS-Print: an ok state event each.
        wait_for(lambda: of("device", dev0, event="state", state="ok") and
                 of("device", dev1, event="state", state="ok"), 30, "ok state events")
        fleet.command("jam 0")
        new = wait_for(lambda: of("alert", dev0, event="new"), 30, "the jam alert")
        fleet.command("clear 0")
        wait_for(lambda: of("alert", dev0, event="cleared"), 30, "the jam cleared")
        assert new[0]["alert"]["code"] == 8, new  # Printer-MIB jam, as an SNMP printer says
        fleet.command("down 1")
        wait_for(lambda: of("device", dev1, event="state", state="unreachable"), 30,
                 "the unreachable state event")
    finally:
        fleet.stop()
