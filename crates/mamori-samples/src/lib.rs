//! mamori-samples: the project's own generator of realistic Japanese company
//! file shares, together with the *truth* about them.
//!
//! # Design
//!
//! * **Truth by construction.** The generator never runs detection code: it
//!   knows what each file holds because it wrote it. Tables carry, per column,
//!   the data item its values are ([`encodings::Col`]), and the file's items
//!   are derived from the columns actually filled, so the truth cannot drift
//!   from the bytes. Text files declare their items next to the prose that
//!   holds them. Every file goes through [`truth::Writer`], which is the only
//!   way department code can create a file, so the truth lists every regular
//!   file of the share.
//! * **Deterministic.** One ChaCha8 stream per share, seeded from
//!   [`ShareSpec::seed`]; a fixed "today" ([`persons::TODAY`]); no clock, no
//!   hash-map iteration order, no environment. Same spec → same bytes.
//!   Addresses and bank branches come from `mamori-data`'s national tables
//!   when its data was embedded at build time, else from the built-in lists
//!   of [`refdata`]; so the bytes depend on the build (see
//!   [`refdata::national_data_in_use`]) but never vary between runs of it.
//! * **One population, many files.** [`world::World`] builds the company's
//!   people once; department modules (`hr`, `payroll`, `recruit`, `stock`,
//!   `site`, `sales`, `noise`) render them into files, so the same employee
//!   appears in the roster, the bank list, the My Number ledger and the
//!   health results with the same facts.
//! * **Formats are pluggable.** Content is built as Unicode tables or text and
//!   turned into bytes by [`encodings::Format`]; xlsx/docx/pdf become new
//!   variants without touching the departments.
//! * **Styles.** [`Style::Primary`] is what the project develops against;
//!   [`Style::Alternate`] words headers, orders columns, writes dates, picks
//!   encodings and names folders differently, for held-out evaluation.
//!   [`Style::Held`] is a third office written apart from the detector by
//!   its own module (`held`): title blocks, two-row headers, one-cell bank
//!   details, 法人 rows among persons, prose memos, box-drawn resumes.
//!   [`Style::Fresh`] is a fourth company (a logistics firm, module `fresh`)
//!   written apart from the detector and the other three: English/romaji
//!   headers, split address columns, two persons per row, a Zengin transfer
//!   file, fixed-width exports, quoted mails, 記入例 forms.
//!   [`Style::Fifth`] is a fifth company (a food manufacturer, module
//!   `fifth`): business-software exports (HR/勤怠 SaaS, 給与ソフト 賃金台帳
//!   with page headers, 年末調整, 信託銀行 株主名簿, 求人媒体, EC cart),
//!   official kanji (髙橋, 山﨑) beside common ones, UTF-16LE memos in prose,
//!   food-hygiene health data (検便, 衛生チェック), printed 申込書 and
//!   questionnaires, and code, configs, logs and phone lists as noise.
//!   [`Style::Sixth`] is a sixth company (a real-estate manager, module
//!   `sixth`): persons named only in paths (per-person folders, files named
//!   山田太郎_源泉徴収票.txt), hand-filled .txt forms (氏　　名　：), ledgers
//!   with preambles and merged-cell blocks, 法人 owners, mixed encodings in
//!   one folder, S.55.3.2 / 1980年（昭和55年）3月2日 dates, (045)531-2234
//!   phones, addresses without prefecture and with kanji 丁目, and a
//!   取引先担当者一覧 and mail signatures as noise.
//!
//! # Truth conventions
//!
//! * `items` of a file are the items a careful human would list for it:
//!   - an emergency contact's name, relation and phone are `emergency_contact`
//!     (not `name`/`phone`); a spouse's or dependant's name, relation or birth
//!     date are `family` (not extra `name`/`birth_date`, nor extra persons);
//!   - a company's representative number, company addresses, 法人番号 and
//!     invoice 登録番号 are not personal data; a property's location in a
//!     lease list is not the landlord's `address`;
//!   - 入社日, 退職日, 受診日, 取得日 are not `birth_date`; 年齢 alone is not an
//!     item; 社員番号/株主番号/応募番号 are not items;
//!   - health-check values (血圧, 所見, 判定, 要再検査) and disability notes
//!     (障害者手帳, 等級, 配慮事項) are `health`;
//!   - a seminar attendee's university is not `resume` (only 学歴/職歴/志望動機/
//!     自己PR in a resume or entry sheet are);
//!   - 所有株式数 is `shareholding`, 配当金 is `dividend`; 雇用保険被保険者番号
//!     is `insurance_number`.
//!   - a worker's 家族連絡先 (a relative given as the contact) is
//!     `emergency_contact`, not `family`; 家族構成は妻・長男 in a memo is `family`;
//!   - a school or faculty column in a roster or questionnaire is not
//!     `resume`; a 担当 column of staff surnames is no item of the file;
//!   - the company's own letterhead or mail signature (address, TEL/FAX,
//!     登録番号) inside a personal file adds no `address`/`phone`;
//!   - a vehicle's 任意保険証券番号 is not `insurance_number`; a card holder's
//!     name in romaji capitals is `name`.
//!   - a form's 記入例 (a model person such as 山田 太郎 with a made-up
//!     address) is no personal data: the file's category is `None`;
//!   - staff named in a business role (出席者, 記録, 欠席 in minutes, 担当,
//!     a mail's sender and signature) add no item and make no file personal;
//!   - a 扶養 count (扶養人数) in a payroll export is `family`; a customer's
//!     「夫婦と子供2人」 is `family`;
//!   - a 12-digit number that is not in a My Number field (送り状番号,
//!     受付番号, S/N) is not `my_number`, even when it passes the check digit
//!     and the word マイナンバー stands near it;
//!   - a consignee company's (荷受人) address and phone are not personal.
//!   - the same person written 高橋 in one file and 髙橋 (the 住民票 form)
//!     in another is one person;
//!   - 派遣 workers (dispatched by a staffing agency) are `contractor_staff`;
//!     their 年齢区分 and insurance status (健康保険 有/無) are no item;
//!   - 検便 (stool-test) results, a daily 衛生チェック (体温, 下痢・嘔吐,
//!     手指の傷), a food allergy (アレルギー) and a free comment about one's
//!     own illness (糖尿病で通院中) are `health`; a 障害者区分 in a 年末調整
//!     export is `health`; a spouse's or dependant's 個人番号 is
//!     `my_number`; the 世帯主 (when not the employee) is `family`;
//!   - 性別 written as a code (1/2) under a header that says so is `gender`;
//!     年代 (40代) and a prefecture alone are no item;
//!   - the last four digits of a card (下4桁) are not `credit_card`; a test
//!     My Number in source code (TEST_MY_NUMBER = "123456789018") and
//!     12-digit request ids in logs are not `my_number`;
//!   - a department's direct line and extension (内線表) are not `phone`;
//!   - a repeated title row and header on every page of a printed report
//!     are neither records nor persons.
//!   - a person's name in the file's path (a per-person folder
//!     `社員/0012_佐藤花子/`, a file `山田太郎_源泉徴収票.txt`,
//!     `送金明細_鈴木一郎様_….txt`) is `name` of every file it names, when the
//!     file holds other data about that person: the path is part of what
//!     the share exposes;
//!   - a partner company's 担当者 on a 取引先担当者一覧 (name, department,
//!     the company's address, work phone and mail, 内線) is no personal data
//!     in this vocabulary: no category holds business contacts, 協力会社
//!     従業員 are the workers of a 作業員名簿, and these values are the
//!     company's contact points (like a mail signature), not the person's;
//!   - the owners a real-estate manager manages for (オーナー, 貸主) are
//!     `landlord`; their tenants (入居者) are `customer`; a 同居人 written
//!     on the row below the tenant is `family` (not an extra person);
//!     a 法人 owner is not counted; a 勤務先 and 年収 are no item.
//! * `records` = person rows (roster rows about natural persons; corporate
//!   shareholders in a register are not counted, nor are 法人 landlords, an
//!   employee shareholding association (持株会), totals rows (合計), title
//!   rows or the second row of a two-row header); 1 for a resume; for a
//!   memo, the number of persons it is about. A row naming two persons
//!   (a couple co-owning a lot: 貸主（夫）/ 貸主（妻）) counts both, and both are
//!   data subjects; a co-owner the world does not hold gets a subject id far
//!   above the world's (`fresh::outside::EXTRA_ID`).
//! * `category` = the data subjects of the file; `None` for files without
//!   personal data (their `items` are empty and `records` 0).
//! * `subjects[c].persons` = distinct data subjects of category `c` across the
//!   share. A person in two roles counts in both (officers who hold shares are
//!   employees *and* shareholders). Homonyms are different persons. Seminar
//!   attendees who never applied are applicants too (the category is
//!   "応募者・説明会参加者"). Former employees are employees.

