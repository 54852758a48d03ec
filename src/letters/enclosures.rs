//! What a letter encloses: only documents that really go with it, named in words. A decision
//! letter encloses the refusal certificate of its own decision (and a public authority's
//! appeal instructions) and, for an answer, the data package and log report released to the
//! client; a certificate encloses only the appeal instructions (so a regenerated one does not
//! list itself), the instructions nothing, nor does the bundle's answer.pdf, whose own table
//! lists the files of the bundle.

use super::{Labels, LetterKind};
use crate::db::models::DocumentRow;
use crate::domain::appeal::AppealRoute;

/// The stored kinds a letter of `kind` may enclose, in the order they are listed.
fn enclosable(kind: LetterKind, refused: bool, appeal: bool) -> &'static [&'static str] {
    const CERT: &str = "refusal_certificate";
    const APPEAL: &str = "appeal_instructions";
    match kind {
        LetterKind::AnswerCover if refused && appeal => {
            &[CERT, APPEAL, "bundle", "log_report", "log_report_csv"]
        }
        LetterKind::AnswerCover if refused => &[CERT, "bundle", "log_report", "log_report_csv"],
        LetterKind::AnswerCover => &["bundle", "log_report", "log_report_csv"],
        LetterKind::RectificationDone
        | LetterKind::ErasureDone
        | LetterKind::RestrictionDone
        | LetterKind::ObjectionDecided
            if refused && appeal =>
        {
            &[CERT, APPEAL]
        }
        LetterKind::RectificationDone
        | LetterKind::ErasureDone
        | LetterKind::RestrictionDone
        | LetterKind::ObjectionDecided
            if refused =>
        {
            &[CERT]
        }
        LetterKind::RefusalCertificate if appeal => &[APPEAL],
        _ => &[],
    }
}

/// The documents a letter of `kind` encloses: of each enclosable kind the newest one
/// released to the client (an older one was superseded). `refused`: the decision refused or
/// withheld something, so it has a certificate of its own; `appeal`: the decision is a public
/// authority's, so it carries appeal instructions.
pub fn enclosed(
    kind: LetterKind,
    refused: bool,
    appeal: bool,
    docs: &[DocumentRow],
) -> Vec<&DocumentRow> {
    enclosable(kind, refused, appeal)
        .iter()
        .filter_map(|k| {
            docs.iter()
                .filter(|d| d.kind == *k && d.released_at.is_some())
                .max_by_key(|d| (d.created_at, d.id.as_str()))
        })
        .collect()
}

/// A document's name in words in the letter's language; never its file name. Appeal
/// instructions are named for their `route`: "Oikaisuvaatimusohje" or "Valitusosoitus".
pub fn name(labels: &Labels, doc_kind: &str, route: Option<AppealRoute>) -> String {
    match LetterKind::parse(doc_kind) {
        Some(k) => Labels::get(&labels.doc_titles, &title_key(k, route)).to_string(),
        None => {
            let key = format!("enclosure_{doc_kind}");
            labels
                .words
                .get(&key)
                .cloned()
                .unwrap_or_else(|| doc_kind.to_string())
        }
    }
}

