//! `rectify dev seed`: a large ledger that reads like a real one, for development and the
//! load benchmark. An organization tree (districts, streets, communities, branches), a
//! secretary and two committee members in each unit, reviews held over three years, each with
//! its causes and measures, and problems whose statuses, deadlines and history follow from
//! when their review was held: old problems mostly closed on time, a few still open long past
//! their deadline, recent ones at every step. Deterministic: the same size gives the same
//! ledger.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rectify_db::models::{NewCause, NewHistory, NewMeasure, NewOrganization, NewReview, NewUser};
use rectify_db::organizations as orgs;
use rectify_db::seed::{self as db_seed, SeedProblem};
use rectify_db::{Db, DbConnection};

use crate::domain::vocab::ReviewKind;
use crate::error::{Error, Result};
use crate::service::audit::{self, Event};

/// A title subject that one problem in 10,000 has: a rare search term.
pub const RARE_SUBJECT: &str = "电动自行车违规充电";

/// The tree under the root: districts, streets in each, communities in each, branches in each.
const DISTRICTS: [(&str, &str); 8] = [
    ("D1", "东湖区"),
    ("D2", "西山区"),
    ("D3", "南江区"),
    ("D4", "北塘区"),
    ("D5", "青山区"),
    ("D6", "白云区"),
    ("D7", "金沙区"),
    ("D8", "石门区"),
];
const BRANCHES_PER_COMMUNITY: usize = 3;
const CHINESE_NUMBERS: [&str; 3] = ["一", "二", "三"];
const STREET_NAMES: [&str; 6] = ["朝阳", "人民", "和平", "建设", "解放", "新华"];
const COMMUNITY_NAMES: [&str; 8] = [
    "东风", "向阳", "桃园", "柳岸", "明珠", "锦绣", "春华", "秋实",
];

/// About this many problems a review (a real review lists a few dozen).
const PROBLEMS_PER_REVIEW: u64 = 25;
/// Problems written in one transaction.
const PROBLEMS_PER_PART: u64 = 5_000;

/// Every review's aspects (方面), in the order reports list them.
const ASPECTS: [&str; 5] = [
    "政治建设方面",
    "思想建设方面",
    "组织建设方面",
    "作风建设方面",
    "纪律建设方面",
];
/// (subject, the aspect it belongs to: one of `ASPECTS`)
const SUBJECTS: [(&str, &str); 14] = [
    ("理论学习", "思想建设方面"),
    ("意识形态工作", "思想建设方面"),
    ("党员教育管理", "组织建设方面"),
    ("组织生活制度", "组织建设方面"),
    ("发展党员工作", "组织建设方面"),
    ("物业管理服务", "作风建设方面"),
    ("信访积案化解", "作风建设方面"),
    ("为民服务办实事", "作风建设方面"),
    ("安全生产检查", "作风建设方面"),
    ("人居环境整治", "作风建设方面"),
    ("财务资金管理", "纪律建设方面"),
    ("公务接待管理", "纪律建设方面"),
    ("基层治理", "政治建设方面"),
    ("重大事项请示报告", "政治建设方面"),
];
const DEFECTS: [&str; 10] = [
    "不深入不经常",
    "落实不到位",
    "跟踪督促不够",
    "制度执行不严格",
    "台账资料不规范",
    "整改不彻底",
    "流于形式、走过场",
    "责任传导层层递减",
    "群众反映办理不及时",
    "底数不清、情况不明",
];
const DETAILS: [&str; 12] = [
    "存在以会议落实会议的现象",
    "有的党员参加不积极",
    "问题反弹回潮",
    "长效机制尚未建立",
    "对群众诉求回应不及时",
    "统筹协调不够有力",
    "部分记录缺失",
    "工作标准不高",
    "结合实际不够紧密",
    "督查检查频次不足",
    "考核问责偏软",
    "宣传引导不到位",
];
const DESCRIPTIONS: [&str; 6] = [
    "检视发现，相关工作推进不平衡，部分环节存在薄弱点，群众满意度有待提高。",
    "对照要求查摆，制度执行中仍有打折扣、搞变通的情况，督促检查不够经常。",
    "上级督查指出，问题整改措施针对性不强，已整改事项存在反弹风险。",
    "群众反映集中，办理时限较长，回访不及时，工作闭环尚未形成。",
    "自查发现，台账登记不完整，责任分工不够明确，推进节点把控不严。",
    "巡察反馈指出，主体责任落实不够到位，对下指导督促力度不足。",
];
const CAUSES: [&str; 3] = [
    "理想信念有所松懈，政治站位不够高",
    "担当作为意识不强，工作标准不高",
    "制度执行不严，监督检查不够经常",
];
const MEASURES: [&str; 3] = [
    "建立问题清单，逐项明确责任人和完成时限",
    "每月开展一次督查，通报整改进展",
    "完善长效机制，形成制度成果",
];
const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
];
const GIVEN_NAMES: [&str; 16] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
];

