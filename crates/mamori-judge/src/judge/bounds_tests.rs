//! The judge's tables under a storm stay within their caps (the guard's
//! memory bound rests on them: docs/design/guard.md, "Memory bounds").

use super::*;
use crate::JudgeConfig;
use std::time::Duration;

fn local(pid: u32) -> Actor {
    Actor {
        pid: Some(pid),
        uid: Some(0),
        ..Actor::default()
    }
}

fn event(at: Instant, actor: &Actor, op: FileOp) -> FileEvent {
    FileEvent {
        at,
        share: "docs".into(),
        actor: actor.clone(),
        op,
    }
}

#[test]
fn a_storm_of_processes_creating_renaming_and_deleting_stays_within_the_caps() {
    let config = JudgeConfig {
        max_actors: 300,
        ..JudgeConfig::default()
    };
    let mut engine = Engine::new(config);
    let start = Instant::now();
    let mut most_created = 0;
    // 200 short-lived processes of 600 files each, one uid: creates whose
    // deletes were lost (nine in ten here) pile up on the shared uid key
    // past its cap.
    for pid in 0..200u32 {
        let actor = local(10_000 + pid);
        for n in 0..600u32 {
            let at = start + Duration::from_micros(u64::from(pid * 600 + n) * 10);
            let path = PathBuf::from(format!("p{pid}/f{n:04}.txt"));
            let done = PathBuf::from(format!("p{pid}/f{n:04}_done.txt"));
            let created = FileOp::Created { path: path.clone() };
            assert!(engine.observe(&event(at, &actor, created)).is_none());
            let renamed = FileOp::Renamed {
                from: path,
                to: done.clone(),
            };
            assert!(engine.observe(&event(at, &actor, renamed)).is_none());
            if n % 10 == 0 {
                let deleted = FileOp::Deleted {
                    path: done,
                    before: None,
                };
                assert!(engine.observe(&event(at, &actor, deleted)).is_none());
            }
        }
        assert!(engine.keys.len() <= 300, "{} keys", engine.keys.len());
        for (key, state) in &engine.keys {
            assert!(state.created.len() <= MAX_MARKS * 5, "{key:?}");
            most_created = most_created.max(state.created.len());
            assert!(state.created_names.len() <= MAX_MARKS * 5, "{key:?}");
            assert!(state.marks.len() <= MAX_SCORED_MARKS, "{key:?}");
            assert!(state.touched.len() <= MAX_TOUCHED, "{key:?}");
            assert!(state.deleted.len() <= MAX_RECENT, "{key:?}");
            assert!(state.new_cipher.len() <= MAX_RECENT, "{key:?}");
        }
    }
    assert!(most_created >= MAX_MARKS * 4, "the uid key reached its cap");
    // After the burst window the processes' keys are gone.
    engine.tick(start + Duration::from_secs(3600));
    assert!(
        engine.keys.keys().all(|k| !matches!(k, Key::Session(_))),
        "session keys forgotten"
    );
}
