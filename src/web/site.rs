//! Templates, interface texts and the page frame shared by every page.
//! Templates (`web/templates/*.html`) and texts (`web/texts.toml`) are compiled in, so the
//! binary serves its pages with no files beside it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::domain::enums::Language;
use crate::domain::texts::Texts;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../web/templates/base.html")),
    (
        "fields.html",
        include_str!("../../web/templates/fields.html"),
    ),
    ("org.html", include_str!("../../web/templates/org.html")),
    ("form.html", include_str!("../../web/templates/form.html")),
    (
        "received.html",
        include_str!("../../web/templates/received.html"),
    ),
    (
        "status_form.html",
        include_str!("../../web/templates/status_form.html"),
    ),
    (
        "status.html",
        include_str!("../../web/templates/status.html"),
    ),
    (
        "accessibility.html",
        include_str!("../../web/templates/accessibility.html"),
    ),
    (
        "message.html",
        include_str!("../../web/templates/message.html"),
    ),
    (
        "desk_login.html",
        include_str!("../../web/templates/desk_login.html"),
    ),
    (
        "desk_nav.html",
        include_str!("../../web/templates/desk_nav.html"),
    ),
    (
        "desk_rows.html",
        include_str!("../../web/templates/desk_rows.html"),
    ),
    (
        "desk_queue.html",
        include_str!("../../web/templates/desk_queue.html"),
    ),
    (
        "desk_search.html",
        include_str!("../../web/templates/desk_search.html"),
    ),
    (
        "desk_case.html",
        include_str!("../../web/templates/desk_case.html"),
    ),
    (
        "desk_action.html",
        include_str!("../../web/templates/desk_action.html"),
    ),
    (
        "desk_intake_choose.html",
        include_str!("../../web/templates/desk_intake_choose.html"),
    ),
    (
        "desk_intake.html",
        include_str!("../../web/templates/desk_intake.html"),
    ),
    (
        "desk_intake_done.html",
        include_str!("../../web/templates/desk_intake_done.html"),
    ),
    (
        "desk_material_add.html",
        include_str!("../../web/templates/desk_material_add.html"),
    ),
    (
        "desk_logs.html",
        include_str!("../../web/templates/desk_logs.html"),
    ),
    (
        "desk_withholding.html",
        include_str!("../../web/templates/desk_withholding.html"),
    ),
    (
        "desk_item_add.html",
        include_str!("../../web/templates/desk_item_add.html"),
    ),
    (
        "desk_item_decide.html",
        include_str!("../../web/templates/desk_item_decide.html"),
    ),
    (
        "desk_settings.html",
        include_str!("../../web/templates/desk_settings.html"),
    ),
    (
        "dpo_board.html",
        include_str!("../../web/templates/dpo_board.html"),
    ),
    (
        "desk_admin.html",
        include_str!("../../web/templates/desk_admin.html"),
    ),
    (
        "desk_admin_form.html",
        include_str!("../../web/templates/desk_admin_form.html"),
    ),
    (
        "desk_admin_table.html",
        include_str!("../../web/templates/desk_admin_table.html"),
    ),
];

pub const STYLESHEET: &str = include_str!("../../web/static/site.css");
const TEXTS: &str = include_str!("../../web/texts.toml");
/// The staff desk's texts, kept apart from the public pages' for readability.
const DESK_TEXTS: &str = include_str!("../../web/desk-texts.toml");

pub struct Site {
    env: minijinja::Environment<'static>,
    texts: BTreeMap<String, Texts>,
}

/// The compiled-in site; a broken template or text file fails the first page and the tests.
pub fn site() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| Site::load().expect("the embedded web templates and texts are valid"))
}

