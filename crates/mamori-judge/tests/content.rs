//! Content probes on real compressed data and real keystream ciphertext.

mod common;
use common::*;
use mamori_judge::{Kind, Probe};
use std::io::Write;

#[test]
fn chi_square_separates_ciphertext_from_deflate() {
    for seed in 0..4 {
        let text = prose(300_000, seed);
        for level in [1, 6, 9] {
            let mut z =
                flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::new(level));
            z.write_all(text.as_bytes()).unwrap();
            let z = z.finish().unwrap();
            let probe = Probe::of_bytes(&z);
            assert!(
                !probe.mostly_cipher(),
                "L{level} seed {seed}: {}",
                probe.chi2_pooled
            );
            if level == 1 {
                // pooled over the sample, the biases of fast deflate add up
                assert!(
                    probe.chi2_pooled > 335.0,
                    "seed {seed}: {}",
                    probe.chi2_pooled
                );
            } else {
                // strong deflate bodies pass byte tests; the stream head
                // (dynamic Huffman tables) does not
                assert!(!probe.regions[0].cipher_like, "L{level}: {probe:?}");
            }
        }
        let c = Probe::of_bytes(&encrypt_whole(text.as_bytes(), seed));
        assert!(c.mostly_cipher(), "seed {seed}: {c:?}");
        assert_eq!(c.cipher_regions(), c.regions.len());
    }
    // JPEG scans are byte-stuffed and Huffman-biased
    assert!(!Probe::of_bytes(&jpeg(300_000, 1)).mostly_cipher());
}

#[test]
fn ciphertext_passes_the_pooled_test_nearly_always() {
    let failures = (0..200)
        .filter(|&seed| !Probe::of_bytes(&keystream(64 * 1024, seed)).mostly_cipher())
        .count();
    assert!(
        failures <= 8,
        "{failures}/200 ciphertexts judged compressed"
    );
}

#[test]
fn documents_are_typed_and_whole() {
    let cases: Vec<(&str, Vec<u8>, Kind)> = vec![
        ("docx", docx(30_000, 1), Kind::Ooxml),
        ("xlsx", xlsx(3000, 2), Kind::Ooxml),
        ("pdf", pdf(80_000, 3), Kind::Pdf),
        ("jpeg", jpeg(200_000, 4), Kind::Jpeg),
        ("png", png(30_000, 5), Kind::Png),
        ("mp4", mp4(500_000, 6), Kind::IsoMedia),
        ("csv", csv_sjis(500, 7), Kind::Text),
        ("zip", project_zip(12, 8), Kind::Zip),
        ("7z", seven_zip(100_000, 9), Kind::SevenZ),
        ("gpg", gpg(100_000, 10), Kind::OpenPgp),
    ];
    for (name, bytes, kind) in cases {
        let probe = Probe::of_bytes(&bytes);
        assert_eq!(probe.kind, kind, "{name}");
        assert_ne!(probe.tail_ok, Some(false), "{name}");
    }
}

#[test]
fn every_attack_transform_breaks_the_type_or_the_tail() {
    type Transform = fn(&[u8], u64) -> Vec<u8>;
    let transforms: &[(&str, Transform)] = &[
        ("whole", encrypt_whole),
        ("every_other_16", encrypt_every_other_16),
        ("first_4k", encrypt_first_4k),
        ("chunks_5pct", encrypt_chunks_5pct),
        ("base64", encrypt_base64),
        ("keep_header", encrypt_keep_header),
    ];
    for victim in share(16, 1) {
        let before = Probe::of_bytes(&victim.bytes);
        for (name, transform) in transforms {
            let after = Probe::of_bytes(&transform(&victim.bytes, 7));
            let broken = after.kind.family() != before.kind.family()
                || (before.tail_ok == Some(true) && after.tail_ok == Some(false));
            assert!(
                broken,
                "{name} on {}: {:?} → {:?}",
                victim.path.display(),
                before.kind,
                after.kind
            );
        }
    }
}

#[test]
fn base64_ciphertext_is_encoded_random() {
    let b64 = encrypt_base64(&docx(20_000, 3), 4);
    let probe = Probe::of_bytes(&b64);
    assert_eq!(probe.kind, Kind::Base64Text);
    assert!(probe.encoded_random());
    // base64 of a picture (an e-mail attachment) is not uniform
    let mut picture = Vec::new();
    for (i, c) in prose(30_000, 1)
        .bytes()
        .collect::<Vec<_>>()
        .chunks(3)
        .enumerate()
    {
        picture.extend(
            c.iter()
                .map(|b| b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"[*b as usize % 42]),
        );
        if i % 25 == 24 {
            picture.push(b'\n');
        }
    }
    let probe = Probe::of_bytes(&picture);
    assert!(!probe.encoded_random(), "{probe:?}");
}
