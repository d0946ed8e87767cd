#!/usr/bin/env python3
"""Renders a kustomization without kubectl: the subset of kustomize that
deploy/kubernetes/kustomization.yaml and the overlays scripts/deploy.sh writes
use, with kustomize's own results (tests/deploy/validate.sh compares this
output with `kubectl kustomize` whenever kubectl is installed).

Supported, as kustomize v5 does them:
  resources            files (one or more YAML documents) and directories holding
                       a kustomization.yaml (rendered first, recursively)
  namespace            set on every namespaced resource; a Namespace resource is
                       renamed to it
  configMapGenerator   `files` (KEY=PATH or PATH) and `literals`, `options.labels`,
                       `options.annotations`, `options.disableNameSuffixHash`; the
                       name gets kustomize's content hash and references to it in
                       workloads' volumes, envFrom and env valueFrom are renamed
  images               name -> newName / newTag / digest, in containers and
                       initContainers of pod templates
  patches              inline JSON 6902 operations (add, replace, remove) with a
                       target (kind, name), and the strategic-merge form
                       `$patch: delete` that removes a resource
  generatorOptions     disableNameSuffixHash, labels, annotations
Anything else in a kustomization is refused with a message naming it, so this
never prints something kubectl would render differently without saying so.

usage: kustomize-render.py DIR     (prints the multi-document YAML on stdout)
"""
import copy
import hashlib
import json
import os
import sys

import yaml

SUPPORTED = {"apiVersion", "kind", "namespace", "resources", "configMapGenerator", "images",
             "patches", "generatorOptions"}

# kustomize's "legacy" output order (api/resid/gvk.go): these kinds first, in this
# order, then every other kind, then the webhooks; ties by kind, then name.
ORDER_FIRST = ["Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
               "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
               "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
               "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment",
               "StatefulSet", "CronJob", "PodDisruptionBudget"]
ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]

# Kinds without a namespace (the ones a Weir deployment could meet).
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
                  "StorageClass", "PersistentVolume", "PriorityClass", "IngressClass",
                  "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
                  "APIService", "PodSecurityPolicy", "RuntimeClass", "CSIDriver", "Node"}

WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod"}


class RenderError(Exception):
    pass


def go_json(value):
    """json.Marshal's bytes for maps of strings (sorted keys, no spaces, <>& and
    U+2028/U+2029 escaped as Go does)."""
    s = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(ch, esc)
    return s


def name_hash(configmap):
    """kustomize's name suffix for a generated ConfigMap (api/hasher/hasher.go):
    sha256 of {"data","kind","name"[,"binaryData"]} as Go's JSON, first 10 hex
    digits, with 0 1 3 a e mapped to g h k m t. The "name" kustomize hashes is
    empty (its lookup of "metadata/name" finds nothing), so two generators with
    the same data get the same suffix; measured against kubectl kustomize v5.5."""
    m = {"kind": "ConfigMap", "name": "", "data": configmap.get("data", {})}
    if configmap.get("binaryData"):
        m["binaryData"] = configmap["binaryData"]
    digest = hashlib.sha256(go_json(m).encode("utf-8")).hexdigest()[:10]
    return digest.translate(str.maketrans("013ae", "ghkmt"))


def load_yaml_docs(path):
    with open(path, encoding="utf-8") as f:
        try:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        except yaml.YAMLError as e:
            raise RenderError(f"{path}: not valid YAML: {e}")
    for d in docs:
        if not isinstance(d, dict) or "kind" not in d or "metadata" not in d:
            raise RenderError(f"{path}: every document must be a Kubernetes object with kind and metadata")
    return docs


def find_kustomization(directory):
    for name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        p = os.path.join(directory, name)
        if os.path.isfile(p):
            return p
    raise RenderError(f"{directory}: no kustomization.yaml")


def inside(root, path):
    root = os.path.realpath(root)
    real = os.path.realpath(path)
    return real == root or real.startswith(root + os.sep)


