//! From the journal's touches to a plan: where each original file is now,
//! which files the attacker left behind, which originals are gone.
//!
//! The touches are replayed in order over a map "path now → what it holds":
//! an original file (with the name it had before the attack and the first
//! vault version of it), or something the attacker created. A rename moves
//! the entry; a delete, or a rename onto an existing name, moves the entry
//! to the list of gone originals. No guessing: only what the guard recorded.

use chrono::{DateTime, Utc};
use mamori_journal::{Touch, TouchOp};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub enum Holder {
    Original(Original),
    /// Created by the attacker (an encrypted copy, a temp file, a note).
    Created {
        note: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Original {
    /// The name before the attack.
    pub path: String,
    /// The first vault version recorded for it.
    pub vault: Option<String>,
    /// Its content was changed (a version is needed, the file itself won't do).
    pub modified: bool,
    /// When the attacker first touched it.
    pub first_touch: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub struct Plan {
    /// Path now → what the attacker left there.
    pub current: BTreeMap<String, Holder>,
    /// Originals no longer anywhere in the share.
    pub gone: Vec<Original>,
    /// The last touch per current path (for "changed by someone else").
    pub last_touch: BTreeMap<String, DateTime<Utc>>,
    /// Every vault reference in the journal.
    pub vault_refs: Vec<String>,
}

impl Plan {
    pub fn from_touches(touches: &[Touch]) -> Plan {
        let mut plan = Plan::default();
        for touch in touches {
            if let Some(v) = &touch.vault {
                plan.vault_refs.push(v.clone());
            }
            let original = |path: &str| Original {
                path: path.to_string(),
                vault: touch.vault.clone(),
                modified: false,
                first_touch: touch.time,
            };
            match touch.op {
                TouchOp::Modify => {
                    let entry = plan
                        .current
                        .entry(touch.path.clone())
                        .or_insert_with(|| Holder::Original(original(&touch.path)));
                    if let Holder::Original(o) = entry {
                        o.modified = true;
                        if o.vault.is_none() {
                            o.vault = touch.vault.clone();
                        }
                    }
                }
                TouchOp::Create => {
                    // A create over an existing file the guard kept a version of
                    // is a truncation of that original.
                    if touch.vault.is_some() && !plan.current.contains_key(&touch.path) {
                        let mut o = original(&touch.path);
                        o.modified = true;
                        plan.current.insert(touch.path.clone(), Holder::Original(o));
                    } else {
                        plan.place(&touch.path, Holder::Created { note: false });
                    }
                }
                TouchOp::RansomNote => {
                    plan.place(&touch.path, Holder::Created { note: true });
                }
                TouchOp::Rename => {
                    let Some(from) = &touch.from else {
                        continue;
                    };
                    let holder = plan
                        .current
                        .remove(from)
                        .unwrap_or_else(|| Holder::Original(original(from)));
                    let holder = match holder {
                        Holder::Original(mut o) => {
                            if o.vault.is_none() {
                                o.vault = touch.vault.clone();
                            }
                            Holder::Original(o)
                        }
                        created => created,
                    };
                    plan.last_touch.remove(from);
                    plan.place(&touch.path, holder);
                }
                TouchOp::Delete => {
                    let holder = plan
                        .current
                        .remove(&touch.path)
                        .unwrap_or_else(|| Holder::Original(original(&touch.path)));
                    plan.last_touch.remove(&touch.path);
                    if let Holder::Original(mut o) = holder {
                        if o.vault.is_none() {
                            o.vault = touch.vault.clone();
                        }
                        // Gone: only a version can bring it back.
                        o.modified = true;
                        plan.gone.push(o);
                    }
                    continue;
                }
                TouchOp::Read | TouchOp::Leaked => continue,
            }
            plan.last_touch.insert(touch.path.clone(), touch.time);
        }
        plan
    }

    /// Puts a holder at `path`; an original already there is displaced (gone).
    fn place(&mut self, path: &str, holder: Holder) {
        if let Some(Holder::Original(mut displaced)) = self.current.insert(path.to_string(), holder)
        {
            displaced.modified = true;
            self.gone.push(displaced);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(op: TouchOp, path: &str, from: Option<&str>, vault: Option<&str>) -> Touch {
        let mut t = Touch::new(op, path);
        t.from = from.map(str::to_string);
        t.vault = vault.map(str::to_string);
        t
    }

    #[test]
    fn rename_then_encrypt() {
        let plan = Plan::from_touches(&[
            touch(TouchOp::Rename, "a.docx.lockbit", Some("a.docx"), None),
            touch(TouchOp::Modify, "a.docx.lockbit", None, Some("v1")),
            touch(TouchOp::RansomNote, "README.txt", None, None),
        ]);
        let Holder::Original(o) = &plan.current["a.docx.lockbit"] else {
            panic!()
        };
        assert_eq!(o.path, "a.docx");
        assert_eq!(o.vault.as_deref(), Some("v1"));
        assert!(o.modified);
        assert_eq!(plan.current["README.txt"], Holder::Created { note: true });
        assert!(plan.gone.is_empty());
    }

    #[test]
    fn copy_then_delete_and_office_style_replace() {
        let plan = Plan::from_touches(&[
            touch(TouchOp::Create, "b.xlsx.enc", None, None),
            touch(TouchOp::Delete, "b.xlsx", None, Some("v2")),
            touch(TouchOp::Create, "~tmp1", None, None),
            // A rename over an existing file: the guard records the replaced
            // file as deleted first.
            touch(TouchOp::Delete, "c.docx", None, Some("v3")),
            touch(TouchOp::Rename, "c.docx", Some("~tmp1"), None),
        ]);
        assert_eq!(plan.current["b.xlsx.enc"], Holder::Created { note: false });
        assert_eq!(plan.current["c.docx"], Holder::Created { note: false });
        let gone: Vec<&str> = plan.gone.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(gone, ["b.xlsx", "c.docx"]);
        assert_eq!(plan.gone[0].vault.as_deref(), Some("v2"));
        assert!(!plan.current.contains_key("~tmp1"));
    }

    #[test]
    fn rename_only_is_not_modified() {
        let plan = Plan::from_touches(&[touch(TouchOp::Rename, "x.play", Some("x.pdf"), None)]);
        let Holder::Original(o) = &plan.current["x.play"] else {
            panic!()
        };
        assert!(!o.modified);
    }
}
