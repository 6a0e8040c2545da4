//! A span tree of a YAML (or JSON) stream, read by the same parser the loader uses
//! (saphyr-parser): every node knows its byte range, style and anchor, so edits can be
//! computed against the text as written. Aliases are kept as aliases (never resolved): an
//! edit must not go through one.

use saphyr_parser::{Event, Parser, ScalarStyle};

/// One node of the span tree, by index into [`SpanTree::nodes`].
pub(crate) type NodeId = usize;

#[derive(Debug)]
pub(crate) enum Shape {
    Scalar {
        text: String,
    },
    Seq {
        items: Vec<NodeId>,
        flow: bool,
    },
    Map {
        /// (key, value) pairs in file order.
        entries: Vec<(NodeId, NodeId)>,
        flow: bool,
    },
    Alias,
}

#[derive(Debug)]
pub(crate) struct SpanNode {
    pub(crate) shape: Shape,
    /// Byte offset of the node's first character (the `{`/`[` of a flow collection, the
    /// quote of a quoted scalar, the first key of a block mapping).
    pub(crate) start: usize,
    /// Byte offset just past the node's last character (for a block collection: past its
    /// last descendant's text).
    pub(crate) end: usize,
    /// Whether the node carries an anchor (`&name`): other nodes may alias it.
    pub(crate) anchored: bool,
}

/// The parsed stream: its documents' roots (`None` for empty documents).
#[derive(Debug)]
pub(crate) struct SpanTree {
    pub(crate) nodes: Vec<SpanNode>,
    pub(crate) documents: Vec<Option<NodeId>>,
}

/// An open collection while the events arrive.
struct Open {
    id: NodeId,
    /// A mapping's key waiting for its value.
    pending_key: Option<NodeId>,
}

