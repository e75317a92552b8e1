#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Poll benchmark: client CPU per device poll and RSS per registered device.

Serves the recorded printers of ../shared/testdata/snmprec with snmpsimd on N loopback
addresses, registers N devices in a fresh fleetgw state dir, runs the daemon with a short poll
interval and measures, from /proc, the daemon's CPU time per completed poll and its resident
memory per registered device (against a run with no devices). In the same run it measures the
peer: net-snmp's own command-line tools (snmpget + snmpbulkwalk) reading the same objects from
the same agents, and prints the ratio.

usage: bench/poll/run.py [--devices N] [--seconds S] [--interval S]
"""
import argparse
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import free_udp_port, proc_cpu_s  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLEETGW = os.environ.get("FLEETGW", os.path.join(TOP, "build", "fleetgw"))
SHARED = os.environ.get("FLEETGW_SHARED", os.path.join(TOP, "..", "shared"))
RECS = os.path.join(SHARED, "testdata", "snmprec")

# The objects one full fleetgw poll reads (snmp/poll.c), for the peer run.
SCALARS = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.4.0",
           "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.43.5.1.1.17.1"]
WALKS = ["1.3.6.1.2.1.25.3.2.1.2", "1.3.6.1.2.1.25.3.2.1.3", "1.3.6.1.2.1.25.3.2.1.5",
         "1.3.6.1.2.1.25.3.5.1", "1.3.6.1.2.1.2.2.1.6", "1.3.6.1.2.1.43.10.2.1.4",
         "1.3.6.1.2.1.43.11.1.1", "1.3.6.1.2.1.43.12.1.1.4", "1.3.6.1.2.1.43.8.2.1",
         "1.3.6.1.2.1.43.18.1.1"]


def fleetgw(cfg, *args, stdin=None):
    return subprocess.run([FLEETGW, "-c", cfg, *args], input=stdin, capture_output=True,
                          text=True, check=True).stdout


def status(cfg):
    return json.loads(fleetgw(cfg, "status", "--json"))


def setup_state(tmp, n, port, names, interval):
    state = os.path.join(tmp, f"state-{n}")
    os.makedirs(state)
    cfg = os.path.join(state, "fleetgw.conf")
    with open(cfg, "w") as f:
        f.write(f"[gateway]\nstate_dir = {state}\nlog_level = warning\n"
                f"[snmp]\ntimeout = 2s\nretries = 1\nmax_in_flight = 64\n"
                f"catalogue = {os.path.join(TOP, 'snmp', 'counters.catalogue')}\n"
                f"[poll]\nschedule = fixed\ninterval = {interval}s\nalert_interval = {interval}s\n")
    fleetgw(cfg, "init")
    for name in names:
        fleetgw(cfg, "credential", "add", name, "-v", "2c", stdin=name + "\n")
    csv = os.path.join(state, "devices.csv")
    with open(csv, "w") as f:
        f.write("address,port,credential,name\n")
        for i in range(n):
            f.write(f"{addr(i)},{port},{names[i % len(names)]},bench-{i}\n")
    if n:
        fleetgw(cfg, "device", "import", csv)
    return cfg


def addr(i):
    return f"127.0.{3 + i // 250}.{1 + i % 250}"


def run_daemon(cfg, seconds, warmup):
    d = subprocess.Popen([FLEETGW, "-c", cfg], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                status(cfg)
                break
            except subprocess.CalledProcessError:
                time.sleep(0.1)
        time.sleep(warmup)
        s0, c0 = status(cfg), proc_cpu_s(d.pid)
        time.sleep(seconds)
        s1, c1 = status(cfg), proc_cpu_s(d.pid)
        return {
            "polls": s1["polls_ok"] - s0["polls_ok"],
            "failed": s1["polls_failed"] - s0["polls_failed"],
            "cpu_s": c1 - c0,
            "rss_kb": s1["rss_kb"],
            "seconds": seconds,
        }
    finally:
        d.send_signal(signal.SIGTERM)
        d.wait(timeout=30)


def peer(port, names, polls, ndev):
    """CPU of net-snmp's command-line tools doing the same reads, per device poll."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for i in range(polls):
        target = f"{addr(i % ndev)}:{port}"
        comm = names[i % len(names)]
        base = ["-v2c", "-c", comm, "-t", "2", "-r", "1", "-On", target]
        subprocess.run(["snmpget", *base, *SCALARS], capture_output=True)
        for w in WALKS:
            subprocess.run(["snmpbulkwalk", "-Cr20", *base, w], capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu / polls


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devices", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--interval", type=int, default=10)
    ap.add_argument("--peer-polls", type=int, default=40)
    a = ap.parse_args()
    if not os.path.isdir(RECS):
        sys.exit(f"recordings not found in {RECS} (set FLEETGW_SHARED)")
    names = sorted(f[:-8] for f in os.listdir(RECS) if f.endswith(".snmprec"))
    tmp = tempfile.mkdtemp(prefix="fleetgw-bench-")
    port = free_udp_port()
    simdir = os.path.join(tmp, "snmpsim")
    os.makedirs(simdir)
    os.chmod(tmp, 0o755)
    os.chmod(simdir, 0o777)
    eps = [f"--agent-udpv4-endpoint={addr(i)}:{port}" for i in range(a.devices)]
    user = ["--process-user=nobody", "--process-group=nogroup"] if os.getuid() == 0 else []
    sim = subprocess.Popen(["snmpsimd", f"--data-dir={RECS}", f"--cache-dir={simdir}",
                            f"--logging-method=file:{simdir}/log", *eps, *user])
    try:
        for _ in range(100):
            r = subprocess.run(["snmpget", "-v2c", "-c", names[0], "-t", "1", "-r", "0",
                                f"{addr(a.devices - 1)}:{port}", "1.3.6.1.2.1.1.1.0"],
                               capture_output=True)
            if r.returncode == 0:
                break
            time.sleep(0.3)
        base_cfg = setup_state(tmp, 0, port, names, a.interval)
        base = run_daemon(base_cfg, 3, 1)
        cfg = setup_state(tmp, a.devices, port, names, a.interval)
        res = run_daemon(cfg, a.seconds, a.interval + 5)
        peer_us = peer(port, names, a.peer_polls, a.devices) * 1e6
    finally:
        sim.terminate()
        sim.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    us_per_poll = res["cpu_s"] * 1e6 / max(res["polls"], 1)
    rss_per_dev = (res["rss_kb"] - base["rss_kb"]) * 1024 / a.devices
    print(f"devices                      {a.devices}")
    print(f"interval_s                   {a.interval}")
    print(f"measured_s                   {res['seconds']}")
    print(f"polls_ok                     {res['polls']}")
    print(f"polls_failed                 {res['failed']}")
    print(f"fleetgw_cpu_us_per_poll      {us_per_poll:.0f}")
    print(f"fleetgw_cpu_pct_of_core      {100 * res['cpu_s'] / res['seconds']:.2f}")
    print(f"rss_kb_idle                  {base['rss_kb']}")
    print(f"rss_kb_with_devices          {res['rss_kb']}")
    print(f"rss_bytes_per_device         {rss_per_dev:.0f}")
    print(f"peer_netsnmp_cli_us_per_poll {peer_us:.0f}")
    print(f"ratio_fleetgw_to_peer_cpu    {us_per_poll / peer_us:.3f}")


if __name__ == "__main__":
    main()
