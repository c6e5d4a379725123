//! Pages → placed glyphs: content streams are interpreted for the text
//! operators (BT/ET, Tf, Td, TD, Tm, T*, TL, Tc, Tw, Tz, Ts, Tj, TJ, ', ")
//! with the CTM (q/Q/cm) and form XObjects (Do); `layout` turns the
//! glyphs of a page into text as `pdftotext -layout` prints it.

use super::font::{font_of, FontCache, Glyph};
use super::layout;
use super::syntax::{get, unreadable, Dict, Document, Item, Lexer, Obj, Res, Token};
use std::time::Instant;

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// Inlined so that only the entries a caller reads are computed (a glyph
/// needs five of its text-rendering matrix and one of its advance).
#[inline(always)]
fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

#[derive(Clone)]
struct State {
    ctm: Matrix,
    font: Option<std::rc::Rc<super::font::Font>>,
    size: f64,
    char_space: f64,
    word_space: f64,
    scale: f64,
    leading: f64,
    rise: f64,
}

/// Limits of one document's interpretation.
pub struct Limits {
    pub deadline: Instant,
    /// Decoded content bytes left for the whole document.
    pub bytes_left: u64,
}

/// Form XObjects inside form XObjects.
const MAX_FORM_DEPTH: usize = 8;
/// Glyphs per page read in process (a dense roster page has ~10 000; a
/// hostile page shows millions): beyond, poppler reads the file.
const MAX_GLYPHS: usize = 200_000;

struct Page<'d, 'a> {
    doc: &'d Document<'a>,
    fonts: &'d mut FontCache,
    placed: Vec<layout::Glyph>,
    limits: &'d mut Limits,
    /// The page's top and right edges: device space has y down, and
    /// poppler drops glyphs outside the page.
    top: f64,
    width: f64,
}

/// The text of a document's pages.
pub struct PagesText {
    /// Every page's text, in page order, laid out in lines.
    pub text: String,
    pub pages: usize,
    /// Characters of the text that are not whitespace.
    pub visible: usize,
}

/// The text of every page, in page order, laid out in lines.
pub fn pages_text(doc: &Document, limits: &mut Limits) -> Res<PagesText> {
    let mut fonts = FontCache::default();
    let mut out = PagesText {
        text: String::new(),
        pages: 0,
        visible: 0,
    };
    // Kept from page to page: the glyphs placed and the layout's arenas.
    let mut placed = Vec::new();
    let mut scratch = layout::Scratch::default();
    for (page, resources) in pages(doc)? {
        if Instant::now() >= limits.deadline {
            return unreadable("time limit");
        }
        if !matches!(inherited(doc, page, b"Rotate").as_f64(), None | Some(0.0)) {
            return unreadable("rotated page");
        }
        let (left, bottom, right, top) = page_box(doc, page);
        if left != 0.0 || bottom != 0.0 {
            return unreadable("page box not at the origin");
        }
        // Poster-sized pages are rare in offices and costly to lay out.
        if !(top.is_finite() && right.is_finite()) || top > 14_400.0 || right > 14_400.0 {
            return unreadable("page larger than 5 m");
        }
        placed.clear();
        let mut p = Page {
            doc,
            fonts: &mut fonts,
            placed,
            limits,
            top,
            width: right,
        };
        let state = State {
            ctm: IDENTITY,
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        };
        let data = match doc.get(page, b"Contents") {
            Obj::Array(parts) => {
                let mut all = Vec::new();
                for part in parts {
                    all.extend(p.decode(part)?);
                    all.push(b'\n');
                }
                all
            }
            s @ Obj::Stream(..) => p.decode(s)?,
            _ => Vec::new(),
        };
        p.run(&data, resources, state, 0)?;
        placed = p.placed;
        out.visible += layout::write_page(&placed, &mut scratch, &mut out.text)?;
        out.pages += 1;
    }
    Ok(out)
}

