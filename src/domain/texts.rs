//! Texts in the three languages of service.

use super::enums::Language;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub fi: String,
    pub sv: String,
    pub en: String,
}

impl Texts {
    pub fn get(&self, lang: Language) -> &str {
        match lang {
            Language::Fi => &self.fi,
            Language::Sv => &self.sv,
            Language::En => &self.en,
        }
    }

    pub fn is_complete(&self) -> bool {
        [&self.fi, &self.sv, &self.en]
            .iter()
            .all(|t| !t.trim().is_empty())
    }
}
