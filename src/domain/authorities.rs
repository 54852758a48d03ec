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
    pub court_route: Texts,
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
        Ok(a)
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
    fn an_incomplete_file_is_refused() {
        let src = EMBEDDED.replace("sv = \"PB 800, 00531 Helsingfors\"", "sv = \"\"");
        assert!(Authorities::from_toml(&src).is_err());
    }
}
