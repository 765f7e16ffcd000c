#!/bin/sh
# deps.sh - install what `make check-apps` needs on Debian, as root, with
# apt-get: the OCI runtimes, podman (tests/apps/podman-cni.sh; it brings
# Debian's CNI plugins), the host-side clients (Debian's iperf3, curl,
# wrk, dig) and the tools the scripts use (openssl makes nginx's
# certificate).  Nothing to do when all are there.  Never fails: a test
# whose tool is still missing prints SKIP with the reason (and the build of
# an app needs only make and gcc, which ./configure installed).
# With arguments CMD:PACKAGE..., only those (tests/alpine/deps.sh).
set -u
missing=
need() { command -v "$1" >/dev/null 2>&1 || case " $missing " in *" $2 "*) ;; *) missing="$missing $2" ;; esac; }
if [ $# -gt 0 ]; then
	for a; do need "${a%%:*}" "${a#*:}"; done
else
need runc runc
need crun crun
need podman podman
need iperf3 iperf3
need curl curl
need wrk wrk
need dig bind9-dnsutils
need python3 python3
need openssl openssl
need file file
need xz xz-utils
need openssl openssl
need nsenter util-linux
need ip iproute2
need make make
need gcc gcc
need apt-get apt
# full perl (not only perl-base): OpenSSL's Configure, run by graft-deps
perl -MIPC::Cmd -MFile::Copy -e 1 2>/dev/null || missing="$missing perl"
# Debian's PostgreSQL server: tests/apps/postgresql.sh's host side
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$missing postgresql"
# glibc's libz.a: graft-deps.sh checks that graft-cc never takes it
ls /usr/lib/*/libz.a >/dev/null 2>&1 || missing="$missing zlib1g-dev"
fi
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing:$missing (install them: apt-get install$missing)" >&2
	exit 0
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# iperf3's package asks whether to start a daemon: the default is no.
if ! { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null; } 2>"${TMPDIR:-/tmp}/graft-deps.$$"; then
	echo "deps: apt-get install$missing failed; tests that need them will SKIP:" >&2
	tail -3 "${TMPDIR:-/tmp}/graft-deps.$$" >&2
fi
rm -f "${TMPDIR:-/tmp}/graft-deps.$$"
exit 0
