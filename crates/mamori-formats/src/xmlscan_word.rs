//! The tokenizer's shortcut for WordprocessingML / DrawingML text runs: a
//! plain run (`<w:r>`, `<a:r>`) taken whole in one pass where the events
//! would say the same (see `xmltext::Collector::read_fast`).

use super::{find_byte, find_tag_end, local, same_name, start_tag_parts, trim_end, Tokenizer};
use super::{IN_NAME, MAX_OPEN, NAME_BYTE};

/// How deep a run's property elements may nest here (deeper: events).
const MAX_QUIET_DEPTH: usize = 8;

impl<'a> Tokenizer<'a> {
    /// A run written the plain way, taken whole at the cursor: a start tag
    /// whose local name is `r`, then any number of elements made of tags
    /// alone (no text, comment, instruction or CDATA) whose every name is
    /// `quiet`, then a start tag whose local name is `t`, one literal run of
    /// text (no reference), `</T>` and `</R>` spelled as the two start
    /// names. For exactly these bytes the events would be those tags in
    /// order (each checked as [`Tokenizer::next`] checks it) and that one
    /// text run, so a caller to whom quiet names mean nothing gets what it
    /// would have read event by event: the run's text is returned. None,
    /// with nothing consumed, for anything else: the caller then reads the
    /// events. `quiet` must say the same from call to call: the last
    /// run's tags are remembered as taken (see [`RunPrefix`]).
    pub(crate) fn take_run(&mut self, quiet: impl Fn(&[u8]) -> bool) -> Option<&'a str> {
        // Self-closing tags as one event each: without that they would
        // open and close (and count towards the nesting limit).
        if self.pending_end.is_some() || !self.keep_empty {
            return None;
        }
        let (text, at) = self.run_at(self.pos, self.open.len(), &quiet)?;
        self.pos = at;
        Some(text)
    }

    /// [`Tokenizer::take_run`] at `from`, the run opened at `depth`,
    /// nothing consumed: its text and the position after it.
    fn run_at(
        &mut self,
        from: usize,
        depth: usize,
        quiet: &impl Fn(&[u8]) -> bool,
    ) -> Option<(&'a str, usize)> {
        let xml = self.xml;
        if depth + 2 >= MAX_OPEN {
            return None;
        }
        // Deep enough that no tag of the prefix meets the nesting limit:
        // then whether the prefix is taken depends on its bytes alone.
        let shallow = depth + 2 + MAX_QUIET_DEPTH < MAX_OPEN;
        let cached = self.run_prefix;
        let (run, text_tag, start) = if shallow && cached.matches(&xml[from..]) {
            (cached.run, cached.text, from + cached.bytes.len())
        } else {
            let (run, text_tag, at) = run_prefix(xml, from, depth, quiet)?;
            if shallow {
                self.run_prefix = RunPrefix {
                    bytes: &xml[from..at],
                    run,
                    text: text_tag,
                };
            }
            (run, text_tag, at)
        };
        let end = start + find_byte(&xml[start..], [b'<', b'&', b'&'])?;
        let at = closing_tag(xml, end, text_tag)?;
        let at = closing_tag(xml, at, run)?;
        // `<` is ASCII: both ends are character boundaries.
        let text = self.text.get(start..end)?;
        Some((text, at))
    }

    /// A table cell written the plain way, taken whole at the cursor: a
    /// start tag whose local name is `tc`; quiet elements (as in
    /// [`Tokenizer::take_run`]) and start tags of quiet names (left open);
    /// a start tag whose local name is `p`; quiet elements; one plain run;
    /// then the end tags of the `p`, of what was left open and of the
    /// cell, in that order and spelled as their starts. For exactly these
    /// bytes the events would be those tags, checked as
    /// [`Tokenizer::next`] checks them, and the run's one text: a caller
    /// to whom quiet names mean nothing reads a cell holding one paragraph
    /// of that text. None, with nothing consumed, for anything else.
    /// `quiet` as for [`Tokenizer::take_run`].
    pub(crate) fn take_table_cell(&mut self, quiet: impl Fn(&[u8]) -> bool) -> Option<&'a str> {
        if self.pending_end.is_some() || !self.keep_empty {
            return None;
        }
        let depth = self.open.len();
        // Far from the nesting limit: no tag of the cell meets it, and
        // whether its head is taken depends on its bytes alone.
        if depth + 2 * MAX_QUIET_DEPTH + MAX_WRAPPERS + 4 >= MAX_OPEN {
            return None;
        }
        let xml = self.xml;
        let cached = self.cell_prefix;
        let (head, run_start) = if cached.matches(&xml[self.pos..]) {
            (cached, self.pos + cached.bytes.len())
        } else {
            let (mut head, at) = cell_head(xml, self.pos, depth, &quiet)?;
            head.bytes = &xml[self.pos..at];
            self.cell_prefix = head;
            (head, at)
        };
        let (text, mut at) = self.run_at(run_start, depth + head.wrapped + 2, &quiet)?;
        at = closing_tag(xml, at, head.paragraph)?;
        for wrapper in head.wrappers[..head.wrapped].iter().rev() {
            at = closing_tag(xml, at, wrapper)?;
        }
        self.pos = closing_tag(xml, at, head.cell)?;
        Some(text)
    }
}

