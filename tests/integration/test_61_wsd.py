# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# WS-Discovery and SOAP through `fleetgw probe --wsd` against fleetsim's per-device responder
# and SOAP endpoint on loopback: the identity a device reports over WSD equals what the same
# device reports over SNMP (fleetgw's own SNMP probe, same catalogue); supplies and state follow
# the simulator's control socket; a device with SNMP disabled is found only through WSD; the
# endpoint UUID survives an address change; bad input and silent devices give the documented
# exit codes. A multicast Probe runs inside a network namespace of its own (`unshare -n`, lo with
# multicast), and is skipped with the reason when that is not possible.
#
# Every packet stays in 127.0.0.0/8; the multicast test sends to 239.255.255.250 only inside its
# private namespace.

import json
import re
import resource
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import BUILDDIR, SRCDIR, FleetsimProcess, free_udp_port, need_fleetgw

FLEETSIM = Path(BUILDDIR or ".") / "tests" / "fleetsim" / "fleetsim"
CATALOGUE = Path(SRCDIR or ".") / "snmp" / "counters.catalogue"

pytestmark = pytest.mark.skipif(not os.access(FLEETSIM, os.X_OK), reason=f"{FLEETSIM} not built")


def free_port_any(kind):
    """A port free on 0.0.0.0 (fleetsim binds the wildcard address, restricted to lo)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


class WsdFleet(FleetsimProcess):
    """fleetsim with --wsd on kernel-chosen ports."""

    def __init__(self, tdir, name, devices, base, extra=()):
        self.snmp_port = free_port_any(socket.SOCK_DGRAM)
        self.wsd_port = free_port_any(socket.SOCK_DGRAM)
        self.soap_port = free_port_any(socket.SOCK_STREAM)
        self.ctl = tdir / f"{name}.sock"
        self.base = base
        argv = [str(FLEETSIM), "--devices", str(devices), "--base-address", base, "--port",
                str(self.snmp_port), "--control", str(self.ctl), "--events-per-hour", "0",
                "--seed", "5", "--wsd", "--wsd-port", str(self.wsd_port), "--soap-port",
                str(self.soap_port), "--catalogue", str(CATALOGUE)] + list(extra)
        super().__init__(name, argv, tdir / f"{name}.log")

    def wsd_info(self, dev):
        """fleetsim's own view: uuid, xaddr, snmp on/off."""
        return dict(kv.split("=", 1) for kv in self.command(f"wsd {dev}").split()[1:]
                    if "=" in kv)


@pytest.fixture
def fleet(tdir):
    f = WsdFleet(tdir, "fleetsim", 6, "127.61.0.1", ["--snmp-off", "3,5"]).start()
    yield f
    f.stop()


def probe_wsd(fleetgw, fleet, addr, *extra, timeout=3):
    cp = fleetgw("probe", "--wsd", addr, "--wsd-port", fleet.wsd_port, "--timeout", timeout,
                 "--json", *extra, timeout=60)
    return cp, (json.loads(cp.stdout) if cp.stdout.strip().startswith("{") else None)


def probe_snmp(fleetgw, fleet, addr):
    return fleetgw("probe", "--json", "--catalogue", CATALOGUE, "--timeout", "1", "--retries",
                   "1", "-v", "2c", "-c", "public", f"{addr}:{fleet.snmp_port}", timeout=60)


