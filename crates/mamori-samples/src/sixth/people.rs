//! Files about people: the staff (a hand-kept 社員名簿 with a preamble,
//! per-person folders, 源泉徴収票 named after the person, hand-filled 扶養
//! 控除等申告書), the owners (賃貸人: a ledger with merged-cell blocks and
//! 法人 owners, monthly 送金明細 named after the owner) and the tenants
//! (入居者台帳 per building in mixed encodings, hand-filled 入居申込書).

use super::{birth_hand, local_address, phone_hand, COMPANY, COMPANY_TEL};
use crate::encodings::{col, text, Enc, Table};
use crate::held::Sheet;
use crate::persons::{Person, TODAY};
use crate::truth::{About, Writer};
use crate::world::World;
use crate::SampleError;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub fn write(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    roster(w, world)?;
    person_folders(w, world, rng)?;
    withholding(w, world, rng)?;
    dependants(w, world)?;
    owners(w, world, rng)?;
    statements(w, world, rng)?;
    tenants(w, world, rng)?;
    applications(w, world, rng)?;
    Ok(())
}

fn s(v: &str) -> String {
    v.to_string()
}

/// 社員名簿: five rows of preamble (company, 作成日, 注記, 取扱注意, blank)
/// above the header, hand-typed birth dates and phones.
fn roster(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    let mut t = Table::new(vec![
        col("No", None),
        col("氏名", Some("name")),
        col("ふりがな", Some("name")),
        col("性別", Some("gender")),
        col("生年月日", Some("birth_date")),
        col("現住所", Some("address")),
        col("自宅TEL", Some("phone")),
        col("入社日", None),
        col("所属", None),
    ]);
    let mut ids = Vec::new();
    for (k, e) in world.employees.iter().enumerate() {
        let p = &e.p;
        ids.push(p.id);
        t.push(vec![
            e.no.trim_start_matches('0').to_string(),
            format!("{}　{}", p.surname, p.given),
            p.hiragana(),
            s(p.gender()),
            birth_hand(p.birth, k),
            local_address(p, k % 2 == 0),
            phone_hand(&p.home_phone, k),
            format!("{}.{}.{}", e.hired.y, e.hired.m, e.hired.d),
            s(["管理課", "賃貸管理課", "仲介課", "経理課"][k % 4]),
        ]);
    }
    let mut sh = Sheet::new(t, ',', Enc::ShiftJis);
    sh.title = vec![
        vec![format!("{COMPANY}　社員名簿")],
        vec![s(""), s(""), s(""), s("作成日"), format!("{}/4/1", TODAY.y)],
        vec![s("※住所変更があった場合は総務（内線21）まで")],
        vec![s("※取扱注意　社外持出禁止")],
        vec![],
    ];
    sh.write(
        w,
        "総務/社員名簿/社員名簿_R7.4.1現在.csv",
        About::of("employee", &ids),
    )
}

