#!/usr/bin/env bash
# Kestrel load benchmark: what each way of writing visitor cookies costs a real server, against a
# bare MapGet("/") app measured in the same run. Not part of scripts/test.sh.
#
# Each variant is a mode of tests/Benchmarks (Benchmarks.dll kestrel <variant> <port>) on
# 127.0.0.1, Production environment, logging at Warning, pinned to one core; wrk is pinned to the
# other. Every request is a top-level navigation from desktop Chrome. For each variant and visitor
# kind (returning: the cookies a browser holds after its first navigation; new: no cookie) the script
# runs bare and the variant back to back, PAIRS times, and prints the median of the pairs' ratios,
# the Set-Cookie headers a response carries, and the Cookie header a returning visitor sends.
#
#   scripts/bench-kestrel.sh                 # about 6 minutes on 2 cores
#   QUICK=1 scripts/bench-kestrel.sh         # about 2 minutes, a smoke run
#   PAIRS=5 DURATION=10 CONNECTIONS=32 VARIANTS="firstparty profiles" scripts/bench-kestrel.sh
#   BASE_REF=16c0f97 scripts/bench-kestrel.sh   # before and after in the same run
#
# Settings (environment): PAIRS (5), DURATION seconds per wrk run (3), WARMUP seconds per server
# and visitor kind (3), CONNECTIONS (16), VARIANTS (handwritten cookiepolicy firstparty profiles),
# SERVER_CPU (0), CLIENT_CPU (1), NO_BUILD=1 to reuse the last Release build, BASE_REF (a git
# revision: its library is built with this tree's server modes and its FirstParty variants run as
# "<variant>@base" beside the current ones, so a change is measured against what it changed).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${QUICK:-0}" = 1 ]; then
  pairs="${PAIRS:-2}" duration="${DURATION:-2}" warmup="${WARMUP:-1}"
else
  pairs="${PAIRS:-5}" duration="${DURATION:-3}" warmup="${WARMUP:-3}"
fi
connections="${CONNECTIONS:-16}"
read -r -a variants <<<"${VARIANTS:-handwritten cookiepolicy firstparty profiles}"
server_cpu="${SERVER_CPU:-0}"
client_cpu="${CLIENT_CPU:-1}"
host="www.example.co.uk"
user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
dll=tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll

# Cookies a new visitor must get, or the variant is not measuring what it claims (name prefixes).
declare -A expected=(
  [handwritten]="vid= sid="
  [cookiepolicy]="vid= sid="
  [firstparty]="_fp_id= _fp_ses="
  [profiles]="_fp_id= _fp_ses= _sp_id. _sp_ses. AMP_ _ga="
)
declare -A label=(
  [firstparty@base]="FirstParty (Implied), before (${BASE_REF:-})"
  [profiles@base]="FirstParty + Snowplow, Amplitude, GA4, before (${BASE_REF:-})"
  [bare]="bare MapGet(\"/\")"
  [handwritten]="hand-written GUID cookies"
  [cookiepolicy]="CookiePolicy + hand-written"
  [firstparty]="FirstParty (Implied)"
  [profiles]="FirstParty + Snowplow, Amplitude, GA4"
)
if [ -n "${BASE_REF:-}" ]; then
  with_base=()
  for variant in "${variants[@]}"; do
    case $variant in firstparty | profiles) with_base+=("$variant@base") ;; esac
    with_base+=("$variant")
  done
  variants=("${with_base[@]}")
fi
for variant in "${variants[@]}"; do
  if [ -z "${label[$variant]:-}" ] || [ "$variant" = bare ]; then
    echo "Unknown variant '$variant' (known: handwritten cookiepolicy firstparty profiles)." >&2
    exit 2
  fi
done

if [ "$(nproc)" -lt 2 ]; then
  echo "This benchmark pins the server and wrk to different cores: it needs at least 2." >&2
  exit 2
fi

