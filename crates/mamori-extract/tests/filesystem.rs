//! Walking and opening real files: special files, races, names, atime, size.

use std::ffi::{CString, OsStr};
use std::fs::{self, File, FileTimes};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use encoding_rs::SHIFT_JIS;
use mamori_extract::{open, walk, ExtractError, Kind, Limits, WalkEntry};

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn cstr(path: &Path) -> CString {
    CString::new(path.as_os_str().as_bytes()).unwrap()
}

fn mkfifo(path: &Path) {
    // SAFETY: valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(cstr(path).as_ptr(), 0o600) }, 0);
}

/// (kind letter, rel, reason) for compact assertions.
fn listing(root: &Path) -> Vec<(char, String, String)> {
    walk(root)
        .map(|e| match e {
            WalkEntry::File { rel, .. } => ('F', rel, String::new()),
            WalkEntry::Error { rel, reason, .. } => ('E', rel, reason),
            WalkEntry::Skipped { rel, reason, .. } => ('S', rel, reason),
        })
        .collect()
}

#[test]
fn walk_is_depth_first_sorted_with_slash_paths() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("a/deep")).unwrap();
    for f in ["c.txt", "b.txt", "a/z.txt", "a/b.txt", "a/deep/x.csv"] {
        fs::write(root.join(f), "x").unwrap();
    }
    fs::create_dir(root.join("empty")).unwrap();
    let rels: Vec<_> = listing(root)
        .into_iter()
        .map(|(k, rel, _)| format!("{k} {rel}"))
        .collect();
    assert_eq!(
        rels,
        [
            "F a/b.txt",
            "F a/deep/x.csv",
            "F a/z.txt",
            "F b.txt",
            "F c.txt"
        ]
    );
}

#[test]
fn walk_on_a_single_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("名簿.csv");
    fs::write(&file, "a,b\n").unwrap();
    let entries: Vec<_> = walk(&file).collect();
    match entries.as_slice() {
        [WalkEntry::File { abs, rel, stamp }] => {
            assert_eq!(rel, "名簿.csv");
            assert_eq!(abs, &file);
            assert_eq!(stamp.size, 4);
            assert_eq!(stamp.inode, fs::metadata(&file).unwrap().ino());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn walk_on_a_missing_root_is_one_error() {
    let dir = tempfile::tempdir().unwrap();
    let l = listing(&dir.path().join("gone"));
    assert_eq!(
        l,
        [('E', "gone".to_owned(), "vanished during scan".to_owned())]
    );
}

#[test]
fn symlinks_are_skipped_never_followed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir(root.join("d")).unwrap();
    fs::write(root.join("d/real.txt"), "x").unwrap();
    std::os::unix::fs::symlink(".", root.join("d/loop")).unwrap();
    std::os::unix::fs::symlink("b", root.join("a")).unwrap();
    std::os::unix::fs::symlink("a", root.join("b")).unwrap();
    std::os::unix::fs::symlink("/dev/null", root.join("null")).unwrap();
    std::os::unix::fs::symlink("d/real.txt", root.join("to_file")).unwrap();
    let l = listing(root);
    let reason = "symbolic link (not followed)".to_owned();
    assert_eq!(
        l,
        [
            ('S', "a".to_owned(), reason.clone()),
            ('S', "b".to_owned(), reason.clone()),
            ('S', "d/loop".to_owned(), reason.clone()),
            ('F', "d/real.txt".to_owned(), String::new()),
            ('S', "null".to_owned(), reason.clone()),
            ('S', "to_file".to_owned(), reason),
        ]
    );
    // Opening a symlink is refused too (a swap after the walk).
    let err = open(&root.join("to_file"), &Limits::default()).unwrap_err();
    assert!(
        matches!(err, ExtractError::NotRegularFile("symbolic link")),
        "{err}"
    );
}

#[test]
fn fifos_sockets_and_devices_are_skipped_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    mkfifo(&root.join("fifo"));
    let _listener = std::os::unix::net::UnixListener::bind(root.join("sock")).unwrap();
    let mut expected = vec![('S', "fifo".to_owned(), "FIFO".to_owned())];
    if is_root() {
        let dev = root.join("null_dev");
        // SAFETY: valid path; (1, 3) is /dev/null.
        let made = unsafe {
            libc::mknod(
                cstr(&dev).as_ptr(),
                libc::S_IFCHR | 0o600,
                libc::makedev(1, 3),
            )
        };
        if made == 0 {
            expected.push(('S', "null_dev".to_owned(), "character device".to_owned()));
            let err = open(&dev, &Limits::default()).unwrap_err();
            assert_eq!(err.to_string(), "not a regular file: character device");
        } else {
            eprintln!("mknod refused (no CAP_MKNOD?): device case not covered");
        }
    }
    expected.push(('S', "sock".to_owned(), "socket".to_owned()));
    assert_eq!(listing(root), expected);
    // A FIFO must not block the open (nobody is writing to it).
    let err = open(&root.join("fifo"), &Limits::default()).unwrap_err();
    assert_eq!(err.to_string(), "not a regular file: FIFO");
    let err = open(root, &Limits::default()).unwrap_err();
    assert_eq!(err.to_string(), "not a regular file: directory");
}

