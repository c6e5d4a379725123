//! What each actor touched recently, before any verdict: the files an
//! incident's journal starts with once its actor is judged.
//!
//! Bounded three ways: touches per actor (a ring), actors, and touches in
//! all (`per_actor × BUDGET_IN_FULL_RINGS`). Without the last, 4 096
//! actors with full rings of 512 could hold ≈ 300 MB; a storm of local
//! processes reaches the actor cap within seconds. What goes first is the
//! ring of the actor seen longest ago: an attacker is busy by definition.

use mamori_journal::Touch;
use std::collections::{HashMap, VecDeque};

/// The touches of all actors together are bounded by this many full rings.
const BUDGET_IN_FULL_RINGS: usize = 64;

/// (share index, actor key).
pub(crate) type ActorOnShare = (usize, String);

struct Ring {
    touches: VecDeque<Touch>,
    /// When the actor was last seen, in pushes (a clock that never ties).
    seen: u64,
}

pub(crate) struct RecentTouches {
    rings: HashMap<ActorOnShare, Ring>,
    per_actor: usize,
    actors: usize,
    budget: usize,
    total: usize,
    pushes: u64,
}

impl RecentTouches {
    pub(crate) fn new(per_actor: usize, actors: usize) -> Self {
        let per_actor = per_actor.max(8);
        RecentTouches {
            rings: HashMap::new(),
            per_actor,
            actors: actors.max(16),
            budget: per_actor.saturating_mul(BUDGET_IN_FULL_RINGS),
            total: 0,
            pushes: 0,
        }
    }

    pub(crate) fn push(&mut self, key: ActorOnShare, touch: Touch) {
        let ring_len = self.rings.get(&key).map(|r| r.touches.len());
        let known = ring_len.is_some();
        // A full ring drops its oldest touch: the total does not grow.
        let grows = ring_len.is_none_or(|len| len < self.per_actor);
        while (!known && self.rings.len() >= self.actors) || (grows && self.total >= self.budget) {
            if !self.forget_oldest_but(&key) {
                break;
            }
        }
        self.pushes += 1;
        let ring = self.rings.entry(key).or_insert_with(|| Ring {
            touches: VecDeque::new(),
            seen: 0,
        });
        ring.seen = self.pushes;
        if ring.touches.len() >= self.per_actor {
            ring.touches.pop_front();
            self.total -= 1;
        }
        ring.touches.push_back(touch);
        self.total += 1;
    }

    /// Takes an actor's touches (its verdict came).
    pub(crate) fn take(&mut self, key: &ActorOnShare) -> Option<VecDeque<Touch>> {
        let ring = self.rings.remove(key)?;
        self.total -= ring.touches.len();
        Some(ring.touches)
    }

    /// Forgets the actor seen longest ago other than `keep`; false when
    /// there is none.
    fn forget_oldest_but(&mut self, keep: &ActorOnShare) -> bool {
        let oldest = self
            .rings
            .iter()
            .filter(|(k, _)| *k != keep)
            .min_by_key(|(_, r)| r.seen)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(key) => self.take(&key).is_some(),
            None => false,
        }
    }

    #[cfg(test)]
    fn held(&self) -> usize {
        self.rings.values().map(|r| r.touches.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_journal::TouchOp;

    fn touch(n: usize) -> Touch {
        Touch::new(TouchOp::Modify, format!("f{n}.docx"))
    }

    #[test]
    fn rings_actors_and_the_total_stay_bounded() {
        let mut recent = RecentTouches::new(8, 16);
        // Many busy actors: the total is held to 64 full rings.
        for actor in 0..200 {
            for n in 0..8 {
                recent.push((0, format!("pid:{actor}")), touch(n));
            }
            assert!(recent.rings.len() <= 16);
            assert!(recent.total <= 8 * BUDGET_IN_FULL_RINGS);
            assert_eq!(recent.total, recent.held());
        }
        // One actor's ring keeps its newest touches.
        for n in 0..20 {
            recent.push((1, "user:alice".into()), touch(n));
        }
        let ring = recent.take(&(1, "user:alice".into())).unwrap();
        assert_eq!(ring.len(), 8);
        assert_eq!(ring.back().unwrap().path, "f19.docx");
        assert_eq!(recent.total, recent.held());
    }

    #[test]
    fn the_budget_evicts_the_actor_seen_longest_ago_not_the_busy_one() {
        let mut recent = RecentTouches::new(8, 1000);
        let busy = (0, "user:mallory".to_string());
        for actor in 0..BUDGET_IN_FULL_RINGS * 2 {
            for n in 0..8 {
                recent.push((0, format!("pid:{actor}")), touch(n));
            }
            recent.push(busy.clone(), touch(actor));
        }
        assert!(recent.total <= recent.budget);
        let ring = recent.take(&busy).unwrap();
        assert_eq!(ring.len(), 8, "the busy actor's ring is whole");
        assert!(
            recent.take(&(0, "pid:0".into())).is_none(),
            "the oldest went"
        );
    }

    #[test]
    fn a_full_ring_at_the_budget_forgets_nobody_else() {
        let mut recent = RecentTouches::new(8, 1000);
        for actor in 0..BUDGET_IN_FULL_RINGS {
            for n in 0..8 {
                recent.push((0, format!("pid:{actor}")), touch(n));
            }
        }
        assert_eq!(recent.total, recent.budget);
        recent.push((0, "pid:0".into()), touch(99));
        assert_eq!(recent.rings.len(), BUDGET_IN_FULL_RINGS, "nobody evicted");
        assert_eq!(recent.total, recent.budget);
    }
}