/// A page attribute, from the page or the page-tree nodes above it.
fn inherited<'d>(doc: &'d Document, page: &'d Dict, key: &[u8]) -> &'d Obj {
    let mut node = page;
    for _ in 0..32 {
        match doc.get(node, key) {
            Obj::Null => {}
            found => return found,
        }
        match doc.dict(get(node, b"Parent").unwrap_or(&Obj::Null)) {
            Some(parent) => node = parent,
            None => break,
        }
    }
    &Obj::Null
}

/// The crop box (else media box) of a page: left, bottom, right, top.
fn page_box(doc: &Document, page: &Dict) -> (f64, f64, f64, f64) {
    for key in [&b"CropBox"[..], b"MediaBox"] {
        if let Obj::Array(b) = inherited(doc, page, key) {
            let v: Vec<f64> = b.iter().filter_map(|o| doc.resolve(o).as_f64()).collect();
            if v.len() == 4 {
                return (
                    v[0].min(v[2]),
                    v[1].min(v[3]),
                    v[0].max(v[2]),
                    v[1].max(v[3]),
                );
            }
        }
    }
    (0.0, 0.0, 612.0, 792.0)
}

/// Pages in order with their (inherited) resources.
fn pages<'d>(doc: &'d Document) -> Res<Vec<(&'d Dict, Option<&'d Dict>)>> {
    let root = doc.dict(get(&doc.trailer, b"Root").unwrap_or(&Obj::Null));
    let Some(root) = root else {
        return unreadable("no catalog");
    };
    let Some(tree) = doc.dict(get(root, b"Pages").unwrap_or(&Obj::Null)) else {
        return unreadable("no page tree");
    };
    let mut out = Vec::new();
    let mut stack = vec![(tree, None::<&Dict>, 0usize)];
    let mut visited = 0usize;
    while let Some((node, inherited, depth)) = stack.pop() {
        visited += 1;
        if depth > 64 || visited > 200_000 {
            return unreadable("page tree too deep or too large");
        }
        let resources = doc
            .dict(get(node, b"Resources").unwrap_or(&Obj::Null))
            .or(inherited);
        match doc.get(node, b"Kids") {
            Obj::Array(kids) => {
                for kid in kids.iter().rev() {
                    if let Some(k) = doc.dict(kid) {
                        stack.push((k, resources, depth + 1));
                    }
                }
            }
            _ => out.push((node, resources)),
        }
    }
    Ok(out)
}

impl Page<'_, '_> {
    fn decode(&mut self, obj: &Obj) -> Res<Vec<u8>> {
        let data = self.doc.decode(obj, self.limits.bytes_left)?;
        self.limits.bytes_left = self.limits.bytes_left.saturating_sub(data.len() as u64);
        Ok(data)
    }

