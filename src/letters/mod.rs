//! Letters and certificates: templates in `letters/<lang>/` rendered with minijinja into the
//! line markup of [`markup`], then laid out as a PDF/A document by [`crate::pdf`].

pub mod context;
pub mod enclosures;
pub mod entry_text;
pub mod markup;
pub mod paper_form;
pub mod snapshot;

use std::collections::HashMap;

use anyhow::Context as _;
use minijinja::Environment;
use serde::Deserialize;

use crate::domain::enums::Language;

crate::domain::text_enum!(
    /// Every document the service writes from a template.
    LetterKind {
        Acknowledgement => "acknowledgement",
        IdentityRequest => "identity_request",
        ClarificationRequest => "clarification_request",
        ExtensionNotice => "extension_notice",
        AnswerCover => "answer_cover",
        RectificationDone => "rectification_done",
        ErasureDone => "erasure_done",
        RestrictionDone => "restriction_done",
        ObjectionDecided => "objection_decided",
        RefusalCertificate => "refusal_certificate",
        AccessReport => "access_report",
        AppealInstructions => "appeal_instructions",
    }
);

/// Per-language words the code needs beside the templates (`letters/<lang>/labels.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct Labels {
    pub kinds: HashMap<String, String>,
    pub outcomes: HashMap<String, String>,
    pub item_decisions: HashMap<String, String>,
    pub doc_labels: HashMap<String, String>,
    pub doc_titles: HashMap<String, String>,
    pub relationships: HashMap<String, String>,
    pub identity_methods: HashMap<String, String>,
    pub words: HashMap<String, String>,
    pub log_report: LogReportWords,
    pub paper_form: PaperFormWords,
}

/// The words of the printable request form (`[paper_form]` in labels.toml). A struct, not a
/// map: a language missing one of them fails at start instead of printing a key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperFormWords {
    pub doc_label: String,
    pub doc_title: String,
    pub instructions: String,
    pub request_heading: String,
    pub subject_heading: String,
    pub subject_help: String,
    pub address_protection_note: String,
    pub representative_heading: String,
    pub representative_help: String,
    pub registers_label: String,
    pub registers_help: String,
    pub answer_language: String,
    pub list_item: String,
    pub list_help: String,
    /// How a date is written, e.g. "pp.kk.vvvv", printed beside the date boxes.
    pub date_format: String,
    pub next_heading: String,
    pub next_text: String,
    /// `{example}` is replaced with a reference in the organisation's format.
    pub reference_text: String,
    pub identity_text: String,
    pub privacy_text: String,
    pub return_heading: String,
    pub return_by_post: String,
    pub return_in_person: String,
    pub no_email: String,
    pub contact_heading: String,
    pub postal_address: String,
    pub email: String,
    pub phone: String,
    pub signature_heading: String,
    pub place_and_date: String,
    pub signature: String,
    pub office_heading: String,
    pub office_received: String,
    pub office_reference: String,
    pub office_received_by: String,
}

/// The words of the access-log report (`[log_report]` in labels.toml).
#[derive(Debug, Clone, Deserialize)]
pub struct LogReportWords {
    pub title: String,
    pub label: String,
    pub intro: String,
    pub period: String,
    pub total: String,
    pub withheld: String,
    pub none: String,
    pub columns: [String; 6],
    /// Action codes (view, disclose, ...) in words.
    pub actions: HashMap<String, String>,
}

impl LogReportWords {
    /// An action in words; a code the labels do not know is shown as it came.
    pub fn action<'a>(&'a self, code: &'a str) -> &'a str {
        self.actions.get(code).map(String::as_str).unwrap_or(code)
    }
}

impl Labels {
    pub fn get<'a>(map: &'a HashMap<String, String>, key: &'a str) -> &'a str {
        map.get(key).map(String::as_str).unwrap_or(key)
    }
}

