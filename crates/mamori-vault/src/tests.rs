use super::*;

fn setup() -> (tempfile::TempDir, Vault, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let share = dir.path().join("share");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(share.join("sub")).unwrap();
    let config = VaultConfig {
        sweep_on_register: false,
        // Independent of how full this machine's disk happens to be
        // (the reserve is tested on a filesystem of its own).
        min_free_ratio: 0.0,
        ..VaultConfig::default()
    };
    let vault = Vault::open(&state, config).unwrap();
    vault.register_share("s", &share).unwrap();
    (dir, vault, share)
}

/// An open incident of share "s", saved in `state`'s journal.
fn open_incident(
    state: &Path,
    share: &Path,
    started: DateTime<Utc>,
) -> (mamori_journal::Journal, mamori_journal::Incident) {
    let journal = mamori_journal::Journal::open(state);
    let incident =
        mamori_journal::Incident::new(mamori_journal::IncidentSource::Guard, "s", share, started);
    journal.save(&incident).unwrap();
    (journal, incident)
}

#[test]
fn keeps_content_once_per_session() {
    let (_dir, vault, share) = setup();
    let path = share.join("sub/a.txt");
    std::fs::write(&path, b"before").unwrap();
    let file = File::open(&path).unwrap();
    let v1 = vault
        .preserve_fd("s", "sub/a.txt", &file, Reason::Write, "smbd:1")
        .unwrap()
        .unwrap();
    std::fs::write(&path, b"after-encryption").unwrap();
    let again = vault
        .preserve_fd("s", "sub/a.txt", &file, Reason::Write, "smbd:1")
        .unwrap()
        .unwrap();
    assert_eq!(v1, again);
    let version = vault.version(&v1.0).unwrap().unwrap();
    assert_eq!(std::fs::read(&version.object).unwrap(), b"before");
    assert!(version.is_valid());
    assert_eq!(version.size, 6);
    let other = vault
        .preserve_fd("s", "sub/a.txt", &file, Reason::Write, "smbd:2")
        .unwrap()
        .unwrap();
    assert_ne!(other, v1);
    assert_eq!(vault.versions_of("s", "sub/a.txt").unwrap().len(), 2);
    assert_eq!(vault.latest("s", "sub/a.txt").unwrap(), Some(other));
}

#[test]
fn link_survives_unlink_and_is_invalid_after_write() {
    let (_dir, vault, share) = setup();
    let path = share.join("b.txt");
    std::fs::write(&path, b"keep me").unwrap();
    let file = File::open(&path).unwrap();
    let link = vault
        .preserve_fd("s", "b.txt", &file, Reason::Open, "x")
        .unwrap()
        .unwrap();
    let version = vault.version(&link.0).unwrap().unwrap();
    assert_eq!(version.kind, VersionKind::Link);
    assert!(version.is_valid());
    std::fs::remove_file(&path).unwrap();
    assert_eq!(std::fs::read(&version.object).unwrap(), b"keep me");
    assert!(version.is_valid());
    // A live link whose file was written no longer holds the old content.
    std::fs::write(&path, b"other").unwrap();
    let file = File::open(&path).unwrap();
    let live = vault
        .preserve_fd("s", "b.txt", &file, Reason::Open, "y")
        .unwrap()
        .unwrap();
    let live = vault.version(&live.0).unwrap().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(10));
    std::fs::write(&path, b"changed!").unwrap();
    assert!(!live.is_valid());
}

