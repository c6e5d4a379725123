//! The human summary of a scan, Japanese first.

use crate::report::Report;
use mamori_core::{Category, DataItem, Lang};
use std::collections::BTreeMap;
use std::fmt::Write;

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn item_list(items: impl IntoIterator<Item = DataItem>, lang: Lang) -> String {
    let sep = lang.pick("、", ", ");
    items
        .into_iter()
        .map(|i| i.label(lang))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Renders the terminal summary of a report.
pub fn render(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    let s = &report.scan;
    let mb = s.bytes_read as f64 / 1_000_000.0;
    let _ = match lang {
        Lang::Ja => writeln!(
            out,
            "スキャン完了: {} ファイル（新規 {} / 変更 {} / 変更なし {} / 削除 {}）、読み取り {:.1} MB、{:.1} 秒",
            thousands(s.files), thousands(s.new), thousands(s.changed), thousands(s.unchanged), thousands(s.deleted), mb, s.seconds
        ),
        Lang::En => writeln!(
            out,
            "Scan complete: {} files ({} new / {} changed / {} unchanged / {} deleted), {:.1} MB read in {:.1} s",
            thousands(s.files), thousands(s.new), thousands(s.changed), thousands(s.unchanged), thousands(s.deleted), mb, s.seconds
        ),
    };
    let with_data = report.files.iter().filter(|f| !f.items.is_empty()).count() as u64;
    let _ = writeln!(
        out,
        "{}: {}",
        lang.pick("個人データを含むファイル", "Files with personal data"),
        thousands(with_data)
    );
    if report.subjects.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "個人データは見つかりませんでした。",
                "No personal data found."
            )
        );
    } else {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "本人の区分ごとの人数と項目:",
                "Persons and items by data subject:"
            )
        );
        for (id, subject) in &report.subjects {
            let category = Category::new(id.clone());
            let unit = lang.pick("名", " persons");
            let _ = writeln!(
                out,
                "  {:<16} {:>7}{}  {}",
                category.label(lang),
                thousands(subject.persons as u64),
                unit,
                item_list(subject.items.iter().copied(), lang)
            );
        }
    }
    let mut sensitive: BTreeMap<DataItem, u64> = BTreeMap::new();
    for file in &report.files {
        for (item, count) in &file.items {
            if matches!(
                item,
                DataItem::MyNumber
                    | DataItem::Health
                    | DataItem::CriminalRecord
                    | DataItem::CreditCard
            ) {
                *sensitive.entry(*item).or_default() += count;
            }
        }
    }
    if !sensitive.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "特に注意が必要な項目（ファイル内の件数）:",
                "Items needing special care (occurrences):"
            )
        );
        for (item, count) in sensitive {
            let _ = writeln!(out, "  {}: {}", item.label(lang), thousands(count));
        }
    }
    let errors: Vec<_> = report.files.iter().filter(|f| f.error.is_some()).collect();
    if !errors.is_empty() {
        let _ = writeln!(
            out,
            "{}: {}",
            lang.pick(
                "読み取れなかったファイル",
                "Files that could not be read fully"
            ),
            errors.len()
        );
        for file in errors.iter().take(10) {
            let _ = writeln!(
                out,
                "  {}: {}",
                file.path,
                file.error.as_deref().unwrap_or("")
            );
        }
    }
    if !s.morphology {
        let _ = writeln!(
            out,
            "{}",
            lang.pick(
                "注意: 形態素解析辞書（mecab-ipadic）がないため、氏名はラベルと敬称のみで判定しました。",
                "Note: no IPADIC dictionary (mecab-ipadic); names were found by labels and honorifics only."
            )
        );
    }
    out
}
