#!/usr/bin/env bash
# Resolves the stand-in's jars into lib/ once per content of pom.xml; later calls return at once.
# The one place that runs Maven for the stand-in: tools/services.ts and .ci/run both call it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lib="$here/lib"
stamp="$lib/.pom.sha256"
want="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi

if ! command -v mvn >/dev/null 2>&1; then
  echo "mongo-stand-in: Maven (mvn) is not on PATH, so its jars cannot be resolved." >&2
  echo "Install Java 17 and Maven (apt-get install -y openjdk-17-jdk-headless maven), or set MONGO_URL." >&2
  exit 3
fi

# Resolve into a private folder and move it into place, so a concurrent run never sees half a lib/.
mkdir -p "$here/target"
staging="$here/target/lib-$$"
log="$here/target/resolve-$$.log"
rm -rf "$staging"
if ! mvn -q -B -Dstyle.color=never -f "$here/pom.xml" \
    dependency:copy-dependencies -DoutputDirectory="$staging" >"$log" 2>&1; then
  echo "mongo-stand-in: Maven could not resolve the jars (needs Maven Central once):" >&2
  sed 's/\x1b\[[0-9;]*m//g' "$log" >&2
  rm -rf "$staging" "$log"
  exit 1
fi
rm -f "$log"
echo "$want" >"$staging/.pom.sha256"
rm -rf "$lib"
mv "$staging" "$lib"
