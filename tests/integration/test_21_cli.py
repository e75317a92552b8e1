# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# What an administrator meets first on the command line: every command's --help before
# `fleetgw init` (no state directory yet), `status` as plain text and, when no daemon answers,
# naming the socket it tried, `device list` with a NAME column and columns sized to the data
# (long names cut with an ellipsis), `device show` with id and port, a CSV import that names
# every bad line and imports nothing, and `discover` naming --yes for a sweep beyond a /16.

import json
import re
import sqlite3

import pytest

from test_20_daemon import Gateway

# Every command and subcommand main.c dispatches, with arguments that would otherwise need
# the state directory, a daemon or the network.
COMMANDS = [
    ["probe"], ["probe", "127.0.0.1"], ["init"], ["device"], ["device", "add", "10.0.0.1"],
    ["device", "import", "x.csv"], ["device", "list"], ["device", "show", "1"],
    ["device", "set", "1"], ["device", "remove", "1"], ["credential"],
    ["credential", "add", "x"], ["credential", "list"], ["credential", "remove", "x"],
    ["status"], ["audit"], ["audit", "verify"], ["discover"], ["discover", "run"],
    ["discover", "add", "x"], ["discover", "list"], ["discover", "show", "x"],
    ["discover", "remove", "x"], ["admin"], ["admin", "unlock"], ["admin", "reset-password"],
    ["register"], ["unregister"], ["mode"], ["mode", "manage"], ["mode", "monitor"],
    ["anonymize"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: "-".join(a))
def test_help_before_init(tdir, fleetgw, args):
    conf = tdir / "fleetgw.conf"
    missing = tdir / "no-state-yet"
    conf.write_text(f"[gateway]\nstate_dir = {missing}\n")
    for flag in ("--help", "-h"):
        cp = fleetgw("-c", conf, *args, flag)
        assert cp.returncode == 0, (args, flag, cp.stdout, cp.stderr)
        assert cp.stdout.startswith("usage: fleetgw"), (args, cp.stdout)
        assert f" {args[0]}" in cp.stdout.splitlines()[0], (args, cp.stdout)
        assert cp.stderr == "", (args, cp.stderr)
    assert not missing.exists(), "a --help created the state directory"


def test_status_text_and_socket(tdir, fleetgw):
    gw = Gateway(tdir, fleetgw).init()
    cp = gw.cli("status", ok=False)
    assert cp.returncode == 1
    sock = gw.dir / "control.sock"
    assert f"no daemon answers on the control socket {sock}:" in cp.stderr, cp.stderr
    js = json.loads(cp.stdout if cp.stdout else gw.cli("status", "--json", ok=False).stdout)
    assert js["running"] is False and js["socket"] == str(sock), js
    # Without -c: the default configuration's socket, and how to name another configuration.
    cp = fleetgw("status")
    assert cp.returncode == 1
    assert re.search(r"no daemon answers on the control socket /\S+/control\.sock: ", cp.stderr)
    assert "/etc/fleetgw/fleetgw.conf" in cp.stderr and "-c CONFIG" in cp.stderr, cp.stderr

    gw.start()
    try:
        text = gw.cli("status").stdout
        st = gw.status()
        assert '"' not in text, text
        lines = dict(re.split(r"\s+", ln, maxsplit=1) for ln in text.splitlines() if " " in ln)
        assert lines["version"] == st["version"], text
        # Nested objects are flattened as key.member.
        nested = [k for k, v in st.items() if isinstance(v, dict) and v]
        assert nested, st
        k = nested[0]
        member, value = next(iter(st[k].items()))
        if not isinstance(value, (dict, list)):
            want = "-" if value is None else value if isinstance(value, str) else \
                json.dumps(value)
            assert lines[f"{k}.{member}"] == want, (k, member, text)
    finally:
        gw.stop()


def test_device_list_show_import(tdir, fleetgw):
    gw = Gateway(tdir, fleetgw).init()
    gw.cli("credential", "add", "pub", "-v", "2c", input="public\n")
    gw.cli("device", "add", "127.0.0.1:1161", "--credential", "pub", "--name", "Reception")
    gw.cli("device", "add", "127.0.0.2", "--credential", "pub",
           "--name", "Finance MFP on the second floor next to the kitchen")
    long_model = "Konica Minolta bizhub C759 with a model name longer than any column"
    db = sqlite3.connect(gw.dir / "fleetgw.db")
    with db:
        db.execute("UPDATE devices SET model = ? WHERE id = 2", (long_model,))
        db.execute("UPDATE devices SET model = 'HP LaserJet M130nw' WHERE id = 1")
    db.close()

    out = gw.cli("device", "list").stdout.splitlines()
    head, rows = out[0], out[1:]
    assert len(rows) == 2, out
    assert head.split()[:3] == ["ID", "NAME", "ADDRESS"], head
    # Columns line up: each header starts where its values start, in every row.
    for col, text in (("NAME", "Reception"), ("ADDRESS", "127.0.0.1:1161"),
                      ("MODEL", "HP LaserJet M130nw"), ("STATUS", "new")):
        assert rows[0].index(text) == head.index(col), (col, out)
    assert rows[1][head.index("ADDRESS"):].startswith("127.0.0.2:161 "), out
    assert rows[1][head.index("STATUS"):].startswith("new "), out
    # Long values are cut with an ellipsis at 32 characters.
    assert "Finance MFP on the second floor\u2026" in rows[1], out
    assert long_model[:31] + "\u2026" in rows[1] and long_model not in rows[1], out

    show = gw.cli("device", "show", "1").stdout
    assert re.search(r"^id\s+1$", show, re.M), show
    assert re.search(r"^port\s+1161$", show, re.M), show
    assert re.search(r"^name\s+Reception$", show, re.M), show

    # A CSV with three bad lines: all three named, nothing imported (the good line neither).
    csv = tdir / "devices.csv"
    csv.write_text("address,port,credential,name\n"
                   "127.0.0.3,0,pub,\n"
                   "127.0.0.4,,pub,fine\n"
                   "127.0.0.5,,nope,\n"
                   "127.0.0.1,1161,pub,duplicate\n")
    cp = gw.cli("device", "import", csv, ok=False)
    assert cp.returncode == 1
    err = cp.stderr
    assert "3 bad lines, nothing imported" in err, err
    assert f"{csv}:2: port: '0' is not a port number (1..65535)" in err, err
    assert f"{csv}:4: credential: 'nope' does not exist" in err, err
    assert f"{csv}:5: address: 127.0.0.1 port 1161 is already registered" in err, err
    assert f"{csv}:3:" not in err, err
    assert len(json.loads(gw.cli("device", "list", "--json").stdout)) == 2


def test_discover_numbers_refused(tdir, fleetgw):
    """discover run and add/set share the sweep options; each names the option it refuses."""
    gw = Gateway(tdir, fleetgw).init()
    run = ["discover", "run", "--target", "127.0.0.1"]
    add = ["discover", "add", "x", "--target", "127.0.0.1"]
    for args, msg in (
            (run + ["--port", "0"], "--port: '0': expected 1..65535"),
            (run + ["--wsd-port", "70000"], "--wsd-port: '70000': expected 1..65535"),
            (run + ["--pps", "100001"], "--pps: '100001': expected 1..100000"),
            (run + ["--timeout", "1x"], "--timeout: '1x': expected 1..600000"),
            (run + ["--max-in-flight", "0"], "--max-in-flight: '0': expected 1..600000"),
            (run + ["--schedule", "daily"], "unrecognized option"),
            (add + ["--port", "0"], "--port: '0': out of range"),
            (add + ["--wsd-port", "70000"], "--wsd-port: '70000': out of range"),
            (add + ["--pps", "100001"], "--pps: '100001': out of range"),
            (add + ["--timeout", "5"], "unrecognized option")):
        cp = gw.cli(*args, ok=False)
        assert cp.returncode == 2, (args, cp)
        assert msg in cp.stderr, (args, cp.stderr)


def test_discover_names_yes(tdir, fleetgw):
    gw = Gateway(tdir, fleetgw).init()
    gw.cli("credential", "add", "pub", "-v", "2c", input="public\n")
    for args in (["discover", "run", "--target", "10.0.0.0/15", "--credential", "pub"],
                 ["discover", "add", "big", "--target", "10.0.0.0/15", "--credential", "pub"]):
        cp = gw.cli(*args, ok=False)
        assert cp.returncode == 2, cp
        assert "more than a /16 (65536): confirm to sweep (add --yes)" in cp.stderr, cp.stderr
