//! An organisation's admin manages its registers and users.

use actix_web::{get, patch, post, put, web, HttpResponse};

use super::auth::Auth;
use super::error::{AppError, Problem};
use crate::domain::enums::Role;
use crate::services::admin::{
    self, PasswordResetInput, RegisterInput, RegisterOutput, RegisterPatch, UserInput, UserOutput,
    UserUpdateInput,
};
use crate::services::{blocking, Context};

#[utoipa::path(tag = "admin", request_body = RegisterInput, security(("bearer" = [])), responses(
    (status = 201, body = RegisterOutput, description = "Created"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed body"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Admin only"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "The slug is taken"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields"),
))]
#[post("/registers")]
pub async fn create_register(
    ctx: web::Data<Context>,
    auth: Auth,
    body: web::Json<RegisterInput>,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || {
        auth.0.require(&[Role::Admin])?;
        let mut conn = ctx.conn()?;
        admin::create_register(&mut conn, &auth.0.org_id, Some(&auth.0), body.into_inner())
    })
    .await?;
    Ok(HttpResponse::Created().json(RegisterOutput::from(out)))
}

#[utoipa::path(tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = Vec<RegisterOutput>, description = "The organisation's registers"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
))]
#[get("/registers")]
pub async fn list_registers(ctx: web::Data<Context>, auth: Auth) -> Result<HttpResponse, AppError> {
    let out = blocking(move || {
        let mut conn = ctx.conn()?;
        admin::list_registers(&mut conn, &auth.0)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "admin", request_body = UserInput, security(("bearer" = [])), responses(
    (status = 201, body = UserOutput, description = "Created"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed body"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Admin only"),
    (status = 409, body = Problem, content_type = "application/problem+json", description = "The e-mail address is taken"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields"),
))]
#[post("/users")]
pub async fn create_user(
    ctx: web::Data<Context>,
    auth: Auth,
    body: web::Json<UserInput>,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || {
        auth.0.require(&[Role::Admin])?;
        let mut conn = ctx.conn()?;
        admin::create_user(&mut conn, &auth.0.org_id, Some(&auth.0), body.into_inner())
    })
    .await?;
    Ok(HttpResponse::Created().json(UserOutput::from(out)))
}

#[utoipa::path(tag = "admin", security(("bearer" = [])), responses(
    (status = 200, body = Vec<UserOutput>, description = "The organisation's users"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Admin only"),
))]
#[get("/users")]
pub async fn list_users(ctx: web::Data<Context>, auth: Auth) -> Result<HttpResponse, AppError> {
    let out = blocking(move || {
        let mut conn = ctx.conn()?;
        admin::list_users(&mut conn, &auth.0)
    })
    .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(tag = "admin", params(("id" = String, Path, description = "User id")), request_body = UserUpdateInput, security(("bearer" = [])), responses(
    (status = 200, body = UserOutput, description = "The updated user"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed body"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Admin only"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such user in your organisation"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields"),
))]
#[patch("/users/{id}")]
pub async fn update_user(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
    body: web::Json<UserUpdateInput>,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || {
        let mut conn = ctx.conn()?;
        admin::update_user(&mut conn, &auth.0, &id, body.into_inner())
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserOutput::from(out)))
}

#[utoipa::path(tag = "admin", params(("id" = String, Path, description = "User id")), request_body = PasswordResetInput, security(("bearer" = [])), responses(
    (status = 204, description = "The new password is set; the user's sessions opened before it have ended"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed body"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Admin only"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such user in your organisation"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Too short"),
))]
#[put("/users/{id}/password")]
pub async fn reset_password(
    ctx: web::Data<Context>,
    auth: Auth,
    id: web::Path<String>,
    body: web::Json<PasswordResetInput>,
) -> Result<HttpResponse, AppError> {
    blocking(move || {
        let mut conn = ctx.conn()?;
        admin::reset_password(&mut conn, &auth.0, &id, &body.password)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes a register: fields left out stay as they are, `info` texts one by one too.
#[utoipa::path(tag = "admin", params(("slug" = String, Path, description = "Register slug")), request_body = RegisterPatch, security(("bearer" = [])), responses(
    (status = 200, body = RegisterOutput, description = "The updated register"),
    (status = 400, body = Problem, content_type = "application/problem+json", description = "Malformed body"),
    (status = 401, body = Problem, content_type = "application/problem+json", description = "Not signed in"),
    (status = 403, body = Problem, content_type = "application/problem+json", description = "Admin only"),
    (status = 404, body = Problem, content_type = "application/problem+json", description = "No such register in your organisation"),
    (status = 422, body = Problem, content_type = "application/problem+json", description = "Invalid fields"),
))]
#[patch("/registers/{slug}")]
pub async fn update_register(
    ctx: web::Data<Context>,
    auth: Auth,
    slug: web::Path<String>,
    body: web::Json<RegisterPatch>,
) -> Result<HttpResponse, AppError> {
    let out = blocking(move || {
        let mut conn = ctx.conn()?;
        admin::update_register(&mut conn, &auth.0, &slug, body.into_inner())
    })
    .await?;
    Ok(HttpResponse::Ok().json(RegisterOutput::from(out)))
}
