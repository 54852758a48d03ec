//! Contact data of the supervisory authority and the court route (`letters/authorities.toml`),
//! printed on refusal certificates. An organisation may override the Ombudsman's data.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::enums::Language;
use super::texts::Texts;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorityContact {
    pub phone: String,
    pub phone_international: String,
    pub email: String,
    pub web: String,
    #[schema(value_type = Object)]
    pub name: Texts,
    #[schema(value_type = Object)]
    pub postal_address: Texts,
    #[schema(value_type = Object)]
    pub visiting_address: Texts,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authorities {
    pub data_protection_ombudsman: AuthorityContact,
    /// Public authorities: the decision can be challenged, as its enclosed instructions say.
    pub court_route: Texts,
    /// Private controllers: no administrative appeal; the Ombudsman and the general courts.
    pub court_route_private: Texts,
    pub appeal: AppealRules,
    pub administrative_courts: Vec<Court>,
}

/// The time limits of challenging a public authority's decision, and the days on which a
/// decision is deemed received: the law as data.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppealRules {
    pub review_days: u32,
    pub court_days: u32,
    pub letter_deemed_received_day: u32,
    pub electronic_deemed_received_day: u32,
    pub court_e_service: String,
}

/// An administrative court (hallinto-oikeus) and where an appeal is sent.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Court {
    pub code: String,
    pub phone: String,
    pub phone_international: String,
    pub email: String,
    pub name: Texts,
    pub postal_address: Texts,
}

const EMBEDDED: &str = include_str!("../../letters/authorities.toml");

impl Authorities {
    pub fn embedded() -> anyhow::Result<Authorities> {
        Authorities::from_toml(EMBEDDED)
    }

    pub fn from_toml(src: &str) -> anyhow::Result<Authorities> {
        let a: Authorities =
            toml::from_str(src).map_err(|e| anyhow::anyhow!("authorities file: {e}"))?;
        a.data_protection_ombudsman.check()?;
        if !a.court_route.is_complete() {
            anyhow::bail!("authorities file: court_route needs fi, sv and en");
        }
        if !a.court_route_private.is_complete() {
            anyhow::bail!("authorities file: court_route_private needs fi, sv and en");
        }
        let r = &a.appeal;
        for (name, days) in [
            ("review_days", r.review_days),
            ("court_days", r.court_days),
            ("letter_deemed_received_day", r.letter_deemed_received_day),
            (
                "electronic_deemed_received_day",
                r.electronic_deemed_received_day,
            ),
        ] {
            if days == 0 || days > 90 {
                anyhow::bail!("authorities file: appeal.{name} must be 1 to 90 days");
            }
        }
        let mut codes = std::collections::HashSet::new();
        for c in &a.administrative_courts {
            let plain = [&c.code, &c.phone, &c.phone_international, &c.email];
            if !c.name.is_complete()
                || !c.postal_address.is_complete()
                || plain.iter().any(|p| p.trim().is_empty())
            {
                anyhow::bail!(
                    "authorities file: administrative court {}: every field is required, in fi, sv and en",
                    c.code
                );
            }
            if !codes.insert(c.code.as_str()) {
                anyhow::bail!("authorities file: administrative court {} twice", c.code);
            }
        }
        Ok(a)
    }

    /// The administrative court with this code.
    pub fn court(&self, code: &str) -> Option<&Court> {
        self.administrative_courts.iter().find(|c| c.code == code)
    }
}

impl AuthorityContact {
    pub fn check(&self) -> anyhow::Result<()> {
        let texts = [&self.name, &self.postal_address, &self.visiting_address];
        let plain = [
            &self.phone,
            &self.phone_international,
            &self.email,
            &self.web,
        ];
        if texts.iter().any(|t| !t.is_complete()) || plain.iter().any(|p| p.trim().is_empty()) {
            anyhow::bail!("authority contact: every field is required, in fi, sv and en");
        }
        Ok(())
    }

    /// The contact data as printed in one language.
    pub fn localised(&self, lang: Language) -> serde_json::Value {
        serde_json::json!({
            "name": self.name.get(lang),
            "postal_address": self.postal_address.get(lang),
            "visiting_address": self.visiting_address.get(lang),
            "phone": if lang == Language::Fi { &self.phone } else { &self.phone_international },
            "email": self.email,
            "web": self.web,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_defaults_are_complete_and_current() {
        let a = Authorities::embedded().unwrap();
        let o = &a.data_protection_ombudsman;
        // legal.md: PL 800, 00531 Helsinki; 029 566 6700; tietosuoja(at)om.fi.
        assert_eq!(o.postal_address.fi, "PL 800, 00531 Helsinki");
        assert_eq!(o.phone, "029 566 6700");
        assert_eq!(o.email, "tietosuoja@om.fi");
        assert_eq!(o.localised(Language::En)["phone"], "+358 29 566 6700");
    }

    #[test]
    fn the_six_administrative_courts_and_the_time_limits_are_data() {
        let a = Authorities::embedded().unwrap();
        let codes: Vec<&str> = a
            .administrative_courts
            .iter()
            .map(|c| c.code.as_str())
            .collect();
        assert_eq!(
            codes,
            [
                "helsinki",
                "hameenlinna",
                "ita_suomi",
                "pohjois_suomi",
                "turku",
                "vaasa"
            ]
        );
        let turku = a.court("turku").unwrap();
        assert_eq!(turku.name.sv, "Åbo förvaltningsdomstol");
        assert!(turku.postal_address.fi.contains("20101 Turku"));
        assert!(a.court("ahvenanmaa").is_none());
        // Act 410/2015 § 134 and Act 611/2021 § 141: 14 days; Act 808/2019 § 13: 30 days;
        // Act 434/2003 § 59 and Act 13/2003 § 19: 7 and 3.
        assert_eq!((a.appeal.review_days, a.appeal.court_days), (14, 30));
        assert_eq!(a.appeal.letter_deemed_received_day, 7);
        assert_eq!(a.appeal.electronic_deemed_received_day, 3);
        let twice = EMBEDDED.replace("code = \"vaasa\"", "code = \"turku\"");
        assert!(Authorities::from_toml(&twice).is_err());
    }

    #[test]
    fn an_incomplete_file_is_refused() {
        let src = EMBEDDED.replace("sv = \"PB 800, 00531 Helsingfors\"", "sv = \"\"");
        assert!(Authorities::from_toml(&src).is_err());
    }
}
