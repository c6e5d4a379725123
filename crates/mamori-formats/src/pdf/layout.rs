//! Glyphs → text laid out as `pdftotext -layout` lays it out, so that the
//! table and text engines see what they saw when poppler read every PDF.
//! This follows the physical-layout model of xpdf/poppler's text output
//! (written anew here from its description, horizontal text only):
//!
//! 1. Glyphs become words: a whitespace glyph, a gap over 0.1 of the font
//!    size, an overlap over 0.2, another baseline, font or size ends a word.
//! 2. Words become blocks: from the top-left word, a block takes the words
//!    on the lines just above and below it (baselines within 1.5 sizes)
//!    that overlap it horizontally, the words on its own lines that come
//!    within 0.3 sizes of it, and, when nothing else is found, the words
//!    within one size on its left or right if at most three lines have one.
//! 3. Inside a block, words on one baseline less than 1.5 sizes apart are
//!    a line; words of a line more than a hair apart get one space.
//! 4. Columns: inside a block, a line starts one column after the lines
//!    wholly to its left, or under the character of an overlapping line it
//!    starts below; blocks start three columns after the blocks wholly to
//!    their left, or proportionally inside an overlapping one.
//! 5. Output: lines in top-to-bottom order, each padded with spaces to its
//!    column; a new text line where the baseline moves by more than half a
//!    size, with blank lines for every further size of vertical distance
//!    (at most five).

use super::syntax::{unreadable, Res};

/// One glyph placed on the page, in poppler's device space (y down).
#[derive(Debug, Clone)]
pub struct Glyph {
    pub x0: f64,
    pub x1: f64,
    pub base: f64,
    pub size: f64,
    pub ascent: f64,
    /// Identity of the font (words do not cross fonts).
    pub font: usize,
    pub text: super::font::GlyphText,
}

const MIN_WORD_BREAK_SPACE: f64 = 0.1;
const MIN_DUP_BREAK_OVERLAP: f64 = 0.2;
const MAX_LINE_SPACING_DELTA: f64 = 1.5;
const MAX_BLOCK_FONT_SIZE_DELTA1: f64 = 0.05;
const MAX_BLOCK_FONT_SIZE_DELTA2: f64 = 0.6;
const MAX_BLOCK_FONT_SIZE_DELTA3: f64 = 0.2;
const MAX_INTRA_LINE_DELTA: f64 = 0.5;
const MAX_WORD_SPACING: f64 = 1.5;
const MIN_COL_SPACING1: f64 = 0.7;
const MIN_COL_SPACING2: f64 = 1.0;
const MIN_CHAR_SPACING: f64 = -0.5;
const MAX_CHAR_SPACING: f64 = 0.03;
const MAX_WIDE_CHAR_SPACING_MUL: f64 = 1.3;
const MAX_WIDE_CHAR_SPACING: f64 = 0.4;
/// Columns a line may be pushed to (a hostile page's blocks would push
/// text arbitrarily far right).
const MAX_COLUMN: usize = 10_000;
/// Pairs of blocks or lines compared per page: beyond this the page is
/// hostile or freakish, and poppler (in a child process that the deadline
/// kills) reads the file instead.
const MAX_LAYOUT_WORK: u64 = 50_000_000;
/// Baselines per pool bucket, in points.
const POOL_STEP: f64 = 4.0;

#[derive(Debug, Clone)]
struct Word {
    chars: Vec<char>,
    /// Left edge of every character, then the right edge of the last.
    edges: Vec<f64>,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    base: f64,
    size: f64,
    font: usize,
}

impl Word {
    fn start(g: &Glyph) -> Word {
        Word {
            chars: Vec::new(),
            edges: vec![g.x0],
            x_min: g.x0,
            x_max: g.x0,
            y_min: g.base - g.ascent * g.size,
            base: g.base,
            size: g.size,
            font: g.font,
        }
    }

