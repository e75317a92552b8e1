#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target of a --enable-fuzz build for a few seconds each, starting from
# its seed corpus, so a crash that a short run finds fails CI. Long runs: tests/fuzz/README.md.
# usage: tools/fuzz-smoke.sh BUILD-DIR SECONDS
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1
secs=${2:-20}
status=0
found=0
for bin in "$build"/tests/*/fuzz_*; do
    [ -x "$bin" ] && [ -f "$bin" ] || continue
    case "$bin" in *.o | *.c) continue ;; esac
    found=1
    name=$(basename "$bin")
    dir=$(basename "$(dirname "$bin")")
    # Seeds: tests/fuzz/corpus/<target>/, or the owning folder's fuzz-corpus/.
    corpus=$top/tests/fuzz/corpus/${name#fuzz_}
    [ -d "$corpus" ] || corpus=$top/tests/$dir/fuzz-corpus
    work=$(mktemp -d)
    [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
    echo "fuzz $name for ${secs}s"
    if ! "$bin" -max_total_time="$secs" -max_len=8192 -print_final_stats=0 "$work" \
        >"$work.log" 2>&1; then
        echo "$name: crash or leak found:"
        tail -n 40 "$work.log"
        status=1
    fi
    rm -rf "$work" "$work.log"
done
[ $found -eq 1 ] || { echo "no fuzz targets in $build"; exit 1; }
exit $status
