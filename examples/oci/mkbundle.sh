#!/bin/sh
# mkbundle.sh - make an OCI bundle (rootfs + config.json, for runc or crun)
# that runs one static graft-cc program in a container with a network
# namespace of its own and no interface but lo.
#
#   mkbundle.sh [-c GRAFT_CONF] [-s SOCKET_DIR] [-u UID:GID] BUNDLE PROGRAM [ARG]...
#
# The root filesystem holds the program (as /PROGRAM's basename), the
# graft.conf (as /etc/graft.conf) and nothing else; it is mounted read-only.
# SOCKET_DIR (default /run/graft), the host directory holding graftd's
# request socket and nothing else, is bind-mounted read-only on /run/graft:
# graft.conf's "broker" line must name /run/graft/<socket>.  Never the
# control socket's directory (graftd refuses to share one; docs/security.md).
# The socket's group must be one the container's process has (graftd.conf
# "socket-owner :GID"; mode 0660 by default).  The process runs as UID:GID (default
# 65534:65534), with no capability, no new privileges and a new pid, ipc,
# uts, mount and network namespace.
#
# Then, as root:
#   runc create -b BUNDLE ID                     # the namespaces exist now
#   pid=$(runc state ID | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
#   graftctl add ep-http type ipv4 addr 0.0.0.0 port 8080 netns "$pid"
#   runc start ID                                # the program runs
#   ...
#   runc kill ID KILL; runc delete -f ID
set -eu
usage() { echo "usage: $0 [-c GRAFT_CONF] [-s SOCKET_DIR] [-u UID:GID] BUNDLE PROGRAM [ARG]..." >&2; exit 2; }
conf=/etc/graft.conf sockdir=/run/graft user=65534:65534
while getopts c:s:u: opt; do
	case $opt in
	c) conf=$OPTARG ;;
	s) sockdir=$OPTARG ;;
	u) user=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
bundle=$1 prog=$2
shift 2
[ -f "$prog" ] || { echo "$0: $prog: no such file" >&2; exit 1; }
[ -f "$conf" ] || { echo "$0: $conf: no such file" >&2; exit 1; }
[ -d "$sockdir" ] || { echo "$0: $sockdir: no such directory" >&2; exit 1; }
if command -v file >/dev/null 2>&1 && file -b "$prog" | grep -q 'dynamically linked'; then
	echo "$0: $prog is dynamically linked: the root filesystem has no libraries (build it with graft-cc)" >&2
	exit 1
fi
case $user in *:*) ;; *) user=$user:$user ;; esac

name=${prog##*/}
rm -rf "$bundle/rootfs"
mkdir -p "$bundle/rootfs/etc"
cp "$prog" "$bundle/rootfs/$name"
chmod 755 "$bundle/rootfs/$name"
cp "$conf" "$bundle/rootfs/etc/graft.conf"
chmod 644 "$bundle/rootfs/etc/graft.conf"
sockdir=$(cd "$sockdir" && pwd)

python3 - "$bundle/config.json" "$sockdir" "${user%%:*}" "${user#*:}" "/$name" "$@" <<'PY'
import json, sys
out, sockdir, uid, gid, args = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
nosuid = ["nosuid", "noexec", "nodev"]
config = {
    "ociVersion": "1.0.2",
    "process": {
        "terminal": False,
        "user": {"uid": uid, "gid": gid},
        "args": args,
        "env": ["PATH=/"],
        "cwd": "/",
        "capabilities": {k: [] for k in ("bounding", "effective", "permitted", "ambient")},
        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
        "noNewPrivileges": True,
    },
    "root": {"path": "rootfs", "readonly": True},
    "hostname": "graft",
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": nosuid + ["mode=1777", "size=65536k"]},
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
         "options": nosuid + ["mode=1777", "size=65536k"]},
        # graftd's request socket: the only way out of the network namespace
        # (its own directory, holding nothing else, read-only: the
        # container cannot replace it, and sees a restarted graftd)
        {"destination": "/run/graft", "type": "bind", "source": sockdir,
         "options": ["bind", "ro", "nosuid", "nodev", "noexec"]},
    ],
    "linux": {
        "resources": {"devices": [{"allow": False, "access": "rwm"}]},
        # a new network namespace: only lo, no interface configured
        "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
        "maskedPaths": ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                        "/proc/timer_list", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
        "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
}
with open(out, "w") as f:
    json.dump(config, f, indent=2)
    f.write("\n")
PY