/// `総務/社員/0012_佐藤花子/`: small files that leave the name to the folder.
fn person_folders(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    for (k, e) in world.employees.iter().enumerate().take(40) {
        let p = &e.p;
        let dir = format!(
            "総務/社員/{}_{}",
            e.no.trim_start_matches('0'),
            p.name_tight()
        );
        let one = [p.id];
        // 通勤経路: the home address and the route, nothing else.
        let station = ["新横浜", "菊名", "大倉山", "綱島", "日吉"][k % 5];
        let body = format!(
            "通勤経路届\n\n自宅　：　{}\n最寄駅：{}駅（徒歩{}分）\n経路　：{}駅 → 新横浜駅\n定期代（1ヶ月）：{}円\n\n提出日：{}年{}月{}日\n",
            local_address(p, k % 3 == 0),
            station,
            rng.gen_range(3..20),
            station,
            rng.gen_range(30..120) * 100,
            TODAY.y,
            rng.gen_range(1..4),
            rng.gen_range(1..28)
        );
        w.text(
            &format!("{dir}/通勤経路.txt"),
            &body,
            text(Enc::ShiftJis, true),
            &["name", "address"],
            About::of("employee", &one),
        )?;
        // 緊急連絡先: the relative's data only; the employee is the folder.
        let r = &p.emergency;
        let body = format!(
            "緊急連絡先\n\n氏名　　：{}\n続柄　　：{}\n電話番号：{}\n",
            r.name,
            r.relation,
            phone_hand(&r.phone, k)
        );
        w.text(
            &format!("{dir}/緊急連絡先.txt"),
            &body,
            text(Enc::Utf8, false),
            &["name", "emergency_contact"],
            About::of("employee", &one),
        )?;
        // 口座振込依頼書: the holder's kana is the name again.
        let a = &p.account;
        let body = match &a.yucho {
            Some((kigo, bango)) => format!(
                "給与振込口座届\n\n■ゆうちょ銀行\n記号：{kigo}\n番号：{bango}\n口座名義（カナ）：{}\n",
                p.holder_kana()
            ),
            None => format!(
                "給与振込口座届\n\n金融機関：{}　{}支店\n預金種目：{}\n口座番号：{}\n口座名義（カナ）：{}\n",
                a.bank_name,
                a.branch_name,
                if a.kind == "普通" {
                    "■普通　□当座"
                } else {
                    "□普通　■当座"
                },
                a.number,
                p.holder_kana()
            ),
        };
        w.text(
            &format!("{dir}/口座振込依頼書.txt"),
            &body,
            text(Enc::ShiftJis, true),
            &["name", "bank_account"],
            About::of("employee", &one),
        )?;
    }
    Ok(())
}

/// `総務/源泉徴収票/R6/山田太郎_源泉徴収票.txt`: the name is the file name;
/// the text export of the form holds the address, birth date and amounts.
fn withholding(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let people = world
        .former
        .iter()
        .chain(world.employees.iter().skip(40).take(20));
    for (k, e) in people.enumerate() {
        let p = &e.p;
        let deps = p.children.len() + usize::from(p.spouse.is_some());
        let pay = rng.gen_range(180..720) * 10_000;
        let mut body = format!(
            "令和6年分　給与所得の源泉徴収票\n\n支払を受ける者\n　住所又は居所　{}\n\n種別　　　　給料・賞与\n支払金額　　{pay}\n給与所得控除後の金額　{}\n源泉徴収税額　{}\n",
            local_address(p, k % 2 == 1),
            pay * 7 / 10,
            pay / 40
        );
        let mut items = vec!["name", "address", "birth_date"];
        if deps > 0 {
            body.push_str(&format!("控除対象扶養親族の数　{deps}人\n"));
            items.push("family");
        }
        body.push_str(&format!(
            "\n生年月日　{}\n\n支払者　{COMPANY}　横浜市港北区新横浜二丁目5番地14　電話 {COMPANY_TEL}\n",
            birth_hand(p.birth, k + 1)
        ));
        let year = if e.left.is_some() {
            "R6_退職者"
        } else {
            "R6"
        };
        w.text(
            &format!("総務/源泉徴収票/{year}/{}_源泉徴収票.txt", p.name_tight()),
            &body,
            text(if k % 3 == 0 { Enc::Utf8 } else { Enc::ShiftJis }, true),
            &items,
            About::of("employee", &[p.id]),
        )?;
    }
    Ok(())
}

