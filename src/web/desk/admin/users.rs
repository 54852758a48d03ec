//! Users of the organisation: the list, a new user, a change of name, title, role or
//! status (deactivating signs the user out at once), and a new password.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::{admin_or_return, back_to, done_notice, posted_text, taken, Field, FormPage, ListPage};
use crate::domain::codes::FieldCode;
use crate::domain::enums::{Language, Role};
use crate::domain::validation::FieldError;
use crate::edge::session::Session;
use crate::services::admin::{self, UserInput, UserOutput, UserUpdateInput};
use crate::services::{blocking, Context, ServiceError};
use crate::web::desk::fields::checked_form;
use crate::web::desk::{see_other, Desk};
use crate::web::error::error_page;
use crate::web::form::Posted;
use crate::web::site::site;

const ROLES: [Role; 3] = [Role::Staff, Role::Dpo, Role::Admin];

fn role_options(lang: Language) -> Vec<(String, String)> {
    ROLES
        .iter()
        .map(|r| {
            let t = site();
            (
                r.as_str().to_string(),
                format!(
                    "{}: {}",
                    t.text(&format!("desk_role_{}", r.as_str()), lang),
                    t.text(&format!("desk_admin_role_{}_means", r.as_str()), lang)
                ),
            )
        })
        .collect()
}

fn status_options(lang: Language) -> Vec<(String, String)> {
    let t = site();
    vec![
        ("active".into(), t.text("desk_admin_user_active", lang)),
        ("inactive".into(), t.text("desk_admin_user_inactive", lang)),
    ]
}

fn users_href(lang: Language) -> String {
    format!("/desk/admin/users?lang={}", lang.as_str())
}

/// `GET /desk/admin/users`.
pub async fn list(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    let c = ctx.clone();
    let p = desk.principal.clone();
    let users = match blocking(move || admin::list_users(&mut *c.conn()?, &p)).await {
        Ok(u) => u,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let (t, lang) = (site(), desk.lang);
    let rows = users
        .iter()
        .map(|u| {
            vec![
                (
                    u.name.clone(),
                    Some(format!("/desk/admin/users/{}?lang={}", u.id, lang.as_str())),
                ),
                (u.email.clone(), None),
                (
                    t.text(&format!("desk_role_{}", u.role.as_str()), lang),
                    None,
                ),
                (
                    t.text(
                        if u.active {
                            "desk_admin_user_active"
                        } else {
                            "desk_admin_user_inactive"
                        },
                        lang,
                    ),
                    None,
                ),
            ]
        })
        .collect();
    ListPage {
        title: t.text("desk_admin_users_title", lang),
        intro: t.text("desk_admin_users_intro", lang),
        done: done_notice(&req, lang),
        new: Some((
            format!("/desk/admin/users/new?lang={}", lang.as_str()),
            t.text("desk_admin_user_new", lang),
        )),
        columns: [
            "desk_settings_name",
            "dpo_email",
            "desk_settings_role",
            "desk_admin_user_status",
        ]
        .iter()
        .map(|k| t.text(k, lang))
        .collect(),
        rows,
        empty: String::new(),
        secret: None,
    }
    .render(&ctx, &req, &desk)
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
    let v = |k: &str| posted.get(k).unwrap_or("").to_string();
    FormPage {
        title: t.text("desk_admin_user_new", lang),
        intro: Some(t.text("desk_admin_user_new_intro", lang)),
        back: (users_href(lang), t.text("desk_admin_users_title", lang)),
        post: format!("/desk/admin/users/new?lang={}", lang.as_str()),
        submit: t.text("desk_admin_user_create", lang),
        facts: Vec::new(),
        consequence: None,
        links: Vec::new(),
        fields: vec![
            Field::new("name", "text", "desk_admin_field_user_name", &v("name")),
            Field::new("title", "text", "desk_admin_field_user_title", &v("title")),
            Field::new("email", "email", "desk_admin_field_user_email", &v("email")),
            Field::radio(
                "role",
                "desk_admin_field_role",
                &v("role"),
                role_options(lang),
            ),
            Field::new("password", "password", "desk_admin_field_password", "")
                .autocomplete("new-password"),
        ],
        errors,
    }
    .render(ctx, req, desk, status)
}

/// `GET /desk/admin/users/new`.
pub async fn new_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    new_page(
        &ctx,
        &req,
        &desk,
        &Posted(vec![("role".into(), "staff".into())]),
        &[],
        StatusCode::OK,
    )
}

