//! 総務部/給与: transfer accounts, the My Number ledger, withholding memo.

use crate::encodings::{col, csv, text, Enc, Table};
use crate::persons::{fullwidth_digits, Date, TODAY};
use crate::style::Style;
use crate::truth::{About, Writer};
use crate::world::{Employee, World};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub fn write(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
) -> Result<(), SampleError> {
    if world.employees.is_empty() {
        return Ok(());
    }
    let dir = st.kyuyo();
    accounts(w, world, st, dir)?;
    ledger(w, world, st, rng, dir)?;
    withholding(w, world, st, rng, dir)?;
    Ok(())
}

fn accounts(w: &mut Writer, world: &World, st: Style, dir: &str) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("社員番号", None),
        col(st.h_name(), Some("name")),
        col("銀行コード", Some("bank_account")),
        col("銀行名", Some("bank_account")),
        col("支店コード", Some("bank_account")),
        col("支店名", Some("bank_account")),
        col("種目", Some("bank_account")),
        col("口座番号", Some("bank_account")),
        col("口座名義(カナ)", Some("bank_account")),
        col("備考", Some("bank_account")),
    ]);
    for e in &world.employees {
        let p = &e.p;
        let a = &p.account;
        let note = a
            .yucho
            .as_ref()
            .map(|(k, n)| format!("ゆうちょ 記号{k} 番号{n}"))
            .unwrap_or_default();
        t.push(vec![
            e.no.clone(),
            p.name(),
            a.bank_code.clone(),
            a.bank_name.clone(),
            a.branch_code.clone(),
            a.branch_name.clone(),
            a.kind.into(),
            a.number.clone(),
            p.holder_kana(),
            note,
        ]);
    }
    let ids: Vec<usize> = world.employees.iter().map(|e| e.p.id).collect();
    let name = st.pick("振込口座一覧.csv", "給与振込先.csv");
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(Enc::ShiftJis),
        About::of("employee", &ids),
    )
}

/// The My Number ledger keeps former staff for the legal retention period.
fn ledger(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
    dir: &str,
) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("管理番号", None),
        col(st.h_name(), Some("name")),
        col(st.pick("個人番号", "マイナンバー"), Some("my_number")),
        col("取得日", None),
        col("本人確認書類", None),
        col("利用目的", None),
        col("廃棄予定", None),
    ]);
    let all: Vec<&Employee> = world.employees.iter().chain(world.former.iter()).collect();
    for (i, e) in all.iter().enumerate() {
        let n = &e.p.my_number;
        // Real ledgers mix layouts: plain, 4-4-4 with spaces or hyphens, and
        // full-width digits typed on a Japanese IME.
        let shown = match i % 5 {
            0 | 1 => n.clone(),
            2 => format!("{} {} {}", &n[..4], &n[4..8], &n[8..]),
            3 => format!("{}-{}-{}", &n[..4], &n[4..8], &n[8..]),
            _ => fullwidth_digits(n),
        };
        let got = Date::random_between(rng, e.hired.y.max(2016), TODAY.y - 1);
        t.push(vec![
            format!("MN{:04}", i + 1),
            e.p.name(),
            shown,
            got.fmt(st.plain_fmt()),
            [
                "個人番号カード",
                "通知カード＋運転免許証",
                "住民票（番号記載）",
            ][i % 3]
                .into(),
            "源泉徴収票・社会保険届出".into(),
            e.left.map(|d| format!("{}年", d.y + 7)).unwrap_or_default(),
        ]);
    }
    let ids: Vec<usize> = all.iter().map(|e| e.p.id).collect();
    let name = st.pick("マイナンバー管理台帳.csv", "個人番号台帳.csv");
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(st.csv_enc()),
        About::of("employee", &ids),
    )
}

fn withholding(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
    dir: &str,
) -> Result<(), SampleError> {
    let picked: Vec<&Employee> = world.former.iter().take(3).collect();
    if picked.is_empty() {
        return Ok(());
    }
    let mut body = format!(
        "{}\n\n退職者分の源泉徴収票を下記住所へ郵送すること（{}年1月末まで）。\n\n",
        st.pick("源泉徴収票 送付メモ", "年末調整・源泉徴収票の送付について"),
        TODAY.y
    );
    for e in &picked {
        body.push_str(&format!(
            "{}  〒{} {}  支払金額 {}円\n",
            e.p.name(),
            e.p.loc.postal,
            e.p.address(),
            rng.gen_range(150..600) * 10_000
        ));
    }
    body.push_str("\n※返送された場合は総務部まで。\n");
    let ids: Vec<usize> = picked.iter().map(|e| e.p.id).collect();
    let name = st.pick("源泉徴収票送付メモ.txt", "年末調整メモ.txt");
    w.text(
        &format!("{dir}/{name}"),
        &body,
        text(st.pick(Enc::Utf8, Enc::ShiftJis), true),
        &["name", "address"],
        About::of("employee", &ids),
    )
}
