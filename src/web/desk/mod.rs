//! The staff desk: where staff, the DPO and admins do their daily work in the browser.
//! Sign-in with the staff credentials; the session is the API's JWT in an HttpOnly,
//! SameSite=Strict cookie scoped to `/desk`. Every page is plain HTML with forms: no
//! script, so it works with the keyboard alone and under the script-free CSP.

mod act;
mod admin;
mod board;
mod case;
mod fields;
mod intake;
mod items;
mod logs;
mod material;
mod papers;
mod queues;
mod receipt;
mod recipients;
mod settings;
mod words;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::error::error_page;
use super::form::Posted;
use super::site::{page_language, site, Frame};
use super::{csrf, secure_cookies, with_cookie};
use crate::db::models::UserRow;
use crate::domain::enums::{Language, Role};
use crate::edge::limit::{Door, LimitGuard};
use crate::edge::session::{Session, COOKIE};
use crate::services::{auth, blocking, Context, Principal, ServiceError};

/// Adds the desk's routes (and the old DPO addresses as redirects).
pub fn mount<T>(app: actix_web::App<T>) -> actix_web::App<T>
where
    T: actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Error = actix_web::Error,
        InitError = (),
    >,
{
    let app = admin::mount(app);
    app.route("/desk", web::get().to(home))
        .route("/desk/", web::get().to(home))
        .route("/desk/login", web::post().to(login))
        .route("/desk/logout", web::post().to(logout))
        .route("/desk/queue/{queue}", web::get().to(queues::queue))
        .route("/desk/search", web::get().to(queues::search_form))
        .route("/desk/search", web::post().to(queues::search))
        .route("/desk/board", web::get().to(board::board))
        .route("/desk/intake", web::get().to(intake::choose))
        .route("/desk/intake/{kind}", web::get().to(intake::form_page))
        .route("/desk/intake/{kind}", web::post().to(intake::submit))
        .route("/desk/settings", web::get().to(settings::page))
        .route("/desk/settings", web::post().to(settings::save))
        .route("/desk/requests/{id}", web::get().to(case::page))
        .route("/desk/requests/{id}/notes", web::post().to(case::add_note))
        .route(
            "/desk/requests/{id}/recipients",
            web::post().to(recipients::add),
        )
        .route(
            "/desk/requests/{id}/recipients/{recipient_id}",
            web::post().to(recipients::notified),
        )
        .route(
            "/desk/requests/{id}/receipt",
            web::post().to(receipt::print),
        )
        .route(
            "/desk/requests/{id}/messages",
            web::post().to(case::send_message),
        )
        .route(
            "/desk/requests/{id}/items/new",
            web::get().to(items::new_form),
        )
        .route("/desk/requests/{id}/items/new", web::post().to(items::add))
        .route(
            "/desk/requests/{id}/entries/new",
            web::get().to(material::new_entry),
        )
        .route(
            "/desk/requests/{id}/entries/new",
            web::post().to(material::add_entry),
        )
        .route(
            "/desk/requests/{id}/files/new",
            web::get().to(material::new_file),
        )
        .route(
            "/desk/requests/{id}/files/new",
            web::post().to(material::add_file),
        )
        .route(
            "/desk/requests/{id}/material/{attachment_id}",
            web::get().to(material::withholding_form),
        )
        .route(
            "/desk/requests/{id}/material/{attachment_id}",
            web::post().to(material::set_withholding),
        )
        .route(
            "/desk/requests/{id}/items/{number}",
            web::get().to(items::decide_form),
        )
        .route(
            "/desk/requests/{id}/items/{number}",
            web::post().to(items::decide),
        )
        .route(
            "/desk/requests/{id}/status-code",
            web::post().to(case::reissue_status_code),
        )
        .route(
            "/desk/requests/{id}/documents/letter",
            web::post().to(papers::remake_letter),
        )
        .route(
            "/desk/requests/{id}/documents/bundle",
            web::post().to(papers::build_bundle),
        )
        .route("/desk/requests/{id}/logs", web::get().to(logs::page))
        .route("/desk/requests/{id}/logs", web::post().to(logs::report))
        .route(
            "/desk/requests/{id}/misuse-finding",
            web::post().to(logs::record_finding),
        )
        .route(
            "/desk/requests/{id}/documents/{doc_id}/release",
            web::post().to(papers::release_document),
        )
        .route(
            "/desk/requests/{id}/review-clearance",
            web::post().to(papers::clear_review),
        )
        .route(
            "/desk/requests/{id}/documents/{doc_id}",
            web::get().to(case::document),
        )
        .route("/desk/requests/{id}/{action}", web::get().to(act::form))
        .route("/desk/requests/{id}/{action}", web::post().to(act::submit))
        .route("/dpo", web::get().to(old_dpo_board))
        .route("/dpo/requests/{id}", web::get().to(old_dpo_request))
}

