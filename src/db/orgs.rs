//! Organisations, registers and users.

use diesel::prelude::*;

use super::models::{OrganisationRow, RegisterRow, UserRow};
use super::schema::{audit_heads, organisations, registers, users};
use super::AnyConnection;
use crate::db::audit::GENESIS_HASH;

pub fn insert_organisation(conn: &mut AnyConnection, org: &OrganisationRow) -> QueryResult<()> {
    conn.transaction(|conn| {
        diesel::insert_into(organisations::table)
            .values(org)
            .execute(conn)?;
        diesel::insert_into(audit_heads::table)
            .values((
                audit_heads::org_id.eq(&org.id),
                audit_heads::last_seq.eq(0i64),
                audit_heads::last_hash.eq(GENESIS_HASH),
            ))
            .execute(conn)?;
        Ok(())
    })
}

pub fn find_organisation_by_slug(
    conn: &mut AnyConnection,
    slug: &str,
) -> QueryResult<Option<OrganisationRow>> {
    organisations::table
        .filter(organisations::slug.eq(slug))
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_organisation(conn: &mut AnyConnection, id: &str) -> QueryResult<OrganisationRow> {
    organisations::table
        .find(id)
        .select(OrganisationRow::as_select())
        .first(conn)
}

pub fn list_organisations(conn: &mut AnyConnection) -> QueryResult<Vec<OrganisationRow>> {
    organisations::table
        .order(organisations::slug)
        .select(OrganisationRow::as_select())
        .load(conn)
}

pub fn insert_register(conn: &mut AnyConnection, reg: &RegisterRow) -> QueryResult<()> {
    diesel::insert_into(registers::table)
        .values(reg)
        .execute(conn)
        .map(|_| ())
}

pub fn list_registers(conn: &mut AnyConnection, org_id: &str) -> QueryResult<Vec<RegisterRow>> {
    registers::table
        .filter(registers::org_id.eq(org_id))
        .order(registers::slug)
        .select(RegisterRow::as_select())
        .load(conn)
}

pub fn insert_user(conn: &mut AnyConnection, user: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(user)
        .execute(conn)
        .map(|_| ())
}

pub fn find_user_by_email(conn: &mut AnyConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_user(conn: &mut AnyConnection, org_id: &str, id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::org_id.eq(org_id))
        .filter(users::id.eq(id))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_users(conn: &mut AnyConnection, org_id: &str) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::org_id.eq(org_id))
        .order(users::email)
        .select(UserRow::as_select())
        .load(conn)
}

pub fn set_password(
    conn: &mut AnyConnection,
    user_id: &str,
    password_hash: &str,
) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::password_hash.eq(password_hash))
        .execute(conn)
        .map(|_| ())
}

/// Ends every session of the user: tokens issued before this are refused.
pub fn end_sessions(conn: &mut AnyConnection, user_id: &str) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::session_epoch.eq(users::session_epoch + 1))
        .execute(conn)
        .map(|_| ())
}

pub fn update_user(conn: &mut AnyConnection, user: &UserRow) -> QueryResult<()> {
    diesel::update(users::table.find(&user.id))
        .set((
            users::name.eq(&user.name),
            users::title.eq(&user.title),
            users::role.eq(&user.role),
            users::active.eq(user.active),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn update_organisation_profile(
    conn: &mut AnyConnection,
    org: &OrganisationRow,
) -> QueryResult<()> {
    diesel::update(organisations::table.find(&org.id))
        .set((
            organisations::postal_address.eq(&org.postal_address),
            organisations::email.eq(&org.email),
            organisations::phone.eq(&org.phone),
            organisations::public_authority.eq(org.public_authority),
            organisations::authority_contact.eq(&org.authority_contact),
            organisations::oidc.eq(&org.oidc),
            organisations::appeal.eq(&org.appeal),
            organisations::default_language.eq(org.default_language),
        ))
        .execute(conn)
        .map(drop)
}

pub fn find_register(
    conn: &mut AnyConnection,
    org_id: &str,
    slug: &str,
) -> QueryResult<Option<RegisterRow>> {
    registers::table
        .filter(registers::org_id.eq(org_id))
        .filter(registers::slug.eq(slug))
        .select(RegisterRow::as_select())
        .first(conn)
        .optional()
}

/// Stores a register's name, description and privacy-notice facts (the slug stays).
pub fn update_register(conn: &mut AnyConnection, reg: &RegisterRow) -> QueryResult<()> {
    diesel::update(registers::table.find(&reg.id))
        .set((
            registers::name.eq(&reg.name),
            registers::description.eq(&reg.description),
            registers::info.eq(&reg.info),
        ))
        .execute(conn)
        .map(drop)
}
