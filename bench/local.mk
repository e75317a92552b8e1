# SPDX-License-Identifier: Apache-2.0
# bench/: benchmarks that print figures; not part of `make check`.
EXTRA_DIST += bench/poll
