# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# What the uplink sends about the fleet, against the test cloud and fleetsim on loopback: the
# first poll of a fleet goes up as a few batched device messages, alerts still within 10 s of
# detection; device added / moved / removed events from discovery and the control path; the
# daily discovery-settings message (never from an anonymized gateway: test_50 checks that).

import json
from pathlib import Path

import pytest

from conftest import BUILDDIR, FleetsimProcess, free_udp_port, wait_for
from test_50_uplink import Cloud, Gateway, _stop_gateways, cloud  # noqa: F401 (fixtures)

FLEETSIM = Path(BUILDDIR) / "tests" / "fleetsim" / "fleetsim"


class Sim(FleetsimProcess):
    def __init__(self, tdir, devices, base, events=0):
        if not FLEETSIM.exists():
            pytest.skip("fleetsim not built")
        self.port = free_udp_port()
        self.ctl = tdir / "sim.sock"
        self.base = base
        super().__init__("fleetsim", [str(FLEETSIM), "--devices", str(devices), "--base-address",
                                      base, "--port", str(self.port), "--community", "public",
                                      "--events-per-hour", str(events), "--seed", "5",
                                      "--control", str(self.ctl)], tdir / "fleetsim.log")


def events(cloud, kind):
    """Every event of kind ("device", "alert") the cloud received, single or batched, with the
    time it arrived; and the number of messages that carried them."""
    out, nmsg = [], 0
    for r in cloud.messages():
        m = r["msg"]
        if m["kind"] == kind:
            out.append((r["t"], m["body"]))
            nmsg += 1
        elif m["kind"] == kind + "_batch":
            out += [(r["t"], e) for e in m["body"]["events"]]
            nmsg += 1
    return out, nmsg


def fleet_gateway(tdir, cloud, sim, n, extra="", mode="manage"):
    gw = Gateway(tdir, cloud, extra).init()
    comm = tdir / "comm"
    comm.write_text("public\n")
    gw.cli("credential", "add", "pub", "-v", "2c", "--community-file", comm)
    if n:
        csv = tdir / "devices.csv"
        csv.write_text("address,port,credential,name\n" +
                       "".join(f"{sim.addr(i)},{sim.port},pub,p{i}\n" for i in range(n)))
        gw.cli("device", "import", csv)
    gw.register("--access-code", "TEST-CODE")
    gw.cli("mode", mode)
    return gw


@pytest.mark.parametrize("mode", ["manage", "monitor"])
def test_first_poll_batched_alerts_within_10s(tdir, cloud, mode):
    n = 60
    sim = Sim(tdir, n, "127.24.0.1").start()
    try:
        gw = fleet_gateway(tdir, cloud, sim, n, mode=mode)
        gw.start()
        # The first poll: one state change per device, carried by a few batch messages.
        def all_states():
            ev, nmsg = events(cloud, "device")
            devs = {e["dev"] for _, e in ev if e["event"] == "state"}
            return (ev, nmsg) if len(devs) >= n else None
        ev, nmsg = wait_for(all_states, 90, "a state event for every device")
        assert nmsg <= n // 6, f"{nmsg} device messages for {n} devices: not batched"
        assert any(r["msg"]["kind"] == "device_batch" for r in cloud.messages())
        batch = [r["msg"]["body"]["events"] for r in cloud.messages("device_batch")]
        assert max(len(b) for b in batch) > 1 and all(len(b) <= 500 for b in batch)
        # An alert (paper jam) reaches the cloud within 10 s of its detection.
        with gw.db() as c:
            dev = c.execute("SELECT id FROM devices WHERE address = ?",
                            (sim.addr(3),)).fetchone()[0]
        sim.command("jam 3")

        def jam():
            ev, _ = events(cloud, "alert")
            return [(t, e) for t, e in ev if e["dev"] == dev and e["event"] == "new"]
        got = wait_for(jam, 60, "the paper-jam alert")
        t, e = got[0]
        assert t - e["ts"] <= 10, f"alert took {t - e['ts']:.1f} s from detection to the cloud"
        # Nothing is left staged once batches went out.
        with gw.db() as c:
            assert c.execute("SELECT count(*) FROM up_staged").fetchone()[0] == 0
    finally:
        sim.stop()


def test_device_added_moved_removed_and_discovery_sync(tdir, cloud):
    sim = Sim(tdir, 4, "127.25.0.10").start()
    try:
        gw = fleet_gateway(tdir, cloud, sim, 0, "force_interval = 4s\n")
        gw.cli("discover", "add", "lab", "--target", "127.25.0.0/24", "--credential", "pub",
               "--port", sim.port, "--auto-register")
        gw.start()
        wait_for(lambda: gw.status()["connected"], 30, "the MQTT session")
        # Discovery registers the four printers: four "added" events.
        out = json.loads(gw.cli("discover", "run", "lab", "--json").stdout)
        assert out["last_run"]["registered"] == 4, out
        def of(kind):
            return [e for _, e in events(cloud, "device")[0] if e["event"] == kind]
        added = wait_for(lambda: len(of("added")) >= 4 and of("added"), 30, "added events")
        assert {e["address"] for e in added} == {sim.addr(i) for i in range(4)}
        ids = {d["address"]: d["id"] for d in json.loads(gw.cli("device", "list", "--json").stdout)}
        # A printer moves: the next sweep finds it at its new address.
        sim.command("move 2 127.25.0.200")
        out = json.loads(gw.cli("discover", "run", "lab", "--json").stdout)
        assert out["last_run"]["moved"] == 1, out
        moved = wait_for(lambda: of("moved"), 30, "the moved event")
        assert moved[0]["dev"] == ids[sim.addr(2)] and moved[0]["address"] == "127.25.0.200"
        assert moved[0]["previous_address"] == sim.addr(2)
        # Removed through the control path.
        gw.cli("device", "remove", ids[sim.addr(0)])
        removed = wait_for(lambda: of("removed"), 30, "the removed event")
        assert removed[0]["dev"] == ids[sim.addr(0)]
        # A device added by hand is an "added" event too.
        gw.cli("device", "add", f"127.25.0.99:{sim.port}", "--credential", "pub")
        wait_for(lambda: any(e["address"] == "127.25.0.99" for e in of("added")), 30,
                 "the added event of a device added by hand")
        # The discovery settings, once a day (here every force_interval).
        disc = wait_for(lambda: cloud.messages("discovery"), 30, "the discovery message")
        s = disc[-1]["msg"]["body"]["settings"]
        assert [x["name"] for x in s] == ["lab"] and s[0]["targets"] == "127.25.0.0/24"
        assert s[0]["credentials"] == ["pub"] and s[0]["last_run"]["moved"] == 1
        assert all("community" not in json.dumps(x) for x in s)
        assert gw.daemon.alive()
    finally:
        sim.stop()
