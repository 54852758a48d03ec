//! Public, read-only: health, the request forms and the legal-grounds catalogue.

use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::enums::Language;
use crate::domain::forms::{FieldDef, FieldType};
use crate::services::Context;

#[derive(Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

#[utoipa::path(tag = "public", responses((status = 200, body = Health, description = "The service is up")))]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

#[derive(Deserialize, IntoParams)]
pub struct LangQuery {
    /// fi, sv or en (default fi).
    pub lang: Option<Language>,
}

#[derive(Serialize, ToSchema)]
pub struct OptionOutput {
    pub value: String,
    pub label: String,
}

#[derive(Serialize, ToSchema)]
pub struct RequiredIfOutput {
    pub field: String,
    pub equals: String,
}

#[derive(Serialize, ToSchema)]
pub struct FieldOutput {
    pub name: String,
    /// text, textarea, date, choice, bool or list.
    #[serde(rename = "type")]
    pub field_type: String,
    pub required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_if: Option<RequiredIfOutput>,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub item_fields: Vec<FieldOutput>,
}

#[derive(Serialize, ToSchema)]
pub struct KindFormOutput {
    pub kind: String,
    pub statute: String,
    pub title: String,
    pub description: String,
    pub fields: Vec<FieldOutput>,
}

#[derive(Serialize, ToSchema)]
pub struct FormsOutput {
    pub language: Language,
    pub kinds: Vec<KindFormOutput>,
    pub subject: Vec<FieldOutput>,
    pub representative: Vec<FieldOutput>,
}

fn field_output(f: &FieldDef, lang: Language) -> FieldOutput {
    FieldOutput {
        name: f.name.clone(),
        field_type: serde_json::to_value(f.field_type)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        required: f.required,
        required_if: f.required_if.as_ref().map(|r| RequiredIfOutput {
            field: r.field.clone(),
            equals: r.equals.clone(),
        }),
        label: f.label.get(lang).to_string(),
        help: f.help.as_ref().map(|h| h.get(lang).to_string()),
        options: if f.field_type == FieldType::Choice {
            f.options
                .iter()
                .map(|o| OptionOutput {
                    value: o.clone(),
                    label: f
                        .option_labels
                        .get(o)
                        .map(|t| t.get(lang).to_string())
                        .unwrap_or_else(|| o.clone()),
                })
                .collect()
        } else {
            Vec::new()
        },
        max_length: f.max_length,
        min_items: f.min_items,
        max_items: f.max_items,
        item_fields: f
            .item_fields
            .iter()
            .map(|i| field_output(i, lang))
            .collect(),
    }
}

/// The request forms, read from `forms/`: the same definitions the API validates against.
#[utoipa::path(tag = "public", params(LangQuery), responses((status = 200, body = FormsOutput, description = "Every request kind's form")))]
#[get("/forms")]
pub async fn forms(ctx: web::Data<Context>, q: web::Query<LangQuery>) -> HttpResponse {
    let lang = q.lang.unwrap_or(Language::Fi);
    let forms = &ctx.rules.forms;
    HttpResponse::Ok().json(FormsOutput {
        language: lang,
        kinds: forms
            .forms_in_order()
            .map(|f| KindFormOutput {
                kind: f.kind.as_str().into(),
                statute: f.statute.get(lang).into(),
                title: f.title.get(lang).into(),
                description: f.description.get(lang).into(),
                fields: f.fields.iter().map(|d| field_output(d, lang)).collect(),
            })
            .collect(),
        subject: forms
            .subject
            .iter()
            .map(|d| field_output(d, lang))
            .collect(),
        representative: forms
            .representative
            .iter()
            .map(|d| field_output(d, lang))
            .collect(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct GroundOutput {
    /// Stable code that actions cite in `grounds`.
    pub code: String,
    pub statute: String,
    pub title: String,
    pub text: String,
    /// Request kinds it may be cited for; `*` for all.
    pub applies_to: Vec<String>,
}

#[utoipa::path(tag = "public", params(LangQuery), responses((status = 200, body = Vec<GroundOutput>, description = "The legal grounds for refusing")))]
#[get("/legal-grounds")]
pub async fn legal_grounds(ctx: web::Data<Context>, q: web::Query<LangQuery>) -> HttpResponse {
    let lang = q.lang.unwrap_or(Language::Fi);
    let grounds: Vec<GroundOutput> = ctx
        .rules
        .grounds
        .all()
        .iter()
        .map(|g| GroundOutput {
            code: g.code.clone(),
            statute: g.statute.get(lang).into(),
            title: g.title.get(lang).into(),
            text: g.text.get(lang).into(),
            applies_to: g.applies_to.clone(),
        })
        .collect();
    HttpResponse::Ok().json(grounds)
}
