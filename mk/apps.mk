# mk/apps.mk - `make check-apps`: software nobody here wrote, built
# from Debian's source with graft-cc and driven by its own clients, and a
# graft-cc program in OCI containers (runc, crun, runc with
# examples/oci/graft-oci-hook, podman with graft-cni).  See docs/apps.md
# and docs/containers.md.
#
# tests/apps/deps.sh installs the runtimes and host-side clients first.
# Sources are downloaded once into build/dl/apps; the apps are built in
# build/apps/APP (about 5 minutes the first time, redis half of it, after
# graft-deps built the libraries they link; then only relinked when
# graft's libc changed).

APPS_TESTS := tests/apps/graft-deps.sh tests/e2e/oci-runc.sh tests/e2e/oci-crun.sh \
	tests/apps/iperf3.sh tests/apps/nginx.sh tests/apps/dnsmasq.sh \
	tests/apps/haproxy.sh tests/apps/redis.sh tests/apps/memcached.sh \
	tests/apps/pgbouncer.sh tests/apps/postgresql.sh tests/apps/postgresql-server.sh \
	tests/apps/mosquitto.sh tests/e2e/k8s-daemonset.sh tests/e2e/oci-hook.sh \
	tests/apps/podman-cni.sh

check-apps: all $(B)/tests/graft-request
	@tests/apps/deps.sh
	@GRAFT_TOP=$(TOP) GRAFT_BUILD=$(TOP)/$(B) GRAFT_BIN=$(TOP)/$(B)/bin \
	GRAFT_CC=$(TOP)/$(GRAFT_CC) GRAFT_TARGET=$(TARGET) \
		tests/run-tests.sh $(foreach t,$(APPS_TESTS),-e $(t))
