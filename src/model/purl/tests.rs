use super::*;
use proptest::prelude::*;

#[test]
fn strips_version_qualifiers_subpath_and_folds_case_by_type() {
    for (input, want) in [
        ("pkg:pypi/Django_Rest@3.0?x=1#sub", "pkg:pypi/django-rest"),
        ("PKG:///PyPI/trac", "pkg:pypi/trac"),
        ("pkg:npm/%40Angular/Core@16.0.0", "pkg:npm/%40angular/core"),
        ("pkg:npm/@angular/core", "pkg:npm/%40angular/core"),
        (
            "pkg:github/Package-URL/PURL-spec@v1",
            "pkg:github/package-url/purl-spec",
        ),
        (
            "pkg:golang/github.com/Azure/go-sdk@v1",
            "pkg:golang/github.com/Azure/go-sdk",
        ),
        (
            "pkg:maven/org.Apache//Commons-IO@2",
            "pkg:maven/org.Apache/Commons-IO",
        ),
        (
            "pkg:composer/Laravel/Framework",
            "pkg:composer/laravel/framework",
        ),
        ("pkg:rpm/Fedora/Curl", "pkg:rpm/fedora/Curl"),
        ("pkg:cargo/a%2fb%7e%3A", "pkg:cargo/a%2Fb~:"),
        ("pkg:gem/caf%C3%A9", "pkg:gem/caf%C3%A9"),
        (
            "pkg:deb/Debian/Curl@7.88?arch=source&Distro=%20bookworm#x",
            "pkg:deb/debian/curl?distro=bookworm",
        ),
        (
            "pkg:rpm/redhat/Curl?distro=9%3A%3Aappstream",
            "pkg:rpm/redhat/Curl?distro=9::appstream",
        ),
        (
            "pkg:apk/alpine/curl?arch=x86&distro=",
            "pkg:apk/alpine/curl",
        ),
        ("pkg:pypi/x?distro=a", "pkg:pypi/x"),
        (
            "pkg:generic/Kernel?ecosystem=Linux&x=1",
            "pkg:generic/Kernel?ecosystem=Linux",
        ),
    ] {
        assert_eq!(normalize(input).as_deref(), Ok(want), "{input}");
    }
}

#[test]
fn rejects_unknown_shapes_naming_the_input() {
    let no_scheme = PurlError::NoScheme {
        purl: "npm/x".into(),
    };
    assert_eq!(normalize("npm/x"), Err(no_scheme));
    assert_eq!(
        normalize("pkg:1x/a"),
        Err(PurlError::BadType {
            purl: "pkg:1x/a".into()
        })
    );
    assert_eq!(
        normalize("pkg:/"),
        Err(PurlError::BadType {
            purl: "pkg:/".into()
        })
    );
    assert_eq!(
        normalize("pkg:npm/"),
        Err(PurlError::EmptyName {
            purl: "pkg:npm/".into()
        })
    );
    assert_eq!(
        normalize("pkg:npm/@1.0"),
        Err(PurlError::EmptyName {
            purl: "pkg:npm/@1.0".into()
        })
    );
    assert_eq!(
        normalize("pkg:npm/a%4"),
        Err(PurlError::BadEscape {
            purl: "pkg:npm/a%4".into()
        })
    );
    assert_eq!(
        normalize("pkg:npm/a%FF"),
        Err(PurlError::BadEscape {
            purl: "pkg:npm/a%FF".into()
        })
    );
    assert_eq!(
        normalize("pkg:npm/").unwrap_err().to_string(),
        "package URL `pkg:npm/` has an empty name: expected `pkg:<type>/<name>`"
    );
}

#[test]
fn maps_osv_ecosystems() {
    for (eco, name, want) in [
        ("PyPI", "Jinja2", Some("pkg:pypi/jinja2")),
        ("npm", "@Babel/Core", Some("pkg:npm/%40babel/core")),
        (
            "Go",
            "github.com/Foo/bar",
            Some("pkg:golang/github.com/Foo/bar"),
        ),
        ("crates.io", "tokio", Some("pkg:cargo/tokio")),
        (
            "Maven",
            "org.apache:log4j",
            Some("pkg:maven/org.apache/log4j"),
        ),
        ("RubyGems", "rails", Some("pkg:gem/rails")),
        (
            "NuGet",
            "Newtonsoft.Json",
            Some("pkg:nuget/Newtonsoft.Json"),
        ),
        (
            "Packagist",
            "Symfony/HTTP",
            Some("pkg:composer/symfony/http"),
        ),
        ("Hex", "Plug", Some("pkg:hex/plug")),
        ("Pub", "HTTP", Some("pkg:pub/http")),
        (
            "Maven",
            "no-colon",
            Some("pkg:generic/no-colon?ecosystem=Maven"),
        ),
        ("Debian:11", "curl", Some("pkg:deb/debian/curl?distro=11")),
        ("PyPI", "", None),
        ("", "curl", None),
    ] {
        assert_eq!(from_ecosystem(eco, name).as_deref(), want, "{eco} {name}");
    }
}

proptest! {
    #[test]
    fn normalizing_is_idempotent(
        ty in prop_oneof!["[a-z]{1,6}", Just("deb".to_owned()), Just("generic".to_owned())],
        ns in "[ -~]{0,8}", name in "[ -~é]{1,12}", quals in "[ -~]{0,12}",
    ) {
        let purl = format!("pkg:{ty}/{}/{}?{quals}", enc(&ns), enc(&name));
        if let Ok(once) = normalize(&purl) {
            prop_assert_eq!(normalize(&once), Ok(once.clone()));
        }
    }
}

fn enc(text: &str) -> String {
    let mut out = String::new();
    encode_into(&mut out, text);
    out
}