def test_identity_matches_snmp(fleet, fleetgw):
    need_fleetgw()
    addr = fleet.addr(0)
    cp, w = probe_wsd(fleetgw, fleet, addr)
    assert cp.returncode == 0, cp.stderr
    sp = probe_snmp(fleetgw, fleet, addr)
    assert sp.returncode == 0, sp.stderr
    s = json.loads(sp.stdout)

    # Same device, same identity, whichever protocol asks.
    assert w["serial"] == s["serial"] and w["serial"]
    assert w["manufacturer"] == s["vendor"] and w["manufacturer"]
    assert w["model"] == s["model"] and w["model"]
    assert w["firmware"] == s["firmware"] and w["firmware"]

    # The endpoint reference and transport address are the simulator's.
    sim = fleet.wsd_info(0)
    assert w["uuid"] == sim["uuid"]
    assert w["xaddrs"] == sim["xaddr"]
    assert w["address"] == addr
    assert w["xaddrs"].startswith(f"http://{addr}:{fleet.soap_port}/")
    assert "PrintDeviceType" in w["types"]
    assert w["is_printer"] is True
    assert w["print_url"] == sim["xaddr"] + "/print"

    # Status and every supply level agree with the Printer-MIB view of the same moment.
    state = {"idle": "Idle", "printing": "Processing", "warmup": "Idle", "other": "Stopped"}
    assert w["status"]["state"] == state[s["status"]["printer"]]
    reasons = {"jammed": "MediaJam", "door_open": "DoorOpen", "no_toner": "MarkerSupplyEmpty",
               "low_toner": "MarkerSupplyLow", "service_requested": "ServiceRequested"}
    want = sorted(reasons[c] for c in s["status"]["conditions"] if c in reasons) or ["None"]
    assert sorted(w["status"]["reasons"].split()) == want
    # Input trays are not consumables, and over SNMP they are not supplies either.
    assert s["trays"] and not [x for x in s["supplies"] if x["type"] == "input"]
    snmp_levels = {x["description"]: x["percent"] for x in s["supplies"]}
    wsd_levels = {x["name"]: x["level"] for x in w["supplies"]}
    assert wsd_levels == snmp_levels
    colours = {x["name"]: x["color"].lower() for x in w["supplies"] if x["color"]}
    assert colours == {x["description"]: x["color"] for x in s["supplies"]
                       if x["type"] == "toner"}

    st = fleet.stats()
    assert int(st["wsd_matches"]) >= 1 and int(st["soap_get"]) >= 1
    assert int(st["soap_gpe"]) >= 1


def test_snmp_disabled_device_found_by_wsd(fleet, fleetgw):
    addr = fleet.addr(3)
    assert fleet.wsd_info(3)["snmp"] == "off"
    sp = probe_snmp(fleetgw, fleet, addr)
    assert sp.returncode == 3, f"SNMP answered for a device with SNMP off: {sp.stdout}"
    cp, w = probe_wsd(fleetgw, fleet, addr)
    assert cp.returncode == 0, cp.stderr
    show = fleet.command("show 3").split()
    assert w["serial"] == show[3]  # "ok INDEX ADDRESS SERIAL ..."
    # Turned back on through the control socket, SNMP answers with the same serial.
    fleet.command("snmp 3 on")
    sp = probe_snmp(fleetgw, fleet, addr)
    assert sp.returncode == 0, sp.stderr
    assert json.loads(sp.stdout)["serial"] == w["serial"]


def test_state_and_supplies_follow_the_device(fleet, fleetgw):
    addr = fleet.addr(1)
    fleet.command("jam 1")
    fleet.command("toner 1 4 3")  # prtMarkerSuppliesIndex 4 (black), 3 of 100
    cp, w = probe_wsd(fleetgw, fleet, addr)
    assert cp.returncode == 0, cp.stderr
    assert w["status"]["state"] == "Stopped"
    assert "MediaJam" in w["status"]["reasons"].split()
    assert "MarkerSupplyLow" in w["status"]["reasons"].split()
    black = [x for x in w["supplies"] if x["color"] == "Black"]
    assert len(black) == 1 and black[0]["level"] == 3

    fleet.command("clear 1")
    fleet.command("toner 1 4 90")
    cp, w = probe_wsd(fleetgw, fleet, addr)
    assert cp.returncode == 0, cp.stderr
    assert w["status"]["state"] != "Stopped"
    assert "MediaJam" not in w["status"]["reasons"].split()
    assert [x["level"] for x in w["supplies"] if x["color"] == "Black"] == [90]

    # A device that is down stays silent: exit 3, no ProbeMatch.
    fleet.command("down 1")
    cp, w = probe_wsd(fleetgw, fleet, addr, timeout=1)
    assert cp.returncode == 3, cp.stdout + cp.stderr
    assert w["matched"] is False and w["code"] == "SOAPC_E_TIMEOUT"


def test_uuid_survives_move(fleet, fleetgw):
    cp, before = probe_wsd(fleetgw, fleet, fleet.addr(2))
    assert cp.returncode == 0, cp.stderr
    new = "127.61.9.9"
    fleet.command(f"move 2 {new}")
    cp, old = probe_wsd(fleetgw, fleet, fleet.addr(2), timeout=1)
    assert cp.returncode == 3
    cp, after = probe_wsd(fleetgw, fleet, new)
    assert cp.returncode == 0, cp.stderr
    assert after["uuid"] == before["uuid"]
    assert after["serial"] == before["serial"]
    assert after["xaddrs"].startswith(f"http://{new}:")


