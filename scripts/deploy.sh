#!/usr/bin/env bash
# Deploys Weir to Kubernetes (deploy/kubernetes), as the seed's script deploys Flink.
#
#   scripts/deploy.sh deploy  [--namespace NS] [--image IMAGE] [--dry-run]
#   scripts/deploy.sh status  [--namespace NS]
#   scripts/deploy.sh cleanup [--namespace NS] [--dry-run]
#
# deploy   applies the manifests with `kubectl apply -k` into NS (default weir),
#          waits for the StatefulSet's rollout and prints the URLs. It creates the
#          namespace only if it does not exist (and then marks it with the
#          annotation weir/created-by=deploy.sh), and the example Secret
#          weir-credentials only if no Secret of that name exists (a real one is
#          never overwritten). Without Traefik's CRDs it leaves out the Ingress
#          and its Middleware, and says so.
# status   the StatefulSet, pods, services and ingress, and the URLs.
# cleanup  deletes what deploy created: the resources labelled
#          app.kubernetes.io/part-of=weir in NS, then NS itself only if deploy
#          created it (the annotation). Nothing else.
# --dry-run  prints what would be applied (deploy: the manifests; cleanup: the
#          commands) and changes nothing. It needs no cluster and no kubectl:
#          without kubectl the manifests are rendered by scripts/kustomize-render.py.
# --image  the image to run (default weir:latest, as built by `docker build -t weir .`).
#
# Environment: KUBECTL (default kubectl), WEIR_ROLLOUT_TIMEOUT (default 300s).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="$ROOT/deploy/kubernetes"
KUBECTL="${KUBECTL:-kubectl}"
TIMEOUT="${WEIR_ROLLOUT_TIMEOUT:-300s}"
CREATED_BY_KEY="weir/created-by"
CREATED_BY_VALUE="deploy.sh"
PART_OF="app.kubernetes.io/part-of=weir"

usage() {
  sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2
  exit 2
}
die() { echo "deploy.sh: error: $*" >&2; exit 1; }
note() { echo "deploy.sh: $*" >&2; }

[ $# -ge 1 ] || usage
ACTION="$1"; shift
case "$ACTION" in deploy|status|cleanup) ;; -h|--help) usage ;; *) echo "deploy.sh: unknown action '$ACTION'" >&2; usage ;; esac
NS="weir"; DRY_RUN=0; IMAGE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --namespace|-n) [ $# -ge 2 ] || die "$1 needs a value"; NS="$2"; shift 2 ;;
    --namespace=*) NS="${1#*=}"; shift ;;
    --image) [ $# -ge 2 ] || die "$1 needs a value"; IMAGE="$2"; shift 2 ;;
    --image=*) IMAGE="${1#*=}"; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage ;;
    *) echo "deploy.sh: unknown option '$1'" >&2; usage ;;
  esac
