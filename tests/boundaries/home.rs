//! A home, or a file in it, that others can write is refused; links planted
//! in it are never followed.

use std::path::Path;

use super::chmod;
use crate::harness::*;

#[test]
fn a_home_others_can_write_is_refused() {
    let site = Site::new("site-a");
    let home = site.home();
    for mode in [0o777, 0o770, 0o1777] {
        chmod(&home, mode);
        site.cmd(&["feedser", "sites", "list"]).code(3).stderr_is(&format!(
            "error: refusing to use `{0}`: others can write to it (mode {mode:04o}): run `chmod go-w {0}`\n",
            home.display()
        ));
        let out = site.cmd(&["doctor"]).code(15);
        assert_eq!(
            out.stdout,
            format!(
                "fail  home     refusing to use `{0}`: others can write to it (mode {mode:04o}): run `chmod go-w {0}`\n",
                home.display()
            )
        );
    }
    // Readable by others is only a doctor warning; every command works.
    chmod(&home, 0o755);
    site.cmd(&["feedser", "sites", "list"]).ok();
    chmod(&home, 0o700);
    site.cmd(&["feedser", "sites", "list"]).ok();
}

#[test]
fn a_home_owned_by_another_user_is_refused() {
    if !is_root() {
        eprintln!("skipped: boundaries::home::a_home_owned_by_another_user_is_refused: needs root");
        return;
    }
    let site = Site::new("site-a");
    let home = site.home();
    std::os::unix::fs::chown(&home, Some(65534), None).unwrap();
    site.cmd(&["feedser", "sites", "list"]).code(3).stderr_is(&format!(
        "error: refusing to use `{}`: it is owned by uid 65534, not by this user (uid 0) or root, who could plant links in it: run stella as its owner, or `chown` it\n",
        home.display()
    ));
    std::os::unix::fs::chown(&home, Some(0), None).unwrap();
    site.cmd(&["feedser", "sites", "list"]).ok();
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `lock`, `audit.log`, `audit.head.tmp`, `staging/` and `quarantine/`
/// planted as links to something else: an import that would write through
/// each is refused before it touches anything, and the target is intact.
#[test]
fn links_planted_in_the_home_are_never_followed() {
    let (a, b) = federated_pair(Backend::Sqlite);
    let bundle = a.export("full.tar.zst", &[]);
    let mut bytes = std::fs::read(&bundle).unwrap();
    let last = bytes.len() - 40;
    bytes[last] ^= 0xff;
    let bad = b.path("bad.tar.zst");
    std::fs::write(&bad, bytes).unwrap();
    let victim_file = b.path("victim.txt");
    let victim_dir = b.path("victim");
    std::fs::create_dir(&victim_dir).unwrap();
    std::fs::write(victim_dir.join("keep"), "keep").unwrap();
    for (name, target) in [
        ("lock", &victim_file),
        ("audit.log", &victim_file),
        ("audit.head.tmp", &victim_file),
        ("staging", &victim_dir),
        ("quarantine", &victim_dir),
    ] {
        std::fs::write(&victim_file, "root's file\n").unwrap();
        let link = b.home().join(name);
        let _ = std::fs::remove_dir_all(&link);
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(target, &link).unwrap();
        let out = b.cmd(&["feedser", "bundle", "import", bad.to_str().unwrap()]);
        out.code(3).stderr_is(&link_refused(&link));
        assert_eq!(
            std::fs::read_to_string(&victim_file).unwrap(),
            "root's file\n",
            "{name}"
        );
        assert_eq!(super::names(&victim_dir), ["keep"], "{name}");
        std::fs::remove_file(&link).unwrap();
    }
    // Without the links, the bad bundle is refused for what it is.
    b.cmd(&["feedser", "bundle", "import", bad.to_str().unwrap()])
        .code(4);
}

fn link_refused(link: &Path) -> String {
    format!(
        "error: refusing to use `{0}`: it is a symbolic link, and stella follows none in its home (another user could make it write elsewhere): remove the link `{0}`\n",
        link.display()
    )
}

/// A `--config` file others can write could turn signature checks off.
#[test]
fn a_config_others_can_write_is_refused() {
    let site = Site::new("site-a");
    let config = site.path("seed.yaml");
    std::fs::write(&config, "Federation: { SiteId: site-a }\n").unwrap();
    chmod(&config, 0o666);
    site.cmd(&[
        "--config",
        config.to_str().unwrap(),
        "feedser",
        "sites",
        "list",
    ])
    .code(3)
    .stderr_is(&format!(
        "error: refusing to use `{0}`: others can write to it (mode 0666): run `chmod go-w {0}`\n",
        config.display()
    ));
}
