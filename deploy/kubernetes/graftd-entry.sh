#!/bin/sh
# graftd-entry.sh - the graft DaemonSet's main container: check the
# configuration, make the control socket's directory root's alone, then
# become graftd in the foreground (logging to stderr, the pod's log).
#
#   GRAFTD       the daemon (default /usr/sbin/graftd)
#   GRAFTD_CONF  its configuration (default /etc/graft/graftd.conf, the
#                graftd-config ConfigMap)
#   GRAFT_RUN    the request socket's directory (default /run/graft,
#                hostPath; pods mount it read-only)
#   GRAFTD_RUN   the control socket's directory (default /run/graftd,
#                hostPath; the CNI plugin on the node uses it, pods never)
#
# hostPath DirectoryOrCreate makes missing directories 0755; graftd wants
# the control socket's directory 0700 (graftd(8)), as the systemd unit's
# ExecStartPre makes it.
set -u
GRAFTD=${GRAFTD:-/usr/sbin/graftd}
CONF=${GRAFTD_CONF:-/etc/graft/graftd.conf}
RUN=${GRAFT_RUN:-/run/graft}
CTLRUN=${GRAFTD_RUN:-/run/graftd}

"$GRAFTD" -n -f "$CONF" || exit 1
mkdir -p "$RUN" "$CTLRUN" || exit 1
chmod 0755 "$RUN" && chmod 0700 "$CTLRUN" || exit 1
exec "$GRAFTD" -d -f "$CONF" -s "$RUN/graftd.sock" -c "$CTLRUN/graftd.ctl"
