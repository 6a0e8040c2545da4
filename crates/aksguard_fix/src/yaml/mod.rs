//! Patch operations spelled as byte edits of a YAML or JSON manifest. Only the bytes the
//! change needs are touched: comments, key order, quoting, indentation, document separators
//! and every other line stay as they were. A new key goes after its last sibling with the
//! siblings' indentation (block style) or after the last entry with the entries' separator
//! (flow style and JSON); a removed key takes its own lines with it.

mod render;
mod tree;

use aksguard_model::{PatchOp, PathSegment};
use serde_json::Value as Json;

use render::Style;
use tree::{NodeId, Shape, SpanTree};

/// Replace bytes `start..end` of the text with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

/// A manifest stream parsed for editing.
pub struct Manifest<'t> {
    text: &'t str,
    tree: SpanTree,
    /// JSON text: keys and strings are written as JSON.
    json: bool,
    line_ending: &'static str,
    /// The file's indentation step (2 unless the file says otherwise).
    indent_unit: usize,
}

/// One Kubernetes object of the stream (a document, or an item of a `List`).
#[derive(Clone, Debug)]
pub struct ObjectSpan {
    pub(crate) root: NodeId,
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: Option<String>,
    /// Byte range of the object's text.
    pub start: usize,
    pub end: usize,
}

impl<'t> Manifest<'t> {
    pub fn parse(text: &'t str) -> Result<Manifest<'t>, String> {
        let tree = SpanTree::parse(text)?;
        let json = text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with(['{', '[']);
        let line_ending = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let mut manifest = Manifest {
            text,
            tree,
            json,
            line_ending,
            indent_unit: 2,
        };
        manifest.indent_unit = manifest.detect_indent_unit();
        Ok(manifest)
    }

    /// The objects of the stream, in file order (`List` wrappers unpacked).
    pub fn objects(&self) -> Vec<ObjectSpan> {
        let mut out = Vec::new();
        for root in self.tree.documents.iter().flatten() {
            self.collect_objects(*root, &mut out);
        }
        out
    }

    fn collect_objects(&self, id: NodeId, out: &mut Vec<ObjectSpan>) {
        let tree = &self.tree;
        let text_of = |id: NodeId, key: &str| {
            tree.get(id, key)
                .and_then(|v| tree.scalar(v))
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let (Some(api_version), Some(kind)) = (text_of(id, "apiVersion"), text_of(id, "kind"))
        else {
            return;
        };
        if kind.ends_with("List")
            && tree.get(id, "spec").is_none()
            && let Some(items) = tree.get(id, "items")
            && let Shape::Seq { items, .. } = &tree.node(items).shape
        {
            for item in items {
                self.collect_objects(*item, out);
            }
            return;
        }
        let metadata = tree.get(id, "metadata");
        let meta = |key: &str| metadata.and_then(|m| text_of(m, key));
        out.push(ObjectSpan {
            root: id,
            api_version,
            kind,
            namespace: meta("namespace"),
            name: meta("name").or_else(|| meta("generateName")),
            start: tree.node(id).start,
            end: tree.node(id).end,
        });
    }

    /// Whether the object carries an `aksguard.io/ignore` annotation (never edited).
    pub fn is_ignored(&self, object: &ObjectSpan) -> bool {
        let tree = &self.tree;
        tree.get(object.root, "metadata")
            .and_then(|m| tree.get(m, "annotations"))
            .is_some_and(|a| tree.get(a, "aksguard.io/ignore").is_some())
    }

    /// The edits that apply `op` to `object`; empty when the object already says what `op`
    /// asks (a second run changes nothing).
    pub fn edits(&self, object: &ObjectSpan, op: &PatchOp) -> Result<Vec<Edit>, String> {
        match op {
            PatchOp::Set { path, value } => self.set(object.root, &path.0, value),
            PatchOp::Remove { path } => self.remove(object.root, &path.0),
            PatchOp::AddToList { path, value } => self.add_to_list(object.root, &path.0, value),
            PatchOp::RemoveFromList { path, value } => {
                self.remove_from_list(object.root, &path.0, value)
            }
        }
    }

    // --- Paths -------------------------------------------------------------------------

    /// Follows `path` from `root`: where it ends, or the mapping where it stops and the
    /// segments left.
    fn resolve<'p>(&self, root: NodeId, path: &'p [PathSegment]) -> Result<Resolved<'p>, String> {
        let mut chain = vec![root];
        let mut node = root;
        for (i, segment) in path.iter().enumerate() {
            self.refuse_alias(node)?;
            let next = match (segment, &self.tree.node(node).shape) {
                (PathSegment::Key(key), Shape::Map { .. }) => self.tree.get(node, key),
                (PathSegment::Index(index), Shape::Seq { items, .. }) => {
                    items.get(*index as usize).copied()
                }
                (PathSegment::Named(name), Shape::Seq { items, .. }) => {
                    items.iter().copied().find(|item| {
                        self.tree
                            .get(*item, "name")
                            .and_then(|n| self.tree.scalar(n))
                            == Some(name.as_str())
                    })
                }
                (_, Shape::Scalar { text }) if text.is_empty() || text == "~" || text == "null" => {
                    return Err(format!(
                        "`{}` is null; not edited",
                        render::path_text(&path[..i])
                    ));
                }
                _ => {
                    return Err(format!(
                        "`{}` does not have the expected shape; not edited",
                        render::path_text(&path[..i])
                    ));
                }
            };
            match next {
                Some(next) => {
                    chain.push(next);
                    node = next;
                }
                None => {
                    if let PathSegment::Key(_) = segment
                        && self.tree.get(node, "<<").is_some()
                    {
                        return Err(format!(
                            "`{}` may come from a merge key (`<<`); not edited",
                            render::path_text(&path[..=i])
                        ));
                    }
                    return Ok(Resolved::Missing {
                        parent: node,
                        rest: &path[i..],
                    });
                }
            }
        }
        self.refuse_alias(node)?;
        Ok(Resolved::Found { chain })
    }

