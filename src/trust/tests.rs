use std::os::unix::fs::PermissionsExt;

use super::*;

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_private_or_readable_home_is_trusted_and_a_writable_one_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    for mode in [0o700, 0o750, 0o755, 0o1700] {
        chmod(home, mode);
        assert_eq!(check_home(home), Ok(()), "{mode:o}");
    }
    for mode in [0o770, 0o777, 0o1777, 0o720, 0o702] {
        chmod(home, mode);
        let err = check_home(home).unwrap_err();
        assert_eq!(err.problem, Problem::Writable { mode }, "{mode:o}");
    }
    chmod(home, 0o777);
    assert_eq!(
        check_home(home).unwrap_err().to_string(),
        format!(
            "refusing to use `{0}`: others can write to it (mode 0777): run `chmod go-w {0}`",
            home.display()
        )
    );
    chmod(home, 0o700);
    assert_eq!(check_home(&home.join("missing")), Ok(()));
}

#[test]
fn a_link_or_an_open_entry_in_the_home_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    chmod(&home, 0o700);
    std::os::unix::fs::symlink("/etc/hostname", home.join("lock")).unwrap();
    let err = check_home(&home).unwrap_err();
    assert_eq!(
        (err.path, err.problem),
        (home.join("lock"), Problem::Symlink)
    );
    std::fs::remove_file(home.join("lock")).unwrap();
    std::fs::create_dir(home.join("staging")).unwrap();
    chmod(&home.join("staging"), 0o777);
    let err = check_home(&home).unwrap_err();
    assert_eq!(err.path, home.join("staging"));
    // Entries stella does not use are not its business.
    std::fs::remove_dir(home.join("staging")).unwrap();
    std::os::unix::fs::symlink("/etc", home.join("notes")).unwrap();
    assert_eq!(check_home(&home), Ok(()));
}

#[test]
fn a_home_owned_by_another_user_is_refused() {
    if me() != 0 {
        return; // only root can give a directory away
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    std::os::unix::fs::chown(home, Some(65534), None).unwrap();
    let err = check_home(home).unwrap_err();
    assert_eq!(err.problem, Problem::Owner { uid: 65534, me: 0 });
    std::os::unix::fs::chown(home, Some(0), None).unwrap();
}

#[test]
fn ensure_dir_creates_private_dirs_and_refuses_links() {
    let dir = tempfile::tempdir().unwrap();
    let made = dir.path().join("staging");
    ensure_dir(&made).unwrap();
    let mode = std::fs::metadata(&made).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700);
    ensure_dir(&made).unwrap();
    let link = dir.path().join("spool");
    let elsewhere = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), &link).unwrap();
    let err = ensure_dir(&link).unwrap_err();
    let inner = err.get_ref().unwrap().downcast_ref::<Untrusted>().unwrap();
    assert_eq!(inner.problem, Problem::Symlink);
}

#[test]
fn no_follow_refuses_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("target");
    std::fs::write(&target, "keep").unwrap();
    let link = dir.path().join("lock");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let opened = no_follow(OpenOptions::new().write(true).create(true)).open(&link);
    assert!(opened.is_err());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    let file = dir.path().join("new");
    no_follow(OpenOptions::new().write(true).create(true))
        .open(&file)
        .unwrap();
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}
