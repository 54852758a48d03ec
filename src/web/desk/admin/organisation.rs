//! The organisation's letterhead and contact details, and its strong-identification
//! (OpenID Connect) settings: two pages, each changing only the fields it shows, so saving
//! the letterhead never touches identification and the other way round.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{admin_or_return, sent, Field, FormPage};
use crate::domain::codes::FieldCode;
use crate::domain::enums::Language;
use crate::domain::validation::FieldError;
use crate::edge::session::Session;
use crate::oidc::OidcSettings;
use crate::services::profile::{self, OrganisationProfile, OrganisationProfilePatch};
use crate::services::{blocking, Context, ServiceError};
use crate::web::desk::fields::checked_form;
use crate::web::desk::{see_other, Desk};
use crate::web::error::error_page;
use crate::web::form::Posted;
use crate::web::site::site;

struct Loaded {
    name: String,
    business_id: Option<String>,
    profile: OrganisationProfile,
}

async fn load(ctx: &web::Data<Context>, desk: &Desk) -> Result<Loaded, ServiceError> {
    let c = ctx.clone();
    let p = desk.principal.clone();
    blocking(move || {
        let profile = profile::organisation_profile(&c, &p)?;
        let org = crate::db::orgs::find_organisation(&mut *c.conn()?, &p.org_id)?;
        Ok(Loaded {
            name: org.name,
            business_id: org.business_id,
            profile,
        })
    })
    .await
}

fn yes_no(lang: Language) -> Vec<(String, String)> {
    let t = site();
    vec![
        (
            "yes".into(),
            t.text("desk_admin_public_authority_yes", lang),
        ),
        ("no".into(), t.text("desk_admin_public_authority_no", lang)),
    ]
}

/// The languages, each named in the reader's language.
fn languages(lang: Language) -> Vec<(String, String)> {
    let t = site();
    Language::ALL
        .iter()
        .map(|l| {
            (
                l.as_str().to_string(),
                t.text(&format!("desk_lang_{}", l.as_str()), lang),
            )
        })
        .collect()
}

fn letterhead_page(
    ctx: &Context,
    req: &HttpRequest,
    desk: &Desk,
    loaded: &Loaded,
    posted: Option<&Posted>,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let (t, lang) = (site(), desk.lang);
    let p = &loaded.profile;
    let stored = |k: &str| -> String {
        match k {
            "postal_address" => p.postal_address.clone().unwrap_or_default(),
            "email" => p.email.clone().unwrap_or_default(),
            "phone" => p.phone.clone().unwrap_or_default(),
            "default_language" => p.default_language.as_str().to_string(),
            _ => (if p.public_authority { "yes" } else { "no" }).to_string(),
        }
    };
    let v = |k: &str| match posted {
        Some(posted) => posted.get(k).unwrap_or("").to_string(),
        None => stored(k),
    };
    let saved = req.query_string().contains("done=saved");
    let mut facts = vec![(t.text("desk_admin_org_name", lang), loaded.name.clone())];
    if let Some(b) = &loaded.business_id {
        facts.push((t.text("desk_admin_org_business_id", lang), b.clone()));
    }
    FormPage {
        title: t.text("desk_admin_organisation_title", lang),
        intro: Some(t.text(
            if saved {
                "desk_admin_done_saved"
            } else {
                "desk_admin_organisation_page_intro"
            },
            lang,
        )),
        back: super::back_to("/desk/admin", "desk_admin_title", lang),
        post: format!("/desk/admin/organisation?lang={}", lang.as_str()),
        submit: t.text("desk_save", lang),
        facts,
        consequence: None,
        links: Vec::new(),
        fields: vec![
            Field::new(
                "postal_address",
                "textarea",
                "desk_admin_field_postal_address",
                &v("postal_address"),
            ),
            Field::new("email", "email", "desk_admin_field_org_email", &v("email")),
            Field::new("phone", "tel", "desk_admin_field_phone", &v("phone")),
            Field::radio(
                "public_authority",
                "desk_admin_field_public_authority",
                &v("public_authority"),
                yes_no(lang),
            ),
            Field::radio(
                "default_language",
                "desk_admin_field_default_language",
                &v("default_language"),
                languages(lang),
            ),
        ],
        errors,
    }
    .render(ctx, req, desk, status)
}