/// The signed-in user as the desk knows them.
pub struct Desk {
    pub principal: Principal,
    pub user: UserRow,
    pub lang: Language,
    /// The organisation's default language: the desk's for a user without their own.
    pub org_language: Language,
}

impl Desk {
    pub fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.principal.role)
    }
}

/// The page's language: `?lang=`, else the user's own setting, else the organisation's
/// default language.
fn desk_language(req: &HttpRequest, user: &UserRow, org_default: Language) -> Language {
    let asked = req
        .query_string()
        .split('&')
        .find_map(|p| p.strip_prefix("lang="))
        .and_then(Language::parse);
    asked.or(user.language).unwrap_or(org_default)
}

/// The desk's user, or the sign-in page that brings them back here afterwards.
pub async fn signed_in(
    ctx: &web::Data<Context>,
    req: &HttpRequest,
    session: Option<Session>,
) -> Result<Desk, HttpResponse> {
    let Some(principal) = session.map(|s| s.0) else {
        let status = if req.cookie(COOKIE).is_some() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::OK
        };
        let expired = req
            .cookie(COOKIE)
            .is_some()
            .then_some("desk_session_expired");
        return Err(login_page(ctx, req, status, expired, "", &here(req)));
    };
    let c = ctx.clone();
    let (org_id, user_id) = (principal.org_id.clone(), principal.user_id.clone());
    let (user, org_default) = blocking(move || {
        let mut conn = c.conn()?;
        let user = crate::db::orgs::find_user(&mut conn, &org_id, &user_id)?
            .ok_or(ServiceError::Unauthorized)?;
        let org = crate::db::orgs::find_organisation(&mut conn, &org_id)?;
        Ok((user, org.default_language))
    })
    .await
    .map_err(|e| error_page(ctx, req, e))?;
    let lang = desk_language(req, &user, org_default);
    Ok(Desk {
        principal,
        user,
        lang,
        org_language: org_default,
    })
}

/// The current address, to come back to after signing in.
fn here(req: &HttpRequest) -> String {
    match req.query_string() {
        "" => req.path().to_string(),
        q => format!("{}?{q}", req.path()),
    }
}

/// Where to go after signing in: only a desk address of this site (never another host).
fn safe_next(next: &str) -> Option<&str> {
    let ok = next.starts_with("/desk")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    ok.then_some(next)
}

fn session_cookie(ctx: &Context, value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build(COOKIE, value)
        .path("/desk")
        .http_only(true)
        .secure(secure_cookies(ctx))
        .same_site(SameSite::Strict)
        .max_age(actix_web::cookie::time::Duration::seconds(max_age_secs))
        .finish()
}

pub(super) fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .finish()
}

/// The sign-in form; also what a page answers without a valid session.
pub(super) fn login_page(
    ctx: &Context,
    req: &HttpRequest,
    status: StatusCode,
    problem: Option<&str>,
    email: &str,
    next: &str,
) -> HttpResponse {
    let lang = page_language(req);
    let (token, cookie) = csrf::token(req, secure_cookies(ctx));
    let frame = Frame {
        req,
        lang,
        title: site().text("desk_login_title", lang),
        org: None,
        csrf: Some(token),
    };
    let resp = frame.page(
        status,
        "desk_login.html",
        json!({
            "action": format!("/desk/login?lang={}", lang.as_str()),
            "problem": problem.map(|key| site().text(key, lang)),
            "email": email,
            "next": safe_next(next).unwrap_or(""),
        }),
    );
    with_cookie(resp, cookie)
}

/// `GET /desk`: the user's own queue, or the sign-in form.
async fn home(ctx: web::Data<Context>, req: HttpRequest, session: Option<Session>) -> HttpResponse {
    match signed_in(&ctx, &req, session).await {
        Ok(desk) => see_other(format!("{}?lang={}", start_page(&desk), desk.lang.as_str())),
        Err(page) => page,
    }
}