if ! command -v wrk >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing wrk from Debian's packages..."
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
for tool in curl taskset dotnet; do
  command -v "$tool" >/dev/null || { echo "$tool is required." >&2; exit 2; }
done

if [ "${NO_BUILD:-0}" != 1 ]; then
  echo "Building tests/Benchmarks (Release)..."
  dotnet build tests/Benchmarks -c Release -nologo -v quiet >/dev/null
fi

work=$(mktemp -d)
base_dll=""
if [ -n "${BASE_REF:-}" ]; then
  # The base revision's library behind this tree's server modes: only the library differs. The
  # harness files are copied in; the base's own benchmarks compile against its own library.
  base_tree="$work/base"
  git worktree add -q --detach "$base_tree" "$BASE_REF"
  for file in Program.cs KestrelApps.cs PipelineProfile.cs VisitorPipelineBenchmarks.cs BenchmarkHost.cs; do
    cp "tests/Benchmarks/$file" "$base_tree/tests/Benchmarks/$file"
  done
  echo "Building tests/Benchmarks at $BASE_REF (Release)..."
  dotnet build "$base_tree/tests/Benchmarks" -c Release -nologo -v quiet >/dev/null
  base_dll="$base_tree/tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll"
fi
declare -A server_pid=() server_port=()
stop_server() {
  local pid="${server_pid[$1]:-}" status=0
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || status=$?
    unset "server_pid[$1]"
    # 143 is the SIGTERM just sent; anything else is the server's own failure, worth seeing.
    if [ "$status" -ne 0 ] && [ "$status" -ne 143 ]; then
      echo "warning: the $1 server exited with status $status; the end of its log:" >&2
      tail -n 20 "$work/$1.log" >&2
    fi
  fi
}
cleanup() {
  local variant
  for variant in "${!server_pid[@]}"; do
    stop_server "$variant"
  done
  if [ -n "$base_dll" ]; then
    git worktree remove --force "$work/base" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_server() {
  local variant=$1 port pid server_dll=$dll
  [[ $variant != *@base ]] || server_dll=$base_dll
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    # Something already listens there: pick another. A port taken between this check and the bind
    # makes the server exit, and the next attempt picks another.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue
    fi
    taskset -c "$server_cpu" dotnet "$server_dll" kestrel "${variant%@base}" "$port" >"$work/$variant.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 150); do
      if grep -q '^listening on' "$work/$variant.log"; then
        server_pid[$variant]=$pid
        server_port[$variant]=$port
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  echo "Could not start the $variant server:" >&2
  cat "$work/$variant.log" >&2
  return 1
}

# One navigation with curl; prints the response headers (CRLF removed).
navigate() {
  local port=$1 cookie=$2 args=()
  [ -z "$cookie" ] || args=(-H "Cookie: $cookie")
  curl -sS -o /dev/null -D - --max-time 10 "${args[@]}" \
    -H "Host: $host" -H "Accept: text/html" -H "Sec-Fetch-Dest: document" -H "Sec-Fetch-Mode: navigate" \
    -A "$user_agent" "http://127.0.0.1:$port/" | tr -d '\r'
}

set_cookies() { grep -i '^set-cookie:' || true; }

# The Cookie header a browser sends after navigating: navigations until the server sets nothing
# new (a FirstParty site may write the SDK cookies on a later page), each cookie by name, latest value.
returning_cookie() {
  local port=$1 cookie="" headers line pair name
  local -a names=()
  local -A values=()
  for _ in 1 2 3 4; do
    headers=$(navigate "$port" "$cookie")
    [[ "$headers" == "HTTP/1.1 200"* ]] || { echo "The server on port $port answered: ${headers%%$'\n'*}" >&2; return 1; }
    [ -n "$(set_cookies <<<"$headers")" ] || break
    while IFS= read -r line; do
      pair=${line#*: }
      pair=${pair%%;*}
      name=${pair%%=*}
      [ -n "${values[$name]+set}" ] || names+=("$name")
      values[$name]=${pair#*=}
    done < <(set_cookies <<<"$headers")
    cookie=""
    for name in "${names[@]}"; do
      cookie="${cookie:+$cookie; }$name=${values[$name]}"
    done
  done
  printf '%s' "$cookie"
}

# Fails when a new visitor's first navigation does not get every cookie the variant must write.
check_new_visitor() {
  local variant=$1 port=$2 headers prefix prefixes
  read -r -a prefixes <<<"${expected[${variant%@base}]}"
  headers=$(navigate "$port" "" | set_cookies)
  for prefix in "${prefixes[@]}"; do
    if ! grep -qi "^set-cookie: $prefix" <<<"$headers"; then
      echo "The $variant server did not set ${prefix%=}... for a new visitor; its Set-Cookie headers:" >&2
      echo "${headers:-(none)}" >&2
      return 1
    fi
  done
}

# "count/bytes" of the Set-Cookie header lines of one navigation, bytes as on the wire (with CRLF).
set_cookie_stats() {
  local headers count bytes
  headers=$(navigate "$1" "$2")
  count=$(set_cookies <<<"$headers" | grep -c . || true)
  bytes=$(set_cookies <<<"$headers" | awk '{ n += length($0) + 2 } END { print n + 0 }')
  echo "$count/$bytes"
}

cat >"$work/navigate.lua" <<LUA
wrk.method = "GET"
wrk.headers["Host"] = "$host"
wrk.headers["Accept"] = "text/html"
wrk.headers["Sec-Fetch-Dest"] = "document"
wrk.headers["Sec-Fetch-Mode"] = "navigate"
wrk.headers["User-Agent"] = "$user_agent"
local cookie = os.getenv("BENCH_COOKIE")
if cookie ~= nil and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
LUA

# CPU time the server process (every thread) has used, in clock ticks.
server_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ticks_per_second=$(getconf CLK_TCK)

# One wrk run against a variant's server: prints "requests/s requests-per-server-CPU-second"; warns
# when a response was not 2xx/3xx or a socket failed. The second number leaves out the share of the
# server's core that other processes take (a contended core still costs it cache misses and switches).
run_wrk() {
  local variant=$1 cookie=$2 seconds=$3 output before after
  before=$(server_ticks "${server_pid[$variant]}")
  output=$(BENCH_COOKIE="$cookie" taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"${seconds}s" \
    -s "$work/navigate.lua" "http://127.0.0.1:${server_port[$variant]}/")
  after=$(server_ticks "${server_pid[$variant]}")
  if grep -qE 'Non-2xx|Socket errors' <<<"$output"; then
    echo "wrk on the $variant server reported errors:" >&2
    grep -E 'Non-2xx|Socket errors' <<<"$output" >&2
  fi
  awk -v ticks=$((after - before)) -v hz="$ticks_per_second" '
    / requests in / { requests = $1 }
    /^Requests\/sec:/ { rps = $2 }
    END { printf "%s %.0f\n", rps, (ticks > 0 ? requests * hz / ticks : 0) }' <<<"$output"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

runs=$((${#variants[@]} * 2 * pairs * 2))
echo "Kestrel load: ${#variants[@]} variants x 2 visitor kinds x $pairs pairs, ${duration}s per run ($runs runs), wrk -t1 -c$connections"
echo "server on CPU $server_cpu, wrk on CPU $client_cpu; warm-up ${warmup}s per server and visitor kind"

start_server bare
run_wrk bare "" "$warmup" >/dev/null
declare -A result=()
bare_all=""
for variant in "${variants[@]}"; do
  start_server "$variant"
  port=${server_port[$variant]}
  check_new_visitor "$variant" "$port"
  cookie=$(returning_cookie "$port")
  new_stats=$(set_cookie_stats "$port" "")
  returning_stats=$(set_cookie_stats "$port" "$cookie")
  run_wrk "$variant" "$cookie" "$warmup" >/dev/null
  run_wrk "$variant" "" "$warmup" >/dev/null
  for kind in returning new; do
    request_cookie=""
    [ "$kind" = new ] || request_cookie=$cookie
    bare_rps="" variant_rps="" pair_ratios="" cpu_ratios=""
    for pair in $(seq 1 "$pairs"); do
      # A fresh returning visitor for each run: a browser keeps the session cookie a refresh writes
      # (FirstParty refreshes it once a minute by default), wrk would resend the stale one and make
      # every later response a refresh.
      [ "$kind" = new ] || request_cookie=$(returning_cookie "$port")
      # Alternate which runs first so a drift of the machine's load does not favour one side.
      if [ $((pair % 2)) = 1 ]; then
        read -r one_bare one_bare_cpu <<<"$(run_wrk bare "" "$duration")"
        read -r one_variant one_variant_cpu <<<"$(run_wrk "$variant" "$request_cookie" "$duration")"
      else
        read -r one_variant one_variant_cpu <<<"$(run_wrk "$variant" "$request_cookie" "$duration")"
        read -r one_bare one_bare_cpu <<<"$(run_wrk bare "" "$duration")"
      fi
      bare_rps+=" $one_bare"
      variant_rps+=" $one_variant"
      pair_ratios+=" $(ratio "$one_variant" "$one_bare")"
      cpu_ratios+=" $(ratio "$one_variant_cpu" "$one_bare_cpu")"
    done
    if [ "$kind" = returning ]; then
      # Counted once before the runs; a refresh that fell due during the last run shows here.
      returning_after=$(set_cookie_stats "$port" "$request_cookie")
      if [ "$returning_after" != "$returning_stats" ]; then
        echo "  note: $variant's returning visitor got $returning_after Set-Cookie (count/bytes) after its last run, $returning_stats before the runs"
      fi
    fi
    bare_all+="$bare_rps"
    result[$variant.$kind]=$(median <<<"$pair_ratios")
    result[$variant.$kind.cpu]=$(median <<<"$cpu_ratios")
    echo "  $variant, $kind: rps bare$bare_rps | $variant$variant_rps | ratios$pair_ratios | per CPU-s ratios$cpu_ratios"
  done
  result[$variant.setcookie]="${returning_stats%/*} / ${new_stats%/*}"
  result[$variant.setbytes]="${returning_stats#*/} / ${new_stats#*/}"
  result[$variant.cookie]=${#cookie}
  stop_server "$variant"
done
stop_server bare


echo
echo "| variant | returning rps / bare | new rps / bare | returning req per server CPU-s / bare | new req per server CPU-s / bare | Set-Cookie headers per response (returning / new) | Set-Cookie bytes per response (returning / new) | Cookie request header bytes (returning) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
printf '| %s (median rps) | %.0f | %.0f | | | 0 / 0 | 0 / 0 | 0 |\n' "${label[bare]}" \
  "$(median <<<"$bare_all")" "$(median <<<"$bare_all")"
for variant in "${variants[@]}"; do
  printf '| %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %s |\n' "${label[$variant]}" \
    "${result[$variant.returning]}" "${result[$variant.new]}" \
    "${result[$variant.returning.cpu]}" "${result[$variant.new.cpu]}" \
    "${result[$variant.setcookie]}" "${result[$variant.setbytes]}" "${result[$variant.cookie]}"
done
echo
echo "Ratios: the median over $pairs alternating pairs of variant / bare, each pair run back to back."
echo "Requests per server CPU-second: requests wrk completed over the CPU time the server process used"
echo "meanwhile (/proc): it leaves out the time other processes take from the server's core."
echo "Cookie request header bytes: the value a returning visitor sends (add 10 for 'Cookie: ' and CRLF)."
echo "Bare gets no Cookie header. Whole run: ${SECONDS}s."
