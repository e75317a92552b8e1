#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# Uplink benchmark, on loopback only, against the test cloud (tests/cloud) and a fleetsim fleet.
#
# 1. Day simulation: 1,000 fleetsim devices polled by fleetgw in Manage mode. A byte-counting
#    TCP relay sits between the gateway and the TLS broker, so "on the wire" means TCP payload
#    (TLS records, MQTT framing and our gzip'd JSON); IP/TCP headers are estimated separately.
#    Counter rounds are forced every FORCE seconds; a real day has one (the default schedule).
#    Per kind: payload bytes the cloud received + the measured MQTT/TLS overhead per message.
# 2. Keep-alive: an idle session with keepalive = 5 s for 60 s gives bytes per PINGREQ/PINGRESP
#    exchange, scaled to one exchange per 240 s for a day.
# 3. Outage: "broker stopped 10 minutes during uploads, gateway killed with -9 once": a gateway
#    polling the same fleetsim fleet (1,000 devices, 1 random event per device and hour) sends
#    counter rounds every OUTAGE_FORCE seconds, alerts and device events as they come; the broker
#    is stopped for OUTAGE seconds (default 600, real time), fleetgw is killed with SIGKILL in
#    the middle and restarted; then enqueued, delivered, evicted, duplicates and lost are counted
#    from the gateway's sequence numbers and the cloud's log.
#
# usage: bench/uplink/run.py [--build DIR] [--devices N] [--outage S] [--only day,keepalive,outage]

import argparse
import asyncio
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import free_port, wait  # noqa: E402

SRC = Path(__file__).resolve().parents[2]


class Relay:
    """Counts TCP payload bytes in both directions between clients and target."""

    def __init__(self, target_port):
        self.port = free_port(socket.SOCK_STREAM)
        self.target = target_port
        self.up = self.down = 0
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self._run, daemon=True).start()
        wait(lambda: self._listening(), 5, "relay")

    def _listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            return True
        except OSError:
            return False

    def _run(self):
        asyncio.set_event_loop(self.loop)
        srv = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", self.port))
        self.loop.run_forever()

    async def _pipe(self, r, w, up):
        try:
            while True:
                data = await r.read(65536)
                if not data:
                    break
                if up:
                    self.up += len(data)
                else:
                    self.down += len(data)
                w.write(data)
                await w.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            w.close()

    async def _client(self, r, w):
        try:
            tr, tw = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            w.close()
            return
        await asyncio.gather(self._pipe(r, tw, True), self._pipe(tr, w, False))

    def total(self):
        return self.up + self.down