impl Site {
    fn load() -> anyhow::Result<Site> {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()?,
        );
        env.add_filter("paras", paragraphs);
        // HTML escaping of the five significant characters only: minijinja's default also
        // turns `/` into `&#x2f;`, which is valid but makes every link unreadable in source.
        env.set_formatter(|out, _state, value| {
            if value.is_undefined() || value.is_none() {
                return Ok(());
            }
            let text = value.to_string();
            let written = if value.is_safe() {
                out.write_str(&text)
            } else {
                out.write_str(&escape_html(&text))
            };
            written.map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write"))
        });
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        let mut texts: BTreeMap<String, Texts> = toml::from_str(TEXTS)?;
        let desk: BTreeMap<String, Texts> = toml::from_str(DESK_TEXTS)?;
        for (key, text) in desk {
            if texts.insert(key.clone(), text).is_some() {
                anyhow::bail!("web/desk-texts.toml: {key} is also in web/texts.toml");
            }
        }
        if let Some((key, _)) = texts.iter().find(|(_, t)| !t.is_complete()) {
            anyhow::bail!("web/texts.toml: {key} lacks a language");
        }
        Ok(Site { env, texts })
    }

    /// One text in one language; a missing key shows itself rather than failing the page.
    pub fn text(&self, key: &str, lang: Language) -> String {
        self.texts
            .get(key)
            .map(|t| t.get(lang).to_string())
            .unwrap_or_else(|| format!("[{key}]"))
    }

    /// One text, or `fallback` when there is none for `key`.
    pub fn text_or(&self, key: &str, lang: Language, fallback: &str) -> String {
        self.texts
            .get(key)
            .map(|t| t.get(lang).to_string())
            .unwrap_or_else(|| fallback.to_string())
    }

    fn texts_for(&self, lang: Language) -> BTreeMap<&str, &str> {
        self.texts
            .iter()
            .map(|(k, t)| (k.as_str(), t.get(lang)))
            .collect()
    }

    pub fn render(&self, template: &str, ctx: &Value) -> anyhow::Result<String> {
        Ok(self
            .env
            .get_template(template)?
            .render(minijinja::value::Serde(ctx))?)
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Splits a text on blank lines into paragraphs.
fn paragraphs(text: String) -> Vec<String> {
    text.split("\n\n")
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The page's language: `?lang=`, else the browser's preference, else Finnish.
pub fn page_language(req: &HttpRequest) -> Language {
    let query = req.query_string();
    for pair in query.split('&') {
        if let Some(v) = pair.strip_prefix("lang=") {
            if let Some(lang) = Language::parse(v) {
                return lang;
            }
        }
    }
    let accept = req
        .headers()
        .get(actix_web::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept
        .split(',')
        .filter_map(|part| part.split(';').next())
        .filter_map(|tag| Language::parse(&tag.trim().get(..2)?.to_ascii_lowercase()))
        .next()
        .unwrap_or(Language::Fi)
}

/// Links to the same page in the other languages, keeping every other query parameter.
fn language_links(req: &HttpRequest, current: Language) -> Vec<Value> {
    let rest: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    Language::ALL
        .iter()
        .map(|lang| {
            let mut query = rest.clone();
            let param = format!("lang={}", lang.as_str());
            query.push(&param);
            json!({
                "code": lang.as_str(),
                "label": endonym(*lang),
                "href": format!("{}?{}", req.path(), query.join("&")),
                "current": *lang == current,
            })
        })
        .collect()
}

/// A page that only says one thing (not found, form expired, failure), in the page's language.
pub fn notice(
    req: &HttpRequest,
    status: StatusCode,
    title_key: &str,
    text_key: &str,
) -> HttpResponse {
    let lang = page_language(req);
    let frame = Frame {
        req,
        lang,
        title: String::new(),
        org: None,
        csrf: None,
    };
    frame.message(status, title_key, site().text(text_key, lang))
}

/// Each language's name in itself, as a language switch shows it.
fn endonym(lang: Language) -> &'static str {
    match lang {
        Language::Fi => "Suomi",
        Language::Sv => "Svenska",
        Language::En => "English",
    }
}

/// What every page needs beside its own data.
pub struct Frame<'a> {
    pub req: &'a HttpRequest,
    pub lang: Language,
    pub title: String,
    /// The organisation in whose name the page speaks, if any.
    pub org: Option<Value>,
    pub csrf: Option<String>,
}

impl Frame<'_> {
    /// Renders `template` with the frame and `data`; a template fault is a 500, logged
    /// with the template's name only.
    pub fn page(&self, status: StatusCode, template: &str, data: impl Serialize) -> HttpResponse {
        let site = site();
        let mut ctx = match serde_json::to_value(data) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        ctx.insert("lang".into(), json!(self.lang.as_str()));
        ctx.insert("t".into(), json!(site.texts_for(self.lang)));
        ctx.insert("langs".into(), json!(language_links(self.req, self.lang)));
        ctx.insert("title".into(), json!(self.title));
        ctx.insert("org".into(), self.org.clone().unwrap_or(Value::Null));
        ctx.insert("csrf".into(), json!(self.csrf));
        // Staff pages with tables use the full width; people's pages keep a readable measure.
        ctx.insert("wide".into(), json!(self.req.path().starts_with("/desk")));
        match site.render(template, &Value::Object(ctx)) {
            Ok(html) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(html),
            Err(e) => {
                tracing::error!(template, error = %e, "page could not be rendered");
                HttpResponse::InternalServerError()
                    .content_type("text/plain; charset=utf-8")
                    .body("internal error")
            }
        }
    }

    /// A page that only says something: errors, limits, expired forms.
    pub fn message(&self, status: StatusCode, title_key: &str, text: String) -> HttpResponse {
        let site = site();
        let frame = Frame {
            req: self.req,
            lang: self.lang,
            title: site.text(title_key, self.lang),
            org: self.org.clone(),
            csrf: None,
        };
        frame.page(status, "message.html", json!({ "text": text }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn every_template_and_text_loads() {
        let site = Site::load().unwrap();
        assert!(site.texts.len() > 100);
    }

    #[test]
    fn language_from_query_then_browser_then_finnish() {
        let req = TestRequest::with_uri("/x/?lang=sv").to_http_request();
        assert_eq!(page_language(&req), Language::Sv);
        let req = TestRequest::with_uri("/x/")
            .insert_header(("Accept-Language", "de-DE, en-GB;q=0.8, fi;q=0.5"))
            .to_http_request();
        assert_eq!(page_language(&req), Language::En);
        let req = TestRequest::with_uri("/x/?lang=de").to_http_request();
        assert_eq!(page_language(&req), Language::Fi);
    }

    #[test]
    fn language_links_keep_other_parameters() {
        let req =
            TestRequest::with_uri("/x/status?reference=A-1&lang=fi&token=t").to_http_request();
        let links = language_links(&req, Language::Fi);
        assert_eq!(links[1]["href"], "/x/status?reference=A-1&token=t&lang=sv");
        assert_eq!(links[0]["current"], true);
    }

    #[test]
    fn values_are_escaped_for_html() {
        let site = Site::load().unwrap();
        let mut env = site.env.clone();
        env.add_template("probe.html", "<p title=\"{{ v }}\">{{ v }}</p>{{ t }}")
            .unwrap();
        let html = env
            .get_template("probe.html")
            .unwrap()
            .render(minijinja::context! { v => "<b>\"a\" & 'b'</b> /x", t => minijinja::Value::from_safe_string("<i>ok</i>".into()) })
            .unwrap();
        assert_eq!(
            html,
            "<p title=\"&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt; /x\">&lt;b&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/b&gt; /x</p><i>ok</i>"
        );
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(paragraphs("a\nb\n\n\nc\n".into()), vec!["a\nb", "c"]);
    }

    #[test]
    fn placeholders_are_the_same_in_every_language() {
        let site = Site::load().unwrap();
        for (key, t) in &site.texts {
            let holes = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(h, _)| h.to_string()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(holes(&t.fi), holes(&t.sv), "{key}");
            assert_eq!(holes(&t.fi), holes(&t.en), "{key}");
        }
    }
}