/// 扶養控除等申告書 typed into a .txt by hand: labels spaced with
/// ideographic spaces, full-width colons, the My Number in groups of four.
fn dependants(w: &mut Writer, world: &World) -> Result<(), SampleError> {
    for (k, e) in world.employees.iter().enumerate().take(30) {
        let p = &e.p;
        let mn = &p.my_number;
        let mut body = format!(
            "令和7年分　給与所得者の扶養控除等（異動）申告書\n\n氏　　名　：　{}　{}\nフリガナ　：　{}\n生年月日　：　{}\n住　　所　：　〒{}　{}\n個人番号　：　{} {} {}\n世 帯 主　：　本人\n\n",
            p.surname,
            p.given,
            p.kana(),
            birth_hand(p.birth, k + 2),
            p.loc.postal,
            local_address(p, k % 2 == 0),
            &mn[..4],
            &mn[4..8],
            &mn[8..]
        );
        let mut items = vec!["name", "birth_date", "address", "my_number"];
        let mut fam = false;
        if let Some(sp) = &p.spouse {
            body.push_str(&format!(
                "源泉控除対象配偶者\n　氏名：{}　　続柄：{}　　生年月日：{}\n",
                sp.name,
                sp.relation,
                birth_hand(sp.birth, k + 3)
            ));
            fam = true;
        }
        for (j, c) in p.children.iter().enumerate() {
            body.push_str(&format!(
                "控除対象扶養親族({})\n　氏名：{}　　続柄：{}　　生年月日：{}\n",
                j + 1,
                c.name,
                c.relation,
                birth_hand(c.birth, k + j)
            ));
            fam = true;
        }
        if !fam {
            body.push_str("源泉控除対象配偶者　：　なし\n控除対象扶養親族　：　なし\n");
        } else {
            items.push("family");
        }
        w.text(
            &format!("総務/年末調整/R7/扶養控除等申告書_{}.txt", e.no),
            &body,
            text(Enc::ShiftJis, true),
            &items,
            About::of("employee", &[p.id]),
        )?;
    }
    Ok(())
}

/// 法人 owners among the persons: in the ledger, not data subjects.
const CORP_OWNERS: &[(&str, &str, &str, &str)] = &[
    (
        "有限会社港北興産",
        "横浜市港北区大豆戸町312番地",
        "045-544-1180",
        "港北興産ビル",
    ),
    (
        "合同会社ミナトエステート",
        "川崎市中原区小杉町一丁目403番地",
        "044-711-2093",
        "ミナト小杉",
    ),
];

/// オーナー台帳: an owner's name, address, phone and bank only on the first
/// row of the owner's block (the cells were merged in Excel).
fn owners(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    if world.landlords.is_empty() {
        return Ok(());
    }
    let mut t = Table::new(vec![
        col("オーナーNo", None),
        col("オーナー名", Some("name")),
        col("住所", Some("address")),
        col("連絡先", Some("phone")),
        col("送金先口座", Some("bank_account")),
        col("物件名", None),
        col("戸数", None),
        col("管理料率", None),
    ]);
    let mut ids = Vec::new();
    let mut no = 101;
    let buildings = ["コーポ", "ハイツ", "メゾン", "レジデンス"];
    for (k, l) in world.landlords.iter().enumerate() {
        let p = &l.p;
        ids.push(p.id);
        let a = &p.account;
        let bank = match &a.yucho {
            Some((kigo, bango)) => format!("ゆうちょ {kigo}-{bango}"),
            None => format!("{} {} {} {}", a.bank_name, a.branch_name, a.kind, a.number),
        };
        let addr = if k % 3 == 0 {
            p.address()
        } else {
            local_address(p, k % 2 == 0)
        };
        let blocks = 1 + k % 3;
        for b in 0..blocks {
            let property = format!(
                "{}{}{}",
                buildings[(k + b) % 4],
                p.surname,
                ["", "Ⅱ", "東"][b]
            );
            let first = b == 0;
            let cell = |v: String| if first { v } else { String::new() };
            t.push(vec![
                cell(no.to_string()),
                cell(p.name()),
                cell(addr.clone()),
                cell(phone_hand(&p.home_phone, k)),
                cell(bank.clone()),
                property,
                rng.gen_range(4..24).to_string(),
                s(["5%", "5.5%", "3%"][k % 3]),
            ]);
        }
        no += 1;
        if k == 2 || k == 5 {
            let (name, addr, tel, bldg) = CORP_OWNERS[k / 5];
            t.push(vec![
                no.to_string(),
                s(name),
                s(addr),
                s(tel),
                s("横浜銀行 新横浜支店 当座 0123456"),
                s(bldg),
                s("30"),
                s("4%"),
            ]);
            no += 1;
        }
    }
    let mut sh = Sheet::new(t, ',', Enc::ShiftJis);
    sh.title = vec![
        vec![s("管理物件オーナー台帳")],
        vec![format!("更新：{}年3月末", TODAY.y)],
        vec![],
    ];
    sh.write(
        w,
        "賃貸管理/オーナー/オーナー台帳.csv",
        About::of("landlord", &ids),
    )
}

