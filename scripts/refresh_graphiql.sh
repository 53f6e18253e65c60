#!/usr/bin/env bash
# Vendor the browser builds that strawberry's GraphiQL page loads, so the gateway can serve
# GraphiQL itself on machines without internet (see gateway/api/common/graphiql.py).
#
# Fetches each package with `npm pack` (the npm registry only), copies exactly the files the page
# references plus each package's licence into gateway/api/common/static/graphiql/ under flat names, checks
# every file against the sha384 `integrity` strawberry's page pins, and writes VERSIONS.txt, which
# gateway/api/common/graphiql.py reads to map the page's CDN references to the local files.
#
# Usage: scripts/refresh_graphiql.sh   (needs npm, tar, openssl and the project's .venv)
# When strawberry-graphql is upgraded and its page asks for other versions, update ASSETS below;
# the script fails if the page references anything ASSETS does not provide.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$repo/gateway/api/common/static/graphiql"
python="${PYTHON:-$repo/.venv/bin/python}"

# package@version   path inside the npm package   flat local name
ASSETS=(
  "react@18.2.0                      umd/react.production.min.js      react.production.min.js"
  "react@18.2.0                      LICENSE                          react.LICENSE.txt"
  "react-dom@18.2.0                  umd/react-dom.production.min.js  react-dom.production.min.js"
  "react-dom@18.2.0                  LICENSE                          react-dom.LICENSE.txt"
  "js-cookie@3.0.5                   dist/js.cookie.min.js            js.cookie.min.js"
  "js-cookie@3.0.5                   LICENSE                          js-cookie.LICENSE.txt"
  "graphiql@3.8.3                    graphiql.min.js                  graphiql.min.js"
  "graphiql@3.8.3                    graphiql.min.css                 graphiql.min.css"
  "graphiql@3.8.3                    LICENSE                          graphiql.LICENSE.txt"
  "@graphiql/plugin-explorer@1.0.2   dist/index.umd.js                graphiql-plugin-explorer.umd.js"
  "@graphiql/plugin-explorer@1.0.2   dist/style.css                   graphiql-plugin-explorer.css"
  # The explorer plugin's UMD build bundles graphiql-explorer; keep that package's licence too.
  "graphiql-explorer@0.9.0           LICENSE                          graphiql-explorer.LICENSE.txt"
)
# @graphiql/plugin-explorer ships no LICENSE file in its npm package (its package.json says MIT and
# points at the graphql/graphiql repository, like graphiql's does); its licence file is assembled
# below from graphiql's LICENSE and the bundled graphiql-explorer's LICENSE.
EXPLORER_SPEC="@graphiql/plugin-explorer@1.0.2"
EXPLORER_LICENSE="graphiql-plugin-explorer.LICENSE.txt"

for tool in npm tar openssl base64; do
  command -v "$tool" >/dev/null || { echo "refresh_graphiql: '$tool' is required" >&2; exit 1; }
