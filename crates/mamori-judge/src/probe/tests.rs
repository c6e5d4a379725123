use super::*;
use rand::RngCore;
use rand_chacha::rand_core::SeedableRng;

fn keystream(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let mut out = vec![0u8; n];
    rng.fill_bytes(&mut out);
    out
}

#[test]
fn regions_cover_head_middles_and_tail() {
    assert_eq!(region_offsets(0), vec![0]);
    assert_eq!(region_offsets(100), vec![0]);
    assert_eq!(region_offsets(3 * 4096 + 1), vec![0, 4096, 8192, 12288]);
    let big = 10_000_000;
    let offsets = region_offsets(big);
    assert_eq!(offsets.len(), MAX_REGIONS);
    assert_eq!(offsets[0], 0);
    assert_eq!(*offsets.last().unwrap(), big - 4096);
    assert!(offsets.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn ciphertext_is_cipher_like_at_every_size() {
    for n in [64, 200, 700, 4096, 100_000, 3_000_000] {
        let probe = Probe::of_bytes(&keystream(n, n as u64));
        assert_eq!(probe.kind, Kind::Unknown, "{n}");
        assert!(probe.mostly_cipher(), "{n}: {probe:?}");
    }
}

#[test]
fn zeros_and_empty() {
    assert_eq!(Probe::of_bytes(&[]).kind, Kind::Empty);
    assert_eq!(Probe::of_bytes(&vec![0u8; 100_000]).kind, Kind::Zeros);
}

#[test]
fn magic_numbers() {
    let cases: &[(&[u8], Kind)] = &[
        (b"%PDF-1.7\n", Kind::Pdf),
        (b"\xFF\xD8\xFF\xE0\x00\x10JFIF", Kind::Jpeg),
        (b"\x89PNG\r\n\x1a\n\x00\x00", Kind::Png),
        (b"GIF89a....", Kind::Gif),
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00", Kind::Ole),
        (b"\x1f\x8b\x08\x00\x00", Kind::Gzip),
        (b"7z\xBC\xAF\x27\x1C\x00\x04", Kind::SevenZ),
        (b"Rar!\x1A\x07\x01\x00", Kind::Rar),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00", Kind::IsoMedia),
        (b"SQLite format 3\x00\x10\x00", Kind::Sqlite),
        (b"Salted__12345678", Kind::OpenSsl),
        (b"\x85\x01\x0c\x03\x11\x22\x33\x44\x55", Kind::OpenPgp),
        (b"\x8c\x0d\x04\x09\x03\x08\x11\x22", Kind::OpenPgp),
    ];
    for (head, kind) in cases {
        let mut bytes = head.to_vec();
        bytes.extend(keystream(5000, 1));
        assert_eq!(Probe::of_bytes(&bytes).kind, *kind, "{head:?}");
    }
}

#[test]
fn text_in_japanese_encodings() {
    let ja = "株式会社サンプル 経理部 山田太郎様\r\n請求書を送付いたします。よろしくお願いいたします。\r\n".repeat(80);
    assert_eq!(Probe::of_bytes(ja.as_bytes()).kind, Kind::Text);
    let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&ja);
    assert_eq!(Probe::of_bytes(&sjis).kind, Kind::Text);
    let (euc, _, _) = encoding_rs::EUC_JP.encode(&ja);
    assert_eq!(Probe::of_bytes(&euc).kind, Kind::Text);
    let utf16: Vec<u8> = std::iter::once(0xFEFFu16)
        .chain(ja.encode_utf16())
        .flat_map(|u| u.to_le_bytes())
        .collect();
    assert_eq!(Probe::of_bytes(&utf16).kind, Kind::Text);
    let no_bom: Vec<u8> = ja.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    assert_eq!(Probe::of_bytes(&no_bom).kind, Kind::Text);
    let csv = "id,name,amount\n".to_string() + &"1,abc,1000\n".repeat(500);
    assert_eq!(Probe::of_bytes(csv.as_bytes()).kind, Kind::Text);
}

#[test]
fn encoded_ciphertext_is_recognised() {
    let hex: String = keystream(6000, 3)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let probe = Probe::of_bytes(hex.as_bytes());
    assert_eq!(probe.kind, Kind::HexText);
    assert!(probe.encoded_random());
    // hex digits of a counter are hex, but not uniform
    let counter: String = (0..3000u32).map(|i| format!("{i:08x}")).collect();
    let probe = Probe::of_bytes(counter.as_bytes());
    assert_eq!(probe.kind, Kind::HexText);
    assert!(!probe.encoded_random());
}

#[test]
fn note_cues_only_for_text() {
    let note = "YOUR FILES ARE ENCRYPTED. To decrypt, pay 1 BTC. Tor Browser: abc.onion\n";
    assert!(Probe::of_bytes(note.as_bytes()).note_cues >= 4);
    assert_eq!(Probe::of_bytes(&keystream(4096, 9)).note_cues, 0);
}

#[test]
fn of_file_reads_the_same_as_of_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"%PDF-1.4\n".to_vec();
    bytes.extend(keystream(200_000, 5));
    bytes.extend(b"\n%%EOF\n");
    let path = dir.path().join("a.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let probe = Probe::of_file(&path).unwrap();
    assert_eq!(probe, Probe::of_bytes(&bytes));
    assert_eq!(probe.kind, Kind::Pdf);
    assert_eq!(probe.tail_ok, Some(true));
    assert!(Probe::of_file(&dir.path().join("missing")).is_err());
}

#[test]
fn never_panics_on_odd_input() {
    let prefixes: &[&[u8]] = &[
        b"",
        b"PK\x03\x04",
        b"%PDF-",
        b"\xFF\xD8\xFF",
        b"\x85",
        b"\xc1\x01",
        b"RIFF",
        b"\x00\x00\x00\x18ftyp",
        b"MZ",
        b"BM",
        b"\xFF\xFE",
        b"\xFE\xFF",
    ];
    let mut seed = 0;
    for prefix in prefixes {
        for len in [
            0usize, 1, 2, 3, 7, 8, 11, 12, 25, 26, 47, 48, 63, 64, 255, 256, 4095, 4096, 4097,
            32767, 32768, 32769, 40_000,
        ] {
            seed += 1;
            let mut bytes = prefix.to_vec();
            bytes.extend(keystream(len, seed));
            bytes.truncate(len.max(prefix.len().min(len)));
            let probe = Probe::of_bytes(&bytes);
            assert_eq!(probe.len, bytes.len() as u64);
            let text: Vec<u8> = bytes.iter().map(|b| b'a' + b % 26).collect();
            let _ = Probe::of_bytes(&text);
        }
    }
}
