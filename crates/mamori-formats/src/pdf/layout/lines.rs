//! A block's lines and their columns (steps 3 and 4 inside a block).

use super::pool::Pool;
use super::{
    make_line, unreadable, Line, Res, Scratch, Word, MAX_INTRA_LINE_DELTA, MAX_LAYOUT_WORK,
    MAX_WORD_SPACING, MIN_CHAR_SPACING,
};

/// The lines of a block with their columns (steps 3 and 4 inside it),
/// appended to `all`; the block's width in columns.
pub(super) fn block_lines(
    words: &[Word],
    sc: &mut Scratch,
    work: &mut u64,
    all: &mut Vec<Line>,
) -> Res<usize> {
    if let [only] = sc.members[..] {
        // One word (most blocks of a roster: a cell): one line at column
        // 0, and the work of the pool below, which takes it from a bucket
        // of one word.
        let line = make_line(words, &[only], sc);
        all.push(line);
        *work += 1;
        return Ok(line.len);
    }
    let first = all.len();
    let pool_work = if on_one_baseline(words, &sc.members) {
        lines_on_one_baseline(words, sc, *work, all)?
    } else {
        lines_by_pool(words, sc, *work, all)?
    };
    let lines = &mut all[first..];
    // Columns inside the block, lines in x then y order.
    lines.sort_by(|a, b| a.x_min.total_cmp(&b.x_min).then(a.base.total_cmp(&b.base)));
    let mut columns = 0;
    for i in 0..lines.len() {
        *work += i as u64;
        let mut col1 = 0;
        let l0 = &lines[i];
        for l1 in &lines[..i] {
            let col2 = if l0.x_min - l1.x_max >= 0.0 {
                l1.shift + l1.len + 1
            } else {
                let n = l1.len;
                let edges = &sc.line_edges[l1.edge0..=l1.edge0 + n];
                let k = (0..n)
                    .find(|&k| l0.x_min < 0.5 * (edges[k] + edges[k + 1]))
                    .unwrap_or(n);
                l1.shift + k
            };
            col1 = col1.max(col2);
        }
        let line = &mut lines[i];
        line.shift += col1;
        columns = columns.max(line.shift + line.len);
    }
    *work += pool_work;
    Ok(columns)
}

/// Whether a block's words share one baseline (bit for bit, finite) in
/// finite positive sizes: a cell's `山田 太郎`. The pool then holds them
/// in one bucket, in `x_min` order, every one on every line's baseline.
pub(super) fn on_one_baseline(words: &[Word], members: &[usize]) -> bool {
    let base = words[members[0]].base;
    base.is_finite()
        && members.iter().all(|&m| {
            let w = &words[m];
            w.base.to_bits() == base.to_bits() && w.size.is_finite() && w.size > 0.0
        })
}

/// The lines of a block on one baseline, as [`lines_by_pool`] builds them
/// there, without the pool: the words in `x_min` order (the bucket's
/// stable sort), a line starting at the first word left and taking the
/// next while it starts neither before the line's end by over half a size
/// nor 1.5 sizes or more after it; the pool's work (every word counts the
/// words left when it is taken), checked where the pool checks it.
pub(super) fn lines_on_one_baseline(
    words: &[Word],
    sc: &mut Scratch,
    work: u64,
    all: &mut Vec<Line>,
) -> Res<u64> {
    let mut members = std::mem::take(&mut sc.members);
    members.sort_by(|&a, &b| words[a].x_min.total_cmp(&words[b].x_min));
    let mut line_words = std::mem::take(&mut sc.line_words);
    let mut pool_work = 0u64;
    let mut left = members.len();
    let mut at = 0;
    let mut result = Ok(());
    'lines: while at < members.len() {
        let start = members[at];
        pool_work += left as u64;
        left -= 1;
        at += 1;
        let fs = words[start].size;
        line_words.clear();
        line_words.push(start);
        while let Some(&next) = members.get(at) {
            let last = &words[*line_words.last().unwrap_or(&start)];
            let delta = words[next].x_min - last.x_max;
            // Not an overlap over half a size, nor a gap of 1.5 sizes or
            // more (nor NaN): the pool's tests.
            let joins = delta >= MIN_CHAR_SPACING * fs && delta < MAX_WORD_SPACING * fs;
            if !joins {
                break;
            }
            pool_work += left as u64;
            if pool_work + work > MAX_LAYOUT_WORK {
                result = unreadable("page layout too costly");
                break 'lines;
            }
            line_words.push(next);
            left -= 1;
            at += 1;
        }
        all.push(make_line(words, &line_words, sc));
    }
    sc.line_words = line_words;
    sc.members = members;
    result.map(|()| pool_work)
}

/// The lines of a block by poppler's pool (steps 3): its work.
pub(super) fn lines_by_pool(
    words: &[Word],
    sc: &mut Scratch,
    work: u64,
    all: &mut Vec<Line>,
) -> Res<u64> {
    let mut pool = Pool::new(words, &sc.members, &mut sc.pool);
    let mut line_words = std::mem::take(&mut sc.line_words);
    while let Some(start) = pool.take_start(words) {
        let fs = words[start].size;
        let (min_base, max_base) = (
            words[start].base - MAX_INTRA_LINE_DELTA * fs,
            words[start].base + MAX_INTRA_LINE_DELTA * fs,
        );
        line_words.clear();
        line_words.push(start);
        loop {
            let last = &words[*line_words.last().unwrap_or(&start)];
            let mut best: Option<(usize, usize)> = None;
            let mut overlap = false;
            for b in pool.bucket(min_base)..=pool.bucket(max_base) {
                for (k, &w) in pool.words_of(b).iter().enumerate() {
                    let word = &words[w];
                    let delta = word.x_min - last.x_max;
                    if word.base >= min_base && word.base <= max_base {
                        // A word overlapping the line's end ends the line.
                        if delta < MIN_CHAR_SPACING * fs {
                            overlap = true;
                            break;
                        }
                        if delta < MAX_WORD_SPACING * fs
                            && best
                                .is_none_or(|(bb, bk)| word.x_min < words[pool.word(bb, bk)].x_min)
                        {
                            best = Some((b, k));
                        }
                        break;
                    }
                }
                if overlap {
                    break;
                }
            }
            let Some((b, k)) = best.filter(|_| !overlap) else {
                break;
            };
            pool.work += pool.len[b] as u64;
            if pool.work + work > MAX_LAYOUT_WORK {
                sc.line_words = line_words;
                pool.recycle(&mut sc.pool);
                return unreadable("page layout too costly");
            }
            line_words.push(pool.remove(b, k));
        }
        all.push(make_line(words, &line_words, sc));
    }
    sc.line_words = line_words;
    let pool_work = pool.work;
    pool.recycle(&mut sc.pool);
    Ok(pool_work)
}
