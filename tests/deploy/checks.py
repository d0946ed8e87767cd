#!/usr/bin/env python3
"""The static checks of tests/deploy/validate.sh that need more than a shell:
each prints `ok: ...` or `FAIL: ...` lines (and `WARN: ...` for known, reported
gaps) and exits 1 if any failed.

  checks.py k8s RENDERED.yaml NAMESPACE      the rendered manifests, as Weir needs them
  checks.py compose                          docker-compose.yml and what it mounts
  checks.py dockerfile WEIR_BINARY           Dockerfile: packages vs `ldd`, user, command, ...
  checks.py split RENDERED.yaml BUILTIN.yaml CRDS.yaml   built-in kinds / custom resources

Run from the repository root (validate.sh does), or with WEIR_DEPLOY_ROOT set.
"""
import json
import os
import re
import subprocess
import sys

import yaml

ROOT = os.environ.get("WEIR_DEPLOY_ROOT") or os.getcwd()
FAILED = []
PART_OF = ("app.kubernetes.io/part-of", "weir")


def ok(msg):
    print(f"  ok: {msg}")


def fail(msg):
    print(f"  FAIL: {msg}")
    FAILED.append(msg)


def warn(msg):
    print(f"  WARN: {msg}")


def check(cond, good, bad):
    if cond:
        ok(good)
    else:
        fail(bad)
    return cond


def path(*parts):
    return os.path.join(ROOT, *parts)


def duration_s(text):
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*", str(text))
    if not m:
        raise ValueError(f"not a duration: {text!r}")
    v, unit = float(m.group(1)), m.group(2) or "s"
    return v * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def documented_env():
    text = open(path("docs", "configuration.md"), encoding="utf-8").read()
    names = set(re.findall(r"`(WEIR_[A-Z0-9_]+)`", text)) | set(re.findall(r"\b(WEIR_[A-Z0-9_]+)\b", text))
    return names


def env_supported(name, documented):
    if name in documented:
        return True
    return name.startswith("WEIR_KAFKA_PROPERTY_") and re.fullmatch(r"WEIR_KAFKA_PROPERTY_[A-Z0-9_]+", name) is not None


def check_env_names(names, where):
    documented = documented_env()
    for name in sorted(names):
        if env_supported(name, documented):
            ok(f"{where}: {name} is a variable Weir reads (docs/configuration.md)")
        else:
            fail(f"{where}: {name} is not a variable Weir reads (not in docs/configuration.md)")


# --- Kubernetes ----------------------------------------------------------------

MIDDLEWARE_SCHEMA = {
    # Traefik's Middleware CRD (traefik.io/v1alpha1) as far as this deployment uses
    # it: kubernetes-validate has no schemas for custom resources.
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "traefik.io/v1alpha1"},
        "kind": {"const": "Middleware"},
        "metadata": {
            "type": "object", "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63},
                "namespace": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
        "spec": {
            "type": "object", "minProperties": 1, "maxProperties": 1,
            "properties": {
                "stripPrefix": {
                    "type": "object", "required": ["prefixes"], "additionalProperties": False,
                    "properties": {
                        "prefixes": {"type": "array", "minItems": 1,
                                     "items": {"type": "string", "pattern": "^/"}},
                        "forceSlash": {"type": "boolean"},
                    },
                },
            },
            "additionalProperties": False,
        },
    },
}


