//! `http_head`: the `feedser serve` request-head parser and the query
//! parser on raw bytes, the way a connection hands them over (the head
//! without its final blank line).
//!
//! Invariants checked: a head that parses has a path starting with `/`, at
//! most the allowed number of headers, no CR or LF in any header name or
//! value, and a query the query parser takes or refuses without panicking;
//! a decoded query pair holds no more bytes than its encoded form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stella::serve::{parse_head, query};

fuzz_target!(|data: &[u8]| {
    let Ok(head) = parse_head(data, 16, 16 << 10) else {
        return;
    };
    assert!(head.path.starts_with('/'), "a path starts with `/`");
    assert!(head.headers.len() <= 16, "the header cap holds");
    let clean = |s: &str| !s.contains(['\r', '\n']);
    assert!(
        head.headers.iter().all(|(n, v)| clean(n) && clean(v)),
        "no CR or LF inside a header"
    );
    if let Ok(pairs) = query::parse(&head.query) {
        let decoded: usize = pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
        assert!(decoded <= head.query.len(), "decoding never grows a query");
    }
});
