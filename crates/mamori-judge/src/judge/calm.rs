//! When the content of a new file can wait.
//!
//! A new file counts by its content only beside a loss: an original
//! deleted or renamed away (write-new-then-delete), or other marks of the
//! same actor. So while an actor has neither, probing each file it creates
//! buys nothing, and on a share receiving a copy it is most of the guard's
//! work per file. The guard skips those probes and takes them, oldest
//! first, as soon as the actor does something that gives them weight
//! ([`Engine::new_content_can_wait`] turns false, or a delete, rename or
//! overwrite arrives): before that event is judged, so pairing sees them.

use super::{Engine, Key};
use crate::{content, names, probe::Kind};
use mamori_journal::Actor;
use std::path::Path;

/// Extensions a ransom note may come under: their content is read at once.
const NOTE_CAPABLE: &[&str] = &["htm", "html", "hta", "url", "rtf", "nfo", "log", "inf"];

impl Engine {
    /// No key of the actor has marks, recent deletes or recent renames.
    pub(crate) fn actor_is_calm(&self, actor: &Actor) -> bool {
        self.keys_are_calm(&Key::of(actor))
    }

    /// Whether a create of `path` by `actor` is counted and not yet
    /// renamed away or deleted (`judge/created.rs`).
    pub(crate) fn actor_created(&self, actor: &Actor, path: &std::path::Path) -> bool {
        Key::of(actor)
            .iter()
            .any(|k| self.keys.get(k).is_some_and(|s| s.created.contains(path)))
    }

    fn keys_are_calm(&self, keys: &[Key]) -> bool {
        keys.iter().all(|key| {
            self.keys.get(key).is_none_or(|state| {
                state.marks.is_empty() && state.deleted.is_empty() && state.renames.is_empty()
            })
        })
    }

    /// Whether judging the content of `path`, which this actor created and
    /// has just written, can wait: the actor created it and is calm, and
    /// the name is not one a ransom note could carry (text, web page, no
    /// extension).
    pub(crate) fn new_content_can_wait(&self, actor: &Actor, path: &Path) -> bool {
        let Some(ext) = names::extension(path) else {
            return false;
        };
        if NOTE_CAPABLE.contains(&ext.as_str())
            || content::expected_kind(&ext) == Some(Kind::Text)
            || names::is_note_name(path)
        {
            return false;
        }
        // One key list for both questions: this runs at every close of a
        // new file.
        let keys = Key::of(actor);
        let created = keys.iter().any(|key| {
            self.keys
                .get(key)
                .is_some_and(|state| state.created.contains(path))
        });
        created && self.keys_are_calm(&keys)
    }
}

/// Whether two actors share a key (session or process, user, client):
/// marks of one count for the other. [`Key::of`] without its allocations
/// (called for every waiting file when an actor's calm ends).
pub(crate) fn share_a_key(a: &Actor, b: &Actor) -> bool {
    let session = a.pid.is_some() && a.pid == b.pid;
    let person = match (&a.user, &b.user) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a.uid.is_some() && a.uid == b.uid,
        _ => false,
    };
    let client = a.client.is_some() && a.client == b.client;
    let anonymous =
        |x: &Actor| x.pid.is_none() && x.user.is_none() && x.uid.is_none() && x.client.is_none();
    session || person || client || (anonymous(a) && anonymous(b))
}

#[cfg(test)]
mod tests {
    use crate::{FileEvent, FileOp, Judge, JudgeConfig};
    use mamori_journal::Actor;
    use std::path::{Path, PathBuf};
    use std::time::Instant;

    fn actor(pid: u32) -> Actor {
        Actor {
            user: Some("bob".into()),
            pid: Some(pid),
            ..Actor::default()
        }
    }

    fn event(actor: &Actor, op: FileOp) -> FileEvent {
        FileEvent {
            at: Instant::now(),
            share: "docs".into(),
            actor: actor.clone(),
            op,
        }
    }

    fn created(judge: &mut Judge, actor: &Actor, path: &str) {
        let op = FileOp::Created {
            path: PathBuf::from(path),
        };
        assert!(judge.observe(&event(actor, op)).is_none());
    }

    #[test]
    fn a_calm_creator_s_new_files_can_wait() {
        let mut judge = Judge::new(JudgeConfig::default());
        let bob = actor(10);
        created(&mut judge, &bob, "a/copy.bin");
        assert!(judge.new_content_can_wait(&bob, Path::new("a/copy.bin")));
        // Not a file it created, or not its file.
        assert!(!judge.new_content_can_wait(&bob, Path::new("a/other.bin")));
        let alice = Actor {
            user: Some("alice".into()),
            pid: Some(11),
            ..Actor::default()
        };
        assert!(!judge.new_content_can_wait(&alice, Path::new("a/copy.bin")));
    }

    #[test]
    fn names_a_note_may_carry_are_read_at_once() {
        let mut judge = Judge::new(JudgeConfig::default());
        let bob = actor(10);
        for path in ["a/readme", "a/x.txt", "a/x.html", "a/x.hta", "a/x.csv"] {
            created(&mut judge, &bob, path);
            assert!(!judge.new_content_can_wait(&bob, Path::new(path)), "{path}");
        }
    }

    #[test]
    fn sharing_a_key_is_what_key_of_says() {
        use super::{share_a_key, Key};
        let variants = |pid: u32| {
            vec![
                Actor::default(),
                Actor {
                    pid: Some(pid),
                    ..Actor::default()
                },
                Actor {
                    user: Some("bob".into()),
                    ..Actor::default()
                },
                Actor {
                    uid: Some(1000),
                    ..Actor::default()
                },
                Actor {
                    user: Some("bob".into()),
                    uid: Some(1000),
                    ..Actor::default()
                },
                Actor {
                    user: Some("eve".into()),
                    uid: Some(1000),
                    ..Actor::default()
                },
                Actor {
                    client: Some("10.0.0.5".into()),
                    ..Actor::default()
                },
                Actor {
                    pid: Some(pid),
                    client: Some("10.0.0.6".into()),
                    ..Actor::default()
                },
            ]
        };
        for a in variants(1) {
            for b in variants(1).into_iter().chain(variants(2)) {
                let theirs = Key::of(&b);
                let expected = Key::of(&a).iter().any(|k| theirs.contains(k));
                assert_eq!(share_a_key(&a, &b), expected, "{a:?} / {b:?}");
            }
        }
    }

    #[test]
    fn a_delete_ends_the_calm() {
        let mut judge = Judge::new(JudgeConfig::default());
        let bob = actor(10);
        created(&mut judge, &bob, "a/report.docx.x1");
        assert!(judge.new_content_can_wait(&bob, Path::new("a/report.docx.x1")));
        let gone = FileOp::Deleted {
            path: PathBuf::from("a/report.docx"),
            before: None,
        };
        let _ = judge.observe(&event(&bob, gone));
        assert!(!judge.new_content_can_wait(&bob, Path::new("a/report.docx.x1")));
        // Its other sessions share the user key: the same.
        assert!(!judge.new_content_can_wait(&actor(12), Path::new("a/report.docx.x1")));
    }
}
