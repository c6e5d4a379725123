//! 工事部/協力会社: site-worker rosters (作業員名簿) that partner companies
//! hand in, one file per company.

use crate::encodings::{col, csv, Enc, Table};
use crate::persons::messy;
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
    let dir = st.kyoryoku();
    for (k, (company, crew)) in world.crews.iter().enumerate() {
        if crew.is_empty() {
            continue;
        }
        let bf = st.birth_fmt(rng);
        let mut t = Table::new(vec![
            col("No", None),
            col(st.h_name(), Some("name")),
            col(st.h_kana(), Some("name")),
            col(st.h_birth(), Some("birth_date")),
            col("年齢", None),
            col("血液型", Some("blood_type")),
            col(st.h_address(), Some("address")),
            col(st.h_phone(), Some("phone")),
            col("緊急連絡先", Some("emergency_contact")),
            col("緊急連絡先電話", Some("emergency_contact")),
            col("健康診断日", None),
            col("血圧", Some("health")),
            col("雇用保険被保険者番号", Some("insurance_number")),
            col("運転免許証番号", Some("drivers_license")),
        ]);
        for (i, wk) in crew.iter().enumerate() {
            let p = &wk.p;
            t.push(vec![
                (i + 1).to_string(),
                p.name(),
                p.kana(),
                p.birth.fmt(bf),
                p.age().to_string(),
                p.blood.into(),
                p.address(),
                messy(rng, &p.mobile),
                format!("{}（{}）", p.emergency.name, p.emergency.relation),
                p.emergency.phone.clone(),
                wk.checkup.fmt(st.plain_fmt()),
                format!("{}/{}", wk.bp.0, wk.bp.1),
                wk.koyo.clone(),
                wk.license.clone().unwrap_or_default(),
            ]);
        }
        st.arrange(&mut t, 2);
        let ids: Vec<usize> = crew.iter().map(|wk| wk.p.id).collect();
        let short = company.replace("株式会社", "").replace("有限会社", "");
        let name = format!("作業員名簿_{short}.csv");
        // Partner companies use whatever their PC gives: vary per company.
        let enc = [Enc::ShiftJis, Enc::Utf8Bom, Enc::EucJp][(k + st.pick(0, 1)) % 3];
        w.table(
            &format!("{dir}/{name}"),
            &t,
            csv(enc),
            About::of("contractor_staff", &ids),
        )?;
    }
    Ok(())
}
