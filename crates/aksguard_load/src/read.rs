//! Reading a file's bytes into text, refusing what is not a UTF-8 text manifest.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use aksguard_model::LoadError;

use crate::limits::Limits;

/// Reads a file, enforcing the size limit before reading and checking it is text.
pub fn read_text(path: &Path, display: &str, limits: &Limits) -> Result<String, LoadError> {
    let fail = |line, message: String| LoadError::new(display, line, message);
    let file = File::open(path).map_err(|e| fail(None, format!("cannot open: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| fail(None, format!("cannot stat: {e}")))?;
    if meta.len() > limits.max_file_bytes {
        return Err(fail(
            None,
            format!(
                "file is {} bytes, over the {}-byte limit; not scanned",
                meta.len(),
                limits.max_file_bytes
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(None, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(fail(
            None,
            "file grew past the size limit while reading".into(),
        ));
    }
    decode_text(bytes, display)
}

/// Checks bytes are UTF-8 text (not binary), dropping a byte-order mark.
pub fn decode_text(mut bytes: Vec<u8>, display: &str) -> Result<String, LoadError> {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(LoadError::new(
            display,
            Some(line_of(&bytes, nul)),
            "binary file (contains NUL bytes); not a manifest",
        ));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = line_of(e.as_bytes(), at);
        LoadError::new(
            display,
            Some(line),
            format!("not valid UTF-8 (invalid byte at offset {at})"),
        )
    })
}

fn line_of(bytes: &[u8], offset: usize) -> u32 {
    let newlines = bytes[..offset].iter().filter(|&&b| b == b'\n').count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_non_utf8_are_errors_with_lines() {
        let err = decode_text(b"a: 1\nb: \x00\x01".to_vec(), "f").unwrap_err();
        assert_eq!(err.line, Some(2));
        let err = decode_text(b"a: 1\n\nb: \xff\xfe\n".to_vec(), "f").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("UTF-8"));
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(
            decode_text(b"\xEF\xBB\xBFa: 1".to_vec(), "f").unwrap(),
            "a: 1"
        );
    }
}
