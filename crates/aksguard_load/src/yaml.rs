//! YAML (and JSON, which is YAML 1.2) to positioned [`Node`] trees, from saphyr-parser events.
//! Anchors and aliases are resolved here, with merge keys (`<<`), under [`Limits`].

use std::collections::HashMap;

use aksguard_model::{CompactString, Entry, Node, Pos, Value};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use crate::limits::Limits;

/// A parse failure at a 1-based line of the whole stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub message: String,
}

/// Parses every document of `text`, whose first line is line `first_line` of its file.
/// Empty documents come back as `None`.
pub fn parse_documents(
    text: &str,
    first_line: u32,
    limits: &Limits,
) -> Result<Vec<Option<Node>>, ParseError> {
    parse(text, first_line, limits).map_err(|mut err| {
        // At end of input the scanner stands on a line past the last one; point at the last.
        let last = first_line.saturating_add(line_count(text).saturating_sub(1));
        err.line = err.line.min(last);
        err
    })
}

/// Lines as an editor counts them (LF, CRLF and lone CR break; a final break ends the last
/// line rather than starting another). At least 1.
fn line_count(text: &str) -> u32 {
    let breaks =
        text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count();
    let open_last = !text.is_empty() && !text.ends_with(['\n', '\r']);
    to_u32((breaks + usize::from(open_last)).max(1))
}

fn parse(text: &str, first_line: u32, limits: &Limits) -> Result<Vec<Option<Node>>, ParseError> {
    let mut builder = Builder::new(first_line, limits);
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, span)) => builder.event(event, span.start)?,
            Err(err) => {
                return Err(ParseError {
                    line: builder.line(err.marker()),
                    message: err.info().to_owned(),
                });
            }
        }
    }
    Ok(builder.documents)
}

/// An open collection. Its children wait on the builder's shared `items`/`entries` stacks
/// from `start` on, so that each finished collection is allocated once, at its exact size
/// (no growth while it fills, no trimming after: trees live as long as the scan).
enum Frame {
    Seq {
        pos: Pos,
        anchor: usize,
        start: usize,
    },
    Map {
        pos: Pos,
        anchor: usize,
        start: usize,
        key: Option<(CompactString, Pos)>,
    },
}

struct Builder<'l> {
    line_offset: u32,
    limits: &'l Limits,
    stack: Vec<Frame>,
    items: Vec<Node>,
    entries: Vec<Entry>,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    documents: Vec<Option<Node>>,
    document_open: bool,
}

impl<'l> Builder<'l> {
    fn new(first_line: u32, limits: &'l Limits) -> Self {
        Builder {
            line_offset: first_line.saturating_sub(1),
            limits,
            stack: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            anchors: HashMap::new(),
            nodes: 0,
            documents: Vec::new(),
            document_open: false,
        }
    }

    fn line(&self, marker: &Marker) -> u32 {
        to_u32(marker.line()).saturating_add(self.line_offset)
    }

    fn pos(&self, marker: Marker) -> Pos {
        Pos::new(self.line(&marker), to_u32(marker.col()).saturating_add(1))
    }

