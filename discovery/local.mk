# SPDX-License-Identifier: Apache-2.0
# discovery/: not built yet; see discovery/README.md.
EXTRA_DIST += discovery/README.md
