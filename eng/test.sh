#!/usr/bin/env bash
# Runs every test of the solution and ends with one line: "N passed, N failed".
# Installs what the integration tests need when it is missing: redis-server and chromium (Debian
# packages; the dashboard's browser test drives /usr/bin/chromium) and s3rver (npm, into .tools/). Usage: bash eng/test.sh [extra dotnet test arguments]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: installing redis-server (Debian package)"
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing chromium (Debian package)"
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -x .tools/node_modules/.bin/s3rver ]; then
  echo "test.sh: installing s3rver (npm)"
  mkdir -p .tools
  npm install --prefix .tools --no-audit --no-fund --loglevel=error s3rver@3.7.1 >/dev/null
fi
export LLMCACHE_REDIS_SERVER="${LLMCACHE_REDIS_SERVER:-$(command -v redis-server)}"
export LLMCACHE_S3RVER="${LLMCACHE_S3RVER:-$root/.tools/node_modules/.bin/s3rver}"

log="$root/TestResults/test-$(date +%s)-$$.log"
mkdir -p "$root/TestResults"
if ! dotnet build LlmCache.Generators.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "test.sh: the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
status=0
dotnet test LlmCache.Generators.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log" || status=$?

# Sum the per-assembly summaries ("Passed!  - Failed:     0, Passed:    31, Skipped: ...").
passed=0
failed=0
assemblies=0
while read -r f p; do
  passed=$((passed + p))
  failed=$((failed + f))
  assemblies=$((assemblies + 1))
done < <(sed -n 's/^.*\(Passed\|Failed\)! *- Failed: *\([0-9]*\), Passed: *\([0-9]*\),.*$/\2 \3/p' "$log")
if [ "$assemblies" -eq 0 ] || { [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; }; then
  # The run broke before reporting (a crash, a build error): count it as a failure.
  failed=$((failed + 1))
fi
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