/// What `dev seed` made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    pub organizations: usize,
    pub users: usize,
    pub reviews: usize,
    pub problems: u64,
    pub history: u64,
    /// Each district's id and code, in order.
    pub districts: Vec<(i64, String)>,
}

/// A unit of the seeded tree with its people.
struct Unit {
    id: i64,
    code: String,
    name: String,
    path: String,
    /// A district: it names the leader and head its units inherit.
    district: bool,
    /// The secretary (书记), a coordinator.
    secretary: i64,
    /// Two committee members (委员), owners.
    members: [i64; 2],
}

/// A review waiting to be written with its problems.
struct PlannedReview {
    unit: usize,
    held_on: NaiveDate,
    kind: ReviewKind,
    title: String,
    problems: u64,
}

fn at_nine(day: NaiveDate) -> NaiveDateTime {
    // 09:00 in China is 01:00 UTC; times are stored in UTC.
    day.and_time(NaiveTime::from_hms_opt(1, 0, 0).expect("a valid time"))
}

fn kind_name(kind: ReviewKind) -> &'static str {
    match kind {
        ReviewKind::OrganizationalLife => "组织生活会",
        ReviewKind::DemocraticLife => "民主生活会",
        ReviewKind::ThemeEducation => "主题教育专题会",
        ReviewKind::InspectionFeedback => "巡察反馈问题整改",
        ReviewKind::Audit => "审计反馈问题整改",
        ReviewKind::Other => "专项检查",
    }
}

/// How many problems the ledger holds: the seed fills only an empty one.
pub fn problems_held(db: &Db) -> Result<i64> {
    db.read(|conn| -> Result<i64> { Ok(db_seed::problem_count(conn)?) })
}

