use super::*;
use mamori_extract::DecodingReader;

type Rows = Vec<Vec<String>>;

/// The cells the decoded path sees (decoder, then the CSV parser).
fn decoded_rows(bytes: &[u8], enc: TextEncoding, delimiter: u8) -> Rows {
    let reader = DecodingReader::new(bytes, enc);
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    let mut rows = Vec::new();
    while let Ok(true) = csv.read_record(&mut record) {
        rows.push(record.iter().map(String::from).collect());
    }
    rows
}

/// Hands out one byte per read, so every state crosses a read boundary.
struct Trickle<'a>(&'a [u8]);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.len().min(buf.len()).min(1);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

fn raw_rows_from<R: Read>(
    raw: R,
    enc: TextEncoding,
    delimiter: u8,
    max_line: Option<usize>,
) -> (Split, Rows) {
    let mut rows = Vec::new();
    let split = split_raw(
        raw,
        raw_encoding(enc).unwrap(),
        delimiter,
        max_line,
        |cells| rows.push(cells.iter().map(|c| c.to_string()).collect()),
    )
    .unwrap();
    (split, rows)
}

fn raw_rows(bytes: &[u8], enc: TextEncoding, delimiter: u8) -> (Split, Rows) {
    raw_rows_from(bytes, enc, delimiter, None)
}

