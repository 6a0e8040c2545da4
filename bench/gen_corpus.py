#!/usr/bin/env python3
"""Benchmark corpus generator: writes renamed copies of a manifest tree into OUT
(copy-000/, copy-001/, ...) so that every copy holds distinct objects, the way a large
monorepo or a big cluster would. Deterministic: the same inputs give the same bytes.
Standard library only.

usage: gen_corpus.py SRC OUT (--copies N | --objects N)
       gen_corpus.py SRC OUT COPIES          (older form, same as --copies COPIES)

  --copies N    write N copies of SRC
  --objects N   write ceil(N / objects-per-copy) copies, so the corpus holds at least N objects
                (objects per copy are counted as described below); prints the estimate

Copy k gets the suffix `-cNNN` (k zero-padded to at least 3 digits, more when there are
1000+ copies) and, in every .yaml/.yml/.json file:
  * every `namespace:` value (YAML, anywhere: metadata, subjects[], ...) and every
    `"namespace": "..."` value (JSON) gets the suffix: `namespace: shop` -> `shop-c001`;
  * the metadata.name of every top-level object (and of every item of a `kind: *List`) gets
    the suffix. YAML: the first `name:` line directly under a column-0 `metadata:` block
    (indentation-aware; for List items, under the item's `metadata:`). JSON: the "name"
    string of the top-level object's (or List item's) "metadata" object, found with a small
    position-keeping JSON scanner. Names holding `{{` are left alone;
  * a document of a namespaced kind with no metadata.namespace gets one inserted into its
    metadata block: `namespace: default-cNNN` (what kubectl apply would use is `default`).
    Cluster-scoped kinds (CLUSTER_SCOPED below and every kind starting with `Cluster`) and
    documents without a `metadata:` mapping block are left without a namespace.
Nothing else is renamed: references by name (roleRef, subjects[].name, selectors,
serviceAccountName, ...) keep the original names, so some point at nothing inside the copy.
That is deliberate: the copies stay valid YAML/JSON and distinct; they are benchmark input, not
deployable manifests.

Helm chart templates are copied unchanged and not counted: a file under a `templates/` folder of
a chart (a folder with Chart.yaml), or a file holding `{{` together with a Helm marker
(`.Values`, `.Release.`, `.Chart.`, `include "`, `template "`, or `{{` at column 0). Files that
hold `{{` only inside string values (Prometheus rule annotations, Grafana legends, Jinja chat
templates in a ConfigMap) are ordinary manifests and are renamed like the rest. Files that are
not UTF-8 or not manifests are copied unchanged.

Object count (for --objects and the printed estimate), textual and the same for every file:
  * YAML: split the file on `---` lines; a document is an object when it has `kind:` and
    `apiVersion:` lines at column 0 (aksguard skips documents without an apiVersion). A
    document whose kind ends in `List` with an `items:` key at column 0 counts its items
    instead (the `- ` lines at the indentation of the first item).
  * JSON: the top-level value, when it is an object with a "kind" string and an "apiVersion",
    is one object; a kind ending in `List` counts the entries of its "items" array.
    Unparsable JSON counts 0.
On ../shared/corpus/real the count equals what `aksguard scan --no-render --parse-only` reports
(1,846 objects per copy; 70 for real/microservices-demo). It is an estimate elsewhere: the
generator does not parse YAML, and Azure cluster files (ARM JSON, Terraform, Bicep) count 0
(ARM JSON only gets the namespace-value renaming; .tf/.bicep are copied unchanged).
"""

import argparse
import math
import os
import re
import shutil
import sys

MANIFEST = (".yaml", ".yml", ".json")

# Kinds that are not namespaced: no namespace is inserted into these.
CLUSTER_SCOPED = frozenset(
    """
    Namespace Node PersistentVolume StorageClass ClusterRole ClusterRoleBinding
    CustomResourceDefinition APIService PriorityClass ValidatingWebhookConfiguration
    MutatingWebhookConfiguration IngressClass RuntimeClass CSIDriver CSINode
    VolumeSnapshotClass PodSecurityPolicy ClusterIssuer ValidatingAdmissionPolicy
    ValidatingAdmissionPolicyBinding MutatingAdmissionPolicy MutatingAdmissionPolicyBinding
    CertificateSigningRequest ComponentStatus VolumeAttachment FlowSchema
    PriorityLevelConfiguration
    """.split()
)

# `namespace: value`, `namespace: "value"`, `"namespace": "value"` with a DNS-label value.
YAML_NS = re.compile(r'^(\s*(?:-\s+)?namespace:\s*)(["\']?)([a-z0-9][a-z0-9.-]*)\2(\s*(?:#.*)?)$', re.M)
JSON_NS = re.compile(r'("namespace"[ \t]*:[ \t]*")([a-z0-9][a-z0-9.-]*)(")')

