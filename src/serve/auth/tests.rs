//! Tokens and principals: the exact bearer token, the file's rules, and
//! how a token and a certificate identity combine.

use super::*;

const ADMIN: &str = "admin-0123456789abcdef";
const SITE_A: &str = "site-a-0123456789abcdef";
const SITE_B: &str = "site-b-0123456789abcdef";

#[test]
fn only_the_exact_bearer_token_is_accepted() {
    let token = Token::new("0123456789abcdef0123");
    assert!(token.accepts(Some("Bearer 0123456789abcdef0123")));
    assert!(token.accepts(Some("bearer 0123456789abcdef0123")));
    assert!(!token.accepts(Some("Bearer 0123456789abcdef012")));
    assert!(!token.accepts(Some("Basic 0123456789abcdef0123")));
    assert!(!token.accepts(Some("0123456789abcdef0123")));
    assert!(!token.accepts(None));
    assert_eq!(format!("{token:?}"), "Token(<redacted>)");
}

#[test]
fn a_readable_token_file_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, "0123456789abcdef0123\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = Token::load(&path).unwrap_err();
    assert!(matches!(err, ServeError::TokenFileMode { mode: 0o644, .. }));
    assert!(!err.to_string().contains("0123456789abcdef"));
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(
        Token::load(&path)
            .unwrap()
            .accepts(Some("Bearer 0123456789abcdef0123"))
    );
}

fn sites() -> Vec<(String, Token)> {
    vec![
        ("site-a".to_owned(), Token::new(SITE_A)),
        ("site-b".to_owned(), Token::new(SITE_B)),
    ]
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

fn site(id: &str) -> Result<Principal, ApiError> {
    Ok(Principal::Site(id.to_owned()))
}

#[test]
fn each_token_is_its_holders_and_an_unknown_one_is_401() {
    let admin = Token::new(ADMIN);
    let sites = sites();
    let creds = Credentials {
        admin: Some(&admin),
        sites: &sites,
    };
    let resolve = |auth: Option<String>| creds.resolve(auth.as_deref(), None);
    assert_eq!(resolve(bearer(ADMIN)), Ok(Principal::Admin));
    assert_eq!(resolve(bearer(SITE_A)), site("site-a"));
    assert_eq!(resolve(bearer(SITE_B)), site("site-b"));
    assert_eq!(
        resolve(bearer("wrong-0123456789abcdef")),
        Err(ApiError::Unauthorized)
    );
    assert_eq!(resolve(None), Err(ApiError::Unauthorized));
    assert_eq!(resolve(Some("Basic x".into())), Err(ApiError::Unauthorized));
}

#[test]
fn a_certificate_names_its_site_and_a_token_of_another_site_is_403() {
    let admin = Token::new(ADMIN);
    let sites = sites();
    let creds = Credentials {
        admin: Some(&admin),
        sites: &sites,
    };
    let resolve = |auth: Option<String>, cert| creds.resolve(auth.as_deref(), cert);
    assert_eq!(resolve(None, Some("site-a")), site("site-a"));
    assert_eq!(resolve(bearer(SITE_A), Some("site-a")), site("site-a"));
    let mismatch = resolve(bearer(SITE_B), Some("site-a")).unwrap_err();
    assert_eq!(mismatch.status(), 403);
    assert_eq!(
        mismatch.to_string(),
        "forbidden: the client certificate is site `site-a`'s but the bearer token is another site's: send one site's credentials"
    );
    assert_eq!(resolve(bearer(ADMIN), Some("site-a")), Ok(Principal::Admin));
    assert_eq!(
        resolve(bearer("wrong-0123456789abcdef"), Some("site-a")),
        Err(ApiError::Unauthorized)
    );
}

#[test]
fn without_an_admin_token_a_bare_request_is_the_admins() {
    let sites = sites();
    let creds = Credentials {
        admin: None,
        sites: &sites,
    };
    assert_eq!(creds.resolve(None, None), Ok(Principal::Admin));
    assert_eq!(
        creds.resolve(bearer(SITE_A).as_deref(), None),
        site("site-a")
    );
    assert_eq!(
        creds.resolve(bearer(ADMIN).as_deref(), None),
        Err(ApiError::Unauthorized)
    );
}
