//! The four documents' content: impact assessment, draft report to the
//! Commission (its nine items), public notice, letter to data subjects.
//! Only what the assessment knows is stated; the rest is marked for a person.

use super::{todo_mark, Block, Document};
use crate::assess::Assessment;
use crate::timeline::{actor_text, jst_text};
use chrono::NaiveDate;
use mamori_core::{Category, DataItem, Lang};
use mamori_journal::{Incident, IncidentSource, IncidentState};

/// What the documents are made from.
pub struct Context<'a> {
    pub assessment: &'a Assessment,
    pub incident: &'a Incident,
    pub lang: Lang,
    /// The organisation's name, when configured.
    pub organization: Option<String>,
}

impl Context<'_> {
    fn t<'s>(&self, ja: &'s str, en: &'s str) -> &'s str {
        self.lang.pick(ja, en)
    }

    fn todo(&self, what: &str) -> Block {
        Block::ToComplete(format!("{} {what}", todo_mark(self.lang)))
    }

    fn org(&self) -> String {
        self.organization.clone().unwrap_or_else(|| {
            format!(
                "{}{}",
                todo_mark(self.lang),
                self.t("事業者名", "organisation")
            )
        })
    }

    fn date(&self, d: NaiveDate) -> String {
        match self.lang {
            Lang::Ja => d.format("%Y年%-m月%-d日").to_string(),
            Lang::En => d.format("%-d %B %Y").to_string(),
        }
    }

    fn items_text(&self, items: &std::collections::BTreeSet<DataItem>) -> String {
        let labels: Vec<&str> = items.iter().map(|i| i.label(self.lang)).collect();
        labels.join(self.t("、", ", "))
    }

    fn group(&self, id: &str) -> String {
        let category = Category::new(id);
        match self.lang {
            Lang::Ja => category.notice_phrase_ja().to_string(),
            Lang::En => category.label(Lang::En).to_string(),
        }
    }

    fn persons(&self, n: usize) -> String {
        match self.lang {
            Lang::Ja => format!("{n}名"),
            Lang::En => format!("{n} persons"),
        }
    }

    fn yes_no(&self, b: bool) -> &'static str {
        if b {
            self.lang.pick("該当", "applies")
        } else {
            self.lang.pick("非該当", "does not apply")
        }
    }

    fn summary_sentence(&self) -> String {
        let a = self.assessment;
        let i = self.incident;
        match self.lang {
            Lang::Ja => format!(
                "{}頃、当社のファイルサーバの共有フォルダ「{}」がランサムウェアによる攻撃を受け、個人データを含むファイル{}件が暗号化等の被害を受けました（{}に発覚）。攻撃者がファイルにアクセスしたことから、これらの個人データが漏えいしたおそれがあります。",
                jst_text(i.started), i.share, a.files, jst_text(self.discovered())
            ),
            Lang::En => format!(
                "From about {}, the shared folder \"{}\" on our file server was attacked with ransomware; {} files holding personal data were encrypted or otherwise damaged (discovered {}). As the attacker had access to these files, the personal data in them may have leaked.",
                jst_text(i.started), i.share, a.files, jst_text(self.discovered())
            ),
        }
    }

    fn discovered(&self) -> chrono::DateTime<chrono::Utc> {
        self.assessment
            .discovered_at()
            .unwrap_or(self.incident.discovered)
    }

    /// One section per group of people, as a published breach notice has it.
    fn group_sections(&self, level: u8) -> Vec<Block> {
        let mut blocks = Vec::new();
        for (id, subject) in &self.assessment.subjects {
            blocks.push(Block::Heading(level, self.group(id)));
            blocks.push(Block::Bullets(vec![
                format!(
                    "{}: {}",
                    self.t("対象となる方の人数", "Persons concerned"),
                    self.persons(subject.persons)
                ),
                format!(
                    "{}: {}",
                    self.t("漏えい等のおそれのある情報", "Data concerned"),
                    self.items_text(&subject.items)
                ),
            ]));
        }
        blocks
    }

    fn subjects_table(&self) -> Block {
        let header = vec![
            self.t("区分", "Group").to_string(),
            self.t("人数", "Persons").to_string(),
            self.t("項目", "Data items").to_string(),
            self.t("ファイル数", "Files").to_string(),
        ];
        let mut rows: Vec<Vec<String>> = self
            .assessment
            .subjects
            .iter()
            .map(|(id, s)| {
                vec![
                    Category::new(id.as_str()).label(self.lang).to_string(),
                    s.persons.to_string(),
                    self.items_text(&s.items),
                    s.files.to_string(),
                ]
            })
            .collect();
        rows.push(vec![
            self.t("合計", "Total").to_string(),
            self.assessment.persons.to_string(),
            String::new(),
            self.assessment.files.to_string(),
        ]);
        Block::Table(header, rows)
    }

    fn triggers_table(&self) -> Block {
        let t = &self.assessment.triggers;
        let rows = vec![
            (
                self.t(
                    "要配慮個人情報の漏えい等（規則7条1号）",
                    "Sensitive data (Rules art. 7(1))",
                ),
                t.sensitive,
            ),
            (
                self.t(
                    "財産的被害のおそれ（規則7条2号）",
                    "Possible financial damage (art. 7(2))",
                ),
                t.financial,
            ),
            (
                self.t(
                    "不正の目的によるおそれ（規則7条3号）",
                    "Possible malicious purpose (art. 7(3))",
                ),
                t.malicious,
            ),
            (
                self.t(
                    "本人の数が1,000人を超える（規則7条4号）",
                    "More than 1,000 persons (art. 7(4))",
                ),
                t.over_1000,
            ),
            (
                self.t(
                    "特定個人情報（番号法に基づく報告）",
                    "Specific personal information (My Number Act)",
                ),
                t.my_number_act,
            ),
        ];
        Block::Table(
            vec![
                self.t("報告対象事態", "Reporting trigger").to_string(),
                self.t("判定", "Result").to_string(),
            ],
            rows.into_iter()
                .map(|(k, v)| vec![k.to_string(), self.yes_no(v).to_string()])
                .collect(),
        )
    }

    fn deadlines_bullets(&self) -> Block {
        let d = &self.assessment.deadlines;
        let final_days = if self.assessment.triggers.malicious {
            60
        } else {
            30
        };
        Block::Bullets(vec![
            match self.lang {
                Lang::Ja => format!("速報: 速やかに（遅くとも{}まで。発覚日を1日目として5日目）", self.date(d.preliminary)),
                Lang::En => format!("Preliminary report (速報): promptly, at the latest by {} (day 5, the discovery day being day 1)", self.date(d.preliminary)),
            },
            match self.lang {
                Lang::Ja => format!("確報: {}まで（発覚日から{final_days}日以内）", self.date(d.final_report)),
                Lang::En => format!("Final report (確報): by {} (within {final_days} days of discovery)", self.date(d.final_report)),
            },
        ])
    }
}