    /// Editing an alias (or the anchored node other places alias) would change more than
    /// this object: such edits are refused.
    fn refuse_alias(&self, node: NodeId) -> Result<(), String> {
        let span = self.tree.node(node);
        if matches!(span.shape, Shape::Alias) {
            return Err(format!(
                "the value at line {} is an alias (`*`); edit its anchor by hand",
                self.line_of(span.start)
            ));
        }
        if span.anchored {
            return Err(format!(
                "the value at line {} carries an anchor (`&`) other places may share; not edited",
                self.line_of(span.start)
            ));
        }
        Ok(())
    }

    // --- Operations --------------------------------------------------------------------

    fn set(&self, root: NodeId, path: &[PathSegment], value: &Json) -> Result<Vec<Edit>, String> {
        match self.resolve(root, path)? {
            Resolved::Found { chain } => {
                let target = *chain.last().unwrap_or(&root);
                if self.same_value(target, value) {
                    return Ok(Vec::new());
                }
                let node = self.tree.node(target);
                if !matches!(node.shape, Shape::Scalar { .. }) && !value_is_scalar(value) {
                    return Err(format!(
                        "`{}` holds a collection; not replaced",
                        render::path_text(path)
                    ));
                }
                if !matches!(node.shape, Shape::Scalar { .. }) {
                    return Err(format!(
                        "`{}` holds a collection where a scalar is expected; not replaced",
                        render::path_text(path)
                    ));
                }
                let empty = node.start == node.end;
                let text = render::inline(value, self.style_at(target));
                Ok(vec![Edit {
                    start: node.start,
                    end: node.end,
                    // `key:` with no value: the value goes after a space.
                    replacement: if empty { format!(" {text}") } else { text },
                }])
            }
            Resolved::Missing { parent, rest } => {
                let (first, nested) = nest(rest, value.clone())?;
                self.insert_entry(parent, &first, &nested).map(|e| vec![e])
            }
        }
    }

