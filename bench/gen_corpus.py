#!/usr/bin/env python3
"""Writes COPIES copies of a manifest tree into OUT (copy-000/, copy-001/, ...), renaming
namespaces in each copy (`namespace: shop` -> `namespace: shop-c001`) so the copies are
distinct objects. Deterministic: same inputs, same bytes. Non-manifest files are copied
unchanged.

usage: gen_corpus.py SRC OUT COPIES
"""

import os
import re
import shutil
import sys

MANIFEST = (".yaml", ".yml", ".json")
# `namespace: value`, `namespace: "value"`, `"namespace": "value"` with a DNS-label value.
YAML_NS = re.compile(r'^(\s*(?:-\s+)?namespace:\s*)(["\']?)([a-z0-9][a-z0-9.-]*)\2(\s*(?:#.*)?)$', re.M)
JSON_NS = re.compile(r'("namespace"\s*:\s*")([a-z0-9][a-z0-9.-]*)(")')


def rename(text: str, suffix: str) -> str:
    text = YAML_NS.sub(lambda m: f"{m[1]}{m[2]}{m[3]}{suffix}{m[2]}{m[4]}", text)
    return JSON_NS.sub(lambda m: f"{m[1]}{m[2]}{suffix}{m[3]}", text)


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    src, out, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if not os.path.isdir(src):
        print(f"gen_corpus: {src} is not a directory", file=sys.stderr)
        return 2
    if copies < 1:
        print("gen_corpus: COPIES must be at least 1", file=sys.stderr)
        return 2
    files = []
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if os.path.isfile(path) and not os.path.islink(path):
                files.append(os.path.relpath(path, src))
    written = 0
    for k in range(copies):
        suffix = f"-c{k:03d}"
        root = os.path.join(out, f"copy-{k:03d}")
        for rel in files:
            source = os.path.join(src, rel)
            target = os.path.join(root, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if rel.lower().endswith(MANIFEST):
                with open(source, "rb") as f:
                    data = f.read()
                try:
                    data = rename(data.decode("utf-8"), suffix).encode("utf-8")
                except UnicodeDecodeError:
                    pass  # copied as-is; aksguard reports it like the original
                with open(target, "wb") as f:
                    f.write(data)
            else:
                shutil.copyfile(source, target)
            written += 1
    print(f"gen_corpus: wrote {written} files ({len(files)} x {copies}) under {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
