//! 総務部/不動産: lessors of offices, parking lots and company houses.

use crate::encodings::{col, csv, text, Enc, Table};
use crate::persons::{messy, TODAY};
use crate::style::Style;
use crate::truth::{About, Writer};
use crate::world::World;
use crate::SampleError;
use rand_chacha::ChaCha8Rng;

pub fn write(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
) -> Result<(), SampleError> {
    if world.landlords.is_empty() {
        return Ok(());
    }
    let dir = st.fudosan();
    let mut t = Table::new(vec![
        col("物件", None),
        col("種別", None),
        col("月額賃料", None),
        col(st.pick("貸主", "賃貸人氏名"), Some("name")),
        col("貸主住所", Some("address")),
        col("連絡先", Some("phone")),
        col("振込先", Some("bank_account")),
        col("口座番号", Some("bank_account")),
        col("個人番号(支払調書用)", Some("my_number")),
    ]);
    for l in &world.landlords {
        let p = &l.p;
        let a = &p.account;
        t.push(vec![
            l.property.clone(),
            l.kind.into(),
            l.rent.to_string(),
            p.name(),
            format!("〒{} {}", p.loc.postal, p.address()),
            messy(rng, &p.home_phone),
            format!("{} {} {}", a.bank_name, a.branch_name, a.kind),
            a.number.clone(),
            p.my_number.clone(),
        ]);
    }
    let ids: Vec<usize> = world.landlords.iter().map(|l| l.p.id).collect();
    let name = st.pick("賃貸人一覧.csv", "賃貸借契約一覧.csv");
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(Enc::ShiftJis),
        About::of("landlord", &ids),
    )?;

    // A mail kept as text (ISO-2022-JP, as mail clients send Japanese).
    let parking: Vec<_> = world
        .landlords
        .iter()
        .filter(|l| l.kind == "駐車場")
        .collect();
    let Some(l) = parking.first().copied().or(world.landlords.first()) else {
        return Ok(());
    };
    let body = format!(
        "Subject: 月極駐車場の契約更新について\nFrom: soumu@yamato-koumuten.example.jp\nDate: {} 10:12\n\n\
         総務部各位\n\n{}の件、貸主の{}様（連絡先 {}）と電話で話しました。\n\
         {}年4月分から月額{}円で更新、契約書は来週郵送いただけるとのことです。\n\
         台数は5台のまま。\n\n以上、よろしくお願いします。\n",
        format_args!("{}/{:02}/{:02}", TODAY.y, 3, 14),
        l.property,
        l.p.name_tight(),
        l.p.mobile,
        TODAY.y,
        l.rent,
    );
    let name = st.pick("駐車場契約メモ.txt", "月極駐車場の件.txt");
    w.text(
        &format!("{dir}/{name}"),
        &body,
        text(Enc::Iso2022Jp, true),
        &["name", "phone"],
        About::of("landlord", &[l.p.id]),
    )
}