    fn push(&mut self, g: &Glyph) {
        let n = g.text.chars().count().max(1);
        let step = (g.x1 - g.x0) / n as f64;
        for (i, c) in g.text.chars().enumerate() {
            if let Some(last) = self.edges.last_mut() {
                *last = g.x0 + step * i as f64;
            }
            self.chars.push(c);
            self.edges.push(g.x0 + step * (i + 1) as f64);
        }
        self.x_max = g.x1;
    }
}

/// Words of a page (step 1).
fn words(glyphs: &[Glyph]) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut cur: Option<Word> = None;
    for g in glyphs {
        if matches!(g.text, super::font::GlyphText::One(c) if c.is_whitespace()) {
            out.extend(cur.take());
            continue;
        }
        if let Some(w) = &cur {
            let sp = g.x0 - w.x_max;
            if sp < -MIN_DUP_BREAK_OVERLAP * w.size
                || sp > MIN_WORD_BREAK_SPACE * w.size
                || (g.base - w.base).abs() > 0.5
                || g.size != w.size
                || g.font != w.font
            {
                out.extend(cur.take());
            }
        }
        cur.get_or_insert_with(|| Word::start(g)).push(g);
    }
    out.extend(cur);
    out.retain(|w| !w.chars.is_empty());
    out
}

/// Words by baseline bucket, each bucket sorted by `x_min` (poppler's
/// text pool); taken words are removed.
struct Pool {
    min_idx: i64,
    buckets: Vec<Vec<usize>>,
    /// Buckets before this one are empty (words are only ever taken).
    first: usize,
    /// Words looked at, towards [`MAX_LAYOUT_WORK`].
    work: u64,
}

impl Pool {
    fn new(words: &[Word], members: impl Iterator<Item = usize>) -> Pool {
        let members: Vec<usize> = members.collect();
        let idx = |w: &Word| (w.base / POOL_STEP).floor() as i64;
        let min_idx = members.iter().map(|&i| idx(&words[i])).min().unwrap_or(0);
        let max_idx = members.iter().map(|&i| idx(&words[i])).max().unwrap_or(0);
        let mut buckets = vec![Vec::new(); (max_idx - min_idx + 1).clamp(1, 1 << 20) as usize];
        for &i in &members {
            let b = ((idx(&words[i]) - min_idx) as usize).min(buckets.len() - 1);
            buckets[b].push(i);
        }
        for b in &mut buckets {
            b.sort_by(|&a, &c| words[a].x_min.total_cmp(&words[c].x_min));
        }
        Pool {
            min_idx,
            buckets,
            first: 0,
            work: 0,
        }
    }

    /// The bucket of a baseline, clamped to the pool.
    fn bucket(&self, base: f64) -> usize {
        let i = (base / POOL_STEP).floor() as i64 - self.min_idx;
        i.clamp(0, self.buckets.len() as i64 - 1) as usize
    }

    /// The first word of the first non-empty bucket, or the left-most of
    /// the first words of the next three buckets (not a superscript).
    fn take_start(&mut self, words: &[Word]) -> Option<usize> {
        while self.buckets.get(self.first).is_some_and(Vec::is_empty) {
            self.first += 1;
        }
        let first = self.first;
        if first >= self.buckets.len() {
            return None;
        }
        let mut start = first;
        for b in first + 1..(first + 4).min(self.buckets.len()) {
            if let (Some(&w), Some(&s)) = (self.buckets[b].first(), self.buckets[start].first()) {
                if words[w].x_min < words[s].x_min {
                    start = b;
                }
            }
        }
        self.work += self.buckets[start].len() as u64;
        Some(self.buckets[start].remove(0))
    }

    /// Takes the words of buckets `from..=to` that `pick` accepts (the
    /// first one per bucket, or all in one pass), keeping the others in
    /// order; `pick` may update what it compares against as it takes.
    fn take_if(
        &mut self,
        from: usize,
        to: usize,
        words: &[Word],
        mut pick: impl FnMut(&Word) -> bool,
        one_per_bucket: bool,
    ) -> Vec<usize> {
        let mut taken = Vec::new();
        for b in from..=to.min(self.buckets.len() - 1) {
            self.work += self.buckets[b].len() as u64;
            if one_per_bucket {
                if let Some(k) = self.buckets[b].iter().position(|&w| pick(&words[w])) {
                    taken.push(self.buckets[b].remove(k));
                }
                continue;
            }
            self.buckets[b].retain(|&w| {
                if pick(&words[w]) {
                    taken.push(w);
                    false
                } else {
                    true
                }
            });
        }
        taken
    }
}

