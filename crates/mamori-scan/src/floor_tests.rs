use super::*;
use mamori_extract::TextEncoding;

/// A Shift_JIS roster whose quoted cells hold commas, doubled quotes and
/// line breaks, so records and lines differ.
fn roster(rows: usize) -> String {
    let mut csv = String::from("社員番号,氏名,フリガナ,生年月日,住所,電話番号,メール,個人番号\r\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "{},山田 太郎,ヤマダ タロウ,昭和35年2月19日,\"東京都千代田区千代田{}-1, \"\"本社\"\"\r\n別棟\",090-1234-{:04},taro{i}@example.jp,123456789018\r\n",
            3_000_000 + i,
            i % 9 + 1,
            i % 10_000
        ));
    }
    csv
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The floor reads a Shift_JIS CSV file into the records, and the cells,
/// that the CSV crate reads from the same text in UTF-8, and hashes eight
/// keys per record plus the file's numbering.
#[test]
fn floor_counts_records_like_the_csv_reader() {
    let text = roster(300);
    let (sjis, _, unmappable) = TextEncoding::ShiftJis.encoding().encode(&text);
    assert!(!unmappable);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "社員名簿.csv", &sjis);

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let (mut records, mut cell_bytes) = (0u64, 0u64);
    for record in reader.records() {
        let record = record.unwrap();
        records += 1;
        cell_bytes += record.iter().map(|c| c.len() as u64).sum::<u64>();
    }
    assert_eq!(records, 301);
    assert!(
        text.lines().count() as u64 > records,
        "line breaks inside cells"
    );

    let key = HashKey::for_tests();
    let limits = Limits::default();
    let mut split = Tally::default();
    file(&path, Work::Split, &key, &limits, &mut split).unwrap();
    assert_eq!(split.records, records);
    assert_eq!(split.checksum, cell_bytes, "the same cells, decoded");
    assert_eq!(split.bytes, sjis.len() as u64);
    assert_eq!((split.files, split.lines, split.hashes), (1, 0, 0));

    let mut hashed = Tally::default();
    file(&path, Work::SplitAndHash, &key, &limits, &mut hashed).unwrap();
    assert_eq!(hashed.records, records);
    assert_eq!(hashed.hashes, 8 * records + 1);
}

/// Text: lines as `str::lines` gives them, one name hash per line with 様,
/// none for a log.
#[test]
fn floor_splits_lines_and_hashes_named_lines() {
    let memo = "古川文子様より電話あり（080-4774-8995）。\r\n本日の現場は予定どおり進捗。\n\n山田様、佐藤様\n最終行";
    let log = "2025-04-14T00:00:00+09:00 INFO request_id=139974661876 status=200\n".repeat(50);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "memo.txt", memo.as_bytes());
    write(dir.path(), "access.log", log.as_bytes());
    let key = HashKey::for_tests();

    let tally = run(dir.path(), Work::SplitAndHash, &key);
    assert_eq!(tally.files, 2);
    assert_eq!(tally.lines, (memo.lines().count() + 50) as u64);
    assert_eq!(tally.hashes, 2, "one per line holding 様");
    assert_eq!(run(dir.path(), Work::Split, &key).hashes, 0);
}

#[test]
fn lines_are_str_lines() {
    for text in [
        "",
        "a",
        "a\n",
        "a\r\n",
        "\n\n",
        "a\r\nb\rc\n\r\nd",
        "一行目\n二行目\r\n\r\n",
        "\r",
        "x\r\r\n",
    ] {
        assert_eq!(
            lines(text).collect::<Vec<_>>(),
            text.lines().collect::<Vec<_>>(),
            "{text:?}"
        );
    }
}

/// Values are cut at a character boundary so the message is one block.
#[test]
fn values_fit_one_block() {
    let address = "鳥取県東伯郡湯梨浜町埴見3丁目28番14号 ヴィラ青葉102";
    for domain in ROW_DOMAINS.iter().chain(&["record_numbering"]) {
        let cut = cut_to_block(domain, address);
        assert!(domain.len() + 1 + cut.len() <= 55, "{domain}");
        assert!(address.starts_with(cut));
        let next = address[cut.len()..].chars().next().unwrap().len_utf8();
        assert!(
            domain.len() + 1 + cut.len() + next > 55,
            "no whole character left out"
        );
    }
    assert_eq!(cut_to_block("name", "山田太郎"), "山田太郎");
    assert_eq!(last_chars("古川文子", 4), "古川文子");
    assert_eq!(last_chars("より古川文子", 4), "古川文子");
    assert_eq!(last_chars("文子", 4), "文子");
}