def test_probe_wsd_bad_input(fleetgw, tdir):
    need_fleetgw()
    cases = [
        (["--wsd", "127.0.0.300"], "'127.0.0.300' is not an IPv4 address"),
        (["--wsd", "::1"], "IPv6 WS-Discovery is not supported yet"),
        (["--wsd", "127.0.0.1", "--wsd-port", "0"], "--wsd-port: '0'"),
        (["--wsd", "127.0.0.1", "--timeout", "x"], "--timeout: 'x'"),
        (["--wsd", "127.0.0.1", "--interface", "127.0.0.1"], "--interface goes with"),
        (["--wsd", "127.0.0.1", "extra"], "unexpected argument 'extra'"),
    ]
    for args, msg in cases:
        cp = fleetgw("probe", *args)
        assert cp.returncode == 2, (args, cp.stderr)
        assert msg in cp.stderr, (args, cp.stderr)
    # Nobody listens: no answer within the timeout, exit 3.
    port = free_udp_port()
    t0 = time.monotonic()
    cp = fleetgw("probe", "--wsd", "127.0.0.1", "--wsd-port", port, "--timeout", "0.6")
    assert cp.returncode == 3, cp.stderr
    assert "no WS-Discovery answer from 127.0.0.1" in cp.stderr
    assert time.monotonic() - t0 < 10


def test_soap_endpoint_refuses_strangers(fleet, tdir):
    """The SOAP endpoint answers only the device's own path; a malformed request gets a fault,
    and the simulator keeps serving (SNMP and SOAP) afterwards."""
    sim = fleet.wsd_info(0)
    host = fleet.addr(0)
    body = ('<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
            '<s:Body></s:Body></s:Envelope>')
    req = (f"POST /not-the-uuid HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/soap+xml; "
           f'action="http://schemas.xmlsoap.org/ws/2004/09/transfer/Get"\r\n'
           f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}")
    with socket.create_connection((host, fleet.soap_port), timeout=5) as s:
        s.sendall(req.encode())
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    assert b" 500 " in reply.split(b"\r\n", 1)[0] or b" 400 " in reply.split(b"\r\n", 1)[0]
    assert b"Fault" in reply
    with socket.create_connection((host, fleet.soap_port), timeout=5) as s:
        s.sendall(b"GARBAGE\r\n\r\n")
        s.settimeout(5)
        try:
            s.recv(65536)
        except OSError:
            pass
    assert fleet.alive()
    assert sim["uuid"] == fleet.wsd_info(0)["uuid"]


NS_SCRIPT = r"""
set -e
ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo
"$FLEETSIM" --devices 12 --base-address 127.62.0.1 --port 161 --wsd --wsd-port 3702 \
    --soap-port 5357 --events-per-hour 0 --seed 9 --snmp-off 4 >"$T/ns-fleetsim.out" \
    2>"$T/ns-fleetsim.log" &
sim=$!
i=0
until grep -q ready "$T/ns-fleetsim.out"; do
    i=$((i + 1)); [ $i -lt 300 ] || { kill $sim; exit 90; }; sleep 0.1
done
rc=0
"$FLEETGW" probe --wsd 239.255.255.250 --interface 127.0.0.1 --timeout 2 --json \
    >"$T/ns-multicast.json" 2>"$T/ns-multicast.err" || rc=$?
"$FLEETGW" probe --wsd 127.62.0.5 --timeout 2 --json >"$T/ns-unicast.json" \
    2>"$T/ns-unicast.err" || rc=$((rc + 100))
kill $sim
wait $sim || true
exit $rc
"""


def test_multicast_probe_in_namespace(tdir):
    exe = need_fleetgw()
    if os.geteuid() != 0:
        pytest.skip("multicast test needs root for its own network namespace (unshare -n)")
    if not shutil.which("unshare") or not shutil.which("ip"):
        pytest.skip("unshare or ip (iproute2) missing")
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace: {probe.stderr.decode().strip()}")
    env = dict(os.environ, FLEETSIM=str(FLEETSIM), FLEETGW=exe, T=str(tdir))
    cp = subprocess.run(["unshare", "-n", "sh", "-c", NS_SCRIPT], env=env, capture_output=True,
                        text=True, timeout=120)
    logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')}"
                     for p in sorted(tdir.glob("ns-*")))
    assert cp.returncode == 0, f"exit {cp.returncode}: {cp.stderr}\n{logs}"
    found = json.loads((tdir / "ns-multicast.json").read_text())["matches"]
    addrs = sorted(m["address"] for m in found)
    # Every device answers the multicast Probe from its own address, SNMP off or not.
    assert addrs == sorted(f"127.62.0.{i}" for i in range(1, 13)), logs
    assert len({m["uuid"] for m in found}) == 12
    for m in found:
        assert m["xaddrs"] == f"http://{m['address']}:5357/{m['uuid'][len('urn:uuid:'):]}"
    # And the SNMP-less device (index 4) gives its identity over SOAP.
    u = json.loads((tdir / "ns-unicast.json").read_text())
    assert u["address"] == "127.62.0.5" and u["serial"] and u["is_printer"]
    assert u["uuid"] == next(m["uuid"] for m in found if m["address"] == "127.62.0.5")


