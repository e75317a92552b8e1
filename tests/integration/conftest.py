# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# Shared fixtures for the integration tests: free loopback ports, a per-test temporary
# directory, real peers (net-snmp's snmpd, snmpsim's snmpsimd serving recorded printers) and a
# helper that runs the fleetgw binary. Every daemon writes a log file; when a test fails, the
# logs of the daemons it used are appended to its report (Redis --dump-logs, OpenSSH
# failed-sshd.log), so a CI failure can be read without rerunning it.
#
# Environment (set by `make check`, see tests/local.mk): FLEETGW (the binary), FLEETGW_SHARED
# (recordings in $FLEETGW_SHARED/testdata/snmprec), FLEETGW_DATADIR, FLEETGW_SRCDIR,
# FLEETGW_BUILDDIR. Peers listen on 127.0.0.1 / ::1 only, on ports the kernel picked.

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

FLEETGW = os.environ.get("FLEETGW", "")
SHARED = os.environ.get("FLEETGW_SHARED", "")
DATADIR = os.environ.get("FLEETGW_DATADIR", "")
SRCDIR = os.environ.get("FLEETGW_SRCDIR", "")
BUILDDIR = os.environ.get("FLEETGW_BUILDDIR", "")
LOOPBACK = "127.0.0.1"

_failed_key = pytest.StashKey[bool]()

# Logs dumped when a test fails: the current test's, plus those of module-wide daemons.
_test_logs = []
_module_logs = []


def register_log(name, path, module_wide=False):
    """Adds a file to what a failing test prints."""
    (_module_logs if module_wide else _test_logs).append((name, Path(path)))


def _tail(path, lines=150):
    try:
        text = Path(path).read_text(errors="replace")
    except OSError as e:
        return f"<cannot read: {e}>"
    rows = text.splitlines()
    if len(rows) > lines:
        rows = [f"... {len(rows) - lines} earlier lines omitted ..."] + rows[-lines:]
    return "\n".join(rows)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and rep.when in ("setup", "call"):
        item.stash[_failed_key] = True
        for name, path in _test_logs + _module_logs:
            rep.sections.append((f"log {name} ({path})", _tail(path)))


@pytest.fixture(autouse=True)
def _reset_test_logs():
    _test_logs.clear()
    yield
    _test_logs.clear()


def need_fleetgw():
    if not FLEETGW or not os.access(FLEETGW, os.X_OK):
        pytest.skip("FLEETGW does not name a built fleetgw binary")
    return FLEETGW


def need_program(name):
    path = shutil.which(name) or (f"/usr/sbin/{name}" if os.access(f"/usr/sbin/{name}", os.X_OK) else None)
    if not path:
        pytest.skip(f"{name} is not installed")
    return path


# ---------------------------------------------------------------------------------------------
# Ports and directories


