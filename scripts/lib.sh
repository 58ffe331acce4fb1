# Shared shell helpers. Source from the repo root.
VENV="$PWD/.tools/venv"
# Where cargo puts binaries (CARGO_TARGET_DIR when set, as when a clone shares a build).
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export PATH="$VENV/bin:$PATH"

# step WHAT: a heading, with the time since the first step of this shell (where a long
# command's minutes go).
step() {
  export STEPS_STARTED="${STEPS_STARTED:-$(date +%s)}"
  printf '\n\033[1m==> [%ss] %s\033[0m\n' "$(( $(date +%s) - STEPS_STARTED ))" "$*"
}

# Install the local tools into .tools/venv once (again when requirements change).
bootstrap_tools() {
  local stamp="$VENV/.installed-$(sha256sum scripts/requirements-dev.txt | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    step "installing local tools into .tools/venv: moto server, cargo-lambda, cfn-lint, aws-sam-cli (~1-2 min, once)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/pip" install --disable-pip-version-check --progress-bar off -r scripts/requirements-dev.txt \
      | grep -E '^(Successfully|ERROR)' || true
    "$VENV/bin/moto_server" --help >/dev/null
    touch "$stamp"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_moto PORT LOGFILE: start moto_server in the background, wait until it answers.
# Sets MOTO_PID. The caller traps EXIT to stop it.
start_moto() {
  local port="$1" log="$2"
  if curl -s -o /dev/null "http://127.0.0.1:$port/moto-api/" 2>/dev/null; then
    echo "port $port is already in use (a moto_server left running? stop it, or set MOTO_PORT)" >&2
    return 1
  fi
  # moto's server with DynamoDB's per-item write serialisation (scripts/moto_server.py).
  python3 "$(dirname "${BASH_SOURCE[0]}")/moto_server.py" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  MOTO_PID=$!
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/moto-api/"; then
      return 0
    fi
    if ! kill -0 "$MOTO_PID" 2>/dev/null; then
      echo "moto_server failed to start; its log:" >&2
      cat "$log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "moto_server did not answer on port $port within 20 s" >&2
  return 1
}

stop_moto() {
  if [ -n "${MOTO_PID:-}" ]; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
    MOTO_PID=
  fi
}

# wait_http URL PID WHAT: wait (up to 60 s) until URL answers; fail early if PID died.
wait_http() {
  local url="$1" pid="$2" what="$3"
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "$url" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$what exited before answering on $url" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "$what did not answer on $url within 60 s" >&2
  return 1
}

# The Lambda function packages: every workspace member under functions/ (cargo metadata),
# as `-p NAME` arguments with --flags, `--bin NAME` with --bins (the binary is the package).
function_packages() {
  cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
names = sorted(p["name"] for p in json.load(sys.stdin)["packages"] if "/functions/" in p["manifest_path"])
flag = {"--flags": "-p ", "--bins": "--bin "}.get((sys.argv[1:] or [""])[0], "")
print(" ".join(flag + n for n in names))' "$@"
}

# build_output_kb: KiB in $TARGET_DIR and the checkout's .aws-sam (either may not exist yet).
build_output_kb() {
  { du -sk "$TARGET_DIR" .aws-sam 2>/dev/null || true; } | awk '{s += $1} END {print s + 0}'
}

# disk_check GB WHAT: fail early, with what to do, unless the build output ($TARGET_DIR and
# the checkout's .aws-sam) can grow to GB gibibytes on its disk; a build that runs out of
# disk dies much later, in the linker (`ld terminated with signal 7 [Bus error]`).
disk_check() {
  local need_gb="$1" what="$2" used_kb free_kb need_kb
  mkdir -p "$TARGET_DIR"
  used_kb=$(build_output_kb)
  free_kb=$(df -Pk "$TARGET_DIR" | awk 'NR == 2 {print $4}')
  need_kb=$(( need_gb * 1024 * 1024 - used_kb ))
  printf 'disk: build output %s GiB so far, %s GiB free on the disk of %s\n' \
    "$(( used_kb / 1048576 ))" "$(( free_kb / 1048576 ))" "$TARGET_DIR"
  if [ "$need_kb" -gt "$free_kb" ]; then
    echo "$what needs about $need_gb GiB of build output (now $(( used_kb / 1048576 )) GiB) and the disk has $(( free_kb / 1048576 )) GiB free." >&2
    echo "Free some space, or set CARGO_TARGET_DIR to a directory on a larger disk." >&2
    return 1
  fi
}

# disk_report: how much the build output takes (printed at the end of long commands).
disk_report() {
  local kb
  kb=$(build_output_kb)
  printf 'build output: %s MiB in %s and .aws-sam\n' "$(( kb / 1024 ))" "$TARGET_DIR"
}
