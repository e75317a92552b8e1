# SPDX-License-Identifier: Apache-2.0
# soap/: not built yet; see soap/README.md.
EXTRA_DIST += soap/README.md
