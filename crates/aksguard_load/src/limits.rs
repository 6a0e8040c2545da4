//! Bounds that keep hostile or accidental input (YAML bombs, huge files, deep nesting) from
//! exhausting memory or time. Exceeding one is a load error for that file, never a crash.

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Files larger than this are not read.
    pub max_file_bytes: u64,
    /// Deepest nesting of mappings and sequences in one document.
    pub max_depth: usize,
    /// Most nodes one document may expand to, counting every alias expansion.
    pub max_nodes_per_document: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 64 * 1024 * 1024,
            max_depth: 256,
            max_nodes_per_document: 1_000_000,
        }
    }
}