#[derive(Debug)]
struct Line {
    chars: Vec<char>,
    edges: Vec<f64>,
    col: Vec<usize>,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    base: f64,
    size: f64,
}

struct Block {
    lines: Vec<Line>,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    columns: usize,
}

struct Bbox {
    x_min: f64,
    x_max: f64,
    y_min: f64,
}

impl Bbox {
    fn add(&mut self, w: &Word) {
        self.x_min = self.x_min.min(w.x_min);
        self.x_max = self.x_max.max(w.x_max);
        self.y_min = self.y_min.min(w.y_min);
    }
}

/// The words of one block (step 2).
fn grow_block(pool: &mut Pool, words: &[Word], start: usize) -> (Vec<usize>, Bbox) {
    let w0 = &words[start];
    let mut members = vec![start];
    let mut bbox = Bbox {
        x_min: w0.x_min,
        x_max: w0.x_max,
        y_min: w0.y_min,
    };
    let fs = w0.size;
    let (mut min_base, mut max_base) = (w0.base, w0.base);
    let (col1, col2) = (MIN_COL_SPACING1 * fs, MIN_COL_SPACING2 * fs);
    let (line_space, intra) = (MAX_LINE_SPACING_DELTA * fs, MAX_INTRA_LINE_DELTA * fs);
    // The caller gives up on the page once the work passes the limit.
    while pool.work <= MAX_LAYOUT_WORK {
        let mut found = false;
        // The line above, then the line below, overlapping the block.
        for above in [true, false] {
            let (from, to) = if above {
                (pool.bucket(min_base - line_space), pool.bucket(min_base))
            } else {
                (pool.bucket(max_base), pool.bucket(max_base + line_space))
            };
            let (lo, hi) = (min_base, max_base);
            let mut last_base = None;
            // poppler walks the buckets away from the block; the last word
            // it takes sets the block's new edge.
            let order: Vec<usize> = if above {
                (from..=to).rev().collect()
            } else {
                (from..=to).collect()
            };
            for b in order {
                // The block grows with every word taken, as poppler's does.
                let taken = pool.take_if(
                    b,
                    b,
                    words,
                    |w| {
                        let near = if above {
                            w.base < lo && w.base >= lo - line_space
                        } else {
                            w.base > hi && w.base <= hi + line_space
                        };
                        let take = near
                            && w.x_min < bbox.x_max
                            && w.x_max > bbox.x_min
                            && (w.size - fs).abs() < MAX_BLOCK_FONT_SIZE_DELTA1 * fs;
                        if take {
                            bbox.add(w);
                        }
                        take
                    },
                    false,
                );
                for t in taken {
                    last_base = Some(words[t].base);
                    members.push(t);
                    found = true;
                }
            }
            if let Some(b) = last_base {
                if above {
                    min_base = b;
                } else {
                    max_base = b;
                }
            }
        }
        // Words on the block's lines that reach into it.
        let (from, to) = (pool.bucket(min_base - intra), pool.bucket(max_base + intra));
        for b in from..=to {
            let taken = pool.take_if(
                b,
                b,
                words,
                |w| {
                    let take = w.base >= min_base - intra
                        && w.base <= max_base + intra
                        && w.x_min < bbox.x_max + col1
                        && w.x_max > bbox.x_min - col1
                        && (w.size - fs).abs() < MAX_BLOCK_FONT_SIZE_DELTA2 * fs;
                    if take {
                        bbox.add(w);
                    }
                    take
                },
                false,
            );
            found |= !taken.is_empty();
            members.extend(taken);
        }
        if found {
            continue;
        }
        // Up to three lines' outlying words just left, then just right.
        for left in [true, false] {
            let (from, to) = (pool.bucket(min_base - intra), pool.bucket(max_base + intra));
            let (bx_min, bx_max) = (bbox.x_min, bbox.x_max);
            let near = |w: &Word| {
                w.base >= min_base - intra
                    && w.base <= max_base + intra
                    && if left {
                        w.x_max <= bx_min && w.x_max > bx_min - col2
                    } else {
                        w.x_min >= bx_max && w.x_min < bx_max + col2
                    }
                    && (w.size - fs).abs() < MAX_BLOCK_FONT_SIZE_DELTA3 * fs
            };
            let n = (from..=to)
                .filter(|&b| pool.buckets[b].iter().any(|&w| near(&words[w])))
                .count();
            if n > 0 && n <= 3 {
                for t in pool.take_if(from, to, words, near, true) {
                    let w = &words[t];
                    if w.base < min_base {
                        min_base = w.base;
                    } else if w.base > max_base {
                        max_base = w.base;
                    }
                    bbox.add(w);
                    members.push(t);
                    found = true;
                }
            }
        }
        if !found {
            break;
        }
    }
    (members, bbox)
}

