use super::lines::{lines_by_pool, lines_on_one_baseline, on_one_baseline};
use super::*;
use crate::pdf::font::GlyphText;

/// A xorshift stream from `seed`: each call, a number below its argument.
fn below(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    }
}

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

/// Every pair compared, as the runs of one left edge replaced.
fn block_columns_pairwise(blocks: &[Block], work: &mut u64) -> Res<Vec<usize>> {
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
        *work += active.len() as u64;
        if *work > MAX_LAYOUT_WORK {
            return unreadable("page layout too costly");
        }
        for &j in &active {
            let b1 = &blocks[j];
            let col2 = if b1.x_max == b1.x_min || (b0.x_min <= b1.x_min && b1.x_max > b1.x_min) {
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
    Ok(block_cols)
}

#[test]
fn block_columns_by_runs_as_by_pairs() {
    let mut next = below(0x9E37_79B9_7F4A_7C15u64);
    for round in 0..3000 {
        let n = 1 + next(60) as usize;
        let mut blocks: Vec<Block> = (0..n)
            .map(|_| {
                // Few left edges, so that runs share one; some blocks
                // end left of their start when the round says so.
                let x_min = next(8) as f64 * 40.0 + if next(4) == 0 { 0.5 } else { 0.0 };
                let width = next(120) as f64 - if round % 3 == 0 { 20.0 } else { 0.0 };
                Block {
                    first: 0,
                    end: 0,
                    x_min,
                    x_max: x_min + width,
                    y_min: next(500) as f64,
                    columns: next(30) as usize,
                }
            })
            .collect();
        blocks.sort_by(|a, b| {
            a.x_min
                .total_cmp(&b.x_min)
                .then(a.y_min.total_cmp(&b.y_min))
        });
        let (mut w1, mut w2) = (0, 0);
        let by_runs = block_columns(&blocks, &mut w1);
        let by_pairs = block_columns_pairwise(&blocks, &mut w2);
        assert_eq!(by_runs.ok(), by_pairs.ok());
        assert_eq!(w1, w2);
    }
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

#[test]
fn white_space_shortcut_agrees_with_the_standard_library() {
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        assert_eq!(is_white(c), c.is_whitespace(), "{:04X}", u32::from(c));
    }
}

#[test]
fn block_order_by_keys_is_the_stable_sort() {
    let values = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        2.5,
        f64::NAN,
        -f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        5e-324,
    ];
    let mut seed = 7u64;
    for _ in 0..2000 {
        let n = (seed % 40) as usize;
        let mut blocks = Vec::new();
        for i in 0..n {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = values[(seed % 10) as usize];
            let y = values[((seed >> 8) % 10) as usize];
            blocks.push(Block {
                first: i,
                end: i,
                x_min: x,
                x_max: x,
                y_min: y,
                columns: 0,
            });
        }
        let mut expected = blocks.clone();
        expected.sort_by(|a, b| {
            a.x_min
                .total_cmp(&b.x_min)
                .then(a.y_min.total_cmp(&b.y_min))
        });
        let got: Vec<usize> = blocks_by_x_then_y(&blocks)
            .iter()
            .map(|b| b.first)
            .collect();
        let want: Vec<usize> = expected.iter().map(|b| b.first).collect();
        assert_eq!(got, want);
        seed = seed.wrapping_add(1);
    }
}

fn frag(i: usize, y_min: f64, x_min: f64, base: f64) -> Frag {
    Frag {
        col: i,
        line: Line {
            char0: 0,
            edge0: 0,
            len: 0,
            shift: 0,
            x_min,
            x_max: x_min,
            y_min,
            base,
            size: 10.0,
        },
        _same_size: [0; 5],
    }
}

/// The order as the page was first laid out: the standard stable sort of
/// the fragments, then each line's fragments by their left edges.
fn reading_order_by_stable_sort(frags: &mut [Frag]) -> Vec<usize> {
    frags.sort_by(|Frag { line: a, .. }, Frag { line: b, .. }| {
        if (a.y_min - b.y_min).abs() < 0.01 {
            a.x_min.total_cmp(&b.x_min)
        } else {
            a.y_min.total_cmp(&b.y_min)
        }
    });
    let mut i = 0;
    while i < frags.len() {
        let (base, size) = (frags[i].line.base, frags[i].line.size);
        let mut j = i + 1;
        while j < frags.len() && (frags[j].line.base - base).abs() < MAX_INTRA_LINE_DELTA * size {
            j += 1;
        }
        frags[i..j].sort_by(|a, b| a.line.x_min.total_cmp(&b.line.x_min));
        i = j;
    }
    frags.iter().map(|f| f.col).collect()
}

#[test]
fn reading_order_by_keys_is_the_stable_sort() {
    let mut next = below(0x9E37_79B9_7F4A_7C15u64);
    // Tops on a grid (with -0 and +0), some 0.005 apart (the original sort
    // decides those), left edges with ties, baselines close to the tops.
    let tops = [
        -0.0,
        0.0,
        0.005,
        7.5,
        7.505,
        14.55,
        29.1,
        29.1,
        100.0,
        f64::NAN,
    ];
    let lefts = [-0.0, 0.0, 30.0, 93.65, 93.65, 161.85, f64::NAN, 500.0];
    for round in 0..3000 {
        let n = 1 + next(60) as usize;
        let grid = round % 2 == 0;
        let pick = |r: u64, all: &[f64]| all[r as usize % all.len()];
        let specs: Vec<(f64, f64, f64)> = (0..n)
            .map(|_| {
                let top = if grid {
                    [0.0, 14.55, 29.1, 43.65][next(4) as usize]
                } else {
                    pick(next(100), &tops)
                };
                let left = pick(next(100), &lefts);
                let base = top + [0.0, 3.0, 8.0][next(3) as usize];
                (top, left, base)
            })
            .collect();
        let build = || -> Vec<Frag> {
            specs
                .iter()
                .enumerate()
                .map(|(i, &(t, l, b))| frag(i, t, l, b))
                .collect()
        };
        let mut by_keys = build();
        let order = order::reading_order(&mut by_keys);
        let got: Vec<usize> = order.iter().map(|&k| by_keys[k].col).collect();
        let mut by_sort = build();
        assert_eq!(got, reading_order_by_stable_sort(&mut by_sort), "{specs:?}");
    }
}

/// A block's words on one baseline: `(x_min, width, size)` each, one
/// character apiece, in the arenas of `sc`.
fn block_words(specs: &[(f64, f64, f64)], sc: &mut Scratch) -> Vec<Word> {
    specs
        .iter()
        .enumerate()
        .map(|(i, &(x, width, size))| {
            let (char0, edge0) = (sc.word_chars.len(), sc.word_edges.len());
            sc.word_chars.push(char::from(b'a' + i as u8));
            sc.word_edges.extend([x, x + width]);
            Word {
                char0,
                edge0,
                len: 1,
                x_min: x,
                x_max: x + width,
                y_min: 90.0,
                base: 100.0,
                size,
                font: 1,
            }
        })
        .collect()
}

#[test]
fn lines_on_one_baseline_are_the_pools() {
    let mut next = below(0x2545_F491_4F6C_DD1Du64);
    // Gaps in sizes around the thresholds (-0.5 overlaps, 1.5 ends a line).
    let gaps = [-0.7, -0.5, -0.3, 0.0, 0.02, 0.5, 1.4, 1.5, 1.6, 3.0];
    for _ in 0..5000 {
        let n = 2 + next(7) as usize;
        let mut x = 30.0;
        let specs: Vec<(f64, f64, f64)> = (0..n)
            .map(|_| {
                let size = [10.0, 10.5][next(2) as usize];
                let spec = (x, [0.0, 5.0, 10.0, 20.0][next(4) as usize], size);
                x += spec.1 + gaps[next(gaps.len() as u64) as usize] * size;
                spec
            })
            .collect();
        // Members in a shuffled order (the pool sorts them stably).
        let mut members: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            members.swap(i, next(i as u64 + 1) as usize);
        }
        let run = |fast: bool| {
            let mut sc = Scratch::default();
            let words = block_words(&specs, &mut sc);
            sc.members = members.clone();
            assert!(on_one_baseline(&words, &sc.members));
            let mut all = Vec::new();
            let work = if fast {
                lines_on_one_baseline(&words, &mut sc, 0, &mut all)
            } else {
                lines_by_pool(&words, &mut sc, 0, &mut all)
            }
            .unwrap();
            (format!("{all:?}"), sc.line_chars, sc.line_edges, work)
        };
        assert_eq!(run(true), run(false), "{specs:?} {members:?}");
    }
}