class Env:
    def __init__(self, build, tmp):
        self.build, self.tmp = Path(build), Path(tmp)
        self.fleetgw = str(self.build / "fleetgw")
        self.procs = []

    def spawn(self, argv, log, **kw):
        p = subprocess.Popen(argv, stdout=open(self.tmp / log, "w"), stderr=subprocess.STDOUT,
                             start_new_session=True, **kw)
        self.procs.append(p)
        return p

    def cloud(self):
        self.cdir = self.tmp / "cloud"
        self.cloud_proc = self.spawn(["/usr/bin/python3", str(SRC / "tests/cloud/cloud.py"),
                                      "--dir", str(self.cdir)], "cloud.log")
        wait(lambda: (self.cdir / "cloud.json").exists(), 60, "the test cloud")
        self.info = json.loads((self.cdir / "cloud.json").read_text())

    def cloud_call(self, path, obj):
        subprocess.run(["curl", "-s", "--cacert", self.info["ca"], "-X", "POST",
                        self.info["url"] + path, "-d", json.dumps(obj)], capture_output=True)

    def received(self):
        p = self.cdir / "received.jsonl"
        out = []
        for line in (p.read_text().splitlines() if p.exists() else []):
            r = json.loads(line)
            if isinstance(r.get("msg"), dict) and "kind" in r["msg"]:
                out.append(r)
        return out

    def gateway(self, name, extra):
        d = self.tmp / name
        conf = self.tmp / f"{name}.conf"
        conf.write_text(f"[gateway]\nstate_dir = {d}\nlog_level = notice\n"
                        f"[snmp]\ntimeout = 1s\nretries = 1\nmax_in_flight = 200\n"
                        f"[poll]\nschedule = fixed\ninterval = 120s\nalert_interval = 120s\n"
                        f"[webui]\nenabled = no\n"
                        f"[uplink]\nca_file = {self.info['ca']}\nbackoff_max = 2s\n{extra}")
        g = {"dir": d, "conf": conf, "name": name}
        self.cli(g, "init")
        return g

    def cli(self, g, *args, check=True):
        env = dict(os.environ, FLEETGW_DATADIR=str(SRC / "snmp"))
        cp = subprocess.run([self.fleetgw, "-c", str(g["conf"])] + [str(a) for a in args],
                            capture_output=True, text=True, env=env, input="")
        if check and cp.returncode:
            raise SystemExit(f"fleetgw {args}: {cp.stderr}")
        return cp

    def start(self, g):
        env = dict(os.environ, FLEETGW_DATADIR=str(SRC / "snmp"))
        g["proc"] = self.spawn([self.fleetgw, "-c", str(g["conf"])], f"{g['name']}.log", env=env)
        wait(lambda: self.status(g), 20, "fleetgw")

    def status(self, g):
        cp = self.cli(g, "status", "--json", check=False)
        return json.loads(cp.stdout) if cp.returncode == 0 else None

    def set_broker(self, g, port):
        """Points the gateway at the relay instead of the broker (bench only)."""
        with sqlite3.connect(g["dir"] / "fleetgw.db") as c:
            c.execute("UPDATE settings SET value = ? WHERE key = 'up.broker'", (f"localhost:{port}",))

    def cpu(self, pid):
        f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")

    def close(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                    p.wait(10)
                except Exception:
                    p.kill()


def fleet(env, devices):
    """One fleetsim fleet for the whole run (started on first use)."""
    if getattr(env, "fleet_port", None):
        return env.fleet_port
    port = free_port(socket.SOCK_DGRAM)
    env.spawn([str(env.build / "tests/fleetsim/fleetsim"), "--devices", str(devices),
               "--base-address", "127.22.0.1", "--port", str(port), "--community", "public",
               "--events-per-hour", "1"], "fleetsim.log")
    wait(lambda: "ready" in (env.tmp / "fleetsim.log").read_text(), 180, "fleetsim")
    env.fleet_port = port
    return port


def add_fleet(env, g, devices):
    port = fleet(env, devices)
    comm = env.tmp / "comm"
    comm.write_text("public\n")
    env.cli(g, "credential", "add", "pub", "-v", "2c", "--community-file", comm)
    csv = env.tmp / "devices.csv"
    base = 0x7F160001
    csv.write_text("address,port,credential,name\n" + "".join(
        f"{socket.inet_ntoa((base + i).to_bytes(4, 'big'))},{port},pub,p{i}\n"
        for i in range(devices)))
    env.cli(g, "device", "import", csv)


def polled(g, devices):
    with sqlite3.connect(f"file:{g['dir']}/fleetgw.db?mode=ro", uri=True) as c:
        return c.execute("SELECT count(DISTINCT device_id) FROM counters_latest").fetchone()[0] \
            >= devices * 0.98


def events_of(r):
    """Events a message carries: 1, or the length of a *_batch message's list."""
    b = r["msg"].get("body")
    return len(b["events"]) if r["msg"]["kind"].endswith("_batch") and isinstance(b, dict) else 1


def day(env, devices, force):
    g = env.gateway("day", f"force_interval = {force}s\nalert_delay = 2s\n")
    add_fleet(env, g, devices)
    env.cli(g, "register", "--url", env.info["url"], "--access-code", "TEST-CODE")
    env.cli(g, "mode", "manage")
    relay = Relay(env.info["mqtt_port"])
    env.set_broker(g, relay.port)
    env.start(g)
    # Let every device be polled once before measuring.
    wait(lambda: polled(g, devices), 300, "the first poll of the fleet")
    time.sleep(force + 2)
    n0 = len(env.received())
    b0, cpu0, t0 = relay.total(), env.cpu(g["proc"].pid), time.monotonic()
    rounds_wanted = 3
    wait(lambda: sum(1 for r in env.received()[n0:] if r["msg"]["kind"] == "counters")
         >= rounds_wanted * ((devices + 499) // 500), force * (rounds_wanted + 2) + 60,
         "counter rounds")
    time.sleep(3)
    recs = [r for r in env.received()[n0:] if r["transport"] == "mqtt" and "/up/" in r["where"]]
    wire = relay.total() - b0
    cpu = env.cpu(g["proc"].pid) - cpu0
    secs = time.monotonic() - t0
    payload = sum(r["bytes"] for r in recs)
    overhead = (wire - payload) / max(1, len(recs))
    by = {}
    for r in recs:
        k = r["msg"]["kind"]
        by.setdefault(k, [0, 0, 0])
        by[k][0] += 1
        by[k][1] += r["bytes"]
        by[k][2] += events_of(r)
    counters = by.get("counters", [0, 0, 0])
    c_rounds = counters[0] / ((devices + 499) // 500)
    per_round = (counters[1] + counters[0] * overhead) / max(1, c_rounds)
    print(f"\n== day simulation: {devices} devices, {secs:.0f} s measured, "
          f"{len(recs)} messages, {wire} bytes on the wire (TCP payload, both directions)")
    print(f"mqtt+tls overhead per message: {overhead:.0f} bytes (incl. keep-alive in the window)")
    for k, (n, b, ev) in sorted(by.items()):
        print(f"  {k:12s} messages={n:4d} events={ev:5d} payload={b:8d} B  mean={b / n:8.0f} "
              f"B/msg wire~{(b + n * overhead) / n:8.0f} B/msg")
    print(f"counters+supplies per device per day (default: 1 round/day): "
          f"{per_round / devices:.0f} B")
    print(f"fleetgw CPU in the window: {cpu:.2f} s over {secs:.0f} s "
          f"({100 * cpu / secs:.1f} % of a core; includes polling {devices} devices)")
    # Stop it: the outage gateway polls the same fleet next.
    os.killpg(g["proc"].pid, signal.SIGTERM)
    g["proc"].wait(30)
    return {"devices": devices, "per_device_counters": per_round / devices, "overhead": overhead,
            "by_kind": by, "cpu_s": cpu, "secs": secs}


def keepalive(env):
    g = env.gateway("ka", "keepalive = 5s\n")
    env.cli(g, "register", "--url", env.info["url"], "--access-code", "TEST-CODE")
    env.cli(g, "mode", "manage")
    relay = Relay(env.info["mqtt_port"])
    env.set_broker(g, relay.port)
    env.start(g)
    wait(lambda: (env.status(g) or {}).get("connected"), 30, "the session")
    time.sleep(3)
    b0, t0 = relay.total(), time.monotonic()
    time.sleep(60)
    per_ping = (relay.total() - b0) / ((time.monotonic() - t0) / 5)
    day_tls = per_ping * 86400 / 240
    # Each exchange is about 3 IP packets (PINGREQ, PINGRESP, ACK) of 52 header bytes (IPv4 +
    # TCP with timestamps) on top of the TCP payload.
    day_ip = (per_ping + 3 * 52) * 86400 / 240
    print(f"\n== keep-alive: {per_ping:.0f} B TCP payload per PINGREQ/PINGRESP exchange; "
          f"at 240 s: {day_tls / 1024:.1f} KB/day TCP payload, ~{day_ip / 1024:.1f} KB/day with "
          f"IP/TCP headers")
    g["proc"].terminate()
    return {"per_ping": per_ping, "kb_day": day_tls / 1024, "kb_day_ip": day_ip / 1024}


def outage(env, outage_s, devices, force):
    g = env.gateway("out", f"force_interval = {force}s\nalert_delay = 2s\n")
    if devices:
        add_fleet(env, g, devices)
    env.cli(g, "register", "--url", env.info["url"], "--access-code", "TEST-CODE")
    env.cli(g, "mode", "manage")
    env.start(g)
    wait(lambda: (env.status(g) or {}).get("connected"), 30, "the session")
    if devices:
        wait(lambda: polled(g, devices), 300, "the first poll of the fleet")
    # Uploads are flowing: wait for a counters round to arrive, then pull the plug.
    n0 = sum(1 for r in env.received() if r["msg"]["kind"] == "counters")
    wait(lambda: sum(1 for r in env.received() if r["msg"]["kind"] == "counters") > n0,
         force * 3 + 30, "a counters round before the outage")
    t0 = time.monotonic()
    env.cloud_call("/test/broker", {"action": "stop"})
    print(f"broker stopped at {time.strftime('%H:%M:%S')} for {outage_s} s", flush=True)
    time.sleep(outage_s / 2)
    queued_before_kill = (env.status(g) or {}).get("outbox_messages")
    os.killpg(g["proc"].pid, signal.SIGKILL)
    g["proc"].wait()
    print(f"fleetgw killed -9 at {time.strftime('%H:%M:%S')} with {queued_before_kill} messages "
          f"in the outbox; restarted", flush=True)
    env.start(g)
    time.sleep(max(0, outage_s - (time.monotonic() - t0)))
    peak = env.status(g)
    env.cloud_call("/test/broker", {"action": "start"})
    t1 = time.monotonic()
    wait(lambda: (env.status(g) or {}).get("connected") and env.status(g)["outbox_messages"] == 0,
         600, "the outbox to drain")
    drain_s = time.monotonic() - t1
    # Let the last round trip settle, then stop the gateway and count.
    time.sleep(3)
    st = env.status(g)
    os.killpg(g["proc"].pid, signal.SIGTERM)
    g["proc"].wait()
    time.sleep(1)
    with sqlite3.connect(g["dir"] / "fleetgw.db") as c:
        enq = int(c.execute("SELECT value FROM settings WHERE key='up.seq'").fetchone()[0])
    gid = st["uplink"]["gateway_id"]
    recs = [r for r in env.received() if r["msg"].get("gw") == gid]
    seqs = {r["msg"]["seq"] for r in recs}
    dups = sum(1 for r in recs if r.get("duplicate"))
    ids_per_seq = {}
    for r in recs:
        ids_per_seq.setdefault(r["msg"]["seq"], set()).add(r["msg"]["id"])
    lost = [s for s in range(1, enq + 1) if s not in seqs]
    kinds = {}
    for r in recs:
        if not r.get("duplicate"):
            kinds[r["msg"]["kind"]] = kinds.get(r["msg"]["kind"], 0) + 1
    print(f"\n== outage: {devices} devices, broker down {outage_s} s, fleetgw killed -9 once "
          f"in the middle")
    print(f"outbox at the end of the outage: {peak['outbox_messages']} messages, "
          f"{peak['outbox_bytes']} bytes; drained in {drain_s:.1f} s after the broker came back")
    print(f"enqueued={enq} delivered={len(seqs)} evicted={st['evicted_total']} "
          f"duplicates={dups} lost={len(lost)} "
          f"ids_changed={sum(1 for v in ids_per_seq.values() if len(v) > 1)}")
    print("delivered by kind: " + ", ".join(f"{k}={n}" for k, n in sorted(kinds.items())))
    return {"devices": devices, "outage_s": outage_s, "enqueued": enq, "delivered": len(seqs),
            "evicted": st["evicted_total"], "duplicates": dups, "lost": len(lost),
            "peak_outbox_messages": peak["outbox_messages"],
            "peak_outbox_bytes": peak["outbox_bytes"], "drain_s": drain_s, "by_kind": kinds}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("FLEETGW_BUILDDIR", str(SRC / "build")))
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--force", type=int, default=30)
    ap.add_argument("--outage", type=int, default=600)
    ap.add_argument("--outage-force", type=int, default=30)
    ap.add_argument("--only", default="day,keepalive,outage")
    a = ap.parse_args()
    only = set(a.only.split(","))
    tmp = tempfile.mkdtemp(prefix="fgw-bench-up-")
    env = Env(a.build, tmp)
    try:
        env.cloud()
        res = {}
        if "day" in only:
            res["day"] = day(env, a.devices, a.force)
        if "keepalive" in only:
            res["keepalive"] = keepalive(env)
        if "outage" in only:
            res["outage"] = outage(env, a.outage, a.devices, a.outage_force)
        (Path(tmp) / "result.json").write_text(json.dumps(res, indent=1))
        print(f"\nresults in {tmp}/result.json")
    finally:
        env.close()


if __name__ == "__main__":
    main()
