//! Organisations, registers and users: provisioning by CLI and by an organisation's admin.

use serde::{Deserialize, Serialize};
use sha2::Digest;
use utoipa::ToSchema;

use super::auth::{hash_password, normalise_email};
pub use super::profile::{OrganisationProfile, RegisterInfo, RegisterTexts};
use super::{write_tx, Principal, ServiceError};
use crate::db::audit::{self, NewEvent};
use crate::db::models::{OrganisationRow, RegisterRow, UserRow};
use crate::db::{self, orgs, AnyConnection};
use crate::domain::codes::FieldCode;
use crate::domain::enums::{Language, Role};
use crate::domain::ids::{OrgId, UserId};
use crate::domain::validation::FieldError;

pub const MIN_PASSWORD: usize = 12;

fn check_slug(slug: &str, field: &str, errors: &mut Vec<FieldError>) {
    let ok = (2..=40).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if !ok {
        errors.push(FieldError::new(field, FieldCode::InvalidSlug));
    }
}

fn check_text(v: &str, field: &str, max: usize, errors: &mut Vec<FieldError>) {
    if v.trim().is_empty() {
        errors.push(FieldError::new(field, FieldCode::Required));
    } else if v.chars().count() > max {
        errors.push(
            FieldError::new(field, FieldCode::TooLong)
                .with_params(serde_json::json!({ "max": max })),
        );
    }
}

fn finish(errors: Vec<FieldError>) -> Result<(), ServiceError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Validation(errors))
    }
}

/// A neutral reference prefix derived from the slug: four letters that say nothing of the
/// organisation, because references travel in e-mail subjects and a prefix like "TURVAKOT"
/// would tell a shared inbox that the person turned to a shelter. Admins may choose another.
pub fn default_prefix(slug: &str) -> String {
    // Letters that cannot be mistaken for digits or each other on the phone.
    const LETTERS: &[u8] = b"ACDEFHJKLMNPRTUVWXY";
    let digest = sha2::Sha256::digest(slug.as_bytes());
    digest
        .iter()
        .take(4)
        .map(|b| LETTERS[usize::from(*b) % LETTERS.len()] as char)
        .collect()
}

pub struct NewOrganisation {
    pub slug: String,
    pub name: String,
    pub business_id: Option<String>,
    pub reference_prefix: Option<String>,
    pub profile: OrganisationProfile,
}

pub fn create_organisation(
    conn: &mut AnyConnection,
    new: NewOrganisation,
) -> Result<OrganisationRow, ServiceError> {
    let mut errors = Vec::new();
    check_slug(&new.slug, "slug", &mut errors);
    check_text(&new.name, "name", 200, &mut errors);
    let prefix = new
        .reference_prefix
        .unwrap_or_else(|| default_prefix(&new.slug));
    if crate::domain::slugs::RESERVED_SLUGS.contains(&new.slug.as_str()) {
        errors.push(FieldError::new("slug", FieldCode::ReservedSlug));
    }
    if !(1..=8).contains(&prefix.len())
        || !prefix
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        errors.push(FieldError::new(
            "reference_prefix",
            FieldCode::InvalidPrefix,
        ));
    }
    if let Some(b) = &new.business_id {
        if !is_business_id(b) {
            errors.push(FieldError::new("business_id", FieldCode::InvalidBusinessId));
        }
    }
    // New organisations come from the CLI and the demo: the shipped court list is the one
    // their appeal data (if any) is checked against.
    let authorities =
        crate::domain::authorities::Authorities::embedded().map_err(ServiceError::Internal)?;
    new.profile.check(&authorities, &mut errors);
    finish(errors)?;
    let row = OrganisationRow {
        id: OrgId::generate(),
        slug: new.slug,
        name: new.name.trim().to_string(),
        business_id: new.business_id,
        reference_prefix: prefix,
        address_visible_roles: r#"["admin"]"#.into(),
        created_at: db::now(),
        postal_address: None,
        email: None,
        phone: None,
        public_authority: false,
        authority_contact: None,
        oidc: None,
        appeal: None,
        default_language: Language::Fi,
    };
    let row = new.profile.apply(row).map_err(ServiceError::Internal)?;
    orgs::insert_organisation(conn, &row)?;
    Ok(row)
}

