//! Token check, CSP and response headers, listen-address policy (filled by the server work).
