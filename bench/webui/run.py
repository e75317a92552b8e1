#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Web UI benchmark: the devices API and page with 10,000 devices registered.

Creates a fresh fleetgw state dir, imports N devices (`fleetgw device import`), starts the
daemon with its web UI on a free loopback port (polling throttled to one device at a time so
the figures are the web UI's), logs in, and measures:
  1. `wrk` on GET /api/v1/devices (one page of 50, sorted by name) with the session cookie, at a
     target of R requests/s: wrk has no rate option (wrk2 is not in Debian), so a Lua script
     delays each connection's next request by connections/R seconds; the achieved rate is
     printed with the latency percentiles (wrk --latency);
  2. the same unthrottled, for the maximum rate;
  3. the daemon's CPU (utime+stime from /proc) during the throttled run;
  4. time to first render of the devices page in headless chromium (playwright-core from
     tests/integration/browser): from navigation to the first table row drawn, cold (new page)
     and sorted by a column.

usage: bench/webui/run.py [--devices N] [--rate R] [--seconds S]
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import free_tcp_port, proc_cpu_s  # noqa: E402

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FLEETGW = os.environ.get("FLEETGW", os.path.join(TOP, "build", "fleetgw"))
PASSWORD = "Bench!pass1"


def fleetgw(cfg, *args, stdin=None):
    return subprocess.run([FLEETGW, "-c", cfg, *args], input=stdin, capture_output=True,
                          text=True, check=True).stdout


def login(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
    c.request("POST", "/api/v1/session", json.dumps({"username": "admin", "password": PASSWORD}),
              {"Host": f"localhost:{port}", "Origin": f"https://localhost:{port}",
               "Content-Type": "application/json"})
    r = c.getresponse()
    body = r.read()
    assert r.status == 200, body
    return r.getheader("set-cookie").split(";")[0]


LUA = """
local delay_ms = %f
request = function()
  return wrk.format("GET", "%s", {["Cookie"] = "%s", ["Host"] = "localhost:%d"})
end
delay = function()
  return delay_ms
end
"""


def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s)", text or "")
    if not m:
        return 0.0
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def wrk(port, cookie, path, conns, seconds, rate, tmp, latency_ms=0.0):
    script = os.path.join(tmp, "bench.lua")
    with open(script, "w") as f:
        if rate:
            # Each connection sends, waits for the answer, then waits delay: conns / rate
            # seconds per cycle gives the target rate once the answer's own time is taken off.
            f.write(LUA % (max(0.0, conns / rate * 1000.0 - latency_ms), path, cookie, port))
        else:
            f.write((LUA % (0, path, cookie, port)).replace("delay = function()\n  return "
                                                            "delay_ms\nend\n", ""))
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", "--latency", "-s", script,
                          f"https://127.0.0.1:{port}{path}"], capture_output=True, text=True,
                         check=True).stdout
    lat = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"p50": lat.get("50"), "p99": lat.get("99"), "rps": rps,
            "non2xx": int(non2xx.group(1)) if non2xx else 0, "raw": out}


