# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# `fleetgw probe` against a private net-snmp snmpd on loopback: SNMPv1/v2c/v3 at every security
# level and protocol pair Debian's net-snmp 5.9.3 supports, the SNMPv3 failures a user must be
# able to tell apart (exit 4 with the reason), no response (exit 3, within the time the flags
# allow), an SNMP error answer (exit 5), usage errors (exit 2 naming the flag), and that no
# secret given on the command line or in a file shows up in the output.
#
# What snmpd 5.9.3 does on the wire, as observed while writing these tests:
#   unknown user       Report usmStatsUnknownUserNames       -> exit 4 "unknown user"
#   wrong auth key     Report usmStatsWrongDigests           -> exit 4 "auth"
#   auth-only user     Report usmStatsUnsupportedSecLevels   -> exit 4 "security level"
#     asked for authPriv
#   wrong priv key     nothing: the message authenticates, the decrypted scoped PDU does not
#                      parse, snmpd logs "security service 3 error parsing ScopedPDU" and drops
#                      it instead of sending usmStatsDecryptionErrors. fleetgw then sends one
#                      authNoPriv GET with the same user and auth key; an answer proves them
#                      right, so it reports the privacy key (exit 4 "priv"). If that GET is
#                      silent too, it is a plain timeout (exit 3).
#   authNoPriv for a   Response with errorStatus authorizationError (16) -> exit 5
#     "rouser ... priv" user
#   Report delivery  net-snmp 5.9.3 hands each of these Reports to the callback twice, first
#                    as OP_SEC_ERROR, then as OP_RECEIVED_MESSAGE with command REPORT;
#                    snmpv3_get_report_type() names it. session.c classifies the first.
#   stale boots/time usmStatsNotInTimeWindows after an agent reboot never reaches the callback:
#                    net-snmp resynchronises and resends by itself (OP_RESEND, then the
#                    response; test_v3_agent_reboot_resyncs_time). probe cannot provoke it (it
#                    discovers boots and time on every run). Should such a Report reach
#                    session.c, the first counts as the resync, a second is
#                    SNMPC_E_TIME_WINDOW.

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from conftest import SRCDIR, has_ipv6_loopback, register_log, serve_snmpsimd

TIMEOUT = 0.5
RETRIES = 1


def v3_args(snmpd, user, level="authPriv", auth=None, apass=None, priv=None, ppass=None):
    a, ap, p, pp, _ = snmpd.users[user]
    args = ["-v", "3", "-u", user, "-l", level]
    if level in ("authNoPriv", "authPriv"):
        args += ["-a", auth or a, "-A", apass or ap]
    if level == "authPriv":
        args += ["-x", priv or p, "-X", ppass or pp]
    return args


def probe_json(fleetgw, *args, timeout=30):
    cp = fleetgw("probe", "--json", "--timeout", TIMEOUT, "--retries", RETRIES, *args,
                 timeout=timeout)
    return cp, (json.loads(cp.stdout) if cp.stdout.strip() else None)


def check_identity(j):
    assert j["sys_descr"] == "fleetgw test agent"
    assert j["sys_name"] == "fleetgw-snmpd"
    assert j["sys_location"] == "loopback rack 1"
    assert j["sys_contact"] == "ops@example.invalid"
    assert j["sys_object_id"].startswith("1.3.6.1.4.1.8072.")
    assert j["uptime_ticks"] >= 0


