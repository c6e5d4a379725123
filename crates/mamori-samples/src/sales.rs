//! 営業部: the customer list and the mail-order list with card numbers.

use crate::encodings::{col, csv, tsv, Enc, Table};
use crate::style::Style;
use crate::truth::{About, Writer};
use crate::world::{Customer, World};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub fn write(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
) -> Result<(), SampleError> {
    if world.customers.is_empty() {
        return Ok(());
    }
    let dir = st.eigyo();
    let mut t = Table::new(vec![
        col("顧客番号", None),
        col(st.pick("お客様名", "顧客氏名"), Some("name")),
        col(st.h_kana(), Some("name")),
        col(st.h_postal(), Some("address")),
        col(st.h_address(), Some("address")),
        col(st.h_phone(), Some("phone")),
        col(st.h_email(), Some("email")),
        col("初回取引日", None),
    ]);
    for c in &world.customers {
        let p = &c.p;
        let phone = if rng.gen_bool(0.5) {
            &p.home_phone
        } else {
            &p.mobile
        };
        t.push(vec![
            c.no.clone(),
            p.name(),
            p.kana(),
            p.loc.postal.clone(),
            p.address(),
            phone.clone(),
            p.email.clone(),
            c.since.fmt(st.plain_fmt()),
        ]);
    }
    st.arrange(&mut t, 2);
    let ids: Vec<usize> = world.customers.iter().map(|c| c.p.id).collect();
    let name = st.pick("顧客名簿.csv", "お客様リスト.csv");
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(Enc::ShiftJis),
        About::of("customer", &ids),
    )?;

    // Mail-order customers (those with a card on file).
    let shop: Vec<&Customer> = world
        .customers
        .iter()
        .filter(|c| c.card.is_some())
        .collect();
    if shop.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("注文番号", None),
        col("注文者", Some("name")),
        col("お届け先住所", Some("address")),
        col(st.h_phone(), Some("phone")),
        col("商品コード", None),
        col("金額", None),
        col("カード番号", Some("credit_card")),
        col("有効期限", Some("credit_card")),
    ]);
    for (i, c) in shop.iter().enumerate() {
        let card = c.card.clone().unwrap_or_default();
        let shown = if i % 2 == 0 {
            card.clone()
        } else {
            card.as_bytes()
                .chunks(4)
                .map(|ch| String::from_utf8_lossy(ch).into_owned())
                .collect::<Vec<_>>()
                .join("-")
        };
        t.push(vec![
            format!("EC{}{:05}", crate::persons::TODAY.y, 1000 + i * 13),
            c.p.name(),
            format!("〒{} {}", c.p.loc.postal, c.p.address()),
            c.p.mobile.clone(),
            format!("{:012}", rng.gen_range(100_000_000_000u64..999_999_999_999)),
            (rng.gen_range(10..300) * 100).to_string(),
            shown,
            format!("{:02}/{:02}", rng.gen_range(1..13), rng.gen_range(26..31)),
        ]);
    }
    let ids: Vec<usize> = shop.iter().map(|c| c.p.id).collect();
    let rel = format!(
        "{dir}/{}",
        st.pick("通販/注文一覧.tsv", "EC/受注データ.tsv")
    );
    w.table(&rel, &t, tsv(Enc::Utf16LeBom), About::of("customer", &ids))
}