/// Finnish business id (Y-tunnus) 1234567-8 with its mod-11 check digit.
pub fn is_business_id(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 9 || b[7] != b'-' || !b[..7].iter().chain(&b[8..]).all(u8::is_ascii_digit) {
        return false;
    }
    let weights = [7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..7]
        .iter()
        .zip(weights)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    let check = match sum % 11 {
        0 => 0,
        1 => return false,
        r => 11 - r,
    };
    u32::from(b[8] - b'0') == check
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInput {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The privacy-notice facts printed in access answers, and the register's own retention.
    #[serde(default)]
    pub info: RegisterInfo,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterOutput {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub info: RegisterInfo,
}

impl From<RegisterRow> for RegisterOutput {
    fn from(r: RegisterRow) -> RegisterOutput {
        RegisterOutput {
            info: RegisterInfo::of(&r),
            slug: r.slug,
            name: r.name,
            description: r.description,
        }
    }
}

/// Who made an administrative change, for the audit trail: an admin, or the CLI.
fn actor_of(p: Option<&Principal>) -> (Option<&str>, &'static str) {
    match p {
        Some(p) => (Some(p.user_id.as_str()), p.role.as_str()),
        None => (None, "cli"),
    }
}

fn audit_admin_change(
    conn: &mut AnyConnection,
    org_id: &str,
    actor: Option<&Principal>,
    action: &'static str,
    payload: serde_json::Value,
) -> Result<(), ServiceError> {
    let (actor_id, actor_role) = actor_of(actor);
    audit::append(
        conn,
        NewEvent {
            org_id,
            request_id: None,
            actor_id,
            actor_role,
            action,
            from_state: None,
            to_state: None,
            payload,
            occurred_at: db::now(),
        },
    )?;
    Ok(())
}

pub fn create_register(
    conn: &mut AnyConnection,
    org_id: &str,
    actor: Option<&Principal>,
    input: RegisterInput,
) -> Result<RegisterRow, ServiceError> {
    let mut errors = Vec::new();
    check_slug(&input.slug, "slug", &mut errors);
    check_text(&input.name, "name", 200, &mut errors);
    if let Some(d) = &input.description {
        if d.chars().count() > 4000 {
            errors.push(
                FieldError::new("description", FieldCode::TooLong)
                    .with_params(serde_json::json!({ "max": 4000 })),
            );
        }
    }
    input.info.check(&mut errors);
    finish(errors)?;
    let info = serde_json::to_string(&input.info).map_err(anyhow::Error::from)?;
    let row = RegisterRow {
        id: uuid::Uuid::now_v7().to_string(),
        org_id: OrgId::from(org_id),
        slug: input.slug,
        name: input.name.trim().to_string(),
        description: input
            .description
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty()),
        created_at: db::now(),
        info,
    };
    write_tx(conn, org_id, |conn| {
        orgs::insert_register(conn, &row)?;
        audit_admin_change(
            conn,
            org_id,
            actor,
            "register_created",
            serde_json::json!({ "slug": row.slug, "name": row.name }),
        )
    })?;
    Ok(row)
}

#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    pub role: Role,
    /// At least 12 characters.
    pub password: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserOutput {
    pub id: String,
    pub email: String,
    pub name: String,
    pub title: Option<String>,
    pub role: Role,
    pub active: bool,
}

impl From<UserRow> for UserOutput {
    fn from(u: UserRow) -> UserOutput {
        UserOutput {
            id: u.id.into_string(),
            email: u.email,
            name: u.name,
            title: u.title,
            role: u.role,
            active: u.active,
        }
    }
}

pub fn create_user(
    conn: &mut AnyConnection,
    org_id: &str,
    actor: Option<&Principal>,
    input: UserInput,
) -> Result<UserRow, ServiceError> {
    let mut errors = Vec::new();
    let email = normalise_email(&input.email);
    if !validator::ValidateEmail::validate_email(&email) {
        errors.push(FieldError::new("email", FieldCode::InvalidEmail));
    }
    check_text(&input.name, "name", 200, &mut errors);
    if input.password.chars().count() < MIN_PASSWORD {
        errors.push(
            FieldError::new("password", FieldCode::TooShort)
                .with_params(serde_json::json!({ "min": MIN_PASSWORD })),
        );
    }
    finish(errors)?;
    let row = UserRow {
        id: UserId::generate(),
        org_id: OrgId::from(org_id),
        email,
        name: input.name.trim().to_string(),
        title: input
            .title
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty()),
        role: input.role,
        password_hash: hash_password(&input.password)?,
        active: true,
        created_at: db::now(),
        language: None,
        session_epoch: 0,
    };
    write_tx(conn, org_id, |conn| {
        orgs::insert_user(conn, &row)?;
        // The user id only: an e-mail address is personal data.
        audit_admin_change(
            conn,
            org_id,
            actor,
            "user_created",
            serde_json::json!({ "user_id": row.id, "role": row.role }),
        )
    })?;
    Ok(row)
}

