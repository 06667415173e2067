#!/usr/bin/env bash
# Mutation testing by area (`npx projen mutation`, or `npx projen mutation <area> ...`): runs Stryker once for each
# area of stryker.config.mjs (by default, every area that is not optional), each with its own test files, report and
# incremental file, then writes docs/mutation-report.md from the reports of every area run so far. Outside the gate:
# see CONTRIBUTING.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -eq 0 ]; then
  set -- $(node --input-type=module -e "import('./stryker.config.mjs').then((m) => console.log(
    Object.entries(m.AREAS).filter(([, area]) => !area.optional).map(([name]) => name).join(' ')))")
fi

for area in "$@"; do
  echo "mutation: area ${area}"
  started=$(date +%s)
  MUTATION_AREA="${area}" npx stryker run
  echo "mutation: area ${area} took $(( $(date +%s) - started )) s"
done

npx ts-node --project scripts/tsconfig.json scripts/mutation-report.ts
