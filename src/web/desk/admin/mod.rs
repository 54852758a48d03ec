//! The organisation's administration in the desk, for admins only: users, registers, the
//! letterhead and strong identification, and the ingest tokens of access-log sources.
//! Staff and the DPO are not offered the link, and a typed address answers 403 in words.
//!
//! Every form here is built from one list of fields (`Field`) and one template
//! (`desk_admin_form.html`), so each page has the same labels, help, error summary linked
//! to its fields, and CSRF value.

mod organisation;
mod registers;
mod tokens;
mod users;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::{render, signed_in, Desk};
use crate::domain::enums::{Language, Role};
use crate::domain::validation::FieldError;
use crate::edge::session::Session;
use crate::services::Context;
use crate::web::site::{notice, site};

/// Adds the admin pages under `/desk/admin`.
pub fn mount<T>(app: actix_web::App<T>) -> actix_web::App<T>
where
    T: actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
    >,
{
    app.route("/desk/admin", web::get().to(index))
        .route("/desk/admin/users", web::get().to(users::list))
        .route("/desk/admin/users/new", web::get().to(users::new_form))
        .route("/desk/admin/users/new", web::post().to(users::create))
        .route("/desk/admin/users/{id}", web::get().to(users::edit_form))
        .route("/desk/admin/users/{id}", web::post().to(users::save))
        .route(
            "/desk/admin/users/{id}/password",
            web::get().to(users::password_form),
        )
        .route(
            "/desk/admin/users/{id}/password",
            web::post().to(users::reset_password),
        )
        .route("/desk/admin/registers", web::get().to(registers::list))
        .route(
            "/desk/admin/registers/new",
            web::get().to(registers::new_form),
        )
        .route(
            "/desk/admin/registers/new",
            web::post().to(registers::create),
        )
        .route(
            "/desk/admin/registers/{slug}",
            web::get().to(registers::edit_form),
        )
        .route(
            "/desk/admin/registers/{slug}",
            web::post().to(registers::save),
        )
        .route(
            "/desk/admin/organisation",
            web::get().to(organisation::letterhead_form),
        )
        .route(
            "/desk/admin/organisation",
            web::post().to(organisation::save_letterhead),
        )
        .route(
            "/desk/admin/identification",
            web::get().to(organisation::identification_form),
        )
        .route(
            "/desk/admin/identification",
            web::post().to(organisation::save_identification),
        )
        .route("/desk/admin/tokens", web::get().to(tokens::list))
        .route("/desk/admin/tokens/new", web::get().to(tokens::new_form))
        .route("/desk/admin/tokens/new", web::post().to(tokens::create))
        .route(
            "/desk/admin/tokens/{id}/revoke",
            web::get().to(tokens::revoke_form),
        )
        .route(
            "/desk/admin/tokens/{id}/revoke",
            web::post().to(tokens::revoke),
        )
}

/// The signed-in admin, or the page that answers everyone else: the sign-in form without
/// a session, "no access" (403, in words) for staff and the DPO.
async fn admin_desk(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    session: Option<Session>,
) -> Result<Desk, HttpResponse> {
    let desk = signed_in(ctx, req, session).await?;
    if desk.is(&[Role::Admin]) {
        Ok(desk)
    } else {
        Err(notice(
            req,
            StatusCode::FORBIDDEN,
            "forbidden_title",
            "desk_admin_only",
        ))
    }
}

/// Unwraps the admin, or answers with the page `admin_desk` chose.
macro_rules! admin_or_return {
    ($ctx:expr, $req:expr, $session:expr) => {
        match $crate::web::desk::admin::admin_desk(&$ctx, &$req, $session).await {
            Ok(d) => d,
            Err(page) => return page,
        }
    };
}
use admin_or_return;

/// `GET /desk/admin`: the four parts of the administration.
async fn index(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    let t = site();
    let lang = desk.lang;
    let sections: Vec<Value> = [
        "users",
        "registers",
        "organisation",
        "identification",
        "tokens",
    ]
    .iter()
    .map(|s| {
        json!({
            "href": format!("/desk/admin/{s}?lang={}", lang.as_str()),
            "label": t.text(&format!("desk_admin_{s}_title"), lang),
            "text": t.text(&format!("desk_admin_{s}_intro"), lang),
        })
    })
    .collect();
    render(
        &ctx,
        &req,
        &desk,
        StatusCode::OK,
        t.text("desk_admin_title", lang),
        "desk_admin.html",
        json!({ "sections": sections }),
    )
}

