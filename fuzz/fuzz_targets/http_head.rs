//! `http_head`: the `feedser serve` request-head parser (stella's checks
//! around `httparse`) and the query parser on raw bytes, the way a
//! connection hands them over (the head without its final blank line).
//!
//! Invariants checked: a head that parses has a token for its method, a
//! path starting with `/`, at most the allowed number of headers, a token
//! for every header name, no CR or LF in any header value, and a query the
//! query parser takes or refuses without panicking; a decoded query pair
//! holds no more bytes than its encoded form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stella::serve::{parse_head, query};

fuzz_target!(|data: &[u8]| {
    let Ok(head) = parse_head(data, 16, 16 << 10) else {
        return;
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    };
    assert!(token(&head.method), "a method is a token");
    assert!(head.path.starts_with('/'), "a path starts with `/`");
    assert!(
        head.headers.iter().all(|(n, _)| token(n)),
        "a header name is a token"
    );
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