/// Where each role starts: the DPO at the board, everyone else at their own queue.
fn start_page(desk: &Desk) -> &'static str {
    match desk.principal.role {
        Role::Dpo => "/desk/board",
        Role::Admin => "/desk/queue/open",
        Role::Staff => "/desk/queue/mine",
    }
}

/// `POST /desk/login`.
async fn login(ctx: web::Data<Context>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let posted = Posted::parse_or_empty(&body);
    let next = posted.get("next").unwrap_or("").to_string();
    if !csrf::verify(&req, posted.get(csrf::FIELD)) {
        return login_page(
            &ctx,
            &req,
            StatusCode::FORBIDDEN,
            Some("csrf_text"),
            "",
            &next,
        );
    }
    let email = posted.get("email").unwrap_or("").to_string();
    let password = posted.get("password").unwrap_or("").to_string();
    let attempt = match LimitGuard::reserve(&ctx, &req, Door::Logins) {
        Ok(attempt) => attempt,
        Err(retry) => return super::too_many(&req, retry, None),
    };
    let c = ctx.clone();
    let typed = email.clone();
    let issued = match blocking(move || auth::login(&c, &typed, &password)).await {
        Ok(issued) => issued,
        Err(ServiceError::BadCredentials) => {
            attempt.keep();
            return login_page(
                &ctx,
                &req,
                StatusCode::UNAUTHORIZED,
                Some("desk_login_failed"),
                &email,
                &next,
            );
        }
        Err(e) => return error_page(&ctx, &req, e),
    };
    let lang = page_language(&req);
    let target = match safe_next(&next) {
        Some(next) => next.to_string(),
        None => format!("/desk?lang={}", lang.as_str()),
    };
    let cookie = session_cookie(&ctx, issued.access_token, issued.expires_in as i64);
    with_cookie(see_other(target), Some(cookie))
}

/// `POST /desk/logout`: forgets the session cookie.
async fn logout(ctx: web::Data<Context>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let posted = Posted::parse_or_empty(&body);
    if !csrf::verify(&req, posted.get(csrf::FIELD)) {
        return login_page(&ctx, &req, StatusCode::FORBIDDEN, Some("csrf_text"), "", "");
    }
    let lang = page_language(&req);
    with_cookie(
        see_other(format!("/desk?lang={}", lang.as_str())),
        Some(session_cookie(&ctx, String::new(), 0)),
    )
}

/// `GET /dpo`: the board moved under the desk.
async fn old_dpo_board(req: HttpRequest) -> HttpResponse {
    see_other(format!("/desk/board?lang={}", page_language(&req).as_str()))
}

/// `GET /dpo/requests/{id}`: the request's page in the desk.
async fn old_dpo_request(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let id: String = path
        .into_inner()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    see_other(format!(
        "/desk/requests/{id}?lang={}",
        page_language(&req).as_str()
    ))
}

/// Renders a desk page: the frame, the desk's navigation, the CSRF value for its forms.
pub(super) fn render(
    ctx: &Context,
    req: &HttpRequest,
    desk: &Desk,
    status: StatusCode,
    title: String,
    template: &str,
    data: Value,
) -> HttpResponse {
    let (token, cookie) = csrf::token(req, secure_cookies(ctx));
    let mut data = match data {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    data.insert(
        "desk".into(),
        json!({
            "user": desk.user.name,
            "role": desk.principal.role.as_str(),
            "is_dpo": desk.is(&[Role::Dpo]),
            "is_staff": desk.is(&[Role::Staff]),
            "is_admin": desk.is(&[Role::Admin]),
            "section": req.path().split('/').nth(2).unwrap_or(""),
        }),
    );
    let frame = Frame {
        req,
        lang: desk.lang,
        title,
        org: None,
        csrf: Some(token),
    };
    with_cookie(frame.page(status, template, Value::Object(data)), cookie)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_desk_addresses_of_this_site_are_followed_after_sign_in() {
        assert_eq!(
            safe_next("/desk/queue/mine?kind=access"),
            Some("/desk/queue/mine?kind=access")
        );
        assert_eq!(safe_next("/desk"), Some("/desk"));
        for bad in [
            "https://evil.example/desk",
            "//evil.example/desk",
            "/desk\\..\\x",
            "/api/v1/requests",
            "/desk\r\nSet-Cookie: x",
            "",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}