/// The four documents, plus one letter per group of people.
pub fn documents(c: &Context<'_>) -> Vec<Document> {
    let mut docs = vec![impact(c), commission(c), public_notice(c)];
    for id in c.assessment.subjects.keys() {
        docs.push(letter(c, id));
    }
    docs
}

fn impact(c: &Context<'_>) -> Document {
    let a = c.assessment;
    let title = c
        .t("個人データへの影響評価", "Impact assessment")
        .to_string();
    let mut b = vec![Block::Title(title.clone())];
    b.push(Block::Paragraph(format!(
        "{}: {}　{}: {}",
        c.t("インシデント", "Incident"),
        a.incident,
        c.t("共有", "Share"),
        a.share
    )));
    b.push(Block::Heading(1, c.t("概要", "Summary").into()));
    b.push(Block::Paragraph(c.summary_sentence()));
    b.push(Block::Heading(
        1,
        c.t("影響を受けた方と情報", "Persons and data affected")
            .into(),
    ));
    b.extend(c.group_sections(2));
    b.push(Block::Heading(2, c.t("一覧", "Overview").into()));
    b.push(c.subjects_table());
    b.push(Block::Paragraph(c.t(
        "人数は、攻撃前の棚卸しに記録された鍵付きハッシュから、同じ方を一度だけ数えたものです（複数の区分に該当する方は各区分で数えています）。",
        "Persons are counted once each from the keyed hashes recorded by the inventory before the attack (a person in two groups counts in both).",
    ).into()));
    if a.not_in_inventory > 0 {
        b.push(c.todo(&match c.lang {
            Lang::Ja => format!(
                "棚卸しに記録のないファイルが{}件あります。内容を確認してください。",
                a.not_in_inventory
            ),
            Lang::En => format!(
                "{} affected files are not in the inventory; check their content.",
                a.not_in_inventory
            ),
        }));
    }
    b.push(Block::Heading(
        1,
        c.t("報告義務の判定", "Reporting duties").into(),
    ));
    b.push(c.triggers_table());
    b.push(Block::Heading(1, c.t("報告期限", "Deadlines").into()));
    b.push(c.deadlines_bullets());
    Document {
        stem: "impact-assessment".into(),
        title,
        blocks: b,
    }
}

