//! poppler's text pool: words by baseline bucket, each bucket sorted by
//! `x_min`, buckets as slices of one array whose vectors are kept from
//! pool to pool.

use super::{Word, POOL_STEP};

/// `x * PER_STEP` is `x / POOL_STEP` for every `f64`: the step is a power
/// of two, so both are the one correctly rounded quotient, and the
/// product spares a division on every bucket lookup.
const PER_STEP: f64 = 1.0 / POOL_STEP;
const _: () = assert!(POOL_STEP == 4.0);

/// Words by baseline bucket, each bucket sorted by `x_min` (poppler's
/// text pool); taken words are removed. The buckets are slices of one
/// array: bucket `b` is `items[start[b]..start[b] + len[b]]`.
pub(super) struct Pool {
    pub(super) min_idx: i64,
    pub(super) start: Vec<usize>,
    pub(super) len: Vec<usize>,
    pub(super) items: Vec<usize>,
    /// Buckets before this one are empty (words are only ever taken).
    pub(super) first: usize,
    /// Words looked at, towards [`MAX_LAYOUT_WORK`].
    pub(super) work: u64,
}

/// `q.floor() as i64` without the call to libm's `floor` (the build
/// targets x86-64 without SSE4.1's rounding instruction): the same value
/// for every `f64`, NaN (0) and the saturated ends included.
fn floor_to_i64(q: f64) -> i64 {
    let t = q as i64;
    if (t as f64) > q {
        t.saturating_sub(1)
    } else {
        t
    }
}

/// The vectors of a pool, kept for the next one (a page has hundreds of
/// blocks, each with its pool).
#[derive(Default)]
pub(super) struct PoolBufs {
    pub(super) start: Vec<usize>,
    pub(super) len: Vec<usize>,
    pub(super) items: Vec<usize>,
    /// Each member's bucket index (before `min_idx` is known).
    idx: Vec<i64>,
}

impl Pool {
    pub(super) fn new(words: &[Word], members: &[usize], bufs: &mut PoolBufs) -> Pool {
        let mut idx = std::mem::take(&mut bufs.idx);
        idx.clear();
        idx.extend(
            members
                .iter()
                .map(|&i| floor_to_i64(words[i].base * PER_STEP)),
        );
        let min_idx = idx.iter().copied().min().unwrap_or(0);
        let max_idx = idx.iter().copied().max().unwrap_or(0);
        let n = (max_idx - min_idx + 1).clamp(1, 1 << 20) as usize;
        let bucket_of = |k: usize| ((idx[k] - min_idx) as usize).min(n - 1);
        let mut len = std::mem::take(&mut bufs.len);
        len.clear();
        len.resize(n, 0);
        for k in 0..members.len() {
            len[bucket_of(k)] += 1;
        }
        let mut start = std::mem::take(&mut bufs.start);
        start.clear();
        let mut at = 0;
        for &l in &len {
            start.push(at);
            at += l;
        }
        let mut items = std::mem::take(&mut bufs.items);
        items.clear();
        items.resize(members.len(), 0);
        // Members in their order, then a stable sort: as the buckets of
        // vectors this replaced. `len` counts the members placed so far.
        len.iter_mut().for_each(|l| *l = 0);
        for (k, &i) in members.iter().enumerate() {
            let b = bucket_of(k);
            items[start[b] + len[b]] = i;
            len[b] += 1;
        }
        for b in 0..n {
            if len[b] > 1 {
                items[start[b]..start[b] + len[b]]
                    .sort_by(|&a, &c| words[a].x_min.total_cmp(&words[c].x_min));
            }
        }
        bufs.idx = idx;
        Pool {
            min_idx,
            start,
            len,
            items,
            first: 0,
            work: 0,
        }
    }

    /// Gives the pool's vectors back for the next one.
    pub(super) fn recycle(self, bufs: &mut PoolBufs) {
        bufs.start = self.start;
        bufs.len = self.len;
        bufs.items = self.items;
    }

    /// The bucket of a baseline, clamped to the pool.
    pub(super) fn bucket(&self, base: f64) -> usize {
        let i = floor_to_i64(base * PER_STEP) - self.min_idx;
        i.clamp(0, self.len.len() as i64 - 1) as usize
    }

    pub(super) fn word(&self, b: usize, k: usize) -> usize {
        self.items[self.start[b] + k]
    }

    pub(super) fn words_of(&self, b: usize) -> &[usize] {
        &self.items[self.start[b]..self.start[b] + self.len[b]]
    }

    pub(super) fn remove(&mut self, b: usize, k: usize) -> usize {
        let (s, l) = (self.start[b], self.len[b]);
        let w = self.items[s + k];
        self.items.copy_within(s + k + 1..s + l, s + k);
        self.len[b] -= 1;
        w
    }

    /// The first word of the first non-empty bucket, or the left-most of
    /// the first words of the next three buckets (not a superscript).
    pub(super) fn take_start(&mut self, words: &[Word]) -> Option<usize> {
        while self.len.get(self.first).is_some_and(|&l| l == 0) {
            self.first += 1;
        }
        let first = self.first;
        if first >= self.len.len() {
            return None;
        }
        let mut start = first;
        for b in first + 1..(first + 4).min(self.len.len()) {
            if self.len[b] > 0 && words[self.word(b, 0)].x_min < words[self.word(start, 0)].x_min {
                start = b;
            }
        }
        self.work += self.len[start] as u64;
        Some(self.remove(start, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_by_the_reciprocal_is_the_quotient() {
        let mut x = 0x3FF0_0000_0000_0001u64;
        for _ in 0..1_000_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits(x);
            let (a, b) = (v * PER_STEP, v / POOL_STEP);
            assert!(
                a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                "{v:e}"
            );
        }
        for v in [
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            5e-324,
            1.5e-323,
            f64::MAX,
            842.0,
            550.45,
        ] {
            assert_eq!((v * PER_STEP).to_bits(), (v / POOL_STEP).to_bits(), "{v:e}");
        }
    }

    #[test]
    fn floor_without_libm_is_floor() {
        for q in [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            3.999_999,
            -3.999_999,
            1e18,
            -1e18,
            1e300,
            -1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            9.223_372_036_854_776e18,
            -9.223_372_036_854_776e18,
        ] {
            assert_eq!(floor_to_i64(q), q.floor() as i64, "{q}");
        }
        for i in -100_000..100_000 {
            let q = f64::from(i) / 64.0;
            assert_eq!(floor_to_i64(q), q.floor() as i64, "{q}");
        }
    }
}
