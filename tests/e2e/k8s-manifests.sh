#!/bin/sh
# k8s-manifests.sh - deploy/kubernetes/ checked without a cluster: the YAML
# structure and deployment rules (tests/lib/k8s_lint.py: metadata, no RBAC,
# the DaemonSet unprivileged with drop ALL plus graftd's listed
# capabilities, hostPath types, /run/netns propagation, the example pod's
# read-only /run/graft and no /run/graftd, the conflists' JSON, pinned
# images), then that the linter rejects a broken copy of each rule;
# graftd -n on the ConfigMap's graftd.conf; kubectl's client-side dry run
# only where it runs without an API server.
. "$(dirname "$0")/../lib/common.sh"
DEP=$GRAFT_TOP/deploy/kubernetes
LINT=$GRAFT_TOP/tests/lib/k8s_lint.py

PY=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' 2>/dev/null; then
		PY=$p; break
	fi
done
if [ -z "$PY" ]; then
	skip "k8s manifests (python3 with PyYAML not installed: apt-get install python3-yaml)"
	exit 0
fi

"$PY" "$LINT" "$DEP" >"$T_TMP/out" 2>&1
rc=$?
check "the shipped manifests pass the linter" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/  /' "$T_TMP/out"

# lint_changed FILE PYTHON: deploy/kubernetes copied to $T_TMP/dep, FILE
# rewritten after PYTHON changed its documents (list `docs`), then the
# linter run on the copy (in the same python, for time): its output in
# $T_TMP/out, its exit status (3: the mutation itself failed).
# mutate NAME FILE PYTHON MESSAGE: such a copy must be rejected (exit 1)
# with a line containing MESSAGE.
lint_changed() {
	rm -rf "$T_TMP/dep" && cp -R "$DEP" "$T_TMP/dep" || return 3
	"$PY" - "$T_TMP/dep/$1" "$2" "$LINT" >"$T_TMP/out" 2>&1 <<'PYEOF'
import sys, yaml
path, code, lint = sys.argv[1], sys.argv[2], sys.argv[3]
docs = list(yaml.safe_load_all(open(path)))
def find(kind, name=None):
    return [d for d in docs if d and d.get("kind") == kind and
            (name is None or d["metadata"]["name"] == name)][0]
def podspec(d):
    return d["spec"]["template"]["spec"] if d["kind"] == "DaemonSet" else d["spec"]
def ctr(kind, name):
    s = podspec(find(kind))
    return [c for c in s.get("initContainers", []) + s["containers"] if c["name"] == name][0]
try:
    exec(code)
except Exception as e:
    print("mutation failed: %r" % e); sys.exit(3)
with open(path, "w") as f:
    yaml.safe_dump_all(docs, f)
sys.path.insert(0, lint.rsplit("/", 1)[0])
import k8s_lint
sys.exit(k8s_lint.main(["k8s_lint.py", path.rsplit("/", 1)[0]]))
PYEOF
}
mutate() {
	_name=$1 _msg=$4
	lint_changed "$2" "$3"
	_rc=$?
	if [ $_rc -eq 1 ] && grep -qF -- "$_msg" "$T_TMP/out"; then
		pass "rejects: $_name"
	else
		fail "rejects: $_name (exit $_rc)"; sed 's/^/  /' "$T_TMP/out"
	fi
}

# control: rewriting each file through the YAML dumper changes nothing the
# linter sees, so each rejection below is its mutation's
for f in "$DEP"/*.yaml; do
	f=${f##*/}
	lint_changed "$f" pass
	check "a rewritten copy of $f passes (control)" [ $? -eq 0 ]
done

G=graft.yaml P=example-pod.yaml
mutate "no metadata.name" $G \
    "find('ServiceAccount')['metadata'].pop('name')" "no metadata.name"
mutate "no apiVersion" $P "find('Pod').pop('apiVersion')" "no apiVersion"
mutate "an RBAC ClusterRole" $G \
    "docs.append({'apiVersion':'rbac.authorization.k8s.io/v1','kind':'ClusterRole','metadata':{'name':'x'}})" \
    "RBAC object"
mutate "graftd privileged" $G \
    "ctr('DaemonSet','graftd')['securityContext']['privileged'] = True" \
    "graftd: privileged must be false"
mutate "init container privileged" $G \
    "ctr('DaemonSet','install-cni')['securityContext'].pop('privileged')" \
    "install-cni: privileged must be false"
mutate "capabilities not dropped" $G \
    "ctr('DaemonSet','graftd')['securityContext']['capabilities']['drop'] = ['NET_RAW']" \
    "must drop ALL"
mutate "CAP_SYS_ADMIN added" $G \
    "ctr('DaemonSet','graftd')['securityContext']['capabilities']['add'].append('SYS_ADMIN')" \
    "beyond the listed ones: SYS_ADMIN"
mutate "a capability of graftd's left out" $G \
    "ctr('DaemonSet','graftd')['securityContext']['capabilities']['add'].remove('SYS_PTRACE')" \
    "graftd must add exactly"
mutate "a capability for the init container" $G \
    "ctr('DaemonSet','install-cni')['securityContext']['capabilities']['add'] = ['DAC_OVERRIDE']" \
    "beyond the listed ones: DAC_OVERRIDE"
mutate "no hostPID" $G "podspec(find('DaemonSet')).pop('hostPID')" "hostPID must be true"
mutate "no hostNetwork" $G "podspec(find('DaemonSet'))['hostNetwork'] = False" \
    "hostNetwork must be true"