    fn remove(&self, root: NodeId, path: &[PathSegment]) -> Result<Vec<Edit>, String> {
        let Resolved::Found { chain } = self.resolve(root, path)? else {
            return Ok(Vec::new());
        };
        let [.., parent, target] = chain[..] else {
            return Err("cannot remove an object's root".to_owned());
        };
        match &self.tree.node(parent).shape {
            Shape::Map { entries, .. } => {
                let index = entries
                    .iter()
                    .rposition(|(_, v)| *v == target)
                    .ok_or("entry not found")?;
                self.remove_entry(parent, index).map(|e| vec![e])
            }
            Shape::Seq { items, .. } => {
                let index = items
                    .iter()
                    .position(|i| *i == target)
                    .ok_or("item not found")?;
                self.remove_items(parent, &[index]).map(|e| vec![e])
            }
            _ => Ok(Vec::new()),
        }
    }

    fn add_to_list(
        &self,
        root: NodeId,
        path: &[PathSegment],
        value: &Json,
    ) -> Result<Vec<Edit>, String> {
        match self.resolve(root, path)? {
            Resolved::Found { chain } => {
                let seq = *chain.last().unwrap_or(&root);
                let Shape::Seq { items, flow } = &self.tree.node(seq).shape else {
                    return Err(format!(
                        "`{}` is not a list; not edited",
                        render::path_text(path)
                    ));
                };
                if items.iter().any(|i| self.same_value(*i, value)) {
                    return Ok(Vec::new());
                }
                let style = self.style_at(seq);
                let item = render::inline(value, style);
                let node = self.tree.node(seq);
                if *flow {
                    return Ok(vec![self.flow_append(seq, items, &item)]);
                }
                let Some(last) = items.last() else {
                    return Err("empty block list".to_owned());
                };
                let first = self.tree.node(items[0]).start;
                let dash = self.text[..first].rfind('-').unwrap_or(first);
                let indent = self.column(dash);
                let at = self.after_line(self.tree.node(*last).end.max(node.end));
                Ok(vec![Edit {
                    start: at.0,
                    end: at.0,
                    replacement: format!(
                        "{}{}- {item}{}",
                        at.1,
                        " ".repeat(indent),
                        self.line_ending
                    ),
                }])
            }
            Resolved::Missing { parent, rest } => {
                let (first, nested) = nest(rest, Json::Array(vec![value.clone()]))?;
                self.insert_entry(parent, &first, &nested).map(|e| vec![e])
            }
        }
    }

