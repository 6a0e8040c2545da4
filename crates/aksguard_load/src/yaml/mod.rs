//! YAML (and JSON, which is YAML 1.2) to positioned [`Node`] trees.
//!
//! Each document is read by saphyr-parser, a fast strict YAML 1.2 parser. The few documents
//! it refuses are read again by a port of libyaml ([`lenient`]), which accepts what go-yaml
//! (kubectl, Helm, the API server) accepts; an error is reported only when both refuse, and
//! then it is the strict parser's. Both feed the same tree builder ([`tree`]).

mod lenient;
mod strict;
mod tree;

use aksguard_model::Node;

use crate::limits::Limits;

pub use lenient::quiet_fallback_panics;

/// A parse failure at a 1-based line of the whole stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub message: String,
}

/// Why one parser refused a text.
#[derive(Debug)]
enum Rejection {
    /// Its grammar refused the text.
    Syntax(ParseError),
    /// The text parsed, but the tree builder refused what it says (an alias bomb, nesting too
    /// deep, a mapping used as a key).
    Tree(ParseError),
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

/// The strict parser first; the lenient one only for a text the strict one's grammar refused.
/// The loader hands over one document at a time (see [`crate::split`]), so only the refused
/// document is read twice.
fn parse(text: &str, first_line: u32, limits: &Limits) -> Result<Vec<Option<Node>>, ParseError> {
    match strict::parse(text, first_line, limits) {
        Ok(documents) => Ok(documents),
        Err(Rejection::Tree(err)) => Err(err),
        Err(Rejection::Syntax(strict_err)) => match lenient::parse(text, first_line, limits) {
            Ok(documents) => Ok(documents),
            // Accepted by go-yaml's grammar but refused by the builder: that is the problem to fix.
            Err(Rejection::Tree(err)) => Err(err),
            // Refused by both: the strict parser's error, as before the fallback existed.
            Err(Rejection::Syntax(_)) => Err(strict_err),
        },
    }
}

/// Lines as an editor counts them (LF, CRLF and lone CR break; a final break ends the last
/// line rather than starting another). At least 1.
fn line_count(text: &str) -> u32 {
    let breaks =
        text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count();
    let open_last = !text.is_empty() && !text.ends_with(['\n', '\r']);
    to_u32((breaks + usize::from(open_last)).max(1))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use aksguard_model::Pos;

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

    // --- The lenient fallback -------------------------------------------------------------

    fn strict_tree(text: &str) -> Vec<Option<Node>> {
        strict::parse(text, 1, &Limits::default()).expect("strict parser accepts")
    }

    fn strict_refuses(text: &str) -> ParseError {
        match strict::parse(text, 1, &Limits::default()) {
            Err(Rejection::Syntax(err)) => err,
            other => panic!("strict parser should refuse {text:?}: {other:?}"),
        }
    }

    /// `lenient` is refused by the strict parser, read by the fallback, and gives exactly the
    /// tree (values and positions) that `strict`, the same document written strictly with
    /// every line where it was, gives on the fast path.
    fn assert_fallback_matches(lenient: &str, strict: &str) -> Vec<Option<Node>> {
        strict_refuses(lenient);
        let docs = parse(lenient);
        assert_eq!(docs, strict_tree(strict), "{lenient:?}");
        docs
    }

    fn strs(node: &Node) -> Vec<&str> {
        node.items().iter().filter_map(Node::as_str).collect()
    }

    #[test]
    fn flow_sequence_closed_at_its_keys_indentation_loads() {
        // spire-quickstart.yaml:910: the `]` sits under `args`, which libyaml accepts.
        let lenient = "containers:\n  - name: a\n    args: [\n        \"-x\", \"y\",\n    ]\n    env: z\n  - name: b\n";
        let strict = "containers:\n  - name: a\n    args: [\n        \"-x\", \"y\",\n      ]\n    env: z\n  - name: b\n";
        let docs = assert_fallback_matches(lenient, strict);
        let root = docs[0].as_ref().unwrap();
        let containers = root.get("containers").unwrap().items();
        let first = &containers[0];
        assert_eq!(strs(first.get("args").unwrap()), ["-x", "y"]);
        assert_eq!(first.entry("args").unwrap().key_pos, Pos::new(3, 5));
        assert_eq!(first.get("env").unwrap().as_str(), Some("z"));
        assert_eq!(first.entry("env").unwrap().key_pos, Pos::new(6, 5));
        assert_eq!(containers[1].pos, Pos::new(7, 5));
        assert_eq!(containers[1].entry("name").unwrap().key_pos, Pos::new(7, 5));
    }

    #[test]
    fn double_quoted_continuation_left_of_its_item_loads() {
        // The checkov kafka fixtures (line 52): a `- "…\` item whose continuation lines start
        // left of the `-`, at the column of the key above.
        let lenient =
            "spec:\n  command:\n    - sh\n    - \"exec a \\\n  --b \\\n  --c\"\n  next: 1\n";
        let strict = "spec:\n  command:\n    - sh\n    - \"exec a \\\n      --b \\\n      --c\"\n  next: 1\n";
        let docs = assert_fallback_matches(lenient, strict);
        let root = docs[0].as_ref().unwrap();
        let command = root.at("spec.command").unwrap();
        assert_eq!(strs(command), ["sh", "exec a --b --c"]);
        assert_eq!(command.items()[1].pos, Pos::new(4, 7));
        assert_eq!(root.at("spec.next").unwrap().as_i64(), Some(1));
        assert_eq!(root.at("spec.next").unwrap().pos, Pos::new(7, 3));
    }

    #[test]
    fn quoted_continuation_at_its_keys_indentation_loads() {
        // gatekeeper-library httpsonly/template.yaml:33, double- and single-quoted.
        for quote in ['"', '\''] {
            let lenient = format!(
                "props:\n  tls:\n    description: {quote}When set\n    to true.{quote}\n    type: boolean\n"
            );
            let strict = format!(
                "props:\n  tls:\n    description: {quote}When set\n      to true.{quote}\n    type: boolean\n"
            );
            let docs = assert_fallback_matches(&lenient, &strict);
            let tls = docs[0].as_ref().unwrap().at("props.tls").unwrap();
            assert_eq!(
                tls.get("description").unwrap().as_str(),
                Some("When set to true.")
            );
            assert_eq!(tls.entry("type").unwrap().key_pos, Pos::new(5, 5));
            assert_eq!(tls.get("type").unwrap().as_str(), Some("boolean"));
        }
    }

    #[test]
    fn fallback_documents_get_the_line_of_their_file() {
        let docs = parse_documents("a: [\n  1,\n]\nb: \"x\ny\"\n", 40, &Limits::default())
            .expect("parses");
        let root = docs[0].as_ref().unwrap();
        assert_eq!(root.pos, Pos::new(40, 1));
        assert_eq!(root.entry("b").unwrap().key_pos, Pos::new(43, 1));
        assert_eq!(root.get("b").unwrap().as_str(), Some("x y"));
    }

    #[test]
    fn duplicate_keys_behave_as_on_the_fast_path() {
        // The fast path keeps every entry and lookups take the last (as the API server's
        // JSON decoder does); a document only the fallback reads is no different.
        let lenient = "a: 1\nb: \"x\ny\"\na: 2\n";
        let strict = "a: 1\nb: \"x\n  y\"\na: 2\n";
        let docs = assert_fallback_matches(lenient, strict);
        let root = docs[0].as_ref().unwrap();
        assert_eq!(root.entries().len(), 3);
        assert_eq!(root.get("a").unwrap().as_i64(), Some(2));
    }

    #[test]
    fn anchors_tags_and_merge_keys_behave_as_on_the_fast_path() {
        let lenient =
            "base: &b\n  x: \"1\n  \"\n  y: !!str 2\nuse:\n  <<: *b\n  y: 3\nlist: [*b,\n]\n";
        let strict =
            "base: &b\n  x: \"1\n   \"\n  y: !!str 2\nuse:\n  <<: *b\n  y: 3\nlist: [*b,\n ]\n";
        let docs = assert_fallback_matches(lenient, strict);
        let root = docs[0].as_ref().unwrap();
        assert_eq!(root.at("use.x").unwrap().as_str(), Some("1 "));
        assert_eq!(root.at("use.y").unwrap().as_i64(), Some(3));
        assert_eq!(
            root.at("base.y").unwrap().as_i64(),
            None,
            "!!str stays a string"
        );
        assert_eq!(root.get("list").unwrap().items()[0].pos, Pos::new(8, 8));
    }

    #[test]
    fn what_the_fallback_reads_still_meets_the_builders_checks() {
        let limits = Limits::default();
        // A mapping used as a key (an unrendered placeholder) after a lenient part.
        let err = parse_documents("a: \"x\ny\"\nb:\n  {{ v }}: 1\n", 1, &limits).unwrap_err();
        assert_eq!(err.line, 4);
        assert!(
            err.message.contains("unrendered template"),
            "{}",
            err.message
        );
        // An alias bomb.
        let mut text = String::from("s: \"x\ny\"\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse_documents(&text, 1, &limits).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
        // Nesting past the limit: the fallback stops reading there (libyaml's scanner is
        // quadratic in depth), so the strict parser's error stands.
        let text = format!("a: \"x\ny\"\nb: {}{}\n", "[".repeat(300), "]".repeat(300));
        let err = parse_documents(&text, 1, &limits).unwrap_err();
        assert_eq!(err, strict_refuses(&text));
        assert!(matches!(
            lenient::parse(&text, 1, &limits),
            Err(Rejection::Syntax(ParseError { line: 3, .. }))
        ));
    }

    #[test]
    fn refused_by_both_reports_the_strict_error_unchanged() {
        let cases = [
            // A plain scalar continued left of its key: go-yaml refuses it too.
            "k:\n  d: a\n b\n",
            "a: [\n",
            "a: \"open\n",
            "a: *missing\n",
            "a: \"x\ny\"\nb: *missing\n",
            "- a\nb: c\n",
            "a:\n\t- b\n",
            "a: b: c\n",
            "key: [a, b]]\n",
            "\"a\nb\": [\n]\nc: d: e\n",
            // The fallback's builder refuses line 3 (a placeholder as a key), but its grammar
            // refuses line 4 as well: the strict parser's error still stands.
            "a: \"x\ny\"\n{{ v }}: 1\nc: [\n",
        ];
        for text in cases {
            let strict = strict_refuses(text);
            assert!(
                matches!(
                    lenient::parse(text, 1, &Limits::default()),
                    Err(Rejection::Syntax(_))
                ),
                "the fallback should refuse {text:?} too"
            );
            let mut expected = strict;
            expected.line = expected.line.min(line_count(text));
            assert_eq!(
                parse_documents(text, 1, &Limits::default()).unwrap_err(),
                expected,
                "{text:?}"
            );
        }
        let err = parse_documents("k:\n  d: a\n b\n", 1, &Limits::default()).unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(
            err.message,
            "while parsing a block mapping, did not find expected key"
        );
    }

    /// Documents both parsers accept, read by each: the fallback builds the very tree of the
    /// fast path (values, styles and every position), so a document that needs it loses
    /// nothing.
    #[test]
    fn the_fallback_builds_the_fast_paths_tree() {
        let cases = [
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: x, tier: \"web\"}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    args: [\"a\", 'b', c]\n    env:\n    - name: E\n      value: \"1\"\n",
            "base: &b\n  x: 1\n  y: 2\nuse:\n  <<: *b\n  y: 3\nmany:\n  <<: [*b, {z: 4}]\nplain: *b\n",
            "a: !!str 1\nb: !!int \"2\"\nc: !str yes\nd: !custom 3\ne: !!binary aGk=\n",
            "lit: |\n  one\n  two\nfold: >-\n  three\n  four\nkeep: |+\n  x\n\nend: ~\n",
            // (An empty item written `- ` with trailing blanks is placed after them by saphyr
            // and right after the `-` by libyaml; written `-`, both agree.)
            "empty:\nnull_value: null\nlist:\n-\n-\n- x\n? complex\n: value\n",
            "a: 1\r\nb:\r\n  - x\r\n  - y\r\n",
            "a: 1\rb: 2\r",
            "\u{feff}a: 1\nb: x\n",
            "名前: 値\nkey: \"ünïcödé ✓\"\nnext: [α, β]\n",
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"a\": [1, 2.5, true, null]}]}",
            "---\na: 1\n...\n---\nb: 2\n---\n# empty\n---\n- c\n",
            "%YAML 1.1\n---\na: yes\n",
            "%TAG !k! tag:k8s.io,2024:\n---\na: !k!str 1\n",
            "seq:\n- &s [1, 2]\n- *s\n- &m {k: v}\n- *m\n",
            "a: 'it''s'\nb: \"tab\\there\"\nc: \"\\u00e9\"\n",
            "# only a comment\n",
            "",
            "scalar at root\n",
            "- - - deep\n    - x\n",
            "a:    \n  b: c   # comment\n\n\n  d: e\n",
        ];
        for text in cases {
            let strict = strict::parse(text, 3, &Limits::default())
                .unwrap_or_else(|e| panic!("strict parser refuses {text:?}: {e:?}"));
            let lenient = lenient::parse(text, 3, &Limits::default())
                .unwrap_or_else(|e| panic!("fallback refuses {text:?}: {e:?}"));
            assert_eq!(lenient, strict, "{text:?}");
        }
    }

    #[test]
    fn unicode_line_breaks_do_not_shift_the_fallbacks_lines() {
        // libyaml (YAML 1.1) breaks lines at NEL, LS and PS too, and folds them as go-yaml
        // does; lines are still counted as the fast path and editors count them.
        let text = "a: \"x\u{85}y\u{2028}z\"\nb: [\n]\nc: 1\n";
        let docs = lenient::parse(text, 1, &Limits::default()).expect("parses");
        let root = docs[0].as_ref().unwrap();
        assert_eq!(root.get("a").unwrap().as_str(), Some("x y\u{2028}z"));
        assert_eq!(root.entry("b").unwrap().key_pos, Pos::new(2, 1));
        assert_eq!(root.entry("c").unwrap().key_pos, Pos::new(4, 1));
    }

    #[test]
    fn a_panic_in_the_port_is_a_refusal() {
        // libyaml-safer 0.3.0 unwraps a missing character after a final `\` in a quoted
        // scalar (one of the panics a random search finds in it).
        let text = "a: \"x\ny\"\nb: \"\\";
        assert!(matches!(
            lenient::parse(text, 1, &Limits::default()),
            Err(Rejection::Syntax(_))
        ));
        assert_eq!(
            parse_documents(text, 1, &Limits::default()).unwrap_err(),
            strict_refuses(text)
        );
    }

    /// Inputs chosen to upset a parser: the fallback refuses or reads them without panicking
    /// or looping, and `parse_documents` answers with a line the input has.
    #[test]
    fn the_fallback_survives_hostile_input() {
        let mut cases: Vec<String> = [
            "\"\\uD800\"",
            "\"\\U00110000\"",
            "\"\\xZZ\"",
            "!<> a",
            "!<",
            "&",
            "*",
            "? ",
            "? ? ? ?",
            "{? : , ? : , :}",
            "[? : , : , ? a : b]",
            "- - - - - -",
            "%YAML 1.1\n%YAML 1.1\n---\n",
            "%TAG ! !\n%TAG ! !\n---\n",
            "--- |\n  a\n b\n",
            "--- >0\n",
            "a: |9\n x\n",
            "\u{85}\u{2028}\u{2029}a: \u{85}b\n",
            "a: \"\r\n\r\n\"",
            "\t\t\t",
            "'",
            "\"\\",
            "key: &a [*a]",
            "&a a: &a b\n*a : c\n",
            "\0",
            "\u{1}a: b",
            "a: \"x\ny\"\n\u{7f}",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        cases.push("[".repeat(20_000));
        cases.push("{".repeat(20_000));
        cases.push(format!("{}a", "- ".repeat(5_000)));
        cases.push(format!("a: \"x\ny\"\n{}", "? ".repeat(5_000)));
        cases.push(format!("a: \"{}\n", "x".repeat(100_000)));
        cases.push(",:?-[]{}#&*!|>'\"%@`".repeat(200));
        // A cheap deterministic generator over YAML's indicators, quotes and breaks.
        let alphabet: Vec<char> = "ab:- ,[]{}?&*!|>'\"#\n\n  \t\r\\%.0".chars().collect();
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3_000 {
            let len = (state >> 40) as usize % 40;
            let mut text = String::new();
            for _ in 0..len {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                text.push(alphabet[(state >> 33) as usize % alphabet.len()]);
            }
            cases.push(text);
        }
        let limits = Limits::default();
        for text in &cases {
            if let Err(err) = parse_documents(text, 1, &limits) {
                assert!(
                    err.line >= 1 && err.line <= line_count(text),
                    "{text:?}: line {} of {}",
                    err.line,
                    line_count(text)
                );
            }
        }
    }
}