/// Elements of quiet names a cell's paragraph may sit in (DrawingML's
/// `txBody`).
const MAX_WRAPPERS: usize = 4;

/// A cell's bytes from `<tc` up to its run's `<r`, known to be taken as
/// [`cell_head`] takes them; the names of the cell, of the elements left
/// open in it and of its paragraph.
#[derive(Clone, Copy, Default)]
pub(super) struct CellPrefix<'a> {
    bytes: &'a [u8],
    cell: &'a [u8],
    wrappers: [&'a [u8]; MAX_WRAPPERS],
    wrapped: usize,
    paragraph: &'a [u8],
}

impl CellPrefix<'_> {
    /// As [`RunPrefix::matches`].
    #[inline(always)]
    fn matches(&self, rest: &[u8]) -> bool {
        starts_with_words(rest, self.bytes)
    }
}

/// The head of a cell at `at` (opened at `depth`) as
/// [`Tokenizer::take_table_cell`] takes it, up to its run's `<r`: the names read
/// (the bytes are left for the caller to fill in) and that position.
fn cell_head<'a>(
    xml: &'a [u8],
    at: usize,
    depth: usize,
    quiet: &impl Fn(&[u8]) -> bool,
) -> Option<(CellPrefix<'a>, usize)> {
    if !local_name_at(xml, at + 1, b"tc") {
        return None;
    }
    let (cell, mut at, empty) = start_tag(xml, at)?;
    if empty {
        return None;
    }
    let mut head = CellPrefix {
        cell,
        ..CellPrefix::default()
    };
    loop {
        let (name, after, empty) = start_tag(xml, at)?;
        if local(name) == b"p" {
            if empty {
                return None;
            }
            head.paragraph = name;
            at = after;
            break;
        }
        if !quiet(name) {
            return None;
        }
        let inside = depth + 1 + head.wrapped;
        at = match (empty, skip_quiet(xml, name, after, inside, quiet)) {
            (true, _) => after,
            (false, Some(past)) => past,
            // Not quiet all through: it may hold the paragraph.
            (false, None) if head.wrapped < MAX_WRAPPERS => {
                head.wrappers[head.wrapped] = name;
                head.wrapped += 1;
                after
            }
            (false, None) => return None,
        };
    }
    // The paragraph's properties, up to its run.
    let inside = depth + 2 + head.wrapped;
    while !local_name_at(xml, at + 1, b"r") {
        let (name, after, empty) = start_tag(xml, at)?;
        if !quiet(name) {
            return None;
        }
        at = if empty {
            after
        } else {
            skip_quiet(xml, name, after, inside, quiet)?
        };
    }
    Some((head, at))
}

/// A run's bytes from `<r` through `<t …>`, known to be taken as
/// [`run_prefix`] takes them, and the names of those two tags.
#[derive(Clone, Copy, Default)]
pub(super) struct RunPrefix<'a> {
    bytes: &'a [u8],
    run: &'a [u8],
    text: &'a [u8],
}

impl RunPrefix<'_> {
    /// Whether `rest` starts with these bytes (tried before every tag).
    #[inline(always)]
    fn matches(&self, rest: &[u8]) -> bool {
        starts_with_words(rest, self.bytes)
    }
}

/// Whether `hay` starts with `prefix` (at least eight bytes, or false),
/// compared a word at a time inline: the first word turns away most tags,
/// and a prefix of a few dozen bytes is done before a `memcmp` call would
/// have returned.
#[inline(always)]
fn starts_with_words(hay: &[u8], prefix: &[u8]) -> bool {
    if prefix.len() < 8 || hay.len() < prefix.len() {
        return false;
    }
    let word = |b: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[at..at + 8]);
        u64::from_ne_bytes(w)
    };
    let mut at = 0;
    while at + 8 <= prefix.len() {
        if word(hay, at) != word(prefix, at) {
            return false;
        }
        at += 8;
    }
    // The last (overlapping) word covers the tail.
    let last = prefix.len() - 8;
    word(hay, last) == word(prefix, last)
}

