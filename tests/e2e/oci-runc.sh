#!/bin/sh
# oci-runc.sh - a graft-cc program in an OCI container run by runc, with a
# network namespace of its own (only lo) and graftd's socket bind-mounted,
# served to a host client.  The body is tests/apps/oci-test.inc.
. "$(dirname "$0")/../lib/common.sh"
RUNTIME=runc
. "$GRAFT_TOP/tests/apps/oci-test.inc"
