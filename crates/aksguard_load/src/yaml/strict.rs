//! The fast path: saphyr-parser (strict YAML 1.2) events into the tree builder. Scalars are
//! handed over borrowed, so this front-end adds no allocation to the parser's own.

use aksguard_model::{Node, Pos};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use super::tree::{Builder, TreeEvent};
use super::{ParseError, Rejection, to_u32};
use crate::limits::Limits;

/// Parses every document of `text`, whose first line is line `first_line` of its file.
pub(super) fn parse(
    text: &str,
    first_line: u32,
    limits: &Limits,
) -> Result<Vec<Option<Node>>, Rejection> {
    let line_offset = first_line.saturating_sub(1);
    let mut builder = Builder::new(limits);
    let mut parser = Parser::new_from_str(text);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, span)) => {
                let at = pos(&span.start, line_offset);
                let event = match &event {
                    Event::DocumentStart(_) => TreeEvent::DocumentStart,
                    Event::DocumentEnd => TreeEvent::DocumentEnd,
                    Event::Scalar(text, style, anchor, tag) => {
                        let forced_string = tag.as_ref().is_some_and(|t| t.suffix == "str");
                        TreeEvent::Scalar {
                            text,
                            plain: *style == ScalarStyle::Plain && !forced_string,
                            anchor: *anchor,
                        }
                    }
                    Event::Alias(id) => TreeEvent::Alias(*id),
                    Event::SequenceStart(anchor, _) => TreeEvent::SequenceStart(*anchor),
                    Event::MappingStart(anchor, _) => TreeEvent::MappingStart(*anchor),
                    Event::SequenceEnd | Event::MappingEnd => TreeEvent::CollectionEnd,
                    Event::StreamStart | Event::StreamEnd | Event::Nothing => continue,
                };
                builder.event(event, at).map_err(Rejection::Tree)?;
            }
            Err(err) => {
                return Err(Rejection::Syntax(ParseError {
                    line: to_u32(err.marker().line()).saturating_add(line_offset),
                    message: err.info().to_owned(),
                }));
            }
        }
    }
    Ok(builder.finish())
}

/// saphyr's lines are 1-based and its columns 0-based, both counted in characters.
fn pos(marker: &Marker, line_offset: u32) -> Pos {
    Pos::new(
        to_u32(marker.line()).saturating_add(line_offset),
        to_u32(marker.col()).saturating_add(1),
    )
}