def test_stalled_soap_client_does_not_stall_snmp(fleet, fleetgw):
    """A SOAP client that connects and sends half a request holds the simulator's SOAP thread;
    SNMP (the loop) keeps answering at once, and SOAP serves again once the client gives up."""
    host = fleet.addr(0)
    stalled = socket.create_connection((host, fleet.soap_port), timeout=5)
    stalled.sendall(b"POST /x HTTP/1.1\r\nHost: " + host.encode() + b"\r\nContent-Length: 999\r\n")
    try:
        t0 = time.monotonic()
        sp = probe_snmp(fleetgw, fleet, host)
        assert sp.returncode == 0, sp.stderr
        assert time.monotonic() - t0 < 2.0
    finally:
        stalled.close()
    cp, w = probe_wsd(fleetgw, fleet, host, timeout=6)
    assert cp.returncode == 0, cp.stderr
    assert w["serial"]


def test_fleetsim_snmp_off_options(tdir):
    """--snmp-off-fraction picks devices from the seed (same set every run); bad values name
    themselves and exit 2."""
    picks = []
    for run in range(2):
        f = WsdFleet(tdir, f"frac{run}", 40, "127.63.0.1", ["--snmp-off-fraction", "0.5"]).start()
        try:
            picks.append([f.wsd_info(i)["snmp"] for i in range(40)])
        finally:
            f.stop()
    assert picks[0] == picks[1]
    off = picks[0].count("off")
    assert 8 <= off <= 32, picks[0]
    bad = [
        (["--wsd", "--snmp-off", "3,x"], "--snmp-off: 'x' is not a device index or range"),
        (["--wsd", "--snmp-off", "2-99"], "--snmp-off: '2-99' is not a device index"),
        (["--wsd", "--snmp-off-fraction", "1.5"], "--snmp-off-fraction: '1.5' is not a number"),
        (["--snmp-off", "1"], "need --wsd"),
        (["--wsd", "--wsd-port", "0"], "--wsd-port: '0'"),
    ]
    for args, msg in bad:
        cp = subprocess.run([str(FLEETSIM), "--devices", "4", "--base-address", "127.63.1.1",
                             "--port", str(free_port_any(socket.SOCK_DGRAM))] + args,
                            capture_output=True, text=True, timeout=30)
        assert cp.returncode == 2, (args, cp.stderr)
        assert msg in cp.stderr, (args, cp.stderr)


# ---------------------------------------------------------------------------------------------
# Hostile devices: a small WS-Discovery responder and HTTP endpoint in Python on loopback that
# answer the way fleetsim never does (dripping bytes, foreign XAddrs, long UTF-8 text).

NS = ('xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
      'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
      'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" '
      'xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/mex" '
      'xmlns:p="http://schemas.xmlsoap.org/ws/2006/02/devprof" '
      'xmlns:w="http://schemas.microsoft.com/windows/2006/08/wdp/print"')
HDR = ('<s:Header><a:Action>{action}</a:Action><a:MessageID>urn:uuid:0f8fad5b-d9cb-469f-a165-'
       '70867728950e</a:MessageID><a:RelatesTo>{rel}</a:RelatesTo></s:Header>')
DEV_UUID = "urn:uuid:6b1e3c2a-0d4f-4e8a-9c1b-2f3a4b5c6d7e"
KANJI = "複合機"


def probe_matches(rel, xaddrs, types):
    return (f'<?xml version="1.0" encoding="utf-8"?><s:Envelope {NS}>'
            + HDR.format(action="http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches",
                         rel=rel)
            + f"<s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>{DEV_UUID}"
            f"</a:Address></a:EndpointReference><d:Types>{types}</d:Types>"
            f"<d:XAddrs>{xaddrs}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>"
            "</d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>").encode()