/// Seeds `problems` problems into a ledger that has none. Every seeded user signs in with
/// `password_hash`'s password. `progress` is told how many problems are written so far.
pub fn seed(
    db: &Db,
    now: DateTime<Utc>,
    problems: u64,
    password_hash: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<Seeded> {
    let operator = super::accounts::operator(db)?;
    let today = now.date_naive();
    let stamp = now.naive_utc();
    let (units, users) = audit::write(db, now, |conn| tree(conn, stamp, password_hash))?;

    // Reviews over the last three years, each unit in turn, about 25 problems each.
    let review_count = problems.div_ceil(PROBLEMS_PER_REVIEW).max(1);
    let mut planned = Vec::with_capacity(review_count as usize);
    for r in 0..review_count {
        let unit = (r % units.len() as u64) as usize;
        // Held from three years ago to a week ago, oldest first; the units take turns.
        let back = 7 + 1_095 * (review_count - 1 - r) / review_count;
        let held_on = today - Days::new(back);
        let kind = ReviewKind::ALL[(r as usize / units.len() + unit) % ReviewKind::ALL.len()];
        let share = problems / review_count + u64::from(r < problems % review_count);
        planned.push(PlannedReview {
            unit,
            held_on,
            kind,
            title: format!(
                "{}{}年度{}",
                units[unit].name,
                chrono::Datelike::year(&held_on),
                kind_name(kind)
            ),
            problems: share,
        });
    }

    let mut next_number = vec![1i64; units.len()];
    let (mut written, mut history) = (0u64, 0u64);
    let mut start = 0;
    while start < planned.len() {
        let mut end = start;
        let mut size = 0;
        while end < planned.len()
            && (size == 0 || size + planned[end].problems <= PROBLEMS_PER_PART)
        {
            size += planned[end].problems;
            end += 1;
        }
        let part = &planned[start..end];
        history += db.write_part(|conn| {
            write_reviews(conn, &units, part, start, &mut next_number, today, stamp)
        })?;
        written += size;
        progress(written);
        start = end;
    }

    audit::write(db, now, |conn| {
        // Districts name their leader (the secretary) and head (the first member) for the
        // escalation ladder; the units below inherit them.
        for (unit, next) in units.iter().zip(&next_number) {
            let (leader, head) = match unit.district {
                true => (Some(unit.secretary), Some(unit.members[0])),
                false => (None, None),
            };
            db_seed::finish_unit(conn, unit.id, *next, leader, head)?;
        }
        audit::record(
            conn,
            &operator,
            Event {
                action: "dev.seed",
                entity_type: "ledger",
                entity_id: None,
                organization_path: None,
                changes: serde_json::json!({
                    "organizations": units.len(), "users": users,
                    "reviews": planned.len(), "problems": written, "history": history,
                }),
            },
        )
    })?;

    let districts = units
        .iter()
        .filter(|u| u.district)
        .map(|u| (u.id, u.code.clone()))
        .collect();
    Ok(Seeded {
        organizations: units.len(),
        users,
        reviews: planned.len(),
        problems: written,
        history,
        districts,
    })
}

/// The organization tree under the root and each unit's people. Returns the units (the
/// districts first, then every street, every community, every branch) and how many users
/// were made.
fn tree(
    conn: &mut DbConnection,
    stamp: NaiveDateTime,
    password_hash: &str,
) -> Result<(Vec<Unit>, usize)> {
    let root = orgs::root(conn)?.ok_or_else(|| Error::internal("no root organization"))?;
    let mut units: Vec<Unit> = Vec::new();
    let mut add = |units: &mut Vec<Unit>, code: String, name: String, parent: Option<usize>| {
        let (parent_id, parent_path) = match parent {
            Some(p) => (units[p].id, units[p].path.clone()),
            None => (root.id, root.path.clone()),
        };
        let row = orgs::insert(
            conn,
            NewOrganization {
                code: &code,
                name: &name,
                parent_id: Some(parent_id),
                path: "",
                timezone: &root.timezone,
                active: true,
                evidence_required: None,
                acknowledge_days: None,
                warn_days: None,
                recheck_days: None,
                escalate_after_days: None,
                leader_id: None,
                head_id: None,
                scorecard_weights: None,
                created_at: stamp,
                updated_at: stamp,
            },
            Some(&parent_path),
        )?;
        units.push(Unit {
            id: row.id,
            code,
            name,
            path: row.path,
            district: parent.is_none(),
            secretary: 0,
            members: [0, 0],
        });
        Ok::<_, Error>(units.len() - 1)
    };
    // Each unit of a level as (its index in `units`, the place name its children build on).
    let mut level: Vec<(usize, String)> = Vec::new();
    for (code, place) in DISTRICTS {
        let at = add(&mut units, code.to_owned(), format!("{place}委"), None)?;
        level.push((at, place.to_owned()));
    }
    for depth in 0..3 {
        let mut below = Vec::new();
        for (parent, place) in &level {
            let code = units[*parent].code.clone();
            let children = [
                STREET_NAMES.len(),
                COMMUNITY_NAMES.len(),
                BRANCHES_PER_COMMUNITY,
            ];
            for i in 0..children[depth] {
                let (suffix, child_place, name) = match depth {
                    0 => {
                        let street = format!("{place}{}街道", STREET_NAMES[i]);
                        (
                            format!("S{}", i + 1),
                            street.clone(),
                            format!("{street}党工委"),
                        )
                    }
                    1 => {
                        let community = format!("{}社区", COMMUNITY_NAMES[i]);
                        (
                            format!("C{}", i + 1),
                            community.clone(),
                            format!("{place}{community}党委"),
                        )
                    }
                    _ => (
                        format!("B{}", i + 1),
                        String::new(),
                        format!("{place}第{}党支部", CHINESE_NUMBERS[i]),
                    ),
                };
                let at = add(&mut units, format!("{code}{suffix}"), name, Some(*parent))?;
                below.push((at, child_place));
            }
        }
        level = below;
    }

    // A secretary and two members in every unit; a city-wide coordinator and auditor at the
    // root, who see the whole tree.
    let mut people: Vec<(String, String, &str, i64)> = vec![
        (
            "seed.coordinator".into(),
            "市委督查室".into(),
            "coordinator",
            root.id,
        ),
        (
            "seed.auditor".into(),
            "市纪委监委".into(),
            "auditor",
            root.id,
        ),
    ];
    for u in &units {
        let lower = u.code.to_lowercase();
        for (suffix, role) in [("sj", "coordinator"), ("wy1", "owner"), ("wy2", "owner")] {
            let n = people.len();
            let name = format!(
                "{}{}{}",
                SURNAMES[n % 16],
                GIVEN_NAMES[(n / 16) % 16],
                GIVEN_NAMES[(n / 256) % 16]
            );
            people.push((format!("{lower}.{suffix}"), name, role, u.id));
        }
    }
    let rows: Vec<NewUser> = people
        .iter()
        .map(|(username, display_name, role, org)| NewUser {
            username,
            display_name,
            email: None,
            role,
            organization_id: *org,
            password_hash,
            active: true,
            password_changed_at: stamp,
            created_at: stamp,
            updated_at: stamp,
        })
        .collect();
    let ids = db_seed::users(conn, &rows)?;
    for (i, u) in units.iter_mut().enumerate() {
        let base = 2 + i * 3;
        u.secretary = ids[base];
        u.members = [ids[base + 1], ids[base + 2]];
    }
    Ok((units, ids.len()))
}

/// How a problem's life went, from its review's day to today.
struct Life {
    status: &'static str,
    kind: &'static str,
    deadline: Option<NaiveDate>,
    submitted_on: Option<NaiveDate>,
    closed_on: Option<NaiveDate>,
    outcome: Option<&'static str>,
}

/// Old problems are mostly closed before their deadline; a few (more of the recently due)
/// are still open past it; those not yet due are at every step, further on the nearer the
/// deadline.
fn life(rng: &mut fastrand::Rng, held_on: NaiveDate, today: NaiveDate) -> Life {
    let start = held_on + Days::new(1);
    let age = (today - held_on).num_days();
    let roll = rng.f32();
    let (kind, deadline) = match rng.u32(..100) {
        0..=7 => ("long_term", None),
        8..=19 => ("immediate", Some(start + Days::new(rng.u64(7..=30)))),
        _ => ("scheduled", Some(start + Days::new(rng.u64(30..=180)))),
    };
    let mut life = Life {
        status: "in_progress",
        kind,
        deadline,
        submitted_on: None,
        closed_on: None,
        outcome: None,
    };
    if age < 14 && roll < 0.5 {
        life.status = "draft";
        return life;
    }
    if rng.u32(..100) < 2 {
        life.status = "cancelled";
        return life;
    }
    let closed = |life: &mut Life, on: NaiveDate, outcome| {
        let on = on.clamp(start + Days::new(5), today);
        life.status = "closed";
        life.submitted_on =
            Some(on - Days::new(3).min(Days::new((on - start).num_days().max(0) as u64)));
        life.closed_on = Some(on);
        life.outcome = Some(outcome);
    };
    match deadline {
        None => {
            if age > 365 && roll < 0.3 {
                closed(&mut life, start + Days::new(300), "continuing");
            }
        }
        Some(due) if due < today => {
            let past = (today - due).num_days();
            let still_open = if past <= 60 { 0.30 } else { 0.03 };
            if roll < still_open {
                life.status = ["open", "in_progress", "in_progress", "submitted"][rng.usize(..4)];
            } else {
                closed(&mut life, due - Days::new(rng.u64(0..=20)), "rectified");
            }
        }
        Some(due) => {
            let span = (due - start).num_days().max(1) as f32;
            let done = ((today - start).num_days() as f32 / span).clamp(0.0, 1.0);
            if roll < 0.5 * done {
                let on = start + Days::new((rng.f32() * (today - start).num_days() as f32) as u64);
                closed(&mut life, on, "rectified");
            } else if roll < 0.6 * done {
                life.status = "submitted";
            } else if roll > 0.9 {
                life.status = "open";
            }
        }
    }
    if life.status == "submitted" {
        life.submitted_on = Some(today - Days::new(rng.u64(1..=10)).min(Days::new(age as u64)));
    }
    life
}

/// Writes one part: its reviews, their causes and measures, their problems with history and
/// links. Returns how many history entries it wrote.
fn write_reviews(
    conn: &mut DbConnection,
    units: &[Unit],
    part: &[PlannedReview],
    first: usize,
    next_number: &mut [i64],
    today: NaiveDate,
    stamp: NaiveDateTime,
) -> Result<u64> {
    let review_rows: Vec<NewReview> = part
        .iter()
        .map(|r| NewReview {
            organization_id: units[r.unit].id,
            title: &r.title,
            kind: r.kind.as_str(),
            held_on: r.held_on,
            source_text: None,
            created_by: Some(units[r.unit].secretary),
            created_at: at_nine(r.held_on),
            updated_at: at_nine(r.held_on),
            importing_until: None,
        })
        .collect();
    let review_ids = db_seed::reviews(conn, &review_rows)?;
    let aspect_rows: Vec<(i64, i32, &str)> = review_ids
        .iter()
        .flat_map(|&id| (0..).zip(ASPECTS).map(move |(k, name)| (id, k, name)))
        .collect();
    db_seed::aspects(conn, &aspect_rows)?;
    let cause_rows: Vec<NewCause> = part
        .iter()
        .zip(&review_ids)
        .flat_map(|(r, &review_id)| {
            CAUSES.iter().map(move |title| NewCause {
                review_id,
                title,
                description: "",
                created_by: Some(units[r.unit].secretary),
                created_at: at_nine(r.held_on),
                updated_at: at_nine(r.held_on),
            })
        })
        .collect();
    let cause_ids = db_seed::causes(conn, &cause_rows)?;
    let measure_rows: Vec<NewMeasure> = part
        .iter()
        .zip(&review_ids)
        .flat_map(|(r, &review_id)| {
            let due = r.held_on + Days::new(90);
            MEASURES
                .iter()
                .enumerate()
                .map(move |(k, title)| NewMeasure {
                    review_id,
                    title,
                    description: "",
                    owner_id: Some(units[r.unit].members[k % 2]),
                    deadline: Some(due),
                    done: due < today,
                    created_by: Some(units[r.unit].secretary),
                    created_at: at_nine(r.held_on),
                    updated_at: at_nine(r.held_on),
                })
        })
        .collect();
    let measure_ids = db_seed::measures(conn, &measure_rows)?;

    let mut problems = Vec::new();
    let mut lives = Vec::new();
    let mut links = Vec::new(); // (review index in part, slot)
    for (i, r) in part.iter().enumerate() {
        let unit = &units[r.unit];
        let mut rng = fastrand::Rng::with_seed((first + i) as u64);
        for j in 0..r.problems {
            let (subject, aspect) = if rng.u32(..10_000) == 0 {
                (RARE_SUBJECT, "作风建设方面")
            } else {
                SUBJECTS[rng.usize(..SUBJECTS.len())]
            };
            let title = format!(
                "{subject}{}，{}",
                DEFECTS[rng.usize(..DEFECTS.len())],
                DETAILS[rng.usize(..DETAILS.len())]
            );
            let life = life(&mut rng, r.held_on, today);
            let created = at_nine(r.held_on + Days::new(1));
            let owner = unit.members[rng.usize(..2)];
            let number = next_number[r.unit];
            next_number[r.unit] += 1;
            let steps = steps(life.status).len() as i64;
            problems.push(SeedProblem {
                key: format!("{}-{number}", unit.code),
                review_id: review_ids[i],
                aspect: Some(aspect),
                title,
                description: DESCRIPTIONS[rng.usize(..DESCRIPTIONS.len())],
                organization_id: unit.id,
                owner_id: Some(owner),
                deadline: life.deadline,
                original_deadline: life.deadline,
                kind: life.kind,
                status: life.status,
                created_by: Some(unit.secretary),
                submitted_by: life.submitted_on.map(|_| owner),
                created_at: created,
                updated_at: last_step(&life, created, stamp),
                submitted_at: life.submitted_on.map(|d| at_nine(d).min(stamp)),
                closed_at: life.closed_on.map(|d| at_nine(d).min(stamp)),
                outcome: life.outcome,
                version: steps + 1,
            });
            lives.push((life, owner, unit.secretary, created));
            links.push((i, (j % 3) as usize));
        }
    }
    let ids = db_seed::problems(conn, &problems)?;
    let mut entries = Vec::new();
    for (id, (life, owner, secretary, created)) in ids.iter().zip(&lives) {
        let mut from = None;
        for (k, (action, to)) in std::iter::once(("create", "draft"))
            .chain(steps(life.status).iter().copied())
            .enumerate()
        {
            let (actor, at) = match action {
                "create" => (*secretary, *created),
                "confirm" => (*secretary, *created + Days::new(1)),
                "start" => (*owner, *created + Days::new(3)),
                "submit" => (*owner, life.submitted_on.map_or(*created, at_nine)),
                "verify" => (*secretary, life.closed_on.map_or(*created, at_nine)),
                _ => (*secretary, *created + Days::new(5)),
            };
            entries.push(NewHistory {
                problem_id: *id,
                actor_id: Some(actor),
                action,
                from_status: from,
                to_status: to,
                note: None,
                created_at: at.min(stamp) + chrono::Duration::seconds(k as i64),
                outcome: (action == "verify").then_some(life.outcome).flatten(),
            });
            from = Some(to);
        }
    }
    db_seed::history(conn, &entries)?;
    let to_causes: Vec<(i64, i64)> = ids
        .iter()
        .zip(&links)
        .map(|(&id, &(review, slot))| (id, cause_ids[review * 3 + slot]))
        .collect();
    let to_measures: Vec<(i64, i64)> = ids
        .iter()
        .zip(&links)
        .map(|(&id, &(review, slot))| (id, measure_ids[review * 3 + slot]))
        .collect();
    db_seed::links(conn, &to_causes, &to_measures)?;
    Ok(entries.len() as u64)
}

/// The workflow's steps from draft to a status, as (action, status reached): the history a
/// seeded problem gets (the benchmarks' own seeding uses it too).
pub fn steps(status: &str) -> &'static [(&'static str, &'static str)] {
    match status {
        "draft" => &[],
        "open" => &[("confirm", "open")],
        "in_progress" => &[("confirm", "open"), ("start", "in_progress")],
        "submitted" => &[
            ("confirm", "open"),
            ("start", "in_progress"),
            ("submit", "submitted"),
        ],
        "closed" => &[
            ("confirm", "open"),
            ("start", "in_progress"),
            ("submit", "submitted"),
            ("verify", "closed"),
        ],
        _ => &[("confirm", "open"), ("cancel", "cancelled")],
    }
}

