//! Placeholders left in image strings for a later tool to fill in: shell and envsubst
//! variables (`$REGISTRY`, `${TAG}`), Make/Kubernetes-style `$(VAR)`, Helm/Go/Jinja
//! templates (`{{ .Values.image }}`), Azure DevOps replace tokens (`#{Build.BuildId}#`),
//! angle-bracket instructions (`<DOCKER_REPO>`, `<<PROJECT>>`) and upper-case words in the
//! repository name (`gcr.io/PROJECT_ID/app`, `REGION-docker.pkg.dev`; repository components
//! are lower-case only, so such a word can only be a placeholder). Only images the reference
//! grammar rejects are searched for placeholders: `REGISTRY/app` is a valid reference to the
//! host `REGISTRY`, as the runtime would read it.
//!
//! [`mask`] replaces each placeholder's bytes by [`HIDDEN`], keeping every other byte where
//! it was, so the reference grammar can run over the literal text and positions stay the
//! image's.

/// What a placeholder's bytes become in the masked text (never valid in an image).
pub(crate) const HIDDEN: char = '\u{1}';

/// The image with its placeholders masked, or `None` when it has none.
pub(crate) fn mask(image: &str) -> Option<String> {
    let bytes = image.as_bytes();
    let mut masked = bytes.to_vec();
    let mut any = false;
    let mut i = 0;
    while i < bytes.len() {
        match placeholder_at(bytes, i) {
            Some(end) => {
                masked[i..end].fill(HIDDEN as u8);
                any = true;
                i = end;
            }
            None => i += 1,
        }
    }
    any |= mask_upper_case_words(&mut masked);
    // Only ASCII bytes were written, over whole placeholders: still UTF-8.
    any.then(|| String::from_utf8(masked).ok()).flatten()
}

/// The end of a placeholder starting at `i`, if one does.
fn placeholder_at(bytes: &[u8], i: usize) -> Option<usize> {
    let rest = &bytes[i..];
    let closed_by = |open: usize, close: &[u8]| {
        find(&rest[open..], close).map(|at| i + open + at + close.len())
    };
    match rest {
        [b'{', b'{', ..] => closed_by(2, b"}}"),
        [b'$', b'{', ..] => closed_by(2, b"}"),
        [b'$', b'(', ..] => closed_by(2, b")"),
        [b'$', first, ..] if first.is_ascii_alphabetic() || *first == b'_' => Some(
            i + 1
                + rest[1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count(),
        ),
        [b'#', b'{', ..] => closed_by(2, b"}").map(|end| {
            // Azure DevOps tokens close with `}#`.
            if bytes.get(end) == Some(&b'#') {
                end + 1
            } else {
                end
            }
        }),
        [b'<', b'<', ..] => closed_by(2, b">>"),
        [b'<', ..] => {
            let end = closed_by(1, b">")?;
            let inner = &bytes[i + 1..end - 1];
            (!inner.is_empty() && !inner.contains(&b'<')).then_some(end)
        }
        _ => None,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Masks the upper-case words (`PROJECT_ID`, `REGION` in `REGION-docker.pkg.dev`) of the
/// repository name: before any `@`, and before the tag's `:` in the last component (tags may
/// be upper case). A word is a run of letters, digits and `_`; one with an upper-case letter
/// and no lower-case one is a placeholder by convention (`MyProject` is not).
fn mask_upper_case_words(masked: &mut [u8]) -> bool {
    let name_end = masked
        .iter()
        .position(|&b| b == b'@')
        .unwrap_or(masked.len());
    let tail_start = masked[..name_end]
        .iter()
        .rposition(|&b| b == b'/')
        .map_or(0, |slash| slash + 1);
    let name_end = masked[tail_start..name_end]
        .iter()
        .rposition(|&b| b == b':')
        .map_or(name_end, |colon| tail_start + colon);
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut any = false;
    let mut start = 0;
    while start < name_end {
        if !is_word(masked[start]) {
            start += 1;
            continue;
        }
        let end = masked[start..name_end]
            .iter()
            .position(|&b| !is_word(b))
            .map_or(name_end, |at| start + at);
        let word = &masked[start..end];
        if word.iter().any(u8::is_ascii_uppercase) && !word.iter().any(u8::is_ascii_lowercase) {
            masked[start..end].fill(HIDDEN as u8);
            any = true;
        }
        start = end;
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(image: &str) -> Option<String> {
        mask(image).map(|m| m.replace(HIDDEN, "#"))
    }

    #[test]
    fn each_placeholder_form_is_masked() {
        assert_eq!(
            shown("$REGISTRY/x:latest").as_deref(),
            Some("#########/x:latest")
        );
        assert_eq!(shown("${REGISTRY}/x").as_deref(), Some("###########/x"));
        assert_eq!(shown("app:$(TAG)").as_deref(), Some("app:######"));
        assert_eq!(
            shown("{{ .Values.image }}").as_deref(),
            Some("###################")
        );
        assert_eq!(
            shown("acr.io/app:#{Build.BuildId}#").as_deref(),
            Some("acr.io/app:#################")
        );
        assert_eq!(
            shown("<DOCKER_REPO>/chatbot:1.0").as_deref(),
            Some("#############/chatbot:1.0")
        );
        assert_eq!(
            shown("gcr.io/PROJECT_ID/app:1.0-cpu").as_deref(),
            Some("gcr.io/##########/app:1.0-cpu")
        );
        assert_eq!(
            shown("REGION-docker.pkg.dev/PROJECT_ID/app:v1").as_deref(),
            Some("######-docker.pkg.dev/##########/app:v1")
        );
        assert_eq!(
            shown("gcr.io/<<PROJECT>>/jax:latest").as_deref(),
            Some("gcr.io/###########/jax:latest")
        );
        assert_eq!(shown("IMAGE_NAME").as_deref(), Some("##########"));
        // Mixed case is no placeholder convention (and stays invalid).
        assert_eq!(shown("gcr.io/MyProject/app"), None);
        // Upper case in a tag is valid: not a placeholder.
        assert_eq!(shown("app:VERSION"), None);
        assert_eq!(shown("nginx:1.27"), None);
    }

    #[test]
    fn unclosed_forms_are_literal_text() {
        assert_eq!(shown("app:${TAG"), None);
        assert_eq!(shown("{{ app"), None);
        assert_eq!(shown("<>/app"), None);
        assert_eq!(shown("$"), None);
        assert_eq!(shown("€$X").as_deref(), Some("€##"));
    }
}