pub mod bulk;
pub mod encodings;
mod estate;
mod fifth;
mod fresh;
mod held;
mod hostile;
mod hr;
pub mod names;
mod noise;
pub mod office;
mod payroll;
pub mod persons;
mod recruit;
pub mod refdata;
mod sales;
mod site;
mod sixth;
mod stock;
pub mod style;
pub mod truth;
pub mod world;

pub use bulk::{generate_bulk, BulkStats};
pub use hostile::{generate_hostile, Expect, HostileCase, HostileKind};
pub use style::Style;
pub use truth::{FileTruth, SubjectTruth, Truth};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("character {ch:?} cannot be written in {encoding}")]
    Unmappable { encoding: &'static str, ch: char },
    #[error("file generated twice: {0}")]
    Duplicate(String),
    #[error("truth JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Usage(String),
}

impl SampleError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        SampleError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What share to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareSpec {
    pub seed: u64,
    pub employees: usize,
    pub former_employees: usize,
    /// Applicants with a resume / entry sheet (one file each); half as many
    /// again attend the company seminar without applying.
    pub applicants: usize,
    /// Natural-person shareholders (two corporate holders are added).
    pub shareholders: usize,
    pub landlords: usize,
    pub contractor_staff: usize,
    pub customers: usize,
    /// Files without personal data (product master, invoices, logs, ...).
    pub noise_files: usize,
    pub style: Style,
    /// Store many tables and documents as Office files, PDFs, mail and
    /// archives (module `office`), with the same truth.
    pub containers: bool,
}