/// Changes to a user; absent fields stay as they are (`null` clears `title`).
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdateInput {
    #[serde(default)]
    pub name: Option<String>,
    /// Left out: unchanged; `null` or "": cleared.
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub title: Option<Option<String>>,
    #[serde(default)]
    pub role: Option<Role>,
    /// `false` signs the user out at once and refuses new sign-ins.
    #[serde(default)]
    pub active: Option<bool>,
}

pub fn update_user(
    conn: &mut AnyConnection,
    admin: &Principal,
    user_id: &str,
    input: UserUpdateInput,
) -> Result<UserRow, ServiceError> {
    admin.require(&[Role::Admin])?;
    let mut errors = Vec::new();
    if let Some(name) = &input.name {
        check_text(name, "name", 200, &mut errors);
    }
    if admin.user_id == user_id
        && (input.active == Some(false) || input.role.is_some_and(|r| r != Role::Admin))
    {
        // An organisation must not lose its last way to manage itself by accident.
        errors.push(FieldError::new("active", FieldCode::CannotDemoteYourself));
    }
    finish(errors)?;
    write_tx(conn, &admin.org_id, |conn| {
        let mut user =
            orgs::find_user(conn, &admin.org_id, user_id)?.ok_or(ServiceError::NotFound("user"))?;
        let before = (user.role, user.active);
        if let Some(name) = input.name {
            user.name = name.trim().to_string();
        }
        if let Some(title) = input.title {
            user.title = title
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty());
        }
        if let Some(role) = input.role {
            user.role = role;
        }
        if let Some(active) = input.active {
            user.active = active;
        }
        orgs::update_user(conn, &user)?;
        if before.1 && !user.active {
            // Refused at once anyway (inactive); this keeps a later reactivation from
            // reviving the tokens issued before.
            orgs::end_sessions(conn, &user.id)?;
        }
        audit_admin_change(
            conn,
            &admin.org_id,
            Some(admin),
            "user_updated",
            serde_json::json!({
                "user_id": user.id,
                "role": { "from": before.0, "to": user.role },
                "active": { "from": before.1, "to": user.active },
            }),
        )?;
        Ok(user)
    })
}