done
[[ -x "$python" ]] || { echo "refresh_graphiql: no python at $python (set PYTHON=...)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stage="$work/out"
mkdir -p "$stage"

sha384() { printf 'sha384-%s' "$(openssl dgst -sha384 -binary "$1" | base64 | tr -d '\n')"; }

# Unpack each package once: $work/pkg/<n>/package/...
declare -A unpacked=()
unpack() {
  local spec="$1" dir tarball
  if [[ -z "${unpacked[$spec]:-}" ]]; then
    dir="$work/pkg/${#unpacked[@]}"
    mkdir -p "$dir"
    tarball="$(npm pack --silent --ignore-scripts --pack-destination "$dir" "$spec" | tail -n 1)"
    tar -xzf "$dir/$tarball" -C "$dir"
    unpacked[$spec]="$dir/package"
  fi
  printf '%s' "${unpacked[$spec]}"
}

manifest="$work/manifest.txt" # spec  source  local-name
: >"$manifest"
for line in "${ASSETS[@]}"; do
  read -r spec source name <<<"$line"
  unpack "$spec" >/dev/null # fill the cache in this shell, not in a subshell
  pkgdir="${unpacked[$spec]}"
  [[ -f "$pkgdir/$source" ]] || { echo "refresh_graphiql: $spec has no $source" >&2; exit 1; }
  cp "$pkgdir/$source" "$stage/$name"
  printf '%s %s %s\n' "$spec" "$source" "$name" >>"$manifest"
done

{
  echo "$EXPLORER_SPEC ships no LICENSE file; its package.json declares \"license\": \"MIT\" and"
  echo "the graphql/graphiql repository, which is also graphiql's. Its UMD build bundles"
  echo "graphiql-explorer. Both licences follow."
  echo
  echo "==== graphiql (graphql/graphiql repository) ===="
  echo
  cat "$stage/graphiql.LICENSE.txt"
  echo
  echo "==== graphiql-explorer (bundled in dist/index.umd.js) ===="
  echo
  cat "$stage/graphiql-explorer.LICENSE.txt"
} >"$stage/$EXPLORER_LICENSE"
printf '%s %s %s\n' "$EXPLORER_SPEC" "-" "$EXPLORER_LICENSE" >>"$manifest"

# Cross-check against the page strawberry actually serves: every CDN file it loads must be listed
# above, and our bytes must match the integrity hash it pins.
"$python" - "$manifest" "$stage" <<'PY'
import base64
import hashlib
import importlib.metadata
import importlib.resources
import pathlib
import re
import sys

manifest, stage = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
have = {}
for line in manifest.read_text().splitlines():
    spec, source, name = line.split()
    have[f"{spec}/{source}"] = name
html = (importlib.resources.files("strawberry") / "static" / "graphiql.html").read_text("utf-8")
tags = re.findall(r"<(?:script|link)\b[^>]*>", html)
refs = 0
for tag in tags:
    url = re.search(r'\b(?:src|href)="https?://[^/"]+/([^"]+)"', tag)
    if not url:
        continue
    refs += 1
    key = url.group(1)
    if key not in have:
        sys.exit(f"refresh_graphiql: strawberry's page loads {key}; add it to ASSETS")
    pinned = re.search(r'\bintegrity="([^"]+)"', tag)
    digest = hashlib.sha384((stage / have[key]).read_bytes()).digest()
    ours = "sha384-" + base64.b64encode(digest).decode()
    if pinned and pinned.group(1) != ours:
        sys.exit(f"refresh_graphiql: {key} is {ours}, strawberry pins {pinned.group(1)}")
if refs == 0:
    sys.exit("refresh_graphiql: found no CDN references in strawberry's page; has it changed?")
version = importlib.metadata.version("strawberry-graphql")
print(f"refresh_graphiql: {refs} files match strawberry-graphql {version}'s graphiql.html")
(stage / ".strawberry-version").write_text(version)
PY
strawberry_version="$(cat "$stage/.strawberry-version")"
rm "$stage/.strawberry-version"

{
  echo "# Browser assets for the offline GraphiQL page (gateway/api/common/graphiql.py)."
  echo "# Written by scripts/refresh_graphiql.sh from npm packages; matches the page of"
  echo "# strawberry-graphql $strawberry_version. All packages are MIT; licences are the *.LICENSE.txt files."
  echo "# gateway/api/common/graphiql.py reads this file: one asset per line, whitespace-separated:"
  echo "# package@version  path-in-package (- = assembled, see the file)  local-file  sha384"
  while read -r spec source name; do
    printf '%-33s %-32s %-37s %s\n' "$spec" "$source" "$name" "$(sha384 "$stage/$name")"
  done <"$manifest"
} >"$stage/VERSIONS.txt"

mkdir -p "$dest"
find "$dest" -mindepth 1 -maxdepth 1 -type f -delete
cp "$stage"/* "$dest"/
echo "refresh_graphiql: wrote $(find "$dest" -type f | wc -l) files, $(du -sh "$dest" | cut -f1) to ${dest#"$repo"/}"