fn encode(enc: TextEncoding, text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = enc.encoding().encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

fn same_as_decoded(bytes: &[u8], enc: TextEncoding, delimiter: u8) -> Rows {
    let (split, rows) = raw_rows(bytes, enc, delimiter);
    assert_eq!(split, Split::Done, "{bytes:02X?}");
    assert_eq!(rows, decoded_rows(bytes, enc, delimiter), "{bytes:02X?}");
    let (split, trickled) = raw_rows_from(Trickle(bytes), enc, delimiter, None);
    assert_eq!(split, Split::Done);
    assert_eq!(trickled, rows);
    rows
}

const ENCODINGS: [TextEncoding; 2] = [TextEncoding::ShiftJis, TextEncoding::EucJp];

#[test]
fn quotes_escaped_quotes_crlf_and_line_breaks_in_quotes() {
    let text = "氏名,フリガナ,住所\r\n\
                山田 太郎,\"ヤマダ, タロウ\",\"東京都\"\"千代田区\"\"\"\r\n\
                \"髙橋\r\n美由紀\",ﾀｶﾊｼ,\"\"\n\
                \r\n\
                ①㈱,\"a\"\"\",末尾\r";
    for enc in ENCODINGS {
        let text = if enc == TextEncoding::EucJp {
            // ① ㈱ are CP932 extensions, not in EUC-JP; ﾀｶﾊｼ is SS2 kana.
            text.replace("①㈱", "漢字")
        } else {
            text.to_string()
        };
        let rows = same_as_decoded(&encode(enc, &text), enc, b',');
        assert_eq!(rows.len(), 4, "the empty line is no record");
        assert_eq!(
            rows[1],
            ["山田 太郎", "ヤマダ, タロウ", "東京都\"千代田区\""]
        );
        assert_eq!(rows[2], ["髙橋\r\n美由紀", "ﾀｶﾊｼ", ""]);
        assert_eq!(rows[3][1], "a\"");
        assert_eq!(rows[3][2], "末尾");
    }
}

#[test]
fn tabs_split_too() {
    for enc in ENCODINGS {
        let bytes = encode(enc, "社員番号\t氏名\n1001\t鈴木 一郎\n");
        let rows = same_as_decoded(&bytes, enc, b'\t');
        assert_eq!(rows[1], ["1001", "鈴木 一郎"]);
    }
}

#[test]
fn malformed_shift_jis_at_cell_ends_is_one_replacement() {
    // A lead byte cut by a delimiter, by CR LF, by end of file, by a line
    // break in a quoted cell, and 0xFD–0xFF / lone 0xA0.
    let cases: [&[u8]; 5] = [
        b"\x88\xC0\x81,b\r\n",
        b"a\x81\r\nb\x9F",
        b"\x81\xFD,\xA0\xFF\n",
        b"\x81\x81\x81,\x81\x81\n",
        b"\"\x81\r\n\",\x82",
    ];
    for bytes in cases {
        let rows = same_as_decoded(bytes, TextEncoding::ShiftJis, b',');
        assert!(rows.concat().iter().any(|c| c.contains('\u{FFFD}')));
    }
    assert_eq!(
        same_as_decoded(b"\x88\xC0\x81,b\r\n", TextEncoding::ShiftJis, b','),
        [["安\u{FFFD}", "b"]]
    );
}

#[test]
fn malformed_euc_jp_at_cell_ends_is_one_replacement() {
    let cases: [&[u8]; 4] = [
        b"\xB0\xA1\xA4,b\r\n",
        b"\x8F\xA1,\x8F\n",
        b"\x8E,\x8E\xE0\n",
        b"a\xA4\r\n\xFF\x80",
    ];
    for bytes in cases {
        let rows = same_as_decoded(bytes, TextEncoding::EucJp, b',');
        assert!(rows.concat().iter().any(|c| c.contains('\u{FFFD}')));
    }
    assert_eq!(
        same_as_decoded(b"\xB0\xA1\xA4,b\r\n", TextEncoding::EucJp, b','),
        [["亜\u{FFFD}", "b"]]
    );
}

#[test]
fn a_lead_byte_before_a_closing_quote_gives_up() {
    // `"安<lead>"<byte>`: the parser drops the quote, and the raw cell would
    // pair the lead with the byte after it.
    let sjis: &[u8] = b"\"\x88\xC0\x88\"\x9F,x\n";
    assert_eq!(
        raw_rows(sjis, TextEncoding::ShiftJis, b',').0,
        Split::GaveUp
    );
    let (split, _) = raw_rows_from(Trickle(sjis), TextEncoding::ShiftJis, b',', None);
    assert_eq!(split, Split::GaveUp);
    let euc: &[u8] = b"\"\x8F\xB0\"\xA1\n";
    assert_eq!(raw_rows(euc, TextEncoding::EucJp, b',').0, Split::GaveUp);
    // Any quote after an unfinished character, even where the parser keeps
    // it (an escaped quote): the guard does not know which quote closes.
    let escaped: &[u8] = b"\"\x81\"\"x\",\xE0\n";
    assert_eq!(
        raw_rows(escaped, TextEncoding::ShiftJis, b',').0,
        Split::GaveUp
    );
}

#[test]
fn lines_that_could_pass_the_cap_give_up() {
    let bytes = encode(TextEncoding::ShiftJis, "ア,イ\nアイウエオ\n");
    let (split, _) = raw_rows_from(&bytes[..], TextEncoding::ShiftJis, b',', Some(30));
    assert_eq!(split, Split::Done);
    let (split, _) = raw_rows_from(&bytes[..], TextEncoding::ShiftJis, b',', Some(29));
    assert_eq!(split, Split::GaveUp, "a long line inside one read");
    let (split, _) = raw_rows_from(Trickle(&bytes), TextEncoding::ShiftJis, b',', Some(29));
    assert_eq!(split, Split::GaveUp);
    let last = encode(TextEncoding::ShiftJis, "ア\nアイウエオ");
    let (split, _) = raw_rows_from(&last[..], TextEncoding::ShiftJis, b',', Some(29));
    assert_eq!(split, Split::GaveUp, "an unterminated last line");
}

/// Random bytes from the ones that matter (leads, trails, SS2/SS3, bytes
/// no decoder accepts, and every byte the parser acts on): whenever the
/// raw split does not give up, it finds exactly the decoded path's cells.
#[test]
fn random_bytes_split_like_the_decoded_text() {
    const ALPHABET: &[u8] = &[
        b'a', b'@', b'~', 0x7F, 0x80, 0x81, 0x88, 0x9F, 0xA0, 0xA1, 0xA4, 0xB0, 0xC0, 0xDF, 0xE0,
        0xFC, 0xFD, 0xFE, 0xFF, 0x8E, 0x8F, b',', b',', b'\t', b'"', b'"', b'\r', b'\n',
    ];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for enc in ENCODINGS {
        let (mut compared, mut gave_up) = (0, 0);
        for _ in 0..40_000 {
            let len = (next() % 24) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let delimiter = if next() % 4 == 0 { b'\t' } else { b',' };
            let (split, rows) = raw_rows(&bytes, enc, delimiter);
            let (trickled_split, trickled) = raw_rows_from(Trickle(&bytes), enc, delimiter, None);
            assert_eq!(split, trickled_split, "{bytes:02X?}");
            if split == Split::GaveUp {
                gave_up += 1;
                continue;
            }
            compared += 1;
            assert_eq!(rows, trickled);
            assert_eq!(
                rows,
                decoded_rows(&bytes, enc, delimiter),
                "{enc} {bytes:02X?}"
            );
        }
        // Most inputs are compared, not given up on.
        assert!(
            compared > 3 * gave_up,
            "{enc}: {compared} compared, {gave_up} gave up"
        );
    }
}
