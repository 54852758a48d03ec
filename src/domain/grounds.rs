//! The catalogue of legal grounds for refusing (`letters/legal-grounds.toml`).

use serde::Deserialize;

use super::codes::FieldCode;
use super::enums::RequestKind;
use super::texts::Texts;
use super::validation::FieldError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ground {
    pub code: String,
    /// Request kinds this ground may be cited for; `*` means all.
    pub applies_to: Vec<String>,
    pub statute: Texts,
    pub title: Texts,
    pub text: Texts,
}

impl Ground {
    pub fn applies_to_kind(&self, kind: RequestKind) -> bool {
        self.applies_to
            .iter()
            .any(|k| k == "*" || k == kind.as_str())
    }
}

#[derive(Debug, Clone)]
pub struct LegalGrounds {
    grounds: Vec<Ground>,
}

#[derive(Debug, Deserialize)]
struct GroundsFile {
    ground: Vec<Ground>,
}

#[derive(Debug, thiserror::Error)]
pub enum GroundsError {
    #[error("legal grounds file: {0}")]
    Parse(String),
    #[error("legal ground {code}: {problem}")]
    Invalid { code: String, problem: String },
}

const EMBEDDED: &str = include_str!("../../letters/legal-grounds.toml");

impl LegalGrounds {
    pub fn embedded() -> Result<LegalGrounds, GroundsError> {
        LegalGrounds::from_toml(EMBEDDED)
    }

    pub fn from_toml(src: &str) -> Result<LegalGrounds, GroundsError> {
        let file: GroundsFile =
            toml::from_str(src).map_err(|e| GroundsError::Parse(e.to_string()))?;
        for (i, g) in file.ground.iter().enumerate() {
            let invalid = |problem: &str| GroundsError::Invalid {
                code: g.code.clone(),
                problem: problem.to_string(),
            };
            if file.ground[..i].iter().any(|other| other.code == g.code) {
                return Err(invalid("defined twice"));
            }
            if !(g.statute.is_complete() && g.title.is_complete() && g.text.is_complete()) {
                return Err(invalid("needs statute, title and text in fi, sv and en"));
            }
            if let Some(bad) = g
                .applies_to
                .iter()
                .find(|k| *k != "*" && RequestKind::parse(k).is_none())
            {
                return Err(invalid(&format!("applies_to names unknown kind {bad}")));
            }
        }
        Ok(LegalGrounds {
            grounds: file.ground,
        })
    }

    pub fn all(&self) -> &[Ground] {
        &self.grounds
    }

    pub fn get(&self, code: &str) -> Option<&Ground> {
        self.grounds.iter().find(|g| g.code == code)
    }

    /// Checks one cited ground (a single-valued field): known and applicable to the kind.
    pub fn check_one(&self, code: &str, kind: RequestKind, field: &str) -> Option<FieldError> {
        match self.get(code) {
            None => Some(
                FieldError::new(field, FieldCode::UnknownGround)
                    .with_params(serde_json::json!({ "code": code })),
            ),
            Some(g) if !g.applies_to_kind(kind) => Some(
                FieldError::new(field, FieldCode::GroundNotApplicable)
                    .with_params(serde_json::json!({ "code": code, "kind": kind.as_str() })),
            ),
            Some(_) => None,
        }
    }