DOC_SEP = re.compile(r"^---(?:\s|$)")
KIND = re.compile(r"""^kind:\s*(["']?)([A-Za-z0-9.]+)\1\s*(?:#.*)?$""")
API_VERSION = re.compile(r"^apiVersion:")
ITEMS = re.compile(r"^items:\s*(?:#.*)?$")
HELM_MARKER = re.compile(r'\.Values\b|\.Release\.|\.Chart\.|\binclude\s+"|\btemplate\s+"|^\{\{', re.M)


def is_namespaced(kind: str) -> bool:
    return kind not in CLUSTER_SCOPED and not kind.startswith("Cluster")


def is_list(kind: str) -> bool:
    return kind.endswith("List")


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def is_blank(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


# ---------------------------------------------------------------------------------------------
# YAML (textual, line based)


def split_docs(lines):
    """Split a file's lines (with their line ends) into documents; `---` lines stay in front of
    the document they open."""
    docs, cur = [], []
    for line in lines:
        if DOC_SEP.match(line) and cur:
            docs.append(cur)
            cur = []
        cur.append(line)
    if cur:
        docs.append(cur)
    return docs


def doc_kind(doc):
    for line in doc:
        m = KIND.match(line.rstrip("\r\n"))
        if m:
            return m[2]
    return None


def list_items(doc):
    """(start, end) line ranges of the items of a column-0 `items:` sequence, and the column
    of their `- `."""
    start = None
    for i, line in enumerate(doc):
        if ITEMS.match(line.rstrip("\r\n")):
            start = i + 1
            break
    if start is None:
        return [], 0
    item_re, col, items, end = None, 0, [], len(doc)
    for i in range(start, len(doc)):
        line = doc[i].rstrip("\r\n")
        if is_blank(line):
            continue
        if item_re is None:
            m = re.match(r"^( *)- ", line)
            if not m:
                return [], 0
            col = len(m[1])
            item_re = re.compile(r"^ {%d}-(?: |$)" % col)
        ind = indent_of(line)
        if ind < col or (ind == col and not line[col:].startswith("-")):
            end = i  # back at the level of `items:`: the sequence ended
            break
        if item_re.match(line):
            items.append(i)
    ranges = [(a, b) for a, b in zip(items, items[1:] + [end])]
    return ranges, col


def count_yaml(text: str) -> int:
    n = 0
    for doc in split_docs(text.splitlines(keepends=True)):
        kind = doc_kind(doc)
        if kind is None or not any(API_VERSION.match(line) for line in doc):
            continue
        if is_list(kind):
            items, _ = list_items(doc)
            if items:
                n += len(items)
                continue
        n += 1
    return n


NAME_VALUE = r"""(["']?)([A-Za-z0-9_.:@/$-][^\s"'#]*)\2(\s*(?:#.*)?)$"""


def edit_object(lines, first, end, ind, kind, suffix, masked):
    """Rename metadata.name and insert metadata.namespace in the object spanning
    lines[first:end] whose keys sit at column `ind`. `masked`: the first line starts with the
    `- ` of a sequence item (its key is at `ind` once the dash is read as indentation).
    Returns the lines to insert as a list of (index, text) and edits lines in place."""
    meta_re = re.compile(r"^ {%d}metadata:\s*(?:#.*)?$" % ind)
    meta = None
    for i in range(first, end):
        line = lines[i].rstrip("\r\n")
        if i == first and masked:
            line = " " * (ind) + line[ind:]
        if meta_re.match(line):
            meta = i
            break
    if meta is None:
        return []
    child, name_at, has_ns = None, None, False
    for j in range(meta + 1, end):
        line = lines[j].rstrip("\r\n")
        if is_blank(line):
            continue
        li = indent_of(line)
        if li <= ind:
            break
        if child is None:
            child = li
        if li != child:
            continue
        key = line[li:]
        if name_at is None and re.match(r"name:", key):
            name_at = j
        if re.match(r"namespace:", key):
            has_ns = True
    if child is None:
        child = ind + 2
    if name_at is not None:
        raw = lines[name_at]
        eol = raw[len(raw.rstrip("\r\n")):]
        body = raw.rstrip("\r\n")
        m = re.match(r"^( {%d}name:\s+)" % child + NAME_VALUE, body)
        if m and "{{" not in body:
            lines[name_at] = f"{m[1]}{m[2]}{m[3]}{suffix}{m[2]}{m[4]}{eol}"
        else:
            name_at = None if not m else name_at
    if has_ns or kind is None or not is_namespaced(kind):
        return []
    at = (name_at if name_at is not None else meta) + 1
    eol = "\r\n" if lines[meta].endswith("\r\n") else "\n"
    return [(at, f"{' ' * child}namespace: default{suffix}{eol}")]


def rename_yaml(text: str, suffix: str) -> str:
    text = YAML_NS.sub(lambda m: f"{m[1]}{m[2]}{m[3]}{suffix}{m[2]}{m[4]}", text)
    text = JSON_NS.sub(lambda m: f"{m[1]}{m[2]}{suffix}{m[3]}", text)
    out = []
    for doc in split_docs(text.splitlines(keepends=True)):
        kind = doc_kind(doc)
        inserts, items = [], []
        if kind is not None and is_list(kind):
            items, col = list_items(doc)
            for a, b in items:
                item_kind = None
                for i in range(a, b):
                    line = doc[i].rstrip("\r\n")
                    if i == a:
                        line = " " * (col + 2) + line[col + 2:]
                    m = re.match(r"^ {%d}kind:\s*([\"']?)([A-Za-z0-9.]+)\1\s*(?:#.*)?$" % (col + 2), line)
                    if m:
                        item_kind = m[2]
                        break
                inserts += edit_object(doc, a, b, col + 2, item_kind, suffix, True)
        if kind is not None and not items:
            inserts += edit_object(doc, 0, len(doc), 0, kind, suffix, False)
        for at, line in sorted(inserts, reverse=True):
            if not doc[at - 1].endswith("\n"):  # last line of a file without a final newline
                doc[at - 1] += line[len(line.rstrip("\r\n")):]
            doc.insert(at, line)
        out.extend(doc)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# JSON (a small scanner that keeps positions, so the file's bytes change only where renamed)


class JsonError(Exception):
    pass


_WS = " \t\r\n"
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"-?[0-9][0-9eE.+-]*|true|false|null")