#[test]
fn vault_is_outside_the_share_and_private() {
    let (_dir, vault, share) = setup();
    let store = vault.share("s").unwrap();
    assert!(!store.dir.starts_with(share.canonicalize().unwrap()));
    assert!(!store.inside_share);
    let mode = std::fs::metadata(&store.dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

#[test]
fn rejects_bad_paths_and_unknown_shares() {
    let (_dir, vault, share) = setup();
    std::fs::write(share.join("c"), b"c").unwrap();
    let file = File::open(share.join("c")).unwrap();
    for bad in ["", "/etc/passwd", "../x", "a//b"] {
        assert!(matches!(
            vault.preserve_fd("s", bad, &file, Reason::Write, "x"),
            Err(VaultError::BadPath(_))
        ));
    }
    assert!(matches!(
        vault.preserve_fd("nope", "c", &file, Reason::Write, "x"),
        Err(VaultError::UnknownShare(_))
    ));
}

#[test]
fn prune_over_budget_keeps_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let share = dir.path().join("share");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(&share).unwrap();
    let config = VaultConfig {
        budget_bytes: 250,
        ..VaultConfig::default()
    };
    let vault = Vault::open(&state, config).unwrap();
    vault.register_share("s", &share).unwrap();
    // Pin the oldest through an open incident.
    let (journal, incident) = open_incident(&state, &share, Utc::now());
    let touch = mamori_journal::Touch::new(mamori_journal::TouchOp::Modify, "f0");
    journal.append(&incident.id, &[touch]).unwrap();
    let mut refs = Vec::new();
    for i in 0..5 {
        let name = format!("f{i}");
        std::fs::write(share.join(&name), vec![b'x'; 100]).unwrap();
        let file = File::open(share.join(&name)).unwrap();
        refs.push(
            vault
                .preserve_fd("s", &name, &file, Reason::Write, "s1")
                .unwrap()
                .unwrap(),
        );
    }
    let report = vault.prune(Utc::now()).unwrap();
    assert!(report.total_bytes <= 250, "{report:?}");
    assert!(vault.version(&refs[0].0).unwrap().is_some());
    assert!(vault.version(&refs[1].0).unwrap().is_none());
    assert!(vault.version(&refs[4].0).unwrap().is_some());
    // Quiet period: everything unpinned goes later.
    let later = Utc::now() + chrono::Duration::days(30);
    vault.prune(later).unwrap();
    assert!(vault.version(&refs[0].0).unwrap().is_some());
    assert!(vault.version(&refs[4].0).unwrap().is_none());
}

#[test]
fn an_old_open_incident_lets_later_saves_of_its_paths_go() {
    let (dir, vault, share) = setup();
    let state = dir.path().join("state");
    // An attack two hours ago, never released; the file it touched has
    // been saved by its owner three times since.
    let two_hours_ago = Utc::now() - chrono::Duration::hours(2);
    let (journal, incident) = open_incident(&state, &share, two_hours_ago);
    let mut touch = mamori_journal::Touch::new(mamori_journal::TouchOp::Modify, "sub/book.xlsx");
    touch.time = two_hours_ago;
    journal.append(&incident.id, &[touch]).unwrap();
    let saves: Vec<_> = (0..3)
        .map(|i| {
            std::fs::write(share.join("sub/book.xlsx"), vec![b'0' + i; 50]).unwrap();
            vault
                .preserve_path("s", "sub/book.xlsx", Reason::Write, &format!("bob:{i}"))
                .unwrap()
                .unwrap()
        })
        .collect();
    let report = vault
        .prune(Utc::now() + chrono::Duration::days(30))
        .unwrap();
    assert_eq!(report.removed, 2, "{report:?}");
    assert!(vault.version(&saves[0].0).unwrap().is_none());
    assert!(vault.version(&saves[1].0).unwrap().is_none());
    // The newest save by someone else: restore's evidence not to undo it.
    assert!(vault.version(&saves[2].0).unwrap().is_some());
}

#[test]
fn reopened_vault_keeps_index_and_total() {
    let (dir, vault, share) = setup();
    std::fs::write(share.join("d"), b"12345").unwrap();
    let r = vault
        .preserve_path("s", "d", Reason::Truncate, "x")
        .unwrap()
        .unwrap();
    drop(vault);
    let config = VaultConfig {
        sweep_on_register: false,
        ..VaultConfig::default()
    };
    let vault = Vault::open(&dir.path().join("state"), config).unwrap();
    assert_eq!(vault.total_bytes(), 5);
    assert_eq!(
        vault.version(&r.0).unwrap().unwrap().reason,
        Reason::Truncate
    );
    assert!(vault
        .preserve_path("s", "gone", Reason::Write, "x")
        .is_err());
}

#[test]
fn full_of_pinned_versions_alerts_and_keeps_taking() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let share = dir.path().join("share");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(&share).unwrap();
    let vault = Vault::open(
        &state,
        VaultConfig {
            budget_bytes: 150,
            // Independent of how full this machine's disk happens to be.
            min_free_ratio: 0.0,
            ..VaultConfig::default()
        },
    )
    .unwrap();
    vault.register_share("s", &share).unwrap();
    let (journal, incident) = open_incident(&state, &share, Utc::now());
    let touches: Vec<_> = (0..3)
        .map(|i| mamori_journal::Touch::new(mamori_journal::TouchOp::Modify, format!("g{i}")))
        .collect();
    journal.append(&incident.id, &touches).unwrap();
    for i in 0..3 {
        let name = format!("g{i}");
        std::fs::write(share.join(&name), vec![b'y'; 100]).unwrap();
        assert!(vault
            .preserve_path("s", &name, Reason::Write, "a")
            .unwrap()
            .is_some());
    }
    assert_eq!(vault.total_bytes(), 300);
    let alerts = std::fs::read_to_string(state.join("alerts.jsonl")).unwrap();
    assert_eq!(alerts.lines().count(), 1, "{alerts}");
    assert!(alerts.contains("\"kind\":\"vault_full\""), "{alerts}");
}

