//! The variables a letter template sees, built from what is stored about a request.
//! Dates are formatted here in the letter's language; an address-protected person's postal
//! address never enters the context, so no template can print it.

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};

use super::snapshot::{AppealFacts, DecisionFacts, LetterSnapshot};
use super::{Labels, LetterKind, Letters};
use crate::db::models::{
    AttachmentRow, ItemRow, OrganisationRow, RecipientRow, RegisterRow, RequestRow, SubjectRow,
};
use crate::domain::appeal::AppealRoute;
use crate::domain::authorities::Authorities;
use crate::domain::decision::Decision;
use crate::domain::enums::{IdentityMethod, Language};
use crate::domain::grounds::LegalGrounds;
use crate::domain::misuse::MisuseFinding;
use crate::services::profile::{OrganisationProfile, RegisterInfo};

/// Everything a letter may need; the documents service loads it in one place.
pub struct LetterInput<'a> {
    pub kind: LetterKind,
    pub lang: Language,
    /// The facts as of the letter's date, which the letter states instead of the request's
    /// present ones.
    pub snapshot: &'a LetterSnapshot,
    /// The day the letter is rendered: only how long a download lasts counts from it.
    pub rendered_on: NaiveDate,
    pub org: &'a OrganisationRow,
    pub request: &'a RequestRow,
    pub decision: Option<&'a Decision>,
    pub representative: Option<&'a Value>,
    pub subject: &'a SubjectRow,
    pub registers: &'a [RegisterRow],
    /// The decider, the contact person and the appeal data as of the letter's snapshot.
    pub facts: Option<&'a DecisionFacts>,
    pub items: &'a [ItemRow],
    pub recipients: &'a [RecipientRow],
    /// What is really enclosed, named in words ([`super::enclosures`]).
    pub enclosures: &'a [String],
    /// Structured entries with their parsed content, for the access report.
    pub entries: &'a [(AttachmentRow, Value)],
    pub attachments: &'a [AttachmentRow],
    /// Everything gathered but withheld (entries and files): listed with its ground, so no
    /// withheld piece silently vanishes from an answer or a certificate.
    pub withheld: &'a [AttachmentRow],
    /// The log-data request asked for a misuse investigation.
    pub misuse_asked: bool,
    /// A misuse investigation's recorded finding (log-data requests).
    pub misuse_finding: Option<&'a MisuseFinding>,
    pub message: Option<String>,
    pub download_days: u32,
    pub status_url: String,
    pub log_period: Option<(NaiveDate, NaiveDate)>,
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Finnish and Swedish write 22.11.2026; English 22 November 2026.
pub fn format_date(d: NaiveDate, lang: Language) -> String {
    match lang {
        Language::Fi | Language::Sv => format!("{}.{}.{}", d.day(), d.month(), d.year()),
        Language::En => format!(
            "{} {} {}",
            d.day(),
            MONTHS_EN[d.month0() as usize],
            d.year()
        ),
    }
}

/// The organisation's part of every page: name and address top left, contact line at the foot.
pub struct Letterhead {
    pub sender: Vec<String>,
    pub footer: Vec<String>,
}

/// Shared by letters and paper forms, so both show the organisation the same way.
pub fn letterhead(org: &OrganisationRow, labels: &Labels) -> Letterhead {
    let mut sender = vec![org.name.clone()];
    if let Some(a) = &org.postal_address {
        sender.extend(a.lines().map(str::to_string));
    }
    let mut footer = vec![org.name.clone()];
    if let Some(b) = &org.business_id {
        let label = Labels::get(&labels.words, "footer_business_id");
        footer.push(format!("{label} {b}"));
    }
    footer.extend(org.postal_address.iter().map(|a| a.replace('\n', ", ")));
    footer.extend(org.email.iter().cloned());
    footer.extend(org.phone.iter().cloned());
    Letterhead {
        sender,
        footer: vec![footer.join(" · ")],
    }
}

/// The recipient block of the first page: name and the one address that may be printed.
pub fn recipient_lines(subject: &SubjectRow, representative: Option<&Value>) -> Vec<String> {
    if let Some(rep) = representative {
        let mut lines = vec![rep["name"].as_str().unwrap_or_default().to_string()];
        if let Some(a) = rep["postal_address"].as_str() {
            lines.extend(a.lines().map(str::to_string));
        }
        return lines;
    }
    let mut lines = vec![subject.name.clone()];
    let address = if subject.address_protected {
        subject.contact_address.as_deref()
    } else {
        subject.postal_address.as_deref()
    };
    if let Some(a) = address {
        lines.extend(
            a.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string),
        );
    }
    lines
}

