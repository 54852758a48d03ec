//! Strong identification on the request pages (OpenID Connect, implicit flow with
//! `response_mode=form_post`): the form sends the person to the organisation's identity
//! provider, which posts an ID token back here. The round trip is bound by a sealed
//! `state` (organisation, form, language, nonce, expiry) and the token's `nonce`; no
//! cookie is needed, so the cross-site post back works with SameSite=Strict cookies.
//! A proven identity travels with the form as a sealed ticket until the form is sent.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::error::error_page;
use super::form::Posted;
use super::public::{form_response, load_org, unknown_org};
use crate::db::models::OrganisationRow;
use crate::domain::enums::{Language, RequestKind};
use crate::oidc::OidcSettings;
use crate::services::auth::random_token;
use crate::services::{blocking, Context};

const STATE: &str = "eid-state";
const TICKET: &str = "eid-ticket";
/// Time to identify at the provider.
const STATE_SECS: i64 = 15 * 60;
/// Time to finish the form after identifying.
const TICKET_SECS: i64 = 2 * 60 * 60;

fn provider(org: &OrganisationRow) -> Option<(OidcSettings, String)> {
    // Switched off is the same as not configured.
    let settings = OidcSettings::in_use(org.oidc.as_deref())?;
    let endpoint = settings.authorization_endpoint.clone()?;
    Some((settings, endpoint))
}

/// The link that starts identification for this form, when the organisation has a provider.
pub fn start_href(org: &OrganisationRow, kind: RequestKind, lang: Language) -> Option<String> {
    provider(org)?;
    Some(format!(
        "/{}/eid/start?kind={}&lang={}",
        org.slug,
        kind.as_str(),
        lang.as_str()
    ))
}

/// The identity code in an intact, unexpired ticket for this organisation.
pub fn ticket_code(ctx: &Context, org: &OrganisationRow, ticket: &str) -> Option<String> {
    let data = ctx.tokens.open(TICKET, ticket)?;
    let mut parts = data.split('|');
    let (org_id, code, exp) = (parts.next()?, parts.next()?, parts.next()?);
    let exp: i64 = exp.parse().ok()?;
    (org.id == org_id && exp > ctx.clock.now().timestamp()).then(|| code.to_string())
}

#[derive(Deserialize)]
pub struct StartQuery {
    kind: String,
    lang: Option<String>,
}

/// `GET /{org}/eid/start`: off to the identity provider.
pub async fn start(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<StartQuery>,
) -> HttpResponse {
    let org = match load_org(&ctx, &path).await {
        Ok(Some((org, _))) => org,
        Ok(None) => return unknown_org(&req),
        Err(e) => return error_page(&ctx, &req, e),
    };
    let (Some((settings, endpoint)), Some(kind)) =
        (provider(&org), RequestKind::parse(&query.kind))
    else {
        return unknown_org(&req);
    };
    let lang = query
        .lang
        .as_deref()
        .and_then(Language::parse)
        .unwrap_or(Language::Fi);
    let nonce = random_token(16);
    let expires = ctx.clock.now().timestamp() + STATE_SECS;
    let state = ctx.tokens.seal(
        STATE,
        &format!(
            "{}|{}|{}|{nonce}|{expires}",
            org.id,
            kind.as_str(),
            lang.as_str()
        ),
    );
    let redirect_uri = format!(
        "{}/{}/eid/return",
        ctx.settings.web.public_url.trim_end_matches('/'),
        org.slug
    );
    let acr_values = settings.accepted_acr.join(" ");
    let mut params = vec![
        ("response_type", "id_token"),
        ("response_mode", "form_post"),
        ("client_id", settings.audience.as_str()),
        ("redirect_uri", redirect_uri.as_str()),
        ("scope", "openid"),
        ("state", state.as_str()),
        ("nonce", nonce.as_str()),
        ("ui_locales", lang.as_str()),
    ];
    if !acr_values.is_empty() {
        params.push(("acr_values", acr_values.as_str()));
    }
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    HttpResponse::SeeOther()
        .insert_header(("Location", format!("{endpoint}{separator}{query}")))
        .finish()
}

/// The sealed state's parts: request kind, language and nonce, if intact and in time.
fn open_state(
    ctx: &Context,
    org: &OrganisationRow,
    state: &str,
) -> Option<(RequestKind, Language, String)> {
    let data = ctx.tokens.open(STATE, state)?;
    let parts: Vec<&str> = data.split('|').collect();
    let [org_id, kind, lang, nonce, exp] = parts.as_slice() else {
        return None;
    };
    let fresh = exp.parse::<i64>().ok()? > ctx.clock.now().timestamp();
    (org.id == *org_id && fresh).then_some(())?;
    Some((
        RequestKind::parse(kind)?,
        Language::parse(lang)?,
        nonce.to_string(),
    ))
}

/// `POST /{org}/eid/return`: the provider posts the ID token; the form comes back with
/// the identity proven.
pub async fn finish(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let (org, registers) = match load_org(&ctx, &path).await {
        Ok(Some(found)) => found,
        Ok(None) => return unknown_org(&req),
        Err(e) => return error_page(&ctx, &req, e),
    };
    let posted = Posted::parse_or_empty(&body);
    let Some((kind, lang, nonce)) = posted.get("state").and_then(|s| open_state(&ctx, &org, s))
    else {
        return unknown_org(&req);
    };
    let token = posted.get("id_token").unwrap_or("").to_string();
    let c = ctx.clone();
    let o = org.clone();
    let verified = blocking(move || c.eid.verify(&o, &token, c.clock.now().timestamp())).await;
    let code = match verified {
        Ok(identity) if identity.nonce.as_deref() == Some(nonce.as_str()) => identity.identity_code,
        // Cancelled, refused or replayed: the form again, saying identification did not succeed.
        _ => {
            return form_response(
                &ctx,
                &req,
                lang,
                &org,
                &registers,
                kind,
                &Posted(Vec::new()),
                &[],
                super::public::Eid::Failed,
            )
        }
    };
    let ticket = ctx.tokens.seal(
        TICKET,
        &format!(
            "{}|{code}|{}",
            org.id,
            ctx.clock.now().timestamp() + TICKET_SECS
        ),
    );
    let prefilled = Posted(vec![("subject.personal_id".into(), code)]);
    form_response(
        &ctx,
        &req,
        lang,
        &org,
        &registers,
        kind,
        &prefilled,
        &[],
        super::public::Eid::Proven(ticket),
    )
}