    fn run(&mut self, data: &[u8], res: Option<&Dict>, mut st: State, depth: usize) -> Res<()> {
        if memchr::memmem::find(data, b"ActualText").is_some() {
            return unreadable("ActualText spans");
        }
        let mut lx = Lexer::new(data, 0);
        // The operands of the current operator; their strings and names
        // are ranges of `buf`, their arrays' items ranges of `items`.
        let mut args: Vec<Token> = Vec::new();
        let mut buf: Vec<u8> = Vec::new();
        let mut items: Vec<Item> = Vec::new();
        let mut saved: Vec<State> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let mut glyphs: Vec<Glyph> = Vec::new();
        let mut ops = 0u32;
        loop {
            let marks = (buf.len(), items.len());
            let Some(token) = lx.next_content(&mut buf, &mut items)? else {
                break;
            };
            let Token::Op(op) = token else {
                if args.len() < 64 {
                    args.push(token);
                } else {
                    // Operands past the 64 kept leave nothing behind: a
                    // stream of strings without an operator stays small.
                    buf.truncate(marks.0);
                    items.truncate(marks.1);
                }
                continue;
            };
            ops = ops.wrapping_add(1);
            if ops.is_multiple_of(4096) && Instant::now() >= self.limits.deadline {
                return unreadable("time limit");
            }
            let a = |i: usize| match args.get(i) {
                Some(Token::Num(v)) => *v,
                _ => 0.0,
            };
            let name = |t: Option<&Token>| match t {
                Some(&Token::Name(from, to)) => Some(&buf[from..to]),
                _ => None,
            };
            match op {
                b"q" if saved.len() < 256 => saved.push(st.clone()),
                b"Q" => {
                    if let Some(s) = saved.pop() {
                        st = s;
                    }
                }
                b"cm" if args.len() == 6 => {
                    st.ctm = mul(&[a(0), a(1), a(2), a(3), a(4), a(5)], &st.ctm);
                }
                b"BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                b"Tf" if args.len() == 2 => {
                    if let Some(name) = name(args.first()) {
                        st.font = Some(font_of(self.doc, res, name, self.fonts));
                    }
                    st.size = a(1);
                }
                b"Tc" => st.char_space = a(0),
                b"Tw" => st.word_space = a(0),
                b"Tz" => st.scale = a(0) / 100.0,
                b"TL" => st.leading = a(0),
                b"Ts" => st.rise = a(0),
                b"Td" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, a(0), a(1)], &tlm);
                    tm = tlm;
                }
                b"TD" => {
                    st.leading = -a(1);
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, a(0), a(1)], &tlm);
                    tm = tlm;
                }
                b"Tm" if args.len() == 6 => {
                    tlm = [a(0), a(1), a(2), a(3), a(4), a(5)];
                    tm = tlm;
                }
                b"T*" => {
                    tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -st.leading], &tlm);
                    tm = tlm;
                }
                b"Tj" | b"'" | b"\"" | b"TJ" => {
                    if op == b"\"" && args.len() == 3 {
                        st.word_space = a(0);
                        st.char_space = a(1);
                    }
                    if op != b"Tj" && op != b"TJ" {
                        tlm = mul(&[1.0, 0.0, 0.0, 1.0, 0.0, -st.leading], &tlm);
                        tm = tlm;
                    }
                    let single;
                    let shown: &[Item] = match (op, args.last()) {
                        (b"TJ", Some(&Token::Array(from, to))) => &items[from..to],
                        (b"TJ", _) => &[],
                        (_, Some(last)) => {
                            single = [match *last {
                                Token::Num(v) => Item::Num(v),
                                Token::Str(from, to) => Item::Str(from, to),
                                _ => Item::Other,
                            }];
                            &single
                        }
                        (_, None) => &[],
                    };
                    // The size of this operator's glyphs once the first has
                    // passed the checks and the text matrix keeps its
                    // linear part (see `keeps_linear_part`).
                    let mut checked_size = None;
                    for item in shown {
                        match *item {
                            Item::Str(from, to) => {
                                let s = &buf[from..to];
                                let Some(font) = st.font.clone() else {
                                    return unreadable("text without a font");
                                };
                                glyphs.clear();
                                font.decode(s, &mut glyphs)?;
                                let mut rest = glyphs.drain(..);
                                if checked_size.is_none() {
                                    for g in rest.by_ref() {
                                        self.place(&st, &font, &mut tm, g, &mut checked_size)?;
                                        if checked_size.is_some() {
                                            break;
                                        }
                                    }
                                }
                                if let Some(size) = checked_size {
                                    self.place_checked(&st, &font, &mut tm, size, rest)?;
                                }
                            }
                            other => {
                                let n = match other {
                                    Item::Num(v) => v,
                                    _ => 0.0,
                                };
                                let tx = -n / 1000.0 * st.size * st.scale;
                                tm = mul(&[1.0, 0.0, 0.0, 1.0, tx, 0.0], &tm);
                            }
                        }
                    }
                }
                b"Do" => {
                    if let Some(name) = name(args.first()) {
                        self.form(res, name, &st, depth)?;
                    }
                }
                b"BI" => skip_inline_image(&mut lx),
                _ => {}
            }
            args.clear();
            buf.clear();
            items.clear();
        }
        Ok(())
    }

    /// Places one glyph and advances the text matrix. `checked_size`
    /// becomes the glyph's size once it has passed the checks with a text
    /// matrix that keeps its linear part: every later glyph of the same
    /// text-showing operator would pass them with the same size (only the
    /// translation moves), and [`Page::place_checked`] places those.
    fn place(
        &mut self,
        st: &State,
        font: &std::rc::Rc<super::font::Font>,
        tm: &mut Matrix,
        g: Glyph,
        checked_size: &mut Option<f64>,
    ) -> Res<()> {
        let trm = mul(
            &mul(&[st.size * st.scale, 0.0, 0.0, st.size, 0.0, st.rise], tm),
            &st.ctm,
        );
        let advance = (g.width / 1000.0 * st.size
            + st.char_space
            + if g.word_space { st.word_space } else { 0.0 })
            * st.scale;
        let next = mul(&[1.0, 0.0, 0.0, 1.0, advance, 0.0], tm);
        let size = trm[3];
        if trm[1].abs() > 1e-3 * size.abs().max(1e-9) || trm[2].abs() > 1e-3 * size.abs().max(1e-9)
        {
            return unreadable("rotated or skewed text");
        }
        if size <= 0.0 || trm[0] <= 0.0 {
            return unreadable("mirrored text");
        }
        if keeps_linear_part(tm) {
            *checked_size = Some(size);
        }
        let x0 = trm[4];
        let x1 = mul(&next, &st.ctm)[4];
        *tm = next;
        self.push(font, x0, x1, self.top - trm[5], size, g.text)
    }

    /// [`Page::place`] for the glyphs after the first of a text-showing
    /// operator whose text matrix keeps its linear part: only the
    /// translation entries are computed, each as `mul` computes it (the
    /// same products and sums in the same order), the parts that do not
    /// move computed once.
    fn place_checked(
        &mut self,
        st: &State,
        font: &std::rc::Rc<super::font::Font>,
        tm: &mut Matrix,
        size: f64,
        glyphs: impl Iterator<Item = Glyph>,
    ) -> Res<()> {
        let [t0, t1, t2, t3, mut t4, mut t5] = *tm;
        let c = st.ctm;
        // `mul(&[s·sc, 0, 0, s, 0, rise], tm)[4]` is `0·t0 + rise·t2 + t4`
        // (and [5] likewise); the first two terms do not move.
        let (fixed4, fixed5) = (0.0 * t0 + st.rise * t2, 0.0 * t1 + st.rise * t3);
        // `mul(&[1, 0, 0, 1, advance, 0], tm)[4]` is `advance·t0 + 0·t2 + t4`.
        let (zero2, zero3) = (0.0 * t2, 0.0 * t3);
        for g in glyphs {
            let (r4, r5) = (fixed4 + t4, fixed5 + t5);
            let x0 = r4 * c[0] + r5 * c[2] + c[4];
            let y = r4 * c[1] + r5 * c[3] + c[5];
            let advance = (g.width / 1000.0 * st.size
                + st.char_space
                + if g.word_space { st.word_space } else { 0.0 })
                * st.scale;
            let (n4, n5) = (advance * t0 + zero2 + t4, advance * t1 + zero3 + t5);
            let x1 = n4 * c[0] + n5 * c[2] + c[4];
            (t4, t5) = (n4, n5);
            self.push(font, x0, x1, self.top - y, size, g.text)?;
        }
        tm[4] = t4;
        tm[5] = t5;
        Ok(())
    }

    /// Keeps a placed glyph unless poppler would drop it.
    #[inline(always)]
    fn push(
        &mut self,
        font: &std::rc::Rc<super::font::Font>,
        x0: f64,
        x1: f64,
        base: f64,
        size: f64,
        text: super::font::GlyphText,
    ) -> Res<()> {
        if self.placed.len() >= MAX_GLYPHS {
            return unreadable("too many glyphs on a page");
        }
        let finite = x0.is_finite() && x1.is_finite() && base.is_finite() && size.is_finite();
        // poppler drops glyphs whose origin lies outside the page.
        if !finite || x1 < 0.0 || x0 > self.width || base < 0.0 || base > self.top {
            return Ok(());
        }
        self.placed.push(layout::Glyph {
            x0,
            x1: x1.max(x0),
            base,
            size,
            ascent: font.ascent,
            font: std::rc::Rc::as_ptr(font) as usize,
            text,
        });
        Ok(())
    }

    fn form(&mut self, res: Option<&Dict>, name: &[u8], st: &State, depth: usize) -> Res<()> {
        let xobjects = res.and_then(|r| self.doc.dict(get(r, b"XObject").unwrap_or(&Obj::Null)));
        let Some(obj) = xobjects.and_then(|x| get(x, name)) else {
            return Ok(());
        };
        let doc = self.doc;
        let form = doc.resolve(obj);
        let Obj::Stream(dict, ..) = form else {
            return Ok(());
        };
        if doc.get(dict, b"Subtype").as_name() != Some(b"Form") {
            return Ok(());
        }
        if depth >= MAX_FORM_DEPTH {
            return unreadable("form XObjects nested too deeply");
        }
        let mut inner = st.clone();
        if let Obj::Array(m) = doc.get(dict, b"Matrix") {
            if m.len() == 6 {
                let m: Vec<f64> = m
                    .iter()
                    .map(|o| doc.resolve(o).as_f64().unwrap_or(0.0))
                    .collect();
                inner.ctm = mul(&[m[0], m[1], m[2], m[3], m[4], m[5]], &st.ctm);
            }
        }
        let inner_res = doc
            .dict(get(dict, b"Resources").unwrap_or(&Obj::Null))
            .or(res);
        let data = self.decode(form)?;
        self.run(&data, inner_res, inner, depth + 1)
    }
}

