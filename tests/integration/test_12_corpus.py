# SPDX-License-Identifier: Apache-2.0
# Copyright (c) 2026 fleetgw authors
#
# The repository's own corpus of real printer data (tests/data/snmprec/NAME.snmprec with
# NAME.expected.json, schema in tests/data/snmprec/README.md), served by snmpsimd and read with
# `fleetgw probe --json`: SNMPv2c for every device, SNMPv3 authPriv for every third one. Each
# expected value is one check: vendor, model and serial where the source published them, every
# marker supply's description, colour, max capacity, level, percent and state, the number of
# marker supplies (input trays are not supplies), every page counter by OID and the billing
# total. The expectations are what the standards and the raw values say, not what fleetgw does
# today; the last test prints the accuracy over the corpus per field.

import json
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import SRCDIR, DATADIR, fleetgw_env, need_fleetgw, register_log, serve_snmpsimd

CORPUS = Path(SRCDIR) / "tests" / "data" / "snmprec" if SRCDIR else None
# field -> [passed, total]; device -> failed check texts
TALLY = defaultdict(lambda: [0, 0])
FAILED = {}


def corpus():
    if not CORPUS or not CORPUS.is_dir():
        return []
    return sorted(p.name[: -len(".expected.json")] for p in CORPUS.glob("*.expected.json"))


def expected(name):
    return json.loads((CORPUS / f"{name}.expected.json").read_text())


def modes(name):
    # v3 (one user, SHA/AES, context = name) for every third device keeps the run short.
    return ["v2c", "v3"] if corpus().index(name) % 3 == 0 else ["v2c"]


@pytest.fixture(scope="module")
def corpus_sim():
    if not corpus():
        pytest.skip("no corpus in $FLEETGW_SRCDIR/tests/data/snmprec")
    with serve_snmpsimd(CORPUS, prefix="fgw-corpus-") as sim:
        yield sim


def probe(sim, name, mode):
    args = [need_fleetgw(), "probe", "--json", "--timeout", "3", "--retries", "1"]
    if DATADIR:
        args += ["--catalogue", str(Path(DATADIR) / "counters.catalogue")]
    if mode == "v2c":
        args += ["-v", "2c", "-c", name]
    else:
        args += ["-v", "3", "-u", sim.V3_USER, "-l", "authPriv", "-a", sim.V3_AUTH[0], "-A",
                 sim.V3_AUTH[1], "-x", sim.V3_PRIV[0], "-X", sim.V3_PRIV[1], "-n", name]
    cp = subprocess.run(args + [sim.endpoint], capture_output=True, text=True, timeout=60,
                        env=fleetgw_env(), stdin=subprocess.DEVNULL)
    log = sim.dir / "probes.log"
    with open(log, "a") as f:
        f.write(f"== {name} {mode} exit {cp.returncode}\n{cp.stderr}\n{cp.stdout}\n")
    register_log("corpus probes", log)
    assert cp.returncode == 0, f"{name} {mode}: exit {cp.returncode}: {cp.stderr}"
    return json.loads(cp.stdout)


def checks(exp, j):
    """Yields (field, ok, text) for every expected value of one device."""
    e = exp["expect"]
    for field in ("vendor", "model", "serial"):
        if e.get(field) is not None:
            yield field, j.get(field) == e[field], f"{field} {j.get(field)!r} != {e[field]!r}"

    ours = {s["index"]: s for s in j["supplies"] if s.get("type") != "input"}
    yield ("supplies.count", len(j["supplies"]) == len(e["supplies"]),
           f"{len(j['supplies'])} supplies reported ("
           f"{sum(1 for s in j['supplies'] if s.get('type') == 'input')} of type input), "
           f"{len(e['supplies'])} marker supplies expected")
    for s in e["supplies"]:
        o = ours.get(s["index"])
        for key, ours_key in (("description", "description"), ("color", "color"),
                              ("max_capacity", "max_capacity"), ("level", "level_raw"),
                              ("percent", "percent"), ("state", "state")):
            if key not in s:
                continue
            got = None if o is None else o.get(ours_key)
            yield (f"supply.{key}", o is not None and got == s[key],
                   f"supply {s['index']} ({s.get('description', '')!r}) "
                   + ("missing" if o is None else f"{key} {got!r} != {s[key]!r}"))

    counters = {c["oid"]: c["value"] for c in j["counters"]}
    for c in e["counters"]:
        got = counters.get(c["oid"])
        yield ("counter", got == c["value"],
               f"counter {c['oid']} ({c['what']}) "
               + ("missing" if got is None else f"{got} != {c['value']}"))
    if e.get("page_count_total") is not None:
        yield ("page_count_total", j["page_count_total"] == e["page_count_total"],
               f"page_count_total {j['page_count_total']} != {e['page_count_total']}")


@pytest.mark.parametrize("name", corpus())
def test_corpus_device(corpus_sim, name):
    exp = expected(name)
    assert exp["schema"] == "fleetgw-corpus/1"
    results = {m: probe(corpus_sim, name, m) for m in modes(name)}
    j = results["v2c"]
    if "v3" in results:
        v3 = results.pop("v3")
        assert v3["engine_id"], "no engine ID reported for SNMPv3"
        for k in ("engine_id", "uptime_ticks"):
            v3.pop(k, None)
        assert v3 == {k: v for k, v in j.items() if k not in ("engine_id", "uptime_ticks")}, \
            "SNMPv3 and SNMPv2c decode the same agent data differently"
    failed = []
    for field, ok, text in checks(exp, j):
        TALLY[field][1] += 1
        if ok:
            TALLY[field][0] += 1
        else:
            failed.append(text)
    FAILED[name] = failed
    assert not failed, f"{name}: " + "; ".join(failed)


def test_corpus_accuracy_summary(capsys):
    # Runs after the devices (pytest keeps file order). Prints one line for the log.
    if not FAILED:
        pytest.skip("no corpus device was probed")
    passed = sum(p for p, _ in TALLY.values())
    total = sum(t for _, t in TALLY.values())
    per_field = ", ".join(f"{f} {p}/{t}" for f, (p, t) in sorted(TALLY.items()))
    line = (f"corpus accuracy: {len(FAILED)} devices, {sum(1 for v in FAILED.values() if not v)} "
            f"fully right, checks {passed}/{total} ({100.0 * passed / max(1, total):.1f} %); "
            f"{per_field}")
    with capsys.disabled():
        print("\n" + line)
    assert total > 0