/// The representative the letter goes to, as entered with the request.
pub fn representative(subject: &SubjectRow) -> serde_json::Result<Option<Value>> {
    subject
        .representative
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
}

pub fn build(
    letters: &Letters,
    input: &LetterInput<'_>,
    grounds: &LegalGrounds,
    authorities: &Authorities,
) -> Value {
    let lang = input.lang;
    let labels: &Labels = letters.labels(lang);
    let date = |d: NaiveDate| format_date(d, lang);
    let opt_date = |d: Option<NaiveDate>| d.map(|d| format_date(d, lang));
    let r = input.request;
    let profile = OrganisationProfile::of(input.org);
    let representative = input.representative;
    let decision = input.decision;
    let ground = |code: &str| {
        grounds.get(code).map(|g| {
            json!({
                "code": g.code,
                "statute": g.statute.get(lang),
                "title": g.title.get(lang),
                "text": g.text.get(lang),
            })
        })
    };
    let decision_grounds: Vec<Value> = decision
        .map(|d| d.grounds.iter().filter_map(|c| ground(c)).collect())
        .unwrap_or_default();
    let ombudsman = profile
        .authority_contact
        .as_ref()
        .unwrap_or(&authorities.data_protection_ombudsman)
        .localised(lang);
    let items: Vec<Value> = input
        .items
        .iter()
        .map(|i| {
            let decision = i.decision.map(|d| d.as_str()).unwrap_or_default();
            json!({
                "number": i.number,
                "description": i.description,
                "decision": decision,
                "decision_name": Labels::get(&labels.item_decisions, decision),
                "before": i.before_text,
                "after": i.after_text,
                "done_by_name": i.decided_by_name,
                "done_by_title": i.decided_by_title,
                "done_on": i.decided_at.map(|t| date(t.date())),
                "reason": i.reason,
                "ground": i.ground.as_deref().and_then(ground),
                "explanation": i.explanation,
                "retention_ends_on": if i.retention_permanent {
                    Some(labels.words.get("permanent").cloned().unwrap_or_else(|| "∞".into()))
                } else {
                    opt_date(i.retention_ends_on)
                },
            })
        })
        .collect();
    let register_name = |id: &str| {
        input
            .registers
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.name.clone())
            .unwrap_or_default()
    };
    let identity_methods = identity_methods(labels, profile.oidc_in_use().is_some());
    let snap = input.snapshot;
    json!({
        "lang": lang.as_str(),
        // The letter's date: the day the action that called for it took effect.
        "today": date(snap.dated_on),
        "org": {
            "name": input.org.name,
            "business_id": input.org.business_id,
            "postal_address": profile.postal_address,
            "email": profile.email,
            "phone": profile.phone,
            "public_authority": profile.public_authority,
        },
        "request": {
            "reference": r.reference,
            "kind": r.kind,
            "kind_name": Labels::get(&labels.kinds, r.kind.as_str()),
            "received_on": date(snap.received_on),
            "due_on": date(snap.due_on),
            "original_due_on": date(snap.one_month_due_on),
            "extended": snap.extended,
            "extended_on": opt_date(snap.extended_on),
            "extension_reason": snap.extension_reason,
            "state": snap.state.as_str(),
            // Entered by staff after the day it reached us: the acknowledgement says both.
            "entered_on": opt_date(snap.entered_on),
            "entered_later": snap.entered_on.is_some_and(|d| d > snap.received_on),
            "due_passed": snap.due_on < snap.dated_on,
            "extension_notice_by_passed": snap.one_month_due_on < snap.dated_on,
            "clock_stopped": snap.clock_stopped,
            "registers": input.registers.iter().map(|g| g.name.clone()).collect::<Vec<_>>(),
            "log_period": input.log_period.map(|(a, b)| format!("{}–{}", date(a), date(b))),
        },
        "subject_name": input.subject.name,
        "representative": representative.as_ref().map(|rep| json!({
            "name": rep["name"],
            "relationship_name": Labels::get(&labels.relationships, rep["relationship"].as_str().unwrap_or_default()),
        })),
        "message": input.message,
        "identity_methods": identity_methods,
        "status_url": input.status_url,
        "status_code": snap.status_code.as_str(),
        "decision": decision.as_ref().map(|d| json!({
            "outcome": d.outcome.as_str(),
            "outcome_name": Labels::get(&labels.outcomes, d.outcome.as_str()),
            "explanation": d.explanation,
            "decided_on": date(d.decided_on),
            "decider_name": input.facts.and_then(|f| f.decider_name.clone()),
            "decider_title": input.facts.and_then(|f| f.decider_title.clone()),
        })),
        // Who answers questions about the decision: a member of staff, never the client.
        "contact": input.facts.and_then(|f| f.contact.as_ref()).map(|c| json!({
            "name": c.name,
            "title": c.title,
            "phone": c.phone,
            "email": c.email,
        })),
        "appeal": input.facts.and_then(|f| f.appeal.as_ref()).map(|a| appeal_context(a, lang)),
        "grounds": decision_grounds,
        "items": items,
        // Art 19: whom we told, whom not (yet), and whether there was anyone to tell.
        "had_recipients": !input.recipients.is_empty(),
        "recipients_notified": input.recipients.iter().filter(|x| x.notified_on.is_some()).map(|x| json!({
            "name": x.name,
            "notified_on": opt_date(x.notified_on),
        })).collect::<Vec<_>>(),
        "recipients_not_notified": input.recipients.iter().filter(|x| x.notified_on.is_none()).map(|x| x.name.clone()).collect::<Vec<_>>(),
        "enclosures": input.enclosures.iter().map(|name| json!({ "name": name })).collect::<Vec<_>>(),
        "download": json!({
            "days": input.download_days,
            "expires_on": date(input.rendered_on + chrono::Days::new(input.download_days.into())),
        }),
        "ombudsman": ombudsman,
        // Whether the decision can be challenged as a public authority's is a fact of the
        // decision's moment; a letter without one (no decision yet) reads the profile.
        "court_route": is_public(input, profile.public_authority).then(|| authorities.court_route.get(lang)),
        "court_route_private": (!is_public(input, profile.public_authority)).then(|| authorities.court_route_private.get(lang)),
        "registers_info": input.registers.iter().map(|g| {
            let info = RegisterInfo::of(g);
            json!({
                "name": g.name,
                "description": g.description,
                "purposes": info.purposes,
                "legal_basis": info.legal_basis,
                "data_categories": info.data_categories,
                "recipients": info.recipients,
                "sources": info.sources,
                "retention": info.retention,
                "transfers": info.transfers,
            })
        }).collect::<Vec<_>>(),
        "entries": input.entries.iter().map(|(a, content)| json!({
            "title": a.title,
            "register": register_name(&a.register_id),
            "rows": super::entry_text::readable_rows(content, labels, lang),
        })).collect::<Vec<_>>(),
        "withheld": input.withheld.iter().map(|a| json!({
            "kind": a.kind,
            "title": a.title,
            "register": register_name(&a.register_id),
            "ground": a.withheld_ground.as_deref().and_then(ground),
            "reason": a.withheld_reason,
        })).collect::<Vec<_>>(),
        "misuse": misuse_context(input, lang),
        "attachments": input.attachments.iter().map(|a| json!({
            "name": a.filename,
            "register": register_name(&a.register_id),
            "media_type": a.media_type,
            "withheld": a.withheld_ground.is_some(),
            "redacted": a.redacted,
            "withheld_ground": a.withheld_ground.as_deref().and_then(|c| grounds.get(c)).map(|g| g.title.get(lang).to_string()),
        })).collect::<Vec<_>>(),
    })
}