fn last_step(life: &Life, created: NaiveDateTime, stamp: NaiveDateTime) -> NaiveDateTime {
    life.closed_on
        .or(life.submitted_on)
        .map_or(created + Days::new(3), at_nine)
        .min(stamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lives_follow_from_the_day_the_review_was_held() {
        let today: NaiveDate = "2026-12-01".parse().unwrap();
        let mut rng = fastrand::Rng::with_seed(7);
        let (mut overdue, mut closed, mut n) = (0, 0, 0);
        for back in (20..1_100).step_by(3) {
            for _ in 0..50 {
                let held = today - Days::new(back);
                let life = life(&mut rng, held, today);
                n += 1;
                if let Some(on) = life.closed_on {
                    assert!(
                        on <= today && on > held,
                        "closed {on} for a review of {held}"
                    );
                    assert_eq!(life.status, "closed");
                    closed += 1;
                }
                if let Some(on) = life.submitted_on {
                    assert!(on <= today && on >= held, "submitted {on}, review {held}");
                }
                let open = matches!(life.status, "open" | "in_progress" | "submitted");
                if open && life.deadline.is_some_and(|d| d < today) {
                    overdue += 1;
                }
                if life.kind == "long_term" {
                    assert_eq!(life.deadline, None);
                }
            }
        }
        // Most of three years' problems are closed; a few per cent are overdue.
        assert!(closed * 10 > n * 7, "{closed} of {n} closed");
        assert!(
            overdue * 100 > n * 2 && overdue * 100 < n * 12,
            "{overdue} of {n} overdue"
        );
    }

    #[test]
    fn every_status_is_reached_by_the_workflow_s_steps() {
        for status in [
            "draft",
            "open",
            "in_progress",
            "submitted",
            "closed",
            "cancelled",
        ] {
            let last = steps(status).last().map_or("draft", |s| s.1);
            assert_eq!(last, status);
        }
    }
}
