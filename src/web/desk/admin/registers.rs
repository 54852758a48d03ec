//! Registers of the organisation: the list, a new register, and its name, description and
//! privacy-notice texts, in Finnish (the register's own) and in Swedish and English (read
//! in Finnish where missing).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{admin_or_return, done_notice, posted_text, sent, taken, Field, FormPage, ListPage};
use crate::domain::enums::Language;
use crate::domain::validation::FieldError;
use crate::edge::session::Session;
use crate::services::admin::{
    self, RegisterInfoPatch, RegisterInput, RegisterOutput, RegisterPatch,
};
use crate::services::profile::RegisterInfo;
use crate::services::{blocking, Context, ServiceError};
use crate::web::desk::fields::checked_form;
use crate::web::desk::{see_other, Desk};
use crate::web::error::error_page;
use crate::web::form::Posted;
use crate::web::site::site;

/// The privacy-notice texts a register page edits, by their field path.
const INFO_FIELDS: [&str; 7] = [
    "info.purposes",
    "info.legal_basis",
    "info.data_categories",
    "info.recipients",
    "info.sources",
    "info.retention",
    "info.transfers",
];

/// The texts a register has in each language, by their name in `RegisterTexts`.
const TEXTS: [&str; 9] = [
    "name",
    "description",
    "purposes",
    "legal_basis",
    "data_categories",
    "recipients",
    "sources",
    "retention",
    "transfers",
];

/// The posted name (and service field path) of a text in Swedish or English.
fn translated_field(lang: Language, text: &str) -> &'static str {
    const SV: [&str; 9] = [
        "info.translations.sv.name",
        "info.translations.sv.description",
        "info.translations.sv.purposes",
        "info.translations.sv.legal_basis",
        "info.translations.sv.data_categories",
        "info.translations.sv.recipients",
        "info.translations.sv.sources",
        "info.translations.sv.retention",
        "info.translations.sv.transfers",
    ];
    const EN: [&str; 9] = [
        "info.translations.en.name",
        "info.translations.en.description",
        "info.translations.en.purposes",
        "info.translations.en.legal_basis",
        "info.translations.en.data_categories",
        "info.translations.en.recipients",
        "info.translations.en.sources",
        "info.translations.en.retention",
        "info.translations.en.transfers",
    ];
    let i = TEXTS.iter().position(|t| *t == text).unwrap_or(0);
    if lang == Language::En {
        EN[i]
    } else {
        SV[i]
    }
}

/// The label's text key of a text by its name in `RegisterTexts`.
fn text_label(text: &str) -> &'static str {
    match text {
        "name" => "desk_admin_field_register_name",
        "description" => "desk_admin_field_description",
        other => label_key(match other {
            "purposes" => "info.purposes",
            "legal_basis" => "info.legal_basis",
            "data_categories" => "info.data_categories",
            "recipients" => "info.recipients",
            "sources" => "info.sources",
            "retention" => "info.retention",
            _ => "info.transfers",
        }),
    }
}

/// The stored text of a posted field name, any language.
fn stored_text(register: &RegisterOutput, field: &str) -> String {
    if let Some(rest) = field.strip_prefix("info.translations.") {
        let (lang, text) = rest.split_once('.').unwrap_or((rest, ""));
        return Language::parse(lang)
            .and_then(|l| register.info.translations.get(&l))
            .and_then(|t| t.get(text))
            .unwrap_or("")
            .to_string();
    }
    match field {
        "name" => register.name.clone(),
        "description" => register.description.clone().unwrap_or_default(),
        other => info_value(&register.info, other).unwrap_or("").to_string(),
    }
}

/// The Swedish and English texts as posted (blank ones left out), for a new register.
fn posted_translations(
    posted: &Posted,
) -> std::collections::BTreeMap<Language, crate::services::admin::RegisterTexts> {
    let mut out = std::collections::BTreeMap::new();
    for lang in [Language::Sv, Language::En] {
        let text = |t: &str| optional(posted, translated_field(lang, t));
        let texts = crate::services::admin::RegisterTexts {
            name: text("name"),
            description: text("description"),
            purposes: text("purposes"),
            legal_basis: text("legal_basis"),
            data_categories: text("data_categories"),
            recipients: text("recipients"),
            sources: text("sources"),
            retention: text("retention"),
            transfers: text("transfers"),
        };
        if !texts.is_empty() {
            out.insert(lang, texts);
        }
    }
    out
}

/// The Swedish and English texts as posted, as a patch: a field the form did not send stays.
fn posted_translations_patch(
    posted: &Posted,
) -> std::collections::BTreeMap<Language, crate::services::admin::RegisterTextsPatch> {
    [Language::Sv, Language::En]
        .into_iter()
        .map(|lang| {
            let given = |t: &str| sent(posted, translated_field(lang, t)).map(Some);
            (
                lang,
                crate::services::admin::RegisterTextsPatch {
                    name: given("name"),
                    description: given("description"),
                    purposes: given("purposes"),
                    legal_basis: given("legal_basis"),
                    data_categories: given("data_categories"),
                    recipients: given("recipients"),
                    sources: given("sources"),
                    retention: given("retention"),
                    transfers: given("transfers"),
                },
            )
        })
        .collect()
}