#[test]
fn empty_files_need_no_object() {
    let (_dir, vault, share) = setup();
    std::fs::write(share.join("new.tmp"), b"").unwrap();
    let r = vault
        .preserve_path("s", "new.tmp", Reason::Write, "x")
        .unwrap()
        .unwrap();
    let v = vault.version(&r.0).unwrap().unwrap();
    assert_eq!(v.kind, VersionKind::Empty);
    assert!(v.is_valid());
    assert_eq!(v.object, PathBuf::new());
    vault
        .prune(Utc::now() + chrono::Duration::days(30))
        .unwrap();
    assert!(vault.version(&r.0).unwrap().is_none());
}

#[test]
fn link_sweep_keeps_deleted_files() {
    let (_dir, vault, share) = setup();
    std::fs::write(share.join("sub/x.docx"), b"original x").unwrap();
    std::fs::write(share.join("y.pdf"), b"original y").unwrap();
    let first = vault.sweep_links("s").unwrap();
    assert_eq!(first.linked, 2, "{first:?}");
    assert_eq!(vault.total_bytes(), 0, "live links cost nothing");
    let again = vault.sweep_links("s").unwrap();
    assert_eq!((again.linked, again.already), (0, 2));
    // Renamed: linked again under the new name.
    std::fs::rename(share.join("y.pdf"), share.join("y2.pdf")).unwrap();
    assert_eq!(vault.sweep_links("s").unwrap().linked, 1);
    // Deleted with no warning: the link holds the content and is valid.
    std::fs::remove_file(share.join("sub/x.docx")).unwrap();
    let v = vault.versions_of("s", "sub/x.docx").unwrap().pop().unwrap();
    assert!(v.is_valid());
    assert_eq!(std::fs::read(&v.object).unwrap(), b"original x");
    // Frozen links count and are pruned after the quiet period; live ones stay.
    let report = vault
        .prune(Utc::now() + chrono::Duration::days(30))
        .unwrap();
    assert_eq!(report.removed, 1, "{report:?}");
    assert!(vault.versions_of("s", "sub/x.docx").unwrap().is_empty());
    assert_eq!(vault.versions_of("s", "y2.pdf").unwrap().len(), 1);
}

