#!/usr/bin/env bash
# Static validation of the deployment artefacts (issue 12), for machines with
# no Docker engine and no Kubernetes: exits non-zero if any check fails and
# prints every check it made.
#
#  a. Kubernetes: the manifests `scripts/deploy.sh deploy --dry-run` prints (for
#     the default namespace, another one and another image), rendered without
#     kubectl by scripts/kustomize-render.py and, where kubectl is installed,
#     also by `kubectl kustomize` (both must agree); the built-in kinds validated
#     with kubernetes-validate --strict against Kubernetes 1.28 and 1.37, the
#     Traefik Middleware (a CRD, which kubernetes-validate cannot know) against
#     a schema of its own; the service config in the ConfigMap and the pipeline
#     accepted by weir itself.
#  b. docker-compose.yml: `docker-compose config -q` (Debian's docker-compose
#     1.29, which validates against the compose specification's schema), then
#     what Weir needs of it (tests/deploy/checks.py compose); config/weir.yaml
#     accepted by weir serve.
#  c. Dockerfile: the runtime stage's apt-get line against `ldd $WEIR` mapped to
#     Debian packages with dpkg -S (every linked package installed, nothing
#     installed that is not linked but ca-certificates), its user, command,
#     healthcheck, volumes and .dockerignore.
#  d. (in a) the StatefulSet's terminationGracePeriodSeconds above
#     shutdown.timeout, probes on /healthz and /readyz, WEIR_INSTANCE_ID from the
#     pod name, 2 replicas x parallelism 2, resources, the Secret referenced by
#     secretKeyRef and no credential in any ConfigMap, every WEIR_* variable one
#     Weir reads (docs/configuration.md), services, PDB, ingress and middleware
#     consistent, every resource labelled for cleanup.
#  e. scripts/deploy.sh: clear errors without kubectl and with an unreachable
#     cluster, bad arguments refused, and deploy/status/cleanup against a pretend
#     cluster (tests/deploy/fake-kubectl): a new namespace is created and marked,
#     an existing one and an existing Secret are left alone, no Ingress without
#     Traefik's CRDs, a failed rollout reported, cleanup deletes by label and the
#     namespace only if deploy.sh created it.
#  f. Every script of the deployment parses (bash -n, py_compile).
#
#   tests/deploy/validate.sh              WEIR=path/to/weir (default .build/debug/weir)
#   tests/deploy/validate.sh --mutations  also break each artefact on purpose, in a
#                                         copy, and require the check meant for it to fail
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$PWD"
ROOT="${WEIR_DEPLOY_ROOT:-$REPO}"
cd "$ROOT"
export WEIR_DEPLOY_ROOT="$ROOT"
WEIR="${WEIR:-.build/debug/weir}"
[[ "$WEIR" = /* ]] || WEIR="$REPO/$WEIR"
KV_VERSION="1.37.0"
T0=$(date +%s.%N)
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
FAILS=()
SECTION_T=$(date +%s.%N)
section() {
  local now; now=$(date +%s.%N)
  python3 -c "import sys; print(f'  ({float(sys.argv[2]) - float(sys.argv[1]):.1f} s)')" "$SECTION_T" "$now"
  SECTION_T=$now
  echo; echo "== $*"
}
# step NAME CMD...: runs a check; a failure is recorded, the run goes on.
step() {
  local name="$1"; shift
  if "$@"; then return 0; fi
  FAILS+=("$name"); echo "  FAIL: $name"
}
okline() { echo "  ok: $*"; }

# ---- tools ----------------------------------------------------------------------
section "tools"
[ -x "$WEIR" ] || { echo "validate: no weir binary at $WEIR (build it, or set WEIR)"; exit 1; }
if ! python3 - "$KV_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
import jsonschema, yaml
sys.exit(0 if version("kubernetes-validate") == sys.argv[1] else 1)
PY
then
  echo "  installing kubernetes-validate==$KV_VERSION (PyPI)"
  python3 -m pip install -q "kubernetes-validate==$KV_VERSION" PyYAML jsonschema
fi
if ! command -v docker-compose >/dev/null; then
  echo "  installing docker-compose (Debian)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq docker-compose >/dev/null
fi
okline "kubernetes-validate $(python3 -c 'from importlib.metadata import version; print(version("kubernetes-validate"))'), $(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /'), weir at $WEIR"
REAL_KUBECTL=$(command -v kubectl || true)
[ -n "$REAL_KUBECTL" ] && okline "kubectl $("$REAL_KUBECTL" version --client 2>/dev/null | head -1 | sed 's/.*: //') (kustomize output compared with the renderer's)" \
  || echo "  (no kubectl: only scripts/kustomize-render.py renders)"

# ---- a + d: Kubernetes manifests --------------------------------------------------
render_check() {   # render_check NS [IMAGE]
  local ns="$1" image="${2:-}" out="$T/$1.yaml" extra=()
  [ -n "$image" ] && extra=(--image "$image")
  section "a/d. Kubernetes: deploy.sh deploy --dry-run --namespace $ns ${image:+--image $image}"
  if ! KUBECTL=/nonexistent/kubectl scripts/deploy.sh deploy --dry-run --namespace "$ns" "${extra[@]}" > "$out" 2> "$T/err"; then
    cat "$T/err"; return 1
  fi
  grep -q 'kustomize-render.py' "$T/err" || { echo "  FAIL: without kubectl, deploy.sh did not say how it rendered"; return 1; }
  okline "rendered without kubectl ($(grep -c '^kind:' "$out") resources)"
  if [ -n "$REAL_KUBECTL" ]; then
    KUBECONFIG="$T/no-cluster" KUBECTL="$REAL_KUBECTL" scripts/deploy.sh deploy --dry-run --namespace "$ns" "${extra[@]}" \
      > "$T/$ns.kubectl.yaml" 2>/dev/null || { echo "  FAIL: deploy.sh --dry-run with kubectl failed"; return 1; }
    python3 - "$out" "$T/$ns.kubectl.yaml" <<'PY' || return 1
import sys, yaml
a = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
b = [d for d in yaml.safe_load_all(open(sys.argv[2])) if d]
key = lambda d: (d["kind"], d["metadata"]["name"])
if sorted(a, key=key) != sorted(b, key=key):
    da = {key(d): d for d in a}; db = {key(d): d for d in b}
    diff = [k for k in set(da) | set(db) if da.get(k) != db.get(k)]
    print(f"  FAIL: kustomize-render.py and kubectl kustomize differ on {diff}")
    sys.exit(1)
print(f"  ok: identical to kubectl kustomize's rendering ({len(a)} resources, ConfigMap hash suffixes included)")
PY
  fi
  python3 tests/deploy/checks.py split "$out" "$T/$ns.builtin.yaml" "$T/$ns.crds.yaml"
  for k in 1.28.0 1.37.0; do
    if kubernetes-validate --strict --quiet -k "$k" "$T/$ns.builtin.yaml" > "$T/kv.out" 2>&1; then
      okline "kubernetes-validate --strict -k $k: every built-in resource valid"
    else
      sed 's/^/    /' "$T/kv.out"; echo "  FAIL: kubernetes-validate -k $k"; return 1
    fi
  done
  if [ -n "$image" ]; then
    python3 - "$out" "$image" <<'PY' || return 1
import sys, yaml
sts = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] == "StatefulSet"][0]
img = sts["spec"]["template"]["spec"]["containers"][0]["image"]
assert img == sys.argv[2], f"  FAIL: --image {sys.argv[2]} gave image {img}"
print(f"  ok: the StatefulSet runs {img}")
PY
  fi
  python3 tests/deploy/checks.py k8s "$out" "$ns"
}
if [ -n "${VALIDATE_QUICK:-}" ]; then     # the mutation runs: one namespace, not the default one
  step "manifests for namespace weir-staging" render_check weir-staging
else
  step "manifests for namespace weir" render_check weir
  step "manifests for namespace weir-staging" render_check weir-staging
  step "manifests with another image" render_check weir-img registry.example.com/team/weir:1.2.3
fi

# The renderer against kubectl kustomize on the overlays deploy.sh writes for an
# existing namespace and Secret (both left out), a cluster without Traefik and an
# image by digest; and its refusal of what it does not implement.
renderer_variants() {
  local ok=0 v
  # NAMESPACE|EXISTING NAMESPACES|NAMESPACES WITH THE SECRET|TRAEFIK|IMAGE
  for v in "prod|prod|prod|1|" "plain|||0|" "dig|||1|registry.example.com/weir@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"; do
    local ns existing secrets traefik image
    IFS='|' read -r ns existing secrets traefik image <<< "$v"
    local extra=(); [ -n "$image" ] && extra=(--image "$image")
    for r in py kubectl; do
      local real=""; [ "$r" = kubectl ] && real="$REAL_KUBECTL"
      [ "$r" = kubectl ] && [ -z "$REAL_KUBECTL" ] && continue
      env KUBECTL="$REPO/tests/deploy/fake-kubectl" REAL_KUBECTL="$real" FAKE_NAMESPACES="$existing" FAKE_SECRETS="$secrets" \
        FAKE_TRAEFIK="$traefik" scripts/deploy.sh deploy --dry-run --namespace "$ns" "${extra[@]}" > "$T/variant.$r.yaml" 2>/dev/null \
        || { echo "  FAIL: dry run ($v, $r)"; ok=1; }
    done
    if [ -n "$REAL_KUBECTL" ]; then
      if python3 -c 'import sys, yaml; a, b = ([d for d in yaml.safe_load_all(open(f)) if d] for f in sys.argv[1:]); k = lambda d: (d["kind"], d["metadata"]["name"]); sys.exit(0 if sorted(a, key=k) == sorted(b, key=k) and a else 1)' \
           "$T/variant.py.yaml" "$T/variant.kubectl.yaml"; then
        okline "renderer = kubectl kustomize for namespace $ns ($([ -n "$existing" ] && echo existing || echo new), Secret $([ -n "$secrets" ] && echo kept || echo applied), Traefik CRDs $([ "$traefik" = 1 ] && echo yes || echo no)${image:+, image by digest}): $(grep -c '^kind:' "$T/variant.py.yaml") resources"
      else echo "  FAIL: renderer and kubectl differ for $v"; ok=1; fi
    fi
  done
  mkdir -p "$T/unsupported"; printf 'resources: []\ncommonLabels: {a: b}\n' > "$T/unsupported/kustomization.yaml"
  if ! python3 scripts/kustomize-render.py "$T/unsupported" > /dev/null 2> "$T/unsup.err" && grep -q "unsupported fields \['commonLabels'\]" "$T/unsup.err"; then
    okline "the renderer refuses what it does not implement: $(cat "$T/unsup.err")"
  else echo "  FAIL: the renderer accepted commonLabels"; ok=1; fi
  return $ok
}
step "renderer variants" renderer_variants

# serve_accepts CONFIG [ENV...]: weir serve reads the config without complaint (it
# is still running after 4 s; a bad config exits at once with file:line:column).
serve_accepts() {
  local cfg="$1"; shift; local rc=0
  mkdir -p "$T/nopipes"
  env "$@" WEIR_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9 WEIR_DATA_DIR="$T/data" \
    timeout 4 "$WEIR" serve --config "$cfg" --pipelines "$T/nopipes" --port 0 --address 127.0.0.1 --log-level critical \
    > "$T/serve.out" 2>&1 || rc=$?
  if [ "$rc" -eq 124 ] && grep -q 'REST API at' "$T/serve.out"; then okline "weir serve accepts $cfg${*:+ with $*}"; return 0; fi
  echo "  FAIL: weir serve refuses $cfg: $(head -3 "$T/serve.out")"; return 1
}
section "a. the configuration and pipeline the manifests carry, read by weir"
step "k8s weir.yaml" serve_accepts deploy/kubernetes/config/weir.yaml WEIR_PARALLELISM=2 WEIR_INSTANCE_ID=weir-0 WEIR_REST_TOKEN=x
check_pipeline_copy() {
  local ok=0
  for f in deploy/kubernetes/pipelines/*.yaml; do
    if "$WEIR" validate "$f" > "$T/v.out" 2>&1; then okline "weir validate $f"; else cat "$T/v.out"; ok=1; fi
    if cmp -s "$f" "pipelines/$(basename "$f")"; then okline "$f is pipelines/$(basename "$f") unchanged"
    else echo "  FAIL: $f differs from pipelines/$(basename "$f")"; ok=1; fi
  done
  return $ok
}
step "k8s pipelines" check_pipeline_copy

# ---- b: docker-compose ------------------------------------------------------------
section "b. docker-compose.yml"
compose_config() {
  if docker-compose -f docker-compose.yml config -q 2> "$T/dc.err"; then
    okline "docker-compose config -q: valid against the compose specification ($(docker-compose version --short))"
  else
    sed 's/^/    /' "$T/dc.err"; return 1
  fi
}
step "docker-compose config" compose_config
step "compose semantics" python3 tests/deploy/checks.py compose
step "compose weir.yaml" serve_accepts config/weir.yaml WEIR_SCHEMA_REGISTRY_URL=http://schema-registry:8081 WEIR_INSTANCE_ID=weir-0

# ---- c: Dockerfile ----------------------------------------------------------------
section "c. Dockerfile (runtime packages against ldd $WEIR)"
step "Dockerfile" python3 tests/deploy/checks.py dockerfile "$WEIR"

# ---- e: deploy.sh -----------------------------------------------------------------
section "e. scripts/deploy.sh"
expect_fail() {   # expect_fail PATTERN DESCRIPTION CMD...: CMD exits non-zero and says PATTERN
  local pat="$1" what="$2"; shift 2; local rc=0
  "$@" > "$T/out" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && grep -q -- "$pat" "$T/out"; then okline "$what: exit $rc, \"$(grep -m1 -- "$pat" "$T/out" | cut -c1-150)\""; return 0; fi
  echo "  FAIL: $what: exit $rc, output: $(head -3 "$T/out")"; return 1
}
deploy_errors() {
  local ok=0
  for a in deploy status cleanup; do
    expect_fail "kubectl not found" "$a without kubectl" env KUBECTL=/nonexistent/kubectl scripts/deploy.sh "$a" || ok=1
  done
  expect_fail "cannot reach the Kubernetes cluster" "deploy with the cluster down (pretend kubectl)" \
    env KUBECTL="$REPO/tests/deploy/fake-kubectl" FAKE_CLUSTER=down scripts/deploy.sh deploy || ok=1
  if [ -n "$REAL_KUBECTL" ]; then
    printf 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\nusers: [{name: u, user: {token: not-a-token}}]\n' > "$T/kubeconfig"
    expect_fail "cannot reach the Kubernetes cluster (kubectl context: c)" "deploy with kubectl and an unreachable cluster" \
      env KUBECTL="$REAL_KUBECTL" KUBECONFIG="$T/kubeconfig" scripts/deploy.sh deploy || ok=1
  fi
  expect_fail "not a valid namespace name" "a bad --namespace" scripts/deploy.sh deploy --dry-run --namespace Bad_NS || ok=1
  expect_fail "unknown action" "an unknown action" scripts/deploy.sh upgrade || ok=1
  expect_fail "unknown option" "an unknown option" scripts/deploy.sh deploy --force || ok=1
  return $ok
}
step "deploy.sh errors" deploy_errors

fake() {   # fake ACTION [ARGS]: deploy.sh against the pretend cluster; the calls in $T/calls, applied manifests in $T/applied
  : > "$T/calls"; : > "$T/applied"
  env KUBECTL="$REPO/tests/deploy/fake-kubectl" FAKE_LOG="$T/calls" FAKE_APPLIED="$T/applied" REAL_KUBECTL="$REAL_KUBECTL" \
    scripts/deploy.sh "$@" > "$T/out" 2>&1
}
kinds_applied() {   # the kinds `apply -k` got, space-separated; fails when nothing was applied
  python3 - "$T/applied" <<'PY'
import sys, yaml
kinds = sorted(d["kind"] for d in yaml.safe_load_all(open(sys.argv[1])) if d)
print(" ".join(kinds))
sys.exit(0 if kinds else 1)
PY
}
deploy_flows() {
  local ok=0 k
  # a new namespace: everything applied, the namespace marked as deploy.sh's
  if FAKE_NAMESPACES="" fake deploy --namespace fresh && grep -q '^apply -k' "$T/calls" && grep -q '^rollout status statefulset/weir -n fresh' "$T/calls" \
     && python3 -c 'import sys, yaml; ns=[d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"]=="Namespace"]; sys.exit(0 if ns and ns[0]["metadata"]["name"]=="fresh" and ns[0]["metadata"]["annotations"]["weir/created-by"]=="deploy.sh" else 1)' "$T/applied" \
     && grep -q 'kubectl port-forward -n fresh svc/weir 8081:8081' "$T/out" && grep -q 'http://203.0.113.7/weir/' "$T/out" \
     && k=$(kinds_applied) && [[ " $k " == *" Namespace "*" Secret "* ]]; then
    okline "deploy into a new namespace: applies it marked weir/created-by=deploy.sh, waits for the rollout, prints the URLs ($k)"
  else echo "  FAIL: deploy into a new namespace"; sed 's/^/    /' "$T/out" | tail -5; ok=1; fi
  python3 tests/deploy/checks.py k8s "$T/applied" fresh > "$T/k8s.out" || { grep FAIL "$T/k8s.out"; ok=1; }
  # an existing namespace with its own Secret: neither is applied
  if FAKE_NAMESPACES="prod" FAKE_SECRETS="prod" fake deploy --namespace prod && k=$(kinds_applied); then
    if [[ " $k " != *" Namespace "* && " $k " != *" Secret "* ]] && grep -q 'not ours to delete' "$T/out" && grep -q 'keeping it' "$T/out"; then
      okline "deploy into an existing namespace with a Secret: neither applied ($k)"
    else echo "  FAIL: existing namespace/Secret were applied: $k"; ok=1; fi
  else echo "  FAIL: deploy into an existing namespace"; tail -5 "$T/out"; ok=1; fi
  # no Traefik: no Ingress, no Middleware, a warning
  if FAKE_NAMESPACES="" FAKE_TRAEFIK=0 fake deploy --namespace plain && k=$(kinds_applied); then
    if [[ " $k " != *" Ingress "* && " $k " != *" Middleware "* ]] && grep -q "Traefik's CRDs" "$T/out"; then
      okline "deploy without Traefik's CRDs: no Ingress or Middleware, and says so ($k)"
    else echo "  FAIL: without Traefik: $k"; ok=1; fi
  else echo "  FAIL: deploy without Traefik"; tail -5 "$T/out"; ok=1; fi
  # a rollout that does not finish
  if ! FAKE_NAMESPACES="" FAKE_ROLLOUT=fail fake deploy --namespace slow && grep -q 'did not become ready' "$T/out"; then
    okline "a rollout that does not finish: exit 1, \"$(grep -m1 'did not become ready' "$T/out" | cut -c1-110)...\""
  else echo "  FAIL: a failed rollout was not reported"; ok=1; fi
  # cleanup: by label, and the namespace only when deploy.sh created it
  if FAKE_NAMESPACES="mine" FAKE_OURS="mine" fake cleanup --namespace mine \
     && grep -q -- "^delete .* -n mine -l app.kubernetes.io/part-of=weir" "$T/calls" && grep -q '^delete namespace mine' "$T/calls"; then
    okline "cleanup of a namespace deploy.sh created: resources by label, then the namespace"
  else echo "  FAIL: cleanup (ours)"; cat "$T/calls"; ok=1; fi
  if FAKE_NAMESPACES="shared" fake cleanup --namespace shared \
     && grep -q -- "^delete .* -n shared -l app.kubernetes.io/part-of=weir" "$T/calls" && ! grep -q '^delete namespace' "$T/calls" \
     && grep -q 'kept namespace shared' "$T/out"; then
    okline "cleanup of a namespace deploy.sh did not create: resources by label only, the namespace kept"
  else echo "  FAIL: cleanup (not ours)"; cat "$T/calls"; ok=1; fi
  if FAKE_NAMESPACES="" fake cleanup --namespace gone && ! grep -q '^delete' "$T/calls"; then
    okline "cleanup of a namespace that does not exist: deletes nothing"
  else echo "  FAIL: cleanup (absent namespace)"; ok=1; fi
  if fake cleanup --dry-run --namespace x && ! grep -q . "$T/calls" && grep -q 'would run' "$T/out"; then
    okline "cleanup --dry-run: prints the commands, calls nothing"
  else echo "  FAIL: cleanup --dry-run called kubectl"; cat "$T/calls"; ok=1; fi
  if FAKE_NAMESPACES="prod" fake status --namespace prod && grep -q '^get statefulset' "$T/calls"; then
    okline "status: lists the resources and URLs"
  else echo "  FAIL: status"; ok=1; fi
  return $ok
}
step "deploy.sh against a pretend cluster" deploy_flows

# ---- f: scripts parse ---------------------------------------------------------------
section "f. scripts parse"
parse_all() {
  local ok=0 f
  for f in scripts/deploy.sh scripts/integration.sh tests/deploy/*.sh tests/deploy/fake-kubectl tests/integration/*.sh tests/crash/crash-test.sh; do
    if bash -n "$f"; then okline "bash -n $f"; else ok=1; fi
  done
  for f in scripts/kustomize-render.py tests/deploy/*.py tests/integration/*.py tests/crash/check_windows.py; do
    # compiled into the scratch directory: no __pycache__ left in the tree
    if PYTHONPYCACHEPREFIX="$T/pycache" python3 -m py_compile "$f" 2>"$T/pyc"; then okline "py_compile $f"; else cat "$T/pyc"; ok=1; fi
  done
  return $ok
}
step "scripts parse" parse_all

# ---- mutations: each check can fail -------------------------------------------------
if [ "${1:-}" = "--mutations" ]; then
  section "mutations: every artefact broken once, in a copy; validate.sh must fail for the right reason"
  mutate() {   # mutate NAME FILE PYTHON-EXPR-ON-s EXPECTED-FAIL-TEXT
    local name="$1" file="$2" expr="$3" want="$4" copy="$T/mut"
    rm -rf "$copy"; mkdir -p "$copy"
    (cd "$ROOT" && tar cf - Dockerfile .dockerignore docker-compose.yml deploy config pipelines docs/configuration.md \
       scripts/deploy.sh scripts/kustomize-render.py scripts/integration.sh tests/deploy tests/integration tests/crash Package.swift Sources Tests 2>/dev/null) \
       | (cd "$copy" && tar xf -)
    python3 - "$copy/$file" "$expr" <<'PY'
import sys
p, expr = sys.argv[1], sys.argv[2]
s = open(p).read()
new = eval(expr)
assert new != s, f"mutation of {p} changed nothing"
open(p, "w").write(new)
PY
    local rc=0
    WEIR="$WEIR" WEIR_DEPLOY_ROOT="$copy" VALIDATE_QUICK=1 bash "$copy/tests/deploy/validate.sh" > "$T/mut.out" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ] && grep 'FAIL' "$T/mut.out" | grep -q -F -- "$want"; then
      okline "$name -> fails: $(grep 'FAIL' "$T/mut.out" | grep -m1 -F -- "$want" | sed 's/^ *//' | cut -c1-120)"
    else
      echo "  FAIL: mutation '$name' was not caught (exit $rc; wanted '$want')"; return 1
    fi
  }
  mutations() {
    local ok=0
    mutate "a package missing from the runtime stage" Dockerfile 's.replace(" librdkafka1 ", " ")' "linked but not installed" || ok=1
    mutate "a package the binary does not link" Dockerfile 's.replace("ca-certificates ", "ca-certificates curl ")' "installed by the runtime stage but not linked" || ok=1
    mutate "the image runs as root" Dockerfile 's.replace("USER 10001:10001", "USER root")' "is not the created non-root user" || ok=1
    mutate "no healthcheck on /healthz" Dockerfile 's.replace("GET /healthz", "GET /")' "no HEALTHCHECK on /healthz" || ok=1
    mutate "a CMD flag serve does not have" Dockerfile 's.replace("\"--pipelines\", \"/etc/weir/pipelines\"]", "\"--pipeline-dir\", \"/etc/weir/pipelines\"]")' "CMD" || ok=1
    mutate ".dockerignore hides Sources" .dockerignore 's.replace("!Sources/\n", "")' "hides Sources" || ok=1
    mutate "grace period below the shutdown timeout" deploy/kubernetes/statefulset.yaml 's.replace("terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: 20")' "is not above shutdown.timeout" || ok=1
    mutate "liveness on the wrong path" deploy/kubernetes/statefulset.yaml 's.replace("httpGet: {path: /healthz, port: http}\n            periodSeconds: 10", "httpGet: {path: /readyz, port: http}\n            periodSeconds: 10")' "livenessProbe is" || ok=1
    mutate "readiness probe removed" deploy/kubernetes/statefulset.yaml 's.replace("httpGet: {path: /readyz, port: http}", "tcpSocket: {port: http}")' "readinessProbe is" || ok=1
    mutate "instance id not the pod name" deploy/kubernetes/statefulset.yaml 's.replace("fieldPath: metadata.name", "fieldPath: metadata.uid")' "WEIR_INSTANCE_ID is not from metadata.name" || ok=1
    mutate "a token written into the ConfigMap" deploy/kubernetes/config/weir.yaml 's.replace("  protectReads: false", "  protectReads: false\n  token: REPLACE_ME_WITH_A_LONG_RANDOM_TOKEN")' "credentials in ConfigMaps" || ok=1
    mutate "a variable Weir does not read" deploy/kubernetes/statefulset.yaml 's.replace("WEIR_PARALLELISM", "WEIR_TASKS")' "is not a variable Weir reads" || ok=1
    mutate "an invalid field in a manifest" deploy/kubernetes/service.yaml 's.replace("  type: ClusterIP", "  type: ClusterIP\n  sessionAffinityy: None", 1)' "FAIL: kubernetes-validate" || ok=1
    mutate "a malformed Middleware" deploy/kubernetes/ingress.yaml 's.replace("      - /weir", "      - weir")' "Middleware/weir-stripprefix" || ok=1
    mutate "a resource without the cleanup label" deploy/kubernetes/poddisruptionbudget.yaml 's.replace("    app.kubernetes.io/part-of: weir\n", "")' "resources without app.kubernetes.io/part-of=weir" || ok=1
    mutate "the pipeline copy out of date" deploy/kubernetes/pipelines/clicks-per-user.yaml 's.replace("tumbling: 1m", "tumbling: 2m")' "differs from pipelines/clicks-per-user.yaml" || ok=1
    mutate "a bad key in the k8s config" deploy/kubernetes/config/weir.yaml 's.replace("parallelism: 2", "parallelism: many")' "weir serve refuses" || ok=1
    mutate "compose: transactions need RF 1" docker-compose.yml 's.replace("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: 1", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: 2")' "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR is 2" || ok=1
    mutate "compose: not valid compose" docker-compose.yml 's.replace("    stop_grace_period: 45s", "    stop_grace_period: [45s]")' "docker-compose config" || ok=1
    mutate "compose: Prometheus renames Weir's job label" deploy/prometheus/prometheus.yml 's.replace("honor_labels: true", "honor_labels: false")' "honor_labels is not true" || ok=1
    mutate "compose: a topic nobody creates" docker-compose.yml 's.replace("clicks-dlq clicks-late", "clicks-dlq")' "topics not created" || ok=1
    mutate "deploy.sh: wrong middleware namespace" scripts/deploy.sh 's.replace("value: $NS-weir-stripprefix@kubernetescrd", "value: weir-weir-stripprefix@kubernetescrd")' "the Ingress names" || ok=1
    mutate "renderer: wrong hash" scripts/kustomize-render.py 's.replace("\"name\": \"\", \"data\"", "\"name\": configmap[\"metadata\"][\"name\"], \"data\"")' "differ" || ok=1
    return $ok
  }
  step "mutations" mutations
fi

# ---- summary ------------------------------------------------------------------------
section "summary"
secs=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$T0" "$(date +%s.%N)")
echo
if [ ${#FAILS[@]} -eq 0 ]; then
  echo "validate: all deployment checks passed (${secs} s)"
else
  echo "validate: ${#FAILS[@]} failed (${secs} s): ${FAILS[*]}"
  exit 1
fi