fn commission(c: &Context<'_>) -> Document {
    let a = c.assessment;
    let i = c.incident;
    let title = c
        .t(
            "個人データの漏えい等の報告（案）",
            "Report of a personal-data breach (draft)",
        )
        .to_string();
    let mut b = vec![Block::Title(title.clone())];
    b.push(Block::Paragraph(format!(
        "{} {}",
        c.t(
            "個人情報保護委員会 御中",
            "To the Personal Information Protection Commission"
        ),
        ""
    )));
    b.push(Block::Paragraph(format!(
        "{}: {}",
        c.t("報告者", "Reporting organisation"),
        c.org()
    )));
    b.push(c.todo(c.t(
        "報告者の所在地、代表者、担当者の連絡先",
        "address, representative and contact person",
    )));
    b.push(Block::Paragraph(format!(
        "{}: {}",
        c.t("報告の種類", "Type of report"),
        c.t(
            "速報（報告時点で把握している事項）",
            "preliminary (facts known at the time of reporting)"
        )
    )));

    b.push(Block::Heading(1, c.t("1. 概要", "1. Summary").into()));
    b.push(Block::Bullets(vec![
        format!("{}: {}", c.t("発生日時", "Occurred"), jst_text(i.started)),
        format!(
            "{}: {}",
            c.t("発覚日時", "Discovered"),
            jst_text(c.discovered())
        ),
        format!(
            "{}: {}",
            c.t("発覚の経緯", "How it was discovered"),
            match i.source {
                IncidentSource::Guard => c.t(
                    "ランサムウェア対策ソフトウェア（mamori guard）による検知",
                    "detection by the ransomware guard (mamori guard)"
                ),
                IncidentSource::Sweep => c.t(
                    "暗号化されたファイル及び脅迫文の発見",
                    "encrypted files and ransom notes found"
                ),
                IncidentSource::Leak =>
                    c.t("リークサイトへの掲載の発見", "a listing on a leak site"),
            }
        ),
        format!(
            "{}: {}",
            c.t("対応状況", "Status"),
            match i.state {
                IncidentState::Detected => c.t("検知", "detected"),
                IncidentState::Blocked => c.t(
                    "攻撃元の接続を遮断済み",
                    "the attacker's connection was blocked"
                ),
                IncidentState::Released => c.t("遮断解除", "block released"),
                IncidentState::Restored => c.t(
                    "ファイルを攻撃前の状態に復元済み",
                    "files restored to their state before the attack"
                ),
            }
        ),
    ]));
    b.push(Block::Paragraph(c.summary_sentence()));

    b.push(Block::Heading(
        1,
        c.t(
            "2. 漏えい等が発生し、又は発生したおそれがある個人データの項目",
            "2. Items of personal data concerned",
        )
        .into(),
    ));
    for (id, s) in &a.subjects {
        b.push(Block::Paragraph(format!(
            "{}: {}",
            Category::new(id.as_str()).label(c.lang),
            c.items_text(&s.items)
        )));
    }
    if a.triggers.sensitive {
        b.push(Block::Paragraph(
            c.t(
                "要配慮個人情報（健康・障害情報等）を含みます。",
                "Includes sensitive data (health, disability ...).",
            )
            .into(),
        ));
    }
    if a.all_items().contains(&DataItem::MyNumber) {
        b.push(Block::Paragraph(
            c.t(
                "特定個人情報（個人番号を含む個人情報）を含みます。",
                "Includes specific personal information (data with My Numbers).",
            )
            .into(),
        ));
    }

    b.push(Block::Heading(
        1,
        c.t(
            "3. 漏えい等が発生し、又は発生したおそれがある個人データに係る本人の数",
            "3. Number of persons concerned",
        )
        .into(),
    ));
    b.push(c.subjects_table());
    b.push(Block::Paragraph(match c.lang {
        Lang::Ja => format!(
            "合計 {}（区分ごとに重複を除いた人数の合計）",
            c.persons(a.persons)
        ),
        Lang::En => format!(
            "Total {} (distinct persons per group, summed)",
            c.persons(a.persons)
        ),
    }));

    b.push(Block::Heading(1, c.t("4. 原因", "4. Cause").into()));
    b.push(Block::Paragraph(format!(
        "{} {}: {}",
        c.t(
            "第三者による不正アクセス（ランサムウェア）。",
            "Unauthorised access by a third party (ransomware)."
        ),
        c.t("攻撃元", "Source of the attack"),
        actor_text(i, c.lang)
    )));
    b.push(c.todo(c.t(
        "侵入経路（VPN機器、リモートデスクトップ等）と脆弱性の調査結果",
        "entry path (VPN device, remote desktop ...) and the investigation's findings",
    )));

    b.push(Block::Heading(
        1,
        c.t(
            "5. 二次被害又はそのおそれの有無及びその内容",
            "5. Secondary harm",
        )
        .into(),
    ));
    b.push(Block::Paragraph(if a.exfiltration_known {
        c.t("攻撃者による読み取り又はリークサイトへの掲載が確認されており、個人データが悪用されるおそれがあります。", "Reading by the attacker or a leak-site listing was observed; the data may be misused.").to_string()
    } else {
        c.t("現時点で二次被害は確認されていませんが、攻撃者がファイルにアクセスしたことから、漏えいのおそれを否定できません。", "No secondary harm has been confirmed so far; as the attacker had access to the files, a leak cannot be ruled out.").to_string()
    }));
    b.push(c.todo(c.t(
        "リークサイトの監視結果、不審な連絡の有無",
        "leak-site monitoring results, suspicious contacts",
    )));

    b.push(Block::Heading(
        1,
        c.t("6. 本人への対応の実施状況", "6. Actions for the persons")
            .into(),
    ));
    b.push(Block::Paragraph(match c.lang {
        Lang::Ja => format!(
            "対象となる方（{}）に書面で個別に通知する準備を進めています。",
            c.persons(a.persons)
        ),
        Lang::En => format!(
            "Letters to each of the persons concerned ({}) are being prepared.",
            c.persons(a.persons)
        ),
    }));
    b.push(c.todo(c.t(
        "通知の発送日、問い合わせ窓口の設置日",
        "date letters are sent, date the enquiry desk opens",
    )));

    b.push(Block::Heading(
        1,
        c.t("7. 公表の実施状況", "7. Public announcement").into(),
    ));
    b.push(c.todo(c.t(
        "ウェブサイトでの公表日（公表文案を添付）",
        "date of the announcement on the website (draft attached)",
    )));

    b.push(Block::Heading(
        1,
        c.t("8. 再発防止のための措置", "8. Measures against recurrence")
            .into(),
    ));
    b.push(Block::Bullets(vec![
        c.t("ファイルサーバへの書き込みを監視し、ランサムウェアの挙動を検知した時点で接続を遮断する仕組みの導入", "monitoring writes to the file server and cutting the connection at the first ransomware behaviour").into(),
        c.t("共有フォルダに保管する個人データの棚卸しと、保存期間を過ぎたデータの削除", "an inventory of the personal data kept on shares, and deletion of data past its retention period").into(),
        c.t("バックアップの世代管理とオフライン保管", "versioned, offline backups").into(),
    ]));
    b.push(c.todo(c.t(
        "侵入経路に応じた対策（VPN機器の更新、多要素認証等）",
        "measures for the entry path (VPN updates, multi-factor authentication ...)",
    )));

    b.push(Block::Heading(
        1,
        c.t("9. その他参考となる事項", "9. Other relevant matters")
            .into(),
    ));
    b.push(c.triggers_table());
    b.push(c.deadlines_bullets());
    b.push(c.todo(c.t(
        "警察への相談・届出の状況、委託元・委託先の有無",
        "police report, principals or contractors involved",
    )));
    Document {
        stem: "commission-report".into(),
        title,
        blocks: b,
    }
}