#[test]
fn a_sweep_over_several_lookup_batches_links_each_file_once() {
    let (_dir, vault, share) = setup();
    // More files than one batch of index lookups, half linked beforehand.
    let names: Vec<String> = (0..2500).map(|n| format!("sub/f{n:04}.txt")).collect();
    for name in &names {
        std::fs::write(share.join(name), name.as_bytes()).unwrap();
    }
    let early: Vec<String> = names.iter().step_by(2).cloned().collect();
    assert_eq!(vault.link_new("s", &early).unwrap().linked, 1250);
    let swept = vault.sweep_links("s").unwrap();
    assert_eq!((swept.linked, swept.already, swept.failed), (1250, 1250, 0));
    let again = vault.sweep_links("s").unwrap();
    assert_eq!((again.linked, again.already), (0, 2500));
    assert_eq!(vault.versions_of("s", "sub/f2499.txt").unwrap().len(), 1);
}

#[test]
fn new_files_linked_once_and_kept_after_delete() {
    let (_dir, vault, share) = setup();
    std::fs::write(share.join("sub/new.txt"), b"made during work").unwrap();
    let names = vec![
        "sub/new.txt".to_string(),
        "sub/new.txt".to_string(),
        "sub/gone.txt".to_string(),
        "../escape".to_string(),
    ];
    let report = vault.link_new("s", &names).unwrap();
    assert_eq!((report.linked, report.failed), (1, 1), "{report:?}");
    assert_eq!(vault.link_new("s", &names[..1]).unwrap().already, 1);
    // The sweep does not link it a second time either.
    assert_eq!(vault.sweep_links("s").unwrap().linked, 0);
    std::fs::remove_file(share.join("sub/new.txt")).unwrap();
    let versions = vault.versions_of("s", "sub/new.txt").unwrap();
    assert_eq!(versions.len(), 1);
    assert!(versions[0].is_frozen_link() && versions[0].is_valid());
    assert_eq!(
        std::fs::read(&versions[0].object).unwrap(),
        b"made during work"
    );
    assert!(vault.link_new("nope", &names).is_err());
}

#[test]
fn created_files_linked_without_asking_the_index() {
    let (_dir, vault, share) = setup();
    std::fs::write(share.join("sub/fresh.bin"), b"just made").unwrap();
    let names = vec![
        "sub/fresh.bin".to_string(),
        "sub/fresh.bin".to_string(),
        "sub/gone.bin".to_string(),
        "sub".to_string(),
    ];
    let report = vault.link_created("s", &names).unwrap();
    assert_eq!((report.linked, report.failed), (1, 1), "{report:?}");
    std::fs::remove_file(share.join("sub/fresh.bin")).unwrap();
    let versions = vault.versions_of("s", "sub/fresh.bin").unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(std::fs::read(&versions[0].object).unwrap(), b"just made");
}

#[test]
fn a_link_job_links_only_the_inode_its_event_named() {
    use std::os::unix::fs::MetadataExt;
    let (_dir, vault, share) = setup();
    let path = share.join("sub/out.txt");
    std::fs::write(&path, b"second file of the name").unwrap();
    let now = std::fs::metadata(&path).unwrap().ino();
    // The event was about an earlier file of the same name.
    let stale = vec![("sub/out.txt".to_string(), Some(now + 1))];
    assert_eq!(vault.link_seen("s", &stale, false).unwrap().linked, 0);
    assert!(vault
        .versions_of_inode(std::fs::metadata(&path).unwrap().dev(), now)
        .unwrap()
        .is_empty());
    let fresh = vec![
        ("sub/out.txt".to_string(), Some(now + 1)),
        ("sub/out.txt".to_string(), Some(now)),
    ];
    assert_eq!(vault.link_seen("s", &fresh, true).unwrap().linked, 1);
    assert_eq!(vault.versions_of("s", "sub/out.txt").unwrap().len(), 1);
}

