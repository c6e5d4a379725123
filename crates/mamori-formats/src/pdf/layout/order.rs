//! The reading order of a page's line fragments (step 5): top to bottom,
//! and left to right among the fragments whose tops are within 0.01.
//!
//! That comparison is not a total order where distinct tops lie within
//! 0.01 of each other, and there the standard stable sort's result depends
//! on its algorithm and on the size of what it moves (see [`super::Frag`]):
//! such pages keep that sort. Wherever every two distinct tops are 0.01 or
//! more apart it is a strict weak order, which has one stable result: the
//! order of the keys (top, left edge, position), which an unstable sort of
//! small integer keys gives without moving the 120-byte fragments.

use super::{total_key, Frag, MAX_INTRA_LINE_DELTA};

/// Fragments closer than this at the top compare by their left edges.
const SAME_TOP: f64 = 0.01;

/// The order of the fragments: `frags[order[0]]` first. The fragments
/// themselves are reordered only on the pages that need the original sort.
pub(super) fn reading_order(frags: &mut [Frag]) -> Vec<usize> {
    let mut order = match by_keys(frags) {
        Some(order) => order,
        None => {
            frags.sort_by(|Frag { line: a, .. }, Frag { line: b, .. }| {
                if (a.y_min - b.y_min).abs() < SAME_TOP {
                    a.x_min.total_cmp(&b.x_min)
                } else {
                    a.y_min.total_cmp(&b.y_min)
                }
            });
            (0..frags.len()).collect()
        }
    };
    // The fragments whose baselines are within half a size of the first
    // one's make one line, left to right (a row of 10.5 pt Japanese and
    // 11 pt digits, as LibreOffice sizes Asian and Western text, is one
    // line). A total order: any stable sort gives the one result.
    let mut i = 0;
    while i < order.len() {
        let first = &frags[order[i]].line;
        let (base, size) = (first.base, first.size);
        let mut j = i + 1;
        while j < order.len()
            && (frags[order[j]].line.base - base).abs() < MAX_INTRA_LINE_DELTA * size
        {
            j += 1;
        }
        if j - i > 1 {
            order[i..j].sort_by(|&a, &b| frags[a].line.x_min.total_cmp(&frags[b].line.x_min));
        }
        i = j;
    }
    order
}

/// The stable order by keys, where the comparison is a strict weak order
/// (every top finite, and distinct tops 0.01 or more apart: as rounding is
/// monotonic, checking the neighbours among the sorted distinct tops
/// checks every pair). Tops equal as numbers (+0 and -0) compare by their
/// left edges, as the comparison has them.
fn by_keys(frags: &[Frag]) -> Option<Vec<usize>> {
    if !frags.iter().all(|f| f.line.y_min.is_finite()) {
        return None;
    }
    let mut keys: Vec<(i64, i64, usize)> = frags
        .iter()
        .enumerate()
        .map(|(i, f)| (total_key(f.line.y_min + 0.0), total_key(f.line.x_min), i))
        .collect();
    keys.sort_unstable();
    for pair in keys.windows(2) {
        if pair[0].0 != pair[1].0 {
            let (a, b) = (frags[pair[0].2].line.y_min, frags[pair[1].2].line.y_min);
            if (a - b).abs() < SAME_TOP {
                return None;
            }
        }
    }
    Some(keys.into_iter().map(|(.., i)| i).collect())
}