def generate_configmap(spec, directory, options):
    name = spec.get("name")
    if not name:
        raise RenderError(f"{directory}: a configMapGenerator entry has no name")
    unknown = set(spec) - {"name", "files", "literals", "options", "behavior", "namespace"}
    if unknown or spec.get("behavior", "create") != "create":
        raise RenderError(f"{directory}: configMapGenerator {name}: unsupported fields {sorted(unknown) or ['behavior']}")
    data = {}
    for entry in spec.get("files", []):
        key, _, rel = entry.partition("=") if "=" in entry else (os.path.basename(entry), "", entry)
        path = os.path.join(directory, rel)
        # kustomize's default load restrictor: files must be in or below the kustomization's directory
        if not inside(directory, path):
            raise RenderError(f"{directory}: configMapGenerator {name}: {rel} is not in or below {directory}")
        if key in data:
            raise RenderError(f"{directory}: configMapGenerator {name}: key {key} twice")
        with open(path, encoding="utf-8") as f:
            data[key] = f.read()
    for lit in spec.get("literals", []):
        key, sep, value = lit.partition("=")
        if not sep:
            raise RenderError(f"{directory}: configMapGenerator {name}: literal {lit!r} is not KEY=VALUE")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        data[key] = value
    opts = dict(options or {})
    opts.update(spec.get("options") or {})
    unknown = set(opts) - {"labels", "annotations", "disableNameSuffixHash"}
    if unknown:
        raise RenderError(f"{directory}: configMapGenerator {name}: unsupported options {sorted(unknown)}")
    metadata = {"name": name}
    if opts.get("labels"):
        metadata["labels"] = dict(opts["labels"])
    if opts.get("annotations"):
        metadata["annotations"] = dict(opts["annotations"])
    if spec.get("namespace"):
        metadata["namespace"] = spec["namespace"]
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}
    hashed = not opts.get("disableNameSuffixHash", False)
    return cm, hashed