/// A signed-in user changes their own password, proving the current one.
pub fn change_password(
    conn: &mut AnyConnection,
    p: &Principal,
    current: &str,
    new: &str,
) -> Result<(), ServiceError> {
    if new.chars().count() < MIN_PASSWORD {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "new_password",
            FieldCode::TooShort,
        )
        .with_params(serde_json::json!({ "min": MIN_PASSWORD }))]));
    }
    let user = orgs::find_user(conn, &p.org_id, &p.user_id)?.ok_or(ServiceError::Unauthorized)?;
    if !super::auth::verify_password(current, &user.password_hash) {
        return Err(ServiceError::field(
            "current_password",
            FieldCode::WrongPassword,
        ));
    }
    let hash = hash_password(new)?;
    write_tx(conn, &p.org_id, |conn| {
        orgs::set_password(conn, &user.id, &hash)?;
        audit_admin_change(
            conn,
            &p.org_id,
            Some(p),
            "password_changed",
            serde_json::json!({ "user_id": user.id }),
        )
    })
}

pub fn list_registers(
    conn: &mut AnyConnection,
    p: &Principal,
) -> Result<Vec<RegisterOutput>, ServiceError> {
    p.require(&[Role::Admin, Role::Staff, Role::Dpo])?;
    Ok(orgs::list_registers(conn, &p.org_id)?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub fn list_users(
    conn: &mut AnyConnection,
    p: &Principal,
) -> Result<Vec<UserOutput>, ServiceError> {
    p.require(&[Role::Admin])?;
    Ok(orgs::list_users(conn, &p.org_id)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// An admin gives a user a new password (the user lost theirs, or someone else may know
/// it). Every current session of the user ends: tokens issued before are refused.
pub fn reset_password(
    conn: &mut AnyConnection,
    admin: &Principal,
    user_id: &str,
    new: &str,
) -> Result<(), ServiceError> {
    admin.require(&[Role::Admin])?;
    if new.chars().count() < MIN_PASSWORD {
        return Err(ServiceError::Validation(vec![FieldError::new(
            "password",
            FieldCode::TooShort,
        )
        .with_params(serde_json::json!({ "min": MIN_PASSWORD }))]));
    }
    let user =
        orgs::find_user(conn, &admin.org_id, user_id)?.ok_or(ServiceError::NotFound("user"))?;
    let hash = hash_password(new)?;
    write_tx(conn, &admin.org_id, |conn| {
        orgs::set_password(conn, &user.id, &hash)?;
        orgs::end_sessions(conn, &user.id)?;
        audit_admin_change(
            conn,
            &admin.org_id,
            Some(admin),
            "password_reset",
            serde_json::json!({ "user_id": user.id }),
        )
    })
}

/// A new password for a user, set by an admin.
#[derive(Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetInput {
    /// At least 12 characters.
    pub password: String,
}

pub fn get_user(
    conn: &mut AnyConnection,
    p: &Principal,
    user_id: &str,
) -> Result<UserOutput, ServiceError> {
    p.require(&[Role::Admin])?;
    orgs::find_user(conn, &p.org_id, user_id)?
        .map(Into::into)
        .ok_or(ServiceError::NotFound("user"))
}

pub fn get_register(
    conn: &mut AnyConnection,
    p: &Principal,
    slug: &str,
) -> Result<RegisterOutput, ServiceError> {
    p.require(&[Role::Admin, Role::Staff, Role::Dpo])?;
    orgs::find_register(conn, &p.org_id, slug)?
        .map(Into::into)
        .ok_or(ServiceError::NotFound("register"))
}

/// Changes to a register; absent fields stay as they are. The slug cannot change (requests
/// and access-log scopes refer to it). `info` fields merge one by one too.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterPatch {
    #[serde(default)]
    pub name: Option<String>,
    /// Left out: unchanged; `null` or "": cleared.
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    #[serde(default)]
    pub info: Option<RegisterInfoPatch>,
}

/// Changes to a register's privacy-notice facts: each text left out stays; `null` or ""
/// clears it; `retention_rules`, when given, replaces the list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInfoPatch {
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub purposes: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub legal_basis: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub data_categories: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub recipients: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub sources: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub retention: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub transfers: Option<Option<String>>,
    #[serde(default)]
    pub retention_rules: Option<Vec<crate::domain::retention::RetentionRule>>,
    /// Texts in Swedish and English, by language; each text merges like the ones above.
    #[serde(default)]
    pub translations: Option<std::collections::BTreeMap<Language, RegisterTextsPatch>>,
}

/// Changes to a register's texts in one language: each text left out stays; `null` or ""
/// clears it (the Finnish text is then used).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterTextsPatch {
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub purposes: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub legal_basis: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub data_categories: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub recipients: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub sources: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub retention: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub transfers: Option<Option<String>>,
}