fn is_public(input: &LetterInput<'_>, now: bool) -> bool {
    match input.facts {
        Some(f) => f.appeal.is_some(),
        None => now,
    }
}

/// "7.", "7:e", "7th": the day after sending on which a decision is deemed received.
pub fn ordinal(n: u32, lang: Language) -> String {
    match lang {
        Language::Fi => format!("{n}."),
        Language::Sv => match n % 10 {
            1 | 2 if n % 100 != 11 && n % 100 != 12 => format!("{n}:a"),
            _ => format!("{n}:e"),
        },
        Language::En => {
            let suffix = match (n % 10, n % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{n}{suffix}")
        }
    }
}

/// The appeal instructions' facts in the letter's language.
fn appeal_context(a: &AppealFacts, lang: Language) -> Value {
    let to = &a.to;
    json!({
        "route": a.route.as_str(),
        "review": a.route == AppealRoute::Review,
        "days": a.days,
        "letter_day": ordinal(a.letter_deemed_received_day, lang),
        "electronic_day": ordinal(a.electronic_deemed_received_day, lang),
        "e_service": a.e_service,
        "to": {
            "name": to.name.get(lang),
            "postal_address": to.postal_address.get(lang),
            "email": to.email,
            "phone": if lang == Language::Fi { to.phone.clone() } else { to.phone_international.clone().or_else(|| to.phone.clone()) },
            "opening_hours": to.opening_hours,
        },
    })
}

/// The ways to prove one's identity, in one fixed order (the methods' own) in every language;
/// strong electronic identification only where the organisation has it configured.
pub fn identity_methods(labels: &Labels, strong_eid: bool) -> Vec<String> {
    IdentityMethod::ALL
        .iter()
        .filter(|m| strong_eid || **m != IdentityMethod::StrongEid)
        .filter_map(|m| labels.identity_methods.get(m.as_str()).cloned())
        .collect()
}

/// Whether the log-data request asked for a misuse investigation, and what it found.
fn misuse_context(input: &LetterInput<'_>, lang: Language) -> Value {
    json!({
        "asked": input.misuse_asked,
        "finding": input.misuse_finding.map(|f| json!({
            "found": f.misuse_found,
            "text": f.finding,
            "on": format_date(f.on, lang),
        })),
    })
}

/// A structured entry as key/value rows: nested objects flatten to dotted keys, arrays index.
pub fn entry_rows(content: &Value) -> Vec<Value> {
    fn walk(prefix: &str, v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(&format!("{prefix}[{}]", i + 1), v, out);
                }
            }
            Value::String(s) => out.push(json!({ "key": prefix, "value": s })),
            Value::Null => out.push(json!({ "key": prefix, "value": "" })),
            other => out.push(json!({ "key": prefix, "value": other.to_string() })),
        }
    }
    let mut out = Vec::new();
    walk("", content, &mut out);
    out
}