impl SpanTree {
    /// Parses `text`; the error says why and on which line.
    pub(crate) fn parse(text: &str) -> Result<SpanTree, String> {
        // saphyr's markers count characters: map them to bytes once.
        let bytes_at: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        let byte = |chars: usize| bytes_at.get(chars).copied().unwrap_or(text.len());
        let mut tree = SpanTree {
            nodes: Vec::new(),
            documents: Vec::new(),
        };
        let mut stack: Vec<Open> = Vec::new();
        let mut document_root: Option<NodeId> = None;
        let mut parser = Parser::new_from_str(text);
        while let Some(next) = parser.next_event() {
            let (event, span) =
                next.map_err(|e| format!("line {}: {}", e.marker().line(), e.info()))?;
            let (start, end) = (byte(span.start.index()), byte(span.end.index()));
            let new_node = match event {
                Event::DocumentStart(_) => {
                    document_root = None;
                    continue;
                }
                Event::DocumentEnd => {
                    tree.documents.push(document_root.take());
                    continue;
                }
                Event::Scalar(value, style, anchor, _) => {
                    let (start, end) = match style {
                        // An empty value (`key:`) has no text; place it where it would be.
                        ScalarStyle::Plain if value.is_empty() => (start, start),
                        // saphyr's span of a quoted scalar may run past blanks and a
                        // comment after it: end at the closing quote.
                        ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted => {
                            (start, quoted_end(text, start).unwrap_or(end))
                        }
                        _ => (start, end),
                    };
                    Some(tree.push(
                        Shape::Scalar {
                            text: value.into_owned(),
                        },
                        start,
                        end,
                        anchor != 0,
                    ))
                }
                Event::Alias(_) => Some(tree.push(Shape::Alias, start, end, false)),
                Event::SequenceStart(anchor, _) => {
                    let flow = text.as_bytes().get(start) == Some(&b'[');
                    let id = tree.push(
                        Shape::Seq {
                            items: Vec::new(),
                            flow,
                        },
                        start,
                        start,
                        anchor != 0,
                    );
                    stack.push(Open {
                        id,
                        pending_key: None,
                    });
                    continue;
                }
                Event::MappingStart(anchor, _) => {
                    let flow = text.as_bytes().get(start) == Some(&b'{');
                    let id = tree.push(
                        Shape::Map {
                            entries: Vec::new(),
                            flow,
                        },
                        start,
                        start,
                        anchor != 0,
                    );
                    stack.push(Open {
                        id,
                        pending_key: None,
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(open) = stack.pop() else {
                        return Err("unbalanced collection end".to_owned());
                    };
                    let node = &mut tree.nodes[open.id];
                    let flow = matches!(
                        node.shape,
                        Shape::Seq { flow: true, .. } | Shape::Map { flow: true, .. }
                    );
                    if flow {
                        // The closing bracket's span.
                        node.end = node.end.max(end);
                    }
                    Some(open.id)
                }
                Event::StreamStart | Event::StreamEnd | Event::Nothing => continue,
            };
            let Some(id) = new_node else { continue };
            tree.attach(&mut stack, id, &mut document_root);
        }
        Ok(tree)
    }

    fn push(&mut self, shape: Shape, start: usize, end: usize, anchored: bool) -> NodeId {
        self.nodes.push(SpanNode {
            shape,
            start,
            end,
            anchored,
        });
        self.nodes.len() - 1
    }

    /// Hands a finished node to its parent (or makes it the document's root), growing the
    /// parent's end to cover it.
    fn attach(&mut self, stack: &mut [Open], id: NodeId, root: &mut Option<NodeId>) {
        let end = self.nodes[id].end;
        let Some(parent) = stack.last_mut() else {
            *root = Some(id);
            return;
        };
        let parent_node = &mut self.nodes[parent.id];
        parent_node.end = parent_node.end.max(end);
        match &mut parent_node.shape {
            Shape::Seq { items, .. } => items.push(id),
            Shape::Map { entries, .. } => match parent.pending_key.take() {
                None => parent.pending_key = Some(id),
                Some(key) => entries.push((key, id)),
            },
            Shape::Scalar { .. } | Shape::Alias => {}
        }
        // A block mapping starts at its first key (its start event may sit elsewhere).
        if let Shape::Map {
            entries,
            flow: false,
        } = &parent_node.shape
            && entries.len() == 1
            && parent.pending_key.is_none()
        {
            let key = entries[0].0;
            let key_start = self.nodes[key].start;
            self.nodes[parent.id].start = key_start;
        }
    }

    pub(crate) fn node(&self, id: NodeId) -> &SpanNode {
        &self.nodes[id]
    }

    /// The scalar text of `id`, if it is a scalar.
    pub(crate) fn scalar(&self, id: NodeId) -> Option<&str> {
        match &self.nodes[id].shape {
            Shape::Scalar { text } => Some(text),
            _ => None,
        }
    }

    /// The value of `key` in mapping `id` (the last entry wins, as in the loader).
    pub(crate) fn get(&self, id: NodeId, key: &str) -> Option<NodeId> {
        match &self.nodes[id].shape {
            Shape::Map { entries, .. } => entries
                .iter()
                .rev()
                .find(|(k, _)| self.scalar(*k) == Some(key))
                .map(|(_, v)| *v),
            _ => None,
        }
    }
}

/// The offset just past the closing quote of the quoted scalar starting at `start`.
fn quoted_end(text: &str, start: usize) -> Option<usize> {
    let quote = *text.as_bytes().get(start)?;
    let bytes = text.as_bytes();
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            b if b == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice<'a>(text: &'a str, tree: &SpanTree, id: NodeId) -> &'a str {
        &text[tree.node(id).start..tree.node(id).end]
    }

    #[test]
    fn spans_are_bytes_and_cover_what_is_written() {
        let text = "é: 1\nspec:\n  a: \"x y\"   # c\n  b: [1, 2]\n  c: {d: e}\n";
        let tree = SpanTree::parse(text).unwrap();
        let root = tree.documents[0].unwrap();
        let spec = tree.get(root, "spec").unwrap();
        assert_eq!(slice(text, &tree, tree.get(spec, "a").unwrap()), "\"x y\"");
        assert_eq!(slice(text, &tree, tree.get(spec, "b").unwrap()), "[1, 2]");
        assert_eq!(slice(text, &tree, tree.get(spec, "c").unwrap()), "{d: e}");
        assert_eq!(
            slice(text, &tree, spec),
            "a: \"x y\"   # c\n  b: [1, 2]\n  c: {d: e}"
        );
        assert_eq!(slice(text, &tree, tree.get(root, "é").unwrap()), "1");
    }
}