/// The lines of a block with their columns (steps 3 and 4 inside it).
fn block_lines(words: &[Word], members: Vec<usize>, work: &mut u64) -> Res<(Vec<Line>, usize)> {
    let mut pool = Pool::new(words, members.into_iter());
    let mut lines: Vec<Line> = Vec::new();
    while let Some(start) = pool.take_start(words) {
        let fs = words[start].size;
        let (min_base, max_base) = (
            words[start].base - MAX_INTRA_LINE_DELTA * fs,
            words[start].base + MAX_INTRA_LINE_DELTA * fs,
        );
        let mut line_words = vec![start];
        loop {
            let last = &words[*line_words.last().unwrap_or(&start)];
            let mut best: Option<(usize, usize)> = None;
            let mut overlap = false;
            for b in pool.bucket(min_base)..=pool.bucket(max_base) {
                for (k, &w) in pool.buckets[b].iter().enumerate() {
                    let word = &words[w];
                    let delta = word.x_min - last.x_max;
                    if word.base >= min_base && word.base <= max_base {
                        // A word overlapping the line's end ends the line.
                        if delta < MIN_CHAR_SPACING * fs {
                            overlap = true;
                            break;
                        }
                        if delta < MAX_WORD_SPACING * fs
                            && best.is_none_or(|(bb, bk)| {
                                word.x_min < words[pool.buckets[bb][bk]].x_min
                            })
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
            pool.work += pool.buckets[b].len() as u64;
            if pool.work + *work > MAX_LAYOUT_WORK {
                return unreadable("page layout too costly");
            }
            line_words.push(pool.buckets[b].remove(k));
        }
        lines.push(make_line(words, &line_words));
    }
    // Columns inside the block, lines in x then y order.
    lines.sort_by(|a, b| a.x_min.total_cmp(&b.x_min).then(a.base.total_cmp(&b.base)));
    let mut columns = 0;
    for i in 0..lines.len() {
        *work += i as u64;
        let mut col1 = 0;
        for j in 0..i {
            let (l0, l1) = (&lines[i], &lines[j]);
            let col2 = if l0.x_min - l1.x_max >= 0.0 {
                l1.col[l1.chars.len()] + 1
            } else {
                let n = l1.chars.len();
                let k = (0..n)
                    .find(|&k| l0.x_min < 0.5 * (l1.edges[k] + l1.edges[k + 1]))
                    .unwrap_or(n);
                l1.col[k]
            };
            col1 = col1.max(col2);
        }
        let line = &mut lines[i];
        for c in &mut line.col {
            *c += col1;
        }
        columns = columns.max(line.col[line.chars.len()]);
    }
    *work += pool.work;
    Ok((lines, columns))
}

/// A line from its words (poppler's `TextLine::coalesce`): one space
/// between words more than a hair apart, the rest joined.
fn make_line(words: &[Word], ids: &[usize]) -> Line {
    let ws: Vec<&Word> = ids.iter().map(|&i| &words[i]).collect();
    let delta = |a: &Word, b: &Word| b.x_min - a.x_max;
    let space = if ws.len() > 1 {
        let mut min_space = if ws[0].chars.len() > 1 || ws[1].chars.len() > 1 {
            0.0
        } else {
            delta(ws[0], ws[1])
        };
        let mut i = 1;
        while i + 1 < ws.len() && min_space > 0.0 {
            if ws[i + 1].chars.len() > 1 {
                min_space = 0.0;
            }
            min_space = min_space.min(delta(ws[i], ws[i + 1]));
            i += 1;
        }
        if min_space <= 0.0 {
            MAX_CHAR_SPACING * ws[0].size
        } else {
            (MAX_WIDE_CHAR_SPACING_MUL * min_space).min(MAX_WIDE_CHAR_SPACING * ws[0].size)
        }
    } else {
        0.0
    };
    let mut chars = Vec::new();
    let mut edges = Vec::new();
    let (mut y_min, mut x_min, mut x_max) = (f64::MAX, f64::MAX, f64::MIN);
    for (i, w) in ws.iter().enumerate() {
        for (j, c) in w.chars.iter().enumerate() {
            chars.push(*c);
            edges.push(w.edges[j]);
        }
        y_min = y_min.min(w.y_min);
        x_min = x_min.min(w.x_min);
        x_max = x_max.max(w.x_max);
        let right = w.edges[w.chars.len()];
        if let Some(next) = ws.get(i + 1) {
            // Closer words are merged or printed touching: no space.
            if delta(w, next) >= space {
                chars.push(' ');
                edges.push(right);
            }
        } else {
            edges.push(right);
        }
    }
    let col = (0..=chars.len()).collect();
    Line {
        chars,
        edges,
        col,
        x_min,
        x_max,
        y_min,
        base: ws[0].base,
        size: ws[0].size,
    }
}

/// The page's text (steps 1-5), ending in a form feed as poppler's does.
pub fn page_text(glyphs: &[Glyph]) -> Res<String> {
    let words = words(glyphs);
    let mut pool = Pool::new(&words, 0..words.len());
    let mut blocks: Vec<Block> = Vec::new();
    let mut work = 0u64;
    while let Some(start) = pool.take_start(&words) {
        let (members, bbox) = grow_block(&mut pool, &words, start);
        let (lines, columns) = block_lines(&words, members, &mut work)?;
        if work + pool.work > MAX_LAYOUT_WORK {
            return unreadable("page layout too costly");
        }
        blocks.push(Block {
            lines,
            x_min: bbox.x_min,
            x_max: bbox.x_max,
            y_min: bbox.y_min,
            columns,
        });
    }
    // Columns of blocks, blocks in x then y order.
    blocks.sort_by(|a, b| {
        a.x_min
            .total_cmp(&b.x_min)
            .then(a.y_min.total_cmp(&b.y_min))
    });
    // Every earlier block wholly to the left pushes a block three columns
    // past its end; an overlapping one, proportionally into itself. As the
    // blocks come in x order, a block once wholly left stays so for all
    // later ones: those are kept as one running maximum, and only the
    // blocks still overlapping are compared one by one.
    let mut block_cols = vec![0usize; blocks.len()];
    let mut left_max = 0usize;
    let mut active: Vec<usize> = Vec::new();
    for i in 0..blocks.len() {
        let b0 = &blocks[i];
        active.retain(|&j| {
            let b1 = &blocks[j];
            if b0.x_min > b1.x_max {
                left_max = left_max.max(block_cols[j].saturating_add(b1.columns + 3));
                false
            } else {
                true
            }
        });
        let mut col1 = left_max;
        work += active.len() as u64;
        if work > MAX_LAYOUT_WORK {
            return unreadable("page layout too costly");
        }
        for &j in &active {
            let b1 = &blocks[j];
            let col2 = if b1.x_max == b1.x_min {
                block_cols[j]
            } else {
                let share = (b0.x_min - b1.x_min) / (b1.x_max - b1.x_min) * b1.columns as f64;
                block_cols[j].saturating_add(share.clamp(0.0, MAX_COLUMN as f64) as usize)
            };
            col1 = col1.max(col2);
        }
        block_cols[i] = col1;
        active.push(i);
    }
    let mut frags: Vec<(usize, Line)> = Vec::new();
    for (block, col) in blocks.into_iter().zip(block_cols) {
        for line in block.lines {
            frags.push(((col + line.col[0]).min(MAX_COLUMN), line));
        }
    }
    // Top to bottom, then the fragments whose baselines are within half a
    // size of the first one's make one line, left to right (a row of
    // 10.5 pt Japanese and 11 pt digits, as LibreOffice sizes Asian and
    // Western text, is one line).
    frags.sort_by(|(_, a), (_, b)| {
        if (a.y_min - b.y_min).abs() < 0.01 {
            a.x_min.total_cmp(&b.x_min)
        } else {
            a.y_min.total_cmp(&b.y_min)
        }
    });
    let mut i = 0;
    while i < frags.len() {
        let (base, size) = (frags[i].1.base, frags[i].1.size);
        let mut j = i + 1;
        while j < frags.len() && (frags[j].1.base - base).abs() < MAX_INTRA_LINE_DELTA * size {
            j += 1;
        }
        frags[i..j].sort_by(|(_, a), (_, b)| a.x_min.total_cmp(&b.x_min));
        i = j;
    }
    let mut out = String::new();
    let mut col = 0;
    for i in 0..frags.len() {
        let (frag_col, line) = &frags[i];
        while col < *frag_col {
            out.push(' ');
            col += 1;
        }
        out.extend(line.chars.iter());
        col += line.chars.len();
        let next = frags.get(i + 1);
        let breaks = match next {
            None => true,
            Some((next_col, next)) => {
                *next_col < col || (next.base - line.base).abs() > MAX_INTRA_LINE_DELTA * line.size
            }
        };
        if breaks {
            let d = match next {
                Some((_, next)) => (((next.base - line.base) / line.size) as i64).clamp(1, 5),
                None => 1,
            };
            for _ in 0..d {
                out.push('\n');
            }
            col = 0;
        }
    }
    out.push('\u{c}');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::font::GlyphText;

    fn glyph(x: f64, base: f64, c: char) -> Glyph {
        Glyph {
            x0: x,
            x1: x + 10.0,
            base,
            size: 10.0,
            ascent: 0.95,
            font: 1,
            text: GlyphText::One(c),
        }
    }

    fn text(glyphs: &[Glyph]) -> String {
        page_text(glyphs).unwrap()
    }

    #[test]
    fn words_lines_and_columns() {
        // 氏名 at x 30, 山田 太郎 three sizes further; the next line below.
        let mut g = vec![glyph(30.0, 100.0, '氏'), glyph(40.0, 100.0, '名')];
        for (i, c) in "山田".chars().enumerate() {
            g.push(glyph(80.0 + 10.0 * i as f64, 100.0, c));
        }
        g.push(glyph(100.0, 100.0, ' '));
        for (i, c) in "太郎".chars().enumerate() {
            g.push(glyph(105.0 + 10.0 * i as f64, 100.0, c));
        }
        g.push(glyph(30.0, 116.0, '住'));
        g.push(glyph(40.0, 116.0, '所'));
        g.push(glyph(80.0, 116.0, '東'));
        assert_eq!(text(&g), "氏名   山田 太郎\n住所   東\n\u{c}");
    }

    #[test]
    fn a_hostile_page_is_left_to_poppler() {
        // 100 000 one-glyph blocks on one baseline: quadratic for poppler's
        // model, so the reader stops at its work limit.
        let g: Vec<Glyph> = (0..100_000)
            .map(|i| glyph(30.0 + 25.0 * i as f64, 100.0, 'a'))
            .collect();
        assert!(page_text(&g).is_err());
    }
}
