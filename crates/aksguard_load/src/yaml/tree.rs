//! Positioned [`Node`] trees from parser events, whichever parser produced them: anchors and
//! aliases are resolved here, with merge keys (`<<`), under [`Limits`]. Both parsers feed
//! the same builder, so what a document means (and what is refused, such as a mapping used
//! as a key) does not depend on which parser read it.

use std::collections::HashMap;

use aksguard_model::{CompactString, Entry, Node, Pos, Value};

use super::ParseError;
use crate::limits::Limits;

/// One parser event, in the terms the tree needs. Anchors are numbered by the parser, from 1
/// (0 means none); an alias names the anchor's number.
pub(super) enum TreeEvent<'a> {
    DocumentStart,
    DocumentEnd,
    /// `plain` is false for quoted and block scalars, and for plain ones tagged `!!str`.
    Scalar {
        text: &'a str,
        plain: bool,
        anchor: usize,
    },
    Alias(usize),
    SequenceStart(usize),
    MappingStart(usize),
    CollectionEnd,
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

pub(super) struct Builder<'l> {
    limits: &'l Limits,
    scratch: Scratch,
    nodes: usize,
    documents: Vec<Option<Node>>,
    document_open: bool,
}

/// The builder's working stacks. The loader parses one document at a time, so they are kept
/// per thread from one document to the next instead of growing again from empty each time.
#[derive(Default)]
struct Scratch {
    stack: Vec<Frame>,
    items: Vec<Node>,
    entries: Vec<Entry>,
    anchors: HashMap<usize, Node>,
}

/// Stacks larger than this (pending children of open collections) are not kept.
const SCRATCH_KEPT: usize = 4096;

thread_local! {
    static SCRATCH: std::cell::Cell<Option<Scratch>> = const { std::cell::Cell::new(None) };
}

impl<'l> Builder<'l> {
    pub(super) fn new(limits: &'l Limits) -> Self {
        Builder {
            limits,
            scratch: SCRATCH.take().unwrap_or_default(),
            nodes: 0,
            documents: Vec::new(),
            document_open: false,
        }
    }

    /// The documents read so far (`None` for empty ones).
    pub(super) fn finish(mut self) -> Vec<Option<Node>> {
        std::mem::take(&mut self.documents)
    }

    fn count(&mut self, added: usize, at: Pos) -> Result<(), ParseError> {
        self.nodes = self.nodes.saturating_add(added);
        if self.nodes > self.limits.max_nodes_per_document {
            return Err(error(
                at,
                format!(
                    "document expands to more than {} nodes (alias bomb or oversized document)",
                    self.limits.max_nodes_per_document
                ),
            ));
        }
        Ok(())
    }

    /// Takes one event that starts at `at` (already shifted to the line of the file).
    pub(super) fn event(&mut self, event: TreeEvent<'_>, at: Pos) -> Result<(), ParseError> {
        match event {
            TreeEvent::DocumentStart => {
                self.scratch.anchors.clear();
                self.nodes = 0;
                self.document_open = true;
            }
            TreeEvent::DocumentEnd => {
                if self.document_open {
                    // A document whose root never completed is empty.
                    self.documents.push(None);
                    self.document_open = false;
                }
            }
            TreeEvent::Scalar {
                text,
                plain,
                anchor,
            } => {
                self.count(1, at)?;
                self.complete(Node::scalar(text, plain, at), anchor, at)?;
            }
            TreeEvent::Alias(id) => {
                let Some(size) = self.scratch.anchors.get(&id).map(Node::size) else {
                    return Err(error(at, "alias refers to an unknown anchor"));
                };
                // Budget first: an alias bomb must fail before it allocates.
                self.count(size, at)?;
                let mut node = self.scratch.anchors[&id].clone();
                // Content reached through an alias is reported where the alias is used.
                reposition(&mut node, at);
                self.complete(node, 0, at)?;
            }
            TreeEvent::SequenceStart(anchor) => {
                self.open(at)?;
                self.scratch.stack.push(Frame::Seq {
                    pos: at,
                    anchor,
                    start: self.scratch.items.len(),
                });
            }
            TreeEvent::MappingStart(anchor) => {
                self.open(at)?;
                self.scratch.stack.push(Frame::Map {
                    pos: at,
                    anchor,
                    start: self.scratch.entries.len(),
                    key: None,
                });
            }
            TreeEvent::CollectionEnd => {
                let (node, anchor) = match self.scratch.stack.pop() {
                    Some(Frame::Seq { pos, anchor, start }) => (
                        Node {
                            pos,
                            value: Value::Seq(self.scratch.items.drain(start..).collect()),
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        pos, anchor, start, ..
                    }) => (
                        Node {
                            pos,
                            value: Value::Map(apply_merge_keys(
                                self.scratch.entries.drain(start..).collect(),
                            )),
                        },
                        anchor,
                    ),
                    None => return Err(error(at, "unbalanced collection end")),
                };
                self.complete(node, anchor, at)?;
            }
        }
        Ok(())
    }

    fn open(&mut self, at: Pos) -> Result<(), ParseError> {
        self.count(1, at)?;
        if self.scratch.stack.len() >= self.limits.max_depth {
            return Err(error(
                at,
                format!("nesting deeper than {} levels", self.limits.max_depth),
            ));
        }
        Ok(())
    }

    /// Attaches a finished node to its parent (or makes it the document root).
    fn complete(&mut self, mut node: Node, anchor: usize, at: Pos) -> Result<(), ParseError> {
        if anchor != 0 {
            self.scratch.anchors.insert(anchor, node.clone());
        }
        match self.scratch.stack.last_mut() {
            None => {
                if !self.document_open {
                    return Err(error(at, "content outside a document"));
                }
                self.documents.push(Some(node));
                self.document_open = false;
            }
            Some(Frame::Seq { .. }) => self.scratch.items.push(node),
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
                    self.scratch.entries.push(Entry {
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

impl Drop for Builder<'_> {
    /// Hands the stacks, emptied, to the next document this thread parses.
    fn drop(&mut self) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.stack.clear();
        scratch.items.clear();
        scratch.entries.clear();
        scratch.anchors.clear();
        let small = scratch.items.capacity() <= SCRATCH_KEPT
            && scratch.entries.capacity() <= SCRATCH_KEPT
            && scratch.anchors.capacity() <= SCRATCH_KEPT;
        if small {
            SCRATCH.set(Some(scratch));
        }
    }
}

fn error(at: Pos, message: impl Into<String>) -> ParseError {
    ParseError {
        line: at.line,
        message: message.into(),
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
