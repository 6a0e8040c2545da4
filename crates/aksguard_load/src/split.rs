//! Splits a YAML stream into documents on column-0 `---` lines, so one malformed document
//! does not hide the others and large streams parse in parallel. The YAML spec forbids a
//! document marker inside any scalar, so this split is exact.

/// One document's text, its first line (1-based) and its Helm `# Source:` template if any.
#[derive(Debug, PartialEq, Eq)]
pub struct Chunk<'a> {
    pub text: &'a str,
    pub first_line: u32,
    pub template: Option<&'a str>,
}

fn is_document_start(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
}

fn is_directive(line: &str) -> bool {
    line.starts_with('%')
}

pub fn split_documents(text: &str) -> Vec<Chunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    let mut offset = 0usize;
    // Directives belong to the document that follows them, so a chunk holding only
    // directives and comments is not closed at the next `---`.
    let mut only_directives = true;
    for (line_no, line) in (1u32..).zip(text.split_inclusive('\n')) {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if is_document_start(trimmed) && offset > start && !only_directives {
            chunks.push(chunk(&text[start..offset], start_line));
            start = offset;
            start_line = line_no;
            only_directives = true;
        }
        // Once the document has content, only a marker matters: most lines end here.
        if only_directives {
            let content = trimmed.trim_start();
            let is_content = !(content.is_empty()
                || content.starts_with('#')
                || is_directive(trimmed)
                || is_document_start(trimmed));
            // `--- !tag` or `--- |` carries content on the marker line.
            let marker_content =
                is_document_start(trimmed) && trimmed.len() > 3 && !trimmed[3..].trim().is_empty();
            if is_content || marker_content {
                only_directives = false;
            }
        }
        offset += line.len();
    }
    if start < text.len() || chunks.is_empty() {
        chunks.push(chunk(&text[start..], start_line));
    }
    chunks
}

fn chunk(text: &str, first_line: u32) -> Chunk<'_> {
    Chunk {
        text,
        first_line,
        template: helm_source(text),
    }
}

/// The `# Source: chart/templates/x.yaml` comment `helm template` writes before each document.
fn helm_source(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .take_while(|l| l.is_empty() || l.starts_with('#') || is_document_start(l))
        .find_map(|l| l.strip_prefix("# Source:"))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_markers_and_keeps_line_numbers() {
        let chunks = split_documents("a: 1\n---\nb: 2\n--- \nc: 3\n");
        let lines: Vec<u32> = chunks.iter().map(|c| c.first_line).collect();
        assert_eq!(lines, vec![1, 2, 4]);
    }

    #[test]
    fn indented_markers_inside_block_scalars_do_not_split() {
        let chunks = split_documents("data: |\n  ---\n  x\nb: 2\n");
        assert_eq!(chunks.len(), 1);
    }

    #[test]
    fn leading_marker_and_directives_stay_with_their_document() {
        let chunks = split_documents("%YAML 1.2\n---\na: 1\n");
        assert_eq!(chunks.len(), 1);
        let chunks = split_documents("---\na: 1\n");
        assert_eq!(chunks.len(), 1);
    }

    #[test]
    fn reads_helm_source_comments() {
        let text = "---\n# Source: app/templates/deploy.yaml\nkind: Deployment\n";
        assert_eq!(
            split_documents(text)[0].template,
            Some("app/templates/deploy.yaml")
        );
    }

    #[test]
    fn marker_like_text_is_not_a_marker() {
        assert_eq!(split_documents("a: 1\n----\nb: 2\n").len(), 1);
    }
}