def load_docs(p):
    with open(p, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def split(rendered, builtin_out, crd_out):
    docs = load_docs(rendered)
    builtin = [d for d in docs if "." not in d["apiVersion"].split("/")[0] or d["apiVersion"].split("/")[0].endswith(".k8s.io")]
    crds = [d for d in docs if d not in builtin]
    with open(builtin_out, "w") as f:
        yaml.safe_dump_all(builtin, f, sort_keys=False)
    with open(crd_out, "w") as f:
        yaml.safe_dump_all(crds, f, sort_keys=False)
    print(f"  {len(builtin)} built-in resources ({', '.join(sorted({d['kind'] for d in builtin}))}), "
          f"{len(crds)} custom ({', '.join(sorted({d['kind'] for d in crds})) or '-'})")


def by_kind(docs, kind):
    return [d for d in docs if d["kind"] == kind]


def one(docs, kind, name=None):
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    return found[0] if len(found) == 1 else None


def k8s(rendered, ns):
    import jsonschema
    docs = load_docs(rendered)
    print(f"  {len(docs)} resources for namespace {ns}")

    # Every resource carries the label cleanup deletes by, and sits in the namespace.
    unlabelled = [f"{d['kind']}/{d['metadata']['name']}" for d in docs
                  if (d["metadata"].get("labels") or {}).get(PART_OF[0]) != PART_OF[1]]
    check(not unlabelled, f"every resource is labelled {PART_OF[0]}={PART_OF[1]} (deploy.sh cleanup deletes by it)",
          f"resources without {PART_OF[0]}={PART_OF[1]}: {unlabelled}")
    wrong_ns = [f"{d['kind']}/{d['metadata']['name']}" for d in docs
                if d["kind"] != "Namespace" and d["metadata"].get("namespace") != ns]
    check(not wrong_ns, f"every namespaced resource is in {ns}", f"resources outside {ns}: {wrong_ns}")
    nss = by_kind(docs, "Namespace")
    if nss:
        check(all(n["metadata"]["name"] == ns for n in nss), f"the Namespace is {ns}", f"Namespace names {[n['metadata']['name'] for n in nss]}")

    # Custom resources: the Middleware against its schema.
    for d in docs:
        if d["kind"] == "Middleware":
            try:
                jsonschema.validate(d, MIDDLEWARE_SCHEMA)
                ok(f"Middleware/{d['metadata']['name']} matches Traefik's stripPrefix Middleware (traefik.io/v1alpha1)")
            except jsonschema.ValidationError as e:
                fail(f"Middleware/{d['metadata']['name']}: {e.message} at {list(e.absolute_path)}")
        elif "." in d["apiVersion"].split("/")[0] and not d["apiVersion"].split("/")[0].endswith(".k8s.io"):
            fail(f"{d['kind']}/{d['metadata']['name']} ({d['apiVersion']}): a custom resource no check covers")

    sts = one(docs, "StatefulSet", "weir")
    if not check(sts is not None, "one StatefulSet weir", "no StatefulSet weir"):
        return
    spec, tpl = sts["spec"], sts["spec"]["template"]
    pod = tpl["spec"]
    containers = pod["containers"]
    c = next((x for x in containers if x["name"] == "weir"), containers[0])
    env = {e["name"]: e for e in c.get("env", [])}
    pod_labels = tpl["metadata"].get("labels") or {}

    check(spec.get("replicas") == 2, "2 replicas", f"replicas is {spec.get('replicas')}, not 2")
    check(set(spec["selector"]["matchLabels"].items()) <= set(pod_labels.items()),
          "the selector matches the pod template's labels", "the StatefulSet's selector does not match its pods")
    iid = env.get("WEIR_INSTANCE_ID", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
    check(iid == "metadata.name", "WEIR_INSTANCE_ID is the pod's name (fieldRef metadata.name): stable transactional ids",
          f"WEIR_INSTANCE_ID is not from metadata.name ({env.get('WEIR_INSTANCE_ID')})")

    # The service config in the ConfigMap the pod mounts.
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
    args = c.get("args") or []
    cfg_path = args[args.index("--config") + 1] if "--config" in args else None
    pipes_path = args[args.index("--pipelines") + 1] if "--pipelines" in args else None
    check(args[:1] == ["serve"], "the container runs weir serve", f"container args {args}")
    config = {}
    cm_names = {d["metadata"]["name"]: d for d in by_kind(docs, "ConfigMap")}
    m = mounts.get(cfg_path)
    if check(m is not None and "configMap" in vols.get(m["name"], {}), f"{cfg_path} is mounted from a ConfigMap",
             f"--config {cfg_path} is not a mounted ConfigMap"):
        cm = cm_names.get(vols[m["name"]]["configMap"]["name"])
        if check(cm is not None, f"ConfigMap {vols[m['name']]['configMap']['name']} exists",
                 f"the config volume names a ConfigMap that is not rendered: {vols[m['name']]['configMap']['name']}"):
            key = m.get("subPath") or os.path.basename(cfg_path)
            if check(key in cm.get("data", {}), f"the ConfigMap has {key}", f"the ConfigMap has no key {key}"):
                config = yaml.safe_load(cm["data"][key]) or {}
    m = mounts.get(pipes_path)
    if check(m is not None and "configMap" in vols.get(m["name"], {}), f"{pipes_path} is mounted from a ConfigMap",
             f"--pipelines {pipes_path} is not a mounted ConfigMap"):
        cm = cm_names.get(vols[m["name"]]["configMap"]["name"])
        if check(cm is not None, "the pipelines ConfigMap exists", "the pipelines volume names a missing ConfigMap"):
            repo = open(path("pipelines", "clicks-per-user.yaml"), encoding="utf-8").read()
            check(cm["data"].get("clicks-per-user.yaml") == repo,
                  "the pipelines ConfigMap holds pipelines/clicks-per-user.yaml unchanged",
                  "the pipelines ConfigMap's clicks-per-user.yaml differs from pipelines/clicks-per-user.yaml "
                  "(copy it to deploy/kubernetes/pipelines/)")

    par = env.get("WEIR_PARALLELISM", {}).get("value", config.get("parallelism", 2))
    check(str(par) == "2", "parallelism 2 per replica (WEIR_PARALLELISM)", f"parallelism is {par}, not 2")
    if "WEIR_PARALLELISM" in env and "parallelism" in config:
        check(str(config["parallelism"]) == str(env["WEIR_PARALLELISM"].get("value")),
              "the ConfigMap's parallelism agrees with WEIR_PARALLELISM",
              f"parallelism {config['parallelism']} in the ConfigMap, {env['WEIR_PARALLELISM'].get('value')} in the env")

    shutdown = duration_s((config.get("shutdown") or {}).get("timeout", "30s"))
    grace = pod.get("terminationGracePeriodSeconds", 30)
    check(grace > shutdown, f"terminationGracePeriodSeconds {grace} > shutdown.timeout {shutdown:g} s",
          f"terminationGracePeriodSeconds {grace} is not above shutdown.timeout {shutdown:g} s: SIGKILL would cut the last checkpoint")

    rest_port = (config.get("rest") or {}).get("port", 8081)
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    check(ports.get("http") == rest_port, f"container port http = rest.port {rest_port}",
          f"container port http {ports.get('http')} is not rest.port {rest_port}")

    def probe_ok(name, want):
        p = c.get(name) or {}
        g = p.get("httpGet") or {}
        port = g.get("port")
        port_ok = port == "http" or port == rest_port
        return check(g.get("path") == want and port_ok, f"{name}: GET {want} on the REST port",
                     f"{name} is {p or 'missing'}, not GET {want} on port http/{rest_port}")
    probe_ok("livenessProbe", "/healthz")
    probe_ok("readinessProbe", "/readyz")
    if c.get("startupProbe"):
        probe_ok("startupProbe", "/healthz")

    ann = tpl["metadata"].get("annotations") or {}
    check(ann.get("prometheus.io/scrape") == "true" and str(ann.get("prometheus.io/port")) == str(rest_port)
          and ann.get("prometheus.io/path", "/metrics") == "/metrics",
          "Prometheus scrape annotations: /metrics on the REST port", f"scrape annotations are {ann}")

    res = c.get("resources") or {}
    req, lim = res.get("requests") or {}, res.get("limits") or {}

    def mem(v):
        m_ = re.fullmatch(r"(\d+)(Ki|Mi|Gi)?", str(v))
        return int(m_.group(1)) * {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, None: 1}[m_.group(2)]

    def cpu(v):
        v = str(v)
        return int(v[:-1]) / 1000 if v.endswith("m") else float(v)
    if check(all(k in req and k in lim for k in ("cpu", "memory")), "resource requests and limits set (cpu, memory)",
             f"resources incomplete: {res}"):
        check(mem(req["memory"]) <= mem(lim["memory"]) and cpu(req["cpu"]) <= cpu(lim["cpu"]),
              "requests are within limits", f"a request exceeds its limit: {res}")
        # docs/deployment.md: weir serve peaked at 162 MiB catching up a backlog.
        check(mem(req["memory"]) >= 162 << 20, "the memory request covers the measured peak (162 MiB)",
              f"the memory request {req['memory']} is below the measured peak of 162 MiB (docs/deployment.md)")

    sc = c.get("securityContext") or {}
    psc = pod.get("securityContext") or {}
    check(psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 10001,
          "runs as non-root uid 10001 (the image's user)", f"pod securityContext {psc}")
    if sc.get("readOnlyRootFilesystem"):
        writable = [p for p, mm in mounts.items() if not mm.get("readOnly")]
        need = [p for p in ("/tmp", (config.get("dataDir") or "")) if p]
        check(all(any(n == w or n.startswith(w.rstrip("/") + "/") for w in writable) for n in need),
              f"read-only root: {need} are writable mounts", f"read-only root without writable {need} (mounts {writable})")

    # Secrets: referenced from the Secret, never written into a ConfigMap.
    secret = one(docs, "Secret", "weir-credentials")
    refs = [(n, e["valueFrom"]["secretKeyRef"]) for n, e in env.items() if "secretKeyRef" in (e.get("valueFrom") or {})]
    check(any(n == "WEIR_REST_TOKEN" for n, _ in refs), "WEIR_REST_TOKEN comes from the Secret (secretKeyRef)",
          "WEIR_REST_TOKEN is not read from the Secret")
    check(any(n == "WEIR_KAFKA_PROPERTY_SASL_PASSWORD" for n, _ in refs),
          "the SASL password comes from the Secret (WEIR_KAFKA_PROPERTY_SASL_PASSWORD)", "no SASL password from the Secret")
    for n, r in refs:
        keys = set((secret or {}).get("stringData", {}) or {}) | set((secret or {}).get("data", {}) or {})
        if r.get("name") == "weir-credentials" and secret is not None:
            check(r.get("key") in keys, f"{n} <- weir-credentials/{r.get('key')}", f"{n} names key {r.get('key')}, not in the Secret")
        elif secret is None:
            warn(f"{n} <- {r.get('name')}/{r.get('key')}: the Secret is not in these manifests (an existing one is kept)")
    values = [v for v in ((secret or {}).get("stringData") or {}).values() if v]
    leaks = []
    for cm in by_kind(docs, "ConfigMap"):
        for k, text in (cm.get("data") or {}).items():
            leaks += [f"{cm['metadata']['name']}/{k} contains a Secret value" for v in values if v in text]
            try:
                conf = yaml.safe_load(text) or {}
            except yaml.YAMLError:
                continue
            if not isinstance(conf, dict):
                continue
            props = ((conf.get("kafka") or {}).get("properties") or {})
            leaks += [f"{cm['metadata']['name']}/{k}: kafka.properties.{p}" for p in props
                      if re.search(r"password|secret|sasl\.username|sasl\.oauthbearer", p)]
            sr = conf.get("schemaRegistry") or {}
            leaks += [f"{cm['metadata']['name']}/{k}: schemaRegistry.{p}" for p in ("username", "password") if p in sr]
            if (conf.get("rest") or {}).get("token"):
                leaks += [f"{cm['metadata']['name']}/{k}: rest.token"]
    check(not leaks, "no credential in any ConfigMap (they come from the Secret)", f"credentials in ConfigMaps: {leaks}")
    for e in c.get("envFrom", []) or []:
        if "configMapRef" in e:
            fail("envFrom a ConfigMap: variables that could carry credentials; use the Secret")
    check_env_names({n for n in env if n.startswith("WEIR_")}, "StatefulSet env")

    # Services, PDB, Ingress.
    svc = one(docs, "Service", "weir")
    if check(svc is not None, "Service weir", "no Service weir"):
        check(set(svc["spec"]["selector"].items()) <= set(pod_labels.items()), "Service weir selects the pods",
              "Service weir's selector matches no pod")
        sp = {p["name"]: p for p in svc["spec"]["ports"]}
        check("http" in sp and sp["http"]["port"] == rest_port and sp["http"].get("targetPort") in ("http", rest_port),
              f"Service weir: port {rest_port} -> the container's http port", f"Service weir ports {svc['spec']['ports']}")
    headless = one(docs, "Service", spec.get("serviceName"))
    check(headless is not None and headless["spec"].get("clusterIP") == "None"
          and set(headless["spec"]["selector"].items()) <= set(pod_labels.items()),
          f"headless Service {spec.get('serviceName')} governs the StatefulSet",
          f"serviceName {spec.get('serviceName')} is not a headless Service selecting the pods")
    pdb = one(docs, "PodDisruptionBudget")
    if check(pdb is not None, "a PodDisruptionBudget", "no PodDisruptionBudget"):
        check(pdb["spec"].get("maxUnavailable") == 1, "PDB: maxUnavailable 1", f"PDB spec {pdb['spec']}")
        check(set(pdb["spec"]["selector"]["matchLabels"].items()) <= set(pod_labels.items()), "PDB selects the pods",
              "the PDB's selector matches no pod")
    ing = one(docs, "Ingress", "weir")
    if ing is not None:
        paths = [p for r in ing["spec"]["rules"] for p in r["http"]["paths"]]
        check(any(p["path"] == "/weir" and p["backend"]["service"]["name"] == "weir" for p in paths),
              "Ingress: /weir -> Service weir", f"Ingress paths {paths}")
        check(ing["spec"].get("ingressClassName") == "traefik", "Ingress class traefik", "the Ingress is not Traefik's")
        mw_ref = (ing["metadata"].get("annotations") or {}).get("traefik.ingress.kubernetes.io/router.middlewares", "")
        mw = one(docs, "Middleware", "weir-stripprefix")
        want = f"{ns}-weir-stripprefix@kubernetescrd"
        check(mw_ref == want, f"the Ingress names the Middleware {want}", f"the Ingress names '{mw_ref}', not {want}")
        check(mw is not None and "/weir" in mw["spec"]["stripPrefix"]["prefixes"],
              "the Middleware strips /weir", "no Middleware stripping /weir")
    else:
        warn("no Ingress in these manifests (deploy.sh leaves it out without Traefik's CRDs)")


# --- docker-compose ------------------------------------------------------------

def compose():
    dc = yaml.safe_load(open(path("docker-compose.yml"), encoding="utf-8"))
    s = dc.get("services") or {}
    for name in ("kafka", "schema-registry", "weir", "prometheus", "grafana"):
        check(name in s, f"service {name}", f"no service {name}")
    if FAILED:
        return

    def envmap(svc):
        e = svc.get("environment") or {}
        if isinstance(e, list):
            e = dict(x.split("=", 1) for x in e)
        return {k: str(v) for k, v in e.items()}

    def dep(svc, other, cond):
        d = svc.get("depends_on") or {}
        return isinstance(d, dict) and (d.get(other) or {}).get("condition") == cond

    k = s["kafka"]
    ke = envmap(k)
    check(k["image"].startswith("apache/kafka:"), "Kafka is the apache/kafka image", f"kafka image {k['image']}")
    check("controller" in ke.get("KAFKA_PROCESS_ROLES", "") and "broker" in ke.get("KAFKA_PROCESS_ROLES", "")
          and not any("ZOOKEEPER" in x for x in ke), "KRaft, one node as broker and controller",
          f"KAFKA_PROCESS_ROLES={ke.get('KAFKA_PROCESS_ROLES')}")
    for var in ("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
                "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"):
        check(ke.get(var) == "1", f"{var}=1 (one broker: transactions work)", f"{var} is {ke.get(var)}, not 1")
    check(bool(k.get("healthcheck")), "Kafka has a healthcheck", "Kafka has no healthcheck")
    adv = ke.get("KAFKA_ADVERTISED_LISTENERS", "")
    check("kafka:9092" in adv, "Kafka advertises kafka:9092 to the containers", f"advertised listeners {adv}")

    sr = s["schema-registry"]
    check(sr["image"].startswith("confluentinc/cp-schema-registry:"), "Confluent's schema registry image", f"{sr['image']}")
    check(dep(sr, "kafka", "service_healthy"), "the registry waits for a healthy Kafka", "the registry does not wait for Kafka")
    sre = envmap(sr)
    check("kafka:9092" in sre.get("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", ""), "the registry stores schemas in this Kafka",
          "the registry's kafkastore is not kafka:9092")

    w = s["weir"]
    info = json.loads(subprocess.run([sys.executable, path("tests", "deploy", "dockerfile_info.py"), path("Dockerfile")],
                                     capture_output=True, text=True, check=True).stdout)
    check(w.get("build") in (".", {"context": "."}), "weir is built from this repository's Dockerfile", f"weir build: {w.get('build')}")
    cmd = w.get("command") or info["cmd"]
    check(cmd[:1] == ["serve"], "weir runs weir serve", f"weir command {cmd}")
    we = envmap(w)
    check(we.get("WEIR_KAFKA_BOOTSTRAP_SERVERS") == "kafka:9092", "WEIR_KAFKA_BOOTSTRAP_SERVERS=kafka:9092",
          f"bootstrap servers {we.get('WEIR_KAFKA_BOOTSTRAP_SERVERS')}")
    reg = sre.get("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081").rsplit(":", 1)[-1]
    check(we.get("WEIR_SCHEMA_REGISTRY_URL") == f"http://schema-registry:{reg}", "WEIR_SCHEMA_REGISTRY_URL points at the registry service",
          f"WEIR_SCHEMA_REGISTRY_URL is {we.get('WEIR_SCHEMA_REGISTRY_URL')}")
    check_env_names({n for n in we if n.startswith("WEIR_")}, "compose weir env")
    check(dep(w, "kafka", "service_healthy"), "weir waits for a healthy Kafka", "weir does not wait for a healthy Kafka")
    ports = [str(p) for p in w.get("ports", [])]
    check(any(p.split(":")[-2:] == ["8081", "8081"] or p == "8081:8081" for p in ports), "weir's REST API/UI on localhost:8081",
          f"weir ports {ports}")
    mounts = {}
    for v in w.get("volumes", []):
        parts = str(v).split(":")
        mounts[parts[1]] = parts[0]
    cfg = cmd[cmd.index("--config") + 1] if "--config" in cmd else None
    pipes = cmd[cmd.index("--pipelines") + 1] if "--pipelines" in cmd else None
    check(cfg in mounts and os.path.isfile(path(mounts[cfg])), f"{cfg} is mounted from {mounts.get(cfg)}",
          f"--config {cfg} is not mounted from an existing file")
    pipe_files = {t: h for t, h in mounts.items() if pipes and (t == pipes or t.startswith(pipes.rstrip('/') + '/'))}
    check(pipe_files and all(os.path.exists(path(h)) for h in pipe_files.values()),
          f"pipelines mounted under {pipes}: {sorted(pipe_files.values())}", f"no existing pipelines mounted under {pipes}")
    config = yaml.safe_load(open(path(mounts.get(cfg, "config/weir.yaml")), encoding="utf-8")) or {}
    grace = duration_s(w.get("stop_grace_period", "10s"))
    shutdown = duration_s((config.get("shutdown") or {}).get("timeout", "30s"))
    check(grace > shutdown, f"stop_grace_period {grace:g} s > shutdown.timeout {shutdown:g} s",
          f"stop_grace_period {grace:g} s is not above shutdown.timeout {shutdown:g} s")

    # The one-shot services: topics for the mounted pipelines, then weir generate.
    pipelines = [yaml.safe_load(open(path(h), encoding="utf-8")) for h in pipe_files.values() if h.endswith(".yaml")]
    needed = set()
    for p in pipelines:
        needed.add(p["source"]["kafka"]["topic"])
        needed.add(p["sink"]["kafka"]["topic"])
        for extra in ("deadLetter", "lateData"):
            if (p.get(extra) or {}).get("topic"):
                needed.add(p[extra]["topic"])
    creators = [n for n, x in s.items() if "kafka-topics.sh" in json.dumps(x.get("command") or "")]
    created = set()
    for n in creators:
        text = json.dumps(s[n]["command"])
        created |= set(re.findall(r"[A-Za-z0-9._-]+", text)) & needed
        check(dep(s[n], "kafka", "service_healthy"), f"{n} waits for a healthy Kafka", f"{n} does not wait for Kafka")
        check(dep(w, n, "service_completed_successfully"), f"weir starts after {n} created the topics",
              f"weir does not wait for {n}")
    check(needed and needed <= created, f"the pipelines' topics are created: {sorted(needed)}",
          f"topics not created by any one-shot service: {sorted(needed - created)}")
    gens = [n for n, x in s.items() if "generate" in (x.get("command") or [])]
    if check(len(gens) == 1, f"a one-shot service writes sample events ({gens[0] if gens else '-'})", "no service runs weir generate"):
        g = s[gens[0]]
        gcmd = g["command"]
        check(g.get("image") == w.get("image") and (g.get("entrypoint") or info["entrypoint"]) == ["weir"],
              f"{gens[0]} runs the weir image", f"{gens[0]} does not run the weir image")
        topic = gcmd[gcmd.index("--topic") + 1] if "--topic" in gcmd else "input-topic"
        check(topic in {p["source"]["kafka"]["topic"] for p in pipelines}, f"{gens[0]} writes to the pipeline's input {topic}",
              f"{gens[0]} writes to {topic}, no mounted pipeline reads it")
        check(str(g.get("restart", "no")) == "no", f"{gens[0]} runs once", f"{gens[0]} restarts")

    # Prometheus scrapes weir; Grafana's datasource and dashboard.
    pm = {str(v).split(":")[1]: str(v).split(":")[0] for v in s["prometheus"].get("volumes", [])}
    pconf_path = pm.get("/etc/prometheus/prometheus.yml")
    if check(pconf_path and os.path.isfile(path(pconf_path)), f"Prometheus config {pconf_path} mounted", "no Prometheus config mounted"):
        pconf = yaml.safe_load(open(path(pconf_path)))
        jobs = [j for j in pconf.get("scrape_configs", [])
                if any(f"weir:{config.get('rest', {}).get('port', 8081)}" in t for sc in j.get("static_configs", []) for t in sc.get("targets", []))]
        if check(len(jobs) == 1, "Prometheus scrapes weir:8081", "no Prometheus job scrapes weir:8081"):
            check(jobs[0].get("metrics_path", "/metrics") == "/metrics", "... at /metrics", f"metrics_path {jobs[0].get('metrics_path')}")
            check(jobs[0].get("honor_labels") is True, "honor_labels: the series keep Weir's job label (the pipeline)",
                  "honor_labels is not true: Weir's job label would become exported_job and the dashboard's job variable break")
    check(any(str(p).startswith("9090") for p in s["prometheus"].get("ports", [])), "Prometheus on localhost:9090", "Prometheus port 9090 not published")
    gm = {str(v).split(":")[1]: str(v).split(":")[0] for v in s["grafana"].get("volumes", [])}
    prov = gm.get("/etc/grafana/provisioning")
    check(any(str(p).startswith("3000") for p in s["grafana"].get("ports", [])), "Grafana on localhost:3000", "Grafana port 3000 not published")
    if check(prov and os.path.isdir(path(prov)), f"Grafana provisioning mounted from {prov}", "no Grafana provisioning mounted"):
        ds = [d for f in sorted(os.listdir(path(prov, "datasources"))) for d in (yaml.safe_load(open(path(prov, "datasources", f))) or {}).get("datasources", [])]
        check(any(d.get("type") == "prometheus" and d.get("url") == "http://prometheus:9090" and d.get("isDefault") for d in ds),
              "Grafana datasource: the Prometheus service, default", f"datasources {ds}")
        provs = [p for f in sorted(os.listdir(path(prov, "dashboards"))) for p in (yaml.safe_load(open(path(prov, "dashboards", f))) or {}).get("providers", [])]
        dash_dirs = [(p.get("options") or {}).get("path") for p in provs]
        hosts = [gm.get(d) for d in dash_dirs if gm.get(d)]
        if check(hosts and os.path.isfile(path(hosts[0], "weir.json")), f"the dashboard provider reads {hosts[0] if hosts else '?'}/weir.json",
                 f"no dashboard provider path is mounted from a directory holding weir.json ({dash_dirs})"):
            d = json.load(open(path(hosts[0], "weir.json")))
            dsvar = [v for v in d.get("templating", {}).get("list", []) if v.get("type") == "datasource"]
            check(dsvar and dsvar[0].get("query") == "prometheus", "the dashboard picks a Prometheus datasource",
                  "the dashboard's datasource variable is not of type prometheus")


# --- Dockerfile ------------------------------------------------------------------

def dpkg_packages(libs):
    """{lib: the Debian package that ships it, or None}, with one `dpkg -S` call
    (usrmerge: a library may be registered under /usr/lib or /lib, by its
    real name or its soname link)."""
    cands = {}
    for lib in libs:
        real = os.path.realpath(lib)
        forms = []
        for p in (lib, real):
            forms += [p, p[4:] if p.startswith("/usr/") else "/usr" + p]
        cands[lib] = list(dict.fromkeys(forms))
    allp = sorted({p for forms in cands.values() for p in forms})
    r = subprocess.run(["dpkg", "-S"] + allp, capture_output=True, text=True)
    owner = {}
    for line in r.stdout.splitlines():
        pkgs, _, p = line.partition(": ")
        owner[p.strip()] = pkgs.split(",")[0].split(":")[0].strip()
    return {lib: next((owner[p] for p in forms if p in owner), None) for lib, forms in cands.items()}


def dockerfile(binary):
    info = json.loads(subprocess.run([sys.executable, path("tests", "deploy", "dockerfile_info.py"), path("Dockerfile")],
                                     capture_output=True, text=True, check=True).stdout)
    with open(path("Dockerfile"), encoding="utf-8") as f:
        text = f.read()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, flags=re.M | re.I)
    check(len(stages) == 2, "two stages (build, runtime)", f"{len(stages)} stages")
    build_from = re.sub(r"\$\{SWIFT_VERSION\}", re.search(r"ARG SWIFT_VERSION=(\S+)", text).group(1) if "ARG SWIFT_VERSION" in text else "", stages[0][0])
    check(re.fullmatch(r"swift:6(\.\d+)*-bookworm", build_from) is not None, f"build stage {build_from} (Swift 6 on bookworm)",
          f"build stage is {build_from}, not swift:6.x-bookworm")
    build = " ".join(info["build_run"])
    check(re.search(r"swift build -c release --static-swift-stdlib --product weir", build) is not None,
          "release build with the static Swift standard library", "the build is not `swift build -c release --static-swift-stdlib --product weir`")
    for dev in ("librdkafka-dev", "libavro-dev", "libyajl-dev", "pkg-config"):
        check(dev in build, f"build stage installs {dev}", f"build stage lacks {dev}")
    check(info["base"] == "debian:bookworm-slim", "runtime stage FROM debian:bookworm-slim", f"runtime base {info['base']}")
    check("--no-install-recommends" in text.split("AS runtime")[-1], "runtime apt-get without recommends",
          "the runtime apt-get installs recommended packages")
    uid = info["uid"]
    check(uid is not None and uid >= 1000 and info["run_user"] in (str(uid), f"{uid}:{info['gid']}", info["user"]),
          f"runs as the non-root user {info['user']} (uid {uid})", f"USER {info['run_user']} is not the created non-root user ({uid})")
    check(info["entrypoint"] == ["weir"], 'ENTRYPOINT ["weir"]', f"ENTRYPOINT {info['entrypoint']}")
    check(info["cmd"] == ["serve", "--config", "/etc/weir/weir.yaml", "--pipelines", "/etc/weir/pipelines"],
          "CMD serve --config /etc/weir/weir.yaml --pipelines /etc/weir/pipelines", f"CMD {info['cmd']}")
    check("8081" in info["expose"], "EXPOSE 8081", f"EXPOSE {info['expose']}")
    hc = " ".join(info["healthcheck"]["cmd"]) if info["healthcheck"] else ""
    check("/healthz" in hc, "HEALTHCHECK asks /healthz", "no HEALTHCHECK on /healthz")
    if hc.startswith("bash -c"):
        check("bash" in hc, "the HEALTHCHECK needs only bash (no curl in the image)", "")
    elif "curl" in hc and "curl" not in info["packages"]:
        fail("the HEALTHCHECK uses curl, which the runtime stage does not install")
    check("/etc/weir" in info["volumes"], "VOLUME /etc/weir (config and pipelines)", f"VOLUME {info['volumes']}")
    data = info["env"].get("WEIR_DATA_DIR")
    check(data in info["volumes"], f"the data directory {data} is a VOLUME", f"WEIR_DATA_DIR {data} is not a VOLUME")
    owned = {d["path"]: d["owner"] for d in info["dirs"]}
    check(owned.get(data) == str(uid), f"{data} belongs to uid {uid}", f"{data} is not owned by the weir user")

    # Serve's flags exist.
    if os.access(binary, os.X_OK):
        helptext = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True).stdout
        for flag in [a for a in info["cmd"] if a.startswith("--")]:
            check(flag in helptext, f"weir serve knows {flag}", f"weir serve has no {flag}")

    # .dockerignore lets exactly what the build copies through.
    di = open(path(".dockerignore"), encoding="utf-8").read().split("\n") if os.path.exists(path(".dockerignore")) else []
    rules = [l.strip() for l in di if l.strip() and not l.strip().startswith("#")]
    copied = set()
    for arg in info["copies"] + re.findall(r"^COPY\s+(.+)$", text.split("AS runtime")[0], flags=re.M):
        if "--from=" in arg:
            continue                                   # from another stage, not the context
        parts = [p for p in arg.split() if not p.startswith("--")]
        copied |= {p.rstrip("*").rstrip("/") for p in parts[:-1]}
    if check(rules[:1] == ["*"], ".dockerignore excludes everything by default (no .build/ or .git/ in the context)",
             ".dockerignore does not start with '*'"):
        for src in sorted(copied):
            check(any(r.lstrip("!").rstrip("/") == src for r in rules if r.startswith("!")),
                  f".dockerignore lets {src} through", f".dockerignore hides {src}, which the Dockerfile copies")
            if not src.endswith("Package.resolved"):
                check(os.path.exists(path(src)), f"{src} exists", f"the Dockerfile copies {src}, which does not exist")

    # The runtime packages are what the binary links: ldd -> dpkg -S.
    out = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if not check(out.returncode == 0, f"ldd {binary}", f"ldd {binary} failed: {out.stderr.strip()}"):
        return
    needed, swift_libs, unknown, libs = {}, [], [], []
    for line in out.stdout.splitlines():
        line = line.strip()
        if "not found" in line:
            fail(f"ldd: {line}")
            continue
        m_ = re.match(r"(\S+)\s+=>\s+(\S+)", line) or re.match(r"(/\S+)\s+\(", line)
        if not m_:
            continue                                   # linux-vdso
        lib = m_.group(2) if m_.lastindex == 2 else m_.group(1)
        if re.search(r"/lib/swift(_static)?/linux/", lib):
            swift_libs.append(os.path.basename(lib))   # the release image links these statically
            continue
        libs.append(lib)
    for lib, pkg in dpkg_packages(libs).items():
        if pkg is None:
            unknown.append(lib)
        else:
            needed.setdefault(pkg, []).append(os.path.basename(lib))
    check(not unknown, "every non-Swift library comes from a Debian package", f"libraries no package ships: {unknown}")
    # The image is bookworm; on a newer Debian host the 64-bit time_t transition
    # renamed some library packages (libssl3 -> libssl3t64): map them back.
    try:
        major = open("/etc/debian_version").read().split(".")[0].strip()
    except OSError:
        major = "?"
    if major != "12":
        warn(f"this host is Debian {major}, the image bookworm (12): package names mapped to bookworm's where they differ (t64)")
        needed = {re.sub(r"t64$", "", p): v for p, v in needed.items()}
    if swift_libs:
        print(f"  (Swift runtime libraries, static in the release image: {len(swift_libs)}: {', '.join(sorted(swift_libs))})")
    listed = set(info["packages"])
    missing = sorted(set(needed) - listed)
    extra = sorted(listed - set(needed) - {"ca-certificates"})
    check(not missing, f"the runtime apt-get installs every package the binary links: "
          f"{', '.join(f'{p} ({chr(44).join(needed[p])})' for p in sorted(needed))}",
          f"linked but not installed by the runtime stage: {missing} ({ {p: needed[p] for p in missing} })")
    check(not extra, "and nothing it does not link (besides ca-certificates)",
          f"installed by the runtime stage but not linked: {extra}")


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = sys.argv[1]
    if cmd == "k8s":
        k8s(sys.argv[2], sys.argv[3])
    elif cmd == "compose":
        compose()
    elif cmd == "dockerfile":
        dockerfile(sys.argv[2])
    elif cmd == "split":
        split(*sys.argv[2:5])
        return 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
