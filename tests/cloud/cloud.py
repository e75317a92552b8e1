#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# A test cloud that implements docs/uplink.md (v1) on loopback, for the tests, the benchmark and
# `./quickstart demo cloud`:
#  - a real mosquitto broker with TLS (a test CA made with openssl now), one user per registered
#    gateway and an ACL that confines each gateway to fleetgw/v1/<its id>/...;
#  - an HTTPS service (python3 stdlib http.server + ssl) for registration, uploads, downloads
#    and unregistration;
#  - a recorder: everything received over HTTPS and MQTT is decoded (gzip, zip) and appended to
#    <dir>/received.jsonl, raw bytes to <dir>/raw/ (so a test can grep what really arrived).
#  - with --alpn, a TLS front on a second port standing for 443: it accepts only clients that
#    offer ALPN "mqtt" (as cloud brokers that share 443 with HTTPS do) and pipes the decrypted
#    stream to a plain loopback listener of the same broker (same users and ACL); registration
#    then offers it first and the 8883-style listener second.
# Test-only endpoints under /test/ shift the cloud's clock, expire tokens, stop and start the
# broker, and send down messages.
#
# usage: cloud.py --dir D [--http-port P] [--mqtt-port M]; prints "ready <json>" when serving.

import argparse
import asyncio
import base64
import gzip
import http.server
import io
import json
import os
import pwd
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

ACCESS_CODE = "TEST-CODE"
EXPIRED_CODE = "EXPIRED-CODE"
USERS = {"alice": "alice-secret-1"}
SKEW_MAX = 300
CLOUD_USER, CLOUD_PASS = "cloud", "cloud-recorder-pw"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_pki(d, host_ip="127.0.0.1"):
    """A CA and a server certificate for localhost / 127.0.0.1, made with openssl now."""
    ca_key, ca_crt = d / "ca.key", d / "ca.pem"
    key, csr, crt = d / "server.key", d / "server.csr", d / "server.pem"
    if crt.exists():
        return
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out",
        ca_crt, "-days", "30", "-subj", "/CN=fleetgw test cloud CA")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj",
        "/CN=localhost")
    ext = d / "san.ext"
    ext.write_text(f"subjectAltName=DNS:localhost,IP:{host_ip}\n"
                   "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
                   "extendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key,
        "-CAcreateserial", "-out", crt, "-days", "30", "-extfile", ext)
    # A second, self-signed certificate no CA vouches for: the TLS-failure tests use it.
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", d / "rogue.key",
        "-out", d / "rogue.pem", "-days", "30", "-subj", "/CN=localhost", "-addext",
        f"subjectAltName=DNS:localhost,IP:{host_ip}")


