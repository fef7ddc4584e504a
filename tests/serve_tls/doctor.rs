//! `stella doctor --tls-cert FILE`: the certificate's expiry.

use super::*;

/// 2089-12-20T00:00:00Z: 12 days before the test certificates' end.
const LATE: &str = "3785875200000";

fn tls_finding(site: &Site, cert: &Path, now: Option<&str>) -> (i32, serde_json::Value) {
    let mut run = site.run(&["doctor", "--json", "--tls-cert", cert.to_str().unwrap()]);
    if let Some(now) = now {
        run = run.env("STELLA_TEST_NOW_MS", now);
    }
    let out = run.go();
    let report = out.json();
    let finding = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "tls")
        .cloned()
        .unwrap_or_else(|| panic!("no tls check: {report}"));
    (out.code, finding)
}

#[test]
fn doctor_checks_the_certificate_expiry() {
    let b = Site::new("site-b");
    let ca = Ca::new(&b.path(""), "test-ca");
    let good = ca.server("good", 2020, 2090);
    let shown = good.cert.display();

    let (_, finding) = tls_finding(&b, &good.cert, Some("1767225600000"));
    assert_eq!(finding["status"], "ok");
    assert_eq!(
        finding["detail"],
        format!("`{shown}` valid until 2090-01-01T00:00:00Z (23376 days left)")
    );

    let (_, finding) = tls_finding(&b, &good.cert, Some(LATE));
    assert_eq!(finding["status"], "warn");
    assert_eq!(
        finding["detail"],
        format!(
            "`{shown}` expires at 2090-01-01T00:00:00Z, in 12 days: renew it and restart `feedser serve`"
        )
    );

    let old = ca.server("old", 2020, 2021);
    let (code, finding) = tls_finding(&b, &old.cert, None);
    assert_eq!(code, 15);
    assert_eq!(finding["status"], "fail");
    assert_eq!(
        finding["detail"],
        format!(
            "`{}` expired at 2021-01-01T00:00:00Z: renew it (`feedser serve` refuses to start with it)",
            old.cert.display()
        )
    );
}