macro_rules! templates {
    ($($lang:literal),+) => {
        &[$(
            ($lang, "labels", include_str!(concat!("../../letters/", $lang, "/labels.toml"))),
            ($lang, "acknowledgement", include_str!(concat!("../../letters/", $lang, "/acknowledgement.j2"))),
            ($lang, "identity_request", include_str!(concat!("../../letters/", $lang, "/identity_request.j2"))),
            ($lang, "clarification_request", include_str!(concat!("../../letters/", $lang, "/clarification_request.j2"))),
            ($lang, "extension_notice", include_str!(concat!("../../letters/", $lang, "/extension_notice.j2"))),
            ($lang, "answer_cover", include_str!(concat!("../../letters/", $lang, "/answer_cover.j2"))),
            ($lang, "rectification_done", include_str!(concat!("../../letters/", $lang, "/rectification_done.j2"))),
            ($lang, "erasure_done", include_str!(concat!("../../letters/", $lang, "/erasure_done.j2"))),
            ($lang, "restriction_done", include_str!(concat!("../../letters/", $lang, "/restriction_done.j2"))),
            ($lang, "objection_decided", include_str!(concat!("../../letters/", $lang, "/objection_decided.j2"))),
            ($lang, "refusal_certificate", include_str!(concat!("../../letters/", $lang, "/refusal_certificate.j2"))),
            ($lang, "access_report", include_str!(concat!("../../letters/", $lang, "/access_report.j2"))),
            ($lang, "appeal_instructions", include_str!(concat!("../../letters/", $lang, "/appeal_instructions.j2"))),
            ($lang, "decision_contact", include_str!(concat!("../../letters/", $lang, "/decision_contact.j2"))),
            ($lang, "decision_signature", include_str!(concat!("../../letters/", $lang, "/decision_signature.j2"))),
        )+]
    };
}

const EMBEDDED: &[(&str, &str, &str)] = templates!("fi", "sv", "en");

/// The templates and labels of the three languages, parsed once at start.
pub struct Letters {
    env: Environment<'static>,
    labels: HashMap<Language, Labels>,
}

impl Letters {
    pub fn embedded() -> anyhow::Result<Letters> {
        let mut env = Environment::new();
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()?,
        );
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        // Every interpolated value is made safe for the line markup.
        env.set_formatter(|out, state, value| {
            if value.is_none() || value.is_undefined() {
                return Ok(());
            }
            let _ = state;
            let text = value.to_string();
            out.write_str(&markup::escape_value(&text))
                .map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write"))
        });
        let mut labels = HashMap::new();
        for (lang, name, src) in EMBEDDED {
            let language = Language::parse(lang).context("letters: unknown language")?;
            if *name == "labels" {
                let parsed: Labels =
                    toml::from_str(src).with_context(|| format!("letters/{lang}/labels.toml"))?;
                labels.insert(language, parsed);
            } else {
                env.add_template(template_name(lang, name).leak(), src)
                    .with_context(|| format!("letters/{lang}/{name}.j2"))?;
            }
        }
        Ok(Letters { env, labels })
    }

    pub fn labels(&self, lang: Language) -> &Labels {
        &self.labels[&lang]
    }

    /// Renders a template to its markup text.
    pub fn render_text(
        &self,
        kind: LetterKind,
        lang: Language,
        context: &serde_json::Value,
    ) -> anyhow::Result<String> {
        let name = template_name(lang.as_str(), kind.as_str());
        let template = self.env.get_template(&name)?;
        template
            .render(minijinja::value::Serde(context))
            .with_context(|| format!("rendering letters/{}/{}.j2", lang.as_str(), kind.as_str()))
    }
}

fn template_name(lang: &str, kind: &str) -> String {
    format!("{lang}/{kind}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A word missing in one language would show its code (or the Finnish word) instead.
    #[test]
    fn every_language_names_the_same_things() {
        let letters = Letters::embedded().unwrap();
        let keys = |lang: Language| {
            let l = letters.labels(lang);
            let mut all: Vec<String> = [
                ("kinds", &l.kinds),
                ("outcomes", &l.outcomes),
                ("item_decisions", &l.item_decisions),
                ("doc_labels", &l.doc_labels),
                ("doc_titles", &l.doc_titles),
                ("relationships", &l.relationships),
                ("identity_methods", &l.identity_methods),
                ("words", &l.words),
                ("log_report.actions", &l.log_report.actions),
            ]
            .iter()
            .flat_map(|(table, map)| map.keys().map(move |k| format!("{table}.{k}")))
            .collect();
            all.sort();
            all
        };
        let fi = keys(Language::Fi);
        assert_eq!(fi, keys(Language::Sv));
        assert_eq!(fi, keys(Language::En));
        assert!(fi.contains(&"log_report.actions.disclose".to_string()));
        let en = &letters.labels(Language::En).log_report;
        assert_eq!(en.action("view"), "Viewed");
        assert_eq!(en.action("x-custom"), "x-custom");
    }
}
