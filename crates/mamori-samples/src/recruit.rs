//! 採用: resumes and entry sheets (one file per applicant), the applicant
//! list and the seminar attendee list.

use crate::encodings::{col, csv, text, Enc, Table};
use crate::persons::{DateFmt, TODAY};
use crate::style::Style;
use crate::truth::{About, Writer};
use crate::world::{Applicant, World};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub fn write(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
) -> Result<(), SampleError> {
    if world.applicants.is_empty() {
        return Ok(());
    }
    let dir = st.saiyo();
    for (i, a) in world.applicants.iter().enumerate() {
        resume(w, a, i, st, rng, dir)?;
    }
    list(w, world, st, rng, dir)?;
    seminar(w, world, st, dir)?;
    Ok(())
}

fn resume(
    w: &mut Writer,
    a: &Applicant,
    i: usize,
    st: Style,
    rng: &mut ChaCha8Rng,
    dir: &str,
) -> Result<(), SampleError> {
    let p = &a.p;
    let bf = if i % 2 == 0 {
        DateFmt::EraKanji
    } else {
        DateFmt::KanjiWestern
    };
    let grad = a.grad_year.min(TODAY.y);
    let mut b = String::new();
    let title = if a.new_grad {
        "エントリーシート"
    } else {
        "履歴書"
    };
    b.push_str(&format!(
        "{title}\n{}年{}月{}日現在\n\n",
        TODAY.y,
        TODAY.m - 1,
        rng.gen_range(1..28)
    ));
    b.push_str(&format!("ふりがな　{}\n", p.hiragana()));
    b.push_str(&format!("氏名　　　{}\n", p.name()));
    b.push_str(&format!(
        "生年月日　{}生（満{}歳）\n",
        p.birth.fmt(bf),
        p.age()
    ));
    b.push_str(&format!("性別　　　{}\n", p.gender()));
    b.push_str(&format!(
        "現住所　　〒{}\n　　　　　{}\n",
        p.loc.postal,
        p.address()
    ));
    b.push_str(&format!("電話　　　{}\n", p.mobile));
    b.push_str(&format!("メール　　{}\n\n", p.email));
    b.push_str("学歴\n");
    b.push_str(&format!(
        "{}年3月　{}立第一高等学校 卒業\n",
        grad - 4,
        p.loc.prefecture
    ));
    b.push_str(&format!(
        "{}年4月　{} {} 入学\n",
        grad - 4,
        a.school,
        a.faculty
    ));
    if a.new_grad {
        b.push_str(&format!(
            "{}年3月　{} {} 卒業見込み\n\n",
            grad.max(TODAY.y),
            a.school,
            a.faculty
        ));
    } else {
        b.push_str(&format!(
            "{grad}年3月　{} {} 卒業\n\n職歴\n",
            a.school, a.faculty
        ));
        b.push_str(&format!(
            "{grad}年4月　株式会社丸和ハウジング 入社（{}担当）\n",
            a.job
        ));
        b.push_str(&format!(
            "{}年3月　一身上の都合により退社\n",
            (grad + rng.gen_range(2..8)).min(TODAY.y)
        ));
        b.push_str("以上\n\n");
    }
    b.push_str(&format!(
        "志望動機\n地域に根ざした建設会社として長く愛される貴社で、{}の仕事を通じて街づくりに貢献したいと考え志望しました。\n\n",
        a.job
    ));
    b.push_str(
        "自己PR\n学生時代はサークルの会計を務め、粘り強く課題に取り組む姿勢を身につけました。\n\n",
    );
    b.push_str("資格　普通自動車第一種運転免許\n");
    let sub = if a.new_grad {
        format!("{}年度新卒", TODAY.y + 1)
    } else {
        "中途".to_string()
    };
    let fname = if a.new_grad {
        format!(
            "{}_{}_{}.txt",
            a.no,
            st.pick("エントリーシート", "ES"),
            p.name_tight()
        )
    } else {
        format!(
            "{}_{}_{}.txt",
            a.no,
            st.pick("履歴書", "職務経歴書"),
            p.name_tight()
        )
    };
    let enc = if i % 3 == 1 {
        Enc::ShiftJis
    } else {
        st.pick(Enc::Utf8, Enc::Utf8Bom)
    };
    w.text(
        &format!("{dir}/{sub}/{fname}"),
        &b,
        text(enc, enc == Enc::ShiftJis),
        &[
            "name",
            "birth_date",
            "gender",
            "address",
            "phone",
            "email",
            "resume",
        ],
        About::of("applicant", &[p.id]),
    )
}

fn list(
    w: &mut Writer,
    world: &World,
    st: Style,
    rng: &mut ChaCha8Rng,
    dir: &str,
) -> Result<(), SampleError> {
    let bf = st.birth_fmt(rng);
    let mut t = Table::new(vec![
        col("応募番号", None),
        col(st.h_name(), Some("name")),
        col(st.h_kana(), Some("name")),
        col(st.h_birth(), Some("birth_date")),
        col(st.h_gender(), Some("gender")),
        col(st.h_mobile(), Some("phone")),
        col(st.h_email(), Some("email")),
        col("応募職種", None),
        col("選考状況", None),
    ]);
    for a in &world.applicants {
        let p = &a.p;
        t.push(vec![
            a.no.clone(),
            p.name(),
            p.kana(),
            p.birth.fmt(bf),
            p.gender().into(),
            p.mobile.clone(),
            p.email.clone(),
            a.job.into(),
            ["書類選考中", "一次面接", "最終面接", "内定", "不採用"][rng.gen_range(0..5)].into(),
        ]);
    }
    st.arrange(&mut t, 2);
    let ids: Vec<usize> = world.applicants.iter().map(|a| a.p.id).collect();
    let name = st.pick("応募者一覧.csv", "応募者リスト.csv");
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(Enc::ShiftJis),
        About::of("applicant", &ids),
    )
}

fn seminar(w: &mut Writer, world: &World, st: Style, dir: &str) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("No", None),
        col(st.h_name(), Some("name")),
        col("大学名", None),
        col("学部", None),
        col(st.h_email(), Some("email")),
    ]);
    let attendees: Vec<&Applicant> = world
        .applicants
        .iter()
        .filter(|a| a.new_grad)
        .chain(world.attendees_only.iter())
        .collect();
    for (i, a) in attendees.iter().enumerate() {
        t.push(vec![
            (i + 1).to_string(),
            a.p.name(),
            a.school.into(),
            a.faculty.into(),
            a.p.email.clone(),
        ]);
    }
    let ids: Vec<usize> = attendees.iter().map(|a| a.p.id).collect();
    let name = st.pick("会社説明会参加者.csv", "説明会出席者.csv");
    w.table(
        &format!("{dir}/{name}"),
        &t,
        csv(st.pick(Enc::Utf8, Enc::ShiftJis)),
        About::of("applicant", &ids),
    )
}