/// The document label and title the frame and the PDF metadata show (appeal instructions by
/// their `route`).
pub fn names(
    letters: &Letters,
    kind: LetterKind,
    lang: Language,
    route: Option<AppealRoute>,
) -> (String, String) {
    let labels = letters.labels(lang);
    let key = super::enclosures::title_key(kind, route);
    (
        Labels::get(&labels.doc_labels, &key).to_string(),
        Labels::get(&labels.doc_titles, &key).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_each_language() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).unwrap();
        assert_eq!(format_date(d, Language::Fi), "5.3.2026");
        assert_eq!(format_date(d, Language::Sv), "5.3.2026");
        assert_eq!(format_date(d, Language::En), "5 March 2026");
    }

    #[test]
    fn identity_methods_in_one_order_and_strong_eid_only_when_configured() {
        let letters = Letters::embedded().unwrap();
        for lang in [Language::Fi, Language::Sv, Language::En] {
            let labels = letters.labels(lang);
            let with = identity_methods(labels, true);
            let without = identity_methods(labels, false);
            let expected: Vec<&str> = IdentityMethod::ALL
                .iter()
                .map(|m| labels.identity_methods[m.as_str()].as_str())
                .collect();
            assert_eq!(with, expected, "{lang}");
            assert_eq!(without, expected[1..], "{lang}");
            assert!(!without.contains(&labels.identity_methods["strong_eid"]));
            // The same order every time (a map's order is not).
            for _ in 0..20 {
                assert_eq!(identity_methods(labels, true), with);
            }
        }
    }

    #[test]
    fn ordinals_in_each_language() {
        let o = |n, lang| ordinal(n, lang);
        assert_eq!(o(7, Language::Fi), "7.");
        assert_eq!(
            (o(3, Language::Sv), o(7, Language::Sv)),
            ("3:e".into(), "7:e".into())
        );
        assert_eq!(
            (o(1, Language::Sv), o(12, Language::Sv)),
            ("1:a".into(), "12:e".into())
        );
        assert_eq!(
            (o(3, Language::En), o(7, Language::En)),
            ("3rd".into(), "7th".into())
        );
        assert_eq!(
            (o(11, Language::En), o(22, Language::En)),
            ("11th".into(), "22nd".into())
        );
    }

    #[test]
    fn entries_flatten_to_rows() {
        let rows =
            entry_rows(&json!({ "nimi": "Maija", "osoite": { "katu": "Tie 1" }, "puh": ["1", 2] }));
        let keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["nimi", "osoite.katu", "puh[1]", "puh[2]"]);
    }
}