@pytest.mark.parametrize("version", ["1", "2c"])
def test_community_ok(snmpd, fleetgw, version):
    cp, j = probe_json(fleetgw, "-v", version, "-c", "public", snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    check_identity(j)
    assert j["engine_id"] is None
    for key in ("counters", "supplies", "trays", "alerts", "status"):
        assert key in j


def test_default_is_v2c_public(snmpd, fleetgw):
    cp, j = probe_json(fleetgw, snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    check_identity(j)


def test_wrong_community_is_no_response(snmpd, fleetgw):
    # SNMPv1/v2c agents drop requests with an unknown community: nothing tells it from a
    # dead device.
    cp, _ = probe_json(fleetgw, "-c", "not-the-community", snmpd.endpoint)
    assert cp.returncode == 3, cp.stderr
    assert "no response" in cp.stderr


@pytest.mark.parametrize("user", ["fleet", "fmd5", "fsha", "fsha224", "fsha384", "fsha512"])
def test_v3_authpriv_ok(snmpd, fleetgw, user):
    cp, j = probe_json(fleetgw, *v3_args(snmpd, user), snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    check_identity(j)
    assert j["engine_id"] == snmpd.engine_id


def test_v3_authnopriv_and_noauth_ok(snmpd, fleetgw):
    cp, j = probe_json(fleetgw, *v3_args(snmpd, "fauth", "authNoPriv"), snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    check_identity(j)
    assert j["engine_id"] == snmpd.engine_id
    cp, j = probe_json(fleetgw, "-u", "fnoauth", "-l", "noAuthNoPriv", snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    check_identity(j)


def test_v3_context_name_accepted(snmpd, fleetgw):
    # snmpd serves its MIB in the default context; the empty name is the one that works.
    cp, j = probe_json(fleetgw, *v3_args(snmpd, "fleet"), "-n", "", snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr


def test_v3_engine_id_in_text_output(snmpd, fleetgw):
    cp = fleetgw("probe", *v3_args(snmpd, "fleet"), snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    assert "engine id" in cp.stdout and snmpd.engine_id in cp.stdout
    assert "fleetgw test agent" in cp.stdout


def test_v3_unknown_user(snmpd, fleetgw):
    args = ["-v", "3", "-u", "nosuchuser", "-l", "authPriv", "-a", "SHA-256", "-A",
            "authpass123", "-x", "AES", "-X", "privpass123"]
    cp, j = probe_json(fleetgw, *args, snmpd.endpoint)
    assert cp.returncode == 4, cp.stderr
    assert "unknown user" in cp.stderr
    assert j["error"] == "SNMPC_E_AUTH_USER"


def test_v3_wrong_auth_key(snmpd, fleetgw):
    cp, j = probe_json(fleetgw, *v3_args(snmpd, "fleet", apass="wrong-auth-pass"), snmpd.endpoint)
    assert cp.returncode == 4, cp.stderr
    assert "auth" in cp.stderr and "wrong auth key" in cp.stderr
    assert j["error"] == "SNMPC_E_AUTH_KEY"


def test_v3_wrong_auth_protocol_is_wrong_auth_key(snmpd, fleetgw):
    # A different hash makes a different digest: the agent cannot tell the two apart.
    cp, j = probe_json(fleetgw, *v3_args(snmpd, "fleet", auth="SHA-512"), snmpd.endpoint)
    assert cp.returncode == 4, cp.stderr
    assert j["error"] == "SNMPC_E_AUTH_KEY"


def test_v3_wrong_priv_key(snmpd, fleetgw):
    # snmpd stays silent on a wrong privacy key (see the file comment); the authNoPriv
    # cross-check still lets fleetgw name the cause, at the cost of one timeout.
    t0 = time.monotonic()
    cp, j = probe_json(fleetgw, *v3_args(snmpd, "fleet", ppass="wrong-priv-pass"),
                       snmpd.endpoint)
    assert cp.returncode == 4, cp.stderr
    assert "priv" in cp.stderr and "wrong priv key" in cp.stderr
    assert j["error"] == "SNMPC_E_PRIV_KEY"
    assert time.monotonic() - t0 < TIMEOUT * (RETRIES + 1) + 3


def test_v3_wrong_priv_protocol_is_wrong_priv_key(snmpd, fleetgw):
    cp, j = probe_json(fleetgw, *v3_args(snmpd, "fleet", priv="DES"), snmpd.endpoint)
    assert cp.returncode == 4, cp.stderr
    assert j["error"] == "SNMPC_E_PRIV_KEY"


def test_v3_unsupported_security_level(snmpd, fleetgw):
    # fauth has no privacy key: asking for authPriv gets usmStatsUnsupportedSecLevels.
    cp, j = probe_json(fleetgw, *v3_args(snmpd, "fauth", "authPriv", priv="AES",
                                         ppass="privpass123"), snmpd.endpoint)
    assert cp.returncode == 4, cp.stderr
    assert "security level" in cp.stderr
    assert j["error"] == "SNMPC_E_SECLEVEL"


def test_snmp_error_answer_exit_5(snmpd, fleetgw):
    # "rouser fleet priv": the agent authenticates an authNoPriv GET and answers it with
    # errorStatus authorizationError, an SNMP error in a response PDU.
    cp, j = probe_json(fleetgw, *v3_args(snmpd, "fleet", "authNoPriv"), snmpd.endpoint)
    assert cp.returncode == 5, cp.stderr
    assert "authorizationError" in cp.stderr
    assert j["error"] == "SNMPC_E_PDU"
    assert "authorizationError" in j["detail"]


@pytest.mark.parametrize("mode", ["v2c", "v3"])
def test_no_listener_exit_3_in_time(fleetgw, udp_port, mode):
    # Nothing listens on udp_port: each try waits its timeout, then exit 3.
    args = ["-c", "public"] if mode == "v2c" else ["-u", "fleet", "-l", "authPriv", "-a",
                                                    "SHA-256", "-A", "authpass123", "-x",
                                                    "AES", "-X", "privpass123"]
    t0 = time.monotonic()
    cp, j = probe_json(fleetgw, *args, f"127.0.0.1:{udp_port}")
    elapsed = time.monotonic() - t0
    assert cp.returncode == 3, cp.stderr
    assert "no response" in cp.stderr
    assert j["error"] == "SNMPC_E_TIMEOUT"
    assert TIMEOUT * (RETRIES + 1) * 0.9 <= elapsed < TIMEOUT * (RETRIES + 1) + 2.0


def test_stopped_agent_exit_3(snmpd, fleetgw):
    cp, _ = probe_json(fleetgw, snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    snmpd.stop()
    t0 = time.monotonic()
    cp, _ = probe_json(fleetgw, "--retries", "0", snmpd.endpoint)
    assert cp.returncode == 3, cp.stderr
    assert time.monotonic() - t0 < TIMEOUT + 2.0


@pytest.mark.skipif(not has_ipv6_loopback(), reason="no IPv6 loopback")
def test_ipv6_bracketed(snmpd, fleetgw):
    cp, j = probe_json(fleetgw, f"[::1]:{snmpd.port}")
    assert cp.returncode == 0, cp.stderr
    check_identity(j)
    cp, j = probe_json(fleetgw, *v3_args(snmpd, "fleet"), f"[::1]:{snmpd.port}")
    assert cp.returncode == 0, cp.stderr
    assert j["engine_id"] == snmpd.engine_id


def test_host_name_resolved(snmpd, fleetgw):
    cp, j = probe_json(fleetgw, f"localhost:{snmpd.port}")
    # localhost may resolve to ::1 first; snmpd listens on both when IPv6 is there.
    assert cp.returncode == 0, cp.stderr
    check_identity(j)


def test_secret_files(snmpd, fleetgw, tdir):
    (tdir / "auth").write_text("authpass123\n")
    (tdir / "priv").write_text("privpass123\n")
    (tdir / "community").write_text("public\n")
    cp, j = probe_json(fleetgw, "-u", "fleet", "-l", "authPriv", "-a", "SHA-256",
                       "--auth-pass-file", tdir / "auth", "-x", "AES", "--priv-pass-file",
                       tdir / "priv", snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    check_identity(j)
    cp, j = probe_json(fleetgw, "--community-file", tdir / "community", snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    check_identity(j)


def test_secrets_never_printed(snmpd, fleetgw):
    runs = [
        ["--json", *v3_args(snmpd, "fleet", apass="Auth-Secret-1", ppass="Priv-Secret-2")],
        [*v3_args(snmpd, "fleet", apass="authpass123", ppass="Priv-Secret-2")],
        ["--json", "-c", "Community-Secret-3"],
        [*v3_args(snmpd, "fleet", apass="Auth-Secret-1")],
    ]
    for args in runs:
        cp = fleetgw("probe", "--timeout", TIMEOUT, "--retries", "0", *args, snmpd.endpoint)
        for secret in ("Auth-Secret-1", "Priv-Secret-2", "Community-Secret-3"):
            assert secret not in cp.stdout and secret not in cp.stderr, args


def test_device_without_printer_data(snmpd, fleetgw):
    # snmpd answers but has no Printer-MIB: probe still prints what it has and exits 0.
    cp = fleetgw("probe", snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    assert "fleetgw test agent" in cp.stdout
    cp, j = probe_json(fleetgw, snmpd.endpoint)
    assert cp.returncode == 0
    assert j["supplies"] == [] and j["trays"] == [] and j["page_count_total"] is None


def repo_snmpsimd(folder, name, what):
    """snmpsimd for one test, serving the recordings of tests/data/FOLDER; skips the test when
    NAME.snmprec (the WHAT it needs) or snmpsimd is missing."""
    data = Path(SRCDIR or ".") / "tests" / "data" / folder
    if not (data / f"{name}.snmprec").exists() or not shutil.which("snmpsimd"):
        pytest.skip(f"{what} or snmpsimd missing")
    return serve_snmpsimd(data, module_wide=False)


def test_trays_apart_from_supplies(tdir, fleetgw):
    # The repository's demo Kyocera walk has a toner and an input tray that share index 1:
    # "supplies" holds the marker supplies only, the cassette is in "trays", and the text output
    # lists it under its own heading with its paper as the printer says it (-3: some paper).
    with repo_snmpsimd("snmprec", "demo-kyocera", "demo recording") as sim:
        cp, j = probe_json(fleetgw, "-c", "demo-kyocera", sim.endpoint)
        assert cp.returncode == 0, cp.stderr
        assert [(s["index"], s["type"]) for s in j["supplies"]] == [(1, "toner"),
                                                                    (2, "wasteToner")]
        assert len(j["trays"]) == 1
        t = j["trays"][0]
        assert (t["index"], t["name"], t["max_capacity"], t["level_raw"]) == (1, "Cassette 1",
                                                                               500, -3)
        assert (t["state"], t["percent"], t["level_text"]) == ("some_remaining", None,
                                                               "some paper")
        cp = fleetgw("probe", "--timeout", TIMEOUT, "--retries", RETRIES, "-c", "demo-kyocera",
                     sim.endpoint)
        assert cp.returncode == 0, cp.stderr
        supplies = cp.stdout.split("\nSupplies\n")[1].split("\n\n")[0]
        trays = cp.stdout.split("\nInput trays\n")[1].split("\n\n")[0]
        assert "Cassette" not in supplies
        assert "Cassette 1" in trays and "some paper" in trays


@pytest.mark.parametrize("version", ["1", "2c"])
def test_vendor_tables_through_poll(tdir, fleetgw, version):
    # The corpus's Ricoh tables served by snmpsimd: the poll walks the private toner table
    # (GETNEXT for v1, GETBULK for v2c), which becomes the supplies of a device without
    # Printer-MIB supplies, and the labelled counter table, whose "Counter: Machine Total" row
    # is the billing total of a device without ricohEngCounterTotal and prtMarkerLifeCount.
    with repo_snmpsimd("corpus-tables", "ricoh_private-supplies", "corpus tables") as sim:
        cp, j = probe_json(fleetgw, "-v", version, "-c", "ricoh_private-supplies", sim.endpoint)
        assert cp.returncode == 0, cp.stderr
        got = [(s["index"], s["description"], s["color"], s["type"], s["percent"], s["state"])
               for s in j["supplies"]]
        assert got == [(1, "Black Toner", None, "toner", 30, "ok"),
                       (2, "Cyan Toner", None, "toner", 20, "ok"),
                       (3, "Magenta Toner", None, "toner", 30, "ok"),
                       (4, "Yellow Toner", None, "toner", None, "low")]
        assert j["vendor"] == "Ricoh"

        cp, j = probe_json(fleetgw, "-v", version, "-c", "ricoh_mp-colour-counters",
                           sim.endpoint)
        assert cp.returncode == 0, cp.stderr
        by_oid = {c["oid"]: (c["name"], c["value"]) for c in j["counters"]}
        base = "1.3.6.1.4.1.367.3.2.1.2.19.5.1.9."
        assert len([o for o in by_oid if o.startswith(base)]) == 15
        assert by_oid[base + "1"] == ("machine_total", 118722)
        assert by_oid[base + "5"] == ("machine_total_2", 118722)
        assert by_oid[base + "8"] == ("ricoh_development_color", 167628)
        assert (j["page_count_total"], j["page_count_source"]) == (118722, "machine_total")


@pytest.mark.parametrize("args,flag", [
    (["-v", "4", "127.0.0.1"], "-v"),
    (["-l", "superPriv", "-u", "x", "127.0.0.1"], "-l"),
    (["-u", "x", "-a", "SHA-1024", "-A", "authpass123", "127.0.0.1"], "-a"),
    (["-u", "x", "-x", "ROT13", "127.0.0.1"], "-x"),
    (["--timeout", "soon", "127.0.0.1"], "--timeout"),
    (["-t", "0", "127.0.0.1"], "-t"),
    (["--retries", "-1", "127.0.0.1"], "--retries"),
    (["-r", "many", "127.0.0.1"], "-r"),
    (["--bogus", "127.0.0.1"], "--bogus"),
    (["-Z", "127.0.0.1"], "-Z"),
    (["127.0.0.1:99999"], "PORT"),
    (["[::1:161"], "HOST"),
    ([], "HOST"),
    (["127.0.0.1", "127.0.0.2"], "127.0.0.2"),
    (["-u", "fleet", "-l", "authPriv", "-A", "authpass123", "127.0.0.1"], "-X"),
    (["-u", "fleet", "-l", "authNoPriv", "127.0.0.1"], "-A"),
    (["-u", "fleet", "-l", "authNoPriv", "-A", "short", "127.0.0.1"], "-A"),
    (["-v", "2c", "-u", "fleet", "127.0.0.1"], "-v 3"),
    (["-v", "3", "127.0.0.1"], "-u"),
    (["--timeout"], "--timeout"),
    (["--catalogue", "/nonexistent/counters.catalogue", "127.0.0.1"], "--catalogue"),
])
def test_usage_errors(fleetgw, args, flag):
    cp = fleetgw("probe", *args)
    assert cp.returncode == 2, (cp.stdout, cp.stderr)
    assert flag in cp.stderr, cp.stderr
    assert cp.stdout == ""


def test_help(fleetgw):
    cp = fleetgw("probe", "--help")
    assert cp.returncode == 0
    assert "usage: fleetgw probe" in cp.stdout


# ---------------------------------------------------------------------------------------------
# Session behaviour `fleetgw probe` cannot show, through tests/harness/t_snmpc (one loop, many
# sessions; it fails itself when a poll callback runs other than exactly once, a second poll on
# a busy session is not refused, or the loop does not close cleanly).


@pytest.fixture
def t_snmpc(tdir):
    from conftest import run_t_snmpc
    log = tdir / "t_snmpc.log"
    register_log("t_snmpc runs", log)
    return lambda *args, **kw: run_t_snmpc(list(args), log=log, **kw)


def v3_harness_args(user="fleet"):
    from conftest import SNMPD_USERS
    a, ap, p, pp, _ = SNMPD_USERS[user]
    return ["-v", "3", "-u", user, "-a", a, "-A", ap, "-x", p, "-X", pp]


def test_repeated_polls_on_many_sessions(snmpd, t_snmpc):
    # 20 SNMPv3 sessions to one engine with one user share net-snmp's global USM entry; they
    # close at different times, which must not pull the entry from under the others.
    cp, j = t_snmpc(*v3_harness_args(), "--repeat", "3", "127.0.0.1", snmpd.port,
                    *([""] * 20))
    assert cp.returncode == 0, cp.stderr
    assert j["polls"] == 60 and j["callbacks"] == 60
    assert j["status"] == {"OK": 60}, j


def test_status_poll_is_smaller(snmpd, t_snmpc):
    cp, full = t_snmpc("127.0.0.1", snmpd.port, "public")
    assert cp.returncode == 0, cp.stderr
    cp, status = t_snmpc("--kind", "status", "127.0.0.1", snmpd.port, "public")
    assert cp.returncode == 0, cp.stderr
    assert status["status"] == {"OK": 1}
    assert 0 < status["varbinds"] < full["varbinds"]


def test_close_mid_poll_cancels_once(t_snmpc, udp_port):
    # Nothing answers; closing the sessions after 200 ms completes each poll with -ECANCELED,
    # once, and the loop closes with no handle left.
    cp, j = t_snmpc("--timeout", "2000", "--cancel-after", "200", "127.0.0.1", udp_port,
                    "a", "b", "c")
    assert cp.returncode == 0, cp.stderr
    assert j["status"] == {"ECANCELED": 3}, j
    assert cp.elapsed < 1.5


def test_close_mid_v3_discovery_cancels_once(t_snmpc, udp_port):
    cp, j = t_snmpc(*v3_harness_args(), "--timeout", "2000", "--cancel-after", "200",
                    "127.0.0.1", udp_port, "")
    assert cp.returncode == 0, cp.stderr
    assert j["status"] == {"ECANCELED": 1}, j


def test_deadline_cuts_retries_short(t_snmpc, udp_port):
    # 1 s per try and 5 retries would take 6 s; the poll's 300 ms deadline ends it.
    cp, j = t_snmpc("--timeout", "1000", "--retries", "5", "--deadline", "300", "127.0.0.1",
                    udp_port, "public")
    assert cp.returncode == 0, cp.stderr
    assert j["status"] == {"SNMPC_E_TIMEOUT": 1}, j
    assert "deadline" in j["detail"]
    assert cp.elapsed < 1.5


def test_deadline_leaves_a_fast_poll_alone(snmpd, t_snmpc):
    cp, j = t_snmpc(*v3_harness_args(), "--deadline", "5000", "--repeat", "2", "127.0.0.1",
                    snmpd.port, "")
    assert cp.returncode == 0, cp.stderr
    assert j["status"] == {"OK": 2}, j


@pytest.mark.parametrize("version", ["1", "2c", "3"])
def test_catalogue_counters_and_v1_nosuchname(snmpd, fleetgw, tdir, version):
    # A catalogue for snmpd's enterprise (8072) with two objects snmpd has (snmpInPkts,
    # snmpOutPkts) and one it lacks. SNMPv1 answers the whole GET with noSuchName for the
    # missing one: the poll drops it and asks again, so every version ends with the same two
    # counters.
    cat = tdir / "test.catalogue"
    cat.write_text("vendor 8072 Net-SNMP\n"
                   "oid 8072 print_total 1.3.6.1.2.1.11.1.0\n"
                   "oid 8072 copy_total 1.3.6.1.4.1.8072.9999.1.0\n"
                   "oid 8072 total 1.3.6.1.2.1.11.2.0 role=total\n")
    args = v3_args(snmpd, "fleet") if version == "3" else ["-v", version]
    cp, j = probe_json(fleetgw, "--catalogue", cat, *args, snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    got = {c["name"]: c for c in j["counters"]}
    assert set(got) == {"print_total", "total"}, j["counters"]
    assert got["print_total"]["oid"] == "1.3.6.1.2.1.11.1.0"
    assert got["print_total"]["value"] > 0
    assert j["page_count_total"] == got["total"]["value"]
    assert j["page_count_source"] == "total"
    assert j["vendor"] == "Net-SNMP"


# The counter catalogue's location (issue 15, cause 1): a binary run from its build tree finds
# the source tree's snmp/counters.catalogue, and a configuration named with -c is honoured.
# FLEETGW_DATADIR (which `make check` sets) is emptied so that the binary's own rule is tested.
NO_DATADIR = {"FLEETGW_DATADIR": ""}
SNMPD_CATALOGUE = ("vendor 8072 Net-SNMP\n"
                   "oid 8072 print_total 1.3.6.1.2.1.11.1.0\n"
                   "oid 8072 total 1.3.6.1.2.1.11.2.0 role=total\n")


def test_build_tree_binary_finds_the_source_catalogue(snmpd, fleetgw, tdir):
    conf = tdir / "fleetgw.conf"
    conf.write_text(f"[gateway]\nstate_dir = {tdir}/state\n")
    dump = fleetgw("-c", conf, "-T", env=NO_DATADIR)
    assert dump.returncode == 0, dump.stderr
    src = os.path.realpath(os.path.join(os.environ["FLEETGW_SRCDIR"], "snmp",
                                        "counters.catalogue"))
    assert f"\ncatalogue = {src}\n" in dump.stdout, dump.stdout
    cp = fleetgw("-c", conf, "-t", env=NO_DATADIR)
    assert cp.returncode == 0 and "configuration ok" in cp.stdout, cp.stderr
    cp = fleetgw("probe", "--json", "--timeout", TIMEOUT, "--retries", RETRIES, "-v", "2c",
                 snmpd.endpoint, env=NO_DATADIR)
    assert cp.returncode == 0, cp.stderr
    assert "catalogue" not in cp.stderr, cp.stderr


def test_probe_uses_the_configured_catalogue(snmpd, fleetgw, tdir):
    cat = tdir / "snmpd.catalogue"
    cat.write_text(SNMPD_CATALOGUE)
    conf = tdir / "fleetgw.conf"
    conf.write_text(f"[snmp]\ncatalogue = {cat}\n")
    cp = fleetgw("-c", conf, "probe", "--json", "--timeout", TIMEOUT, "--retries", RETRIES,
                 "-v", "2c", snmpd.endpoint, env=NO_DATADIR)
    assert cp.returncode == 0, cp.stderr
    j = json.loads(cp.stdout)
    assert j["vendor"] == "Net-SNMP"
    assert {c["name"] for c in j["counters"]} == {"print_total", "total"}, j["counters"]
    # --catalogue still wins over the configuration.
    other = tdir / "other.catalogue"
    other.write_text("vendor 8072 Other\n")
    cp = fleetgw("-c", conf, "probe", "--json", "--catalogue", other, "--timeout", TIMEOUT,
                 "--retries", RETRIES, "-v", "2c", snmpd.endpoint)
    assert cp.returncode == 0, cp.stderr
    assert json.loads(cp.stdout)["vendor"] == "Other"


@pytest.mark.parametrize("content,reason", [
    (None, "No such file or directory"),
    ("vendor 8072 Net-SNMP\noid 8072 x 1.2.3\n", "bad.catalogue:2: oid: bad OID"),
])
def test_catalogue_errors_are_config_errors(fleetgw, tdir, content, reason):
    cat = tdir / "bad.catalogue"
    if content is not None:
        cat.write_text(content)
    conf = tdir / "fleetgw.conf"
    conf.write_text(f"[snmp]\ntimeout = 2s\ncatalogue = {cat}\n")
    # -t and probe refuse it the same way (the daemon too, at start): "file:line: key: reason".
    for args in (["-t"], ["probe", "127.0.0.1"]):
        cp = fleetgw("-c", conf, *args)
        assert cp.returncode == 1, (args, cp.stdout, cp.stderr)
        assert f"{conf}:3: snmp.catalogue: " in cp.stderr, (args, cp.stderr)
        assert reason in cp.stderr, (args, cp.stderr)


def test_v3_agent_reboot_resyncs_time(snmpd_factory, t_snmpc):
    # One session polls, the agent restarts (same engine ID, engineBoots + 1), the same session
    # polls again with stale boots/time. snmpd answers usmStatsNotInTimeWindows; net-snmp 5.9.3
    # takes the new boots/time from that Report itself and resends (our callback sees only
    # OP_RESEND, then the response), so the poll succeeds. Observed with snmpd 5.9.3.
    import subprocess
    from conftest import need_harness
    snmpd = snmpd_factory(reboots=True)
    args = [str(need_harness()), *v3_harness_args(), "--repeat", "2", "--pause", "2500",
            "127.0.0.1", str(snmpd.port), ""]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, T_SNMPC_DEBUG="1"))
    time.sleep(1.0)
    snmpd.restart()
    out, err = proc.communicate(timeout=30)
    (snmpd.dir / "t_snmpc-reboot.log").write_text(err)
    register_log("t_snmpc reboot run", snmpd.dir / "t_snmpc-reboot.log")
    assert proc.returncode == 0, err
    j = json.loads(out)
    assert j["status"] == {"OK": 2}, j
    second = err[err.index("poll started", err.index("poll done")):]
    assert "resend host=" in second
    assert "engine discovered" not in second  # the session kept its engine
