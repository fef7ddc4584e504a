use super::*;

fn parse(text: &str) -> Result<FileConfig, ConfigError> {
    FileConfig::parse(text, Path::new("/etc/stella/concelier.yaml"))
}

#[test]
fn accepts_the_seed_config_exactly() {
    let text = r#"
Federation: { Enabled: true, SiteId: "site-us-west-1", DefaultCompressionLevel: 3,
              DefaultMaxItems: 10000, RequireSignature: true }
FederationImport: { AllowedSites: ["site-us-east-1"], MaxBundleSizeBytes: 104857600,
                    SkipSignatureOnTrustedSites: false }
Logging: { LogLevel: { StellaOps.Concelier.Federation: Debug } }
"#;
    let config = parse(text).unwrap();
    assert_eq!(config.federation.site_id, "site-us-west-1");
    assert_eq!(config.federation.default_max_items, 10_000);
    assert_eq!(
        config.federation_import.allowed_sites,
        vec!["site-us-east-1".to_owned()]
    );
    assert_eq!(config.federation_import.max_bundle_size_bytes, 104_857_600);
    assert_eq!(config.log_level(), Some(LogLevel::Debug));
}

#[test]
fn empty_file_is_all_defaults() {
    let config = parse("").unwrap();
    assert_eq!(config, FileConfig::default());
    assert!(config.federation.require_signature);
    assert_eq!(config.log_level(), None);
}

#[test]
fn unknown_key_names_file_line_and_column() {
    let err = parse("Federation:\n  Enabled: true\n  Enabeld: false\n").unwrap_err();
    let text = err.to_string();
    assert_eq!(
        text,
        "invalid config file `/etc/stella/concelier.yaml`: line 3 column 3: unknown field `Enabeld`, \
         expected one of Enabled, SiteId, DefaultCompressionLevel, DefaultMaxItems, RequireSignature, DatabaseSchema"
    );
}

#[test]
fn bad_value_names_line_and_column() {
    let err = parse("Federation:\n  DefaultMaxItems: lots\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config file `/etc/stella/concelier.yaml`: line 2 column 3: invalid type: string \"lots\", expected a whole number of at least 0"
    );
}

#[test]
fn out_of_range_values_name_the_key() {
    let err = parse("Federation: { DefaultCompressionLevel: 40 }").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config file `/etc/stella/concelier.yaml`: Federation.DefaultCompressionLevel: 40 is out of range: use 1 to 19"
    );
    let err = parse("FederationImport: { AllowedSites: ['../etc'] }").unwrap_err();
    assert!(
        err.to_string()
            .contains("FederationImport.AllowedSites: `../etc` is not a valid site id")
    );
}

#[test]
fn most_specific_log_category_wins() {
    let config = parse("Logging: { LogLevel: { Default: Warning, StellaOps: Error } }").unwrap();
    assert_eq!(config.log_level(), Some(LogLevel::Error));
    let config = parse("Logging: { LogLevel: { Default: Warning, Microsoft: Error } }").unwrap();
    assert_eq!(config.log_level(), Some(LogLevel::Warning));
    let err = parse("Logging: { LogLevel: { Default: Loud } }").unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn written_config_reads_back() {
    let config = FileConfig::for_new_site("site-a", None);
    let back = parse(&config.to_yaml()).unwrap();
    assert_eq!(back, config);
    assert!(!config.to_yaml().contains("ConnectionStrings"));
    let config = FileConfig::for_new_site("site-a", Some("postgresql://db/x"));
    assert_eq!(parse(&config.to_yaml()).unwrap(), config);
}

#[test]
fn connection_string_and_schema() {
    let config = parse(
        "ConnectionStrings: { Concelier: 'postgresql://stella@db:5432/concelier' }\nFederation: { DatabaseSchema: feeds }\n",
    )
    .unwrap();
    assert_eq!(
        config.connection_strings.concelier.as_deref(),
        Some("postgresql://stella@db:5432/concelier")
    );
    assert_eq!(config.federation.database_schema, "feeds");
    assert_eq!(parse("").unwrap().federation.database_schema, "vuln");
    let err = parse("Federation: { DatabaseSchema: 'Bad-Name' }").unwrap_err();
    assert!(
        err.to_string()
            .contains("Federation.DatabaseSchema: `Bad-Name` is not a schema name")
    );
}

#[test]
fn replay_staleness_and_quarantine_keys() {
    let defaults = parse("").unwrap().federation_import;
    assert_eq!(defaults.max_clock_skew_seconds, 300);
    assert_eq!(defaults.stale_after_hours, 48);
    assert_eq!(defaults.quarantine_max_bytes, 256 * 1024 * 1024);
    let config = parse(
        "FederationImport: { MaxClockSkewSeconds: 0, StaleAfterHours: 2, QuarantineMaxBytes: 10 }",
    )
    .unwrap()
    .federation_import;
    assert_eq!(
        (
            config.max_clock_skew_seconds,
            config.stale_after_hours,
            config.quarantine_max_bytes
        ),
        (0, 2, 10)
    );
    let err = parse("FederationImport: { StaleAfterHours: 0 }").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config file `/etc/stella/concelier.yaml`: FederationImport.StaleAfterHours: must be at least 1"
    );
}

#[test]
fn decompression_ratio_defaults_to_200_and_must_be_positive() {
    assert_eq!(
        parse("").unwrap().federation_import.max_decompression_ratio,
        200
    );
    let config = parse("FederationImport: { MaxDecompressionRatio: 50 }").unwrap();
    assert_eq!(config.federation_import.max_decompression_ratio, 50);
    let err = parse("FederationImport: { MaxDecompressionRatio: 0 }").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config file `/etc/stella/concelier.yaml`: FederationImport.MaxDecompressionRatio: must be at least 1"
    );
}

/// Issue #28: a quoted or YAML 1.1 spelling never turns a boolean off, and a
/// quoted number is not a number.
#[test]
fn strings_are_never_coerced_to_booleans_or_numbers() {
    for value in [
        "\"no\"",
        "\"false\"",
        "off",
        "n",
        "'false'",
        "no",
        "0",
        "\"\"",
    ] {
        let text = format!("Federation:\n  RequireSignature: {value}\n");
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "invalid config file `/etc/stella/concelier.yaml`: line 2 column 3: invalid type: "
            ),
            "{value}: {err}"
        );
        assert!(
            err.ends_with("expected `true` or `false`"),
            "{value}: {err}"
        );
    }
    let err = parse("Federation:\n  RequireSignature: \"no\"\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config file `/etc/stella/concelier.yaml`: line 2 column 3: invalid type: string \"no\", expected `true` or `false`"
    );
    let err = parse("FederationImport: { MaxBundleSizeBytes: \"10\" }").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid config file `/etc/stella/concelier.yaml`: line 1 column 21: invalid type: string \"10\", expected a whole number of at least 0"
    );
    let err = parse("Federation: { DefaultCompressionLevel: '3' }").unwrap_err();
    assert!(err.to_string().contains("expected a whole number"), "{err}");
    let config = parse("Federation: { RequireSignature: false, Enabled: True }\nFederationImport: { MaxClockSkewSeconds: 10 }").unwrap();
    assert!(!config.federation.require_signature && config.federation.enabled);
    assert_eq!(config.federation_import.max_clock_skew_seconds, 10);
}
