#!/usr/bin/env bash
# Runs every FirstParty test: unit, WebApplicationFactory integration and real-browser tests.
# Installs what the tests need when it is missing (Debian's chromium, publicsuffix, nodejs, npm,
# postgresql and redis-server packages; axe-core from npm),
# builds the whole solution (benchmarks included) with warnings as errors, runs the tests, and
# ends with one line "N passed, N failed" summed from the TRX results (after a line "N skipped"). A test
# project that runs no tests or writes no results counts as a failed test.
set -uo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
results="${TEST_RESULTS:-TestResults}"

install_missing() {
  local packages=()
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  [ -f /usr/share/publicsuffix/public_suffix_list.dat ] || packages+=(publicsuffix)
  command -v unzip >/dev/null || packages+=(unzip)
  command -v npm >/dev/null || packages+=(nodejs npm)
  command -v pg_virtualenv >/dev/null || packages+=(postgresql)
  { command -v redis-server >/dev/null && command -v redis-cli >/dev/null; } || packages+=(redis-server)
  [ ${#packages[@]} -eq 0 ] && return 0

  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${packages[*]} from Debian's packages..."
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
}

sum_counter() {
  # Sums one attribute of the <Counters> element across every TRX file.
  local total=0 value
  for value in $(grep -ho "<Counters [^>]*" "$results"/*.trx 2>/dev/null | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*"); do
    total=$((total + value))
  done
  echo "$total"
}

trx_counter() {
  # One attribute of the <Counters> element of one TRX file (empty when the file has none).
  grep -ho "<Counters [^>]*" "$1" 2>/dev/null | grep -o " $2=\"[0-9]*\"" | grep -o "[0-9]*" | head -n 1
}

if ! install_missing; then
  echo "Could not install the test prerequisites (chromium, publicsuffix, nodejs, npm, postgresql, redis-server)." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# JavaScript the browser tests inject (axe-core), pinned by package-lock.json, from the npm registry.
browser_modules=tests/FirstParty.AspNetCore.BrowserTests/node_modules
if [ ! -f "$browser_modules/axe-core/axe.min.js" ]; then
  if ! npm ci --prefix tests/FirstParty.AspNetCore.BrowserTests --no-audit --no-fund --silent; then
    echo "npm ci failed for the browser tests' packages."
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

# The sample serves the real SDKs from its own npm packages; the browser tests load them through it.
if [ ! -f samples/RazorPagesSample/node_modules/@snowplow/browser-tracker/dist/index.umd.min.js ] \
  || [ ! -f samples/RazorPagesSample/node_modules/@amplitude/analytics-browser/lib/scripts/amplitude-min.umd.js ] \
  || [ ! -f samples/RazorPagesSample/node_modules/amplitude-js/amplitude.umd.min.js ]; then
  if ! npm ci --prefix samples/RazorPagesSample --no-audit --no-fund --silent; then
    echo "npm ci failed for the sample's analytics SDKs."
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

# The Blazor sample serves Snowplow's tracker from its own npm package; its browser tests load it.
if [ ! -f samples/BlazorSample/node_modules/@snowplow/browser-tracker/dist/index.umd.min.js ]; then
  if ! npm ci --prefix samples/BlazorSample --no-audit --no-fund --silent; then
    echo "npm ci failed for the Blazor sample's Snowplow tracker."
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

# esbuild, pinned by package-lock.json: a unit test rebuilds wwwroot/firstparty.js from its readable
# source and checks the committed file is that build.
if [ ! -f src/FirstParty.AspNetCore/Scripts/node_modules/esbuild/package.json ]; then
  if ! npm ci --prefix src/FirstParty.AspNetCore/Scripts --no-audit --no-fund --silent; then
    echo "npm ci failed for the script's build (esbuild)."
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

rm -rf "$results"
if ! dotnet build Middleware.sln -c "$configuration" -warnaserror -nologo -v quiet; then
  echo "The build failed."
  echo "0 passed, 1 failed"
  exit 1
fi

# Every package must pack with its README, icon, licence metadata and, where it embeds third-party data,
# the notices. Each archive is read into variables first: piping unzip into "grep -q" under pipefail
# fails at random when grep exits before unzip has finished writing (SIGPIPE).
packages=$(mktemp -d)
pack_problem=""
for library in src/*/*.csproj; do
  id=$(basename "$library" .csproj)
  if ! dotnet pack "$library" -c "$configuration" --no-build --nologo -v quiet -o "$packages" >/dev/null; then
    pack_problem="${pack_problem:+$pack_problem; }dotnet pack failed for $id"
    continue
  fi
  package="$packages/$id.$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1).nupkg"
  if [ ! -f "$package" ]; then
    pack_problem="${pack_problem:+$pack_problem; }no $package"
    continue
  fi
  nuspec=$(unzip -p "$package" '*.nuspec' 2>&1 || true)
  listing=$(unzip -Z1 "$package" 2>&1 || true)
  readme=$(unzip -p "$package" README.md 2>&1 || true)
  # FirstParty.AspNetCore embeds the Public Suffix List (MPL-2.0) and crawler-user-agents (MIT): it
  # declares both licences and ships their notices. The other packages embed neither.
  licence="MIT"
  notices=""
  if [ "$id" = FirstParty.AspNetCore ]; then
    licence="MIT AND MPL-2.0"
    notices=THIRD-PARTY-NOTICES.md
  fi
  [[ "$nuspec" == *"<license type=\"expression\">$licence</license>"* ]] || pack_problem="${pack_problem:+$pack_problem; }$id has no '$licence' licence expression"
  [[ $'\n'"$listing"$'\n' == *$'\nREADME.md\n'* ]] || pack_problem="${pack_problem:+$pack_problem; }$id has no README.md"
  # The package's own page (src/<id>/README.md), not the repository's with its relative links.
  [[ "$readme" == "# $id"$'\n'* ]] || pack_problem="${pack_problem:+$pack_problem; }$id packs a README.md that is not its own"
  [[ $'\n'"$listing"$'\n' == *$'\nicon.png\n'* ]] && [[ "$nuspec" == *"<icon>icon.png</icon>"* ]] || pack_problem="${pack_problem:+$pack_problem; }$id has no icon.png"
  [ -z "$notices" ] || [[ $'\n'"$listing"$'\n' == *$'\n'"$notices"$'\n'* ]] || pack_problem="${pack_problem:+$pack_problem; }$id has no $notices"
done
if [ -n "$pack_problem" ]; then
  echo "dotnet pack did not produce packages with README, icon, licence metadata and notices: $pack_problem."
  echo "0 passed, 1 failed"
  exit 1
fi
rm -rf "$packages"

# The build must not depend on the folder the repository lives in: a clone under ~/src/ once made
# every test and sample project a package needing XML docs. Build a copy of the working tree that
# lives under a directory named "src": the packages, plus one test project and the sample it
# references, which are enough to catch that.
copy_root=$(mktemp -d)
copy="$copy_root/src/firstparty-copy"
mkdir -p "$copy"
copy_started=$SECONDS
copy_problem=""
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z --cached --others --exclude-standard \
    | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$copy" || copy_problem="could not copy the tracked files"
else
  tar --exclude=bin --exclude=obj --exclude=node_modules --exclude=TestResults --exclude=.git -cf - . \
    | tar -xf - -C "$copy" || copy_problem="could not copy the tree"
fi
if [ -z "$copy_problem" ]; then
  copy_projects=(src/*/*.csproj tests/FirstParty.AspNetCore.EntityFrameworkCore.Tests/FirstParty.AspNetCore.EntityFrameworkCore.Tests.csproj)
  printf '{"solution":{"path":"Middleware.sln","projects":[%s]}}\n' \
    "$(printf '"%s",' "${copy_projects[@]}" | sed 's/,$//')" >"$copy/src-copy.slnf"
  if ! copy_output=$(cd "$copy" && dotnet build src-copy.slnf -c "$configuration" -warnaserror -nologo -v quiet 2>&1); then
    echo "$copy_output" | grep -E ": error |error\(s\)" | sort -u | head -n 20
    copy_problem="the build failed in a copy of the repository under a directory named 'src' ($copy)"
  fi
fi
if [ -n "$copy_problem" ]; then
  echo "The build depends on where the repository lives: $copy_problem."
  echo "0 passed, 1 failed"
  exit 1
fi
rm -rf "$copy_root"
echo "A copy of the repository under a directory named 'src' builds ($((SECONDS - copy_started)) s)."

# The Redis tests (link tokens shared by the instances of a farm) need a server: a throwaway
# redis-server on a free port of 127.0.0.1, without persistence, passed in FIRSTPARTY_TEST_REDIS and
# stopped when the script exits, whatever the outcome. Those tests fail (never skip) without it.
redis_pid=""
redis_log=$(mktemp)
stop_redis() {
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null
    wait "$redis_pid" 2>/dev/null
    redis_pid=""
  fi
}
trap 'stop_redis; rm -f "$redis_log"' EXIT
start_redis() {
  local port attempt
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    # A port something already listens on is taken; a port taken between this check and the bind
    # makes redis-server exit, and the next attempt picks another.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      continue
    fi
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --loglevel warning >"$redis_log" 2>&1 &
    redis_pid=$!
    for _ in $(seq 1 100); do
      if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then
        export FIRSTPARTY_TEST_REDIS="127.0.0.1:$port"
        return 0
      fi
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.1
    done
    stop_redis
  done
  return 1
}
if ! start_redis; then
  echo "Could not start redis-server on 127.0.0.1 for the Redis tests:"
  cat "$redis_log"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "redis-server for the tests: $FIRSTPARTY_TEST_REDIS."

# One TRX file per test project, named for it, so results never overwrite each other.
status=0
result_problems=()
for project in tests/*/*Tests.csproj; do
  name=$(basename "$project" .csproj)
  runner=()
  # The EF Core ledger tests need a real PostgreSQL server: pg_virtualenv starts a throwaway
  # cluster on localhost for the duration of the command (and lets the tests stop and start it).
  [[ "$name" == *EntityFrameworkCore* ]] && runner=(pg_virtualenv)
  "${runner[@]}" dotnet test "$project" -c "$configuration" --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" --blame-hang-timeout 5m || status=$?
  # "dotnet test" exits 0 when a project has no tests (or the test SDK is missing, writing no
  # results at all): a project that reports nothing counts as a failure, never as a quiet pass.
  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    result_problems+=("$name wrote no test results ($trx)")
  elif [ "$(trx_counter "$trx" total)" = 0 ] || [ -z "$(trx_counter "$trx" total)" ]; then
    result_problems+=("$name ran no tests")
  fi
done

passed=$(sum_counter passed)
failed=$(sum_counter failed)
errors=$(sum_counter error)
failed=$((failed + errors))
# Skipped tests are not in the TRX counters: count the results whose outcome is NotExecuted.
skipped=$(cat "$results"/*.trx 2>/dev/null | grep -o '<UnitTestResult [^>]*outcome="NotExecuted"' | wc -l)
for problem in "${result_problems[@]}"; do
  echo "No results: $problem."
  failed=$((failed + 1))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A test host crashed or hung before it could report: count it as a failure, not a pass.
  failed=1
fi

echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