impl RegisterTextsPatch {
    fn apply(self, mut texts: RegisterTexts) -> RegisterTexts {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        for (slot, given) in [
            (&mut texts.name, self.name),
            (&mut texts.description, self.description),
            (&mut texts.purposes, self.purposes),
            (&mut texts.legal_basis, self.legal_basis),
            (&mut texts.data_categories, self.data_categories),
            (&mut texts.recipients, self.recipients),
            (&mut texts.sources, self.sources),
            (&mut texts.retention, self.retention),
            (&mut texts.transfers, self.transfers),
        ] {
            if let Some(v) = given {
                *slot = clean(v);
            }
        }
        texts
    }
}

impl RegisterInfoPatch {
    fn apply(self, mut info: RegisterInfo) -> RegisterInfo {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        for (slot, given) in [
            (&mut info.purposes, self.purposes),
            (&mut info.legal_basis, self.legal_basis),
            (&mut info.data_categories, self.data_categories),
            (&mut info.recipients, self.recipients),
            (&mut info.sources, self.sources),
            (&mut info.retention, self.retention),
            (&mut info.transfers, self.transfers),
        ] {
            if let Some(v) = given {
                *slot = clean(v);
            }
        }
        if let Some(rules) = self.retention_rules {
            info.retention_rules = rules;
        }
        for (lang, patch) in self.translations.unwrap_or_default() {
            let texts = patch.apply(info.translations.remove(&lang).unwrap_or_default());
            if !texts.is_empty() {
                info.translations.insert(lang, texts);
            }
        }
        info
    }
}

pub fn update_register(
    conn: &mut AnyConnection,
    admin: &Principal,
    slug: &str,
    patch: RegisterPatch,
) -> Result<RegisterRow, ServiceError> {
    admin.require(&[Role::Admin])?;
    write_tx(conn, &admin.org_id, |conn| {
        let mut row = orgs::find_register(conn, &admin.org_id, slug)?
            .ok_or(ServiceError::NotFound("register"))?;
        if let Some(name) = patch.name {
            row.name = name.trim().to_string();
        }
        if let Some(d) = patch.description {
            row.description = d.map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
        }
        let info = match patch.info {
            Some(p) => p.apply(RegisterInfo::of(&row)),
            None => RegisterInfo::of(&row),
        };
        let mut errors = Vec::new();
        check_text(&row.name, "name", 200, &mut errors);
        if row
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 4000)
        {
            errors.push(
                FieldError::new("description", FieldCode::TooLong)
                    .with_params(serde_json::json!({ "max": 4000 })),
            );
        }
        info.check(&mut errors);
        finish(errors)?;
        row.info = serde_json::to_string(&info).map_err(anyhow::Error::from)?;
        orgs::update_register(conn, &row)?;
        audit_admin_change(
            conn,
            &admin.org_id,
            Some(admin),
            "register_updated",
            serde_json::json!({ "slug": row.slug }),
        )?;
        Ok(row)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_ids() {
        assert!(is_business_id("0245437-2"));
        assert!(is_business_id("1572860-0"));
        assert!(!is_business_id("0245437-3"));
        assert!(!is_business_id("245437-2"));
    }

    #[test]
    fn default_prefixes_are_neutral_and_stable() {
        let p = default_prefix("turvakoti-satama");
        assert_eq!(p.len(), 4);
        assert!(!p.contains("TUR"));
        assert_eq!(p, default_prefix("turvakoti-satama"));
        assert_ne!(p, default_prefix("perhepalvelut-x"));
    }
}