def pod_spec(obj):
    spec = obj.get("spec") or {}
    if obj["kind"] == "Pod":
        return spec
    if obj["kind"] == "CronJob":
        return (((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec")
    return (spec.get("template") or {}).get("spec")


def rename_configmap_refs(objects, old, new):
    for obj in objects:
        if obj["kind"] not in WORKLOADS | {"CronJob"}:
            continue
        ps = pod_spec(obj)
        if not ps:
            continue
        for vol in ps.get("volumes", []) or []:
            if (vol.get("configMap") or {}).get("name") == old:
                vol["configMap"]["name"] = new
            for src in ((vol.get("projected") or {}).get("sources") or []):
                if (src.get("configMap") or {}).get("name") == old:
                    src["configMap"]["name"] = new
        for c in (ps.get("containers") or []) + (ps.get("initContainers") or []):
            for ef in c.get("envFrom", []) or []:
                if (ef.get("configMapRef") or {}).get("name") == old:
                    ef["configMapRef"]["name"] = new
            for e in c.get("env", []) or []:
                ref = (e.get("valueFrom") or {}).get("configMapKeyRef")
                if ref and ref.get("name") == old:
                    ref["name"] = new


def set_images(objects, images):
    for obj in objects:
        ps = pod_spec(obj) if obj["kind"] in WORKLOADS | {"CronJob"} else None
        if not ps:
            continue
        for c in (ps.get("containers") or []) + (ps.get("initContainers") or []):
            image = c.get("image", "")
            base, tag, digest = split_image(image)
            for im in images:
                if im.get("name") != base:
                    continue
                unknown = set(im) - {"name", "newName", "newTag", "digest"}
                if unknown:
                    raise RenderError(f"images: unsupported fields {sorted(unknown)}")
                base = im.get("newName", base)
                if "digest" in im:
                    tag, digest = None, im["digest"]
                elif "newTag" in im:
                    tag, digest = im["newTag"], None
                c["image"] = base + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")
                break


def split_image(image):
    digest = None
    if "@" in image:
        image, digest = image.split("@", 1)
    tag = None
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        image, tag = image[:colon], image[colon + 1:]
    return image, tag, digest


def json_pointer(path):
    if not path.startswith("/"):
        raise RenderError(f"patch path {path!r} must start with /")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def apply_json6902(obj, ops, where):
    for op in ops:
        kind, path = op.get("op"), json_pointer(op.get("path", ""))
        parent = obj
        for part in path[:-1]:
            if isinstance(parent, list):
                parent = parent[int(part)]
            elif part in parent:
                parent = parent[part]
            else:
                raise RenderError(f"{where}: path {op['path']} does not exist")
        last = path[-1]
        if kind in ("add", "replace"):
            if isinstance(parent, list):
                if last == "-":
                    parent.append(copy.deepcopy(op["value"]))
                elif kind == "add":
                    parent.insert(int(last), copy.deepcopy(op["value"]))
                else:
                    parent[int(last)] = copy.deepcopy(op["value"])
            else:
                if kind == "replace" and last not in parent:
                    raise RenderError(f"{where}: replace of {op['path']}, which does not exist")
                parent[last] = copy.deepcopy(op["value"])
        elif kind == "remove":
            if isinstance(parent, list):
                del parent[int(last)]
            elif last in parent:
                del parent[last]
            else:
                raise RenderError(f"{where}: remove of {op['path']}, which does not exist")
        else:
            raise RenderError(f"{where}: unsupported JSON patch op {kind!r}")


def matches(obj, target):
    unknown = set(target) - {"kind", "name", "namespace", "group", "version"}
    if unknown:
        raise RenderError(f"patch target: unsupported fields {sorted(unknown)}")
    if "kind" in target and obj["kind"] != target["kind"]:
        return False
    if "name" in target and obj["metadata"].get("name") != target["name"]:
        return False
    if "namespace" in target and obj["metadata"].get("namespace") != target["namespace"]:
        return False
    return True


def apply_patches(objects, patches, directory):
    for i, p in enumerate(patches):
        where = f"{directory}: patches[{i}]"
        unknown = set(p) - {"patch", "target"}
        if unknown or "patch" not in p:
            raise RenderError(f"{where}: only inline patches (patch:, target:) are supported")
        body = yaml.safe_load(p["patch"])
        target = p.get("target") or {}
        if isinstance(body, list):                       # JSON 6902
            if not target:
                raise RenderError(f"{where}: a JSON 6902 patch needs a target")
            hit = [o for o in objects if matches(o, target)]
            if not hit:
                raise RenderError(f"{where}: no resource matches the target {target}")
            for o in hit:
                apply_json6902(o, body, where)
        elif isinstance(body, dict) and body.get("$patch") == "delete":
            # With a target, kustomize deletes every resource the target selects
            # (the patch's own name is not compared); without one, the patch's kind and name.
            if target:
                sel = dict(target)
            else:
                sel = {"kind": body.get("kind"), "name": (body.get("metadata") or {}).get("name")}
            sel = {k: v for k, v in sel.items() if v is not None}
            before = len(objects)
            objects[:] = [o for o in objects if not matches(o, sel)]
            if len(objects) == before:
                raise RenderError(f"{where}: no resource matches {sel} to delete")
        else:
            raise RenderError(f"{where}: only JSON 6902 patches and `$patch: delete` are supported")


def render(directory):
    directory = os.path.abspath(directory)
    kpath = find_kustomization(directory)
    with open(kpath, encoding="utf-8") as f:
        k = yaml.safe_load(f) or {}
    unknown = set(k) - SUPPORTED
    if unknown:
        raise RenderError(f"{kpath}: unsupported fields {sorted(unknown)} (use kubectl kustomize)")
    objects = []
    for res in k.get("resources", []) or []:
        path = os.path.normpath(os.path.join(directory, res))
        if os.path.isdir(path):
            objects.extend(render(path))
        elif os.path.isfile(path):
            if not inside(directory, path):
                raise RenderError(f"{kpath}: resource file {res} is not in or below {directory}")
            objects.extend(load_yaml_docs(path))
        else:
            raise RenderError(f"{kpath}: resource {res} does not exist")
    gen_opts = k.get("generatorOptions") or {}
    renames = []
    for spec in k.get("configMapGenerator", []) or []:
        cm, hashed = generate_configmap(spec, directory, gen_opts)
        if hashed:
            old = cm["metadata"]["name"]
            new = f"{old}-{name_hash(cm)}"
            cm["metadata"]["name"] = new
            renames.append((old, new))
        objects.append(cm)
    for old, new in renames:
        rename_configmap_refs(objects, old, new)
    # kustomize's order of built-in transformers: patches, then namespace, then images.
    if k.get("patches"):
        apply_patches(objects, k["patches"], directory)
    ns = k.get("namespace")
    if ns:
        for o in objects:
            if o["kind"] == "Namespace":
                o["metadata"]["name"] = ns
            elif o["kind"] not in CLUSTER_SCOPED:
                o["metadata"]["namespace"] = ns
    if k.get("images"):
        set_images(objects, k["images"])
    seen = set()
    for o in objects:
        ident = (o["kind"], o["metadata"].get("namespace"), o["metadata"].get("name"))
        if ident in seen:
            raise RenderError(f"{kpath}: {ident[0]} {ident[2]} is defined twice")
        seen.add(ident)
    return objects


def order_key(o):
    kind = o["kind"]
    if kind in ORDER_FIRST:
        rank = (0, ORDER_FIRST.index(kind), "")
    elif kind in ORDER_LAST:
        rank = (2, ORDER_LAST.index(kind), "")
    else:
        rank = (1, 0, kind)
    return rank + (o["metadata"].get("namespace") or "", o["metadata"].get("name") or "")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    try:
        objects = render(sys.argv[1])
    except (RenderError, OSError) as e:
        print(f"kustomize-render: error: {e}", file=sys.stderr)
        return 1
    objects.sort(key=order_key)
    sys.stdout.write(yaml.safe_dump_all(objects, sort_keys=True, default_flow_style=False, width=1 << 20))
    return 0


if __name__ == "__main__":
    sys.exit(main())