/// `POST /desk/admin/users/new`.
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
    let Some(role) = posted.get("role").and_then(Role::parse) else {
        let errors = [FieldError::new("role", FieldCode::Required)];
        return new_page(
            &ctx,
            &req,
            &desk,
            &posted,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let title = posted_text(&posted, "title");
    let input = UserInput {
        email: posted_text(&posted, "email"),
        name: posted_text(&posted, "name"),
        title: (!title.is_empty()).then_some(title),
        role,
        password: posted.get("password").unwrap_or("").to_string(),
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let result = blocking(move || {
        admin::create_user(&mut *c.conn()?, &p.org_id, Some(&p), input)
            .map_err(|e| taken(e, "email"))
    })
    .await;
    match result {
        Ok(_) => see_other(format!("{}&done=created", users_href(desk.lang))),
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

async fn load_user(
    ctx: &web::Data<Context>,
    desk: &Desk,
    id: String,
) -> Result<UserOutput, ServiceError> {
    let c = ctx.clone();
    let p = desk.principal.clone();
    blocking(move || admin::get_user(&mut *c.conn()?, &p, &id)).await
}

fn edit_page(
    ctx: &Context,
    req: &HttpRequest,
    desk: &Desk,
    user: &UserOutput,
    posted: Option<&Posted>,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let (t, lang) = (site(), desk.lang);
    let status_now = if user.active { "active" } else { "inactive" };
    let v = |k: &str, stored: &str| match posted {
        Some(p) => p.get(k).unwrap_or("").to_string(),
        None => stored.to_string(),
    };
    let myself = desk.principal.user_id == user.id;
    FormPage {
        title: format!("{}: {}", t.text("desk_admin_user_edit", lang), user.name),
        intro: Some(t.text(
            if myself {
                "desk_admin_user_edit_self"
            } else {
                "desk_admin_user_edit_intro"
            },
            lang,
        )),
        back: (users_href(lang), t.text("desk_admin_users_title", lang)),
        post: format!("/desk/admin/users/{}?lang={}", user.id, lang.as_str()),
        submit: t.text("desk_save", lang),
        facts: vec![(t.text("dpo_email", lang), user.email.clone())],
        consequence: None,
        links: vec![(
            format!(
                "/desk/admin/users/{}/password?lang={}",
                user.id,
                lang.as_str()
            ),
            t.text("desk_admin_user_password", lang),
        )],
        fields: vec![
            Field::new(
                "name",
                "text",
                "desk_admin_field_user_name",
                &v("name", &user.name),
            ),
            Field::new(
                "title",
                "text",
                "desk_admin_field_user_title",
                &v("title", user.title.as_deref().unwrap_or("")),
            ),
            Field::radio(
                "role",
                "desk_admin_field_role",
                &v("role", user.role.as_str()),
                role_options(lang),
            ),
            Field::radio(
                "active",
                "desk_admin_field_status",
                &v("active", status_now),
                status_options(lang),
            ),
        ],
        errors,
    }
    .render(ctx, req, desk, status)
}

/// `GET /desk/admin/users/{id}`.
pub async fn edit_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    match load_user(&ctx, &desk, path.into_inner()).await {
        Ok(user) => edit_page(&ctx, &req, &desk, &user, None, &[], StatusCode::OK),
        Err(e) => error_page(&ctx, &req, e),
    }
}

/// `POST /desk/admin/users/{id}`: name, title, role and status as the form shows them.
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
    let user = match load_user(&ctx, &desk, path.into_inner()).await {
        Ok(u) => u,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let mut errors = Vec::new();
    let role = posted.get("role").and_then(Role::parse);
    if role.is_none() {
        errors.push(FieldError::new("role", FieldCode::InvalidChoice));
    }
    let active = match posted.get("active") {
        Some("active") => Some(true),
        Some("inactive") => Some(false),
        _ => {
            errors.push(FieldError::new("active", FieldCode::InvalidChoice));
            None
        }
    };
    if !errors.is_empty() {
        return edit_page(
            &ctx,
            &req,
            &desk,
            &user,
            Some(&posted),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let title = posted_text(&posted, "title");
    let input = UserUpdateInput {
        name: Some(posted_text(&posted, "name")),
        title: Some((!title.is_empty()).then_some(title)),
        role,
        active,
    };
    let c = ctx.clone();
    let p = desk.principal.clone();
    let id = user.id.clone();
    match blocking(move || admin::update_user(&mut *c.conn()?, &p, &id, input)).await {
        Ok(_) => see_other(format!("{}&done=saved", users_href(desk.lang))),
        Err(ServiceError::Validation(errors)) => edit_page(
            &ctx,
            &req,
            &desk,
            &user,
            Some(&posted),
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&ctx, &req, e),
    }
}

fn password_page(
    ctx: &Context,
    req: &HttpRequest,
    desk: &Desk,
    user: &UserOutput,
    errors: &[FieldError],
    status: StatusCode,
) -> HttpResponse {
    let (t, lang) = (site(), desk.lang);
    FormPage {
        title: format!(
            "{}: {}",
            t.text("desk_admin_user_password", lang),
            user.name
        ),
        intro: Some(t.text("desk_admin_user_password_intro", lang)),
        back: back_to(
            &format!("/desk/admin/users/{}", user.id),
            "desk_admin_user_back",
            lang,
        ),
        post: format!(
            "/desk/admin/users/{}/password?lang={}",
            user.id,
            lang.as_str()
        ),
        submit: t.text("desk_admin_user_password", lang),
        facts: vec![(t.text("dpo_email", lang), user.email.clone())],
        consequence: Some(t.text("desk_admin_user_password_consequence", lang)),
        links: Vec::new(),
        fields: vec![
            Field::new("password", "password", "desk_admin_field_password", "")
                .autocomplete("new-password"),
        ],
        errors,
    }
    .render(ctx, req, desk, status)
}

/// `GET /desk/admin/users/{id}/password`.
pub async fn password_form(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
    session: Option<Session>,
) -> HttpResponse {
    let desk = admin_or_return!(ctx, req, session);
    match load_user(&ctx, &desk, path.into_inner()).await {
        Ok(user) => password_page(&ctx, &req, &desk, &user, &[], StatusCode::OK),
        Err(e) => error_page(&ctx, &req, e),
    }
}

/// `POST /desk/admin/users/{id}/password`.
pub async fn reset_password(
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
    let user = match load_user(&ctx, &desk, path.into_inner()).await {
        Ok(u) => u,
        Err(e) => return error_page(&ctx, &req, e),
    };
    let password = posted.get("password").unwrap_or("").to_string();
    let c = ctx.clone();
    let p = desk.principal.clone();
    let id = user.id.clone();
    match blocking(move || admin::reset_password(&mut *c.conn()?, &p, &id, &password)).await {
        Ok(()) => see_other(format!("{}&done=password", users_href(desk.lang))),
        Err(ServiceError::Validation(errors)) => password_page(
            &ctx,
            &req,
            &desk,
            &user,
            &errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(&ctx, &req, e),
    }
}