/// 送金明細_鈴木一郎様_2025年03月.txt: the owner is named by the file name.
fn statements(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    for (k, l) in world.landlords.iter().enumerate() {
        let p = &l.p;
        for m in 1..=3u32 {
            let rent = rng.gen_range(20..90) * 10_000;
            let a = &p.account;
            let dest = match &a.yucho {
                Some((kigo, bango)) => format!("ゆうちょ銀行　記号{kigo}　番号{bango}"),
                None => format!(
                    "{}　{}支店　{}　{}",
                    a.bank_name, a.branch_name, a.kind, a.number
                ),
            };
            let body = format!(
                "送金明細書（{}年{m}月分）\n\n賃料等収入合計　　{rent}円\n管理手数料　　　　-{}円\n修繕費立替　　　　-{}円\n送金額　　　　　　{}円\n\n送金先：{dest}\n送金日：{}年{m}月25日\n\n{COMPANY}　賃貸管理課\n",
                TODAY.y,
                rent / 20,
                if m == 2 { 16_500 } else { 0 },
                rent - rent / 20 - if m == 2 { 16_500 } else { 0 },
                TODAY.y
            );
            w.text(
                &format!(
                    "賃貸管理/オーナー/送金明細/{}年{m:02}月/送金明細_{}様_{}年{m:02}月.txt",
                    TODAY.y,
                    p.name_tight(),
                    TODAY.y
                ),
                &body,
                text(if k % 2 == 0 { Enc::ShiftJis } else { Enc::Utf8 }, true),
                &["name", "bank_account"],
                About::of("landlord", &[p.id]),
            )?;
        }
    }
    Ok(())
}

const PROPERTIES: &[(&str, Enc)] = &[
    ("コーポ大倉山", Enc::ShiftJis),
    ("ハイツ菊名", Enc::Utf8),
    ("メゾン綱島", Enc::ShiftJis),
    ("レジデンス日吉", Enc::Utf8Bom),
    ("グリーンハイム新羽", Enc::EucJp),
    ("サンライズ北新横浜", Enc::ShiftJis),
    ("パークサイド岸根", Enc::Utf8),
    ("コーポ小机", Enc::ShiftJis),
];