done
# A namespace name is a DNS-1123 label.
[[ "$NS" =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] || die "--namespace '$NS' is not a valid namespace name (lower-case letters, digits and '-', at most 63)"
if [ -n "$IMAGE" ] && ! [[ "$IMAGE" =~ ^[A-Za-z0-9][A-Za-z0-9._/:@-]*$ ]]; then die "--image '$IMAGE' is not an image reference"; fi
[ "$ACTION" != status ] || [ "$DRY_RUN" -eq 0 ] || die "status changes nothing; it has no --dry-run"

have_kubectl() { command -v "$KUBECTL" >/dev/null 2>&1; }

need_kubectl() {
  have_kubectl || die "kubectl not found ('$KUBECTL'): install it (https://kubernetes.io/docs/tasks/tools/) and point it at your cluster; 'scripts/deploy.sh deploy --dry-run' prints the manifests without it"
}

# need_cluster: kubectl can reach the cluster of its current context.
need_cluster() {
  local out ctx
  ctx=$("$KUBECTL" config current-context 2>/dev/null || echo "none")
  if ! out=$("$KUBECTL" cluster-info --request-timeout=10s 2>&1 </dev/null); then
    # kubectl's most telling line: the connection error if there is one, else its last word.
    local why
    why=$(printf '%s\n' "$out" | grep -E -m1 '^(The connection to the server|Unable to connect|error: )' \
          || printf '%s\n' "$out" | grep -E -m1 'refused|timeout|no such host|Unauthorized|Forbidden|x509' \
          || printf '%s\n' "$out" | grep -v '^$' | grep -v 'cluster-info dump' | tail -1)
    die "cannot reach the Kubernetes cluster (kubectl context: $ctx): $why"
  fi
}

cluster_reachable() { have_kubectl && "$KUBECTL" cluster-info --request-timeout=5s >/dev/null 2>&1; }
namespace_exists() { "$KUBECTL" get namespace "$NS" -o name >/dev/null 2>&1; }
secret_exists() { "$KUBECTL" get secret weir-credentials -n "$NS" -o name >/dev/null 2>&1; }
traefik_crds() { "$KUBECTL" get crd middlewares.traefik.io -o name >/dev/null 2>&1; }
namespace_ours() {
  [ "$("$KUBECTL" get namespace "$NS" -o "jsonpath={.metadata.annotations.weir/created-by}" 2>/dev/null)" = "$CREATED_BY_VALUE" ]
}

# write_overlay DIR KEEP_NAMESPACE KEEP_SECRET KEEP_INGRESS: a kustomization in DIR
# over deploy/kubernetes, for namespace NS (1 = apply that resource, 0 = leave it out).
write_overlay() {
  local dir="$1" ns_new="$2" secret_new="$3" ingress="$4" rel
  rel=$(realpath --relative-to="$dir" "$BASE")
  {
    echo "# written by scripts/deploy.sh for namespace $NS"
    echo "apiVersion: kustomize.config.k8s.io/v1beta1"
    echo "kind: Kustomization"
    echo "namespace: $NS"
    echo "resources:"
    echo "  - $rel"
    if [ -n "$IMAGE" ]; then
      local name="$IMAGE" tag="" digest=""
      case "$name" in *@*) digest="${name#*@}"; name="${name%%@*}" ;; esac
      if [[ "${name##*/}" == *:* ]]; then tag="${name##*:}"; name="${name%:*}"; fi
      echo "images:"
      echo "  - name: weir"
      echo "    newName: $name"
      if [ -n "$digest" ]; then echo "    digest: $digest"; else echo "    newTag: ${tag:-latest}"; fi
    fi
    echo "patches:"
    if [ "$ingress" -eq 1 ]; then
      # Traefik names a Middleware <namespace>-<name>@kubernetescrd.
      echo "  - target: {kind: Ingress, name: weir}"
      echo "    patch: |-"
      echo "      - op: replace"
      echo "        path: /metadata/annotations/traefik.ingress.kubernetes.io~1router.middlewares"
      echo "        value: $NS-weir-stripprefix@kubernetescrd"
    else
      for kind in Ingress Middleware; do
        local n=weir; [ "$kind" = Middleware ] && n=weir-stripprefix
        echo "  - target: {kind: $kind, name: $n}"
        echo "    patch: |-"
        echo "      \$patch: delete"
        echo "      kind: $kind"
        echo "      metadata: {name: $n}"
      done
    fi
    if [ "$ns_new" -eq 1 ]; then
      echo "  - target: {kind: Namespace}"
      echo "    patch: |-"
      echo "      - op: add"
      echo "        path: /metadata/annotations"
      echo "        value: {\"$CREATED_BY_KEY\": \"$CREATED_BY_VALUE\"}"
    else
      echo "  - target: {kind: Namespace}"
      echo "    patch: |-"
      echo "      \$patch: delete"
      echo "      kind: Namespace"
      echo "      metadata: {name: $NS}"
    fi
    if [ "$secret_new" -eq 0 ]; then
      echo "  - target: {kind: Secret, name: weir-credentials}"
      echo "    patch: |-"
      echo "      \$patch: delete"
      echo "      kind: Secret"
      echo "      metadata: {name: weir-credentials}"
    fi
  } > "$dir/kustomization.yaml"
}

render() {   # render DIR: the overlay's manifests on stdout
  if have_kubectl; then
    "$KUBECTL" kustomize "$1"
  else
    note "kubectl not found: rendering with scripts/kustomize-render.py (the same output as kubectl kustomize)"
    python3 "$ROOT/scripts/kustomize-render.py" "$1"
  fi
}

print_urls() {
  local addr
  addr=$("$KUBECTL" get ingress weir -n "$NS" -o 'jsonpath={.status.loadBalancer.ingress[0].ip}{.status.loadBalancer.ingress[0].hostname}' 2>/dev/null || true)
  echo "Weir (REST API, web UI, /metrics) in namespace $NS:"
  echo "  kubectl port-forward -n $NS svc/weir 8081:8081   then http://localhost:8081/"
  if "$KUBECTL" get ingress weir -n "$NS" -o name >/dev/null 2>&1; then
    echo "  through Traefik: http://${addr:-<traefik address>}/weir/"
  else
    echo "  (no Ingress: Traefik's CRDs were not installed when it was deployed)"
  fi
  echo "  one replica: http://weir-0.weir-headless.$NS.svc:8081/ (inside the cluster)"
}

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

