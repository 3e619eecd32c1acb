#!/usr/bin/env bash
# Build time with and without LlmCache's generator and analyzer (full rebuilds, median of 5, the two
# modes interleaved so machine noise hits both alike), for two projects:
#   scale      500 [LlmCached] methods, 2,000 call sites, 10,000 other invocations
#   realistic  50 methods, 200 call sites, about 100,000 lines of other code
# Usage: bash bench/GeneratorScale/measure.sh [scale|realistic ...]   (both by default)
# LLMCACHE_COMPARE_DLL=path/LlmCache.Generators.dll adds a third mode, "compare", built with that generator
# (e.g. an older commit's), interleaved with the other two.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
profiles=("$@")
[ ${#profiles[@]} -eq 0 ] && profiles=(scale realistic)
runs=${LLMCACHE_BUILD_RUNS:-5}
# The compiler server, as `dotnet build` uses it by default (the generator and analyzer stay loaded and jitted
# between builds, as in a developer's inner loop). This machine's environment turns it off
# (UseSharedCompilation=false); LLMCACHE_SHARED_COMPILATION=false measures that cold-compiler case instead.
shared=${LLMCACHE_SHARED_COMPILATION:-true}
if [ "$shared" = true ]; then
  trap 'dotnet build-server shutdown --vbcscompiler >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
fi
dotnet build "$root/src/Runtime/LlmCache/LlmCache.csproj" -c Release -nologo -v q >/dev/null
dotnet build "$root/src/Generator/LlmCache.Generators/LlmCache.Generators.csproj" -c Release -nologo -v q >/dev/null
# A copy of the generator, so a rebuild of the repository during the measurement changes nothing here
# (LLMCACHE_GENERATOR_DLL measures another build of it, e.g. an older commit's).
generator="$work/generator/LlmCache.Generators.dll"
mkdir -p "$work/generator"
cp "${LLMCACHE_GENERATOR_DLL:-$root/src/Generator/LlmCache.Generators/bin/Release/netstandard2.0/LlmCache.Generators.dll}" "$generator"
modes=(without with)
if [ -n "${LLMCACHE_COMPARE_DLL:-}" ]; then
  mkdir -p "$work/compare"
  cp "$LLMCACHE_COMPARE_DLL" "$work/compare/LlmCache.Generators.dll"
  modes+=(compare)
fi
for profile in "${profiles[@]}"; do
  python3 "$root/bench/GeneratorScale/generate.py" "$work/$profile/src" "$profile"
  for mode in "${modes[@]}"; do
    dir="$work/$profile/$mode"
    mkdir -p "$dir"
    cp "$work/$profile"/src/*.cs "$dir/"
    analyzer=""
    if [ "$mode" = with ]; then
      # The built generator (and analyzer) itself, so a rebuild measures the consumer only.
      analyzer="<Analyzer Include=\"$generator\" />"
    elif [ "$mode" = compare ]; then
      analyzer="<Analyzer Include=\"$work/compare/LlmCache.Generators.dll\" />"
    fi
    # Without the generator the attribute still compiles; nothing is intercepted.
    cat > "$dir/Scale.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <InterceptorsNamespaces>\$(InterceptorsNamespaces);LlmCache.Generated</InterceptorsNamespaces>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
    <NoWarn>\$(NoWarn);LLMC010</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include="$root/src/Runtime/LlmCache/bin/Release/net10.0/LlmCache.dll" />
    $analyzer
  </ItemGroup>
</Project>
XML
    dotnet build "$dir/Scale.csproj" -c Release -nologo -v q -p:UseSharedCompilation=$shared >/dev/null   # restore and warm up
  done
  declare -A times=([with]="" [without]="" [compare]="")
  for i in $(seq "$runs"); do
    for mode in "${modes[@]}"; do
      start=$(date +%s%N)
      dotnet build "$work/$profile/$mode/Scale.csproj" -c Release -nologo -v q --no-incremental --no-restore -p:UseSharedCompilation=$shared >/dev/null
      times[$mode]+="$(( ($(date +%s%N) - start) / 1000000 )) "
    done
  done
  median() { printf '%s\n' $1 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  with=$(median "${times[with]}")
  without=$(median "${times[without]}")
  lines=$(cat "$work/$profile/src"/*.cs | wc -l)
  echo "$profile ($lines lines): without the generator ${without} ms (runs: ${times[without]}), with ${with} ms (runs: ${times[with]}): overhead $(( (with - without) * 100 / without ))%"
  if [ -n "${times[compare]}" ]; then
    compare=$(median "${times[compare]}")
    echo "$profile: with the compared generator ${compare} ms (runs: ${times[compare]}): overhead $(( (compare - without) * 100 / without ))%"
  fi
done