RENDER = r"""
import { createRequire } from 'node:module';

const require = createRequire(process.env.BROWSER_DIR + '/');
const { chromium } = require('playwright-core');
const url = process.env.URL;
const ctx = await chromium.launchPersistentContext(process.env.PROFILE, {
  executablePath: '/usr/bin/chromium', headless: true, ignoreHTTPSErrors: true,
  viewport: { width: 1280, height: 800 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'] });
const page = ctx.pages()[0] || await ctx.newPage();
await page.goto(url);
await page.fill('#password', process.env.PASSWORD);
await page.click('button[type=submit]');
await page.waitForSelector('.tiles');
const res = {};
for (const [name, hash] of [['cold', '#/devices'], ['sorted', '#/devices?sort=page_count&order=desc']]) {
  const p2 = await ctx.newPage();
  const t0 = Date.now();
  await p2.goto(url + hash);
  await p2.waitForSelector('#devices tbody tr[data-id]');
  res[name] = Date.now() - t0;
  res[name + '_rows'] = await p2.locator('#devices tbody tr').count();
  await p2.close();
}
console.log(JSON.stringify(res));
await ctx.close();
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--devices", type=int, default=10000)
    ap.add_argument("--rate", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    tmp = tempfile.mkdtemp(prefix="fgw-bench-ui-")
    port = free_tcp_port()
    cfg = os.path.join(tmp, "fleetgw.conf")
    with open(cfg, "w") as f:
        f.write(f"[gateway]\nstate_dir = {tmp}/gw\nlog_level = warning\n"
                "[snmp]\ntimeout = 100ms\nretries = 0\nmax_in_flight = 1\n"
                "[poll]\nschedule = fixed\ninterval = 1d\nalert_interval = 1d\n"
                f"[webui]\nport = {port}\nlisten = 127.0.0.1\n"
                f"www_dir = {os.path.join(TOP, 'webui', 'www')}\n")
    pwf = os.path.join(tmp, "pw")
    with open(pwf, "w") as f:
        f.write(PASSWORD + "\n")
    env_dd = os.environ.setdefault("FLEETGW_DATADIR", os.path.join(TOP, "snmp"))
    fleetgw(cfg, "init", "--admin-password-file", pwf)
    fleetgw(cfg, "credential", "add", "pub", "-v", "2c", stdin="public\n")
    csv = os.path.join(tmp, "devices.csv")
    with open(csv, "w") as f:
        f.write("address,port,credential,name\n")
        for i in range(args.devices):
            f.write(f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256},161,pub,"
                    f"printer-{i:05d}\n")
    t0 = time.monotonic()
    fleetgw(cfg, "device", "import", csv)
    import_s = time.monotonic() - t0
    log = open(os.path.join(tmp, "fleetgw.log"), "w")
    d = subprocess.Popen([FLEETGW, "-c", cfg], stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cookie = login(port)
        path = "/api/v1/devices?limit=50&offset=4000&sort=name&order=asc"
        wrk(port, cookie, path, 4, 3, 0, tmp)  # warm up
        calib = wrk(port, cookie, path, 10, 5, args.rate, tmp)
        cpu0, w0 = proc_cpu_s(d.pid), time.monotonic()
        throttled = wrk(port, cookie, path, 10, args.seconds, args.rate, tmp, ms(calib["p50"]))
        cpu = (proc_cpu_s(d.pid) - cpu0) / (time.monotonic() - w0) * 100
        maxed = wrk(port, cookie, path, 10, 10, 0, tmp)
        filtered = wrk(port, cookie, "/api/v1/devices?limit=50&q=printer-0999&sort=page_count"
                       "&order=desc", 10, 10, 0, tmp)
        render = {}
        bdir = os.path.join(TOP, "tests", "integration", "browser")
        if os.path.isdir(os.path.join(bdir, "node_modules", "playwright-core")):
            script = os.path.join(tmp, "render.mjs")
            with open(script, "w") as f:
                f.write(RENDER)
            out = subprocess.run(["node", script], capture_output=True, text=True, env=dict(
                os.environ, BROWSER_DIR=bdir, URL=f"https://localhost:{port}/",
                PASSWORD=PASSWORD, PROFILE=os.path.join(tmp, "profile")), timeout=120)
            render = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 \
                else {"error": out.stdout + out.stderr}
        print(f"devices: {args.devices} (import {import_s:.1f} s)")
        print(f"GET {path}")
        print(f"  at {args.rate} req/s target: {throttled['rps']:.1f} req/s achieved, "
              f"p50 {throttled['p50']}, p99 {throttled['p99']}, non-2xx "
              f"{throttled['non2xx']}, gateway CPU {cpu:.1f} % of one core")
        print(f"  unthrottled (10 connections): {maxed['rps']:.1f} req/s, p50 {maxed['p50']}, "
              f"p99 {maxed['p99']}")
        print(f"  filtered (q=printer-0999, sort page_count), unthrottled: "
              f"{filtered['rps']:.1f} req/s, p50 {filtered['p50']}, p99 {filtered['p99']}")
        print(f"devices page first render in chromium: {render}")
    finally:
        d.send_signal(signal.SIGTERM)
        d.wait(timeout=30)
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
