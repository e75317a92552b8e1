#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Fleet simulator benchmark: SNMPv3 authPriv requests/s, simulator CPU, RSS per device.

Starts tests/fleetsim/fleetsim with N devices (built-in profile, random events off) on a free
loopback port, drives it for S seconds with tests/fleetsim/fleetsim-load (SNMPv3 authPriv
HMAC-SHA-96 + AES-128 GETs of sysUpTime.0, round robin over all devices, a bounded number in
flight, every answer verified) and prints the answered requests per second, the simulator's
CPU time from /proc (per request and as a share of one core), its resident memory, and the
memory per device against a one-device run of the same binary.

usage: bench/fleetsim/run.py [--devices N] [--seconds S] [--inflight K] [--builddir DIR]
"""
import argparse
import os
import resource
import signal
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import proc_cpu_s, proc_rss_kb  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
V3 = ["--v3-user", "bench", "--v3-auth-key", "authpass123", "--v3-priv-key", "privpass123",
      "--v3-auth-proto", "SHA", "--v3-priv-proto", "AES"]


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Sim:
    def __init__(self, binary, devices, base, control):
        self.port = free_udp_port()
        argv = [binary, "--devices", str(devices), "--base-address", base, "--port",
                str(self.port), "--events-per-hour", "0", "--control", control, *V3]
        t0 = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        self.startup_s = time.monotonic() - t0
        if line != "ready\n":
            self.stop()
            sys.exit(f"fleetsim did not start: {line!r}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(30)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--devices", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--inflight", type=int, default=256)
    ap.add_argument("--base-address", default="127.40.0.1")
    ap.add_argument("--builddir", default=os.environ.get("FLEETGW_BUILDDIR",
                                                          os.path.join(TOP, "build")))
    a = ap.parse_args()
    sim_bin = os.path.join(a.builddir, "tests", "fleetsim", "fleetsim")
    load_bin = os.path.join(a.builddir, "tests", "fleetsim", "fleetsim-load")
    for b in (sim_bin, load_bin):
        if not os.access(b, os.X_OK):
            sys.exit(f"{b} not built (make tests/fleetsim/fleetsim tests/fleetsim/fleetsim-load)")
    control = f"/tmp/fleetsim-bench-{os.getpid()}.sock"

    # Baseline: the same binary with one device.
    one = Sim(sim_bin, 1, a.base_address, control)
    rss_one = proc_rss_kb(one.proc.pid)
    one.stop()

    sim = Sim(sim_bin, a.devices, a.base_address, control)
    try:
        rss_idle = proc_rss_kb(sim.proc.pid)
        cpu0 = proc_cpu_s(sim.proc.pid)
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([load_bin, "--devices", str(a.devices), "--base-address",
                              a.base_address, "--port", str(sim.port), *V3[:6],
                              "--seconds", str(a.seconds), "--inflight", str(a.inflight)],
                             capture_output=True, text=True, timeout=a.seconds + 120)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu1 = proc_cpu_s(sim.proc.pid)
        rss_busy = proc_rss_kb(sim.proc.pid)
    finally:
        sim.stop()
        if os.path.exists(control):
            os.unlink(control)
    if out.returncode != 0:
        sys.exit(f"fleetsim-load failed: {out.stderr}")
    kv = dict(x.split("=", 1) for x in out.stdout.split())
    answered, secs = int(kv["answered"]), float(kv["seconds"])
    rps = answered / secs
    # The simulator's CPU also covers the load generator's discovery phase (one Report per
    # device), a few percent of the run.
    sim_cpu = cpu1 - cpu0
    load_cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    per_dev = (rss_busy - rss_one) * 1024 / max(1, a.devices - 1)
    print(f"devices                {a.devices}")
    print(f"startup to ready       {sim.startup_s:.2f} s")
    print(f"load                   {secs:.1f} s, {a.inflight} in flight, "
          f"SNMPv3 authPriv SHA/AES GET")
    print(f"answered               {answered} (timeouts {kv['timeouts']}, errors "
          f"{kv['errors']}, p50 {kv['p50_us']} us, p99 {kv['p99_us']} us)")
    print(f"requests/s             {rps:.0f}")
    print(f"fleetsim CPU           {sim_cpu:.2f} s = {100 * sim_cpu / secs:.0f}% of one core, "
          f"{1e6 * sim_cpu / max(1, answered):.1f} us per request")
    print(f"fleetsim-load CPU      {load_cpu:.2f} s = {100 * load_cpu / secs:.0f}% of one core")
    print(f"fleetsim RSS           {rss_busy / 1024:.1f} MiB ({rss_idle / 1024:.1f} MiB idle, "
          f"{rss_one / 1024:.1f} MiB with one device)")
    print(f"RSS per device         {per_dev:.0f} bytes")


if __name__ == "__main__":
    main()
