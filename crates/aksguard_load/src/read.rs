//! Reading a file's bytes into text, refusing what is not a UTF-8 text manifest.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use aksguard_model::LoadError;

use crate::limits::Limits;

/// Reads a file, enforcing the size limit before reading and checking it is text.
pub fn read_text(path: &Path, display: &str, limits: &Limits) -> Result<String, LoadError> {
    let mut bytes = Vec::new();
    read_bytes(path, display, limits, &mut bytes)?;
    decode_text(bytes, display)
}

/// Reads a file into `bytes` (cleared first; its capacity is reused) within the size limit.
pub fn read_bytes(
    path: &Path,
    display: &str,
    limits: &Limits,
    bytes: &mut Vec<u8>,
) -> Result<(), LoadError> {
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
    bytes.clear();
    bytes.reserve(meta.len() as usize);
    file.take(limits.max_file_bytes + 1)
        .read_to_end(bytes)
        .map_err(|e| fail(None, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(fail(
            None,
            "file grew past the size limit while reading".into(),
        ));
    }
    Ok(())
}

/// [`decode_text`] without taking the bytes: the text they hold, minus a byte-order mark.
pub fn decode_str<'a>(bytes: &'a [u8], display: &str) -> Result<&'a str, LoadError> {
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        return Err(LoadError::new(
            display,
            Some(line_of(bytes, nul)),
            "binary file (contains NUL bytes); not a manifest",
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        LoadError::new(
            display,
            Some(line_of(bytes, at)),
            format!("not valid UTF-8 (invalid byte at offset {at})"),
        )
    })
}

pub fn decode_text(mut bytes: Vec<u8>, display: &str) -> Result<String, LoadError> {
    decode_str(&bytes, display)?;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    Ok(String::from_utf8(bytes).expect("validated by decode_str"))
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
