#!/usr/bin/env python3
"""k8s_lint.py - structural checks of deploy/kubernetes/ (no API server).

    k8s_lint.py DIR

Reads every *.yaml in DIR and the Containerfile, prints one line per
problem ("k8s-lint: FILE: WHAT: problem") and exits 1 when there is any,
0 when there is none, 2 on a usage error or a file that does not parse as
YAML.  What is checked is the deployment rules of docs/kubernetes.md and
docs/security.md: see check_* below."""
import json
import os
import posixpath
import re
import sys

import yaml

# what graftd's container may add (src/graftd/priv.c and graft.yaml's notes)
GRAFTD_CAPS = {"SYS_PTRACE", "SETUID", "SETGID", "NET_BIND_SERVICE",
               "SETPCAP", "CHOWN"}
RBAC_KINDS = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}
CLUSTER_KINDS = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
NS = "graft-system"
problems = []


def bad(where, msg):
    problems.append("k8s-lint: %s: %s" % (where, msg))


def norm(path):
    """A host path as the node sees it: /var/run is a link to /run."""
    p = posixpath.normpath(path)
    if p == "/var/run" or p.startswith("/var/run/"):
        p = "/run" + p[len("/var/run"):]
    return p


def covers(outer, inner):
    """outer is inner or one of its ancestors."""
    outer, inner = norm(outer), norm(inner)
    return outer == "/" or inner == outer or inner.startswith(outer + "/")


def pod_spec(doc):
    kind = doc.get("kind")
    if kind == "Pod":
        return doc.get("spec") or {}
    if kind in ("DaemonSet", "Deployment", "StatefulSet", "Job"):
        return ((doc.get("spec") or {}).get("template") or {}).get("spec") or {}
    return None


def containers(spec):
    return (spec.get("initContainers") or []) + (spec.get("containers") or [])


def check_meta(where, doc):
    if not isinstance(doc, dict):
        bad(where, "not a mapping")
        return False
    ok = True
    for key in ("apiVersion", "kind"):
        if not isinstance(doc.get(key), str) or not doc.get(key):
            bad(where, "no %s" % key)
            ok = False
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) \
            or not meta.get("name"):
        bad(where, "no metadata.name")
        return False
    if doc.get("kind") not in CLUSTER_KINDS and not meta.get("namespace"):
        bad(where, "no metadata.namespace")
        ok = False
    if doc.get("kind") in RBAC_KINDS:
        bad(where, "RBAC object: graftd never talks to the API server")
        ok = False
    return ok


def check_image(where, image):
    if not isinstance(image, str) or not image:
        bad(where, "no image")
        return
    if "@sha256:" in image:
        return
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        bad(where, "image %s not pinned by tag" % image)
    elif last.rsplit(":", 1)[1] in ("", "latest"):
        bad(where, "image %s: tag latest is not a pin" % image)


def check_container(where, c, allowed):
    sc = c.get("securityContext") or {}
    if sc.get("privileged") is not False:
        bad(where, "privileged must be false")
    if sc.get("allowPrivilegeEscalation") is not False:
        bad(where, "allowPrivilegeEscalation must be false")
    caps = sc.get("capabilities") or {}
    if caps.get("drop") != ["ALL"]:
        bad(where, "capabilities must drop ALL")
    add = caps.get("add") or []
    extra = sorted(set(add) - allowed)
    if extra:
        bad(where, "capabilities added beyond the listed ones: %s" %
            " ".join(extra))
    check_image(where, c.get("image"))
    return set(add)


def host_paths(spec, where):
    paths = {}
    for v in spec.get("volumes") or []:
        hp = v.get("hostPath")
        if hp is None:
            continue
        if not hp.get("type"):
            bad(where, "hostPath volume %s has no type" % v.get("name"))
        paths[v.get("name")] = hp.get("path") or ""
    return paths


def check_daemonset(where, doc):
    spec = pod_spec(doc)
    if spec.get("hostNetwork") is not True:
        bad(where, "hostNetwork must be true (graftd's sockets are the node's)")
    if spec.get("hostPID") is not True:
        bad(where, "hostPID must be true (SO_PEERCRED pids of pods)")
    if spec.get("hostIPC"):
        bad(where, "hostIPC is not needed")
    if spec.get("automountServiceAccountToken") is not False:
        bad(where, "automountServiceAccountToken must be false")
    hp = host_paths(spec, where)
    graftd = None
    for c in containers(spec):
        cw = "%s container %s" % (where, c.get("name"))
        is_init = c in (spec.get("initContainers") or [])
        added = check_container(cw, c, set() if is_init else GRAFTD_CAPS)
        if c.get("name") == "graftd":
            graftd = c
            if added != GRAFTD_CAPS:
                bad(cw, "graftd must add exactly %s" %
                    " ".join(sorted(GRAFTD_CAPS)))
    if graftd is None:
        bad(where, "no container named graftd")
        return
    mounts = {m.get("mountPath"): m for m in graftd.get("volumeMounts") or []}
    for path in ("/run/graft", "/run/graftd", "/run/netns"):
        m = mounts.get(path)
        if m is None or norm(hp.get(m.get("name"), "")) != path:
            bad(where, "graftd does not mount hostPath %s at %s" % (path, path))
        elif path == "/run/netns" and \
                m.get("mountPropagation") != "HostToContainer":
            bad(where, "/run/netns needs mountPropagation HostToContainer")
    probe = ((graftd.get("readinessProbe") or {}).get("exec") or {}) \
        .get("command") or []
    if not probe or not probe[0].endswith("graftctl") or "show" not in probe:
        bad(where, "readinessProbe must exec graftctl show")


