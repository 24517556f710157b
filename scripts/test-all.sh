#!/usr/bin/env bash
# The whole check, as CI runs it: lint and format, types, dependency rules, build, every test, and a smoke
# run of the benchmark.
# Ends with a plain "N passed, N failed, N skipped" line.
set -uo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$1"; }
failed_step=""

step 'lint and format (biome)'
npx biome check . || failed_step="lint"
step 'typecheck (tsc)'
npm run --silent typecheck || failed_step="${failed_step:+$failed_step, }typecheck"
step 'dependency rules'
node scripts/check-boundaries.mjs || failed_step="${failed_step:+$failed_step, }dependency rules"
step 'request-path objects (no leading spread)'
node scripts/check-spreads.mjs || failed_step="${failed_step:+$failed_step, }request-path objects"
step 'build'
npm run --silent build || failed_step="${failed_step:+$failed_step, }build"

# The Redis suites start their own redis-server (Debian's); install it when missing.
if ! command -v redis-server >/dev/null 2>&1; then
  step 'installing redis-server (apt-get)'
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get install -y redis-server >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null 2>&1 && $SUDO apt-get install -y redis-server >/dev/null 2>&1; } || echo "could not install redis-server"
fi

# The browser suites drive Debian's chromium through Playwright; install it when missing.
if [ ! -x /usr/bin/chromium ]; then
  step 'installing chromium (apt-get)'
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null 2>&1 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null 2>&1; } || echo "could not install chromium"
fi

step 'tests (vitest)'
mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
tests_status=$?

step 'benchmark smoke (npm run bench -- --quick: checks the bench runs, asserts no timing)'
npm run --silent bench -- --quick > test-results/bench-quick.log 2>&1 || { tail -40 test-results/bench-quick.log; failed_step="${failed_step:+$failed_step, }benchmark smoke"; }
tail -3 test-results/bench-quick.log

summary=$(node -e '
  const fs = require("node:fs");
  try {
    const r = JSON.parse(fs.readFileSync("test-results/vitest.json", "utf8"));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    process.stdout.write(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  } catch { process.stdout.write("0 passed, 1 failed"); }
')
if [ -n "$failed_step" ]; then
  printf '\nFailed steps: %s\n' "$failed_step"
fi
printf '\n%s\n' "$summary"
if [ -n "$failed_step" ] || [ "$tests_status" -ne 0 ]; then exit 1; fi
