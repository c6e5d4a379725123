//! The guard's rollback at the verdict (`mamori_restore::rollback`): the
//! incident's own journalled touches only, never another user's later
//! edit, never an incident released as a false alarm, and the incident
//! stays blocked.

mod common;

use common::*;
use mamori_journal::{IncidentState, Journal};
use mamori_restore::{rollback, SkipReason};
use mamori_vault::Vault;

#[test]
fn rollback_puts_back_only_the_blocked_incidents_touches() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let root = dir.path().join("share");
    std::fs::create_dir_all(&state).unwrap();
    std::fs::create_dir_all(root.join("経理")).unwrap();
    for name in [
        "経理/a.xlsx",
        "経理/b.xlsx",
        "経理/c.xlsx",
        "経理/d.xlsx",
        "x.docx",
    ] {
        std::fs::write(root.join(name), format!("{name} の中身\n")).unwrap();
    }
    let before = snapshot_tree(&root);
    let vault = Vault::open(&state, quiet_config()).unwrap();
    vault.register_share("s", &root).unwrap();
    assert_eq!(vault.sweep_links("s").unwrap().linked, 5);
    let journal = Journal::open(&state);

    // An earlier incident of the same user, released as a false alarm:
    // its change is the user's own work.
    let mut earlier = Attacker::start(&vault, &journal, "s", &root);
    earlier.encrypt_in_place("x.docx", false);
    earlier.flush();
    earlier.incident.state = IncidentState::Released;
    journal.save(&earlier.incident).unwrap();
    let users_x = std::fs::read(root.join("x.docx")).unwrap();

    let mut attacker = Attacker::start(&vault, &journal, "s", &root);
    attacker.session = "smbd:6667".into();
    attacker.encrypt_in_place("経理/a.xlsx", false);
    attacker.rename_then_encrypt("経理/b.xlsx", "locked");
    attacker.unseen_delete("経理/c.xlsx");
    attacker.ransom_note("経理");
    attacker.flush();
    attacker.incident.state = IncidentState::Blocked;
    journal.save(&attacker.incident).unwrap();
    // Someone else edits a file after the attacker did: left alone.
    other_user_edit(&vault, "s", &root, "経理/a.xlsx", b" + edit");
    let edited_a = std::fs::read(root.join("経理/a.xlsx")).unwrap();
    // A delete the journal missed is not searched for in a rollback.
    std::fs::remove_file(root.join("経理/d.xlsx")).unwrap();

    let report = rollback(&state, &attacker.incident.id).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert!(report.unjournaled.is_empty());
    assert!(
        report.also.is_empty(),
        "a released incident is not rolled back"
    );
    let skipped: Vec<(&str, SkipReason)> = report
        .skipped
        .iter()
        .map(|s| (s.path.as_str(), s.reason))
        .collect();
    assert_eq!(skipped, [("経理/a.xlsx", SkipReason::ChangedByOther)]);
    let now = snapshot_tree(&root);
    for name in ["経理/b.xlsx", "経理/c.xlsx"] {
        assert_eq!(now[name], before[name], "{name}");
    }
    assert!(!root.join("経理/b.xlsx.locked").exists());
    assert!(!root.join("経理/README-RESTORE-FILES.txt").exists());
    assert_eq!(std::fs::read(root.join("経理/a.xlsx")).unwrap(), edited_a);
    assert_eq!(std::fs::read(root.join("x.docx")).unwrap(), users_x);
    assert!(!root.join("経理/d.xlsx").exists());
    // Still blocked (a `restored` state would lift the block).
    assert_eq!(
        journal.get(&attacker.incident.id).unwrap().state,
        IncidentState::Blocked
    );
    let again = rollback(&state, &attacker.incident.id).unwrap();
    assert!(again.restored.is_empty() && again.removed.is_empty());
}