    fn error(&self, marker: Marker, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.line(&marker),
            message: message.into(),
        }
    }

    fn count(&mut self, added: usize, at: Marker) -> Result<(), ParseError> {
        self.nodes = self.nodes.saturating_add(added);
        if self.nodes > self.limits.max_nodes_per_document {
            return Err(self.error(
                at,
                format!(
                    "document expands to more than {} nodes (alias bomb or oversized document)",
                    self.limits.max_nodes_per_document
                ),
            ));
        }
        Ok(())
    }

    fn event(&mut self, event: Event<'_>, at: Marker) -> Result<(), ParseError> {
        match event {
            Event::DocumentStart(_) => {
                self.anchors.clear();
                self.nodes = 0;
                self.document_open = true;
            }
            Event::DocumentEnd => {
                if self.document_open {
                    // A document whose root never completed is empty.
                    self.documents.push(None);
                    self.document_open = false;
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, at)?;
                let forced_string = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let plain = style == ScalarStyle::Plain && !forced_string;
                let node = Node::scalar(&text, plain, self.pos(at));
                self.complete(node, anchor, at)?;
            }
            Event::Alias(id) => {
                let Some(size) = self.anchors.get(&id).map(Node::size) else {
                    return Err(self.error(at, "alias refers to an unknown anchor"));
                };
                // Budget first: an alias bomb must fail before it allocates.
                self.count(size, at)?;
                let mut node = self.anchors[&id].clone();
                // Content reached through an alias is reported where the alias is used.
                reposition(&mut node, self.pos(at));
                self.complete(node, 0, at)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(at)?;
                self.stack.push(Frame::Seq {
                    pos: self.pos(at),
                    anchor,
                    start: self.items.len(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.open(at)?;
                self.stack.push(Frame::Map {
                    pos: self.pos(at),
                    anchor,
                    start: self.entries.len(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { pos, anchor, start }) => (
                        Node {
                            pos,
                            value: Value::Seq(self.items.drain(start..).collect()),
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        pos, anchor, start, ..
                    }) => (
                        Node {
                            pos,
                            value: Value::Map(apply_merge_keys(
                                self.entries.drain(start..).collect(),
                            )),
                        },
                        anchor,
                    ),
                    None => return Err(self.error(at, "unbalanced collection end")),
                };
                self.complete(node, anchor, at)?;
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn open(&mut self, at: Marker) -> Result<(), ParseError> {
        self.count(1, at)?;
        if self.stack.len() >= self.limits.max_depth {
            return Err(self.error(
                at,
                format!("nesting deeper than {} levels", self.limits.max_depth),
            ));
        }
        Ok(())
    }

    /// Attaches a finished node to its parent (or makes it the document root).
    fn complete(&mut self, mut node: Node, anchor: usize, at: Marker) -> Result<(), ParseError> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if !self.document_open {
                    return Err(self.error(at, "content outside a document"));
                }
                self.documents.push(Some(node));
                self.document_open = false;
            }
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map { key, .. }) => match key.take() {
                None => {
                    let Value::Scalar { text, .. } = node.value else {
                        // No Kubernetes manifest has a mapping or sequence as a key; this is
                        // what an unrendered `{{ placeholder }}` parses to.
                        return Err(ParseError {
                            line: node.pos.line,
                            message: "a mapping or sequence used as a key: this looks like an \
                                      unrendered template placeholder such as `{{ value }}`; \
                                      render the template (helm template, envsubst) first"
                                .into(),
                        });
                    };
                    *key = Some((text, node.pos));
                }
                Some((key, key_pos)) => {
                    // A field is reported where its key is written.
                    node.pos = key_pos;
                    self.entries.push(Entry {
                        key,
                        key_pos,
                        value: node,
                    });
                }
            },
        }
        Ok(())
    }
}

/// Resolves YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`), which the Kubernetes YAML
/// decoder honours. Explicit keys win over merged ones; earlier merged maps win over later.
fn apply_merge_keys(entries: Vec<Entry>) -> Vec<Entry> {
    if !entries.iter().any(|e| e.key == "<<") {
        return entries;
    }
    let (merges, explicit): (Vec<Entry>, Vec<Entry>) =
        entries.into_iter().partition(|e| e.key == "<<");
    let mut merged: Vec<Entry> = Vec::new();
    for merge in merges {
        let sources: Vec<&Node> = match &merge.value.value {
            Value::Map(_) => vec![&merge.value],
            Value::Seq(items) => items.iter().collect(),
            Value::Scalar { .. } => vec![],
        };
        // Lookups take the last entry, so lower-precedence maps go first.
        for source in sources.into_iter().rev() {
            for entry in source.entries() {
                let mut entry = entry.clone();
                entry.key_pos = merge.key_pos;
                entry.value.pos = merge.key_pos;
                merged.push(entry);
            }
        }
    }
    merged.retain(|m| !explicit.iter().any(|e| e.key == m.key));
    merged.extend(explicit);
    merged.shrink_to_fit();
    merged
}

fn reposition(node: &mut Node, pos: Pos) {
    node.pos = pos;
    match &mut node.value {
        Value::Scalar { .. } => {}
        Value::Seq(items) => items.iter_mut().for_each(|item| reposition(item, pos)),
        Value::Map(entries) => {
            for entry in entries {
                entry.key_pos = pos;
                reposition(&mut entry.value, pos);
            }
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Option<Node>> {
        parse_documents(text, 1, &Limits::default()).expect("parses")
    }

    #[test]
    fn positions_point_at_keys() {
        let docs = parse("a:\n  b:\n    c: true\n");
        let root = docs[0].as_ref().unwrap();
        let b = root.at("a.b").unwrap();
        assert_eq!(b.pos, Pos::new(2, 3));
        assert_eq!(root.at("a.b.c").unwrap().pos, Pos::new(3, 5));
    }

    #[test]
    fn anchors_and_merge_keys_resolve() {
        let docs = parse("base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  y: 3\n");
        let root = docs[0].as_ref().unwrap();
        assert_eq!(root.at("use.x").unwrap().as_i64(), Some(1));
        assert_eq!(root.at("use.y").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn alias_bomb_is_an_error_not_an_allocation() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = parse_documents(&text, 1, &Limits::default()).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse_documents(&text, 1, &Limits::default()).unwrap_err();
        assert!(
            err.message.contains("nesting deeper") || err.message.contains("recursion limit"),
            "{}",
            err.message
        );
    }

    #[test]
    fn empty_documents_are_none() {
        let docs = parse("---\n# only a comment\n---\na: 1\n");
        assert_eq!(docs.len(), 2);
        assert!(docs[0].is_none() || docs[0].as_ref().unwrap().is_null());
        assert!(docs[1].is_some());
    }

    #[test]
    fn template_placeholders_are_errors() {
        let err = parse_documents(
            "kind: Secret\ndata:\n  config: {{config_data}}\n",
            1,
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message.contains("unrendered template"),
            "{}",
            err.message
        );
    }

    #[test]
    fn errors_at_end_of_input_point_at_the_last_line() {
        // saphyr reports these on line 3, a line the input does not have.
        for text in ["a: b\nc::x", "a: b\nc::x\n", "a: b\r\nc::x\r\n"] {
            let err = parse_documents(text, 1, &Limits::default()).unwrap_err();
            assert_eq!(err.line, 2, "{text:?}: {}", err.message);
        }
        let err = parse_documents("a: [\n", 7, &Limits::default()).unwrap_err();
        assert_eq!(err.line, 7);
        assert_eq!(line_count(""), 1);
        assert_eq!(line_count("a\rb\r\nc"), 3);
    }

    #[test]
    fn line_offset_applies() {
        let docs = parse_documents("a: 1\n", 10, &Limits::default()).unwrap();
        assert_eq!(docs[0].as_ref().unwrap().pos.line, 10);
    }
}
