#!/bin/sh
# install-cni.sh - the graft DaemonSet's init container: put the CNI plugin
# `graft` into the node's CNI binary directory and the network
# configuration of the graft-cni ConfigMap into its configuration
# directory (docs/kubernetes.md).  Each file is written beside its target
# and renamed over it, so the runtime never reads half a file.
#
#   GRAFT_HOST        where the node's root is mounted (default /host):
#                     $GRAFT_HOST/opt/cni/bin, $GRAFT_HOST/etc/cni/net.d
#   GRAFT_CNI_PLUGIN  the plugin binary to install (default
#                     /usr/libexec/graft/cni/graft, as the image has it)
#   GRAFT_CNI_CONFIG  the ConfigMap's directory (default /etc/graft-cni):
#                     conf-name (the file name in net.d, e.g.
#                     10-graft.conflist) and graft.conflist (its contents)
#
# The configuration must end up the first one in net.d (containerd and
# CRI-O use the first file in lexical order): when another file sorts
# before it, graft would never run, so this script fails and names it.
# Exit 0: installed; 1: refused (the message says why).
set -u
HOST=${GRAFT_HOST:-/host}
PLUGIN=${GRAFT_CNI_PLUGIN:-/usr/libexec/graft/cni/graft}
CFG=${GRAFT_CNI_CONFIG:-/etc/graft-cni}
BINDIR=$HOST/opt/cni/bin
CONFDIR=$HOST/etc/cni/net.d

die() { echo "install-cni: $*" >&2; exit 1; }

[ -f "$PLUGIN" ] && [ -x "$PLUGIN" ] || die "$PLUGIN: no plugin binary"
[ -f "$CFG/conf-name" ] || die "$CFG/conf-name: missing"
[ -f "$CFG/graft.conflist" ] || die "$CFG/graft.conflist: missing"
name=$(cat "$CFG/conf-name")
case $name in
""|.*|*[!A-Za-z0-9._-]*) die "conf-name \"$name\": not a plain file name" ;;
*.conflist) ;;
*) die "conf-name \"$name\": must end in .conflist" ;;
esac
# a sanity check only; the test suite parses the JSON (tests/e2e/k8s-manifests.sh)
grep -q '"type"[[:space:]]*:[[:space:]]*"graft"' "$CFG/graft.conflist" ||
	die "$CFG/graft.conflist: no plugin of type graft"
[ -d "$BINDIR" ] || die "$BINDIR: not a directory (hostPath not mounted?)"
[ -d "$CONFDIR" ] || die "$CONFDIR: not a directory (hostPath not mounted?)"

# the first configuration file the runtime would pick, ours excepted
first=
for f in "$CONFDIR"/*.conf "$CONFDIR"/*.conflist "$CONFDIR"/*.json; do
	[ -f "$f" ] || continue
	b=${f##*/}
	[ "$b" = "$name" ] && continue
	if [ -z "$first" ] || [ "$(printf '%s\n%s\n' "$b" "$first" | LC_ALL=C sort | head -n 1)" = "$b" ]; then
		first=$b
	fi
done
if [ -n "$first" ] &&
    [ "$(printf '%s\n%s\n' "$first" "$name" | LC_ALL=C sort | head -n 1)" = "$first" ]; then
	die "$CONFDIR/$first sorts before $name: the runtime would use it, not graft" \
	    "(chain graft into a copy of it named to sort first, see docs/kubernetes.md)"
fi

cp "$PLUGIN" "$BINDIR/.graft.tmp" && chmod 0755 "$BINDIR/.graft.tmp" &&
	mv -f "$BINDIR/.graft.tmp" "$BINDIR/graft" || die "cannot install $BINDIR/graft"
cp "$CFG/graft.conflist" "$CONFDIR/.$name.tmp" && chmod 0644 "$CONFDIR/.$name.tmp" &&
	mv -f "$CONFDIR/.$name.tmp" "$CONFDIR/$name" || die "cannot install $CONFDIR/$name"
echo "install-cni: installed $BINDIR/graft and $CONFDIR/$name"
