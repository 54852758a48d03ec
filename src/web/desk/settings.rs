//! The user's own settings: the language of the desk.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::fields::checked_form;
use super::{render, see_other, signed_in};
use crate::domain::enums::Language;
use crate::edge::session::Session;
use crate::services::{auth, blocking, Context};
use crate::web::error::error_page;
use crate::web::site::{notice, site};

fn choices(current: Option<Language>, org_language: Language, lang: Language) -> Vec<Value> {
    let t = site();
    let mut out = vec![json!({
        "value": "",
        "label": t.text("desk_settings_lang_org", lang).replace(
            "{language}",
            &t.text(&format!("desk_lang_{}", org_language.as_str()), lang),
        ),
        "checked": current.is_none(),
    })];
    out.extend(Language::ALL.iter().map(|l| {
        json!({
            "value": l.as_str(),
            "label": t.text(&format!("desk_lang_{}", l.as_str()), lang),
            "checked": current == Some(*l),
        })
    }));
    out
}

/// `GET /desk/settings`.
pub async fn page(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let done = req.query_string().contains("done=1");
    let title = site().text("desk_settings_title", desk.lang);
    let data = json!({
        "languages": choices(desk.user.language, desk.org_language, desk.lang),
        "done": done,
        "name": desk.user.name,
        "email": desk.user.email,
        "role": site().text(&format!("desk_role_{}", desk.principal.role.as_str()), desk.lang),
    });
    render(
        &ctx,
        &req,
        &desk,
        StatusCode::OK,
        title,
        "desk_settings.html",
        data,
    )
}

/// `POST /desk/settings`: stores the user's language.
pub async fn save(
    ctx: web::Data<Context>,
    req: HttpRequest,
    body: web::Bytes,
    session: Option<Session>,
) -> HttpResponse {
    let desk = match signed_in(&ctx, &req, session).await {
        Ok(d) => d,
        Err(page) => return page,
    };
    let posted = match checked_form(&req, &body) {
        Ok(posted) => posted,
        Err(page) => return page,
    };
    let chosen = match posted.get("language").unwrap_or("") {
        "" => None,
        code => match Language::parse(code) {
            Some(l) => Some(l),
            None => {
                return notice(
                    &req,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_title",
                    "invalid_text",
                )
            }
        },
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    if let Err(e) = blocking(move || auth::set_language(&c, &p, chosen)).await {
        return error_page(&ctx, &req, e);
    }
    let lang = chosen.unwrap_or(desk.lang);
    see_other(format!("/desk/settings?lang={}&done=1", lang.as_str()))
}
