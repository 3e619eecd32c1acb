#!/usr/bin/env bash
# Cold-process measurement of the generated hit path: K fresh processes per configuration, interleaved.
# Usage: bash bench/ColdStart/measure.sh [runs] [hits]        (defaults: 7 runs, 200,000 hits)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
runs=${1:-7}
hits=${2:-200000}
out="$here/artifacts"
rm -rf "$out"
mkdir -p "$out"

# 1. The application as `dotnet build` leaves it: IL only, everything jitted.
dotnet publish "$here/ColdStart.csproj" -c Release --nologo -v q -o "$out/plain" >/dev/null
# 2. The application published ReadyToRun: the app, LlmCache and every package precompiled.
dotnet publish "$here/ColdStart.csproj" -c Release --nologo -v q -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -o "$out/r2r" >/dev/null
# 3. An IL-only application whose LlmCache.dll alone is ReadyToRun: what the LlmCache package gives an
#    application that does not publish ReadyToRun itself. The image is the package's own
#    runtimes/linux-x64/lib/net10.0/LlmCache.dll (the host loads it in place of lib/net10.0/'s IL).
dotnet pack "$here/../../src/Runtime/LlmCache/LlmCache.csproj" -c Release --nologo -v q -o "$out/package" >/dev/null
cp -r "$out/plain" "$out/lib-r2r"
unzip -q -o -j "$(ls "$out"/package/LlmCache.[0-9]*.nupkg)" runtimes/linux-x64/lib/net10.0/LlmCache.dll -d "$out/lib-r2r"

plain="$out/plain/ColdStart"
r2r="$out/r2r/ColdStart"
"$plain" drive --runs "$runs" --hits "$hits" \
  --config "default::$plain" \
  --config "app ReadyToRun::$r2r" \
  --config "LlmCache.dll ReadyToRun, app IL::$out/lib-r2r/ColdStart" \
  --config "TieredPGO=0::$plain::DOTNET_TieredPGO=0" \
  --config "TieredPGO=0, TC_CallCountingDelayMs=0::$plain::DOTNET_TieredPGO=0,DOTNET_TC_CallCountingDelayMs=0" \
  --config "app ReadyToRun, TieredPGO=0::$r2r::DOTNET_TieredPGO=0" \
  --config "TieredCompilation=0 (reference)::$plain::DOTNET_TieredCompilation=0" \
  --config "app ReadyToRun, TieredCompilation=0::$r2r::DOTNET_TieredCompilation=0" \
  --config "string result, default::$plain::::--result string" \
  --config "string result, LlmCache.dll ReadyToRun::$out/lib-r2r/ColdStart::::--result string" \
  --config "string result, app ReadyToRun::$r2r::::--result string"
