#!/usr/bin/env bash
# Runs every FirstParty test: unit, WebApplicationFactory integration and real-browser tests.
# Installs what the tests need when it is missing (Debian's chromium, publicsuffix, nodejs and npm
# packages; axe-core from npm),
# builds the whole solution (benchmarks included) with warnings as errors, runs the tests, and
# ends with one line "N passed, N failed" summed from the TRX results.
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

if ! install_missing; then
  echo "Could not install the browser-test prerequisites (chromium, publicsuffix)." >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# JavaScript the browser tests use (axe-core), pinned by package-lock.json, from the npm registry.
if [ ! -f tests/FirstParty.AspNetCore.BrowserTests/node_modules/axe-core/axe.min.js ]; then
  if ! npm ci --prefix tests/FirstParty.AspNetCore.BrowserTests --no-audit --no-fund --silent; then
    echo "npm ci failed for the browser tests' packages."
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

# The package must pack with its README and licence metadata. The archive is read into variables
# first: piping unzip into "grep -q" under pipefail fails at random when grep exits before unzip
# has finished writing (SIGPIPE).
packages=$(mktemp -d)
pack_problem=""
if ! dotnet pack src/FirstParty.AspNetCore -c "$configuration" --no-build --nologo -v quiet -o "$packages"; then
  pack_problem="dotnet pack failed"
else
  package=$(ls "$packages"/FirstParty.AspNetCore.*.nupkg 2>/dev/null | grep -v '\.symbols\.nupkg$' | head -n 1)
  if [ -z "$package" ]; then
    pack_problem="no FirstParty.AspNetCore package in $packages"
  else
    nuspec=$(unzip -p "$package" '*.nuspec' 2>&1 || true)
    listing=$(unzip -Z1 "$package" 2>&1 || true)
    [[ "$nuspec" == *'<license type="expression">MIT</license>'* ]] || pack_problem="the nuspec has no MIT licence expression"
    [[ $'\n'"$listing"$'\n' == *$'\nREADME.md\n'* ]] || pack_problem="${pack_problem:+$pack_problem; }the package has no README.md"
  fi
fi
if [ -n "$pack_problem" ]; then
  echo "dotnet pack did not produce a package with README and licence metadata: $pack_problem."
  echo "0 passed, 1 failed"
  exit 1
fi
rm -rf "$packages"

# One TRX file per test project, named for it, so results never overwrite each other.
status=0
for project in tests/*/*Tests.csproj; do
  name=$(basename "$project" .csproj)
  dotnet test "$project" -c "$configuration" --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" --blame-hang-timeout 5m || status=$?
done

passed=$(sum_counter passed)
failed=$(sum_counter failed)
errors=$(sum_counter error)
failed=$((failed + errors))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # A test host crashed or hung before it could report: count it as a failure, not a pass.
  failed=1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
