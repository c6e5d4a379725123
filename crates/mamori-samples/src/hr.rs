//! 総務部/人事: rosters, emergency contacts, dependants, health, memos.

use crate::encodings::{col, csv, text, tsv, Enc, Table};
use crate::persons::{messy, DateFmt, TODAY};
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
    if world.employees.is_empty() && world.former.is_empty() {
        return Ok(());
    }
    let dir = st.jinji();
    roster(w, world, st, rng, dir)?;
    former(w, world, st, rng, dir)?;
    emergency(w, world, st, dir)?;
    dependants(w, world, st, rng, dir)?;
    health(w, world, st, rng, dir)?;
    disability(w, world, st, rng, dir)?;
    transfer_memo(w, world, st, rng, dir)?;
    Ok(())
}

fn ids(es: &[&Employee]) -> Vec<usize> {
    es.iter().map(|e| e.p.id).collect()
}

fn roster(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
    dir: &str,
) -> Result<(), SampleError> {
    let bf = st.birth_fmt(rng);
    let mut t = Table::new(vec![
        col("社員番号", None),
        col(st.h_name(), Some("name")),
        col(st.h_kana(), Some("name")),
        col(st.h_gender(), Some("gender")),
        col(st.h_birth(), Some("birth_date")),
        col(st.h_postal(), Some("address")),
        col(st.h_address(), Some("address")),
        col(st.h_phone(), Some("phone")),
        col(st.h_mobile(), Some("phone")),
        col(st.h_email(), Some("email")),
        col("入社日", None),
        col("所属", None),
    ]);
    for e in &world.employees {
        let p = &e.p;
        t.push(vec![
            e.no.clone(),
            p.name(),
            p.kana(),
            p.gender().into(),
            p.birth.fmt(bf),
            p.loc.postal.clone(),
            p.address(),
            messy(rng, &p.home_phone),
            messy(rng, &p.mobile),
            p.email.clone(),
            e.hired.fmt(st.plain_fmt()),
            e.dept.into(),
        ]);
    }
    st.arrange(&mut t, 2);
    let es: Vec<&Employee> = world.employees.iter().collect();
    let name = st.pick("社員名簿.csv", "従業員台帳.csv");
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(Enc::ShiftJis),
        About::of("employee", &ids(&es)),
    )
}

fn former(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
    dir: &str,
) -> Result<(), SampleError> {
    if world.former.is_empty() {
        return Ok(());
    }
    let bf = st.birth_fmt(rng);
    let mut t = Table::new(vec![
        col("社員番号", None),
        col(st.h_name(), Some("name")),
        col(st.h_birth(), Some("birth_date")),
        col(st.h_address(), Some("address")),
        col(st.h_phone(), Some("phone")),
        col("入社日", None),
        col("退職日", None),
        col("退職理由", None),
    ]);
    for e in &world.former {
        let p = &e.p;
        t.push(vec![
            e.no.clone(),
            p.name(),
            p.birth.fmt(bf),
            format!("〒{} {}", p.loc.postal, p.address()),
            p.mobile.clone(),
            e.hired.fmt(st.plain_fmt()),
            e.left.map(|d| d.fmt(st.plain_fmt())).unwrap_or_default(),
            ["自己都合", "定年", "契約満了", "転職"][rng.gen_range(0..4)].into(),
        ]);
    }
    st.arrange(&mut t, 2);
    let es: Vec<&Employee> = world.former.iter().collect();
    let name = st.pick("退職者名簿.csv", "退職者一覧.csv");
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(st.csv_enc()),
        About::of("employee", &ids(&es)),
    )
}