def metadata(name, print_url):
    return (f'<?xml version="1.0" encoding="utf-8"?><s:Envelope {NS}>'
            + HDR.format(action="http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse",
                         rel="urn:uuid:11111111-2222-4333-8444-555555555555")
            + '<s:Body><x:Metadata><x:MetadataSection Dialect="http://schemas.xmlsoap.org/ws/'
            '2006/02/devprof/ThisDevice"><p:ThisDevice>'
            f"<p:FriendlyName>{name}</p:FriendlyName><p:SerialNumber>HOSTILE1</p:SerialNumber>"
            '</p:ThisDevice></x:MetadataSection><x:MetadataSection Dialect="http://schemas.'
            'xmlsoap.org/ws/2006/02/devprof/Relationship"><p:Relationship Type="http://schemas.'
            'xmlsoap.org/ws/2006/02/devprof/host"><p:Host><a:EndpointReference><a:Address>'
            f"{DEV_UUID}</a:Address></a:EndpointReference><p:Types>p:Device</p:Types></p:Host>"
            f"<p:Hosted><a:EndpointReference><a:Address>{print_url}</a:Address>"
            "</a:EndpointReference><p:Types>w:PrinterServiceType</p:Types></p:Hosted>"
            "</p:Relationship></x:MetadataSection></x:Metadata></s:Body></s:Envelope>").encode()


class HostileDevice:
    """WS-Discovery on ADDR:udp and HTTP on ADDR:tcp. xaddrs may hold {http} for the HTTP
    endpoint's base URL; mode is 'drip' (a status line, then a header one byte every 0.3 s),
    'drip-soap' (an envelope opened, then one space every 0.3 s) or 'metadata' (answers with metadata())."""

    def __init__(self, addr, mode, xaddrs="{http}/dev", types="p:Device w:PrintDeviceType",
                 name="Hostile", print_url="{http}/print"):
        self.addr, self.mode, self.stop = addr, mode, threading.Event()
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((addr, 0))
        self.udp.settimeout(0.2)
        self.tcp = socket.socket()
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((addr, 0))
        self.tcp.listen(8)
        self.tcp.settimeout(0.2)
        http = f"http://{addr}:{self.tcp.getsockname()[1]}"
        self.port = self.udp.getsockname()[1]
        self.xaddrs, self.types = xaddrs.format(http=http), types
        self.name, self.print_url = name, print_url.format(http=http)
        self.requests = []
        self.threads = [threading.Thread(target=f, daemon=True) for f in (self._udp, self._tcp)]
        for t in self.threads:
            t.start()

    def _udp(self):
        while not self.stop.is_set():
            try:
                data, peer = self.udp.recvfrom(65536)
            except OSError:
                continue
            m = re.search(rb"MessageID[^>]*>([^<]+)<", data)
            if m:
                self.udp.sendto(probe_matches(m.group(1).decode(), self.xaddrs, self.types), peer)

    def _tcp(self):
        while not self.stop.is_set():
            try:
                c, _ = self.tcp.accept()
            except OSError:
                continue
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            c.settimeout(5)
            req = b""
            while b"\r\n\r\n" not in req:
                req += c.recv(65536)
            self.requests.append(req.split(b"\r\n", 1)[0])
            if self.mode == "metadata":
                body = metadata(self.name, self.print_url)
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8"
                          b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
                return
            head = b"HTTP/1.1 200 OK\r\nX-Pad: "
            if self.mode == "drip-soap":
                head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml; charset=utf-8"
                        b"\r\nContent-Length: 900000\r\n\r\n<?xml version=\"1.0\"?><s:Envelope "
                        b'xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>')
            c.sendall(head)
            while not self.stop.is_set():
                c.sendall(b"a" if self.mode == "drip" else b" ")
                time.sleep(0.3)
        except OSError:
            pass
        finally:
            c.close()

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join(5)
        self.udp.close()
        self.tcp.close()


