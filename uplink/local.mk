# SPDX-License-Identifier: Apache-2.0
# uplink/: not built yet; see uplink/README.md.
EXTRA_DIST += uplink/README.md
