//! Splitting a Bicep file into runs of whole top-level statements, parsed one run at a time.
//!
//! Why: tree-sitter-bicep 1.1.0's external scanner, whenever it is asked for multi-line
//! string content, scans ahead to the end of the input looking for `'''`. The parser asks at
//! many places of an ordinary file, so one parse of the whole file costs time quadratic in
//! its length (measured: 4 concatenated copies of the AKS baseline's cluster-stamp.bicep
//! took 8x one copy, and 60% of a Bicep scan was spent in that scanner). Parsing each run of
//! statements with the run as the parser's only included range ends the input at the end of
//! the run, so the scanner's look-ahead is bounded by the run's length. Positions stay those
//! of the whole file (included ranges do not shift them).
//!
//! Statements are found by a conservative scan: a line starting in column 0 with a
//! top-level keyword or a decorator `@`, outside strings, comments and brackets, starts a
//! statement, unless it follows a decorator (a decorator and its statement stay together).
//! A split the scan misses only makes a run longer; it never cuts a statement.

/// Runs are grown to at least this many bytes: fewer, larger parses, each still short (2 KiB
/// measured 1.4x faster than 8 KiB on 217 generated files; a parse costs little).
const RUN_BYTES: usize = 2 * 1024;

/// Keywords that start a top-level statement.
const KEYWORDS: &[&str] = &[
    "param",
    "var",
    "resource",
    "module",
    "output",
    "type",
    "func",
    "import",
    "targetScope",
    "metadata",
    "using",
    "extension",
    "provider",
];

/// Where we are while scanning.
#[derive(Clone, Copy, PartialEq)]
enum Ctx {
    /// Inside a `'…'` string.
    Str,
    /// Inside a `${…}` interpolation; holds the bracket depth at its start.
    Interp(i64),
}

/// Byte offsets at which a top-level statement starts (always including 0 for a non-empty
/// text), in order.
pub(crate) fn statement_starts(text: &str) -> Vec<usize> {
    scan(text).0
}

/// `text` with every `//` inside a `'…'` string replaced by `__` (same length, so every
/// position stays), or `None` when there is none. tree-sitter-bicep 1.1.0 reads `//` right
/// after a string's opening quote as a comment, so `'//https://…'` (a query that starts with
/// a comment) is a syntax error; the parser gets the masked text, while the translation
/// reads every value from the original.
pub(crate) fn mask_slashes_in_strings(text: &str) -> Option<String> {
    let at = scan(text).1;
    if at.is_empty() {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    for i in at {
        bytes[i] = b'_';
        bytes[i + 1] = b'_';
    }
    String::from_utf8(bytes).ok()
}

/// Statement starts, and where `//` occurs inside single-quoted strings.
fn scan(text: &str) -> (Vec<usize>, Vec<usize>) {
    let b = text.as_bytes();
    let mut slashes = Vec::new();
    let mut starts = vec![0];
    let mut stack: Vec<Ctx> = Vec::new();
    let mut depth: i64 = 0;
    let mut decorated = false;
    let mut line_start = true;
    let mut i = 0;
    while i < b.len() {
        if line_start && stack.is_empty() && depth == 0 {
            let rest = &text[i..];
            if rest.starts_with('@') {
                if !decorated && i > 0 {
                    starts.push(i);
                }
                decorated = true;
            } else if starts_keyword(rest) {
                if !decorated && i > 0 {
                    starts.push(i);
                }
                decorated = false;
            }
        }
        line_start = false;
        let c = b[i];
        if stack.last() == Some(&Ctx::Str) {
            match c {
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    slashes.push(i);
                    i += 1;
                }
                b'\\' => i += 1,
                b'\'' => {
                    stack.pop();
                }
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    stack.push(Ctx::Interp(depth));
                    i += 1;
                }
                b'\n' => line_start = true,
                _ => {}
            }
            i += 1;
            continue;
        }
        let rest = &b[i..];
        if rest.starts_with(b"'''") {
            i = find(b, i + 3, b"'''").map_or(b.len(), |end| end + 3);
            continue;
        }
        if rest.starts_with(b"//") {
            i = find(b, i, b"\n").unwrap_or(b.len());
            continue;
        }
        if rest.starts_with(b"/*") {
            i = find(b, i + 2, b"*/").map_or(b.len(), |end| end + 2);
            continue;
        }
        match c {
            b'\'' => stack.push(Ctx::Str),
            b'(' | b'[' | b'{' => depth += 1,
            b'}' if stack.last() == Some(&Ctx::Interp(depth)) => {
                stack.pop();
            }
            b')' | b']' | b'}' => depth -= 1,
            b'\n' => line_start = true,
            _ => {}
        }
        i += 1;
    }
    (starts, slashes)
}

/// Byte ranges of runs of whole statements, each at least [`RUN_BYTES`] long except the
/// last, covering the whole text.
pub(crate) fn runs(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    for &at in statement_starts(text).iter().skip(1) {
        if at - start >= RUN_BYTES {
            runs.push(start..at);
            start = at;
        }
    }
    if start < text.len() || runs.is_empty() {
        runs.push(start..text.len());
    }
    runs
}

fn starts_keyword(rest: &str) -> bool {
    KEYWORDS.iter().any(|keyword| {
        rest.strip_prefix(keyword).is_some_and(|after| {
            after
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t' || c == '\r' || c == '\n')
        })
    })
}

fn find(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(text: &str) -> Vec<&str> {
        statement_starts(text)
            .into_iter()
            .map(|at| text[at..].lines().next().unwrap_or(""))
            .collect()
    }

    #[test]
    fn statements_start_at_top_level_keywords_and_decorators() {
        let text = "param a string\n@description('x')\n@allowed([\n  'p'\n])\nparam b string = 'p'\n\nvar c = {\nparam: 1\n}\nresource r 'T@1' = {\n  name: 'n'\n}\n";
        assert_eq!(
            starts(text),
            vec![
                "param a string",
                "@description('x')",
                "var c = {",
                "resource r 'T@1' = {"
            ]
        );
    }

    #[test]
    fn strings_comments_and_interpolations_hide_keywords() {
        let text = "var a = '''\nparam x\n'''\n// param y\n/*\nparam z\n*/\nvar b = 'it\\'s ${ {\nk: 1\n}.k } x'\nvar c = 1\n";
        assert_eq!(
            starts(text),
            vec!["var a = '''", "var b = 'it\\'s ${ {", "var c = 1"]
        );
    }

    #[test]
    fn slashes_inside_strings_are_masked_and_comments_are_not() {
        let text = "var q = '//x ${'a//b'} y//z' // c//d\nvar u = '''//m'''\n/* '//n' */\n";
        let masked = mask_slashes_in_strings(text).unwrap();
        assert_eq!(
            masked,
            "var q = '__x ${'a__b'} y__z' // c//d\nvar u = '''//m'''\n/* '//n' */\n"
        );
        assert_eq!(masked.len(), text.len());
        assert_eq!(mask_slashes_in_strings("var a = 'x' // 'y'\n"), None);
    }

    #[test]
    fn runs_cover_the_text_and_end_at_statement_starts() {
        let statement = "var x = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'\n";
        let text = statement.repeat(1_000);
        let runs = runs(&text);
        assert!(runs.len() > 1);
        assert_eq!(runs[0].start, 0);
        assert_eq!(runs.last().unwrap().end, text.len());
        for pair in runs.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
            assert!(text[pair[1].start..].starts_with("var x"));
        }
        assert_eq!(super::runs("").len(), 1);
    }
}
