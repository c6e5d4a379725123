//! 株式: the shareholder register and the dividend payment records.

use crate::encodings::{col, csv, Enc, Table};
use crate::persons::TODAY;
use crate::style::Style;
use crate::truth::{About, Writer};
use crate::world::{Holder, World};
use crate::SampleError;
use rand_chacha::ChaCha8Rng;

/// Yen per share of the last dividend.
const DIVIDEND_PER_SHARE: u32 = 15;

pub fn write(
    w: &mut Writer,
    world: &World,
    st: Style,
    _rng: &mut ChaCha8Rng,
) -> Result<(), SampleError> {
    if world.shareholders.is_empty() {
        return Ok(());
    }
    let dir = st.kabu();
    register(w, world, st, dir)?;
    dividend_records(w, world, st, dir)?;
    Ok(())
}

fn register(w: &mut Writer, world: &World, st: Style, dir: &str) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("株主番号", None),
        col(st.pick("株主名", "株主氏名"), Some("name")),
        col(st.h_postal(), Some("address")),
        col(st.h_address(), Some("address")),
        col("所有株式数", Some("shareholding")),
        col("取得日", None),
        col("配当金", Some("dividend")),
        col("振込先銀行", Some("bank_account")),
        col("支店", Some("bank_account")),
        col("種目", Some("bank_account")),
        col("口座番号", Some("bank_account")),
    ]);
    let mut ids = Vec::new();
    for s in &world.shareholders {
        let dividend = (s.shares * DIVIDEND_PER_SHARE).to_string();
        match &s.holder {
            Holder::Person(p) => {
                ids.push(p.id);
                let a = &p.account;
                t.push(vec![
                    s.no.clone(),
                    p.name(),
                    p.loc.postal.clone(),
                    p.address(),
                    s.shares.to_string(),
                    s.since.fmt(st.plain_fmt()),
                    dividend,
                    format!("{}({})", a.bank_name, a.bank_code),
                    format!("{}({})", a.branch_name, a.branch_code),
                    a.kind.into(),
                    a.number.clone(),
                ]);
            }
            Holder::Company(name, _) => t.push(vec![
                s.no.clone(),
                name.to_string(),
                "100-0005".into(),
                "東京都千代田区丸の内一丁目1番1号".into(),
                s.shares.to_string(),
                s.since.fmt(st.plain_fmt()),
                dividend,
                "三菱ＵＦＪ銀行(0005)".into(),
                "本店(001)".into(),
                "当座".into(),
                "0123456".into(),
            ]),
        }
    }
    let name = st.pick("株主名簿.csv", "株主一覧.csv");
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(Enc::ShiftJis),
        About::of("shareholder", &ids),
    )
}

fn dividend_records(
    w: &mut Writer,
    world: &World,
    st: Style,
    dir: &str,
) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("株主番号", None),
        col(st.pick("氏名", "支払を受ける者"), Some("name")),
        col(st.h_address(), Some("address")),
        col("個人番号", Some("my_number")),
        col("株式数", Some("shareholding")),
        col("配当金額", Some("dividend")),
        col("源泉徴収税額", Some("dividend")),
    ]);
    let mut ids = Vec::new();
    for s in &world.shareholders {
        // 支払調書 for individuals only: corporate holders are filed apart.
        if let Holder::Person(p) = &s.holder {
            ids.push(p.id);
            let d = s.shares * DIVIDEND_PER_SHARE;
            t.push(vec![
                s.no.clone(),
                p.name(),
                format!("〒{} {}", p.loc.postal, p.address()),
                p.my_number.clone(),
                s.shares.to_string(),
                d.to_string(),
                (u64::from(d) * 20_420 / 100_000).to_string(),
            ]);
        }
    }
    let name = format!(
        "{}_{}.csv",
        st.pick("配当金支払調書", "支払調書_配当"),
        TODAY.y - 1
    );
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(st.csv_enc()),
        About::of("shareholder", &ids),
    )
}
