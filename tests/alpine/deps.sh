#!/bin/sh
# deps.sh - what `make check-alpine` needs beyond make check's tools, with
# apt-get as root (tests/apps/deps.sh): runc (runc.sh), podman
# (image-podman.sh), qemu-user (aarch64.sh; the aarch64 cross gcc comes from
# scripts/cross-deps), curl and python3 (the host's client and server).
# Never fails: a test whose tool is still missing prints SKIP with the reason.
exec "$(dirname "$0")/../apps/deps.sh" runc:runc podman:podman qemu-aarch64:qemu-user \
	curl:curl python3:python3 openssl:openssl
