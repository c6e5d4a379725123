use super::number::{plain_number, plain_number_f64};
use super::*;

#[test]
fn byte_classes() {
    for b in 0..=255u8 {
        assert_eq!(
            is_white(b),
            matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | 0)
        );
        assert_eq!(
            is_delim(b),
            matches!(
                b,
                b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
            )
        );
    }
}

#[test]
fn sound_streams_inflate_in_one_pass_as_the_reader_gives_them() {
    use std::io::Write;
    let text: Vec<u8> = (0..40_000u32)
        .flat_map(|i| {
            format!("BT /F1 9 Tf {} {} Td <{:04X}> Tj ET\n", i % 700, i % 500, i).into_bytes()
        })
        .collect();
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&text).unwrap();
    let packed = z.finish().unwrap();
    assert_eq!(inflate_whole(&packed, 64 << 20).as_deref(), Some(&text[..]));
    // Over the limit, truncated, damaged: left to the reader, and
    // where the one-pass inflation answers, it answers alike.
    assert!(inflate_whole(&packed, 1000).is_none());
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut bad = packed.clone();
        match seed % 3 {
            0 => bad.truncate((seed >> 8) as usize % packed.len()),
            1 => {
                let at = (seed >> 8) as usize % packed.len();
                bad[at] ^= (seed >> 40) as u8 | 1;
            }
            _ => bad.extend_from_slice(b"garbage after the end"),
        }
        let limit = if seed.is_multiple_of(5) {
            5000
        } else {
            64 << 20
        };
        if let Some(out) = inflate_whole(&bad, limit) {
            assert_eq!(out, inflate_damaged(&bad, limit));
        }
    }
}

#[test]
fn objects_streams_and_references() {
    let pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R /N -.5 /S (a\\(b\\)\\101) /H <4E2D> >>\nendobj\n2 0 obj\n<< /Length 5 >>\nstream\nBT ET\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n";
    let doc = Document::parse(pdf, 1 << 20).unwrap();
    let root = doc.dict(get(&doc.trailer, b"Root").unwrap()).unwrap();
    assert_eq!(get(root, b"Pages"), Some(&Obj::Ref(2)));
    assert_eq!(get(root, b"N"), Some(&Obj::Real(-0.5)));
    assert_eq!(get(root, b"S"), Some(&Obj::Str(b"a(b)A".to_vec())));
    assert_eq!(get(root, b"H"), Some(&Obj::Str(vec![0x4E, 0x2D])));
    assert_eq!(doc.decode(doc.object(2), 100).unwrap(), b"BT ET");
    assert!(doc.decode(doc.object(2), 3).is_err(), "over the limit");
}

#[test]
fn plain_numbers_read_as_the_parser_reads_them() {
    for w in [
        "0",
        "-0",
        "+7",
        "550.45",
        "-.5",
        "5.",
        "-0.0",
        "9.09",
        "123456789012345",
        "0.1",
        "1.00000000000001",
        "842",
        "-12.75",
        "3.14159265358979",
    ] {
        let fast = plain_number(w.as_bytes()).unwrap();
        let slow = if w.contains('.') {
            Obj::Real(w.parse::<f64>().unwrap())
        } else {
            Obj::Int(w.parse::<i64>().unwrap())
        };
        match (&fast, &slow) {
            (Obj::Real(a), Obj::Real(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{w}"),
            _ => assert_eq!(fast, slow, "{w}"),
        }
    }
    for w in ["", "-", ".", "1.2.3", "1-2", "1234567890123456", "1e5"] {
        assert!(plain_number(w.as_bytes()).is_none(), "{w}");
    }
}

/// `plain_number_f64` is `plain_number` as an `f64`, bit for bit, on
/// every string of up to six of the bytes that matter.
#[test]
fn plain_number_as_f64_is_plain_number() {
    let alphabet = b"0159.-+e ";
    let mut words: Vec<Vec<u8>> = vec![Vec::new()];
    let mut all = Vec::new();
    for _ in 0..6 {
        let mut next = Vec::new();
        for w in &words {
            for &b in alphabet {
                let mut longer = w.clone();
                longer.push(b);
                next.push(longer);
            }
        }
        all.extend(words);
        words = next;
    }
    all.extend(words);
    all.extend(
        [
            "1234567890123456",
            "123456789012345",
            "-99999.9999999999",
            "12345678901234567890123",
        ]
        .map(|w| w.as_bytes().to_vec()),
    );
    for w in &all {
        let slow = plain_number(w).map(|o| match o {
            Obj::Int(i) => (i as f64).to_bits(),
            Obj::Real(r) => r.to_bits(),
            _ => unreachable!(),
        });
        assert_eq!(plain_number_f64(w).map(f64::to_bits), slow, "{w:?}");
    }
}

#[test]
fn damaged_input_is_an_error_not_a_panic() {
    // A dictionary cut after one `>` (found by the fuzz target).
    for data in [
        &b"1 0 obj\n<< /A 1 >"[..],
        b"1 0 obj <<",
        b"1 0 obj (abc",
        b"1 0 obj <4",
        b"1 0 obj [[[[",
        b"obj",
        b" 0 obj",
        b"99999999999999999999 0 obj 1",
    ] {
        let _ = Document::parse(data, 1 << 20);
    }
    let deep = format!("1 0 obj {}", "[".repeat(10_000));
    assert!(Lexer::new(deep.as_bytes(), 8).next(0).is_err());
}

#[test]
fn hex_strings_read_with_the_pair_shortcut() {
    let read = |s: &[u8]| {
        let mut out = Vec::new();
        let mut lx = Lexer::new(s, 0);
        lx.hex(&mut out).map(|()| (out, lx.pos)).map_err(|e| e.0)
    };
    assert_eq!(read(b"4E2D>"), Ok((vec![0x4E, 0x2D], 5)));
    assert_eq!(read(b"4E2>"), Ok((vec![0x4E, 0x20], 4)));
    assert_eq!(read(b"4E 2D\n30>"), Ok((vec![0x4E, 0x2D, 0x30], 9)));
    assert_eq!(read(b"4e2d>rest<41>"), Ok((vec![0x4E, 0x2D], 5)));
    assert_eq!(read(b">"), Ok((vec![], 1)));
    assert_eq!(read(b"4E2DZZ>"), Err("bad hex string".to_string()));
    assert_eq!(read(b"4E2D"), Err("unterminated hex string".to_string()));
    assert_eq!(read(b""), Err("unterminated hex string".to_string()));
}
