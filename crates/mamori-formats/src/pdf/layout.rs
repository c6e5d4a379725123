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

mod lines;
mod order;
mod pool;

use super::syntax::{unreadable, Res};
use lines::block_lines;
use pool::{Pool, PoolBufs};

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

/// A word. Its characters are `chars[char0..char0 + len]` of the page's
/// word arena; their left edges, then the right edge of the last,
/// `edges[edge0..=edge0 + len]`.
#[derive(Debug, Clone)]
struct Word {
    char0: usize,
    edge0: usize,
    len: usize,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    base: f64,
    size: f64,
    font: usize,
}

/// The characters and edges of a page's words and lines, in arenas kept
/// from page to page (no allocation per word or line).
#[derive(Default)]
pub struct Scratch {
    word_chars: Vec<char>,
    word_edges: Vec<f64>,
    line_chars: Vec<char>,
    line_edges: Vec<f64>,
    members: Vec<usize>,
    line_words: Vec<usize>,
    pool: PoolBufs,
}

impl Word {
    fn start(g: &Glyph, chars: &[char], edges: &mut Vec<f64>) -> Word {
        let edge0 = edges.len();
        edges.push(g.x0);
        Word {
            char0: chars.len(),
            edge0,
            len: 0,
            x_min: g.x0,
            x_max: g.x0,
            y_min: g.base - g.ascent * g.size,
            base: g.base,
            size: g.size,
            font: g.font,
        }
    }

    /// Adds a glyph; the word is the last one in the arenas.
    fn push(&mut self, g: &Glyph, chars: &mut Vec<char>, edges: &mut Vec<f64>) {
        if let super::font::GlyphText::One(c) = g.text {
            // The loop below for one character, the same arithmetic.
            let step = (g.x1 - g.x0) / 1.0;
            if let Some(last) = edges.last_mut() {
                *last = g.x0 + step * 0.0;
            }
            chars.push(c);
            edges.push(g.x0 + step * 1.0);
            self.len += 1;
            self.x_max = g.x1;
            return;
        }
        let n = g.text.chars().count().max(1);
        let step = (g.x1 - g.x0) / n as f64;
        for (i, c) in g.text.chars().enumerate() {
            if let Some(last) = edges.last_mut() {
                *last = g.x0 + step * i as f64;
            }
            chars.push(c);
            edges.push(g.x0 + step * (i + 1) as f64);
            self.len += 1;
        }
        self.x_max = g.x1;
    }
}

/// `c.is_whitespace()`, answered without the Unicode table for the
/// characters a page is made of: no white space lies above U+3000, and
/// ASCII's is ' ' and '\t'..='\r' (the rest goes to the table).
#[inline(always)]
fn is_white(c: char) -> bool {
    let u = u32::from(c);
    if u < 0x80 {
        u == 0x20 || (0x09..=0x0D).contains(&u)
    } else if u > 0x3000 {
        false
    } else {
        c.is_whitespace()
    }
}

