# SPDX-License-Identifier: Apache-2.0
"""Helpers the benchmarks share: free loopback ports, a process's CPU time and RSS from /proc,
and waiting for a condition."""
import os
import socket
import time

TICK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def free_port(kind=socket.SOCK_DGRAM, host="127.0.0.1"):
    """A port the kernel just handed out on host (free again when this returns)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_udp_port():
    return free_port(socket.SOCK_DGRAM)


def free_tcp_port():
    return free_port(socket.SOCK_STREAM)


def proc_cpu_s(pid):
    """User + system CPU seconds the process has used."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def proc_rss_kb(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE_KB


def wait(pred, timeout, what, interval=0.3):
    """Returns pred()'s first true value; exits the benchmark when timeout passes first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(interval)
    raise SystemExit(f"timed out after {timeout} s waiting for {what}")
