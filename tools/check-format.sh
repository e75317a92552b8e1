#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Fails when a C source or header is not formatted by the repository's .clang-format.
cd "$(dirname "$0")/.." || exit 1
cf=$(command -v clang-format-14 || command -v clang-format) || { echo "clang-format missing"; exit 1; }
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086
$cf --dry-run -Werror $files