/// A run's start tag at `at`, its quiet property elements and the start
/// tag of its `t` (the run opened at `depth`): the two names and the
/// position after `<t …>`. None for anything else.
fn run_prefix<'a>(
    xml: &'a [u8],
    at: usize,
    depth: usize,
    quiet: &impl Fn(&[u8]) -> bool,
) -> Option<(&'a [u8], &'a [u8], usize)> {
    // Most tags are no run: told from the name alone, before any tag
    // is read whole.
    if !local_name_at(xml, at + 1, b"r") {
        return None;
    }
    let (run, mut at, empty) = start_tag(xml, at)?;
    if empty {
        return None;
    }
    loop {
        let (name, after, empty) = start_tag(xml, at)?;
        if local(name) == b"t" {
            return (!empty).then_some((run, name, after));
        }
        if !quiet(name) {
            return None;
        }
        at = if empty {
            after
        } else {
            skip_quiet(xml, name, after, depth + 1, quiet)?
        };
    }
}

/// Whether the tag opening at `at - 1` has this local name (a start tag's
/// name as [`start_tag`] would read it, not checked further).
#[inline(always)]
fn local_name_at(xml: &[u8], at: usize, wanted: &[u8]) -> bool {
    let Some(rest) = xml.get(at..) else {
        return false;
    };
    // A longer name (or one running to the end) is not looked into.
    let Some(len) = rest
        .iter()
        .take(64)
        .position(|&b| NAME_BYTE[b as usize] != IN_NAME)
    else {
        return false;
    };
    len > 0 && local(&rest[..len]) == wanted
}

/// The start tag at `at` as [`Tokenizer::next`] reads it: its name, the
/// position after its `>` and whether it closes itself. None where that
/// would refuse, or for anything but a start tag.
#[inline(always)]
pub(super) fn start_tag(xml: &[u8], at: usize) -> Option<(&[u8], usize, bool)> {
    if xml.get(at) != Some(&b'<') || matches!(xml.get(at + 1), None | Some(b'/' | b'?' | b'!')) {
        return None;
    }
    let close = find_tag_end(xml, at + 1)?;
    let (name, _, empty) = start_tag_parts(&xml[at + 1..close])?;
    Some((name, close + 1, empty))
}

/// `</NAME>` exactly at `at`: the position after it.
#[inline(always)]
fn closing_tag(xml: &[u8], at: usize, name: &[u8]) -> Option<usize> {
    let rest = xml.get(at..)?;
    let end = 2 + name.len();
    let exact = rest.len() > end
        && rest[0] == b'<'
        && rest[1] == b'/'
        && same_name(&rest[2..end], name)
        && rest[end] == b'>';
    exact.then_some(at + end + 1)
}

/// Past the element `name` whose start tag ends at `at` (opened at
/// `depth`): its content must be tags alone, every name `quiet`, nested as
/// [`Tokenizer::next`] accepts. The position after its end tag, or None.
fn skip_quiet(
    xml: &[u8],
    name: &[u8],
    mut at: usize,
    depth: usize,
    quiet: &impl Fn(&[u8]) -> bool,
) -> Option<usize> {
    let mut open: [&[u8]; MAX_QUIET_DEPTH] = [&[]; MAX_QUIET_DEPTH];
    open[0] = name;
    let mut count = 1;
    loop {
        if xml.get(at) != Some(&b'<') {
            return None;
        }
        if xml.get(at + 1) == Some(&b'/') {
            // As `next` reads an end tag: up to `>`, trailing space trimmed.
            let close = at + find_byte(&xml[at..], [b'>'; 3])?;
            count -= 1;
            if !same_name(open[count], trim_end(&xml[at + 2..close])) {
                return None;
            }
            at = close + 1;
            if count == 0 {
                return Some(at);
            }
            continue;
        }
        let (name, after, empty) = start_tag(xml, at)?;
        if !quiet(name) {
            return None;
        }
        if !empty {
            // `next` refuses a start past its limit: the events decide.
            if count == MAX_QUIET_DEPTH || depth + count >= MAX_OPEN {
                return None;
            }
            open[count] = name;
            count += 1;
        }
        at = after;
    }
}

#[cfg(test)]
#[path = "xmlscan_word_tests.rs"]
mod tests;