fn registers_href(lang: Language) -> String {
    format!("/desk/admin/registers?lang={}", lang.as_str())
}

fn info_value<'a>(info: &'a RegisterInfo, field: &str) -> Option<&'a str> {
    match field {
        "info.purposes" => info.purposes.as_deref(),
        "info.legal_basis" => info.legal_basis.as_deref(),
        "info.data_categories" => info.data_categories.as_deref(),
        "info.recipients" => info.recipients.as_deref(),
        "info.sources" => info.sources.as_deref(),
        "info.retention" => info.retention.as_deref(),
        "info.transfers" => info.transfers.as_deref(),
        _ => None,
    }
}

/// The label's text key of a field: `info.purposes` -> `desk_admin_field_info_purposes`.
fn label_key(field: &'static str) -> &'static str {
    match field {
        "info.purposes" => "desk_admin_field_info_purposes",
        "info.legal_basis" => "desk_admin_field_info_legal_basis",
        "info.data_categories" => "desk_admin_field_info_data_categories",
        "info.recipients" => "desk_admin_field_info_recipients",
        "info.sources" => "desk_admin_field_info_sources",
        "info.retention" => "desk_admin_field_info_retention",
        _ => "desk_admin_field_info_transfers",
    }
}

/// `GET /desk/admin/registers`.
pub async fn list(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    let c = ctx.clone();
    let p = desk.principal.clone();
    let registers = match blocking(move || admin::list_registers(&mut *c.conn()?, &p)).await {
        Ok(r) => r,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let (t, lang) = (site(), desk.lang);
    let rows = registers
        .iter()
        .map(|r| {
            vec![
                (
                    r.name.clone(),
                    Some(format!(
                        "/desk/admin/registers/{}?lang={}",
                        r.slug,
                        lang.as_str()
                    )),
                ),
                (r.slug.clone(), None),
                (r.description.clone().unwrap_or_default(), None),
            ]
        })
        .collect();
    ListPage {
        title: t.text("desk_admin_registers_title", lang),
        intro: t.text("desk_admin_registers_intro", lang),
        done: done_notice(&req, lang),
        new: Some((
            format!("/desk/admin/registers/new?lang={}", lang.as_str()),
            t.text("desk_admin_register_new", lang),
        )),
        columns: [
            "desk_admin_field_register_name",
            "desk_admin_field_slug",
            "desk_admin_field_description",
        ]
        .iter()
        .map(|k| t.text(k, lang))
        .collect(),
        rows,
        empty: t.text("desk_admin_registers_none", lang),
        secret: None,
    }
    .render(&ctx, &req, &desk)
}

/// The fields of a register form; `slug` only when making a new one.
fn register_fields(with_slug: bool, value: impl Fn(&str) -> String) -> Vec<Field> {
    let mut fields = Vec::new();
    if with_slug {
        fields.push(Field::new(
            "slug",
            "text",
            "desk_admin_field_slug",
            &value("slug"),
        ));
    }
    fields.push(Field::new(
        "name",
        "text",
        "desk_admin_field_register_name",
        &value("name"),
    ));
    fields.push(Field::new(
        "description",
        "textarea",
        "desk_admin_field_description",
        &value("description"),
    ));
    for f in INFO_FIELDS {
        fields.push(Field::new(f, "textarea", label_key(f), &value(f)));
    }
    // The same texts in Swedish and English; blank ones are read in Finnish.
    for lang in [Language::Sv, Language::En] {
        for text in TEXTS {
            let name = translated_field(lang, text);
            let kind = if text == "name" { "text" } else { "textarea" };
            fields.push(Field::new(name, kind, text_label(text), &value(name)).in_language(lang));
        }
    }
    fields
}

fn new_page(
    ctx: &Context,
    req: &HttpRequest,
    desk: &Desk,
    posted: &Posted,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let (t, lang) = (site(), desk.lang);
    FormPage {
        title: t.text("desk_admin_register_new", lang),
        intro: Some(t.text("desk_admin_register_intro", lang)),
        back: (
            registers_href(lang),
            t.text("desk_admin_registers_title", lang),
        ),
        post: format!("/desk/admin/registers/new?lang={}", lang.as_str()),
        submit: t.text("desk_admin_register_create", lang),
        facts: Vec::new(),
        consequence: None,
        links: Vec::new(),
        fields: register_fields(true, |k| posted.get(k).unwrap_or("").to_string()),
        errors,
    }
    .render(ctx, req, desk, status)
}

/// `GET /desk/admin/registers/new`.
pub async fn new_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    new_page(&ctx, &req, &desk, &Posted(Vec::new()), &[], StatusCode::OK)
}

fn optional(posted: &Posted, name: &str) -> Option<String> {
    Some(posted_text(posted, name)).filter(|s| !s.is_empty())
}

/// `POST /desk/admin/registers/new`.
pub async fn create(
    ctx: web::Data<Context>,
    req: HttpRequest,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    let posted = match checked_form(&req, &body) {
        Ok(p) => p,
        Err(page) => return page,
    };
    let input = RegisterInput {
        slug: posted_text(&posted, "slug"),
        name: posted_text(&posted, "name"),
        description: optional(&posted, "description"),
        info: RegisterInfo {
            purposes: optional(&posted, "info.purposes"),
            legal_basis: optional(&posted, "info.legal_basis"),
            data_categories: optional(&posted, "info.data_categories"),
            recipients: optional(&posted, "info.recipients"),
            sources: optional(&posted, "info.sources"),
            retention: optional(&posted, "info.retention"),
            transfers: optional(&posted, "info.transfers"),
            retention_rules: Vec::new(),
            translations: posted_translations(&posted),
        },
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let result = blocking(move || {
        admin::create_register(&mut *c.conn()?, &p.org_id, Some(&p), input)
            .map_err(|e| taken(e, "slug"))
    })
    .await;
    match result {
        Ok(_) => see_other(format!("{}&done=created", registers_href(desk.lang))),
        Err(ServiceError::Validation(errors)) => new_page(
            &ctx,
            &req,
            &desk,
            &posted,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&ctx, &req, e),
    }
}

fn edit_page(
    ctx: &Context,
    req: &HttpRequest,
    desk: &Desk,
    register: &RegisterOutput,
    posted: Option<&Posted>,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let (t, lang) = (site(), desk.lang);
    let stored = |k: &str| -> String { stored_text(register, k) };
    let value = |k: &str| match posted {
        Some(p) => p.get(k).unwrap_or("").to_string(),
        None => stored(k),
    };
    FormPage {
        title: format!(
            "{}: {}",
            t.text("desk_admin_register_edit", lang),
            register.name
        ),
        intro: Some(t.text("desk_admin_register_intro", lang)),
        back: (
            registers_href(lang),
            t.text("desk_admin_registers_title", lang),
        ),
        post: format!(
            "/desk/admin/registers/{}?lang={}",
            register.slug,
            lang.as_str()
        ),
        submit: t.text("desk_save", lang),
        facts: vec![(t.text("desk_admin_field_slug", lang), register.slug.clone())],
        consequence: None,
        links: Vec::new(),
        fields: register_fields(false, value),
        errors,
    }
    .render(ctx, req, desk, status)
}

async fn load(
    ctx: &web::Data<Context>,
    desk: &Desk,
    slug: String,
) -> Result<RegisterOutput, ServiceError> {
    let c = ctx.clone();
    let p = desk.principal.clone();
    blocking(move || admin::get_register(&mut *c.conn()?, &p, &slug)).await
}

/// `GET /desk/admin/registers/{slug}`.
pub async fn edit_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    match load(&ctx, &desk, path.into_inner()).await {
        Ok(r) => edit_page(&ctx, &req, &desk, &r, None, &[], StatusCode::OK),
        Err(e) => error_page(&ctx, &req, e),
    }
}

/// `POST /desk/admin/registers/{slug}`: the texts the form shows; the register's own
/// retention rules (set through the API) stay as they are.
pub async fn save(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    let posted = match checked_form(&req, &body) {
        Ok(p) => p,
        Err(page) => return page,
    };
    let register = match load(&ctx, &desk, path.into_inner()).await {
        Ok(r) => r,
        Err(e) => return error_page(&ctx, &req, e),
    };
    // A field the form did not send stays as it is (merge, as in the API).
    let given = |k: &str| sent(&posted, k).map(Some);
    let patch = RegisterPatch {
        name: sent(&posted, "name"),
        description: given("description"),
        info: Some(RegisterInfoPatch {
            purposes: given("info.purposes"),
            legal_basis: given("info.legal_basis"),
            data_categories: given("info.data_categories"),
            recipients: given("info.recipients"),
            sources: given("info.sources"),
            retention: given("info.retention"),
            transfers: given("info.transfers"),
            retention_rules: None,
            translations: Some(posted_translations_patch(&posted)),
        }),
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let slug = register.slug.clone();
    match blocking(move || admin::update_register(&mut *c.conn()?, &p, &slug, patch)).await {
        Ok(_) => see_other(format!("{}&done=saved", registers_href(desk.lang))),
        Err(ServiceError::Validation(errors)) => edit_page(
            &ctx,
            &req,
            &desk,
            &register,
            Some(&posted),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&ctx, &req, e),
    }
}
