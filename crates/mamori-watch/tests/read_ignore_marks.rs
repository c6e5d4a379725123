//! Read ignore marks against the real kernel, on a loop-mounted ext4 image
//! (root only; skipped with a reason otherwise): a reader's ignore mark
//! silences the file's read events, and a writer whose open lifts the mark
//! before it is allowed still has its first write held (the handler reads
//! the old bytes while the write waits).

mod common;

use common::mount_ext4;
use mamori_watch::{PermGroup, PermKind};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

const NOTHING: u8 = 0;
const IGNORE_READS: u8 = 1;
const HEED_READS: u8 = 2;
const IGNORE_ACCESSES: u8 = 3;
/// A creation mark and its creator's close left unqueued (the guard's pair).
const IGNORE_CREATOR: u8 = 4;
/// Both lifted, as the guard does at the next open that may write.
const HEED_CREATOR: u8 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Open,
    /// A pre-content event and the file's first bytes while it was held.
    Access(Vec<u8>),
    ClosedWrite,
}

#[test]
fn a_write_after_a_readers_ignore_mark_is_still_held() {
    let Some(mounted) = mount_ext4() else { return };
    let (share, path, shares) = common::share_with_doc(&mounted);
    let group = match PermGroup::new(&shares) {
        Ok(g) if g.pre_content => g,
        Ok(_) => {
            eprintln!("skipped: no pre-content events on this kernel");
            return;
        }
        Err(e) => {
            eprintln!("skipped: fanotify unavailable: {e}");
            return;
        }
    };
    let action = Arc::new(AtomicU8::new(NOTHING));
    let seen = Arc::new(Mutex::new(Vec::<Seen>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let handler = {
        let (action, seen, stop) = (action.clone(), seen.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            let mut batch = Vec::new();
            while !stop.load(Ordering::Acquire) {
                // Closes come from the group beside, never polled: drained
                // after each read (or timeout), as the guard's reader does.
                if group.wait(50) {
                    group.read(&mut buf, &mut batch).unwrap();
                }
                group.read_closes(&mut buf, &mut batch).unwrap();
                for pending in batch.drain(..) {
                    let entry = match pending.kind {
                        PermKind::Open => {
                            match action.load(Ordering::Acquire) {
                                IGNORE_READS => group.ignore_reads(pending.fd()).unwrap(),
                                HEED_READS => group.heed_reads(pending.fd()).unwrap(),
                                IGNORE_ACCESSES => group.ignore_accesses(pending.fd()).unwrap(),
                                IGNORE_CREATOR => {
                                    group.ignore_accesses(pending.fd()).unwrap();
                                    group.ignore_closes(pending.fd()).unwrap();
                                }
                                HEED_CREATOR => {
                                    group.heed_reads(pending.fd()).unwrap();
                                    group.heed_closes(pending.fd()).unwrap();
                                }
                                _ => {}
                            }
                            Seen::Open
                        }
                        PermKind::PreAccess { .. } => {
                            // Still held: what the file holds now is what
                            // the write has not yet changed.
                            let mut head = vec![0u8; 4];
                            // SAFETY: borrow the event's descriptor.
                            let file = std::mem::ManuallyDrop::new(unsafe {
                                <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(pending.fd())
                            });
                            let n = file.read_at(&mut head, 0).unwrap_or(0);
                            head.truncate(n);
                            Seen::Access(head)
                        }
                        PermKind::ClosedWrite => Seen::ClosedWrite,
                    };
                    seen.lock().unwrap().push(entry);
                    pending.allow();
                }
            }
        })
    };
    let take = || std::mem::take(&mut *seen.lock().unwrap());
    let read_all = || {
        let mut data = Vec::new();
        std::fs::File::open(&path)
            .unwrap()
            .read_to_end(&mut data)
            .unwrap();
        data
    };

    // Without a mark, a read is an open and pre-content events.
    assert_eq!(read_all().len(), 16384);
    let events = take();
    assert!(events.contains(&Seen::Open), "{events:?}");
    assert!(
        events.iter().any(|e| matches!(e, Seen::Access(_))),
        "{events:?}"
    );

    // A reader's open sets the ignore mark: its reads, and a later
    // reader's, raise no pre-content event.
    action.store(IGNORE_READS, Ordering::Release);
    assert_eq!(read_all().len(), 16384);
    action.store(NOTHING, Ordering::Release);
    assert_eq!(read_all().len(), 16384);
    let events = take();
    assert_eq!(events, vec![Seen::Open, Seen::Open]);

    // A writer's open lifts the mark before it is allowed: its first
    // write is held, the old bytes still in place while it waits.
    action.store(HEED_READS, Ordering::Release);
    let mut writer = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    action.store(NOTHING, Ordering::Release);
    writer.write_all(b"NEW!").unwrap();
    drop(writer);
    // The close is a notification: it may still be on its way.
    for _ in 0..100 {
        if seen.lock().unwrap().contains(&Seen::ClosedWrite) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let events = take();
    assert_eq!(events.first(), Some(&Seen::Open), "{events:?}");
    assert!(
        events.contains(&Seen::Access(b"OLD-".to_vec())),
        "the write was held before it changed the file: {events:?}"
    );
    assert_eq!(events.last(), Some(&Seen::ClosedWrite), "{events:?}");

    // The mark does not survive a modification either: set it again, let
    // a writer that was opened before it write, and reads raise events
    // again afterwards (the kernel cleared the mark at the write).
    let mut early = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    action.store(IGNORE_READS, Ordering::Release);
    assert_eq!(read_all().len(), 16384);
    action.store(NOTHING, Ordering::Release);
    early.seek(std::io::SeekFrom::Start(8)).unwrap();
    early.write_all(b"MORE").unwrap();
    drop(early);
    take();
    assert_eq!(read_all().len(), 16384);
    let events = take();
    assert!(
        events.iter().any(|e| matches!(e, Seen::Access(_))),
        "reads raise events again after a modification: {events:?}"
    );

    // A creation mark (the guard sets it when a file's only writer found
    // it empty): set at the open of a new file, it silences that writer's
    // writes, and survives them; a second writer's open lifts it before
    // being allowed, and that writer's first write is held with the first
    // writer's bytes still in place.
    let fresh = share.join("new.txt");
    action.store(IGNORE_ACCESSES, Ordering::Release);
    let mut creator = std::fs::File::create(&fresh).unwrap();
    action.store(NOTHING, Ordering::Release);
    creator.write_all(b"MINE").unwrap();
    creator.write_all(b"-AND-MORE").unwrap();
    creator.sync_all().unwrap();
    let events = take();
    assert_eq!(
        events,
        vec![Seen::Open],
        "the creator's writes raise no pre-content events"
    );
    action.store(HEED_READS, Ordering::Release);
    let second = std::fs::OpenOptions::new()
        .write(true)
        .open(&fresh)
        .unwrap();
    action.store(NOTHING, Ordering::Release);
    second.write_all_at(b"THEIRS", 0).unwrap();
    creator.write_all(b"!").unwrap();
    drop(second);
    drop(creator);
    for _ in 0..100 {
        let closes = seen
            .lock()
            .unwrap()
            .iter()
            .filter(|e| **e == Seen::ClosedWrite)
            .count();
        if closes >= 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let events = take();
    assert_eq!(events.first(), Some(&Seen::Open), "{events:?}");
    assert!(
        events.contains(&Seen::Access(b"MINE".to_vec())),
        "the second writer's write was held before it changed the file: {events:?}"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, Seen::Access(_)))
            .count(),
        2,
        "the creator's next write raises an event again too: {events:?}"
    );

    // The creator's close left unqueued: a file created, written and
    // closed by its only writer raises nothing after its open.
    let closes_in = |events: &[Seen]| events.iter().filter(|e| **e == Seen::ClosedWrite).count();
    // Closes are notifications: wait until `n` of them have been read.
    let wait_for_closes = |n: usize| {
        for _ in 0..100 {
            if closes_in(&seen.lock().unwrap()) >= n {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    action.store(IGNORE_CREATOR, Ordering::Release);
    let mut creator = std::fs::File::create(share.join("quiet.txt")).unwrap();
    action.store(NOTHING, Ordering::Release);
    creator.write_all(b"QUIET").unwrap();
    drop(creator);
    // A later close of another file shows the queue was read past it.
    let mut other = std::fs::File::create(share.join("heard.txt")).unwrap();
    other.write_all(b"HEARD").unwrap();
    drop(other);
    wait_for_closes(1);
    let events = take();
    assert_eq!(
        closes_in(&events),
        1,
        "only the unmarked file's close is queued: {events:?}"
    );

    // A second writer's open lifts both marks: its close and the
    // creator's (still open, surviving its writes) are queued again.
    action.store(IGNORE_CREATOR, Ordering::Release);
    let mut creator = std::fs::File::create(share.join("shared.txt")).unwrap();
    action.store(NOTHING, Ordering::Release);
    creator.write_all(b"FIRST").unwrap();
    action.store(HEED_CREATOR, Ordering::Release);
    let second = std::fs::OpenOptions::new()
        .write(true)
        .open(share.join("shared.txt"))
        .unwrap();
    action.store(NOTHING, Ordering::Release);
    second.write_all_at(b"SECOND", 0).unwrap();
    drop(second);
    // One at a time: queued together, two closes of one file by one
    // thread would be merged into one event.
    wait_for_closes(1);
    drop(creator);
    wait_for_closes(2);
    let events = take();
    assert_eq!(
        closes_in(&events),
        2,
        "both writers' closes are queued once the marks are lifted: {events:?}"
    );

    stop.store(true, Ordering::Release);
    handler.join().unwrap();
}
