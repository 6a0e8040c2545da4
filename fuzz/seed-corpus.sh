#!/usr/bin/env bash
# Seeds fuzz/corpus/load_manifest/ from the repository's own fixtures (rule fixtures and
# engine test inputs) plus a few hand-written edge cases. The corpus directory is
# gitignored: it is regenerated, never committed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$here/corpus/load_manifest"
mkdir -p "$out"
n=0
while IFS= read -r -d '' file; do
    # Name seeds by content so re-running is idempotent.
    cp "$file" "$out/seed-$(sha1sum "$file" | cut -c1-16)"
    n=$((n + 1))
done < <(find "$root/crates/aksguard_rules/fixtures" "$root/crates/aksguard_engine/tests" \
    -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -size -64k -print0 2>/dev/null)
printf 'a: &a [x, *a]\n' > "$out/edge-self-alias"
printf 'b: &b {x: 1}\nc:\n  <<: [*b, *b]\n  y: 2\n' > "$out/edge-merge"
printf '%%YAML 1.2\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod}\n' > "$out/edge-list"
printf '\xef\xbb\xbf---\r\napiVersion: v1\r\nkind: Pod\r\n...\r\n' > "$out/edge-bom-crlf"
echo "seeded $n fixture files and 4 edge cases into $out"