class Cloud:
    def __init__(self, d, http_port, mqtt_port, alpn=False):
        self.dir = Path(d)
        self.alpn = alpn
        self.alpn_port = free_port() if alpn else 0
        self.plain_port = free_port() if alpn else 0
        self.alpn_srv = None
        self.alpn_conns = []
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "raw").mkdir(exist_ok=True)
        self.http_port = http_port or free_port()
        self.mqtt_port = mqtt_port or free_port()
        self.lock = threading.Lock()
        self.clock_offset = 0
        self.gateways = {}  # gid -> {token, status, expired}
        self.seen = set()
        self.fail_status = 0
        self.broker = None
        self.recorder = None
        self.nraw = 0
        state = self.dir / "gateways.json"
        if state.exists():
            self.gateways = json.loads(state.read_text())

    # --- broker ---

    def _write_broker_conf(self):
        d = self.dir
        passwd = d / "passwd"
        if not passwd.exists():
            passwd.write_text("")
            subprocess.run(["mosquitto_passwd", "-b", passwd, CLOUD_USER, CLOUD_PASS], check=True,
                           capture_output=True)
        (d / "acl").write_text(
            f"user {CLOUD_USER}\ntopic readwrite fleetgw/#\n\n"
            "pattern write fleetgw/v1/%u/up/#\n"
            "pattern write fleetgw/v1/%u/state\n"
            "pattern read fleetgw/v1/%u/down\n")
        (d / "mosquitto.conf").write_text(
            # mosquitto started as root drops to user "mosquitto", who cannot read our files.
            f"user {pwd.getpwuid(os.getuid()).pw_name}\n"
            f"per_listener_settings false\n"
            f"persistence true\npersistence_location {d}/\n"
            f"allow_anonymous false\npassword_file {passwd}\nacl_file {d}/acl\n"
            f"log_dest file {d}/mosquitto.log\nlog_type all\n"
            f"listener {self.mqtt_port} 127.0.0.1\n"
            f"cafile {d}/ca.pem\ncertfile {d}/server.pem\nkeyfile {d}/server.key\n"
            f"tls_version tlsv1.2\n"
            + (f"listener {self.plain_port} 127.0.0.1\n" if self.alpn else ""))

    def broker_start(self):
        if self.broker and self.broker.poll() is None:
            return
        self._write_broker_conf()
        self.broker = subprocess.Popen(["/usr/sbin/mosquitto", "-c", str(self.dir / "mosquitto.conf")],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       start_new_session=True)
        for _ in range(100):
            if self.broker.poll() is not None:
                raise RuntimeError(f"mosquitto exited; see {self.dir}/mosquitto.log")
            try:
                socket.create_connection(("127.0.0.1", self.mqtt_port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        self._recorder_start()

    # --- the ALPN front (port 443 stand-in) ---

    def alpn_start(self):
        if not self.alpn or self.alpn_srv:
            return
        if not getattr(self, "aloop", None):
            self.aloop = asyncio.new_event_loop()
            threading.Thread(target=self.aloop.run_forever, daemon=True).start()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.dir / "server.pem", self.dir / "server.key")
        ctx.set_alpn_protocols(["mqtt"])
        fut = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._alpn_conn, "127.0.0.1", self.alpn_port, ssl=ctx,
                                 reuse_address=True), self.aloop)
        self.alpn_srv = fut.result(10)

    def alpn_stop(self):
        srv, self.alpn_srv = self.alpn_srv, None
        if not srv:
            return

        async def stop():
            srv.close()
            for w in self.alpn_conns:
                w.transport.abort()
            self.alpn_conns = []
        asyncio.run_coroutine_threadsafe(stop(), self.aloop).result(10)

    def _alpn_log(self, text):
        with open(self.dir / "alpn.log", "a") as f:
            f.write(text + "\n")

    async def _alpn_conn(self, r, w):
        sslobj = w.get_extra_info("ssl_object")
        proto = sslobj.selected_alpn_protocol() if sslobj else None
        self._alpn_log(f"alpn={proto}")
        if proto != "mqtt":
            w.transport.abort()
            return
        try:
            br, bw = await asyncio.open_connection("127.0.0.1", self.plain_port)
        except OSError:
            w.transport.abort()
            return
        self.alpn_conns += [w, bw]

        async def pipe(a, b):
            try:
                while True:
                    data = await a.read(65536)
                    if not data:
                        break
                    b.write(data)
                    await b.drain()
            except (OSError, ConnectionError):
                pass
            b.transport.abort()
        await asyncio.gather(pipe(r, bw), pipe(br, w))

    def broker_stop(self):
        if self.broker and self.broker.poll() is None:
            self.broker.terminate()
            self.broker.wait(10)

    def broker_reload(self):
        if self.broker and self.broker.poll() is None:
            self.broker.send_signal(signal.SIGHUP)
            time.sleep(0.3)

    def _recorder_start(self):
        if self.recorder and self.recorder.poll() is None:
            return
        # A persistent session (-c) so messages published while the recorder reconnects after
        # a broker restart are kept for it by the broker.
        argv = ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(self.mqtt_port), "--cafile",
                str(self.dir / "ca.pem"), "-u", CLOUD_USER, "-P", CLOUD_PASS, "-i", "cloud-recorder",
                "-c", "-q", "1", "-t", "fleetgw/v1/+/up/#", "-t", "fleetgw/v1/+/state", "-F",
                "%t %x"]
        self.recorder = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         start_new_session=True, text=True)
        threading.Thread(target=self._recorder_read, args=(self.recorder,), daemon=True).start()

    def _recorder_read(self, proc):
        for line in proc.stdout:
            topic, _, hexdata = line.rstrip("\n").partition(" ")
            try:
                data = bytes.fromhex(hexdata)
            except ValueError:
                continue
            self.record("mqtt", topic, data)

    # --- recording ---

    def record(self, transport, where, data, headers=None):
        with self.lock:
            self.nraw += 1
            (self.dir / "raw" / f"{self.nraw:06d}.bin").write_bytes(data)
            rec = {"t": time.time(), "transport": transport, "where": where, "bytes": len(data)}
            try:
                text = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
                env = json.loads(text)
                rec["msg"] = env
                if isinstance(env, dict) and "id" in env:
                    rec["duplicate"] = env["id"] in self.seen
                    self.seen.add(env["id"])
                body = env.get("body") if isinstance(env, dict) else None
                if isinstance(body, dict) and "zip_b64" in body:
                    z = zipfile.ZipFile(io.BytesIO(base64.b64decode(body["zip_b64"])))
                    rec["unzipped"] = {n: z.read(n).decode("utf-8", "replace") for n in z.namelist()}
            except Exception as e:  # recorded anyway, undecoded
                rec["decode_error"] = str(e)
                rec["text"] = data[:4096].decode("utf-8", "replace")
            with open(self.dir / "received.jsonl", "a") as f:
                f.write(json.dumps(rec) + "\n")
            return rec

    def save(self):
        (self.dir / "gateways.json").write_text(json.dumps(self.gateways))

    def now(self):
        return time.time() + self.clock_offset


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def parse_iso(s):
    import calendar
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def make_handler(cloud):
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            with open(cloud.dir / "http.log", "a") as f:
                f.write("%s %s\n" % (self.address_string(), fmt % args))

        def reply(self, status, obj):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def err(self, status, code, msg, **extra):
            self.reply(status, dict({"v": 1, "error": code, "message": msg}, **extra))

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n) if n else b""

        def auth(self, gid):
            g = cloud.gateways.get(gid)
            tok = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            if not g or not secrets.compare_digest(g["token"], tok):
                self.err(401, "bad_token", "unknown gateway or token")
                return None
            if g.get("expired"):
                self.err(401, "token_expired", "the token has expired")
                return None
            return g

        def do_POST(self):
            data = self.body()
            parts = self.path.strip("/").split("/")
            if self.path == "/v1/register":
                return self.register(data)
            if len(parts) == 4 and parts[:2] == ["v1", "gateways"] and parts[3] == "messages":
                if not self.auth(parts[2]):
                    return
                if cloud.fail_status:
                    return self.err(cloud.fail_status, "unavailable", "test failure")
                rec = cloud.record("https", self.path, data)
                mid = self.headers.get("X-Fleetgw-Message-Id", "")
                return self.reply(202, {"v": 1, "id": mid, "duplicate": rec.get("duplicate", False)})
            if parts and parts[0] == "test":
                return self.test(parts[1:], json.loads(data or b"{}"))
            self.err(404, "not_found", self.path)

        def do_GET(self):
            parts = self.path.strip("/").split("/")
            if len(parts) == 4 and parts[:2] == ["v1", "gateways"]:
                g = self.auth(parts[2])
                if not g:
                    return
                if parts[3] == "status":
                    return self.reply(200, {"v": 1, "status": g["status"]})
                if parts[3] == "ca":
                    pem = (cloud.dir / "ca.pem").read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/x-pem-file")
                    self.send_header("Content-Length", str(len(pem)))
                    self.end_headers()
                    return self.wfile.write(pem)
            if self.path == "/test/gateways":
                return self.reply(200, cloud.gateways)
            self.err(404, "not_found", self.path)

        def do_DELETE(self):
            parts = self.path.strip("/").split("/")
            if len(parts) == 3 and parts[:2] == ["v1", "gateways"]:
                if not self.auth(parts[2]):
                    return
                cloud.gateways.pop(parts[2], None)
                cloud.save()
                subprocess.run(["mosquitto_passwd", "-D", cloud.dir / "passwd", parts[2]],
                               capture_output=True)
                cloud.broker_reload()
                self.send_response(204)
                self.send_header("Content-Length", "0")
                return self.end_headers()
            self.err(404, "not_found", self.path)

        def register(self, data):
            try:
                req = json.loads(data)
            except ValueError:
                return self.err(400, "bad_request", "not JSON")
            with open(cloud.dir / "registrations.jsonl", "a") as f:
                shown = dict(req, password="<hidden>" if "password" in req else None)
                f.write(json.dumps(shown) + "\n")
            cloud.record("https", "/v1/register", json.dumps(shown).encode())
            code = req.get("access_code")
            if code == EXPIRED_CODE:
                return self.err(401, "access_code_expired", "the access code has expired")
            if code != ACCESS_CODE:
                return self.err(401, "bad_access_code", "unknown access code")
            try:
                skew = abs(parse_iso(req.get("client_time", "")) - cloud.now())
            except ValueError:
                return self.err(400, "bad_request", "client_time missing")
            if skew > SKEW_MAX:
                return self.err(409, "clock_skew", f"clocks differ by {int(skew)} s",
                                server_time=iso(cloud.now()))
            status = "pending"
            if "user" in req:
                if USERS.get(req["user"]) != req.get("password"):
                    return self.err(401, "bad_credentials", "user or password wrong")
                status = "managed"
            gid = "gw-" + secrets.token_hex(5)
            token = secrets.token_hex(24)
            cloud.gateways[gid] = {"token": token, "status": status}
            cloud.save()
            subprocess.run(["mosquitto_passwd", "-b", cloud.dir / "passwd", gid, token], check=True,
                           capture_output=True)
            cloud.broker_reload()
            brokers = [{"host": "localhost", "port": cloud.mqtt_port, "alpn": None}]
            if cloud.alpn:
                brokers.insert(0, {"host": "localhost", "port": cloud.alpn_port, "alpn": "mqtt"})
            self.reply(201, {"v": 1, "gateway_id": gid, "token": token, "status": status,
                             "token_expires": iso(cloud.now() + 365 * 86400),
                             "server_time": iso(cloud.now()),
                             "broker": brokers[0], "brokers": brokers,
                             "ca_pem": (cloud.dir / "ca.pem").read_text(),
                             "endpoints": [f"localhost:{cloud.http_port}"] +
                             [f"{b['host']}:{b['port']}" for b in brokers]})

        def test(self, parts, req):
            what = parts[0] if parts else ""
            if what == "clock":
                cloud.clock_offset = float(req.get("offset", 0))
            elif what == "expire":
                cloud.gateways[req["gateway_id"]]["expired"] = True
                cloud.save()
            elif what == "fail":
                cloud.fail_status = int(req.get("status", 0))
            elif what == "alpn":
                cloud.alpn_stop() if req.get("action") == "stop" else cloud.alpn_start()
            elif what == "broker":
                cloud.broker_stop() if req.get("action") == "stop" else cloud.broker_start()
            elif what == "down":
                payload = req["payload"].encode() if "payload" in req else \
                    base64.b64decode(req["payload_b64"])
                topic = req.get("topic") or f"fleetgw/v1/{req['gateway_id']}/down"
                user, pw = req.get("as_user", CLOUD_USER), req.get("as_password", CLOUD_PASS)
                cp = subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(cloud.mqtt_port),
                                     "--cafile", str(cloud.dir / "ca.pem"), "-u", user, "-P", pw,
                                     "-q", "1", "-t", topic, "-s"], input=payload,
                                    capture_output=True)
                return self.reply(200, {"ok": cp.returncode == 0, "stderr": cp.stderr.decode()})
            else:
                return self.err(404, "not_found", what)
            self.reply(200, {"ok": True})

    return H


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--http-port", type=int, default=0)
    ap.add_argument("--mqtt-port", type=int, default=0)
    ap.add_argument("--rogue", action="store_true", help="serve HTTPS with an untrusted cert")
    ap.add_argument("--alpn", action="store_true",
                    help="offer a port-443 stand-in that requires ALPN mqtt, first")
    a = ap.parse_args()
    d = Path(a.dir)
    d.mkdir(parents=True, exist_ok=True)
    make_pki(d)
    cloud = Cloud(d, a.http_port, a.mqtt_port, a.alpn)
    cloud.broker_start()
    cloud.alpn_start()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", cloud.http_port), make_handler(cloud))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    name = "rogue" if a.rogue else "server"
    ctx.load_cert_chain(d / f"{name}.pem", d / f"{name}.key")
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)

    def bye(*_):
        cloud.broker_stop()
        if cloud.recorder:
            cloud.recorder.terminate()
        os._exit(0)

    signal.signal(signal.SIGTERM, bye)
    signal.signal(signal.SIGINT, bye)
    info = {"url": f"https://localhost:{cloud.http_port}", "mqtt_port": cloud.mqtt_port,
            "ca": str(d / "ca.pem"), "access_code": ACCESS_CODE, "dir": str(d),
            "alpn_port": cloud.alpn_port}
    # Written whole, then renamed: a reader polling for the file never sees it half written.
    (d / "cloud.json.tmp").write_text(json.dumps(info))
    os.replace(d / "cloud.json.tmp", d / "cloud.json")
    print("ready " + json.dumps(info), flush=True)
    try:
        srv.serve_forever()
    finally:
        bye()


if __name__ == "__main__":
    main()