def check_app_pod(where, doc):
    spec = pod_spec(doc)
    hp = host_paths(spec, where)
    for name, path in hp.items():
        if covers(path, "/run/graftd") or covers("/run/graftd", path):
            bad(where, "hostPath %s reaches graftd's control socket" % path)
    sock_vols = {n for n, p in hp.items() if norm(p) == "/run/graft"}
    for c in containers(spec):
        cw = "%s container %s" % (where, c.get("name"))
        check_container(cw, c, set())
        for m in c.get("volumeMounts") or []:
            if m.get("name") in sock_vols and m.get("readOnly") is not True:
                bad(cw, "mounts /run/graft without readOnly: true")
        for p in c.get("ports") or []:
            if p.get("hostPort") and not p.get("containerPort"):
                bad(cw, "hostPort %s without containerPort" % p["hostPort"])
    if not sock_vols:
        bad(where, "does not mount graftd's request socket directory /run/graft")


def check_conflist(where, data):
    name = data.get("conf-name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*\.conflist", name):
        bad(where, "conf-name %r is not NAME.conflist" % (name,))
    try:
        conf = json.loads(data.get("graft.conflist") or "")
    except ValueError as e:
        bad(where, "graft.conflist is not JSON: %s" % e)
        return
    if not isinstance(conf, dict) or not conf.get("name") or \
            not conf.get("cniVersion"):
        bad(where, "graft.conflist needs name and cniVersion")
        return
    plugins = conf.get("plugins")
    if not isinstance(plugins, list) or not plugins:
        bad(where, "graft.conflist has no plugins list")
        return
    graft = [p for p in plugins if isinstance(p, dict) and p.get("type") == "graft"]
    if len(graft) != 1:
        bad(where, "graft.conflist needs exactly one plugin of type graft")
        return
    if plugins[-1] is not graft[0]:
        bad(where, "graft must come last in the chain (after the primary)")
    if ((graft[0].get("capabilities") or {}).get("portMappings")) is not True:
        bad(where, "the graft plugin needs capabilities.portMappings true")
    if any(isinstance(p, dict) and p.get("type") == "portmap" for p in plugins):
        bad(where, "portmap and graft would both take the hostPorts")


def check_graft_conf(where, text):
    lines = [l.split("#", 1)[0].split() for l in text.splitlines()]
    lines = [l for l in lines if l]
    if ["broker", "/run/graft/graftd.sock"] not in lines:
        bad(where, "graft.conf must say broker /run/graft/graftd.sock")
    if ["rules", "broker"] not in lines:
        bad(where, "graft.conf must say rules broker")
    if not any(l[0] == "dns" and len(l) == 2 for l in lines):
        bad(where, "graft.conf has no dns line (cluster DNS)")


def check_containerfile(path):
    seen = False
    with open(path) as f:
        for n, line in enumerate(f, 1):
            w = line.split()
            if w and w[0].upper() == "FROM":
                seen = True
                check_image("%s:%d" % (os.path.basename(path), n),
                            [x for x in w[1:] if not x.startswith("--")][0])
    if not seen:
        bad(os.path.basename(path), "no FROM line")


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        print("usage: k8s_lint.py DIR", file=sys.stderr)
        return 2
    d = argv[1]
    files = sorted(f for f in os.listdir(d) if f.endswith(".yaml"))
    if not files:
        print("k8s-lint: %s: no *.yaml" % d, file=sys.stderr)
        return 2
    kinds = {}
    for f in files:
        try:
            with open(os.path.join(d, f)) as fh:
                docs = list(yaml.safe_load_all(fh))
        except yaml.YAMLError as e:
            print("k8s-lint: %s: not YAML: %s" % (f, e), file=sys.stderr)
            return 2
        for i, doc in enumerate(docs):
            if doc is None:
                continue
            where = "%s doc %d" % (f, i + 1)
            if not check_meta(where, doc):
                continue
            where = "%s %s/%s" % (f, doc["kind"], doc["metadata"]["name"])
            kinds.setdefault(doc["kind"], []).append(doc)
            kind = doc["kind"]
            data = doc.get("data") or {}
            if kind == "DaemonSet":
                check_daemonset(where, doc)
            elif pod_spec(doc) is not None:
                check_app_pod(where, doc)
            elif kind == "ServiceAccount" and \
                    doc.get("automountServiceAccountToken") is not False:
                bad(where, "automountServiceAccountToken must be false")
            elif kind == "ConfigMap" and "graft.conflist" in data:
                check_conflist(where, data)
            elif kind == "ConfigMap" and "graft.conf" in data:
                check_graft_conf(where, data["graft.conf"])
            elif kind == "Namespace" and doc["metadata"]["name"] == NS:
                labels = doc["metadata"].get("labels") or {}
                if "pod-security.kubernetes.io/enforce" not in labels:
                    bad(where, "no PodSecurity enforce label")
    for k in ("Namespace", "ServiceAccount", "DaemonSet", "Pod"):
        if k not in kinds:
            bad(d, "no %s in the manifests" % k)
    cf = os.path.join(d, "Containerfile")
    if os.path.exists(cf):
        check_containerfile(cf)
    else:
        bad(d, "no Containerfile")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
