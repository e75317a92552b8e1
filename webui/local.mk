# SPDX-License-Identifier: Apache-2.0
# webui/: not built yet; see webui/README.md.
EXTRA_DIST += webui/README.md