/// Whether a translation `mul(&[1, 0, 0, 1, tx, 0], m)` (a glyph's
/// advance, a `TJ` adjustment) leaves `m[0..4]` bit for bit as it is:
/// with `m[1]` and `m[2]` +0 and `m[0]`, `m[3]` finite and not zero,
/// `1·m[0] + 0·m[2]` is `m[0]`, `1·m[1] + 0·m[3]` is +0 (+0 plus ±0),
/// `0·m[0] + 1·m[2]` is +0 and `0·m[1] + 1·m[3]` is `m[3]`. The glyph's
/// rendering matrix's linear part, and so the checks and the size, then
/// stay those of the first glyph.
fn keeps_linear_part(m: &Matrix) -> bool {
    m[1].to_bits() == 0
        && m[2].to_bits() == 0
        && m[0].is_finite()
        && m[0] != 0.0
        && m[3].is_finite()
        && m[3] != 0.0
}

/// Inline image data (`BI … ID data EI`) is binary: skipped to `EI`.
fn skip_inline_image(lx: &mut Lexer) {
    let data = lx.data;
    let Some(id) = memchr::memmem::find(data.get(lx.pos..).unwrap_or(&[]), b"ID") else {
        lx.pos = data.len();
        return;
    };
    let mut at = lx.pos + id + 2;
    while let Some(n) = memchr::memmem::find(data.get(at..).unwrap_or(&[]), b"EI") {
        let end = at + n;
        let before = end == 0 || data[end - 1].is_ascii_whitespace();
        let after = data.get(end + 2).is_none_or(|b| b.is_ascii_whitespace());
        if before && after {
            lx.pos = end + 2;
            return;
        }
        at = end + 2;
    }
    lx.pos = data.len();
}
