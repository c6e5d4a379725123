//! 05_採用活動 of the held-out office: resumes drawn as tables in text
//! (box characters or pipes) or as a web form's "label：value" dump, the
//! entry roster as TSV, and a seminar questionnaire exported from Excel.

use super::{bday, plain, row1, tel, Bd, Sheet};
use crate::encodings::{col, text, Enc, Table};
use crate::persons::{Date, TODAY};
use crate::truth::{About, Writer};
use crate::world::{Applicant, World};
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const SAIYO: &str = "05_採用活動";

pub fn write(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    if world.applicants.is_empty() {
        return Ok(());
    }
    for (i, a) in world.applicants.iter().enumerate() {
        resume(w, a, i, rng)?;
    }
    entries(w, world, rng)?;
    questionnaire(w, world, rng)?;
    Ok(())
}

fn history(a: &Applicant, rng: &mut ChaCha8Rng) -> Vec<(String, String)> {
    let grad = a.grad_year.min(TODAY.y);
    let mut h = vec![
        (
            format!("{}年4月", grad - 7),
            format!(
                "{}立{}高等学校 入学",
                a.p.loc.prefecture,
                ["南", "北", "中央"][a.p.id % 3]
            ),
        ),
        (format!("{}年3月", grad - 4), "同校 卒業".to_string()),
        (
            format!("{}年4月", grad - 4),
            format!("{} {} 入学", a.school, a.faculty),
        ),
    ];
    if a.new_grad {
        h.push((
            format!("{}年3月", grad.max(TODAY.y + 1)),
            "同大学 卒業見込".into(),
        ));
    } else {
        h.push((format!("{grad}年3月"), "同大学 卒業".into()));
        let left = (grad + rng.gen_range(2..8)).min(TODAY.y);
        h.push((
            format!("{grad}年4月"),
            format!("東和メンテナンス株式会社 入社　{}に従事", a.job),
        ));
        h.push((format!("{left}年3月"), "同社 退職".into()));
    }
    h
}

