//! Message templates (`letters/mail/<lang>.toml`), rendered with minijinja. Each has a
//! subject and a plain-text body; the HTML part is made from the text, so the two never differ.

use std::collections::BTreeMap;

use minijinja::Environment;
use serde::Deserialize;

use crate::domain::enums::Language;

#[derive(Debug, Deserialize)]
struct Template {
    subject: String,
    text: String,
}

#[derive(Debug, Deserialize)]
struct LanguageFile {
    kind_labels: BTreeMap<String, String>,
    awaiting_labels: BTreeMap<String, String>,
    #[serde(flatten)]
    templates: BTreeMap<String, Template>,
}

pub const KINDS: &[&str] = &[
    "requester_news",
    "staff_assigned",
    "staff_due_soon",
    "staff_overdue",
    "dpo_digest",
];

pub struct Templates {
    env: Environment<'static>,
    files: BTreeMap<Language, LanguageFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("mail templates ({lang}): {message}")]
    Invalid { lang: &'static str, message: String },
    #[error("mail template {name}: {source}")]
    Render {
        name: String,
        source: minijinja::Error,
    },
}

const EMBEDDED: &[(Language, &str)] = &[
    (Language::Fi, include_str!("../../letters/mail/fi.toml")),
    (Language::Sv, include_str!("../../letters/mail/sv.toml")),
    (Language::En, include_str!("../../letters/mail/en.toml")),
];

impl Templates {
    pub fn embedded() -> Result<Templates, TemplateError> {
        let mut env = Environment::new();
        let mut files = BTreeMap::new();
        for (lang, src) in EMBEDDED {
            let invalid = |message: String| TemplateError::Invalid {
                lang: lang.as_str(),
                message,
            };
            let file: LanguageFile = toml::from_str(src).map_err(|e| invalid(e.to_string()))?;
            for kind in KINDS {
                let t = file
                    .templates
                    .get(*kind)
                    .ok_or_else(|| invalid(format!("no [{kind}]")))?;
                for (part, body) in [("subject", &t.subject), ("text", &t.text)] {
                    env.add_template_owned(format!("{lang}/{kind}/{part}"), body.clone())
                        .map_err(|e| invalid(format!("{kind}.{part}: {e}")))?;
                }
            }
            files.insert(*lang, file);
        }
        Ok(Templates { env, files })
    }

    pub fn render(
        &self,
        lang: Language,
        kind: &str,
        ctx: minijinja::Value,
    ) -> Result<Rendered, TemplateError> {
        let render = |part: &str| {
            let name = format!("{lang}/{kind}/{part}");
            self.env
                .get_template(&name)
                .and_then(|t| t.render(&ctx))
                .map_err(|source| TemplateError::Render { name, source })
        };
        let subject = render("subject")?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let text = render("text")?.trim().to_string() + "\n";
        let html = to_html(&text, lang);
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }

    pub fn kind_label(&self, lang: Language, kind: &str) -> String {
        self.files[&lang]
            .kind_labels
            .get(kind)
            .cloned()
            .unwrap_or_else(|| kind.to_string())
    }

    pub fn awaiting_label(&self, lang: Language, awaiting: &str) -> String {
        self.files[&lang]
            .awaiting_labels
            .get(awaiting)
            .cloned()
            .unwrap_or_else(|| awaiting.to_string())
    }
}

/// Paragraphs become `<p>`, lines `<br>`, links `<a>`; everything else is escaped.
fn to_html(text: &str, lang: Language) -> String {
    let mut body = String::new();
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let lines: Vec<String> = para
            .lines()
            .map(|line| {
                line.split(' ')
                    .map(|w| {
                        if w.starts_with("https://") || w.starts_with("http://") {
                            let e = escape(w);
                            format!("<a href=\"{e}\">{e}</a>")
                        } else {
                            escape(w)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        body.push_str(&format!("<p>{}</p>\n", lines.join("<br>\n")));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"></head>\n<body style=\"font-family: sans-serif; line-height: 1.5\">\n{body}</body></html>\n"
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn every_template_renders_in_every_language() {
        let t = Templates::embedded().unwrap();
        for lang in Language::ALL {
            let news = t
                .render(
                    *lang,
                    "requester_news",
                    context! { reference => "SAT-2026-00001", organisation => "Turvakoti Satama ry",
                        status_url => "https://palvelu.example/satama/status", organisation_contact => "" },
                )
                .unwrap();
            assert!(
                news.text.contains("SAT-2026-00001"),
                "{lang}: {}",
                news.text
            );
            assert!(news.text.contains("https://palvelu.example/satama/status"));
            assert!(
                !news.subject.contains("Turvakoti"),
                "no organisation name in the subject"
            );
            assert!(news
                .html
                .contains("<a href=\"https://palvelu.example/satama/status\">"));
            let item = context! { reference => "SAT-2026-00002", kind_label => "x", due_on => "1.12.2026",
            days => 3, assignee => "Sanna", awaiting_label => "y" };
            let digest = t
                .render(
                    *lang,
                    "dpo_digest",
                    context! { organisation => "O", today => "1.12.2026", overdue => vec![item.clone()],
                        due_soon => Vec::<minijinja::Value>::new(), last_chance => vec![item.clone()],
                        paused => vec![item], failed_messages => Vec::<minijinja::Value>::new(), board_url => "https://x/dpo" },
                )
                .unwrap();
            assert!(digest.text.contains("SAT-2026-00002"));
            for kind in ["staff_assigned", "staff_due_soon", "staff_overdue"] {
                let r = t
                    .render(
                        *lang,
                        kind,
                        context! { reference => "SAT-2026-00003", kind_label => "k", due_on => "1.12.2026",
                            days => 7, days_overdue => 2, extended => false, request_url => "https://x/r", organisation => "O" },
                    )
                    .unwrap();
                assert!(r.text.contains("SAT-2026-00003"), "{lang} {kind}");
            }
        }
    }

    #[test]
    fn html_is_escaped() {
        let html = to_html("a <b> & c\n\nhttps://x/y?a=1&b=2", Language::Fi);
        assert!(html.contains("a &lt;b&gt; &amp; c"));
        assert!(html.contains("<a href=\"https://x/y?a=1&amp;b=2\">"));
        assert!(html.contains("lang=\"fi\""));
    }
}