def _skip(text, i):
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _value(text, i):
    """Parse the JSON value at text[i:]: returns (node, end). Objects are ("obj", open,
    close, [(key, value_node)]), arrays ("arr", [nodes]), strings ("str", start, end, value),
    other scalars ("lit",)."""
    i = _skip(text, i)
    if i >= len(text):
        raise JsonError("unexpected end")
    c = text[i]
    if c == "{":
        open_, members = i, []
        i = _skip(text, i + 1)
        if text[i:i + 1] == "}":
            return ("obj", open_, i, members), i + 1
        while True:
            i = _skip(text, i)
            m = _STRING.match(text, i)
            if not m:
                raise JsonError("expected a key")
            key = m[0][1:-1]
            i = _skip(text, m.end())
            if text[i:i + 1] != ":":
                raise JsonError("expected ':'")
            node, i = _value(text, i + 1)
            members.append((key, node))
            i = _skip(text, i)
            if text[i:i + 1] == ",":
                i += 1
                continue
            if text[i:i + 1] == "}":
                return ("obj", open_, i, members), i + 1
            raise JsonError("expected ',' or '}'")
    if c == "[":
        items = []
        i = _skip(text, i + 1)
        if text[i:i + 1] == "]":
            return ("arr", items), i + 1
        while True:
            node, i = _value(text, i)
            items.append(node)
            i = _skip(text, i)
            if text[i:i + 1] == ",":
                i += 1
                continue
            if text[i:i + 1] == "]":
                return ("arr", items), i + 1
            raise JsonError("expected ',' or ']'")
    if c == '"':
        m = _STRING.match(text, i)
        if not m:
            raise JsonError("unterminated string")
        return ("str", m.start(), m.end(), m[0][1:-1]), m.end()
    m = _SCALAR.match(text, i)
    if not m:
        raise JsonError(f"unexpected {c!r}")
    return ("lit",), m.end()


def _member(obj, key):
    for k, v in obj[3]:
        if k == key:
            return v
    return None


def _json_objects(text):
    """The Kubernetes objects of a JSON file: the top-level object, or a List's items."""
    node, end = _value(text, 0)
    if _skip(text, end) != len(text):
        raise JsonError("trailing data")
    if node[0] != "obj":
        return []
    kind = _member(node, "kind")
    if kind is None or kind[0] != "str" or _member(node, "apiVersion") is None:
        return []
    if is_list(kind[3]):
        items = _member(node, "items")
        if items is not None and items[0] == "arr":
            return [n for n in items[1] if n[0] == "obj"]
    return [node]


def count_json(text: str) -> int:
    try:
        return len(_json_objects(text))
    except (JsonError, RecursionError):
        return 0


