#!/usr/bin/env python3
"""Bicep benchmark input: writes COUNT renamed copies of the corpus Bicep files that define a
managed cluster (a `resource ... 'Microsoft.ContainerService/managedClusters@...' = ` that is
not `existing`) into OUT/bicep/, named `NNNN-<repo>-<stem>.bicep`, cycling through the sources.
Deterministic: the same inputs give the same bytes. Standard library only.

usage: gen_bicep.py CORPUS_AKS_DIR OUT COUNT

Copy k is renamed: every `param`/`var` whose name ends in `name`/`Name` and whose value is
a one-line non-empty string (literal or interpolation) gets the suffix `-cNNNN` inside the
quotes (`var clusterName = 'aks-${subRgUniqueString}-c0007'`), and a required string `param`
of that kind (AKS Construction's `resourceName`) gets the default `'bench-cNNNN'`; the copy
gets a first-line comment naming its source. Names therefore differ per copy (the cluster's
and those derived from it) while the structure is the source's own.

The local modules the sources call (`module x './y.bicep'`, `'modules/z.bicep'`) are copied
once into OUT/bicep/ at the same relative paths, so every copy's modules resolve to the same
files, as they would in the repository; they are scanned as inputs too (a handful of files).
Prints one line per source and the number of files written.
"""

import os
import re
import sys

CLUSTER = re.compile(
    r"^\s*resource\s+\w+\s+'Microsoft\.ContainerService/managedClusters@[^']+'\s*=(?!\s*existing)"
)
MODULE = re.compile(r"^\s*module\s+\w+\s+'([^']+\.bicep)'")
# A `param`/`var` whose name ends in "name" with a one-line string value, or a required
# string `param` whose name ends in "name" (no default).
NAMED_VALUE = re.compile(r"^((?:param|var)\s+\w*[Nn]ame(?:\s+string)?\s*=\s*')([^'\n]*)(')[ \t]*$", re.M)
REQUIRED_NAME = re.compile(r"^(param\s+\w*[Nn]ame\s+string)[ \t]*$", re.M)


def sources(corpus):
    found = []
    for folder, dirs, files in os.walk(corpus):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(".bicep"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if any(CLUSTER.match(line) for line in text.splitlines()):
                found.append((path, text))
    return found


def modules_of(path, text, seen, out):
    """The local module files `path` calls, transitively, as (absolute, relative-to-source)."""
    base = os.path.dirname(path)
    for line in text.splitlines():
        m = MODULE.match(line)
        if not m or ":" in m.group(1):
            continue
        target = os.path.normpath(os.path.join(base, m.group(1)))
        if target in seen or not os.path.isfile(target):
            continue
        seen.add(target)
        out.append(target)
        with open(target, encoding="utf-8") as f:
            modules_of(target, f.read(), seen, out)


def renamed(text, suffix):
    def one(m):
        if not m.group(2):
            return m.group(0)
        return m.group(1) + m.group(2) + suffix + m.group(3)

    text = NAMED_VALUE.sub(one, text)
    return REQUIRED_NAME.sub(lambda m: f"{m.group(1)} = 'bench{suffix}'", text)


def main():
    if len(sys.argv) != 4 or not sys.argv[3].isdigit() or int(sys.argv[3]) < 1:
        sys.exit(__doc__)
    corpus, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    found = sources(corpus)
    if not found:
        sys.exit(f"gen_bicep.py: no Bicep cluster definition under {corpus}")
    target = os.path.join(out, "bicep")
    os.makedirs(target, exist_ok=True)
    written = 0
    for path, text in found:
        rel = os.path.relpath(path, corpus)
        mods = []
        modules_of(path, text, {path}, mods)
        for module in mods:
            dest = os.path.normpath(os.path.join(target, os.path.relpath(module, os.path.dirname(path))))
            if not dest.startswith(os.path.normpath(target) + os.sep):
                continue  # a module outside the source's folder tree: left out (stays Unknown)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(module, encoding="utf-8") as src, open(dest, "w", encoding="utf-8") as dst:
                dst.write(src.read())
            written += 1
        print(f"source {rel}: {len(text.splitlines())} lines, {len(mods)} local modules")
    width = max(4, len(str(count - 1)))
    for k in range(count):
        path, text = found[k % len(found)]
        rel = os.path.relpath(path, corpus)
        repo = rel.split(os.sep)[0]
        stem = os.path.splitext(os.path.basename(path))[0]
        suffix = f"-c{k:0{width}d}"
        name = f"{k:0{width}d}-{repo}-{stem}.bicep"
        with open(os.path.join(target, name), "w", encoding="utf-8") as f:
            f.write(f"// benchmark copy {k} of corpus/aks/{rel}\n")
            f.write(renamed(text, suffix))
        written += 1
    print(f"wrote {written} files into {target}")


if __name__ == "__main__":
    main()