    fn remove_from_list(
        &self,
        root: NodeId,
        path: &[PathSegment],
        value: &Json,
    ) -> Result<Vec<Edit>, String> {
        let Resolved::Found { chain } = self.resolve(root, path)? else {
            return Ok(Vec::new());
        };
        let seq = *chain.last().unwrap_or(&root);
        let Shape::Seq { items, .. } = &self.tree.node(seq).shape else {
            return Ok(Vec::new());
        };
        let matching: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, i)| self.same_value(**i, value))
            .map(|(n, _)| n)
            .collect();
        if matching.is_empty() {
            return Ok(Vec::new());
        }
        self.remove_items(seq, &matching).map(|e| vec![e])
    }

    // --- Text surgery ------------------------------------------------------------------

    /// Inserts `key: value` into mapping `map`.
    fn insert_entry(&self, map: NodeId, key: &str, value: &Json) -> Result<Edit, String> {
        let node = self.tree.node(map);
        let Shape::Map { entries, flow } = &node.shape else {
            return Err("not a mapping; not edited".to_owned());
        };
        let style = self.style_at(map);
        if *flow || self.json {
            let entry = format!(
                "{}: {}",
                render::key(key, style),
                render::inline(value, style)
            );
            let Some((last_key, last_value)) = entries.last() else {
                // `{}` (possibly with blanks inside): write the entry between the braces.
                return Ok(Edit {
                    start: node.start,
                    end: node.end,
                    replacement: format!("{{{entry}}}"),
                });
            };
            let last_key_start = self.tree.node(*last_key).start;
            let separator = if self.line_of(last_key_start) != self.line_of(node.start) {
                format!(
                    ",{}{}",
                    self.line_ending,
                    " ".repeat(self.column(last_key_start))
                )
            } else {
                ", ".to_owned()
            };
            let at = self.tree.node(*last_value).end;
            return Ok(Edit {
                start: at,
                end: at,
                replacement: format!("{separator}{entry}"),
            });
        }
        let Some((first_key, _)) = entries.first() else {
            return Err("empty block mapping; not edited".to_owned());
        };
        let indent = self.column(self.tree.node(*first_key).start);
        let (at, prefix) = self.after_line(node.end);
        let block = render::block_entry(key, value, indent, self.indent_unit, self.line_ending);
        Ok(Edit {
            start: at,
            end: at,
            replacement: format!("{prefix}{block}"),
        })
    }

    /// Removes entry `index` of mapping `map` with its lines (block) or its separator (flow).
    fn remove_entry(&self, map: NodeId, index: usize) -> Result<Edit, String> {
        let node = self.tree.node(map);
        let Shape::Map { entries, flow } = &node.shape else {
            return Err("not a mapping".to_owned());
        };
        let (key, value) = entries[index];
        let key_start = self.tree.node(key).start;
        let value_end = self.tree.node(value).end.max(self.tree.node(key).end);
        if *flow {
            return Ok(self.flow_remove(
                entries
                    .iter()
                    .map(|(k, v)| (self.tree.node(*k).start, self.tree.node(*v).end)),
                index,
                node,
            ));
        }
        if entries.len() == 1 {
            return Ok(Edit {
                start: key_start,
                end: self.content_end(node.end),
                replacement: "{}".to_owned(),
            });
        }
        let line_start = self.line_start(key_start);
        if self.text[line_start..key_start].trim().is_empty() {
            let end = self.line_end_after_break(self.content_end(value_end));
            return Ok(Edit {
                start: line_start,
                end,
                replacement: String::new(),
            });
        }
        // `- key: value` as a list item's first entry: the next entry takes its place.
        let next = entries
            .get(index + 1)
            .map(|(k, _)| self.tree.node(*k).start)
            .ok_or("entry shares its line; not removed")?;
        Ok(Edit {
            start: key_start,
            end: next,
            replacement: String::new(),
        })
    }

    /// Removes items `indexes` (ascending) of list `seq`, as one edit.
    fn remove_items(&self, seq: NodeId, indexes: &[usize]) -> Result<Edit, String> {
        let node = self.tree.node(seq);
        let Shape::Seq { items, flow } = &node.shape else {
            return Err("not a list".to_owned());
        };
        if indexes.len() == items.len() {
            // Every item goes: the list stays, empty.
            let end = self.content_end(node.end);
            if *flow {
                return Ok(Edit {
                    start: node.start,
                    end,
                    replacement: "[]".to_owned(),
                });
            }
            return self.empty_block_list(items, end);
        }
        if *flow {
            if indexes.len() != 1 {
                return Err("several items of a flow list; not edited".to_owned());
            }
            return Ok(self.flow_remove(
                items
                    .iter()
                    .map(|i| (self.tree.node(*i).start, self.tree.node(*i).end)),
                indexes[0],
                node,
            ));
        }
        // Block items: contiguous runs only (one edit); else the caller retries.
        let (first, last) = (indexes[0], indexes[indexes.len() - 1]);
        if last - first + 1 != indexes.len() {
            return Err("non-adjacent list items; not edited".to_owned());
        }
        let item_start = self.tree.node(items[first]).start;
        let dash = self.text[..item_start].rfind('-').unwrap_or(item_start);
        let line_start = self.line_start(dash);
        if !self.text[line_start..dash].trim().is_empty() {
            return Err("list item shares its line; not removed".to_owned());
        }
        let end = self.line_end_after_break(self.content_end(self.tree.node(items[last]).end));
        Ok(Edit {
            start: line_start,
            end,
            replacement: String::new(),
        })
    }

    /// Replaces a whole block list (its items end at `end`) by `[]`. A block list may sit at
    /// its key's own column (`sysctls:` then `- name: …` below it), where `[]` on the next
    /// line would not parse: `[]` goes after the key's colon then, or where the first dash was
    /// when that is deeper than the line before.
    fn empty_block_list(&self, items: &[NodeId], end: usize) -> Result<Edit, String> {
        let first = self.tree.node(items[0]).start;
        let dash = self.text[..first].rfind('-').unwrap_or(first);
        let before = self.text[..dash].trim_end();
        if before.ends_with(':') {
            return Ok(Edit {
                start: before.len(),
                end,
                replacement: " []".to_owned(),
            });
        }
        let line = &self.text[self.line_start(before.len())..before.len()];
        let indent = line.len() - line.trim_start_matches(' ').len();
        if !before.is_empty() && self.column(dash) > indent {
            return Ok(Edit {
                start: dash,
                end,
                replacement: "[]".to_owned(),
            });
        }
        Err("a block list that cannot be emptied in place; not edited".to_owned())
    }

    /// Removes element `index` of a flow collection whose elements span `ranges`.
    fn flow_remove(
        &self,
        ranges: impl Iterator<Item = (usize, usize)>,
        index: usize,
        node: &tree::SpanNode,
    ) -> Edit {
        let ranges: Vec<(usize, usize)> = ranges.collect();
        let (start, end) = ranges[index];
        let edit = |start, end| Edit {
            start,
            end,
            replacement: String::new(),
        };
        if index > 0 {
            edit(ranges[index - 1].1, end)
        } else if let Some(next) = ranges.get(1) {
            edit(start, next.0)
        } else {
            // The only element: keep the brackets.
            let open = node.start + 1;
            let close = node.end.saturating_sub(1).max(open);
            edit(open, close)
        }
    }

    /// Appends `item` to a flow list.
    fn flow_append(&self, seq: NodeId, items: &[NodeId], item: &str) -> Edit {
        let node = self.tree.node(seq);
        match items.last() {
            None => Edit {
                start: node.start,
                end: node.end,
                replacement: format!("[{item}]"),
            },
            Some(last) => {
                let last_start = self.tree.node(*last).start;
                let separator = if self.line_of(last_start) != self.line_of(node.start) {
                    format!(
                        ",{}{}",
                        self.line_ending,
                        " ".repeat(self.column(last_start))
                    )
                } else {
                    ", ".to_owned()
                };
                let at = self.tree.node(*last).end;
                Edit {
                    start: at,
                    end: at,
                    replacement: format!("{separator}{item}"),
                }
            }
        }
    }

    // --- Text helpers ------------------------------------------------------------------

    /// Whether node `id` already holds `value` (scalars compared as the loader reads them).
    fn same_value(&self, id: NodeId, value: &Json) -> bool {
        let Some(text) = self.tree.scalar(id) else {
            return false;
        };
        match value {
            Json::Bool(b) => text.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
            Json::Number(n) => text == n.to_string(),
            Json::String(s) => text == s,
            Json::Null => text.is_empty() || text == "~" || text == "null",
            _ => false,
        }
    }

    /// How values are written at node `id`: JSON, flow YAML or block YAML.
    fn style_at(&self, id: NodeId) -> Style {
        if self.json {
            return Style::Json;
        }
        match self.tree.node(id).shape {
            Shape::Map { flow: true, .. } | Shape::Seq { flow: true, .. } => Style::Flow,
            _ => {
                // Inside a flow collection, a scalar's text sits between `{`/`[` and `}`/`]`.
                if self.inside_flow(id) {
                    Style::Flow
                } else {
                    Style::Block
                }
            }
        }
    }

    fn inside_flow(&self, id: NodeId) -> bool {
        let start = self.tree.node(id).start;
        self.tree.nodes.iter().any(|n| {
            matches!(
                n.shape,
                Shape::Map { flow: true, .. } | Shape::Seq { flow: true, .. }
            ) && n.start < start
                && start < n.end
        })
    }

    /// The end of the last non-blank text before `end` (trailing blanks and breaks that a
    /// node's span may include are not its content).
    fn content_end(&self, end: usize) -> usize {
        self.text[..end].trim_end().len()
    }

    /// Where to insert a new line after the line holding the content ending at `end`, and
    /// the line break to write first when the text ends without one.
    fn after_line(&self, end: usize) -> (usize, &'static str) {
        let end = self.content_end(end);
        let at = self.line_end_after_break(end);
        if at == self.text.len() && !self.text.ends_with('\n') {
            (at, self.line_ending)
        } else {
            (at, "")
        }
    }

    /// The offset just past the line break ending the line that holds `at`.
    fn line_end_after_break(&self, at: usize) -> usize {
        match self.text[at..].find('\n') {
            Some(i) => at + i + 1,
            None => self.text.len(),
        }
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// 0-based column of byte `at`, in characters.
    fn column(&self, at: usize) -> usize {
        self.text[self.line_start(at)..at].chars().count()
    }

    /// The 1-based line holding byte `at`.
    pub fn line_at(&self, at: usize) -> usize {
        self.line_of(at)
    }

    fn line_of(&self, at: usize) -> usize {
        self.text[..at].matches('\n').count() + 1
    }

    /// The smallest step by which a block mapping's keys are indented under their parent's
    /// key (2 when the file has no nested block mapping).
    fn detect_indent_unit(&self) -> usize {
        let mut unit = usize::MAX;
        for node in &self.tree.nodes {
            let Shape::Map {
                entries,
                flow: false,
            } = &node.shape
            else {
                continue;
            };
            for (key, value) in entries {
                if let Shape::Map {
                    entries: inner,
                    flow: false,
                } = &self.tree.node(*value).shape
                    && let Some((inner_key, _)) = inner.first()
                {
                    let outer = self.column(self.tree.node(*key).start);
                    let inner = self.column(self.tree.node(*inner_key).start);
                    if inner > outer {
                        unit = unit.min(inner - outer);
                    }
                }
            }
        }
        if unit == usize::MAX { 2 } else { unit }
    }
}