deploy() {
  local ns_new=1 secret_new=1 ingress=1 reachable=0
  if [ "$DRY_RUN" -eq 1 ]; then
    if cluster_reachable; then
      reachable=1
      namespace_exists && ns_new=0
      [ "$ns_new" -eq 1 ] || ! secret_exists || secret_new=0
      traefik_crds || ingress=0
    else
      note "dry run without a reachable cluster: assuming namespace $NS and Secret weir-credentials do not exist yet and Traefik's CRDs are installed"
    fi
    write_overlay "$WORK" "$ns_new" "$secret_new" "$ingress"
    note "would apply (kubectl apply -k) for namespace $NS:"
    render "$WORK"
    return 0
  fi
  need_kubectl
  need_cluster
  namespace_exists && ns_new=0
  if [ "$ns_new" -eq 0 ]; then
    secret_exists && secret_new=0
    if namespace_ours; then note "namespace $NS exists (created by an earlier deploy.sh)"; else note "namespace $NS exists: using it, it is not ours to delete"; fi
  fi
  [ "$secret_new" -eq 1 ] || note "Secret weir-credentials exists in $NS: keeping it"
  if ! traefik_crds; then
    ingress=0
    note "warning: Traefik's CRDs (middlewares.traefik.io) are not installed: deploying without the Ingress at /weir (use port-forward)"
  fi
  write_overlay "$WORK" "$ns_new" "$secret_new" "$ingress"
  "$KUBECTL" apply -k "$WORK"
  if [ "$secret_new" -eq 1 ] && grep -q REPLACE_ME "$BASE/secret.yaml"; then
    note "warning: the Secret weir-credentials holds placeholders (REPLACE_ME): set real values with 'kubectl edit secret weir-credentials -n $NS' (then 'kubectl rollout restart statefulset/weir -n $NS')"
  fi
  echo "waiting for the rollout (at most $TIMEOUT)..."
  if ! "$KUBECTL" rollout status statefulset/weir -n "$NS" --timeout="$TIMEOUT"; then
    "$KUBECTL" get pods -n "$NS" -l "$PART_OF" -o wide >&2 || true
    die "the StatefulSet weir did not become ready within $TIMEOUT: see 'kubectl describe pods -n $NS -l $PART_OF' and 'kubectl logs -n $NS weir-0' (is Kafka reachable at the bootstrap servers of deploy/kubernetes/config/weir.yaml?)"
  fi
  print_urls
}

status() {
  need_kubectl
  need_cluster
  if ! namespace_exists; then
    echo "namespace $NS does not exist: Weir is not deployed there"
    return 0
  fi
  "$KUBECTL" get statefulset,pods,services,poddisruptionbudgets,ingresses,configmaps,secrets -n "$NS" -l "$PART_OF" -o wide
  echo
  "$KUBECTL" rollout status statefulset/weir -n "$NS" --watch=false || true
  echo
  print_urls
}

# The kinds deploy.sh creates (kustomization.yaml's resources and generators).
KINDS="statefulsets.apps,services,configmaps,secrets,poddisruptionbudgets.policy,ingresses.networking.k8s.io"

cleanup() {
  if [ "$DRY_RUN" -eq 1 ]; then
    local kinds="$KINDS,middlewares.traefik.io"
    echo "would run:"
    echo "  $KUBECTL delete $kinds -n $NS -l $PART_OF --ignore-not-found --wait=true"
    echo "  $KUBECTL delete namespace $NS --wait=true    (only if its annotation $CREATED_BY_KEY is $CREATED_BY_VALUE)"
    return 0
  fi
  need_kubectl
  need_cluster
  if ! namespace_exists; then
    echo "namespace $NS does not exist: nothing to clean up"
    return 0
  fi
  local kinds="$KINDS"
  traefik_crds && kinds="$kinds,middlewares.traefik.io"
  "$KUBECTL" delete "$kinds" -n "$NS" -l "$PART_OF" --ignore-not-found --wait=true
  if namespace_ours; then
    "$KUBECTL" delete namespace "$NS" --wait=true
    echo "deleted namespace $NS (created by deploy.sh)"
  else
    echo "kept namespace $NS (deploy.sh did not create it)"
  fi
}

"$ACTION"