fn public_notice(c: &Context<'_>) -> Document {
    let title = c
        .t(
            "ランサムウェア被害による個人情報漏えいのおそれに関するお知らせとお詫び",
            "Notice and apology: possible leak of personal information after a ransomware attack",
        )
        .to_string();
    let mut b = vec![Block::Title(title.clone())];
    b.push(Block::Paragraph(c.org()));
    b.push(Block::Paragraph(c.t(
        "このたび、当社のファイルサーバが第三者による不正アクセスを受け、ランサムウェアによりファイルが暗号化される被害が発生しました。これにより、当社が保有する個人情報が漏えいしたおそれがあることが判明いたしました。関係者の皆様に多大なるご迷惑とご心配をおかけしますことを、深くお詫び申し上げます。",
        "Our file server was accessed without authorisation and files were encrypted by ransomware. Personal information we hold may have leaked as a result. We sincerely apologise for the concern and inconvenience this causes.",
    ).into()));
    b.push(Block::Heading(1, c.t("1. 経緯", "1. What happened").into()));
    b.push(Block::Paragraph(c.summary_sentence()));
    b.push(Block::Heading(
        1,
        c.t(
            "2. 漏えいのおそれのある個人情報",
            "2. Personal information concerned",
        )
        .into(),
    ));
    b.extend(c.group_sections(2));
    b.push(Block::Heading(
        1,
        c.t(
            "3. 対象となる方への対応",
            "3. What we do for the persons concerned",
        )
        .into(),
    ));
    b.push(Block::Paragraph(c.t(
        "対象となる方には、書面にて個別にご連絡いたします。ご連絡先が分からない方には、本お知らせをもって通知に代えさせていただきます。",
        "We will write to each person concerned; for those we cannot reach, this notice takes the place of a letter.",
    ).into()));
    b.push(Block::Heading(
        1,
        c.t("4. 再発防止策", "4. Preventing recurrence").into(),
    ));
    b.push(c.todo(c.t("再発防止策の要旨", "summary of the measures")));
    b.push(Block::Heading(
        1,
        c.t("5. お問い合わせ窓口", "5. Enquiries").into(),
    ));
    b.push(c.todo(c.t(
        "窓口の名称、電話番号、受付時間",
        "desk name, phone number, hours",
    )));
    Document {
        stem: "public-notice".into(),
        title,
        blocks: b,
    }
}

