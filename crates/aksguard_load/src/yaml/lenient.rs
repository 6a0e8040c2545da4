//! The fallback for documents the strict parser refuses: libyaml-safer, a line-by-line port of
//! libyaml, the C parser go-yaml was translated from. What it accepts is what kubectl, Helm and
//! the API server accept: a flow sequence closed at its key's indentation, quoted scalars whose
//! continuation lines are indented less than their key. Its events go through the same tree
//! builder as the fast path's, so anchors, merge keys, tags and the builder's refusals behave
//! the same; only positions are computed here, from byte offsets (see [`Positions`]).

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use aksguard_model::{Node, Pos};
use libyaml_safer::{Event, EventData, Parser, ScalarStyle};

use super::tree::{Builder, TreeEvent};
use super::{ParseError, Rejection};
use crate::limits::Limits;

/// Parses every document of `text`, whose first line is line `first_line` of its file.
pub(super) fn parse(
    text: &str,
    first_line: u32,
    limits: &Limits,
) -> Result<Vec<Option<Node>>, Rejection> {
    // The port panics on some malformed input (it unwraps, for one, where libyaml read the NUL
    // that ends its buffer): about one short random YAML-like input in a thousand, no file of
    // the shared corpus. Such a document is refused like any other, and the scan goes on.
    catch_unwind(AssertUnwindSafe(|| {
        parse_unguarded(text, first_line, limits)
    }))
    .unwrap_or_else(|_| {
        Err(Rejection::Syntax(ParseError {
            line: first_line,
            message: "the libyaml-compatible parser failed".into(),
        }))
    })
}

/// Keeps the fallback's panics (caught by [`parse`] and reported as a refusal of the
/// document) from printing a panic message and backtrace that would read as a crash of
/// aksguard. Installs, once per process, a panic hook that drops reports raised inside
/// libyaml-safer and passes every other panic to the hook that was in place. For binaries:
/// a library must not choose the process's panic hook for its callers.
pub fn quiet_fallback_panics() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_fallback = info
                .location()
                .is_some_and(|at| at.file().contains("libyaml-safer"));
            if !in_fallback {
                previous(info);
            }
        }));
    });
}

fn parse_unguarded(
    text: &str,
    first_line: u32,
    limits: &Limits,
) -> Result<Vec<Option<Node>>, Rejection> {
    // libyaml skips a byte-order mark without counting it in its offsets; so does saphyr in
    // its columns. Dropping it here keeps offsets and text aligned.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut positions = Positions::new(text, first_line);
    let mut anchors = Anchors::default();
    let mut tag_prefixes: Vec<String> = Vec::new();
    let mut builder = Builder::new(limits);
    let mut parser = Parser::<&[u8]>::new();
    parser.set_input(text.as_bytes());
    // libyaml emits at most about one event per input byte (`-`, `?`, `:` and `,` can each
    // stand for an empty scalar); the bound makes a loop impossible whatever the port does.
    let max_events = text.len().saturating_mul(4).saturating_add(16);
    // The builder's first refusal; the events are still read to the end, because a refusal
    // is this parser's to report only if its grammar accepts the whole text (otherwise the
    // strict parser's error stands, as before the fallback existed).
    let mut refusal: Option<ParseError> = None;
    // libyaml's scanner checks every open flow level on each token (quadratic in depth: 20,000
    // nested `[` take seconds), so reading stops at the builder's depth limit; the strict
    // parser's error then stands, as the grammar of the rest is unknown.
    let mut depth = 0usize;
    for _ in 0..max_events {
        let event: Event = parser.parse().map_err(|err| {
            let line = err
                .problem_mark()
                .map_or(first_line, |mark| positions.at(mark.index).line);
            Rejection::Syntax(ParseError {
                line,
                message: err.to_string(),
            })
        })?;
        let at = positions.at(event.start_mark.index);
        let tree_event = match &event.data {
            EventData::StreamEnd => {
                return match refusal {
                    None => Ok(builder.finish()),
                    Some(err) => Err(Rejection::Tree(err)),
                };
            }
            EventData::StreamStart { .. } => continue,
            EventData::DocumentStart { tag_directives, .. } => {
                anchors.names.clear();
                tag_prefixes.clear();
                tag_prefixes.extend(tag_directives.iter().map(|d| d.prefix.clone()));
                TreeEvent::DocumentStart
            }
            EventData::DocumentEnd { .. } => TreeEvent::DocumentEnd,
            EventData::Alias { anchor } => {
                // go-yaml refuses an unknown anchor while parsing, as saphyr does; a refusal
                // of the syntax reports the strict parser's error.
                let Some(&id) = anchors.names.get(anchor.as_str()) else {
                    return Err(Rejection::Syntax(ParseError {
                        line: at.line,
                        message: format!("unknown anchor `{anchor}`"),
                    }));
                };
                TreeEvent::Alias(id)
            }
            EventData::Scalar {
                anchor,
                tag,
                value,
                style,
                ..
            } => TreeEvent::Scalar {
                text: value,
                plain: *style == ScalarStyle::Plain
                    && !tag
                        .as_deref()
                        .is_some_and(|tag| is_str_tag(tag, &tag_prefixes)),
                anchor: anchors.define(anchor.as_deref()),
            },
            EventData::SequenceStart { anchor, .. } => {
                depth = deeper(depth, at, limits)?;
                TreeEvent::SequenceStart(anchors.define(anchor.as_deref()))
            }
            EventData::MappingStart { anchor, .. } => {
                depth = deeper(depth, at, limits)?;
                TreeEvent::MappingStart(anchors.define(anchor.as_deref()))
            }
            EventData::SequenceEnd | EventData::MappingEnd => {
                depth = depth.saturating_sub(1);
                TreeEvent::CollectionEnd
            }
        };
        if refusal.is_none() {
            refusal = builder.event(tree_event, at).err();
        }
    }
    Err(Rejection::Syntax(ParseError {
        line: first_line,
        message: "the libyaml-compatible parser did not finish".into(),
    }))
}