/// One field of an admin form, as `desk_admin_form.html` draws it.
pub struct Field {
    /// The posted name, also the service's field path (`info.purposes`, `oidc.issuer`).
    pub name: &'static str,
    /// `text`, `email`, `tel`, `password`, `textarea` or `radio`.
    pub kind: &'static str,
    pub value: String,
    /// Text key of the label; the help text, if any, is under `<key>_help`.
    pub label: &'static str,
    pub options: Vec<(String, String)>,
    pub autocomplete: &'static str,
    /// The language a text is written in, said after the label ("Nimi (ruotsiksi)").
    pub in_language: Option<Language>,
}

impl Field {
    pub fn new(name: &'static str, kind: &'static str, label: &'static str, value: &str) -> Field {
        Field {
            name,
            kind,
            value: value.to_string(),
            label,
            options: Vec::new(),
            autocomplete: "off",
            in_language: None,
        }
    }

    pub fn in_language(mut self, lang: Language) -> Field {
        self.in_language = Some(lang);
        self
    }

    /// The label in the reader's language, with the language of the text if it has one.
    fn label_text(&self, lang: Language) -> String {
        let t = site();
        match self.in_language {
            Some(l) => format!(
                "{} ({})",
                t.text(self.label, lang),
                t.text(&format!("desk_admin_in_{}", l.as_str()), lang)
            ),
            None => t.text(self.label, lang),
        }
    }

    pub fn radio(
        name: &'static str,
        label: &'static str,
        value: &str,
        options: Vec<(String, String)>,
    ) -> Field {
        Field {
            options,
            ..Field::new(name, "radio", label, value)
        }
    }

    pub fn autocomplete(mut self, v: &'static str) -> Field {
        self.autocomplete = v;
        self
    }
}

/// The element id of a field: the name with dots made safe for an address fragment.
fn element_id(name: &str) -> String {
    format!("f-{}", name.replace(['.', '[', ']'], "-"))
}

/// A form page: its fields with their values and errors, the summary of those errors
/// linked to the fields, and what the page says around them.
pub struct FormPage<'a> {
    pub title: String,
    pub intro: Option<String>,
    pub back: (String, String),
    pub post: String,
    pub submit: String,
    pub facts: Vec<(String, String)>,
    pub consequence: Option<String>,
    /// Other actions on the same thing, each its own page: (address, label).
    pub links: Vec<(String, String)>,
    pub fields: Vec<Field>,
    pub errors: &'a [FieldError],
}