#[test]
fn a_file_removed_between_walk_and_open_vanished() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("tmp.txt"), "x").unwrap();
    let entries: Vec<_> = walk(dir.path()).collect();
    let abs = entries[0].abs().to_path_buf();
    fs::remove_file(&abs).unwrap();
    let err = open(&abs, &Limits::default()).unwrap_err();
    assert!(matches!(err, ExtractError::Vanished));
    assert_eq!(err.to_string(), "vanished during scan");
}

#[test]
fn permission_denied_is_reported_not_fatal() {
    if is_root() {
        eprintln!("running as root: permissions are bypassed, case not covered");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir(root.join("locked")).unwrap();
    fs::write(root.join("secret.txt"), "x").unwrap();
    fs::write(root.join("z.txt"), "x").unwrap();
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(root.join("secret.txt"), fs::Permissions::from_mode(0o000)).unwrap();
    let l = listing(root);
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        l[0],
        ('E', "locked".to_owned(), "permission denied".to_owned())
    );
    assert_eq!(l.len(), 3, "the walk goes on: {l:?}");
    let err = open(&root.join("secret.txt"), &Limits::default()).unwrap_err();
    assert_eq!(err.to_string(), "permission denied");
}

#[test]
fn cp932_file_names_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let (sub, _, _) = SHIFT_JIS.encode("顧客");
    let (name, _, _) = SHIFT_JIS.encode("山田太郎①.txt");
    let sub = dir.path().join(OsStr::from_bytes(&sub));
    fs::create_dir(&sub).unwrap();
    let file = sub.join(OsStr::from_bytes(&name));
    fs::write(&file, "x").unwrap();
    let entries: Vec<_> = walk(dir.path()).collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].rel(), "顧客/山田太郎①.txt");
    // The raw path still opens the file.
    assert_eq!(open(entries[0].abs(), &Limits::default()).unwrap().size, 1);
}

fn atime(path: &Path) -> (i64, i64) {
    let md = fs::metadata(path).unwrap();
    (md.atime(), md.atime_nsec())
}

/// A file whose atime is old enough that relatime would update it.
fn stale_file(path: &Path) {
    fs::write(path, "山田太郎\n".repeat(1000)).unwrap();
    let old = UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    let f = File::options().write(true).open(path).unwrap();
    f.set_times(
        FileTimes::new()
            .set_accessed(old)
            .set_modified(old - Duration::from_secs(60)),
    )
    .unwrap();
}

#[test]
fn reading_does_not_update_atime() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stale.txt");
    stale_file(&path);
    let before = atime(&path);
    let opened = open(&path, &Limits::default()).unwrap();
    assert!(
        opened.noatime || !is_root(),
        "root may always use O_NOATIME"
    );
    let text: String = opened.into_chunks().map(|c| c.unwrap().text).collect();
    assert_eq!(text.len(), "山田太郎\n".len() * 1000);
    assert_eq!(atime(&path), before, "atime changed");

    // Control: a plain read does update it here, or the check above is moot.
    let control = dir.path().join("control.txt");
    stale_file(&control);
    let before = atime(&control);
    File::open(&control)
        .unwrap()
        .read_to_end(&mut Vec::new())
        .unwrap();
    if atime(&control) == before {
        eprintln!("filesystem does not update atime (noatime mount?): check above is moot");
    }
    assert!(SystemTime::now() > UNIX_EPOCH);
}

#[test]
fn opened_stamp_matches_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "abc").unwrap();
    let Some(WalkEntry::File { abs, stamp, .. }) = walk(dir.path()).next() else {
        panic!("no file")
    };
    assert_eq!(open(&abs, &Limits::default()).unwrap().stamp, stamp);
}

#[test]
fn a_50_mb_single_line_streams_in_bounded_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one_line.txt");
    // 13 bytes per unit, mixing 1- and 3-byte characters, no newline.
    let unit = "山田,太郎;x";
    let units = 50 * 1024 * 1024 / unit.len();
    fs::write(&path, unit.repeat(units)).unwrap();
    let limits = Limits::default();
    let opened = open(&path, &limits).unwrap();
    assert_eq!(opened.kind, Kind::Text);
    let mut chunks = opened.into_chunks();
    let (mut total, mut count, mut max_seen) = (0usize, 0usize, 0usize);
    let mut previous_tail = String::new();
    for chunk in chunks.by_ref() {
        let chunk = chunk.unwrap();
        assert!(chunk.text.len() <= limits.chunk_bytes);
        assert!(count == 0 || previous_tail.ends_with(&chunk.overlap));
        assert_eq!(chunk.offset, total as u64);
        max_seen = max_seen.max(chunk.text.len());
        total += chunk.text.len();
        count += 1;
        previous_tail = chunk.text;
    }
    assert_eq!(total, unit.len() * units);
    assert!(count >= 50, "{count} chunks");
    assert!(
        max_seen > limits.chunk_bytes - 4,
        "chunks are filled: {max_seen}"
    );
    assert_eq!(chunks.replacements(), 0);
}

