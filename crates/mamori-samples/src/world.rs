//! The population of one company: who works there, who applied, who holds
//! shares, who rents to it, who works on its sites, who buys from it. Built
//! once per share so every file about a person shows the same facts.

use crate::persons::{fixed_line, random_card, Date, Factory, Person, TODAY};
use crate::refdata;
use crate::ShareSpec;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub const DEPARTMENTS: &[&str] = &["総務部", "経理部", "営業部", "工事部", "設計部", "購買部"];

#[derive(Debug, Clone)]
pub struct Employee {
    pub p: Person,
    pub no: String,
    pub hired: Date,
    pub dept: &'static str,
    pub left: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct Applicant {
    pub p: Person,
    pub no: String,
    pub new_grad: bool,
    pub school: &'static str,
    pub faculty: &'static str,
    pub grad_year: i32,
    pub job: &'static str,
}

#[derive(Debug, Clone)]
pub enum Holder {
    Person(Box<Person>),
    /// A corporate shareholder: in the register but not a data subject.
    Company(&'static str, String),
}

#[derive(Debug, Clone)]
pub struct Shareholder {
    pub no: String,
    pub holder: Holder,
    pub shares: u32,
    pub since: Date,
}

#[derive(Debug, Clone)]
pub struct Landlord {
    pub p: Person,
    pub property: String,
    pub kind: &'static str,
    pub rent: u32,
}

#[derive(Debug, Clone)]
pub struct Worker {
    pub p: Person,
    pub license: Option<String>,
    pub koyo: String,
    pub checkup: Date,
    pub bp: (u32, u32),
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub p: Person,
    pub no: String,
    pub card: Option<String>,
    pub since: Date,
}

pub struct World {
    pub employees: Vec<Employee>,
    pub former: Vec<Employee>,
    pub applicants: Vec<Applicant>,
    /// Seminar attendees who never applied (applicants also attend).
    pub attendees_only: Vec<Applicant>,
    pub shareholders: Vec<Shareholder>,
    pub landlords: Vec<Landlord>,
    pub crews: Vec<(&'static str, Vec<Worker>)>,
    pub customers: Vec<Customer>,
}

impl World {
    pub fn build(spec: &ShareSpec, rng: &mut ChaCha8Rng) -> World {
        let mut f = Factory::new();
        let mut employees: Vec<Employee> = Vec::new();
        for i in 0..spec.employees {
            let p = f.person(rng, 20, 64);
            employees.push(employee(rng, p, 1000 + i, None));
        }
        // Homonyms (同姓同名): two among current staff, one current/former pair.
        let n = employees.len();
        if n >= 6 {
            for (src, dst) in [(1, n - 2), (3, n - 1)] {
                let q = f.homonym_of(rng, &employees[src].p, 20, 64);
                employees[dst].p = q;
            }
        }
        let mut former = Vec::new();
        for i in 0..spec.former_employees {
            let p = if i == 0 && n > 2 {
                f.homonym_of(rng, &employees[2].p, 25, 70)
            } else {
                f.person(rng, 25, 70)
            };
            let mut e = employee(rng, p, 500 + i, None);
            // Hired at least two years ago, left after the hire year and within
            // the seven-year retention window of the My Number ledger.
            e.hired.y = e.hired.y.min(TODAY.y - 2);
            let from = (e.hired.y + 1).max(TODAY.y - 6);
            e.left = Some(Date::random_between(rng, from, TODAY.y - 1));
            former.push(e);
        }
        let mut applicants = Vec::new();
        for i in 0..spec.applicants {
            applicants.push(applicant(rng, &mut f, i));
        }
        let attendees_only = (0..spec.applicants / 2)
            .map(|i| {
                let mut a = applicant(rng, &mut f, 900 + i);
                a.new_grad = true;
                a
            })
            .collect();
        let mut shareholders = Vec::new();
        // Officers hold shares: the first employees double as shareholders.
        let officer_count = (spec.shareholders / 5).min(employees.len()).min(3);
        for i in 0..spec.shareholders {
            let holder = if i < officer_count {
                employees
                    .get(i)
                    .map(|e| Holder::Person(Box::new(e.p.clone())))
            } else {
                None
            };
            let holder = match holder {
                Some(h) => h,
                None => Holder::Person(Box::new(f.person(rng, 35, 90))),
            };
            shareholders.push(Shareholder {
                no: format!("{:05}", 10 + i * 3),
                holder,
                shares: rng.gen_range(1..200) * 100,
                since: Date::random_between(rng, 2003, TODAY.y - 1),
            });
        }
        if spec.shareholders > 0 {
            // Corporate holders sit in the same register but are not persons.
            for (k, (name, corp)) in refdata::CLIENT_COMPANIES.iter().take(2).enumerate() {
                shareholders.push(Shareholder {
                    no: format!("{:05}", 5 + k),
                    holder: Holder::Company(name, corp.to_string()),
                    shares: rng.gen_range(50..500) * 100,
                    since: Date {
                        y: 2003,
                        m: 4,
                        d: 1,
                    },
                });
            }
        }
        let landlords = (0..spec.landlords)
            .map(|i| {
                let p = f.person(rng, 45, 88);
                let kind = ["事務所", "駐車場", "資材置場", "社宅"][i % 4];
                let property = format!(
                    "{}{}{}",
                    p.loc.municipality,
                    p.loc.town,
                    ["第一", "第二", "北", "南"][i % 4]
                );
                Landlord {
                    property: format!("{property}{kind}"),
                    kind,
                    rent: match kind {
                        "駐車場" => rng.gen_range(8..30) * 1000,
                        _ => rng.gen_range(60..400) * 1000,
                    },
                    p,
                }
            })
            .collect();
        let mut crews: Vec<(&'static str, Vec<Worker>)> = Vec::new();
        let n_companies = if spec.contractor_staff == 0 {
            0
        } else {
            spec.contractor_staff.div_ceil(12).clamp(2, 5)
        };
        for c in 0..n_companies {
            crews.push((refdata::PARTNER_COMPANIES[c], Vec::new()));
        }
        for i in 0..spec.contractor_staff {
            let p = f.person(rng, 18, 68);
            let licence = rng.gen_bool(0.7).then(|| drivers_licence(rng, p.birth.y));
            let w = Worker {
                license: licence,
                koyo: format!(
                    "{:04}-{:06}-{}",
                    rng.gen_range(1000..10000),
                    rng.gen_range(0..1_000_000),
                    rng.gen_range(0..10)
                ),
                checkup: Date::random_between(rng, TODAY.y - 1, TODAY.y - 1),
                bp: (rng.gen_range(105..165), rng.gen_range(60..100)),
                p,
            };
            if let Some(crew) = crews.get_mut(i % n_companies.max(1)) {
                crew.1.push(w);
            }
        }
        let customers = (0..spec.customers)
            .map(|i| {
                let p = f.person(rng, 20, 85);
                Customer {
                    no: format!("C{:06}", 100 + i * 7),
                    card: (i % 3 == 0).then(|| random_card(rng)),
                    since: Date::random_between(rng, 2010, TODAY.y - 1),
                    p,
                }
            })
            .collect();
        World {
            employees,
            former,
            applicants,
            attendees_only,
            shareholders,
            landlords,
            crews,
            customers,
        }
    }
}

fn employee(rng: &mut ChaCha8Rng, p: Person, no: usize, left: Option<Date>) -> Employee {
    let earliest = (p.birth.y + 22).max(1985);
    let hired = Date::random_between(rng, earliest.min(TODAY.y - 1), TODAY.y - 1);
    let hired = Date {
        m: 4,
        d: 1,
        ..hired
    };
    Employee {
        p,
        no: format!("{no:05}"),
        hired,
        dept: DEPARTMENTS[no % DEPARTMENTS.len()],
        left,
    }
}

fn applicant(rng: &mut ChaCha8Rng, f: &mut Factory, i: usize) -> Applicant {
    let new_grad = i % 3 != 2;
    let p = if new_grad {
        f.person(rng, 21, 23)
    } else {
        f.person(rng, 25, 40)
    };
    Applicant {
        no: format!("A{:04}", 1 + i),
        school: refdata::UNIVERSITIES[rng.gen_range(0..refdata::UNIVERSITIES.len())],
        faculty: refdata::FACULTIES[rng.gen_range(0..refdata::FACULTIES.len())],
        grad_year: p.birth.y + 23,
        job: ["施工管理", "設計", "営業", "事務", "積算"][rng.gen_range(0..5)],
        new_grad,
        p,
    }
}

/// 12 digits: 2 issuing commission, 2 year of first licence, 6 serial,
/// 1 check ((11 − Σ d·w mod 11) mod 10, w = 5 4 3 2 7 6 5 4 3 2), 1 reissue.
fn drivers_licence(rng: &mut ChaCha8Rng, birth_year: i32) -> String {
    let commission = [30, 45, 46, 62, 54, 50][rng.gen_range(0..6)];
    let first = ((birth_year + 18 + rng.gen_range(0..10)).min(TODAY.y - 1) % 100) as u32;
    let serial = rng.gen_range(0..1_000_000u32);
    let ten = format!("{commission:02}{first:02}{serial:06}");
    const W: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let s: u32 = ten
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip(W)
        .map(|(d, w)| d * w)
        .sum();
    let check = (11 - s % 11) % 10;
    format!("{ten}{check}{}", rng.gen_range(0..3))
}

/// A company's representative line in the same area as its address.
pub fn company_phone(rng: &mut ChaCha8Rng, area: &str) -> String {
    fixed_line(rng, area)
}