impl FormPage<'_> {
    pub fn render(
        self,
        ctx: &Context,
        req: &HttpRequest,
        desk: &Desk,
        status: StatusCode,
    ) -> HttpResponse {
        let t = site();
        let lang = desk.lang;
        let message = |e: &FieldError| {
            ctx.rules
                .forms
                .message(e.code.as_str(), lang, e.params.as_ref())
        };
        let label_of = |name: &str| {
            self.fields
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.label_text(lang))
        };
        let mut by_field: Map<String, Value> = Map::new();
        let mut summary = Vec::new();
        // The summary in the order of the form's fields (the service checks in its own order).
        let position = |name: &str| {
            self.fields
                .iter()
                .position(|f| f.name == name)
                .unwrap_or(usize::MAX)
        };
        let mut errors: Vec<&FieldError> = self.errors.iter().collect();
        errors.sort_by_key(|e| position(&e.field));
        for e in errors {
            // An error about a field the form does not show goes to the summary only.
            let target = if label_of(&e.field).is_some() {
                element_id(&e.field)
            } else {
                "admin-form".to_string()
            };
            by_field.insert(e.field.clone(), json!(message(e)));
            summary.push(json!({
                "target": target,
                "label": label_of(&e.field).unwrap_or_default(),
                "message": message(e),
            }));
        }
        let fields: Vec<Value> = self
            .fields
            .iter()
            .map(|f| {
                let help_key = format!("{}_help", f.label);
                let help = t.text_or(&help_key, lang, "");
                json!({
                    "name": f.name,
                    "id": element_id(f.name),
                    "kind": f.kind,
                    "value": f.value,
                    "label": f.label_text(lang),
                    "help": help,
                    "error": by_field.get(f.name),
                    "autocomplete": f.autocomplete,
                    "options": f.options.iter().enumerate().map(|(i, (v, l))| json!({
                        "id": if i == 0 { element_id(f.name) } else { format!("{}-{}", element_id(f.name), i + 1) },
                        "value": v,
                        "label": l,
                        "checked": *v == f.value,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        let data = json!({
            "heading": self.title,
            "intro": self.intro,
            "back_href": self.back.0,
            "back_label": self.back.1,
            "post": self.post,
            "submit": self.submit,
            "facts": self.facts.iter().map(|(l, v)| json!({ "label": l, "value": v })).collect::<Vec<_>>(),
            "consequence": self.consequence,
            "links": self.links.iter().map(|(h, l)| json!({ "href": h, "label": l })).collect::<Vec<_>>(),
            "fields": fields,
            "summary": summary,
        });
        render(
            ctx,
            req,
            desk,
            status,
            self.title,
            "desk_admin_form.html",
            data,
        )
    }
}

/// A list page: a table whose first column names each row (a link to its page).
pub struct ListPage {
    pub title: String,
    pub intro: String,
    pub done: Option<String>,
    pub new: Option<(String, String)>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<(String, Option<String>)>>,
    pub empty: String,
    /// A secret shown once (a new ingest token): its label and value.
    pub secret: Option<(String, String)>,
}

impl ListPage {
    pub fn render(self, ctx: &Context, req: &HttpRequest, desk: &Desk) -> HttpResponse {
        let lang = desk.lang;
        let t = site();
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|cells| {
                json!(cells
                    .iter()
                    .map(|(text, href)| json!({ "text": text, "href": href }))
                    .collect::<Vec<_>>())
            })
            .collect();
        let data = json!({
            "heading": self.title,
            "intro": self.intro,
            "done": self.done,
            "new": self.new.map(|(href, label)| json!({ "href": href, "label": label })),
            "columns": self.columns,
            "rows": rows,
            "empty": self.empty,
            "secret": self.secret.map(|(label, value)| json!({ "label": label, "value": value })),
            "admin_href": format!("/desk/admin?lang={}", lang.as_str()),
            "admin_label": t.text("desk_admin_title", lang),
        });
        render(
            ctx,
            req,
            desk,
            StatusCode::OK,
            self.title,
            "desk_admin_table.html",
            data,
        )
    }
}

/// The `done=` notice of a list page after a change, in words.
fn done_notice(req: &HttpRequest, lang: Language) -> Option<String> {
    let done = req
        .query_string()
        .split('&')
        .find_map(|p| p.strip_prefix("done="))?;
    let key = match done {
        "created" => "desk_admin_done_created",
        "saved" => "desk_admin_done_saved",
        "password" => "desk_admin_done_password",
        "revoked" => "desk_admin_done_revoked",
        _ => return None,
    };
    Some(site().text(key, lang))
}

/// A posted text, trimmed; empty when absent.
fn posted_text(posted: &crate::web::form::Posted, name: &str) -> String {
    posted.get(name).unwrap_or("").trim().to_string()
}

/// A field as the form sent it, trimmed, blank included (`Posted::get` skips blanks):
/// `None` only when the form did not send it, which leaves the stored value as it is.
fn sent(posted: &crate::web::form::Posted, name: &str) -> Option<String> {
    posted
        .0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_string())
}

/// The back link to the admin pages' start.
fn back_to(path: &str, key: &str, lang: Language) -> (String, String) {
    (
        format!("{path}?lang={}", lang.as_str()),
        site().text(key, lang),
    )
}

/// Maps "already exists" from the database to an error on the field that must be unique.
fn taken(e: crate::services::ServiceError, field: &str) -> crate::services::ServiceError {
    use crate::domain::codes::{FieldCode, ProblemCode};
    use crate::services::ServiceError;
    match e {
        ServiceError::Conflict {
            code: ProblemCode::AlreadyExists,
            ..
        } => ServiceError::field(field, FieldCode::Duplicate),
        other => other,
    }
}
