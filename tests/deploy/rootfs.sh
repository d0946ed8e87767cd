#!/usr/bin/env bash
# Proves the container image's contents run without Docker: builds the root
# filesystem the Dockerfile's runtime stage describes and runs weir in it with
# chroot, as the image's non-root user.
#
#  1. `debootstrap --variant=minbase bookworm` (what debian:bookworm-slim is made
#     from, with the same docs/man/locale exclusions) and Debian's
#     bookworm, bookworm-updates and bookworm-security sources, then every RUN
#     of the runtime stage, verbatim, in the chroot (apt-get install of the
#     runtime packages, the user and its directories). Cached under
#     .build/rootfs-cache/<hash of the base and those RUN lines>, so reruns skip it.
#  2. The binary as COPY puts it (/usr/local/bin/weir) and config/weir.yaml at
#     /etc/weir/weir.yaml. `ldd` inside the chroot must find every library.
#  3. As uid 10001 (chroot --userspec), with the image's ENV and WORKDIR, on a
#     read-only view of the root with tmpfs at /tmp and /var/lib/weir (as the
#     Kubernetes manifests run it): `weir serve --help`; a file pipeline
#     (pipelines/bench-windows-file.yaml: JSON lines -> 1-minute windows ->
#     file) whose output is compared with the expected rows; and the image's
#     ENTRYPOINT + CMD (`weir serve`) with clicks-per-user registered, against
#     `weir broker` (the embedded Kafka) run in the same chroot: the
#     Dockerfile's HEALTHCHECK command must pass, /readyz answer 200, the job
#     process generated events, and SIGTERM end it with status 0.
#  4. Prints the image size estimate: the runtime packages' size measured in
#     the rootfs, plus the binary.
#
# The binary: .build/release/weir if it exists and links no Swift runtime
# library (built with --static-swift-stdlib, as the image's is), else $WEIR
# (default .build/debug/weir). A debug binary links the Swift runtime
# dynamically: its Swift .so files are copied to /usr/local/lib/swift-runtime in
# the rootfs and found through LD_LIBRARY_PATH. That stands in for the image's
# --static-swift-stdlib and is the only difference from the image's contents.
#
# Skipped (exit 0, with the reason) only where debootstrap cannot run: not root,
# debootstrap not installable, or no network to deb.debian.org.
#   tests/deploy/rootfs.sh            KEEP=1 keeps the working copy for inspection
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT_DIR="$PWD"
T0=$(date +%s.%N)
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CACHE="$ROOT_DIR/.build/rootfs-cache"
INFO="python3 tests/deploy/dockerfile_info.py Dockerfile"

skip() { echo "rootfs: SKIPPED: $*"; exit 0; }
fail() { echo "rootfs: FAIL: $*" >&2; exit 1; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(date +%s.%N)"; }

[ "$(id -u)" -eq 0 ] || skip "debootstrap and chroot need root (uid $(id -u))"
if ! command -v debootstrap >/dev/null; then
  echo "rootfs: installing debootstrap"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; } \
    || skip "debootstrap is not installed and apt-get could not install it"
fi

# --- the binary --------------------------------------------------------------
BIN=""
if [ -x .build/release/weir ] && ! ldd .build/release/weir | grep -q 'libswiftCore'; then
  BIN=.build/release/weir
else
  BIN="${WEIR:-.build/debug/weir}"
fi
[ -x "$BIN" ] || fail "no weir binary at $BIN (build it, or set WEIR)"
STATIC=1; ldd "$BIN" | grep -q libswiftCore && STATIC=0
echo "rootfs: binary $BIN ($(du -m "$BIN" | cut -f1) MiB, Swift runtime $([ $STATIC -eq 1 ] && echo static || echo 'dynamic: its .so files are copied in'))"