/// One more open collection, within the builder's depth limit.
fn deeper(depth: usize, at: Pos, limits: &Limits) -> Result<usize, Rejection> {
    if depth >= limits.max_depth {
        return Err(Rejection::Syntax(ParseError {
            line: at.line,
            message: format!("nesting deeper than {} levels", limits.max_depth),
        }));
    }
    Ok(depth + 1)
}

/// Whether a plain scalar's tag makes it a string: on the fast path, a tag whose suffix is
/// `str` (`!!str`, `!str`, `!h!str` with `%TAG !h! prefix`). libyaml hands tags over with
/// their handle already replaced by its prefix, so the prefixes are tried here.
fn is_str_tag(tag: &str, directive_prefixes: &[String]) -> bool {
    tag == libyaml_safer::STR_TAG
        || tag == "!str"
        || directive_prefixes
            .iter()
            .any(|prefix| tag.strip_prefix(prefix.as_str()) == Some("str"))
}

/// Anchor names to the numbers the tree builder expects (from 1; a name defined again gets a
/// new number, so an alias takes the latest definition, as in YAML).
#[derive(Default)]
struct Anchors {
    names: HashMap<String, usize>,
    defined: usize,
}

impl Anchors {
    fn define(&mut self, name: Option<&str>) -> usize {
        let Some(name) = name else {
            return 0;
        };
        self.defined += 1;
        self.names.insert(name.to_owned(), self.defined);
        self.defined
    }
}

/// Byte offsets to positions as the fast path reports them: 1-based lines of the file and
/// 1-based columns in characters, with lines broken at LF, CRLF and lone CR only. libyaml's
/// own line numbers also break at NEL, LS and PS (YAML 1.1), which would shift every line
/// after one. Offsets arrive in order, so a cursor walks the text once.
struct Positions<'t> {
    text: &'t [u8],
    line_offset: u32,
    /// The cursor: a byte offset, its line (1-based in `text`), column (0-based) and the
    /// offset its line starts at.
    offset: usize,
    line: u32,
    col: u32,
    line_start: usize,
}

impl<'t> Positions<'t> {
    fn new(text: &'t str, first_line: u32) -> Self {
        Positions {
            text: text.as_bytes(),
            line_offset: first_line.saturating_sub(1),
            offset: 0,
            line: 1,
            col: 0,
            line_start: 0,
        }
    }

    fn at(&mut self, index: u64) -> Pos {
        let target = usize::try_from(index)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        if target < self.offset {
            // Not seen from libyaml; recount the line (or the text) rather than guess.
            if target >= self.line_start {
                self.offset = self.line_start;
                self.col = 0;
            } else {
                self.offset = 0;
                self.line = 1;
                self.col = 0;
                self.line_start = 0;
            }
        }
        for i in self.offset..target {
            match self.text[i] {
                b'\n' => self.next_line(i + 1),
                b'\r' if self.text.get(i + 1) != Some(&b'\n') => self.next_line(i + 1),
                // The LF after it ends the line.
                b'\r' => {}
                // A character is counted at its first byte.
                byte if byte & 0xC0 != 0x80 => self.col += 1,
                _ => {}
            }
        }
        self.offset = target;
        Pos::new(
            self.line.saturating_add(self.line_offset),
            self.col.saturating_add(1),
        )
    }

    fn next_line(&mut self, start: usize) {
        self.line = self.line.saturating_add(1);
        self.col = 0;
        self.line_start = start;
    }
}
