#!/usr/bin/env bash
# Build time of a project with 500 [LlmCached] methods and 2,000 call sites, with and without the
# generator (full rebuilds, median of 3). Usage: bash bench/GeneratorScale/measure.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$root/bench/GeneratorScale/generate.py" "$work/src"
for mode in with without; do
  mkdir -p "$work/$mode"
  cp "$work"/src/*.cs "$work/$mode/"
  analyzer=""
  if [ "$mode" = with ]; then
    # The built generator (and analyzer) itself, so a rebuild measures the consumer only.
    analyzer="<Analyzer Include=\"$root/src/Generator/LlmCache.Generators/bin/Release/netstandard2.0/LlmCache.Generators.dll\" />"
  else
    # Without the generator the attribute still compiles; nothing is intercepted.
    true
  fi
  cat > "$work/$mode/Scale.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <InterceptorsNamespaces>\$(InterceptorsNamespaces);LlmCache.Generated</InterceptorsNamespaces>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include="$root/src/Runtime/LlmCache/bin/Release/net10.0/LlmCache.dll" />
    $analyzer
  </ItemGroup>
</Project>
XML
done
dotnet build "$root/src/Runtime/LlmCache/LlmCache.csproj" -c Release -nologo -v q >/dev/null
dotnet build "$root/src/Generator/LlmCache.Generators/LlmCache.Generators.csproj" -c Release -nologo -v q >/dev/null
for mode in without with; do
  dotnet build "$work/$mode/Scale.csproj" -c Release -nologo -v q >/dev/null   # restore and warm up
  times=()
  for i in 1 2 3; do
    start=$(date +%s%N)
    dotnet build "$work/$mode/Scale.csproj" -c Release -nologo -v q --no-incremental --no-restore >/dev/null
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -n))
  echo "$mode generator: median ${sorted[1]} ms (runs: ${times[*]})"
done
