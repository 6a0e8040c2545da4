//! Bicep, read as the ARM template it compiles to.
//!
//! One job: parse a `.bicep` file with the tree-sitter Bicep grammar and translate it into a
//! positioned [`Node`] shaped like an ARM deployment template (classic `resources` array), so
//! that the loader's one ARM template evaluator builds the model from it. Every node keeps
//! the Bicep line and 1-based character column it was written at.
//!
//! What becomes what:
//! - `param` → `parameters` (`defaultValue` when there is one; decorators are ignored),
//!   `var` → `variables`; a reference to either becomes `[parameters('x')]` /
//!   `[variables('y')]`, so the evaluator resolves it (a parameter without a default, or one a
//!   parameter file does not set, stays Unknown).
//! - Expressions become ARM expression strings: `a ? b : c` → `if(a, b, c)`, `==` →
//!   `equals`, `!` → `not`, `&&`/`||` → `and`/`or`, string interpolation → `format(…)`, member
//!   and index access as written, function calls passed through by name (the evaluator knows
//!   the pure ones; the rest are Unknown). Literals stay plain values, objects and arrays stay
//!   maps and sequences. An object or array literal used inside an expression (a ternary's
//!   branch) becomes a generated variable, so the evaluator can still read into it.
//! - `resource` → a resource with `type`, `apiVersion`, `name`, `condition` (from `if`),
//!   `existing`, `scope` and the rest of its body; resources declared inside another one go
//!   to its `resources`; `parent:` children get the full `parent/child` name and type.
//!   A symbolic reference gives the resource's name (`aks.name`), a `resourceId(…)` (`aks.id`,
//!   `scope: aks` becomes `<type>/<name>` as Bicep compiles it) or a `reference(…)` (Unknown).
//! - `for` loops over literal arrays, `range(…)` of literal numbers, or variables holding
//!   those, are expanded with the loop variable bound (at most [`MAX_COPIES`] copies); any
//!   other loop gives one copy whose loop variable is Unknown.
//! - `module` → a `Microsoft.Resources/deployments` resource with its `params` as deployment
//!   parameters and no template: the caller fills the template in from [`ModuleCall`]
//!   (the resource carries [`MODULE_KEY`] with the call's index).
//!
//! Bad input never panics: syntax the grammar cannot read is reported by line and the
//! statement holding it is skipped (a notice when it cannot change what is judged, such as
//! an `output`); expressions nested deeper than [`MAX_NESTING`] are Unknown.

mod chunks;
mod params;
mod translate;

pub use params::{ParamFile, parse_bicepparam};
pub use translate::translate;

use aksguard_model::{LineIndex, Node, Pos};

/// The key on a module's deployment resource that holds the index of its [`ModuleCall`].
pub const MODULE_KEY: &str = "x-aksguard-bicep-module";

/// Most copies a `for` loop is expanded into.
pub const MAX_COPIES: usize = 100;

/// Deepest expression or object nesting translated; deeper parts are Unknown.
pub const MAX_NESTING: usize = 64;

/// A Bicep file translated into an ARM template.
#[derive(Debug)]
pub struct Translation {
    /// The ARM-template-shaped tree.
    pub template: Node,
    /// Every `module` declaration, in the order of their [`MODULE_KEY`] indexes.
    pub modules: Vec<ModuleCall>,
    /// Parts that could not be read and could change what is judged.
    pub errors: Vec<Problem>,
    /// Parts not read that cannot change what is judged.
    pub notices: Vec<Problem>,
}

/// A message about a place in a Bicep file.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub pos: Pos,
    pub message: String,
}

/// One `module` declaration.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleCall {
    /// The module's symbolic name.
    pub symbol: String,
    /// The source as written (`'./aks.bicep'`, `'br/public:avm/…:0.1.0'`).
    pub target: ModuleTarget,
    /// Where the source string is written.
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ModuleTarget {
    /// A file path relative to the calling file.
    Local(String),
    /// A registry or template-spec reference (`br/public:…`, `br:…`, `ts:…`).
    Registry(String),
}

/// The Bicep grammar's parse of `text`, one tree per run of whole top-level statements (see
/// [`chunks`] for why), in order. tree-sitter returns a tree for any input; syntax it cannot
/// read becomes ERROR/MISSING nodes. `None` when the parser cannot start.
pub(crate) fn parse(text: &str) -> Option<Vec<tree_sitter::Tree>> {
    // Same length and positions; values are read from `text` itself (see the function).
    let masked = chunks::mask_slashes_in_strings(text);
    let text = masked.as_deref().unwrap_or(text);
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_bicep::LANGUAGE.into())
        .ok()?;
    let lines = LineIndex::new(text);
    let point = |offset: usize| {
        let (row, start) = lines.line_of(offset);
        tree_sitter::Point::new(row, offset - start)
    };
    let mut trees = Vec::new();
    for run in chunks::runs(text) {
        let range = tree_sitter::Range {
            start_byte: run.start,
            end_byte: run.end,
            start_point: point(run.start),
            end_point: point(run.end),
        };
        parser.set_included_ranges(&[range]).ok()?;
        trees.push(parser.parse(text, None)?);
    }
    Some(trees)
}

/// The 1-based line and character column of a byte offset's tree-sitter point.
pub(crate) fn pos_of(text: &str, node: tree_sitter::Node<'_>) -> Pos {
    let point = node.start_position();
    let start = node.start_byte();
    let line_start = start.saturating_sub(point.column);
    let col = text
        .get(line_start..start)
        .map_or(point.column, |s| s.chars().count());
    Pos::new(
        u32::try_from(point.row + 1).unwrap_or(u32::MAX),
        u32::try_from(col + 1).unwrap_or(u32::MAX),
    )
}

#[cfg(test)]
mod tests;