# --- the cached root filesystem ----------------------------------------------
BASE=$($INFO base)
[ "$BASE" = "debian:bookworm-slim" ] || fail "the runtime stage is FROM $BASE; this script builds debian:bookworm-slim's"
RUNS=$(python3 - <<'PY'
import json, subprocess, sys
sys.dont_write_bytecode = True
sys.path.insert(0, "tests/deploy")
import dockerfile_info as d
with open("Dockerfile") as f:
    ins = d.instructions(f.read())
stage = []
for w, a in ins:
    if w == "FROM":
        stage = []
    elif w == "RUN":
        stage.append(a)
print(json.dumps(stage))
PY
)
KEY=$(printf '%s\n%s\n%s\n%s\n' "v1" "$BASE" "$MIRROR" "$RUNS" | sha256sum | cut -c1-16)
FS="$CACHE/$KEY"
mkdir -p "$CACHE"
MOUNTS=()
cleanup() {
  local rc=$?
  for pid in "${BG[@]:-}"; do [ -n "$pid" ] && { kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; } || true; done
  for ((i=${#MOUNTS[@]}-1; i>=0; i--)); do umount -l "${MOUNTS[$i]}" 2>/dev/null || true; done
  if [ -n "${VIEW:-}" ] && [ -z "${KEEP:-}" ]; then rmdir "$VIEW" 2>/dev/null || true; fi
  exit $rc
}
BG=()
trap cleanup EXIT
mnt() { mount "$@"; MOUNTS+=("${!#}"); }

if [ -f "$FS/.complete" ]; then
  echo "rootfs: cached root filesystem $FS"
  BUILD_S=0
else
  T1=$(date +%s.%N)
  TMP="$FS.tmp"
  rm -rf "$TMP"; mkdir -p "$CACHE/debs"
  echo "rootfs: debootstrap --variant=minbase bookworm $TMP (first run; cached afterwards)"
  if ! debootstrap --variant=minbase --cache-dir="$CACHE/debs" bookworm "$TMP" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1; then
    if ! curl -s -m 10 -o /dev/null "$MIRROR/dists/bookworm/Release"; then
      rm -rf "$TMP"; skip "no network to $MIRROR (debootstrap cannot fetch packages)"
    fi
    tail -20 "$CACHE/debootstrap.log" >&2; fail "debootstrap failed (log: $CACHE/debootstrap.log)"
  fi
  # What debian:bookworm-slim has beyond minbase: Debian's three suites, and no
  # documentation, manual pages or translations installed by later packages.
  cat > "$TMP/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
  cat > "$TMP/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
EOF
  rm -rf "$TMP"/usr/share/doc/*/[!c]* "$TMP"/usr/share/man/* "$TMP"/usr/share/info/* "$TMP"/usr/share/locale/*
  apt_clean() { chroot "$TMP" apt-get clean; rm -rf "$TMP"/var/lib/apt/lists/* "$TMP"/var/cache/apt/*.bin; }
  cp /etc/resolv.conf "$TMP/etc/resolv.conf"
  mnt -t proc proc "$TMP/proc"
  chroot "$TMP" apt-get update -qq > "$CACHE/apt.log" 2>&1 || { tail "$CACHE/apt.log" >&2; fail "apt-get update in the chroot failed"; }
  DEBIAN_FRONTEND=noninteractive chroot "$TMP" apt-get upgrade -y -qq >> "$CACHE/apt.log" 2>&1 || fail "apt-get upgrade in the chroot failed"
  apt_clean
  du -skx "$TMP" | cut -f1 > "$TMP/.size-base-kib"
  # The runtime stage's RUN instructions, verbatim (sh -c, as Docker runs them).
  python3 -c 'import json,sys; [print(r + "\0", end="") for r in json.loads(sys.argv[1])]' "$RUNS" |
  while IFS= read -r -d '' run; do
    echo "rootfs: RUN ${run:0:100}..."
    chroot "$TMP" /bin/sh -c "$run" >> "$CACHE/apt.log" 2>&1 || { tail -20 "$CACHE/apt.log" >&2; fail "the Dockerfile's RUN failed in the chroot: $run"; }
  done
  apt_clean
  umount "$TMP/proc"; MOUNTS=()
  du -skx "$TMP" | cut -f1 > "$TMP/.size-packages-kib"
  rm -f "$TMP/etc/resolv.conf"; : > "$TMP/etc/resolv.conf"
  touch "$TMP/.complete"
  rm -rf "$FS"; mv "$TMP" "$FS"
  BUILD_S=$(elapsed "$T1")
  echo "rootfs: built in ${BUILD_S} s"
fi

# --- the image's files -------------------------------------------------------
T2=$(date +%s.%N)
install -m 0755 "$BIN" "$FS/usr/local/bin/weir"
install -m 0644 config/weir.yaml "$FS/etc/weir/weir.yaml"
rm -rf "$FS/usr/local/lib/swift-runtime"
LDPATH=""
if [ "$STATIC" -eq 0 ]; then
  # Stand-in for --static-swift-stdlib (see the header): the Swift .so files the binary loads.
  mkdir -p "$FS/usr/local/lib/swift-runtime"
  ldd "$BIN" | awk '$3 ~ /\/usr\/lib\/swift\/linux\// {print $3}' | while read -r so; do cp -L "$so" "$FS/usr/local/lib/swift-runtime/"; done
  LDPATH=/usr/local/lib/swift-runtime
fi
missing=$(chroot "$FS" /usr/bin/env LD_LIBRARY_PATH="$LDPATH" ldd /usr/local/bin/weir | grep 'not found' || true)
[ -z "$missing" ] || fail "in the image's root filesystem weir lacks: $missing"
echo "rootfs: ldd in the chroot: every library found"

UIDGID=$($INFO run_user)
WORKDIR=$($INFO workdir)
HOME_DIR=$WORKDIR
ENVS=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$HOME_DIR")
while IFS= read -r kv; do ENVS+=("$kv"); done < <($INFO env | python3 -c 'import json,sys; [print(f"{k}={v}") for k,v in json.load(sys.stdin).items()]')
[ -z "$LDPATH" ] || ENVS+=(LD_LIBRARY_PATH="$LDPATH")
getent_uid=$(chroot "$FS" getent passwd weir | cut -d: -f3)
[ "$getent_uid:$(chroot "$FS" getent passwd weir | cut -d: -f4)" = "$UIDGID" ] || fail "user weir in the rootfs is not $UIDGID (found uid $getent_uid)"

# A read-only view of the root with the writable places the Kubernetes pod has.
VIEW=$(mktemp -d /tmp/weir-rootfs-view.XXXXXX)
READONLY=1
if mnt --bind "$FS" "$VIEW" 2>/dev/null && mount -o remount,bind,ro "$VIEW" 2>/dev/null; then
  mnt -t tmpfs -o mode=1777,size=64m tmpfs "$VIEW/tmp"
  mnt -t tmpfs -o "mode=0750,uid=${UIDGID%%:*},gid=${UIDGID##*:},size=256m" tmpfs "$VIEW/var/lib/weir"
else
  READONLY=0; VIEW="$FS"
  echo "rootfs: note: cannot mount a read-only view here; running on the writable root"
fi
mnt -t proc proc "$VIEW/proc"
mnt --bind /dev "$VIEW/dev"

# in_image ARGS...: runs ARGS as the image's user, environment and working directory.
in_image() { chroot --userspec="$UIDGID" "$VIEW" /usr/bin/env -i "${ENVS[@]}" "${EXTRA_ENV[@]}" /usr/bin/env -C "$WORKDIR" "$@"; }
# in_image_bg ARGS...: the same in the background; $! is then weir's own pid (every step execs).
in_image_bg() { ( exec chroot --userspec="$UIDGID" "$VIEW" /usr/bin/env -i "${ENVS[@]}" "${EXTRA_ENV[@]}" /usr/bin/env -C "$WORKDIR" "$@" ) & }
EXTRA_ENV=()

# 1. weir serve --help
out=$(in_image weir serve --help 2>&1) || fail "weir serve --help exited non-zero: $out"
grep -q 'USAGE: weir serve' <<<"$out" || fail "weir serve --help printed: $out"
echo "rootfs: ok: weir serve --help (as uid ${UIDGID%%:*}, root read-only: $([ $READONLY -eq 1 ] && echo yes || echo no))"

# 2. a file pipeline: the repository's pipelines/bench-windows-file.yaml over a small input.
W="$VIEW/var/lib/weir"
mkdir -p "$W/pipelines"; cp pipelines/bench-windows-file.yaml "$W/pipelines/"
python3 - "$W/events.jsonl" "$W/expected.json" <<'PY'
import json, random, sys
random.seed(7)
events, expected = [], {}
t0 = 1_795_600_800_000
for i in range(3000):
    ts = t0 + i * 97 + random.randint(-900, 900)   # ~5 minutes; at most 1.8 s out of order (the watermark allows 2 s)
    u = f"u{random.randint(1, 25)}"
    amount = round(random.uniform(0, 50), 2)
    events.append({"user_id": u, "ts": ts, "amount": amount, "event": "click"})
    k = (u, ts // 60000 * 60000)
    e = expected.setdefault(k, [0, 0, None, None])
    cents = round(amount * 100)
    e[0] += 1; e[1] += cents
    e[2] = cents if e[2] is None else min(e[2], cents); e[3] = cents if e[3] is None else max(e[3], cents)
with open(sys.argv[1], "w") as f:
    for e in events: f.write(json.dumps(e) + "\n")
with open(sys.argv[2], "w") as f:
    json.dump({f"{u}|{w}": v for (u, w), v in expected.items()}, f)
PY
chown -R "$UIDGID" "$W"
out=$(in_image weir run pipelines/bench-windows-file.yaml --input events.jsonl --output windows.jsonl 2>&1) \
  || fail "weir run (file pipeline) failed: $out"
python3 - "$W/windows.jsonl" "$W/expected.json" <<'PY' || fail "the file pipeline's output differs from the expected windows"
import json, sys
from decimal import Decimal
expected = json.load(open(sys.argv[2]))
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
got = {}
for r in rows:
    k = f"{r['user_id']}|{r['window_start']}"
    if k in got:
        print("rootfs: twice:", k); sys.exit(1)
    c = lambda x: int(Decimal(repr(x)) * 100)
    got[k] = [r["cnt"], c(r["total"]), c(r["min_amount"]), c(r["max_amount"])]
bad = [k for k in expected if got.get(k) != expected[k]] + [k for k in got if k not in expected]
for k in bad[:5]:
    print("rootfs: window", k, "expected", expected.get(k), "got", got.get(k))
print(f"rootfs: ok: file pipeline: {len(rows)} windows, {len(expected)} expected, {len(bad)} differ")
sys.exit(1 if bad else 0)
PY

# 3. the image's ENTRYPOINT + CMD against the embedded broker, HEALTHCHECK, /readyz, SIGTERM.
port_free() { python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$1" 2>/dev/null; }
PORT=8081; port_free $PORT || PORT=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
in_image_bg weir broker --topic input-topic:4 --topic output-topic:4 --topic clicks-dlq:4 --topic clicks-late:4 \
  --topic clicks-per-user-state:4 --registry-dir /tmp/registry > "$W/bs.txt" 2> "$W/broker.log"
BG+=($!)
for _ in $(seq 100); do [ -s "$W/bs.txt" ] && break; sleep 0.1; done
BS=$(head -1 "$W/bs.txt"); [ -n "$BS" ] || fail "weir broker did not start in the chroot: $(tail -5 "$W/broker.log")"
# /etc/weir/pipelines holds what compose and Kubernetes mount there: clicks-per-user.
if [ "$READONLY" -eq 1 ]; then
  mnt -t tmpfs -o mode=0755,size=1m tmpfs "$VIEW/etc/weir/pipelines"
fi
cp pipelines/clicks-per-user.yaml "$VIEW/etc/weir/pipelines/"
mapfile -t ENTRY < <($INFO entrypoint | python3 -c 'import json,sys; [print(a) for a in json.load(sys.stdin)]')
mapfile -t CMD < <($INFO cmd | python3 -c 'import json,sys; [print(a) for a in json.load(sys.stdin)]')
EXTRA_ENV=(WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS" WEIR_INSTANCE_ID=rootfs WEIR_REST_PORT="$PORT")
in_image_bg "${ENTRY[@]}" "${CMD[@]}" > "$W/serve.log" 2>&1
SERVE=$!; BG+=($SERVE)
HC=$($INFO healthcheck | python3 -c 'import json,sys; c=json.load(sys.stdin)["cmd"]; assert c[:2]==["bash","-c"], c; print(c[2])')
ok=0
for _ in $(seq 60); do
  if in_image bash -c "$HC" 2>/dev/null; then ok=1; break; fi
  kill -0 $SERVE 2>/dev/null || break
  sleep 0.5
done
[ $ok -eq 1 ] || fail "the Dockerfile's HEALTHCHECK did not pass within 30 s: $(tail -5 "$W/serve.log")"
echo "rootfs: ok: ${ENTRY[*]} ${CMD[*]} runs; the Dockerfile's HEALTHCHECK passes"
in_image weir generate --bootstrap "$BS" --topic input-topic --events 5000 > /dev/null 2>&1 || fail "weir generate failed in the chroot"
records=0
for _ in $(seq 120); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/readyz" || true)
  records=$(curl -s "http://127.0.0.1:$PORT/metrics" | awk '/^weir_records_in_total\{/ {s += $2} END {printf "%d", s}')
  [ "$code" = 200 ] && [ "${records:-0}" -ge 5000 ] && break
  sleep 0.5
done
[ "$code" = 200 ] || fail "/readyz answered $code"
[ "${records:-0}" -ge 5000 ] || fail "the job read ${records:-0} of 5000 events: $(tail -5 "$W/serve.log")"
echo "rootfs: ok: /readyz 200; clicks-per-user read $records events (weir_records_in_total)"
kill -TERM $SERVE
rc=0; for _ in $(seq 400); do kill -0 $SERVE 2>/dev/null || break; sleep 0.1; done
kill -0 $SERVE 2>/dev/null && fail "weir serve still runs 40 s after SIGTERM"
wait $SERVE || rc=$?
[ $rc -eq 0 ] || fail "weir serve exited with $rc after SIGTERM: $(tail -5 "$W/serve.log")"
echo "rootfs: ok: SIGTERM -> weir serve exited 0"
RUN_S=$(elapsed "$T2")

# --- size --------------------------------------------------------------------
base_kib=$(cat "$FS/.size-base-kib"); pk_kib=$(cat "$FS/.size-packages-kib")
bin_kib=$(du -k "$BIN" | cut -f1)
python3 - "$base_kib" "$pk_kib" "$bin_kib" "$STATIC" <<'PY'
import sys
base, pk, binary, static = (int(x) for x in sys.argv[1:])
added = (pk - base) / 1024
print(f"rootfs: minbase root {base/1024:.1f} MiB; the runtime stage's RUN lines add {added:.1f} MiB "
      f"(packages and user); the binary here is {binary/1024:.1f} MiB"
      + ("" if static else " (a debug build, not the image's: see docs/deployment.md for the release estimate)"))
PY
echo "rootfs: passed (root filesystem: $([ "$BUILD_S" = 0 ] && echo cached || echo "built in $BUILD_S s"); runs: $RUN_S s; total $(elapsed "$T0") s)"
