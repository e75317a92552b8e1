# SPDX-License-Identifier: Apache-2.0
# bench/: benchmarks that print figures (docs/performance.md records them); not run by
# `make check`.
EXTRA_DIST += bench/benchlib.py bench/poll bench/scale bench/fleetsim bench/webui bench/uplink bench/discovery