/// `GET /desk/admin/organisation`.
pub async fn letterhead_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    match load(&ctx, &desk).await {
        Ok(l) => letterhead_page(&ctx, &req, &desk, &l, None, &[], StatusCode::OK),
        Err(e) => error_page(&ctx, &req, e),
    }
}

async fn save_patch(
    ctx: &web::Data<Context>,
    desk: &Desk,
    patch: OrganisationProfilePatch,
) -> Result<OrganisationProfile, ServiceError> {
    let c = ctx.clone();
    let p = desk.principal.clone();
    blocking(move || profile::update_organisation_profile(&c, &p, patch)).await
}

/// `POST /desk/admin/organisation`: the letterhead fields only.
pub async fn save_letterhead(
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
    let loaded = match load(&ctx, &desk).await {
        Ok(l) => l,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let public_authority = match posted.get("public_authority") {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        None => None,
        Some(_) => {
            let errors = [FieldError::new(
                "public_authority",
                FieldCode::InvalidChoice,
            )];
            return letterhead_page(
                &ctx,
                &req,
                &desk,
                &loaded,
                Some(&posted),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let default_language = match posted.get("default_language") {
        None => None,
        Some(l) => match Language::parse(l) {
            Some(l) => Some(l),
            None => {
                let errors = [FieldError::new(
                    "default_language",
                    FieldCode::InvalidChoice,
                )];
                return letterhead_page(
                    &ctx,
                    &req,
                    &desk,
                    &loaded,
                    Some(&posted),
                    &errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                );
            }
        },
    };
    // Only what the form sent; a field left out stays as stored.
    let given = |k: &str| sent(&posted, k).map(Some);
    let patch = OrganisationProfilePatch {
        postal_address: given("postal_address"),
        email: given("email"),
        phone: given("phone"),
        public_authority,
        default_language,
        ..Default::default()
    };
    match save_patch(&ctx, &desk, patch).await {
        Ok(_) => see_other(format!(
            "/desk/admin/organisation?lang={}&done=saved",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => letterhead_page(
            &ctx,
            &req,
            &desk,
            &loaded,
            Some(&posted),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&ctx, &req, e),
    }
}

fn on_off(lang: Language) -> Vec<(String, String)> {
    let t = site();
    vec![
        ("on".into(), t.text("desk_admin_oidc_on", lang)),
        ("off".into(), t.text("desk_admin_oidc_off", lang)),
    ]
}

fn identification_page(
    ctx: &Context,
    req: &HttpRequest,
    desk: &Desk,
    loaded: &Loaded,
    posted: Option<&Posted>,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let (t, lang) = (site(), desk.lang);
    let o = loaded.profile.oidc.as_ref();
    let stored = |k: &str| -> String {
        let Some(o) = o else {
            return if k == "oidc" {
                "off".into()
            } else {
                String::new()
            };
        };
        match k {
            "oidc" => (if o.enabled { "on" } else { "off" }).into(),
            "oidc.issuer" => o.issuer.clone(),
            "oidc.audience" => o.audience.clone(),
            "oidc.identity_claim" => o.identity_claim.clone(),
            "oidc.jwks" => o.jwks.clone(),
            "oidc.authorization_endpoint" => o.authorization_endpoint.clone().unwrap_or_default(),
            _ => o.accepted_acr.join("\n"),
        }
    };
    let v = |k: &str| match posted {
        Some(posted) => posted.get(k).unwrap_or("").to_string(),
        None => stored(k),
    };
    let saved = req.query_string().contains("done=saved");
    FormPage {
        title: t.text("desk_admin_identification_title", lang),
        intro: Some(t.text(
            if saved {
                "desk_admin_done_saved"
            } else {
                "desk_admin_identification_page_intro"
            },
            lang,
        )),
        back: super::back_to("/desk/admin", "desk_admin_title", lang),
        post: format!("/desk/admin/identification?lang={}", lang.as_str()),
        submit: t.text("desk_save", lang),
        facts: Vec::new(),
        consequence: None,
        links: Vec::new(),
        fields: vec![
            Field::radio("oidc", "desk_admin_field_oidc", &v("oidc"), on_off(lang)),
            Field::new(
                "oidc.issuer",
                "text",
                "desk_admin_field_oidc_issuer",
                &v("oidc.issuer"),
            ),
            Field::new(
                "oidc.audience",
                "text",
                "desk_admin_field_oidc_audience",
                &v("oidc.audience"),
            ),
            Field::new(
                "oidc.identity_claim",
                "text",
                "desk_admin_field_oidc_identity_claim",
                &v("oidc.identity_claim"),
            ),
            Field::new(
                "oidc.jwks",
                "text",
                "desk_admin_field_oidc_jwks",
                &v("oidc.jwks"),
            ),
            Field::new(
                "oidc.authorization_endpoint",
                "text",
                "desk_admin_field_oidc_authorization_endpoint",
                &v("oidc.authorization_endpoint"),
            ),
            Field::new(
                "oidc.accepted_acr",
                "textarea",
                "desk_admin_field_oidc_accepted_acr",
                &v("oidc.accepted_acr"),
            ),
        ],
        errors,
    }
    .render(ctx, req, desk, status)
}

/// `GET /desk/admin/identification`.
pub async fn identification_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    match load(&ctx, &desk).await {
        Ok(l) => identification_page(&ctx, &req, &desk, &l, None, &[], StatusCode::OK),
        Err(e) => error_page(&ctx, &req, e),
    }
}

/// The settings as the form sent them, a field the form did not send as stored. Off keeps
/// them (switched off) so that switching on again restores them; off with nothing filled in
/// and nothing stored leaves nothing to keep.
fn posted_settings(
    posted: &Posted,
    stored: Option<&OidcSettings>,
    enabled: bool,
) -> Option<OidcSettings> {
    let field = |name: &str, stored: Option<String>| -> String {
        sent(posted, name).unwrap_or_else(|| stored.unwrap_or_default())
    };
    let issuer = field("oidc.issuer", stored.map(|o| o.issuer.clone()));
    let audience = field("oidc.audience", stored.map(|o| o.audience.clone()));
    let claim = field(
        "oidc.identity_claim",
        stored.map(|o| o.identity_claim.clone()),
    );
    let jwks = field("oidc.jwks", stored.map(|o| o.jwks.clone()));
    let endpoint = field(
        "oidc.authorization_endpoint",
        stored.and_then(|o| o.authorization_endpoint.clone()),
    );
    let acr = field(
        "oidc.accepted_acr",
        stored.map(|o| o.accepted_acr.join("\n")),
    );
    let accepted_acr: Vec<String> = acr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let nothing = [&issuer, &audience, &claim, &jwks, &endpoint]
        .iter()
        .all(|v| v.is_empty())
        && accepted_acr.is_empty();
    if !enabled && nothing {
        return None;
    }
    Some(OidcSettings {
        issuer,
        audience,
        identity_claim: if claim.is_empty() {
            crate::oidc::default_identity_claim()
        } else {
            claim
        },
        jwks,
        authorization_endpoint: (!endpoint.is_empty()).then_some(endpoint),
        accepted_acr,
        enabled,
    })
}

/// `POST /desk/admin/identification`: the OpenID Connect settings only; "off" keeps them,
/// switched off.
pub async fn save_identification(
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
    let loaded = match load(&ctx, &desk).await {
        Ok(l) => l,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let enabled = match posted.get("oidc") {
        Some("on") => true,
        Some("off") => false,
        _ => {
            let errors = [FieldError::new("oidc", FieldCode::InvalidChoice)];
            return identification_page(
                &ctx,
                &req,
                &desk,
                &loaded,
                Some(&posted),
                &errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let oidc = posted_settings(&posted, loaded.profile.oidc.as_ref(), enabled);
    let patch = OrganisationProfilePatch {
        oidc: Some(oidc),
        ..Default::default()
    };
    match save_patch(&ctx, &desk, patch).await {
        Ok(_) => see_other(format!(
            "/desk/admin/identification?lang={}&done=saved",
            desk.lang.as_str()
        )),
        Err(ServiceError::Validation(errors)) => identification_page(
            &ctx,
            &req,
            &desk,
            &loaded,
            Some(&posted),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&ctx, &req, e),
    }
}
