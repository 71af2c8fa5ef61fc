#!/usr/bin/env bash
# Refreshes the vendored crawler list (src/FirstParty.AspNetCore/Visitors/crawler-user-agents.json)
# from the crawler-user-agents package on the npm registry, and its stamp beside it.
# Usage: scripts/update-crawler-user-agents.sh [version]   (default: the registry's latest)
# Then run the unit tests (CrawlerDetectorTests checks the stamp and both user-agent corpora) and
# read the diff: an entry that flags a person's browser belongs in an upstream issue, not here.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:-$(npm view crawler-user-agents version)}"
target=src/FirstParty.AspNetCore/Visitors
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack "crawler-user-agents@$version" --silent >/dev/null && tar xzf crawler-user-agents-*.tgz)
licence=$(node -p "require('$work/package/package.json').license")
if [ "$licence" != "MIT" ]; then
  echo "crawler-user-agents $version is licensed '$licence', not MIT: update THIRD-PARTY-NOTICES.md and the package licence first." >&2
  exit 1
fi

cp "$work/package/crawler-user-agents.json" "$target/crawler-user-agents.json"
{
  echo "# The vendored crawler list: crawler-user-agents from the npm registry (MIT, see THIRD-PARTY-NOTICES.md)."
  echo "# Written by scripts/update-crawler-user-agents.sh; do not edit by hand."
  echo "version $version"
  echo "sha256 $(sha256sum "$target/crawler-user-agents.json" | cut -d' ' -f1)"
} > "$target/crawler-user-agents.stamp"
echo "crawler-user-agents $version vendored; its copyright line in THIRD-PARTY-NOTICES.md:"
grep -m1 -i '^copyright' "$work/package/LICENSE" || true