impl ShareSpec {
    /// A small share (~60 files) that scans in seconds: `mamori demo`.
    pub fn demo() -> Self {
        ShareSpec {
            seed: 20250401,
            employees: 24,
            former_employees: 6,
            applicants: 14,
            shareholders: 12,
            landlords: 4,
            contractor_staff: 16,
            customers: 30,
            noise_files: 20,
            style: Style::Primary,
            containers: false,
        }
    }

    /// A few hundred files: the default fixture for accuracy tests.
    pub fn standard(seed: u64) -> Self {
        ShareSpec {
            seed,
            employees: 120,
            former_employees: 30,
            applicants: 150,
            shareholders: 80,
            landlords: 8,
            contractor_staff: 60,
            customers: 400,
            noise_files: 90,
            style: Style::Primary,
            containers: false,
        }
    }

    pub fn with_style(mut self, style: Style) -> Self {
        self.style = style;
        self
    }

    /// The same share with its files in Office formats, PDFs, mail and archives.
    pub fn with_containers(mut self) -> Self {
        self.containers = true;
        self
    }
}

/// Generate a share under `root` (created if missing) and return its truth.
/// `root` should be empty: files already there are not in the truth.
pub fn generate(root: &Path, spec: &ShareSpec) -> Result<Truth, SampleError> {
    std::fs::create_dir_all(root).map_err(|e| SampleError::io(root, e))?;
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let world = world::World::build(spec, &mut rng);
    let mut w = truth::Writer::new(root);
    w.containers = spec.containers;
    if spec.containers {
        office::unreadable(&mut w)?;
    }
    let st = spec.style;
    if st == Style::Held {
        held::write(&mut w, &world, spec.noise_files, &mut rng)?;
        return Ok(w.finish());
    }
    if st == Style::Fresh {
        fresh::write(&mut w, &world, spec.noise_files, &mut rng)?;
        return Ok(w.finish());
    }
    if st == Style::Fifth {
        fifth::write(&mut w, &world, spec.noise_files, &mut rng)?;
        return Ok(w.finish());
    }
    if st == Style::Sixth {
        sixth::write(&mut w, &world, spec.noise_files, &mut rng)?;
        return Ok(w.finish());
    }
    hr::write(&mut w, &world, st, &mut rng)?;
    payroll::write(&mut w, &world, st, &mut rng)?;
    recruit::write(&mut w, &world, st, &mut rng)?;
    stock::write(&mut w, &world, st, &mut rng)?;
    estate::write(&mut w, &world, st, &mut rng)?;
    site::write(&mut w, &world, st, &mut rng)?;
    sales::write(&mut w, &world, st, &mut rng)?;
    noise::write(&mut w, spec.noise_files, st, &mut rng)?;
    Ok(w.finish())
}