def rename_json(text: str, suffix: str) -> str:
    text = YAML_NS.sub(lambda m: f"{m[1]}{m[2]}{m[3]}{suffix}{m[2]}{m[4]}", text)
    text = JSON_NS.sub(lambda m: f"{m[1]}{m[2]}{suffix}{m[3]}", text)
    try:
        objects = _json_objects(text)
    except (JsonError, RecursionError):
        return text  # namespaces renamed only; aksguard reports the file like the original
    edits = []  # (position, characters to drop, replacement)
    for obj in objects:
        kind = _member(obj, "kind")
        meta = _member(obj, "metadata")
        if meta is None or meta[0] != "obj":
            continue
        name = _member(meta, "name")
        if name is not None and name[0] == "str" and name[3] and "{{" not in name[3]:
            edits.append((name[2] - 1, 0, suffix))  # before the closing quote
        if (
            _member(meta, "namespace") is None
            and kind is not None
            and kind[0] == "str"
            and is_namespaced(kind[3])
        ):
            sep = ", " if meta[3] else ""
            edits.append((meta[1] + 1, 0, f'"namespace": "default{suffix}"{sep}'))
    for pos, drop, new in sorted(edits, reverse=True):
        text = text[:pos] + new + text[pos + drop:]
    return text


# ---------------------------------------------------------------------------------------------


def is_helm_template(rel: str, text: str, chart_dirs) -> bool:
    parts = rel.split(os.sep)
    for n in range(len(parts) - 1):
        if parts[n] == "templates" and os.sep.join(parts[:n]) in chart_dirs:
            return True
    return "{{" in text and HELM_MARKER.search(text) is not None


def count_objects(rel: str, text: str) -> int:
    return count_json(text) if rel.lower().endswith(".json") else count_yaml(text)


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="gen_corpus.py",
        usage="gen_corpus.py SRC OUT (--copies N | --objects N | COPIES)",
        description="Write renamed copies of a manifest tree (see the module docstring).",
    )
    p.add_argument("src", metavar="SRC")
    p.add_argument("out", metavar="OUT")
    p.add_argument("copies_pos", metavar="COPIES", nargs="?", type=int, help=argparse.SUPPRESS)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--copies", type=int, metavar="N")
    g.add_argument("--objects", type=int, metavar="N")
    a = p.parse_args(argv)
    given = [x is not None for x in (a.copies_pos, a.copies, a.objects)]
    if sum(given) != 1:
        p.error("give exactly one of COPIES, --copies N, --objects N")
    if a.copies_pos is not None:
        a.copies = a.copies_pos
    if a.copies is not None and a.copies < 1:
        p.error("the number of copies must be at least 1")
    if a.objects is not None and a.objects < 1:
        p.error("--objects must be at least 1")
    return a


def main(argv) -> int:
    if len(argv) == 1 and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    a = parse_args(argv)
    src, out = a.src, a.out
    if not os.path.isdir(src):
        print(f"gen_corpus: {src} is not a directory", file=sys.stderr)
        return 2
    files, chart_dirs = [], set()
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, src)
        rel_dir = "" if rel_dir == "." else rel_dir
        if "Chart.yaml" in filenames:
            chart_dirs.add(rel_dir)
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if os.path.isfile(path) and not os.path.islink(path):
                files.append(os.path.relpath(path, src))

    # Read and classify once: (rel, text or None for "copy unchanged").
    sources, per_copy = [], 0
    for rel in files:
        text = None
        if rel.lower().endswith(MANIFEST):
            with open(os.path.join(src, rel), "rb") as f:
                data = f.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = None  # copied as-is; aksguard reports it like the original
            if text is not None and is_helm_template(rel, text, chart_dirs):
                text = None
            if text is not None:
                per_copy += count_objects(rel, text)
        sources.append((rel, text))

    if a.objects is not None:
        if per_copy == 0:
            print(f"gen_corpus: no objects found in {src}", file=sys.stderr)
            return 2
        copies = math.ceil(a.objects / per_copy)
    else:
        copies = a.copies
    width = max(3, len(str(copies - 1)))

    written = 0
    for k in range(copies):
        suffix = f"-c{k:0{width}d}"
        root = os.path.join(out, f"copy-{k:0{width}d}")
        for rel, text in sources:
            target = os.path.join(root, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if text is None:
                shutil.copyfile(os.path.join(src, rel), target)
            else:
                renamed = rename_json(text, suffix) if rel.lower().endswith(".json") else rename_yaml(text, suffix)
                # newline="" keeps the file's own line ends
                with open(target, "w", encoding="utf-8", newline="") as f:
                    f.write(renamed)
            written += 1
    print(
        f"gen_corpus: wrote {written} files ({len(files)} x {copies} copies) under {out}; "
        f"about {per_copy * copies} objects ({per_copy} per copy)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