fn letter(c: &Context<'_>, id: &str) -> Document {
    let Some(subject) = c.assessment.subjects.get(id) else {
        return Document {
            stem: format!("letter-{id}"),
            title: String::new(),
            blocks: Vec::new(),
        };
    };
    let title = c
        .t(
            "個人情報漏えいのおそれに関するお知らせとお詫び",
            "Notice: possible leak of your personal information",
        )
        .to_string();
    let mut b = vec![Block::Title(title.clone())];
    b.push(Block::Paragraph(
        c.t("«郵便番号»　«住所»", "«postal_code» «address»").into(),
    ));
    b.push(Block::Paragraph(c.t("«氏名» 様", "Dear «name»,").into()));
    b.push(Block::Paragraph(c.org()));
    b.push(Block::Paragraph(c.t(
        "平素より格別のご高配を賜り、厚く御礼申し上げます。このたび、当社のファイルサーバがランサムウェアによる不正アクセスを受け、ご本人様に関する個人情報が漏えいしたおそれがあることが判明いたしました。多大なるご迷惑とご心配をおかけしますことを、心より深くお詫び申し上げます。",
        "We regret to inform you that our file server was attacked with ransomware, and that personal information about you may have leaked. We sincerely apologise.",
    ).into()));
    b.push(Block::Heading(1, c.t("1. 概要", "1. What happened").into()));
    b.push(Block::Paragraph(c.summary_sentence()));
    b.push(Block::Heading(
        1,
        c.t(
            "2. 漏えいのおそれのある情報",
            "2. Your information concerned",
        )
        .into(),
    ));
    b.push(Block::Paragraph(match c.lang {
        Lang::Ja => format!(
            "{}に関する次の情報: {}",
            c.group(id),
            c.items_text(&subject.items)
        ),
        Lang::En => format!(
            "As one of our {}: {}",
            c.group(id).to_lowercase(),
            c.items_text(&subject.items)
        ),
    }));
    b.push(Block::Heading(1, c.t("3. 原因", "3. Cause").into()));
    b.push(Block::Paragraph(
        c.t(
            "第三者による不正アクセス（ランサムウェア）です。",
            "Unauthorised access by a third party (ransomware).",
        )
        .into(),
    ));
    b.push(Block::Heading(
        1,
        c.t(
            "4. 二次被害のおそれとお願い",
            "4. Possible misuse, and what we ask of you",
        )
        .into(),
    ));
    b.push(Block::Paragraph(c.t(
        "現時点で二次被害は確認されておりません。当社を装った不審な電話・メール・郵便物にご注意いただき、心当たりのない連絡には応じないようお願いいたします。",
        "No misuse has been confirmed so far. Please beware of calls, mails or letters claiming to come from us, and do not answer any you do not expect.",
    ).into()));
    if subject.items.contains(&DataItem::BankAccount)
        || subject.items.contains(&DataItem::CreditCard)
    {
        b.push(Block::Paragraph(c.t(
            "口座・カードのご利用明細に身に覚えのない取引がないかご確認ください。",
            "Please check your account and card statements for transactions you do not recognise.",
        ).into()));
    }
    b.push(Block::Heading(
        1,
        c.t("5. お問い合わせ窓口", "5. Enquiries").into(),
    ));
    b.push(c.todo(c.t(
        "窓口の名称、電話番号、受付時間",
        "desk name, phone number, hours",
    )));
    Document {
        stem: format!("letter-{id}"),
        title,
        blocks: b,
    }
}