fn resume(
    w: &mut Writer,
    a: &Applicant,
    i: usize,
    rng: &mut ChaCha8Rng,
) -> Result<(), SampleError> {
    let p = &a.p;
    let bf = [
        Bd::KanjiNumerals,
        Bd::EraPadded,
        Bd::WesternDot,
        Bd::FullWidth,
    ][i % 4];
    let born = bday(p.birth, bf);
    let hist = history(a, rng);
    let motive = format!(
        "設備工事を通じて建物の快適さを支える仕事に魅力を感じ、{}として地域の現場で経験を積みたいと考えました。",
        a.job
    );
    let hobby = ["登山、写真", "野球（高校まで）", "料理、キャンプ", "読書"][i % 4];
    let phone = tel(&p.mobile, i);
    // Layout is independent of new-graduate vs career (i % 3 == 2).
    let b = match (i + i / 3) % 3 {
        0 => {
            let mut b = String::new();
            b.push_str("┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓\n");
            b.push_str(&format!(
                "┃　履　歴　書　　　　　　　{}年{}月{}日現在　┃\n",
                TODAY.y,
                TODAY.m,
                rng.gen_range(1..28)
            ));
            b.push_str("┣━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┫\n");
            b.push_str(&format!("┃ふりがな　　┃{}\n", p.hiragana()));
            b.push_str(&format!("┃氏　　名　　┃{}\n", p.name().replace(' ', "　")));
            b.push_str(&format!(
                "┃生年月日　　┃{}生　（満{}歳）　　┃性別┃{}\n",
                born,
                p.age(),
                p.gender()
            ));
            b.push_str(&format!(
                "┃現 住 所　　┃〒{}　{}\n",
                p.loc.postal,
                p.address()
            ));
            b.push_str(&format!("┃携帯電話　　┃{phone}\n"));
            b.push_str(&format!("┃E-mail　　　┃{}\n", p.email));
            b.push_str("┣━━━━━━╋━━━━━━━━━━━━━━━━━━━━━━━━┫\n");
            b.push_str("┃年　月　　　┃学歴・職歴\n");
            for (d, what) in &hist {
                b.push_str(&format!("┃{d}　┃{what}\n"));
            }
            b.push_str("┃　　　　　　┃以上\n");
            b.push_str("┣━━━━━━┻━━━━━━━━━━━━━━━━━━━━━━━━┫\n");
            b.push_str(&format!("┃志望の動機\n┃{motive}\n"));
            b.push_str(&format!("┃趣味・特技　{hobby}\n"));
            b.push_str("┃本人希望記入欄　貴社の規定に従います。\n");
            b.push_str("┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛\n");
            b
        }
        1 => {
            let mut b = String::from("|項目|内容|\n|:--|:--|\n");
            b.push_str(&format!("|フリガナ|{}|\n", p.kana()));
            b.push_str(&format!("|お名前|{}|\n", p.name()));
            b.push_str(&format!("|生年月日|{born}（{}歳）|\n", p.age()));
            b.push_str(&format!("|性別|{}性|\n", p.gender()));
            b.push_str(&format!("|住所|〒{} {}|\n", p.loc.postal, p.address()));
            b.push_str(&format!(
                "|連絡先|{phone}|\n|メールアドレス|{}|\n\n",
                p.email
            ));
            b.push_str("学歴・職歴\n\n|年月|内容|\n|---|---|\n");
            for (d, what) in &hist {
                b.push_str(&format!("|{d}|{what}|\n"));
            }
            b.push_str(&format!(
                "\n志望理由\n{motive}\n\nアピールポイント\n{}\n",
                "アルバイト先で新人教育を任され、マニュアルを作り直しました。"
            ));
            b
        }
        _ => {
            let mut b = format!(
                "【WEBエントリー受付】受付番号 {}\n----------------------------------------\n",
                a.no
            );
            b.push_str(&format!("お名前：{}（{}）\n", p.name(), p.hiragana()));
            b.push_str(&format!("誕生日：{born}\n性別：{}\n", p.gender()));
            b.push_str(&format!(
                "ご住所：{} {}\n電話番号：{phone}\nE-mail：{}\n",
                p.loc.postal,
                p.address(),
                p.email
            ));
            b.push_str("----------------------------------------\n■ 最終学歴\n");
            b.push_str(&format!("{} {}\n", a.school, a.faculty));
            if !a.new_grad {
                b.push_str("■ 職務経歴\n");
                for (d, what) in hist.iter().skip(4) {
                    b.push_str(&format!("{d}　{what}\n"));
                }
            }
            b.push_str(&format!(
                "■ 当社を志望する理由\n{motive}\n■ 趣味\n{hobby}\n"
            ));
            b
        }
    };
    let (sub, fname) = if a.new_grad {
        (
            format!("{}卒/応募書類", TODAY.y + 1),
            match (i + i / 3) % 3 {
                0 => format!("{}_履歴書.txt", p.name_tight()),
                1 => format!("【応募書類】{}.md", p.name()),
                _ => format!("ES_{}.txt", a.no),
            },
        )
    } else {
        (
            "キャリア採用/書類".to_string(),
            format!("{}_{}.txt", a.no, p.surname),
        )
    };
    let enc = [Enc::Utf8, Enc::Utf8Bom, Enc::Utf16LeBom][i % 3];
    w.text(
        &format!("{SAIYO}/{sub}/{fname}"),
        &b,
        text(enc, i % 2 == 0),
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

/// The entry roster, TSV in UTF-8 without BOM; birth dates 1998.04.01;
/// interview dates beside them.
fn entries(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("受付No", None),
        col("氏名(漢字)", Some("name")),
        col("氏名(カナ)", Some("name")),
        col("生年月日", Some("birth_date")),
        col("学校名", None),
        col("学部・学科", None),
        col("携帯", Some("phone")),
        col("PCメール", Some("email")),
        col("選考ステップ", None),
        col("次回面接日", None),
    ]);
    for (i, a) in world.applicants.iter().enumerate() {
        let p = &a.p;
        t.push(vec![
            a.no.clone(),
            p.name(),
            p.holder_kana(),
            bday(p.birth, Bd::WesternDot),
            a.school.into(),
            a.faculty.into(),
            tel(&p.mobile, i + 2),
            p.email.clone(),
            ["ES提出", "SPI受検", "1次面接", "最終面接", "内々定", "辞退"][i % 6].into(),
            plain(Date {
                y: TODAY.y,
                m: 4 + (i % 2) as u32,
                d: rng.gen_range(1..29),
            }),
        ]);
    }
    let ids: Vec<usize> = world.applicants.iter().map(|a| a.p.id).collect();
    let s = Sheet::new(t, '\t', Enc::Utf8);
    s.write(
        w,
        &format!("{SAIYO}/エントリー者一覧.tsv"),
        About::of("applicant", &ids),
    )
}

/// Seminar questionnaire: Excel "CSV UTF-8", cells with commas and line
/// breaks; attendees who never applied are in it too.
fn questionnaire(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("回答日時", None),
        col("お名前", Some("name")),
        col("大学・学部", None),
        col("連絡用アドレス", Some("email")),
        col("参加回", None),
        col("ご質問・ご感想", None),
    ]);
    let attendees: Vec<&Applicant> = world
        .applicants
        .iter()
        .filter(|a| a.new_grad)
        .chain(world.attendees_only.iter())
        .collect();
    let comments = [
        "施工管理の仕事内容が具体的に分かり、\n大変参考になりました。",
        "若手社員の方のお話が聞けて良かったです。残業は月何時間くらいですか？",
        "",
        "資格取得支援について、もう少し詳しく知りたいです。\n(2級管工事, 電気工事士など)",
        "特になし",
    ];
    for (i, a) in attendees.iter().enumerate() {
        t.push(vec![
            format!(
                "{}/{}/{} {}:{:02}:{:02}",
                TODAY.y,
                3,
                5 + (i % 3) * 7,
                13 + i % 4,
                rng.gen_range(0..60),
                rng.gen_range(0..60)
            ),
            a.p.name(),
            format!("{}, {}", a.school, a.faculty),
            a.p.email.clone(),
            format!("第{}回（3/{} オンライン）", i % 3 + 1, 5 + (i % 3) * 7),
            comments[i % comments.len()].into(),
        ]);
    }
    let ids: Vec<usize> = attendees.iter().map(|a| a.p.id).collect();
    let mut s = Sheet::new(t, ',', Enc::Utf8Bom);
    s.title = vec![row1("会社説明会 参加者アンケート（集計）")];
    s.write(
        w,
        &format!("{SAIYO}/説明会/アンケート回答_{}卒.csv", TODAY.y + 1),
        About::of("applicant", &ids),
    )
}