class Bystander:
    """Another service on loopback that must never be called: counts connections."""

    def __init__(self, addr="127.0.0.1"):
        self.sock = socket.socket()
        self.sock.bind((addr, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.url = f"http://{addr}:{self.sock.getsockname()[1]}"
        self.accepted, self.stop = 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            c.close()

    def close(self):
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.mark.parametrize("mode", ["drip", "drip-soap"])
def test_dripping_device_is_bounded(fleetgw, mode):
    """A device that answers the Get with one byte every 0.3 s no longer holds the call: with
    --timeout 1 the exchange ends after 2 s (twice the timeout), exit 3, SOAPC_E_TIMEOUT."""
    need_fleetgw()
    dev = HostileDevice("127.65.0.1", mode)
    try:
        t0 = time.monotonic()
        cp = fleetgw("probe", "--wsd", dev.addr, "--wsd-port", dev.port, "--timeout", "1",
                     "--json", timeout=60)
        elapsed = time.monotonic() - t0
    finally:
        dev.close()
    w = json.loads(cp.stdout)
    assert cp.returncode == 3, cp.stdout + cp.stderr
    assert w["matched"] is True and w["code"] == "SOAPC_E_TIMEOUT", w
    assert len(dev.requests) == 1 and dev.requests[0].startswith(b"POST /dev ")
    assert 1.5 < elapsed < 6, f"took {elapsed:.1f} s"


def test_foreign_xaddr_is_refused(fleetgw):
    """A ProbeMatch from the probed device whose XAddr names another service (here another
    port on 127.0.0.1) is refused without a connection, naming the XAddr and the reason."""
    need_fleetgw()
    other = Bystander()
    dev = HostileDevice("127.65.0.2", "metadata", xaddrs=other.url + "/steal")
    try:
        cp = fleetgw("probe", "--wsd", dev.addr, "--wsd-port", dev.port, "--timeout", "1",
                     "--json", timeout=60)
        w = json.loads(cp.stdout)
        assert cp.returncode == 1, cp.stdout + cp.stderr
        assert w["code"] == "SOAPC_E_NO_XADDR" and w["matched"] is True
        assert other.url + "/steal" in w["detail"]
        assert "not the address the ProbeMatch came from" in w["detail"]
        cp = fleetgw("probe", "--wsd", dev.addr, "--wsd-port", dev.port, "--timeout", "1",
                     timeout=60)
        assert cp.returncode == 1
        assert f"XAddr '{other.url}/steal' refused (ProbeMatch from 127.65.0.2)" in cp.stderr
        time.sleep(0.3)
        assert other.accepted == 0 and dev.requests == []
    finally:
        dev.close()
        other.close()


def test_print_service_elsewhere_and_utf8(fleetgw):
    """Metadata whose print service lives on another host is used for the identity only (the
    other host is not called); a long Japanese FriendlyName and Types are cut on character
    boundaries and still printed by --json."""
    need_fleetgw()
    other = Bystander()
    name = KANJI * 60
    types = "p:Device w:PrintDeviceType x:" + KANJI * 100
    dev = HostileDevice("127.65.0.3", "metadata", types=types, name=name,
                        print_url=other.url + "/print")
    try:
        cp = fleetgw("probe", "--wsd", dev.addr, "--wsd-port", dev.port, "--timeout", "1",
                     "--json", timeout=60)
    finally:
        dev.close()
        other.close()
    assert cp.returncode == 0, cp.stdout + cp.stderr
    w = json.loads(cp.stdout)
    assert w["uuid"] == DEV_UUID and w["serial"] == "HOSTILE1"
    assert w["is_printer"] is True and w["status"] is None
    assert other.accepted == 0 and len(dev.requests) == 1
    assert 0 < len(w["friendly_name"]) and name.startswith(w["friendly_name"])
    assert len(w["friendly_name"].encode()) <= 127
    assert w["types"].startswith("p:Device") or "PrintDeviceType" in w["types"]
    assert w["types"].endswith(KANJI[0]) or w["types"][-1] in KANJI


def test_probe_socket_failure_releases_handle():
    """When the event loop or the UDP socket cannot be made (no file descriptors left),
    `fleetgw probe --wsd` says so, exit 1, and closes what it opened (no assertion fails; under
    ASan, LeakSanitizer finds nothing to report, which it cannot do with the fds left)."""
    exe = need_fleetgw()
    seen = None
    for n in range(4, 64):
        cp = subprocess.run(
            [exe, "probe", "--wsd", "127.0.0.1", "--wsd-port", str(free_udp_port()),
             "--timeout", "0.2"], capture_output=True, text=True, timeout=60,
            preexec_fn=lambda n=n: resource.setrlimit(resource.RLIMIT_NOFILE, (n, n)))
        assert "assertion failed" not in cp.stderr, (n, cp.stderr)
        if "cannot open a UDP socket" in cp.stderr:
            seen = cp
            break
    if seen is None:
        pytest.skip("no file-descriptor limit made the UDP socket fail")
    assert seen.returncode == 1, seen.stderr
    assert "LeakSanitizer" not in seen.stderr and "assertion failed" not in seen.stderr, seen.stderr