/// Words of a page (step 1).
fn words(glyphs: &[Glyph], chars: &mut Vec<char>, edges: &mut Vec<f64>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::with_capacity(glyphs.len() / 4 + 1);
    let mut cur: Option<Word> = None;
    for g in glyphs {
        if matches!(g.text, super::font::GlyphText::One(c) if is_white(c)) {
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
        cur.get_or_insert_with(|| Word::start(g, chars, edges))
            .push(g, chars, edges);
    }
    out.extend(cur);
    // Only a glyph of no characters leaves a word empty.
    if out.iter().any(|w| w.len == 0) {
        out.retain(|w| w.len > 0);
    }
    out
}

#[derive(Debug, Clone, Copy)]
struct Line {
    /// Characters `line_chars[char0..char0 + len]` of the page's line
    /// arena, edges `line_edges[edge0..=edge0 + len]`.
    char0: usize,
    edge0: usize,
    len: usize,
    /// The column of the first character (character `k` is at
    /// `shift + k`).
    shift: usize,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    base: f64,
    size: f64,
}

#[derive(Clone, Copy)]
struct Block {
    /// The block's lines: `lines[first..end]` of the page's lines.
    first: usize,
    end: usize,
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

/// The words of one block (step 2), into `members`.
///
/// Buckets are sorted by `x_min` and every test takes only words left of
/// the block's right edge (plus a margin): the first word at or past it
/// ends the bucket's scan, as no later word could be taken (the edge moves
/// only when a word is taken). The work counted is that of a full scan.
///
/// `forward`: no word ends left of where it starts (glyphs that step back
/// make such words), so a word starting right of a point also ends right
/// of it.
fn grow_block(
    pool: &mut Pool,
    words: &[Word],
    start: usize,
    members: &mut Vec<usize>,
    forward: bool,
) -> Bbox {
    let w0 = &words[start];
    members.clear();
    members.push(start);
    let mut bbox = Bbox {
        x_min: w0.x_min,
        x_max: w0.x_max,
        y_min: w0.y_min,
    };
    let fs = w0.size;
    let (mut min_base, mut max_base) = (w0.base, w0.base);
    let (col1, col2) = (MIN_COL_SPACING1 * fs, MIN_COL_SPACING2 * fs);
    let (line_space, intra) = (MAX_LINE_SPACING_DELTA * fs, MAX_INTRA_LINE_DELTA * fs);
    let mut taken: Vec<usize> = Vec::new();
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
            for step in 0..=to - from {
                let b = if above { to - step } else { from + step };
                pool.work += pool.len[b] as u64;
                let mut k = 0;
                // The block grows with every word taken, as poppler's does.
                while k < pool.len[b] {
                    let w = &words[pool.word(b, k)];
                    if w.x_min >= bbox.x_max {
                        break;
                    }
                    let near = if above {
                        w.base < lo && w.base >= lo - line_space
                    } else {
                        w.base > hi && w.base <= hi + line_space
                    };
                    if near
                        && w.x_max > bbox.x_min
                        && (w.size - fs).abs() < MAX_BLOCK_FONT_SIZE_DELTA1 * fs
                    {
                        bbox.add(w);
                        let t = pool.remove(b, k);
                        last_base = Some(words[t].base);
                        members.push(t);
                        found = true;
                    } else {
                        k += 1;
                    }
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
            pool.work += pool.len[b] as u64;
            let mut k = 0;
            while k < pool.len[b] {
                let w = &words[pool.word(b, k)];
                if w.x_min >= bbox.x_max + col1 {
                    break;
                }
                if w.base >= min_base - intra
                    && w.base <= max_base + intra
                    && w.x_max > bbox.x_min - col1
                    && (w.size - fs).abs() < MAX_BLOCK_FONT_SIZE_DELTA2 * fs
                {
                    bbox.add(w);
                    members.push(pool.remove(b, k));
                    found = true;
                } else {
                    k += 1;
                }
            }
        }
        if found {
            continue;
        }
        // The buckets of the block's lines, as above while the block's
        // baselines stay where they were (a pure function of them).
        let lines_range = (from, to);
        let lines_bases = (min_base.to_bits(), max_base.to_bits());
        // Up to three lines' outlying words just left, then just right.
        for left in [true, false] {
            let (from, to) = if (min_base.to_bits(), max_base.to_bits()) == lines_bases {
                lines_range
            } else {
                (pool.bucket(min_base - intra), pool.bucket(max_base + intra))
            };
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
            // Past this word no later one of its bucket is near: on the
            // left, it starts (and, forward, ends) right of the block's
            // left edge; on the right, it starts beyond the reach.
            let past = |w: &Word| {
                if left {
                    forward && w.x_min > bx_min
                } else {
                    w.x_min >= bx_max + col2
                }
            };
            let first_near = |pool: &Pool, b: usize| {
                pool.words_of(b)
                    .iter()
                    .take_while(|&&w| !past(&words[w]))
                    .position(|&w| near(&words[w]))
            };
            let n = (from..=to)
                .filter(|&b| first_near(pool, b).is_some())
                .count();
            if n > 0 && n <= 3 {
                taken.clear();
                for b in from..=to {
                    pool.work += pool.len[b] as u64;
                    if let Some(k) = first_near(pool, b) {
                        taken.push(pool.remove(b, k));
                    }
                }
                for &t in &taken {
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
    bbox
}

/// A line from its words (poppler's `TextLine::coalesce`): one space
/// between words more than a hair apart, the rest joined.
fn make_line(words: &[Word], ids: &[usize], sc: &mut Scratch) -> Line {
    let w = |i: usize| &words[ids[i]];
    let delta = |a: &Word, b: &Word| b.x_min - a.x_max;
    let space = if ids.len() > 1 {
        let mut min_space = if w(0).len > 1 || w(1).len > 1 {
            0.0
        } else {
            delta(w(0), w(1))
        };
        let mut i = 1;
        while i + 1 < ids.len() && min_space > 0.0 {
            if w(i + 1).len > 1 {
                min_space = 0.0;
            }
            min_space = min_space.min(delta(w(i), w(i + 1)));
            i += 1;
        }
        if min_space <= 0.0 {
            MAX_CHAR_SPACING * w(0).size
        } else {
            (MAX_WIDE_CHAR_SPACING_MUL * min_space).min(MAX_WIDE_CHAR_SPACING * w(0).size)
        }
    } else {
        0.0
    };
    let (char0, edge0) = (sc.line_chars.len(), sc.line_edges.len());
    let (mut y_min, mut x_min, mut x_max) = (f64::MAX, f64::MAX, f64::MIN);
    for i in 0..ids.len() {
        let word = w(i);
        sc.line_chars
            .extend_from_slice(&sc.word_chars[word.char0..word.char0 + word.len]);
        sc.line_edges
            .extend_from_slice(&sc.word_edges[word.edge0..word.edge0 + word.len]);
        y_min = y_min.min(word.y_min);
        x_min = x_min.min(word.x_min);
        x_max = x_max.max(word.x_max);
        let right = sc.word_edges[word.edge0 + word.len];
        if i + 1 < ids.len() {
            // Closer words are merged or printed touching: no space.
            if delta(word, w(i + 1)) >= space {
                sc.line_chars.push(' ');
                sc.line_edges.push(right);
            }
        } else {
            sc.line_edges.push(right);
        }
    }
    Line {
        char0,
        edge0,
        len: sc.line_chars.len() - char0,
        shift: 0,
        x_min,
        x_max,
        y_min,
        base: w(0).base,
        size: w(0).size,
    }
}

/// Appends `n` spaces, a slice at a time.
fn push_spaces(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// `f64::total_cmp`'s order as an integer: `total_key(a).cmp(&total_key(b))`
/// is `a.total_cmp(&b)` (the same bit twiddling the standard library does).
fn total_key(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// The blocks stably sorted by `x_min`, then `y_min`, both by
/// `total_cmp`: a total order, so the stable order is the one order of
/// the keys with the position as the last key, and an unstable sort of
/// small keys gives it (cheaper than moving the blocks in a stable sort).
fn blocks_by_x_then_y(blocks: &[Block]) -> Vec<Block> {
    let mut keys: Vec<(i64, i64, usize)> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| (total_key(b.x_min), total_key(b.y_min), i))
        .collect();
    keys.sort_unstable();
    keys.iter().map(|&(.., i)| blocks[i]).collect()
}

/// The column of each block (blocks in x then y order), the comparisons
/// counted in `work`.
fn block_columns(blocks: &[Block], work: &mut u64) -> Res<Vec<usize>> {
    let mut block_cols = vec![0usize; blocks.len()];
    let mut left_max = 0usize;
    let mut active: Vec<usize> = Vec::new();
    // An earlier block pushes a later one starting where it starts to its
    // own column: a run of blocks with one left edge (a column of a
    // roster, one cell each) takes the running maximum of the run, beside
    // what the blocks before the run give. This holds when no block ends
    // left of where it starts (else one of the run could become wholly
    // left of a later one); otherwise every pair is compared.
    let forward = blocks.iter().all(|b| b.x_max >= b.x_min);
    let mut i = 0;
    while i < blocks.len() {
        let b0 = &blocks[i];
        let run_end = if forward {
            i + blocks[i..]
                .iter()
                .take_while(|b| b.x_min.to_bits() == b0.x_min.to_bits())
                .count()
        } else {
            i + 1
        };
        active.retain(|&j| {
            let b1 = &blocks[j];
            if b0.x_min > b1.x_max {
                left_max = left_max.max(block_cols[j].saturating_add(b1.columns + 3));
                false
            } else {
                true
            }
        });
        let mut before = left_max;
        for &j in &active {
            let b1 = &blocks[j];
            let col2 = if b1.x_max == b1.x_min {
                block_cols[j]
            } else if b0.x_min <= b1.x_min && b1.x_max > b1.x_min {
                // The share below is zero or below: clamped to zero.
                block_cols[j]
            } else {
                let share = (b0.x_min - b1.x_min) / (b1.x_max - b1.x_min) * b1.columns as f64;
                block_cols[j].saturating_add(share.clamp(0.0, MAX_COLUMN as f64) as usize)
            };
            before = before.max(col2);
        }
        // Within the run each block is compared with those before the run
        // and the run's earlier blocks (which push it to their columns:
        // the share is zero, as it starts where they start).
        let mut run_max = 0usize;
        for (k, col) in block_cols.iter_mut().enumerate().take(run_end).skip(i) {
            *work += (active.len() + (k - i)) as u64;
            if *work > MAX_LAYOUT_WORK {
                return unreadable("page layout too costly");
            }
            *col = before.max(run_max);
            run_max = run_max.max(*col);
        }
        active.extend(i..run_end);
        i = run_end;
    }
    Ok(block_cols)
}

/// A line at its column, for the sort of a page's lines. The comparison
/// of that sort is not a total order (lines whose tops are within 0.01
/// compare by x, others by top), so where it is inconsistent the standard
/// sort's result depends on its scratch space, counted in elements of
/// 4096 bytes: this keeps the size of the `(usize, Line)` pairs the text
/// was first laid out with, and so the same order.
#[repr(C)]
struct Frag {
    col: usize,
    line: Line,
    _same_size: [u64; 5],
}

const _: () = assert!(std::mem::size_of::<Frag>() == 120);

/// The page's text (steps 1-5), ending in a form feed as poppler's does.
#[cfg(test)]
pub fn page_text(glyphs: &[Glyph]) -> Res<String> {
    let mut out = String::new();
    write_page(glyphs, &mut Scratch::default(), &mut out)?;
    Ok(out)
}

/// Appends the page's text to `out`; the number of its characters that
/// are not whitespace.
pub fn write_page(glyphs: &[Glyph], sc: &mut Scratch, out: &mut String) -> Res<usize> {
    sc.word_chars.clear();
    sc.word_edges.clear();
    sc.line_chars.clear();
    sc.line_edges.clear();
    let words = words(glyphs, &mut sc.word_chars, &mut sc.word_edges);
    let forward = words.iter().all(|w| w.x_max >= w.x_min);
    let all: Vec<usize> = (0..words.len()).collect();
    let mut pool = Pool::new(&words, &all, &mut PoolBufs::default());
    // At most one block and one line per word.
    let mut blocks: Vec<Block> = Vec::with_capacity(words.len());
    let mut lines: Vec<Line> = Vec::with_capacity(words.len());
    let mut work = 0u64;
    let mut members = std::mem::take(&mut sc.members);
    while let Some(start) = pool.take_start(&words) {
        let bbox = grow_block(&mut pool, &words, start, &mut members, forward);
        sc.members = members;
        let first = lines.len();
        let columns = block_lines(&words, sc, &mut work, &mut lines);
        members = std::mem::take(&mut sc.members);
        let columns = columns?;
        if work + pool.work > MAX_LAYOUT_WORK {
            return unreadable("page layout too costly");
        }
        blocks.push(Block {
            first,
            end: lines.len(),
            x_min: bbox.x_min,
            x_max: bbox.x_max,
            y_min: bbox.y_min,
            columns,
        });
    }
    sc.members = members;
    // Columns of blocks, blocks in x then y order.
    let blocks = blocks_by_x_then_y(&blocks);
    // Every earlier block wholly to the left pushes a block three columns
    // past its end; an overlapping one, proportionally into itself. As the
    // blocks come in x order, a block once wholly left stays so for all
    // later ones: those are kept as one running maximum, and only the
    // blocks still overlapping are compared one by one.
    let block_cols = block_columns(&blocks, &mut work)?;
    let mut frags: Vec<Frag> = Vec::with_capacity(lines.len());
    for (block, col) in blocks.iter().zip(block_cols) {
        for &line in &lines[block.first..block.end] {
            frags.push(Frag {
                col: (col + line.shift).min(MAX_COLUMN),
                line,
                _same_size: [0; 5],
            });
        }
    }
    // Top to bottom, then left to right along each line.
    let order = order::reading_order(&mut frags);
    let mut visible = 0usize;
    let mut col = 0;
    for (i, &at) in order.iter().enumerate() {
        let Frag {
            col: frag_col,
            line,
            ..
        } = &frags[at];
        if col < *frag_col {
            push_spaces(out, frag_col - col);
            col = *frag_col;
        }
        for &c in &sc.line_chars[line.char0..line.char0 + line.len] {
            out.push(c);
            visible += usize::from(!is_white(c));
        }
        col += line.len;
        let next = order.get(i + 1).map(|&k| &frags[k]);
        let breaks = match next {
            None => true,
            Some(next) => {
                next.col < col
                    || (next.line.base - line.base).abs() > MAX_INTRA_LINE_DELTA * line.size
            }
        };
        if breaks {
            let d = match next {
                Some(next) => (((next.line.base - line.base) / line.size) as i64).clamp(1, 5),
                None => 1,
            };
            for _ in 0..d {
                out.push('\n');
            }
            col = 0;
        }
    }
    out.push('\u{c}');
    Ok(visible)
}

#[cfg(test)]
mod tests;
