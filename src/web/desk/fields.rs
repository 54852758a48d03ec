//! What the desk's forms share: the posted form behind its CSRF check, dates typed either
//! way, and legal grounds named in the reader's language.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use crate::domain::enums::{Language, RequestKind};
use crate::domain::validation::FieldError;
use crate::services::Context;
use crate::web::csrf;
use crate::web::form::Posted;
use crate::web::site::notice;

/// The posted form, or the "form expired" page when its CSRF value does not match.
// The error is the page itself, answered at once; boxing it would only add a step.
#[allow(clippy::result_large_err)]
pub fn checked_form(req: &HttpRequest, body: &[u8]) -> Result<Posted, HttpResponse> {
    let posted = Posted::parse_or_empty(body);
    if csrf::verify(req, posted.get(csrf::FIELD)) {
        Ok(posted)
    } else {
        Err(notice(
            req,
            StatusCode::FORBIDDEN,
            "csrf_title",
            "csrf_text",
        ))
    }
}

/// A date as a date input sends it (yyyy-mm-dd) or as a person types it (d.m.yyyy).
pub fn typed_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d.%m.%Y"))
        .ok()
}

/// A ground's title with its statute reference, or its code when the catalogue lacks it.
pub fn ground_label(ctx: &Context, code: &str, lang: Language) -> String {
    ctx.rules
        .grounds
        .get(code)
        .map(|g| format!("{} ({})", g.title.get(lang), g.statute.get(lang)))
        .unwrap_or_else(|| code.to_string())
}

/// The grounds that may be cited for `kind`, for a select or checkboxes.
pub fn ground_choices(
    ctx: &Context,
    kind: RequestKind,
    lang: Language,
    selected: impl Fn(&str) -> bool,
) -> Vec<Value> {
    ctx.rules
        .grounds
        .all()
        .iter()
        .filter(|g| g.applies_to_kind(kind))
        .map(|g| {
            json!({
                "value": g.code,
                "title": g.title.get(lang),
                "statute": g.statute.get(lang),
                "label": ground_label(ctx, &g.code, lang),
                "selected": selected(&g.code),
            })
        })
        .collect()
}

/// A form's errors in the reader's language: the message by field (every field in `fields`
/// is present, null when it is fine, as the templates' strict mode needs), and the summary
/// lines linked to the fields, labelled by the text `{label_prefix}{field}`.
pub fn error_views(
    ctx: &Context,
    lang: Language,
    fields: &[&str],
    label_prefix: &str,
    errors: &[FieldError],
) -> (Map<String, Value>, Vec<Value>) {
    let mut by_field: Map<String, Value> = fields
        .iter()
        .map(|f| (f.to_string(), Value::Null))
        .collect();
    let summary = errors
        .iter()
        .map(|e| {
            let message = ctx
                .rules
                .forms
                .message(e.code.as_str(), lang, e.params.as_ref());
            by_field.insert(e.field.clone(), json!(message));
            json!({
                "target": format!("f-{}", e.field),
                "label": crate::web::site::site().text_or(&format!("{label_prefix}{}", e.field), lang, ""),
                "message": message,
            })
        })
        .collect();
    (by_field, summary)
}

/// The first error's message, for a form with one field.
pub fn first_message(ctx: &Context, lang: Language, errors: &[FieldError]) -> String {
    errors
        .first()
        .map(|e| {
            ctx.rules
                .forms
                .message(e.code.as_str(), lang, e.params.as_ref())
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_taken_as_an_input_sends_them_or_as_typed() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 6);
        assert_eq!(typed_date("2026-11-06"), d);
        assert_eq!(typed_date(" 6.11.2026 "), d);
        assert_eq!(typed_date("32.13.2026"), None);
        assert_eq!(typed_date(""), None);
    }
}