fn emergency(w: &mut Writer, world: &World, st: Style, dir: &str) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("社員番号", None),
        col(st.h_name(), Some("name")),
        col("所属", None),
        col("血液型", Some("blood_type")),
        col("緊急連絡先氏名", Some("emergency_contact")),
        col("続柄", Some("emergency_contact")),
        col("緊急連絡先電話", Some("emergency_contact")),
    ]);
    for e in &world.employees {
        let p = &e.p;
        let blood = if p.id % 4 == 0 {
            format!("{}(Rh+)", p.blood)
        } else {
            format!("{}型", p.blood)
        };
        t.push(vec![
            e.no.clone(),
            p.name(),
            e.dept.into(),
            blood,
            p.emergency.name.clone(),
            p.emergency.relation.into(),
            p.emergency.phone.clone(),
        ]);
    }
    let es: Vec<&Employee> = world.employees.iter().collect();
    let name = st.pick("緊急連絡先一覧.csv", "緊急連絡網.csv");
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(st.pick(Enc::Utf8Bom, Enc::ShiftJis)),
        About::of("employee", &ids(&es)),
    )
}

fn dependants(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
    dir: &str,
) -> Result<(), SampleError> {
    let bf = st.birth_fmt(rng);
    let mut t = Table::new(vec![
        col(st.h_name(), Some("name")),
        col(st.h_birth(), Some("birth_date")),
        col(st.h_address(), Some("address")),
        col("配偶者氏名", Some("family")),
        col("配偶者生年月日", Some("family")),
        col("扶養親族1氏名", Some("family")),
        col("扶養親族1続柄", Some("family")),
        col("扶養親族2氏名", Some("family")),
        col("扶養親族2続柄", Some("family")),
    ]);
    for e in &world.employees {
        let p = &e.p;
        let (sn, sb) = p
            .spouse
            .as_ref()
            .map(|s| (s.name.clone(), s.birth.fmt(bf)))
            .unwrap_or_default();
        let kid = |k: usize| {
            p.children
                .get(k)
                .map(|c| (c.name.clone(), c.relation.to_string()))
                .unwrap_or_default()
        };
        let (c1, r1) = kid(0);
        let (c2, r2) = kid(1);
        t.push(vec![
            p.name(),
            p.birth.fmt(bf),
            p.address(),
            sn,
            sb,
            c1,
            r1,
            c2,
            r2,
        ]);
    }
    let es: Vec<&Employee> = world.employees.iter().collect();
    let name = format!(
        "{}_{}.csv",
        st.pick("扶養控除等申告書", "扶養親族一覧"),
        TODAY.y
    );
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(st.csv_enc()),
        About::of("employee", &ids(&es)),
    )
}

fn health(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
    dir: &str,
) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("社員番号", None),
        col(st.h_name(), Some("name")),
        col(st.h_gender(), Some("gender")),
        col("年齢", None),
        col("受診日", None),
        col("身長", Some("health")),
        col("体重", Some("health")),
        col("血圧(上)", Some("health")),
        col("血圧(下)", Some("health")),
        col("所見", Some("health")),
        col("判定", Some("health")),
    ]);
    for e in &world.employees {
        let p = &e.p;
        let sys = rng.gen_range(100..170);
        let (finding, verdict) = if sys >= 140 {
            ("高血圧", "要再検査")
        } else {
            [
                ("異常なし", "A"),
                ("脂質異常", "C"),
                ("肝機能軽度異常", "B"),
                ("異常なし", "A"),
            ][rng.gen_range(0..4)]
        };
        t.push(vec![
            e.no.clone(),
            p.name(),
            p.gender().into(),
            p.age().to_string(),
            format!(
                "{}/{:02}/{:02}",
                TODAY.y - 1,
                rng.gen_range(5..8),
                rng.gen_range(1..29)
            ),
            format!(
                "{}.{}",
                if p.female {
                    rng.gen_range(148..170)
                } else {
                    rng.gen_range(160..185)
                },
                rng.gen_range(0..10)
            ),
            format!(
                "{}.{}",
                if p.female {
                    rng.gen_range(42..75)
                } else {
                    rng.gen_range(55..95)
                },
                rng.gen_range(0..10)
            ),
            sys.to_string(),
            rng.gen_range(60..105).to_string(),
            finding.into(),
            verdict.into(),
        ]);
    }
    let es: Vec<&Employee> = world.employees.iter().collect();
    // Excel "Unicode text": UTF-16LE TSV saved with a .txt name.
    let name = format!(
        "{}_{}.txt",
        st.pick("健康診断結果", "定期健康診断_結果一覧"),
        TODAY.y - 1
    );
    let fmt = st.pick(tsv(Enc::Utf16LeBom), csv(Enc::ShiftJis));
    w.table(
        &format!("{dir}/{name}"),
        &t,
        fmt,
        About::of("employee", &ids(&es)),
    )
}

