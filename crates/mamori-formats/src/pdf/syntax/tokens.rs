//! Content-stream tokens without an allocation apiece: the tokens
//! `Lexer::next` gives at depth 0, strings and names as ranges of one
//! reused buffer, array items as ranges of another.

use super::{number_or_word, plain_number_f64, unescape_name, unreadable, Lexer, Obj, Res};

/// A token of a content stream ([`Lexer::next_content`]); ranges are of
/// the caller's buffers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Token<'a> {
    /// An operator or other bare word.
    Op(&'a [u8]),
    Num(f64),
    Name(usize, usize),
    Str(usize, usize),
    /// Items `first..end` of the item buffer.
    Array(usize, usize),
    Other,
}

/// An item of an array in a content stream.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    Num(f64),
    Str(usize, usize),
    /// Anything else (it counts as the number 0 in `TJ`).
    Other,
}

impl<'a> Lexer<'a> {
    /// The next token of a content stream, as [`Lexer::next`] at depth 0
    /// reads it but without an allocation for the common ones: strings
    /// and names go to `buf` and the items of an array to `items` (both
    /// as ranges), numbers are plain values, and anything else (a
    /// dictionary, a boolean) is `Other`.
    pub fn next_content(
        &mut self,
        buf: &mut Vec<u8>,
        items: &mut Vec<Item>,
    ) -> Res<Option<Token<'a>>> {
        self.skip_white();
        let Some(&b) = self.data.get(self.pos) else {
            return Ok(None);
        };
        let token = match b {
            b'/' => {
                self.pos += 1;
                let raw = self.word();
                let start = buf.len();
                if raw.contains(&b'#') {
                    buf.extend_from_slice(&unescape_name(raw));
                } else {
                    buf.extend_from_slice(raw);
                }
                Token::Name(start, buf.len())
            }
            b'(' => {
                self.pos += 1;
                let start = buf.len();
                self.literal(buf)?;
                Token::Str(start, buf.len())
            }
            b'<' if self.data.get(self.pos + 1) == Some(&b'<') => match self.next(0)? {
                Some(_) => Token::Other,
                None => return Ok(None),
            },
            b'<' => {
                self.pos += 1;
                let start = buf.len();
                self.hex(buf)?;
                Token::Str(start, buf.len())
            }
            b'[' => {
                self.pos += 1;
                let first = items.len();
                loop {
                    self.skip_white();
                    match self.data.get(self.pos) {
                        None => return unreadable("unterminated array"),
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => {
                            let item = self.content_item(buf)?;
                            items.push(item);
                        }
                    }
                }
                Token::Array(first, items.len())
            }
            b')' | b'>' | b']' | b'{' | b'}' => {
                self.pos += 1;
                Token::Op(&self.data[self.pos - 1..self.pos])
            }
            _ => {
                let w = self.word();
                if w.is_empty() {
                    self.pos += 1;
                    return Ok(Some(Token::Other));
                }
                // A word that does not start like a number is no number
                // (`number_or_word` wants every byte a digit, sign or dot).
                if !matches!(w[0], b'0'..=b'9' | b'+' | b'-' | b'.') {
                    return Ok(Some(match w {
                        b"true" | b"false" | b"null" => Token::Other,
                        _ => Token::Op(w),
                    }));
                }
                if let Some(v) = plain_number_f64(w) {
                    return Ok(Some(Token::Num(v)));
                }
                match number_or_word(w) {
                    Obj::Int(i) => Token::Num(i as f64),
                    Obj::Real(r) => Token::Num(r),
                    Obj::Op(_) => Token::Op(w),
                    _ => Token::Other,
                }
            }
        };
        Ok(Some(token))
    }

    /// An item of an array in a content stream, as [`Lexer::value`] at
    /// depth 1 reads it.
    fn content_item(&mut self, buf: &mut Vec<u8>) -> Res<Item> {
        match self.data.get(self.pos) {
            Some(b'(') => {
                self.pos += 1;
                let start = buf.len();
                self.literal(buf)?;
                Ok(Item::Str(start, buf.len()))
            }
            Some(b'<') if self.data.get(self.pos + 1) != Some(&b'<') => {
                self.pos += 1;
                let start = buf.len();
                self.hex(buf)?;
                Ok(Item::Str(start, buf.len()))
            }
            _ => Ok(match self.value(1)? {
                Obj::Int(i) => Item::Num(i as f64),
                Obj::Real(r) => Item::Num(r),
                Obj::Str(s) => {
                    let start = buf.len();
                    buf.extend_from_slice(&s);
                    Item::Str(start, buf.len())
                }
                _ => Item::Other,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `next_content` against `next(0)` on one input: the same tokens,
    /// the same positions, the same error.
    fn same_tokens(data: &[u8]) {
        let (mut a, mut b) = (Lexer::new(data, 0), Lexer::new(data, 0));
        let (mut buf, mut items) = (Vec::new(), Vec::new());
        let bytes = |buf: &Vec<u8>, from: usize, to: usize| buf[from..to].to_vec();
        loop {
            let (x, y) = (a.next(0), b.next_content(&mut buf, &mut items));
            let (x, y) = match (x, y) {
                (Err(e), Err(f)) => {
                    assert_eq!(e, f, "{data:?}");
                    return;
                }
                (Ok(None), Ok(None)) => return,
                (Ok(Some(x)), Ok(Some(y))) => (x, y),
                (x, y) => panic!("{data:?}: {x:?} vs {y:?}"),
            };
            let number = |o: &Obj| o.as_f64().map(f64::to_bits);
            match (&x, y) {
                (Obj::Op(n), Token::Op(w)) => assert_eq!(n.as_slice(), &w[..w.len().min(15)]),
                (Obj::Int(_) | Obj::Real(_), Token::Num(v)) => {
                    assert_eq!(number(&x), Some(v.to_bits()))
                }
                (Obj::Name(n), Token::Name(f, t)) => assert_eq!(*n, bytes(&buf, f, t)),
                (Obj::Str(s), Token::Str(f, t)) => assert_eq!(*s, bytes(&buf, f, t)),
                (Obj::Array(list), Token::Array(f, t)) => {
                    assert_eq!(list.len(), t - f, "{data:?}");
                    for (o, item) in list.iter().zip(&items[f..t]) {
                        match (o, *item) {
                            (Obj::Str(s), Item::Str(f, t)) => assert_eq!(*s, bytes(&buf, f, t)),
                            (Obj::Int(_) | Obj::Real(_), Item::Num(v)) => {
                                assert_eq!(number(o), Some(v.to_bits()))
                            }
                            (Obj::Str(_) | Obj::Int(_) | Obj::Real(_), other) => {
                                panic!("{data:?}: {o:?} vs {other:?}")
                            }
                            (_, Item::Other) => {}
                            (o, other) => panic!("{data:?}: {o:?} vs {other:?}"),
                        }
                    }
                }
                (Obj::Op(_) | Obj::Int(_) | Obj::Real(_) | Obj::Name(_) | Obj::Str(_), y)
                | (Obj::Array(_), y) => panic!("{data:?}: {x:?} vs {y:?}"),
                (_, Token::Other) => {}
                (x, y) => panic!("{data:?}: {x:?} vs {y:?}"),
            }
            assert_eq!(a.pos, b.pos, "{data:?}");
        }
    }

    #[test]
    fn content_tokens_are_the_objects_without_allocation() {
        for data in [
            &b"BT /F1 9.09 Tf 30.00 550.45 Td <793E54E1756A53F7> Tj ET"[..],
            b"[(a) -120 (b\\)c) 5 0 R [1 2] <<>> /N true <4E2D>] TJ",
            b"/A#42 1e5 -.5 +3 1.-5 12abc null false ) > ] { } 99999999999999999999",
            b"<< /MCID 3 /A [1 2] >> BDC EMC q 1 0 0 1 0 0 cm Q % note\n T*",
            b"<4E2",
            b"(abc",
            b"[1 2",
            b"<4G>",
            b"[<4G>]",
            b"[",
            b"<<",
            b"/",
            b"1 0 R",
            b"[1 0 R 2 0]",
            b"(a\\053\\\nb) ' 1 2 (c) \"",
        ] {
            same_tokens(data);
        }
        // Random strings over the bytes that matter to the lexer.
        let alphabet = b"()<>[]{}/%\\ \n0123456789.-+RTjJf#aEe4Dtruenl";
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 24) as usize;
            let data: Vec<u8> = (0..len)
                .map(|i| alphabet[((seed >> (i % 8 * 8)) as usize + i * 7) % alphabet.len()])
                .collect();
            same_tokens(&data);
        }
    }
}