/// The `doc_titles`/`doc_labels` key of a letter: appeal instructions by their route.
pub fn title_key(kind: LetterKind, route: Option<AppealRoute>) -> String {
    match (kind, route) {
        (LetterKind::AppealInstructions, Some(r)) => format!("{}_{}", kind.as_str(), r.as_str()),
        _ => kind.as_str().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::Language;
    use crate::letters::Letters;
    use chrono::NaiveDate;

    fn doc(kind: &str, day: u32, released: bool) -> DocumentRow {
        let at = NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        DocumentRow {
            id: format!("{kind}-{day}"),
            org_id: "o".into(),
            request_id: "r".into(),
            kind: kind.into(),
            language: "fi".into(),
            filename: format!("SAT-2026-00011-{kind}-fi.pdf"),
            media_type: "application/pdf".into(),
            blob_id: "b".into(),
            sha256: String::new(),
            size: 1,
            created_at: at,
            created_by: None,
            released_at: released.then_some(at),
            expires_at: None,
            snapshot: None,
        }
    }

    fn ids(v: Vec<&DocumentRow>) -> Vec<&str> {
        v.into_iter().map(|d| d.id.as_str()).collect()
    }

    #[test]
    fn only_what_goes_with_the_letter_is_enclosed() {
        let docs = [
            doc("acknowledgement", 1, true),
            doc("identity_request", 2, true),
            doc("extension_notice", 3, true),
            doc("refusal_certificate", 4, true),
            doc("bundle", 5, false),
            doc("refusal_certificate", 6, true),
            doc("bundle", 7, true),
            doc("log_report", 8, true),
        ];
        use LetterKind::*;
        assert_eq!(
            ids(enclosed(AnswerCover, true, false, &docs)),
            ["refusal_certificate-6", "bundle-7", "log_report-8"]
        );
        assert_eq!(
            ids(enclosed(AnswerCover, false, false, &docs)),
            ["bundle-7", "log_report-8"]
        );
        assert_eq!(
            ids(enclosed(ErasureDone, true, false, &docs)),
            ["refusal_certificate-6"]
        );
        assert!(enclosed(ErasureDone, false, false, &docs).is_empty());
        // A certificate, regenerated or not, never lists itself; answer.pdf lists no letters.
        for kind in [
            RefusalCertificate,
            AccessReport,
            Acknowledgement,
            IdentityRequest,
            ExtensionNotice,
        ] {
            assert!(enclosed(kind, true, false, &docs).is_empty(), "{kind}");
        }
    }

    #[test]
    fn a_public_authoritys_refusal_encloses_its_appeal_instructions() {
        let docs = [
            doc("appeal_instructions", 3, true),
            doc("refusal_certificate", 4, true),
            doc("bundle", 5, true),
        ];
        use LetterKind::*;
        assert_eq!(
            ids(enclosed(AnswerCover, true, true, &docs)),
            ["refusal_certificate-4", "appeal_instructions-3", "bundle-5"]
        );
        assert_eq!(
            ids(enclosed(ErasureDone, true, true, &docs)),
            ["refusal_certificate-4", "appeal_instructions-3"]
        );
        assert_eq!(
            ids(enclosed(RefusalCertificate, true, true, &docs)),
            ["appeal_instructions-3"]
        );
        // A private controller's decision has none, even if an old one is on record.
        assert!(enclosed(RefusalCertificate, true, false, &docs).is_empty());
        assert!(enclosed(AppealInstructions, true, true, &docs).is_empty());
        let letters = Letters::embedded().unwrap();
        for (lang, review, court) in [
            (Language::Fi, "Oikaisuvaatimusohje", "Valitusosoitus"),
            (
                Language::Sv,
                "Anvisning om begäran om omprövning",
                "Besvärsanvisning",
            ),
            (
                Language::En,
                "Instructions for requesting a review",
                "Appeal instructions",
            ),
        ] {
            let labels = letters.labels(lang);
            let n = |r| name(labels, "appeal_instructions", Some(r));
            assert_eq!(n(AppealRoute::Review), review);
            assert_eq!(n(AppealRoute::Court), court);
        }
    }

    #[test]
    fn enclosures_are_named_in_words_in_every_language() {
        let letters = Letters::embedded().unwrap();
        for (lang, cert, bundle) in [
            (Language::Fi, "Kieltäytymistodistus", "ZIP"),
            (Language::Sv, "Intyg om vägran", "ZIP"),
            (Language::En, "Refusal certificate", "ZIP"),
        ] {
            let labels = letters.labels(lang);
            assert_eq!(name(labels, "refusal_certificate", None), cert);
            for kind in ["bundle", "log_report", "log_report_csv"] {
                let n = name(labels, kind, None);
                assert!(
                    !n.contains('_') && !n.contains(".pdf"),
                    "{lang} {kind}: {n}"
                );
            }
            assert!(name(labels, "bundle", None).contains(bundle));
        }
    }
}
