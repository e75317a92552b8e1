#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tools/check-sql-owner.pl (run by tools/checksrc.sh) on a small tree of its own: SQL naming
# another module's table is reported with file and line, also when the literal is split over
# lines; a module's own tables, comments, lower-case prose and unknown names are not.
top=${FLEETGW_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
t=$(mktemp -d) || exit 99
trap 'rm -rf "$t"' EXIT
mkdir -p "$t/gateway/app" "$t/uplink" "$t/webui"
cat >"$t/gateway/db.c" <<'C'
static const char *m = "CREATE TABLE devices (id INTEGER PRIMARY KEY);"
                       "CREATE TABLE audit (id INTEGER);";
static const char *q = "SELECT id FROM devices JOIN audit";
C
cat >"$t/webui/auth.c" <<'C'
static const char *m = "CREATE TABLE IF NOT EXISTS ui_users (id INTEGER);";
static const char *q = "DELETE FROM ui_users WHERE id = ?1"; /* own table */
C
cat >"$t/uplink/ok.c" <<'C'
/* SELECT name FROM devices: a comment is not SQL. */
static const char *a = "read from devices"; /* prose, lower case */
static const char *b = "SELECT x FROM up_outbox"; /* no module creates it here */
static const char c = '"';
C
cat >"$t/uplink/bad.c" <<'C'
static const char c = '"';
static const char *q = "SELECT id, name "
                       "FROM "
                       "devices ORDER BY id";
static const char *w = "UPDATE ui_users SET failed = 0";
C
cat >"$t/gateway/app/poller.c" <<'C'
static const char *q = "INSERT INTO audit (id) VALUES (1)";
C
cd "$t" || exit 99
out=$(perl "$top/tools/check-sql-owner.pl" gateway/db.c webui/auth.c uplink/ok.c uplink/bad.c \
    gateway/app/poller.c)
rc=$?
expect="uplink/bad.c:2: SQL names table devices (FROM devices) of module gateway/; call a function of gateway instead
uplink/bad.c:5: SQL names table ui_users (UPDATE ui_users) of module webui/; call a function of webui instead
gateway/app/poller.c:1: SQL names table audit (INTO audit) of module gateway/; call a function of gateway instead"
if [ $rc -ne 1 ] || [ "$out" != "$expect" ]; then
    echo "exit $rc, output:"
    echo "$out"
    echo "expected exit 1 and:"
    echo "$expect"
    exit 1
fi
# A clean tree passes.
out=$(perl "$top/tools/check-sql-owner.pl" gateway/db.c webui/auth.c) || {
    echo "clean files reported: $out"
    exit 1
}
echo "ok"