#[test]
fn upkeep_forgets_sessions_so_a_long_session_gets_a_fresh_version() {
    let (_dir, vault, share) = setup();
    let vault = std::sync::Arc::new(vault);
    let path = share.join("sub/ledger.csv");
    std::fs::write(&path, b"morning").unwrap();
    let morning = vault
        .preserve_path("s", "sub/ledger.csv", Reason::Write, "smbd:7")
        .unwrap()
        .unwrap();
    std::fs::write(&path, b"afternoon").unwrap();
    let same = vault
        .preserve_path("s", "sub/ledger.csv", Reason::Write, "smbd:7")
        .unwrap()
        .unwrap();
    assert_eq!(same, morning, "once per (file, session)");
    let upkeep = Maintenance::start(
        vault.clone(),
        &[("s".to_string(), share.clone())],
        MaintenanceConfig {
            first_pass_at_start: false,
            forget_sessions_every: Duration::from_millis(500),
            ..MaintenanceConfig::default()
        },
    );
    std::thread::sleep(Duration::from_millis(1600));
    drop(upkeep);
    let fresh = vault
        .preserve_path("s", "sub/ledger.csv", Reason::Write, "smbd:7")
        .unwrap()
        .unwrap();
    assert_ne!(fresh, morning);
    let version = vault.version(&fresh.0).unwrap().unwrap();
    assert_eq!(std::fs::read(&version.object).unwrap(), b"afternoon");
}

#[test]
fn a_frozen_links_age_counts_from_the_delete_not_the_sweep() {
    let (_dir, vault, share) = setup();
    std::fs::write(share.join("sub/old.docx"), b"written long ago").unwrap();
    std::fs::write(share.join("sub/kept.docx"), b"still here").unwrap();
    let swept_at = Utc::now();
    assert_eq!(vault.sweep_links("s").unwrap().linked, 2);
    // Deleted a while after the sweep linked it.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::remove_file(share.join("sub/old.docx")).unwrap();
    let quiet = chrono::Duration::from_std(vault.config.quiet_period).unwrap();
    // Past the quiet period since the sweep, within it since the delete.
    vault
        .prune(swept_at + quiet + chrono::Duration::milliseconds(500))
        .unwrap();
    let kept = vault.versions_of("s", "sub/old.docx").unwrap();
    assert_eq!(kept.len(), 1, "the deleted file's link was pruned");
    assert!(kept[0].is_frozen_link());
    let deleted = kept[0].unlinked_at().unwrap();
    assert!(deleted >= swept_at + chrono::Duration::seconds(1));
    // A live link is never pruned for age; the frozen one goes once the
    // quiet period has passed since its delete.
    vault
        .prune(deleted + quiet + chrono::Duration::seconds(1))
        .unwrap();
    assert!(vault.versions_of("s", "sub/old.docx").unwrap().is_empty());
    assert_eq!(vault.versions_of("s", "sub/kept.docx").unwrap().len(), 1);
}

#[test]
fn an_open_incident_pins_the_deletes_its_journal_missed_in_its_folders() {
    let (dir, vault, share) = setup();
    let state = dir.path().join("state");
    std::fs::create_dir_all(share.join("other")).unwrap();
    for name in ["sub/a.xlsx", "sub/b.xlsx", "other/c.xlsx"] {
        std::fs::write(share.join(name), name.as_bytes()).unwrap();
    }
    assert_eq!(vault.sweep_links("s").unwrap().linked, 3);
    let (journal, incident) = open_incident(&state, &share, Utc::now());
    // The journal names b's delete; a's (the first of the burst) escaped
    // it; c was deleted by someone else in a folder the attack never saw.
    for name in ["sub/a.xlsx", "sub/b.xlsx", "other/c.xlsx"] {
        std::fs::remove_file(share.join(name)).unwrap();
    }
    let touch = mamori_journal::Touch::new(mamori_journal::TouchOp::Delete, "sub/b.xlsx");
    journal.append(&incident.id, &[touch]).unwrap();
    // Over budget: every clean version may go.
    let tight = Vault::open(
        &state,
        VaultConfig {
            sweep_on_register: false,
            min_free_ratio: 0.0,
            budget_bytes: 0,
            ..VaultConfig::default()
        },
    )
    .unwrap();
    tight.register_share("s", &share).unwrap();
    tight.prune(Utc::now()).unwrap();
    assert_eq!(tight.versions_of("s", "sub/a.xlsx").unwrap().len(), 1);
    assert_eq!(tight.versions_of("s", "sub/b.xlsx").unwrap().len(), 1);
    assert!(tight.versions_of("s", "other/c.xlsx").unwrap().is_empty());
}