enum Resolved<'p> {
    /// The path's nodes from the object's root to its end.
    Found { chain: Vec<NodeId> },
    /// The path stops at mapping `parent`; `rest` (starting with a key) is missing.
    Missing {
        parent: NodeId,
        rest: &'p [PathSegment],
    },
}

/// `rest` = `[a, b, c]` and `value` → (`a`, `{b: {c: value}}`): the entry to insert.
fn nest(rest: &[PathSegment], value: Json) -> Result<(String, Json), String> {
    let mut keys = Vec::with_capacity(rest.len());
    for segment in rest {
        match segment {
            PathSegment::Key(key) => keys.push(key.to_string()),
            PathSegment::Index(_) | PathSegment::Named(_) => {
                return Err(format!(
                    "`{}` names a list item that is not there; not edited",
                    render::path_text(rest)
                ));
            }
        }
    }
    let first = keys.first().cloned().ok_or("empty path")?;
    let nested = keys[1..].iter().rev().fold(value, |inner, key| {
        let mut map = serde_json::Map::new();
        map.insert(key.clone(), inner);
        Json::Object(map)
    });
    Ok((first, nested))
}

fn value_is_scalar(value: &Json) -> bool {
    !matches!(value, Json::Array(_) | Json::Object(_))
}

/// Applies non-overlapping `edits` to `text` (from the end, so offsets stay valid).
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    for pair in sorted.windows(2) {
        if pair[0].end > pair[1].start {
            return Err("two edits overlap".to_owned());
        }
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in sorted {
        let (Some(before), true) = (text.get(at..edit.start), edit.end <= text.len()) else {
            return Err("an edit lies outside the text".to_owned());
        };
        out.push_str(before);
        out.push_str(&edit.replacement);
        at = edit.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests;