/// 入居者台帳, one per building in that building's folder: a preamble, then
/// rows per room; a 同居人 on the row below the contract holder with the
/// room and holder cells left empty (merged in Excel).
fn tenants(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    let n = world.customers.len();
    let per = n.div_ceil(PROPERTIES.len()).max(1);
    for (b, chunk) in world.customers.chunks(per).enumerate() {
        let (prop, enc) = PROPERTIES[b % PROPERTIES.len()];
        let mut t = Table::new(vec![
            col("号室", None),
            col("契約者氏名", Some("name")),
            col("フリガナ", Some("name")),
            col("生年月日", Some("birth_date")),
            col("連絡先", Some("phone")),
            col("勤務先", None),
            col("同居人", Some("family")),
            col("緊急連絡先", Some("emergency_contact")),
            col("入居日", None),
            col("賃料", None),
        ]);
        let mut ids = Vec::new();
        for (r, c) in chunk.iter().enumerate() {
            let p = &c.p;
            ids.push(p.id);
            let room = format!("{}{:02}", 1 + r / 8, 1 + r % 8);
            let em = &p.emergency;
            let work = [
                "会社員",
                "（株）ヨコハマ物流",
                "自営業",
                "学生",
                "パート",
                "公務員",
            ][rng.gen_range(0..6)];
            t.push(vec![
                room,
                p.name(),
                p.kana(),
                birth_hand(p.birth, r + b),
                phone_hand(&p.mobile, r),
                s(work),
                String::new(),
                format!("{}（{}）{}", em.name, em.relation, em.phone),
                format!("{}/{}/{}", c.since.y, c.since.m, 1),
                (rng.gen_range(55..120) * 1000).to_string(),
            ]);
            // The spouse on the row below: the merged cells come out empty.
            if let Some(sp) = p.spouse.as_ref().filter(|_| r % 4 == 1) {
                t.push(vec![
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    format!("{}（{}）", sp.name, sp.relation),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        let mut sh = Sheet::new(t, ',', enc);
        sh.title = vec![
            vec![s("入居者台帳")],
            vec![s("物件名"), s(prop)],
            vec![s("管理番号"), format!("M-{:03}", 12 + b * 7)],
            vec![s("作成"), format!("{}.3.31", TODAY.y), s("賃貸管理課")],
            vec![],
        ];
        let mut about = About::of("customer", &ids);
        about.records = ids.len() as u64;
        sh.write(w, &format!("賃貸管理/入居者/{prop}/入居者台帳.csv"), about)?;
    }
    Ok(())
}

/// 入居申込書 typed from the paper form: the applicant's current address
/// (before moving in), birth date, phone, mail and workplace.
fn applications(w: &mut Writer, world: &World, rng: &mut ChaCha8Rng) -> Result<(), SampleError> {
    for (k, c) in world.customers.iter().enumerate().step_by(9) {
        let p: &Person = &c.p;
        let (prop, enc) = PROPERTIES[k % PROPERTIES.len()];
        let addr = if k % 2 == 0 {
            format!("{}{}", p.loc.prefecture, local_address(p, false))
        } else {
            local_address(p, true)
        };
        let gap = ["：", "　：　", " : ", "："][k % 4];
        let body = format!(
            "入 居 申 込 書\n\n物件名{gap}{prop}　{}号室\n\n申込者\n氏　　名{gap}{}\nフリガナ{gap}{}\n生年月日{gap}{}\n現 住 所{gap}〒{}\n　　　　　{}\n電話番号{gap}{}\nE-mail{gap}{}\n勤 務 先{gap}{}\n年　　収{gap}{}万円\n\n緊急連絡先\n氏　　名{gap}{}（{}）\n電話番号{gap}{}\n\n受付{gap}{}年{}月{}日　担当：{}\n",
            100 + rng.gen_range(1..9),
            p.name(),
            p.kana(),
            birth_hand(p.birth, k + 1),
            p.loc.postal,
            addr,
            phone_hand(&p.mobile, 0),
            p.email,
            ["（株）港北システム", "横浜市役所", "自営（飲食店）", "学生"][k % 4],
            rng.gen_range(20..90) * 10,
            p.emergency.name,
            p.emergency.relation,
            phone_hand(&p.emergency.phone, k),
            c.since.y,
            c.since.m,
            1 + k % 27,
            ["佐藤", "小林", "中村"][k % 3]
        );
        w.text(
            &format!("賃貸管理/入居者/申込書/入居申込書_{}_{}.txt", prop, c.no),
            &body,
            text(
                if enc == Enc::EucJp {
                    Enc::EucJp
                } else {
                    Enc::ShiftJis
                },
                true,
            ),
            &[
                "name",
                "birth_date",
                "address",
                "phone",
                "email",
                "emergency_contact",
            ],
            About::of("customer", &[p.id]),
        )?;
    }
    Ok(())
}