    /// Checks cited ground codes: at least one, each known and applicable to the kind.
    pub fn check(&self, codes: &[String], kind: RequestKind, field: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if codes.is_empty() {
            errors.push(FieldError::new(field, FieldCode::Required));
        }
        for (i, code) in codes.iter().enumerate() {
            let path = format!("{field}[{i}]");
            match self.get(code) {
                None => errors.push(
                    FieldError::new(path, FieldCode::UnknownGround)
                        .with_params(serde_json::json!({ "code": code })),
                ),
                Some(g) if !g.applies_to_kind(kind) => errors.push(
                    FieldError::new(path, FieldCode::GroundNotApplicable)
                        .with_params(serde_json::json!({ "code": code, "kind": kind.as_str() })),
                ),
                Some(_) => {}
            }
            if codes[..i].contains(code) {
                errors.push(FieldError::new(
                    format!("{field}[{i}]"),
                    FieldCode::Duplicate,
                ));
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_has_every_required_ground() {
        let grounds = LegalGrounds::embedded().unwrap();
        for code in [
            "gdpr_11_2",
            "gdpr_12_5",
            "gdpr_15_4",
            "gdpr_17_3_b",
            "gdpr_17_3_e",
            "gdpr_20_3",
            "gdpr_21_1",
            "tsl_34",
            "act_703_2023_11",
            "gdpr_16",
            "gdpr_18_1",
            "gdpr_18_2",
            "gdpr_21_1_scope",
        ] {
            assert!(grounds.get(code).is_some(), "{code} missing");
        }
        // Each right has its own refusal grounds, and they are usable only for it.
        use RequestKind::*;
        for (code, kinds) in [
            ("gdpr_16", &[Rectification][..]),
            ("gdpr_18_1", &[Restriction]),
            ("gdpr_18_2", &[Restriction]),
            ("gdpr_21_1", &[Objection]),
            ("gdpr_21_1_scope", &[Objection]),
            ("act_703_2023_11", &[LogInspection]),
            ("tsl_34", &[Access, LogInspection]),
        ] {
            let g = grounds.get(code).unwrap();
            for kind in RequestKind::ALL {
                assert_eq!(
                    g.applies_to_kind(*kind),
                    kinds.contains(kind),
                    "{code} for {kind}"
                );
            }
        }
        let log = grounds.get("act_703_2023_11").unwrap();
        assert!(log.applies_to_kind(RequestKind::LogInspection));
        assert!(!log.applies_to_kind(RequestKind::Erasure));
        assert!(grounds
            .get("gdpr_17_3_b")
            .unwrap()
            .applies_to_kind(RequestKind::Erasure));
    }

    #[test]
    fn cited_grounds_are_checked() {
        let grounds = LegalGrounds::embedded().unwrap();
        let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(grounds
            .check(&codes(&["gdpr_17_3_b"]), RequestKind::Erasure, "grounds")
            .is_empty());
        let errs = grounds.check(&codes(&[]), RequestKind::Erasure, "grounds");
        assert_eq!(errs[0].code.as_str(), "required");
        let errs = grounds.check(
            &codes(&["gdpr_99", "act_703_2023_11"]),
            RequestKind::Erasure,
            "grounds",
        );
        let found: Vec<&str> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(found, ["unknown_ground", "ground_not_applicable"]);
    }

    #[test]
    fn one_cited_ground_is_checked_under_its_own_field_name() {
        let grounds = LegalGrounds::embedded().unwrap();
        assert!(grounds
            .check_one(
                "act_703_2023_11",
                RequestKind::LogInspection,
                "withheld_ground"
            )
            .is_none());
        let e = grounds
            .check_one("gdpr_17_3_b", RequestKind::LogInspection, "withheld_ground")
            .unwrap();
        assert_eq!(
            (e.field.as_str(), e.code.as_str()),
            ("withheld_ground", "ground_not_applicable")
        );
        let e = grounds
            .check_one("nope", RequestKind::Access, "withheld_ground")
            .unwrap();
        assert_eq!(e.code.as_str(), "unknown_ground");
    }

    /// Every ground names its statute in every language: a reference the reader can look up.
    #[test]
    fn every_ground_cites_a_statute_with_a_number_in_each_language() {
        let grounds = LegalGrounds::embedded().unwrap();
        for g in grounds.all() {
            for lang in crate::domain::enums::Language::ALL {
                let statute = g.statute.get(*lang);
                assert!(
                    statute.chars().any(|c| c.is_ascii_digit()),
                    "{} {lang}: {statute}",
                    g.code
                );
            }
        }
    }

    #[test]
    fn a_broken_catalogue_is_refused_with_the_code() {
        let src = r#"
[[ground]]
code = "x"
applies_to = ["teleportation"]
statute = { fi = "a", sv = "b", en = "c" }
title = { fi = "a", sv = "b", en = "c" }
text = { fi = "a", sv = "b", en = "c" }
"#;
        let err = LegalGrounds::from_toml(src).unwrap_err().to_string();
        assert!(err.contains("teleportation"), "{err}");
    }
}
