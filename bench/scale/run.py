#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Scale benchmark: fleetgw polling a simulated fleet at the tightest cadence of Table 5.

For each fleet size, starts tests/fleetsim/fleetsim with that many SNMPv3 (authPriv SHA/AES)
printers on loopback and fleetgw with every device forced to the tightest cadence (status and
alert polls every minute, counters every 60 minutes: [poll] schedule = fixed), lets the first
round of full polls pass, then measures for the given minutes: fleetgw CPU as % of one core,
RSS, RSS per device, poll lateness p99 (highest of the p99s sampled every 10 s), missed polls,
and failed polls. Writes an SVG plot of CPU and RSS against device count.

usage: bench/scale/run.py [--sizes 2000,10000,50000] [--minutes 5] [--v2c] [--svg FILE]
Targets (issue): 10,000 devices under 25 % of one core, RSS under 64 MB, p99 under 5 s, no
missed polls.
"""
import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import free_udp_port, proc_cpu_s as cpu_s, proc_rss_kb as rss_kb  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("FLEETGW_BUILDDIR", os.path.join(TOP, "build"))
FLEETGW = os.environ.get("FLEETGW", os.path.join(BUILD, "fleetgw"))
FLEETSIM = os.path.join(BUILD, "tests", "fleetsim", "fleetsim")
V3 = ("fleet", "authpass123", "privpass123")


def addr(base, i):
    a = [int(x) for x in base.split(".")]
    n = (a[1] << 16 | a[2] << 8 | a[3]) + i
    return f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def run_size(n, minutes, v3, tmp):
    base = "127.40.0.1"
    port = free_udp_port()
    state = os.path.join(tmp, f"gw-{n}")
    os.makedirs(state)
    conf = os.path.join(state, "fleetgw.conf")
    with open(conf, "w") as f:
        f.write(f"[gateway]\nstate_dir = {state}\nlog_level = warning\n"
                "[snmp]\ntimeout = 2s\nretries = 1\nmax_in_flight = 200\n"
                f"catalogue = {os.path.join(TOP, 'snmp', 'counters.catalogue')}\n"
                "[poll]\nschedule = fixed\nalert_interval = 60s\ninterval = 3600s\n")

    def gw(*args, stdin=None):
        return subprocess.run([FLEETGW, "-c", conf, *args], input=stdin, text=True,
                              capture_output=True, check=True).stdout

    sim_argv = [FLEETSIM, "--devices", str(n), "--base-address", base, "--port", str(port),
                "--events-per-hour", "1", "--seed", "3"]
    if v3:
        sim_argv += ["--v3-user", V3[0], "--v3-auth-key", V3[1], "--v3-priv-key", V3[2]]
    sim = subprocess.Popen(sim_argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True)
    daemon = None
    try:
        if sim.stdout.readline().strip() != "ready":
            raise RuntimeError("fleetsim did not become ready")
        gw("init")
        if v3:
            for name, val in (("a", V3[1]), ("p", V3[2])):
                with open(os.path.join(tmp, name), "w") as f:
                    f.write(val + "\n")
            gw("credential", "add", "sim", "-v", "3", "-u", V3[0], "-l", "authPriv", "-a", "SHA",
               "-x", "AES", "--auth-pass-file", os.path.join(tmp, "a"), "--priv-pass-file",
               os.path.join(tmp, "p"))
        else:
            gw("credential", "add", "sim", "-v", "2c", stdin="public\n")
        csvp = os.path.join(state, "fleet.csv")
        with open(csvp, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["address", "port", "credential", "name"])
            for i in range(n):
                w.writerow([addr(base, i), port, "sim", f"sim{i}"])
        t_import = time.monotonic()
        gw("device", "import", csvp)
        t_import = time.monotonic() - t_import
        daemon = subprocess.Popen([FLEETGW, "-c", conf], stderr=open(os.path.join(state, "log"),
                                                                       "w"))
        for _ in range(100):
            try:
                gw("status")
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)
        # First round: every new device gets a full poll within its first minute.
        time.sleep(75)
        s0 = json.loads(gw("status", "--json"))
        c0, sc0, t0 = cpu_s(daemon.pid), cpu_s(sim.pid), time.monotonic()
        p99, rss_max = 0, 0
        end = t0 + minutes * 60
        while time.monotonic() < end:
            time.sleep(10)
            st = json.loads(gw("status", "--json"))
            p99 = max(p99, st["poll_lateness_p99_ms"])
            rss_max = max(rss_max, rss_kb(daemon.pid))
        s1 = json.loads(gw("status", "--json"))
        c1, sc1, t1 = cpu_s(daemon.pid), cpu_s(sim.pid), time.monotonic()
        return {
            "devices": n,
            "snmp": "v3 authPriv SHA/AES" if v3 else "v2c",
            "import_s": round(t_import, 2),
            "seconds": round(t1 - t0),
            "cpu_pct": round(100 * (c1 - c0) / (t1 - t0), 2),
            "fleetsim_cpu_pct": round(100 * (sc1 - sc0) / (t1 - t0), 2),
            "rss_mb": round(rss_max / 1024, 1),
            "rss_kb_per_device": round(rss_max / n, 2),
            "polls_ok": s1["polls_ok"] - s0["polls_ok"],
            "polls_failed": s1["polls_failed"] - s0["polls_failed"],
            "polls_expected": round(n * (t1 - t0) / 60),
            "polls_missed": s1["polls_missed"] - s0["polls_missed"],
            "lateness_p99_ms": p99,
        }
    finally:
        if daemon:
            daemon.send_signal(signal.SIGTERM)
            daemon.wait(timeout=60)
        sim.terminate()
        sim.wait(timeout=30)


def svg(results, path):
    w, h, pad = 640, 360, 50
    xs = [r["devices"] for r in results]
    xmax = max(xs) * 1.05
    cmax = max(max(r["cpu_pct"] for r in results) * 1.2, 25)
    rmax = max(max(r["rss_mb"] for r in results) * 1.2, 64)

    def px(x):
        return pad + (w - 2 * pad) * x / xmax

    def py(v, vmax):
        return h - pad - (h - 2 * pad) * v / vmax

    def line(key, vmax, color):
        pts = " ".join(f"{px(r['devices']):.1f},{py(r[key], vmax):.1f}" for r in results)
        dots = "".join(f'<circle cx="{px(r["devices"]):.1f}" cy="{py(r[key], vmax):.1f}" r="3" '
                       f'fill="{color}"/><text x="{px(r["devices"]) + 6:.1f}" '
                       f'y="{py(r[key], vmax) - 6:.1f}" fill="{color}">{r[key]}</text>'
                       for r in results)
        return f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{pts}"/>{dots}'

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
             'font-family="sans-serif" font-size="12">',
             f'<rect width="{w}" height="{h}" fill="white"/>',
             f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="black"/>',
             f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="#c0392b"/>',
             f'<line x1="{w - pad}" y1="{pad}" x2="{w - pad}" y2="{h - pad}" stroke="#2471a3"/>',
             f'<text x="{w / 2}" y="{h - 12}" text-anchor="middle">devices</text>',
             f'<text x="{pad}" y="{pad - 10}" fill="#c0392b">CPU % of one core (max {cmax:.0f})'
             '</text>',
             f'<text x="{w - pad}" y="{pad - 10}" fill="#2471a3" text-anchor="end">RSS MB '
             f'(max {rmax:.0f})</text>',
             f'<text x="{w / 2}" y="20" text-anchor="middle" font-weight="bold">fleetgw at the '
             'tightest Table 5 cadence</text>']
    for r in results:
        parts.append(f'<text x="{px(r["devices"]):.1f}" y="{h - pad + 15}" '
                     f'text-anchor="middle">{r["devices"]}</text>')
    parts.append(line("cpu_pct", cmax, "#c0392b"))
    parts.append(line("rss_mb", rmax, "#2471a3"))
    parts.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,10000")
    ap.add_argument("--minutes", type=float, default=5)
    ap.add_argument("--v2c", action="store_true", help="SNMPv2c instead of v3 authPriv")
    ap.add_argument("--svg", default=os.path.join(TOP, "docs", "scale.svg"))
    a = ap.parse_args()
    for exe in (FLEETGW, FLEETSIM):
        if not os.access(exe, os.X_OK):
            sys.exit(f"{exe} is not built (set FLEETGW_BUILDDIR)")
    results = []
    with tempfile.TemporaryDirectory(prefix="fleetgw-scale-") as tmp:
        for n in (int(x) for x in a.sizes.split(",")):
            r = run_size(n, a.minutes, not a.v2c, tmp)
            results.append(r)
            print(json.dumps(r), flush=True)
    svg(results, a.svg)
    print(f"plot: {a.svg}")
    hdr = ["devices", "snmp", "cpu_pct", "rss_mb", "rss_kb_per_device", "lateness_p99_ms",
           "polls_missed", "polls_failed", "polls_ok", "polls_expected", "fleetsim_cpu_pct"]
    print(" ".join(f"{h:>16}" for h in hdr))
    for r in results:
        print(" ".join(f"{str(r[h]):>16}" for h in hdr))


if __name__ == "__main__":
    main()