def free_port(kind=socket.SOCK_DGRAM, host=LOOPBACK):
    """A port the kernel just handed out on host; free again when this returns. Another
    process could take it before our daemon binds: daemons that fail to start are retried on a
    new port by their fixtures."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_udp_port(host=LOOPBACK):
    return free_port(socket.SOCK_DGRAM, host)


def free_tcp_port(host=LOOPBACK):
    return free_port(socket.SOCK_STREAM, host)


@pytest.fixture
def udp_port():
    return free_udp_port()


@pytest.fixture
def tcp_port():
    return free_tcp_port()


def has_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def _make_tmp(prefix):
    # Short paths under /tmp: unix socket paths are limited to 108 bytes.
    d = Path(tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("TMPDIR", "/tmp")))
    return d


@pytest.fixture
def tdir(request):
    """A fresh directory for this test, removed afterwards unless the test failed."""
    d = _make_tmp("fgw-")
    yield d
    if request.node.stash.get(_failed_key, False):
        print(f"kept {d} for inspection")
    else:
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# A minimal SNMP client, only to see whether an agent is up without depending on net-snmp's
# command line tools.


def _ber_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _tlv(tag, body):
    return bytes([tag]) + _ber_len(len(body)) + body


def _ber_int(v):
    return _tlv(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True))


def _ber_oid(oid):
    parts = [int(x) for x in oid.strip(".").split(".")]
    body = bytearray([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(reversed(chunk))
    return _tlv(0x06, bytes(body))


def snmp_ping(host, port, community="public", oid="1.3.6.1.2.1.1.3.0", timeout=0.3):
    """True when an SNMPv2c GET to host:port gets any answer."""
    vb = _tlv(0x30, _ber_oid(oid) + b"\x05\x00")
    pdu = _tlv(0xA0, _ber_int(4242) + _ber_int(0) + _ber_int(0) + _tlv(0x30, vb))
    msg = _tlv(0x30, _ber_int(1) + _tlv(0x04, community.encode()) + pdu)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.sendto(msg, (host, port))
            data, _ = s.recvfrom(65535)
            return len(data) > 0
        except OSError:
            return False


# ---------------------------------------------------------------------------------------------
# Daemons


class Daemon:
    """A child process with its output in a log file, stopped with SIGTERM (then SIGKILL)."""

    def __init__(self, name, argv, log, env=None, cwd=None, module_wide=False):
        self.name, self.argv, self.log = name, argv, Path(log)
        self.env = dict(os.environ, **(env or {}))
        self.cwd = cwd
        self.proc = None
        register_log(name, self.log, module_wide)

    def start(self):
        with open(self.log, "ab") as out:
            out.write(("$ " + " ".join(self.argv) + "\n").encode())
            out.flush()
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=self.env, cwd=self.cwd,
                                         start_new_session=True)
        return self

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_until(self, ready, timeout, what):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.alive():
                return False
            if ready():
                return True
            time.sleep(0.05)
        raise TimeoutError(f"{self.name} did not {what} within {timeout} s; see {self.log}")

    def stop(self):
        if not self.alive():
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        except ProcessLookupError:
            pass


# SNMPv3 users of the snmpd fixture: name -> (auth proto, auth pass, priv proto, priv pass,
# minimum level for rouser). Passphrases are test data, not secrets.
SNMPD_USERS = {
    "fleet": ("SHA-256", "authpass123", "AES", "privpass123", "priv"),
    "fmd5": ("MD5", "authpass123", "DES", "privpass123", "priv"),
    "fsha": ("SHA", "authpass123", "AES", "privpass123", "priv"),
    "fsha224": ("SHA-224", "authpass123", "AES-192", "privpass123", "priv"),
    "fsha384": ("SHA-384", "authpass123", "AES-256", "privpass123", "priv"),
    "fsha512": ("SHA-512", "authpass123", "AES-256", "privpass123", "priv"),
    "fauth": ("SHA", "authpass123", None, None, "auth"),
    "fnoauth": (None, None, None, None, "noauth"),
}
SNMPD_ENGINE_TEXT = "fleetgwtest"
# snmpd's "engineID TEXT" gives enterprise 8072 (0x80001f88), format 04 (text), then the text.
SNMPD_ENGINE_ID = "80001f8804" + SNMPD_ENGINE_TEXT.encode().hex()
SNMPD_SYS = {
    "sysdescr": "fleetgw test agent",
    "syscontact": "ops@example.invalid",
    "syslocation": "loopback rack 1",
    "sysname": "fleetgw-snmpd",
}


class FleetsimProcess(Daemon):
    """A tests/fleetsim process with a control socket: what the tests' fleets share. A subclass
    sets self.ctl (the socket path) and self.base (the first device's address) and builds argv."""

    def start(self):
        super().start()
        self.wait_until(lambda: "ready" in self.log.read_text(errors="replace"), 60, "be ready")
        return self

    def addr(self, i):
        """The address of device i (devices sit on consecutive addresses from base)."""
        a = list(map(int, self.base.split(".")))
        n = (a[2] << 8 | a[3]) + i
        return f"{a[0]}.{a[1]}.{n >> 8}.{n & 255}"

    def command(self, line):
        """Sends one control command; returns its "ok ..." reply line without the newline."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(10)
            s.connect(str(self.ctl))
            s.sendall(line.encode() + b"\n")
            reply = s.makefile().readline().rstrip("\n")
        assert reply.startswith("ok"), f"fleetsim {line!r}: {reply}"
        return reply

    def stats(self):
        return dict(kv.split("=", 1) for kv in self.command("stats").split()[1:] if "=" in kv)


class Snmpd(Daemon):
    """net-snmp's snmpd on 127.0.0.1 (and ::1 when available), v1/v2c community "public" and
    the SNMPv3 users of SNMPD_USERS, engine ID SNMPD_ENGINE_ID. No MIBs: numeric OIDs only."""

    def __init__(self, d, extra_conf="", ipv6=True, reboots=False):
        self.dir = Path(d)
        # With -C snmpd reads no persistent state, so engineBoots stays 1 across restarts;
        # reboots=True reads the config through SNMPCONFPATH instead, state included.
        self.reboots = reboots
        self.host = LOOPBACK
        self.port = None
        self.ipv6 = ipv6 and has_ipv6_loopback()
        self.users = SNMPD_USERS
        self.engine_id = SNMPD_ENGINE_ID
        self.community = "public"
        self.extra_conf = extra_conf
        super().__init__("snmpd", [], self.dir / "snmpd.log")

    def _write_conf(self):
        lines = [
            f"engineID {SNMPD_ENGINE_TEXT}",
            "dontLogTCPWrappersConnects yes",
            f"rocommunity {self.community} 127.0.0.1",
        ]
        if self.ipv6:
            lines.append(f"rocommunity6 {self.community} ::1")
        # The rest of the line is the value; quotes would be kept.
        lines += [f"{k} {v}" for k, v in SNMPD_SYS.items()]
        for user, (a, ap, p, pp, level) in self.users.items():
            line = f"createUser {user}"
            if a:
                line += f" {a} {ap}"
                if p:
                    line += f" {p} {pp}"
            lines.append(line)
            lines.append(f"rouser {user} {level}")
        lines.append(self.extra_conf)
        self.conf.parent.mkdir(exist_ok=True)
        self.conf.write_text("\n".join(lines) + "\n")

    @property
    def conf(self):
        return self.dir / "conf" / "snmpd.conf" if self.reboots else self.dir / "snmpd.conf"

    @property
    def endpoint(self):
        return f"{self.host}:{self.port}"

    def restart(self):
        """Stops and starts again on the same port and state directory: same engine ID,
        engineBoots one higher (an agent reboot, as SNMPv3 clients see it)."""
        self.stop()
        super().start()
        if not self.wait_until(lambda: snmp_ping(LOOPBACK, self.port), 15, "answer"):
            raise RuntimeError(f"snmpd did not restart; see {self.log}")
        return self

    def start(self):
        exe = need_program("snmpd")
        for _ in range(3):
            self.port = free_udp_port()
            self._write_conf()
            # snmpd writes its state (engineBoots, users) as "snmpd.conf" in the persistent
            # dir at shutdown: a directory of its own keeps it from overwriting our config.
            state = self.dir / "state"
            state.mkdir(exist_ok=True)
            self.env = dict(os.environ, SNMP_PERSISTENT_DIR=str(state), MIBS="")
            self.argv = [exe, "-f", "-Lo"]
            if self.reboots:
                self.env["SNMPCONFPATH"] = f"{self.conf.parent}:{state}"
            else:
                self.argv += ["-C", "-c", str(self.conf)]
            # smux would bind the fixed port 199
            self.argv += ["-I", "-smux", f"udp:127.0.0.1:{self.port}"]
            if self.ipv6:
                self.argv.append(f"udp6:[::1]:{self.port}")
            super().start()
            if self.wait_until(lambda: snmp_ping(LOOPBACK, self.port), 15, "answer"):
                return self
            self.stop()  # lost the port race: try another
        raise RuntimeError(f"snmpd did not start; see {self.log}")


@pytest.fixture
def snmpd_factory(tdir):
    """Starts snmpd instances (extra_conf: more snmpd.conf lines); all stopped after the test."""
    started = []

    def make(extra_conf="", ipv6=True, reboots=False):
        d = tdir / f"snmpd{len(started)}"
        d.mkdir()
        s = Snmpd(d, extra_conf, ipv6, reboots).start()
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


@pytest.fixture
def snmpd(snmpd_factory):
    return snmpd_factory()


def recordings_dir():
    d = Path(SHARED) / "testdata" / "snmprec" if SHARED else None
    if not d or not d.is_dir():
        pytest.skip("recordings not found ($FLEETGW_SHARED/testdata/snmprec)")
    return d


class Snmpsimd(Daemon):
    """snmpsim's snmpsimd serving the shared printer recordings: the community (v1/v2c) and the
    SNMPv3 context name are the recording's base name; one v3 user, SHA/AES."""

    V3_USER = "fleet"
    V3_AUTH = ("SHA", "authpass123")
    V3_PRIV = ("AES", "privpass123")

    def __init__(self, d, data_dir, module_wide=True):
        self.dir = Path(d)
        self.data_dir = Path(data_dir)
        self.host = LOOPBACK
        self.port = None
        self.names = sorted(p.stem for p in self.data_dir.glob("*.snmprec"))
        super().__init__("snmpsimd", [], self.dir / "snmpsimd.log", module_wide=module_wide)

    @property
    def endpoint(self):
        return f"{self.host}:{self.port}"

    def start(self):
        exe = need_program("snmpsimd")
        cache = self.dir / "cache"
        cache.mkdir(exist_ok=True)
        # snmpsimd drops to nobody when started as root; its cache must stay writable then.
        os.chmod(self.dir, 0o777)
        os.chmod(cache, 0o777)
        for _ in range(3):
            self.port = free_udp_port()
            self.argv = [exe, f"--data-dir={self.data_dir}",
                         f"--agent-udpv4-endpoint={self.host}:{self.port}",
                         f"--v3-user={self.V3_USER}",
                         f"--v3-auth-key={self.V3_AUTH[1]}", f"--v3-auth-proto={self.V3_AUTH[0]}",
                         f"--v3-priv-key={self.V3_PRIV[1]}", f"--v3-priv-proto={self.V3_PRIV[0]}",
                         f"--cache-dir={cache}"]
            if os.geteuid() == 0:
                self.argv += ["--process-user=nobody", "--process-group=nogroup"]
            super().start()
            # Indexing the recordings takes a few seconds on the first start.
            if self.wait_until(lambda: snmp_ping(LOOPBACK, self.port, self.names[0]), 90,
                               "answer"):
                return self
            self.stop()
        raise RuntimeError(f"snmpsimd did not start; see {self.log}")


@contextlib.contextmanager
def serve_snmpsimd(data_dir, module_wide=True, prefix="fgw-sim-"):
    """snmpsimd serving the recordings of data_dir from a temporary directory of its own (it
    may run as nobody), with its log for the failure dump of the module (module_wide) or of the
    test; stopped and removed on leaving."""
    d = _make_tmp(prefix)
    sim = Snmpsimd(d, data_dir, module_wide=module_wide)
    try:
        sim.start()
        yield sim
    finally:
        sim.stop()
        _module_logs[:] = [x for x in _module_logs if x[1] != sim.log]
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def snmpsimd():
    """One snmpsimd per test module (indexing is slow), logs in its own temporary directory."""
    with serve_snmpsimd(recordings_dir()) as sim:
        yield sim


# ---------------------------------------------------------------------------------------------
# Running fleetgw


def fleetgw_env(extra=None):
    env = dict(os.environ)
    if DATADIR:
        env["FLEETGW_DATADIR"] = DATADIR
    env.update(extra or {})
    return env


def run_fleetgw(args, timeout=60, env=None, log=None, input=None):
    """Runs `fleetgw ARGS...`; returns the CompletedProcess (text). The command and its output
    are appended to log (a Path) when given, for the failure dump."""
    exe = need_fleetgw()
    t0 = time.monotonic()
    cp = subprocess.run([exe] + [str(a) for a in args], capture_output=True, text=True,
                        timeout=timeout, env=fleetgw_env(env),
                        stdin=subprocess.DEVNULL if input is None else None, input=input)
    cp.elapsed = time.monotonic() - t0
    if log is not None:
        with open(log, "a") as f:
            f.write(f"$ fleetgw {' '.join(str(a) for a in args)}\n"
                    f"exit {cp.returncode} after {cp.elapsed:.2f} s\n"
                    f"--- stdout\n{cp.stdout}--- stderr\n{cp.stderr}\n")
    return cp


def need_harness(name="t_snmpc"):
    path = Path(BUILDDIR or ".") / "tests" / "harness" / name
    if not os.access(path, os.X_OK):
        pytest.skip(f"{path} is not built (make check builds it)")
    return path


def run_t_snmpc(args, timeout=120, log=None):
    """Runs tests/harness/t_snmpc; returns (CompletedProcess, parsed JSON summary or None)."""
    import json
    exe = need_harness()
    t0 = time.monotonic()
    cp = subprocess.run([str(exe)] + [str(a) for a in args], capture_output=True, text=True,
                        timeout=timeout, stdin=subprocess.DEVNULL)
    cp.elapsed = time.monotonic() - t0
    if log is not None:
        with open(log, "a") as f:
            f.write(f"$ t_snmpc {' '.join(str(a) for a in args)}\n"
                    f"exit {cp.returncode} after {cp.elapsed:.2f} s\n"
                    f"--- stdout\n{cp.stdout}--- stderr\n{cp.stderr}\n")
    try:
        summary = json.loads(cp.stdout)
    except ValueError:
        summary = None
    return cp, summary


@pytest.fixture
def fleetgw(tdir):
    """run_fleetgw() with the runs logged in the test's directory (dumped on failure)."""
    log = tdir / "fleetgw-runs.log"
    register_log("fleetgw runs", log)

    def run(*args, **kw):
        return run_fleetgw(list(args), log=log, **kw)

    return run


def wait_for(pred, timeout, what, interval=0.2):
    """Returns pred()'s first true value; fails the test when timeout passes first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