mutate "hostPath without type" $G \
    "podspec(find('DaemonSet'))['volumes'][2]['hostPath'].pop('type')" "has no type"
mutate "netns without HostToContainer" $G \
    "[m.pop('mountPropagation') for m in ctr('DaemonSet','graftd')['volumeMounts'] if m['mountPath'] == '/run/netns']" \
    "mountPropagation HostToContainer"
mutate "no readiness probe" $G "ctr('DaemonSet','graftd').pop('readinessProbe')" \
    "readinessProbe must exec graftctl show"
mutate "image tag latest" $G "ctr('DaemonSet','graftd')['image'] = 'graft:latest'" \
    "tag latest"
mutate "image without tag" $P "ctr('Pod','httpd')['image'] = 'registry.example:5000/graft-httpd'" \
    "not pinned by tag"
mutate "pod mounts /run/graft writable" $P \
    "[m.__setitem__('readOnly', False) for m in ctr('Pod','httpd')['volumeMounts'] if m['mountPath'] == '/run/graft']" \
    "mounts /run/graft without readOnly"
mutate "pod mounts /run/graftd" $P \
    "find('Pod')['spec']['volumes'].append({'name':'ctl','hostPath':{'path':'/var/run/graftd','type':'Directory'}})" \
    "reaches graftd's control socket"
mutate "pod mounts /run (above /run/graftd)" $P \
    "find('Pod')['spec']['volumes'][0]['hostPath']['path'] = '/run'" \
    "hostPath /run reaches graftd's control socket"
mutate "pod without the request socket" $P \
    "find('Pod')['spec']['volumes'].pop(0)" "does not mount graftd's request socket"
mutate "graft.conf without rules broker" $P \
    "find('ConfigMap')['data']['graft.conf'] = 'broker /run/graft/graftd.sock\\ndns e0\\n'" \
    "rules broker"
for f in cni-chained.yaml cni-primary.yaml; do
	mutate "$f: conflist not JSON" $f \
	    "find('ConfigMap')['data']['graft.conflist'] += ','" "is not JSON"
	mutate "$f: portMappings false" $f \
	    "import json; d = find('ConfigMap')['data']; c = json.loads(d['graft.conflist']); c['plugins'][-1]['capabilities']['portMappings'] = False; d['graft.conflist'] = json.dumps(c)" \
	    "portMappings true"
	mutate "$f: no graft plugin" $f \
	    "import json; d = find('ConfigMap')['data']; c = json.loads(d['graft.conflist']); c['plugins'][-1]['type'] = 'portmap'; d['graft.conflist'] = json.dumps(c)" \
	    "exactly one plugin of type graft"
	mutate "$f: conf-name not .conflist" $f \
	    "find('ConfigMap')['data']['conf-name'] = '10-graft.conf'" "is not NAME.conflist"
done
mutate "portmap chained beside graft" cni-chained.yaml \
    "import json; d = find('ConfigMap')['data']; c = json.loads(d['graft.conflist']); c['plugins'].insert(1, {'type':'portmap','capabilities':{'portMappings':True}}); d['graft.conflist'] = json.dumps(c)" \
    "portmap and graft"
mutate "Containerfile FROM without tag" graft.yaml \
    "open(path.replace('graft.yaml', 'Containerfile'), 'a').write('FROM debian\\n')" \
    "debian not pinned by tag"

# the scripts the image runs
check "install-cni.sh parses (sh -n)" sh -n "$DEP/install-cni.sh"
check "graftd-entry.sh parses (sh -n)" sh -n "$DEP/graftd-entry.sh"

# graftd itself accepts the ConfigMap's graftd.conf
if [ -x "$GRAFT_BIN/graftd" ]; then
	"$PY" -c 'import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "ConfigMap" and d["metadata"]["name"] == "graftd-config":
        sys.stdout.write(d["data"]["graftd.conf"])' "$DEP/graft.yaml" >"$T_TMP/graftd.conf"
	check "graftd -n accepts graftd-config's graftd.conf" \
	    "$GRAFT_BIN/graftd" -n -f "$T_TMP/graftd.conf" >"$T_TMP/n.out" 2>&1
else
	skip "graftd -n on graftd-config (graftd not built)"
fi

# kubectl: a client-side dry run, if this kubectl can do one offline
if command -v kubectl >/dev/null 2>&1; then
	printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: none\n  cluster:\n    server: http://127.0.0.1:9\ncontexts:\n- name: none\n  context:\n    cluster: none\ncurrent-context: none\n' \
	    >"$T_TMP/kubeconfig"
	if KUBECONFIG=$T_TMP/kubeconfig timeout 30 kubectl apply --dry-run=client \
	    --validate=false -f "$DEP/graft.yaml" >"$T_TMP/kout" 2>&1; then
		for f in "$DEP"/*.yaml; do
			check "kubectl dry run: ${f##*/}" env KUBECONFIG="$T_TMP/kubeconfig" \
			    timeout 30 kubectl apply --dry-run=client --validate=false -f "$f"
		done
	else
		skip "kubectl apply --dry-run=client (needs an API server here: $(grep -o 'connect: [a-z ]*' "$T_TMP/kout" | head -n 1))"
	fi
else
	skip "kubectl apply --dry-run=client (no kubectl)"
fi
t_done