fn disability(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
    dir: &str,
) -> Result<(), SampleError> {
    let picked: Vec<&Employee> = world.employees.iter().skip(4).step_by(9).take(3).collect();
    if picked.is_empty() {
        return Ok(());
    }
    let mut body = format!(
        "{}\n作成：{}課\n\n",
        st.pick(
            "障害者雇用に関する配慮事項（取扱注意）",
            "障がい者雇用メモ　※社外秘"
        ),
        st.pick("人事", "総務")
    );
    for e in &picked {
        let (kind, grade) = [
            ("身体障害者手帳", "4級"),
            ("精神障害者保健福祉手帳", "3級"),
            ("療育手帳", "B2"),
        ][rng.gen_range(0..3)];
        body.push_str(&format!(
            "・{}さん（{}）\n  {}{}。通院のため月1回の時間休を認める。合理的配慮として座席を出入口付近とする。\n",
            e.p.name(),
            e.dept,
            kind,
            grade
        ));
    }
    body.push_str("\n産業医面談は年2回。本メモは人事担当者以外閲覧禁止。\n");
    let es_ids = ids(&picked);
    let name = st.pick("障害者雇用_配慮事項.txt", "障がい者雇用メモ.txt");
    w.text(
        &format!("{dir}/{name}"),
        &body,
        text(Enc::Utf8, false),
        &["name", "health"],
        About::of("employee", &es_ids),
    )
}

fn transfer_memo(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
    dir: &str,
) -> Result<(), SampleError> {
    let picked: Vec<&Employee> = world.employees.iter().skip(2).step_by(5).take(3).collect();
    let Some(first) = picked.first() else {
        return Ok(());
    };
    let mut body = format!("{}年4月 人事異動について（案）\n\n", TODAY.y);
    for (k, e) in picked.iter().enumerate() {
        let depts = crate::world::DEPARTMENTS;
        let to = (1..depts.len())
            .map(|j| depts[(k * 2 + j) % depts.len()])
            .find(|d| *d != e.dept)
            .unwrap_or("総務部");
        let hon = if k % 2 == 0 { "様" } else { "さん" };
        body.push_str(&format!(
            "{}{}：{}から{}へ異動。",
            e.p.name_tight(),
            hon,
            e.dept,
            to
        ));
        if rng.gen_bool(0.5) {
            body.push_str("本人了承済み。\n");
        } else {
            body.push_str("引継ぎは月末までに完了予定。\n");
        }
    }
    // The birth date and home address of one person, inside sentences, as
    // people write them when arranging a company-house move.
    body.push_str(&format!(
        "\n{}さん（{}生）は転居予定。新住所は{}{}とのこと。社宅の手配を総務に依頼。\n",
        first.p.surname,
        first.p.birth.fmt(DateFmt::EraKanji),
        first.p.loc.prefecture,
        first
            .p
            .address()
            .trim_start_matches(first.p.loc.prefecture.as_str()),
    ));
    let name = st.pick("異動メモ.txt", "人事異動について.txt");
    w.text(
        &format!("{dir}/{name}"),
        &body,
        text(st.pick(Enc::EucJp, Enc::Utf8), st == Style::Alternate),
        &["name", "birth_date", "address"],
        About::of("employee", &ids(&picked)),
    )
}
