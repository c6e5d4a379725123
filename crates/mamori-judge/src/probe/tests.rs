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

#[test]
fn histogram_counts_every_byte_once() {
    let mut bytes: Vec<u8> = (0..4099u32).map(|i| (i * 7919 % 251) as u8).collect();
    bytes.extend(std::iter::repeat_n(b' ', 1001));
    for len in [0, 1, 3, 4, 5, 4096, bytes.len()] {
        let mut naive = [0u32; 256];
        for &b in &bytes[..len] {
            naive[b as usize] += 1;
        }
        assert_eq!(super::histogram(&bytes[..len]), naive, "{len} bytes");
    }
}

#[test]
fn pooled_figures_and_zeros_come_from_the_region_counts() {
    let zeros = Probe::of_bytes(&[0u8; 20_000]);
    assert_eq!(zeros.kind, Kind::Zeros);
    let mut almost = vec![0u8; 20_000];
    almost[19_999] = 1;
    assert_ne!(Probe::of_bytes(&almost).kind, Kind::Zeros);
    // The pooled chi-square over every sampled byte, counted naively.
    let bytes: Vec<u8> = (0..40_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let probe = Probe::of_bytes(&bytes);
    let mut naive = [0u64; 256];
    for off in super::region_offsets(bytes.len() as u64) {
        let start = off as usize;
        for &b in &bytes[start..(start + REGION).min(bytes.len())] {
            naive[b as usize] += 1;
        }
    }
    assert_eq!(probe.chi2_pooled, super::chi2_of(&naive) as f32);
}

/// The statistics as first written: −Σ p·log2 p and Σ (c − e)² / e.
fn direct_entropy_and_chi2(bytes: &[u8]) -> (f64, f64) {
    let counts = super::histogram(bytes);
    let n = bytes.len() as f64;
    let e = n / 256.0;
    let mut entropy = 0.0;
    let mut chi2 = 0.0;
    for &c in &counts {
        if c > 0 {
            let p = f64::from(c) / n;
            entropy -= p * p.log2();
        }
        let d = f64::from(c) - e;
        chi2 += d * d / e;
    }
    (entropy, chi2)
}

#[test]
fn region_figures_equal_the_direct_formulas() {
    let text = "株式会社サンプル 請求書を送付いたします。\n".repeat(200);
    let inputs: Vec<Vec<u8>> = vec![
        keystream(4096, 7),
        keystream(300, 8),
        keystream(50, 9),
        text.as_bytes()[..4096].to_vec(),
        vec![b'a'; 4096],
        (0..4096u32).map(|i| (i % 256) as u8).collect(),
    ];
    for bytes in inputs {
        let region = super::region_stats(0, bytes.len(), &super::histogram(&bytes));
        let (entropy, chi2) = direct_entropy_and_chi2(&bytes);
        assert!(
            (f64::from(region.entropy) - entropy).abs() < 1e-5,
            "{entropy}"
        );
        assert!(
            (f64::from(region.chi2) - chi2).abs() <= 1e-6 * chi2.max(1.0),
            "{chi2}"
        );
    }
}

/// The two-pass UTF-16 test `text_kind` used before its one-pass rewrite.
fn utf16_reference(head: &[u8]) -> bool {
    let odd_zeros = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let even_zeros = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let ascii = odd_zeros * 10 >= head.len() / 2 * 9 && even_zeros * 10 < head.len() / 2;
    let units: Vec<u16> = head
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let common = units
        .iter()
        .filter(|&&u| {
            matches!(u, 0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x3000..=0x30FF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
        })
        .count();
    let share = common as f32 / units.len().max(1) as f32;
    ascii || (head.len() >= 64 && share >= 0.9)
}

#[test]
fn one_pass_utf16_test_agrees_with_the_two_pass_one() {
    let japanese: Vec<u8> = "社員番号 0001 山田太郎、住所は東京都千代田区。"
        .repeat(20)
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let ascii: Vec<u8> = "plain ascii text\r\n"
        .repeat(20)
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let mut cases = vec![
        japanese.clone(),
        ascii,
        keystream(4096, 1),
        keystream(65, 2),
    ];
    // Japanese with a growing share of noise: around the 90 % line.
    for noisy in [0, 5, 9, 10, 11, 12, 20, 60] {
        let mut mixed = japanese.clone();
        let units = mixed.len() / 2;
        for unit in 0..units * noisy / 100 {
            mixed[unit * 2 + 1] = 0x01;
        }
        cases.push(mixed);
    }
    for case in cases {
        for len in [64, 65, 200, 4096] {
            let head = &case[..len.min(case.len())];
            let expected = utf16_reference(head);
            if expected {
                assert_eq!(text_kind(head), Kind::Text, "len {len}");
            }
            let ascii_only = {
                let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
                let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
                odd * 10 >= head.len() / 2 * 9 && even * 10 < head.len() / 2
            };
            if !ascii_only && head.len() >= 64 {
                assert_eq!(utf16le_mostly_japanese(head), expected, "len {len}");
            }
        }
    }
}

/// `binary_or_utf16` as one full pass (before it learned to stop early).
fn binary_or_utf16_full(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Some(Kind::Text);
    }
    let odd_zeros = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let even_zeros = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let controls = head.iter().filter(|&&b| is_control(b)).count();
    let ascii = odd_zeros * 10 >= head.len() / 2 * 9 && even_zeros * 10 < head.len() / 2;
    if ascii || (head.len() >= 64 && utf16le_mostly_japanese(head)) {
        return Some(Kind::Text);
    }
    (controls * 100 > head.len()).then_some(Kind::Unknown)
}

#[test]
fn the_early_stop_changes_no_verdict() {
    let utf16 =
        |text: &str| -> Vec<u8> { text.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let mut cases: Vec<Vec<u8>> = vec![
        keystream(16384, 7),
        keystream(4097, 8),
        utf16(&"plain ascii text\r\n".repeat(300)),
        utf16(&"社員番号 0001 山田太郎".repeat(300)),
        "社員番号,氏名\n0001,山田太郎\n".repeat(300).into_bytes(),
        vec![0u8; 5000],
    ];
    // Binary that turns into UTF-16 text late, and text with binary late.
    let mut late_text = keystream(6000, 9);
    late_text.extend(utf16(&"a".repeat(20000)));
    cases.push(late_text);
    let mut late_binary = utf16(&"plain text ".repeat(400));
    late_binary.extend(keystream(700, 10));
    cases.push(late_binary);
    // Controls just over and under 1 %, spread out.
    for every in [90, 99, 100, 101, 110] {
        let mut sparse = b"x".repeat(8192);
        for i in (0..sparse.len()).step_by(every) {
            sparse[i] = 1;
        }
        cases.push(sparse);
    }
    for case in &cases {
        for len in [
            1,
            2,
            63,
            64,
            511,
            512,
            513,
            1024,
            1025,
            4096,
            8191,
            case.len(),
        ] {
            let head = &case[..len.min(case.len())];
            assert_eq!(
                binary_or_utf16(head),
                binary_or_utf16_full(head),
                "len {len}"
            );
        }
    }
}
