#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Discovery benchmark: sweep a /16 of loopback holding N fleetsim printers at random addresses.

Starts fleetsim with N SNMPv3 printers, moves each one to a random free address of
127.42.0.0/16 through its control socket (fleetsim places devices consecutively), then runs
`fleetgw discover run --target 127.42.0.0/16 --credential sim --pps PPS --json` once and prints
elapsed time, paced packets per second (SNMP first packets plus WS-Discovery Probes: WSD is on
by default, as in the gateway, and both kinds count against the pps limit), the packets the
simulator received, the sweep's CPU time (user + system of the fleetgw process) and
found/expected, with any printer found at an address where none was placed (must be none).
When this fleetsim has a WS-Discovery responder (--wsd), every printer also answers WSD, so
each is found by "snmp+wsd" (the counts by how found are printed); --no-wsd sweeps with SNMP
only, as before WS-Discovery.

Network namespace: the benchmark runs itself inside a network namespace of its own (it
re-executes under `unshare -n`, needs root) where only lo is up, lo carries multicast
(`ip link set lo multicast on`, `ip route add 224.0.0.0/4 dev lo`). The sweep then covers the
whole /16 (inside lo's 127.0.0.0/8) with 3 multicast WS-Discovery Probes out of lo instead of a
directed Probe per address, as on a LAN the gateway is attached to; the printed "wsd mode" line
says which way was used. --no-multicast leaves multicast off on lo in that namespace (a directed
Probe per address, the way targets beyond the attached subnets are probed); --no-netns runs in
the current namespace as is (on a host whose lo has no multicast: directed Probes). No packet
leaves the namespace: everything goes to 127.0.0.0/8 and the multicast group on lo.

With --peer, it also sweeps the first /PEER_PREFIX of that fleet (default /22, the issue's range; 128 peer threads) with Debian's
fusioninventory-netdiscovery (package fusioninventory-agent-task-network; SNMP v2c, --threads)
and with fleetgw (the same v2c credential) and prints the ratio of elapsed times, the printers
each found and whether the identity fields (serial, MAC, model) agree. The peer resolves every
address's name, which asks the DNS server: the benchmark's own network namespace (below) has
only the loopback, so those lookups fail at once.

usage: bench/discovery/run.py [--devices N] [--pps PPS] [--timeout MS] [--seed S] [--no-wsd]
                              [--no-multicast] [--no-netns]
                              [--peer] [--peer-prefix N] [--peer-threads N]
Environment: FLEETGW (the fleetgw program), FLEETSIM (tests/fleetsim/fleetsim of the build).
"""
import argparse
import json
import os
import random
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import free_tcp_port, free_udp_port  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLEETGW = os.environ.get("FLEETGW", os.path.join(TOP, "build", "fleetgw"))
FLEETSIM = os.environ.get("FLEETSIM", os.path.join(os.path.dirname(FLEETGW), "tests", "fleetsim",
                                                   "fleetsim"))
V3 = ("fleet", "authpass123", "privpass123")


def ctl(path, line):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(path)
        s.sendall(line.encode() + b"\n")
        reply = s.makefile().readline()
    if not reply.startswith("ok"):
        sys.exit(f"fleetsim {line!r}: {reply}")
    return reply


def peer(a, run, port, expected, ours_16):
    """fusioninventory-netdiscovery against fleetgw on the first /peer_prefix of the fleet."""
    exe = shutil.which("fusioninventory-netdiscovery")
    if not exe:
        print("peer             fusioninventory-netdiscovery not installed: skipped")
        return
    size = 1 << (32 - a.peer_prefix)
    first, last = "127.42.0.0", f"127.42.{(size - 1) >> 8}.{(size - 1) & 255}"
    inside = {x for x in expected if int(x.split(".")[2]) * 256 + int(x.split(".")[3]) < size}
    run("credential", "add", "simv2", "-v", "2c", input="public\n")
    t0 = time.monotonic()
    r = json.loads(run("discover", "run", "--target", f"127.42.0.0/{a.peer_prefix}",
                       "--credential", "simv2", "--port", str(port), "--pps", str(a.pps),
                       "--json").stdout)
    ours_s = time.monotonic() - t0
    ours = {p["address"]: p for p in r["printers"]}
    t0 = time.monotonic()
    cp = subprocess.run([exe, "--first", first, "--last", last, "--port", str(port),
                         "--community", "public", "--threads", str(a.peer_threads)],
                        capture_output=True, text=True)
    peer_s = time.monotonic() - t0
    theirs = {}
    for block in re.findall(r"<DEVICE>(.*?)</DEVICE>", cp.stdout, re.S):
        f = dict(re.findall(r"<([A-Z]+)>([^<]*)</\1>", block))
        if f.get("TYPE") == "PRINTER":
            theirs[f.get("IP")] = f
    same = sum(1 for ip, f in theirs.items() if ip in ours and
               f.get("SERIAL") == ours[ip]["serial"] and f.get("MAC", "").lower() == ours[ip]["mac"]
               and f.get("MODEL") == ours[ip]["model"])
    print(f"peer range       {first}-{last} ({size} addresses, {len(inside)} printers placed)")
    print(f"fleetgw          {ours_s:.1f} s, {len(set(ours) & inside)} printers")
    print(f"fusioninventory  {peer_s:.1f} s, {len(set(theirs) & inside)} printers "
          f"({a.peer_threads} threads, exit {cp.returncode})")
    print(f"elapsed ratio    {peer_s / max(ours_s, 0.001):.1f}x (peer / fleetgw)")
    print(f"identity agrees  {same}/{len(set(theirs) & set(ours))} (serial, MAC, model)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=2000)
    ap.add_argument("--pps", type=int, default=2000)
    ap.add_argument("--timeout", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-wsd", action="store_true", help="sweep with SNMP only")
    ap.add_argument("--peer", action="store_true")
    ap.add_argument("--peer-prefix", type=int, default=22)
    ap.add_argument("--peer-threads", type=int, default=128)
    ap.add_argument("--no-multicast", action="store_true",
                    help="no multicast on lo in the namespace: a directed Probe per address")
    ap.add_argument("--no-netns", action="store_true",
                    help="run in the current network namespace instead of a new one")
    ap.add_argument("--in-netns", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if not a.no_netns and not a.in_netns:
        # Re-run inside a network namespace of our own: only lo, with multicast unless told.
        setup = "ip link set lo up"
        if not a.no_multicast:
            setup += " && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo"
        argv = [sys.executable, os.path.abspath(__file__), *sys.argv[1:], "--in-netns"]
        cmd = setup + " && exec " + " ".join(f"'{x}'" for x in argv)
        os.execvp("unshare", ["unshare", "-n", "sh", "-c", cmd])

    tmp = tempfile.mkdtemp(prefix="bench-disc-")
    port = free_udp_port()
    sock = os.path.join(tmp, "fleetsim.sock")
    log = open(os.path.join(tmp, "fleetsim.log"), "w")
    help = subprocess.run([FLEETSIM, "--help"], capture_output=True, text=True)
    sim_wsd = "--wsd" in help.stdout + help.stderr
    wsd_port = free_udp_port()
    argv = [FLEETSIM, "--devices", str(a.devices), "--base-address", "127.42.0.1", "--port",
            str(port), "--control", sock, "--events-per-hour", "0", "--v3-user", V3[0],
            "--v3-auth-key", V3[1], "--v3-priv-key", V3[2]]
    if sim_wsd and not a.no_wsd:
        argv += ["--wsd", "--wsd-port", str(wsd_port), "--soap-port", str(free_tcp_port())]
    sim = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        if sim.stdout.readline().strip() != "ready":
            sys.exit("fleetsim did not start; see " + log.name)
        # Random placement: every device to a distinct random address of the /16 (not .0 or
        # .255 of the whole /16, which some stacks treat specially).
        rnd = random.Random(a.seed)
        addrs = rnd.sample(range(1, 65535), a.devices)
        # A move must not land on an address another device still holds: park every device
        # outside the /16 first, then place it.
        for i in range(a.devices):
            ctl(sock, f"move {i} 127.43.{(i + 1) >> 8}.{(i + 1) & 255}")
        expected = set()
        for i, n in enumerate(addrs):
            addr = f"127.42.{n >> 8}.{n & 255}"
            ctl(sock, f"move {i} {addr}")
            expected.add(addr)

        conf = os.path.join(tmp, "fleetgw.conf")
        with open(conf, "w") as f:
            f.write(f"[gateway]\nstate_dir = {tmp}/gw\n")
        run = lambda *args, **kw: subprocess.run([FLEETGW, "-c", conf, *args], text=True,  # noqa
                                                 capture_output=True, check=True, **kw)
        run("init")
        with open(os.path.join(tmp, "a"), "w") as f:
            f.write(V3[1] + "\n")
        with open(os.path.join(tmp, "p"), "w") as f:
            f.write(V3[2] + "\n")
        run("credential", "add", "sim", "-v", "3", "-u", V3[0], "-l", "authPriv", "-a", "SHA",
            "-x", "AES", "--auth-pass-file", os.path.join(tmp, "a"), "--priv-pass-file",
            os.path.join(tmp, "p"))

        def received():
            """Datagrams the simulator received: SNMP, and WS-Discovery when it answers WSD."""
            st = dict(kv.split("=", 1) for kv in ctl(sock, "stats").split()[1:] if "=" in kv)
            return int(st["rx"]), int(st.get("wsd_rx", 0))
        rx0 = received()
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        out = run("discover", "run", "--target", "127.42.0.0/16", "--credential", "sim",
                  "--port", str(port), "--pps", str(a.pps), "--timeout", str(a.timeout),
                  "--wsd-port", str(wsd_port), "--no-wsd" if a.no_wsd else "--wsd",
                  "--json").stdout
        elapsed = time.monotonic() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        rx1 = received()
        snmp_rx, wsd_rx = rx1[0] - rx0[0], rx1[1] - rx0[1]
        rx = snmp_rx + wsd_rx
        r = json.loads(out)
        found = {p["address"] for p in r["printers"]}
        cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        sw = r["sweep"]
        print(f"addresses        {sw['total']}")
        print(f"elapsed          {elapsed:.1f} s (sweep {sw['elapsed_s']:.1f} s)")
        wsd = sw.get("wsd_packets", 0)
        ifs = ", ".join(f"{i['name']} {i['address']}/{i['prefix']}"
                        for i in sw.get("wsd_interfaces", []))
        print(f"wsd mode         {sw.get('wsd_mode', '?')}{' via ' + ifs if ifs else ''}")
        print(f"paced packets/s  {sw['packets'] / sw['elapsed_s']:.0f} (limit {a.pps}; "
              f"{sw['packets'] - wsd} SNMP + {wsd} WS-Discovery)")
        if not a.no_wsd:
            how = {}
            for p in r["printers"]:
                how[p.get("found_by", "snmp")] = how.get(p.get("found_by", "snmp"), 0) + 1
            print(f"found by         {', '.join(f'{k} {v}' for k, v in sorted(how.items()))}"
                  f" ({'simulator answers WSD' if sim_wsd else 'no WSD responder in this fleetsim'})")
        print(f"packets received {rx} by the simulator ({rx / sw['elapsed_s']:.0f}/s; "
              f"{snmp_rx} SNMP + {wsd_rx} WS-Discovery)")
        print(f"cpu              {cpu:.1f} s ({100 * cpu / elapsed:.0f}% of one core)")
        print(f"found/expected   {len(found & expected)}/{len(expected)}")
        print(f"unexpected       {len(found - expected)}")
        if a.peer:
            peer(a, run, port, expected, r)
    finally:
        sim.terminate()
        sim.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
