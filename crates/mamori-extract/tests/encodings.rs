//! Round trips through files: every supported encoding, detection, sniffing.

use std::io::Read;

use encoding_rs::{Encoding, EUC_JP, ISO_2022_JP, SHIFT_JIS};
use mamori_extract::{open, Kind, Limits, TextEncoding};

const SAMPLE: &str = "山田太郎　昭和55年3月2日生　東京都千代田区\n";

fn encode(enc: &'static Encoding, s: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = enc.encode(s);
    assert!(!unmappable, "{} cannot encode {s}", enc.name());
    bytes.into_owned()
}

fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if le { b"\xFF\xFE" } else { b"\xFE\xFF" });
    }
    for u in s.encode_utf16() {
        out.extend_from_slice(&if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

/// Writes `bytes`, opens, checks kind and encoding, returns the decoded text.
fn round_trip(name: &str, bytes: &[u8], want: TextEncoding) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let opened = open(&path, &Limits::default()).unwrap();
    assert_eq!(opened.kind, Kind::Text, "{name}");
    assert_eq!(opened.encoding, Some(want), "{name}");
    assert_eq!(opened.size, bytes.len() as u64);
    let mut reader = opened.into_reader();
    let mut text = String::new();
    reader.read_to_string(&mut text).unwrap();
    assert_eq!(reader.replacements(), 0, "{name}: {text}");
    text
}

#[test]
fn shift_jis_with_nec_extensions() {
    let text = format!("①㈱ヤマダ商事 ｶﾌﾞｼｷｶﾞｲｼｬ\n{SAMPLE}");
    let bytes = encode(SHIFT_JIS, &text);
    assert_eq!(round_trip("sjis.txt", &bytes, TextEncoding::ShiftJis), text);
}

#[test]
fn euc_jp() {
    let bytes = encode(EUC_JP, SAMPLE);
    assert_eq!(round_trip("euc.txt", &bytes, TextEncoding::EucJp), SAMPLE);
}

#[test]
fn iso_2022_jp() {
    let bytes = encode(ISO_2022_JP, SAMPLE);
    assert!(bytes.is_ascii());
    assert_eq!(
        round_trip("jis.txt", &bytes, TextEncoding::Iso2022Jp),
        SAMPLE
    );
}

#[test]
fn utf16_with_and_without_bom() {
    for (le, bom, want) in [
        (true, true, TextEncoding::Utf16Le),
        (false, true, TextEncoding::Utf16Be),
        (true, false, TextEncoding::Utf16Le),
        (false, false, TextEncoding::Utf16Be),
    ] {
        let bytes = utf16(SAMPLE, le, bom);
        assert_eq!(
            round_trip("u16.txt", &bytes, want),
            SAMPLE,
            "le={le} bom={bom}"
        );
    }
}

#[test]
fn utf8_with_and_without_bom() {
    assert_eq!(
        round_trip("u8", SAMPLE.as_bytes(), TextEncoding::Utf8),
        SAMPLE
    );
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(SAMPLE.as_bytes());
    assert_eq!(round_trip("u8bom.md", &bom, TextEncoding::Utf8Bom), SAMPLE);
}

#[test]
fn chunks_of_a_shift_jis_file_decode_the_same() {
    let text = format!("①㈱\n{}", SAMPLE.repeat(2000));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.log");
    std::fs::write(&path, encode(SHIFT_JIS, &text)).unwrap();
    let limits = Limits {
        chunk_bytes: 1000,
        ..Limits::default()
    };
    let chunks: Vec<_> = open(&path, &limits)
        .unwrap()
        .into_chunks()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(chunks.len() > 100);
    for c in &chunks {
        assert!(c.text.len() <= 1000);
        assert!(c.text.ends_with('\n'), "cut at a line end");
    }
    assert_eq!(
        chunks.iter().map(|c| c.text.as_str()).collect::<String>(),
        text
    );
    assert!(chunks[1].overlap.len() > 100 && chunks[0].text.ends_with(&chunks[1].overlap));
}

fn sniff_file(name: &str, bytes: &[u8]) -> (Kind, Option<TextEncoding>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let o = open(&path, &Limits::default()).unwrap();
    (o.kind, o.encoding)
}

#[test]
fn shift_jis_csv_header_is_delimited() {
    let header = encode(SHIFT_JIS, "氏名,生年月日,住所,電話番号\r\n");
    assert_eq!(
        sniff_file("顧客.csv", &header),
        (
            Kind::Delimited { delimiter: b',' },
            Some(TextEncoding::ShiftJis)
        )
    );
    let tsv = encode(
        SHIFT_JIS,
        "氏名\t生年月日\t住所\r\n山田太郎\t昭和55年3月2日\t東京都千代田区\r\n鈴木花子\t平成2年1月1日\t大阪府大阪市\r\n",
    );
    assert_eq!(
        sniff_file("export.txt", &tsv),
        (
            Kind::Delimited { delimiter: b'\t' },
            Some(TextEncoding::ShiftJis)
        )
    );
    let utf16_csv = utf16("氏名,住所\r\n山田,東京\r\n", true, true);
    assert_eq!(
        sniff_file("u16.csv", &utf16_csv),
        (
            Kind::Delimited { delimiter: b',' },
            Some(TextEncoding::Utf16Le)
        )
    );
}

/// Deterministic noise (the project's shared generator).
fn noise(len: usize) -> Vec<u8> {
    mamori_testkit::noise(len, 0x9E37_79B9_7F4A_7C15)
}

#[test]
fn binary_is_recognised_whatever_the_extension() {
    let png = b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\0\x10";
    assert_eq!(sniff_file("photo.png", png), (Kind::Binary("png"), None));
    assert_eq!(sniff_file("photo.txt", png), (Kind::Binary("png"), None));
    assert_eq!(
        sniff_file("random.bin", &noise(10_000)),
        (Kind::Binary("binary"), None)
    );
    assert_eq!(
        sniff_file("random.csv", &noise(10_000)),
        (Kind::Binary("binary"), None)
    );
    let mut zip = b"PK\x03\x04\x14\0\0\0\x08\0".to_vec();
    zip.extend_from_slice(&noise(500));
    assert_eq!(sniff_file("list.csv", &zip), (Kind::Archive("zip"), None));
    assert_eq!(sniff_file("empty.csv", b""), (Kind::Empty, None));
    assert_eq!(
        sniff_file("doc.pdf", b"%PDF-1.4\n%\xE2\xE3"),
        (Kind::Pdf, None)
    );
}

#[test]
fn text_kinds_get_encodings_and_others_do_not() {
    let (kind, enc) = sniff_file(
        "mail.eml",
        &encode(ISO_2022_JP, &format!("Subject: test\n\n{SAMPLE}")),
    );
    assert_eq!(
        (kind, enc),
        (Kind::Mail("eml"), Some(TextEncoding::Iso2022Jp))
    );
}