#[test]
fn files_over_the_limit_are_read_up_to_it_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.log");
    fs::write(&path, "0123456789\n".repeat(1000)).unwrap();
    let limits = Limits {
        max_file_bytes: 5000,
        chunk_bytes: 1024,
    };
    let opened = open(&path, &limits).unwrap();
    assert!(opened.truncated);
    assert_eq!(opened.size, 11_000);
    assert_eq!(
        opened.require_whole().unwrap_err().to_string(),
        "too large: 11000 bytes, limit 5000"
    );
    let mut text = String::new();
    opened.into_reader().read_to_string(&mut text).unwrap();
    assert_eq!(text.len(), 5000);

    let small = open(&path, &Limits::default()).unwrap();
    assert!(!small.truncated);
    let mut raw = Vec::new();
    small.into_raw().read_to_end(&mut raw).unwrap();
    assert_eq!(raw.len(), 11_000);
}

#[test]
fn nothing_under_the_root_is_modified() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.csv");
    fs::write(&path, "氏名,住所\n山田,東京\n").unwrap();
    let before = fs::metadata(&path).unwrap();
    for e in walk(dir.path()) {
        let o = open(e.abs(), &Limits::default()).unwrap();
        let _ = o.into_chunks().count();
    }
    let after = fs::metadata(&path).unwrap();
    assert_eq!(
        (
            before.mtime(),
            before.mtime_nsec(),
            before.ctime(),
            before.ctime_nsec(),
            before.len()
        ),
        (
            after.mtime(),
            after.mtime_nsec(),
            after.ctime(),
            after.ctime_nsec(),
            after.len()
        )
    );
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

const CHILD_DIR: &str = "MAMORI_EXTRACT_TEST_CHILD_DIR";

/// Runs `unprivileged_checks` in a child process as nobody (65534), so that
/// permission denied and the O_NOATIME fallback are covered even as root.
#[test]
fn permissions_and_noatime_fallback_as_an_unprivileged_user() {
    use std::os::unix::process::CommandExt;
    if !is_root() {
        let opened = open(Path::new("/etc/passwd"), &Limits::default()).unwrap();
        assert!(
            !opened.noatime,
            "not the owner: O_NOATIME is refused, plain open used"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(root.join("readable.txt"), "山田\n").unwrap();
    fs::write(root.join("secret.txt"), "x").unwrap();
    fs::create_dir(root.join("locked")).unwrap();
    fs::write(root.join("locked/inner.txt"), "x").unwrap();
    fs::set_permissions(root.join("readable.txt"), fs::Permissions::from_mode(0o644)).unwrap();
    fs::set_permissions(root.join("secret.txt"), fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(root.join("locked"), fs::Permissions::from_mode(0o000)).unwrap();
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "unprivileged_checks",
        "--exact",
        "--ignored",
        "--test-threads=1",
    ])
    .env(CHILD_DIR, root);
    // SAFETY: only async-signal-safe syscalls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setgid(65534) != 0
                || libc::setuid(65534) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = match cmd.output() {
        Ok(out) => out,
        // The test binary may sit under a directory nobody cannot enter.
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            eprintln!("cannot run the test binary as nobody ({e}): case not covered");
            return;
        }
        Err(e) => panic!("{e}"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
}

#[test]
#[ignore = "run by permissions_and_noatime_fallback_as_an_unprivileged_user"]
fn unprivileged_checks() {
    let Some(root) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let root = Path::new(&root);
    assert!(!is_root());
    let opened = open(&root.join("readable.txt"), &Limits::default()).unwrap();
    assert!(!opened.noatime, "not the owner: plain read-only open");
    let text: String = opened.into_chunks().map(|c| c.unwrap().text).collect();
    assert_eq!(text, "山田\n");
    let err = open(&root.join("secret.txt"), &Limits::default()).unwrap_err();
    assert_eq!(err.to_string(), "permission denied");
    let l = listing(root);
    assert_eq!(
        l,
        [
            ('E', "locked".to_owned(), "permission denied".to_owned()),
            ('F', "readable.txt".to_owned(), String::new()),
            ('F', "secret.txt".to_owned(), String::new()),
        ]
    );
}
