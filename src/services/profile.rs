//! What letters say about the sender: the organisation's letterhead and each register's
//! privacy-notice facts. Kept by the organisation's admin.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{write_tx, Principal, ServiceError};
use crate::db::audit::{self, NewEvent};
use crate::db::models::{OrganisationRow, RegisterRow};
use crate::db::{self, orgs};
use crate::domain::appeal::AppealSettings;
use crate::domain::authorities::{Authorities, AuthorityContact};
use crate::domain::codes::FieldCode;
use crate::domain::enums::{Language, Role};
use crate::domain::retention::RetentionRule;
use crate::domain::validation::FieldError;
use crate::oidc::OidcSettings;

const MAX_FIELD: usize = 4000;

/// The organisation's letterhead and its overrides of the defaults.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationProfile {
    #[serde(default)]
    pub postal_address: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// Municipalities and wellbeing counties: refusals then print the court route.
    #[serde(default)]
    pub public_authority: bool,
    /// Replaces the Data Protection Ombudsman's contact data on this organisation's letters.
    #[serde(default)]
    pub authority_contact: Option<AuthorityContact>,
    /// Strong electronic identification: the OpenID Connect provider whose ID tokens
    /// verify a requester's identity (issuer, audience, identity-code claim, JWKS file or URL,
    /// authorization endpoint, accepted `acr` levels, `enabled`: false keeps the settings
    /// but switches identification off; missing: on).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub oidc: Option<OidcSettings>,
    /// Public authorities: how decisions are challenged (request for review or appeal to the
    /// administrative court), the review body, the competent court, the time limit, and the
    /// contact person named on decisions. Left out: the defaults (see `AppealSettings`).
    #[serde(default)]
    pub appeal: Option<AppealSettings>,
    /// The staff desk's language for a user who has not chosen their own (default fi).
    #[serde(default)]
    pub default_language: Language,
}

impl OrganisationProfile {
    pub fn of(org: &OrganisationRow) -> OrganisationProfile {
        OrganisationProfile {
            postal_address: org.postal_address.clone(),
            email: org.email.clone(),
            phone: org.phone.clone(),
            public_authority: org.public_authority,
            authority_contact: org
                .authority_contact
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok()),
            oidc: org
                .oidc
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok()),
            appeal: org
                .appeal
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok()),
            default_language: org.default_language,
        }
    }

    /// The appeal data in force: the organisation's, else the defaults.
    pub fn appeal_settings(&self) -> AppealSettings {
        self.appeal.clone().unwrap_or_default()
    }

    /// The strong-identification settings when it is switched on (off is not configured).
    pub fn oidc_in_use(&self) -> Option<&OidcSettings> {
        self.oidc.as_ref().filter(|o| o.enabled)
    }

    pub fn check(&self, authorities: &Authorities, errors: &mut Vec<FieldError>) {
        if let Some(a) = &self.appeal {
            a.check(authorities, errors);
        }
        for (field, v) in [
            ("postal_address", &self.postal_address),
            ("email", &self.email),
            ("phone", &self.phone),
        ] {
            if v.as_ref().is_some_and(|s| s.chars().count() > 500) {
                errors.push(
                    FieldError::new(field, FieldCode::TooLong).with_params(json!({ "max": 500 })),
                );
            }
        }
        if self
            .email
            .as_ref()
            .is_some_and(|e| !validator::ValidateEmail::validate_email(e))
        {
            errors.push(FieldError::new("email", FieldCode::InvalidEmail));
        }
        if let Some(a) = &self.authority_contact {
            if a.check().is_err() {
                errors.push(FieldError::new("authority_contact", FieldCode::Incomplete));
            }
        }
        // Settings kept while switched off may be incomplete; they are checked when on.
        if let Some(o) = self.oidc_in_use() {
            for (field, value) in [
                ("oidc.issuer", &o.issuer),
                ("oidc.audience", &o.audience),
                ("oidc.identity_claim", &o.identity_claim),
                ("oidc.jwks", &o.jwks),
            ] {
                if value.trim().is_empty() {
                    errors.push(FieldError::new(field, FieldCode::Required));
                }
            }
            for (i, level) in o.accepted_acr.iter().enumerate() {
                if level.trim().is_empty() {
                    errors.push(FieldError::new(
                        format!("oidc.accepted_acr[{i}]"),
                        FieldCode::Required,
                    ));
                }
            }
        }
    }

    pub fn apply(self, mut org: OrganisationRow) -> anyhow::Result<OrganisationRow> {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        org.postal_address = clean(self.postal_address);
        org.email = clean(self.email);
        org.phone = clean(self.phone);
        org.public_authority = self.public_authority;
        org.authority_contact = self
            .authority_contact
            .map(|a| serde_json::to_string(&a))
            .transpose()?;
        org.oidc = self.oidc.map(|o| serde_json::to_string(&o)).transpose()?;
        org.appeal = self.appeal.map(|a| serde_json::to_string(&a)).transpose()?;
        org.default_language = self.default_language;
        Ok(org)
    }
}

/// Changes to the organisation's profile. A field left out stays as it is; `null` clears
/// an optional field (`public_authority` cannot be null).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationProfilePatch {
    /// Left out: unchanged; `null` or "": cleared.
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub postal_address: Option<Option<String>>,
    /// Left out: unchanged; `null` or "": cleared.
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub email: Option<Option<String>>,
    /// Left out: unchanged; `null` or "": cleared.
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<String>, nullable)]
    pub phone: Option<Option<String>>,
    /// Municipalities and wellbeing counties: refusals then print the court route.
    /// Left out: unchanged; cannot be `null`.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool, required = false)]
    pub public_authority: Option<bool>,
    /// Replaces the Data Protection Ombudsman's contact data on this organisation's letters.
    /// Left out: unchanged; `null`: back to the Ombudsman's own contact data.
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<AuthorityContact>, nullable)]
    pub authority_contact: Option<Option<AuthorityContact>>,
    /// Strong electronic identification (see `OrganisationProfile.oidc`); replaced as a
    /// whole when given. `"enabled": false` switches it off and keeps the settings (left
    /// out: on). Left out: unchanged; `null`: the settings removed.
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<Object>, nullable)]
    pub oidc: Option<Option<OidcSettings>>,
    /// Public authorities' appeal data (see `OrganisationProfile.appeal`); replaced as a whole
    /// when given. Left out: unchanged; `null`: back to the defaults.
    #[serde(default, deserialize_with = "super::explicit_null")]
    #[schema(value_type = Option<AppealSettings>, nullable)]
    pub appeal: Option<Option<AppealSettings>>,
    /// The staff desk's language for a user who has not chosen their own.
    /// Left out: unchanged; cannot be `null`.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = Language, required = false)]
    pub default_language: Option<Language>,
}

/// A field that may be left out but, when given, must have a value.
fn not_null<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    T::deserialize(d).map(Some)
}

impl OrganisationProfilePatch {
    /// The values this patch sets, as a profile (everything else empty), for validation.
    fn given_values(&self) -> OrganisationProfile {
        OrganisationProfile {
            postal_address: self.postal_address.clone().flatten(),
            email: self.email.clone().flatten(),
            phone: self.phone.clone().flatten(),
            public_authority: self.public_authority.unwrap_or_default(),
            authority_contact: self.authority_contact.clone().flatten(),
            oidc: self.oidc.clone().flatten(),
            appeal: self.appeal.clone().flatten(),
            default_language: self.default_language.unwrap_or_default(),
        }
    }

    /// Changes only the columns the patch names; the rest of the row stays as stored.
    pub fn apply(self, mut org: OrganisationRow) -> anyhow::Result<OrganisationRow> {
        let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        if let Some(v) = self.postal_address {
            org.postal_address = clean(v);
        }
        if let Some(v) = self.email {
            org.email = clean(v);
        }
        if let Some(v) = self.phone {
            org.phone = clean(v);
        }
        if let Some(v) = self.public_authority {
            org.public_authority = v;
        }
        if let Some(v) = self.authority_contact {
            org.authority_contact = v.map(|a| serde_json::to_string(&a)).transpose()?;
        }
        if let Some(v) = self.oidc {
            org.oidc = v.map(|o| serde_json::to_string(&o)).transpose()?;
        }
        if let Some(v) = self.appeal {
            org.appeal = v.map(|a| serde_json::to_string(&a)).transpose()?;
        }
        if let Some(v) = self.default_language {
            org.default_language = v;
        }
        Ok(org)
    }
}

/// A register's privacy-notice facts (as in the seeds' "rekisteriseloste").
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purposes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_categories: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfers: Option<String>,
    /// This register's own retention periods; they win over `config/retention.toml`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retention_rules: Vec<RetentionRule>,
    /// The register's texts in Swedish and English (`sv`, `en`). The register's name and
    /// description and the texts above are the Finnish ones, used wherever a translation
    /// is missing (a register stored before translations has only those).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<Language, RegisterTexts>,
}

/// A register's texts in a language other than Finnish; a text left out is read in Finnish.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterTexts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purposes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_basis: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_categories: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipients: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfers: Option<String>,
}

impl RegisterTexts {
    /// The text of a field by its name (`name`, `description`, `purposes` ...).
    pub fn get(&self, field: &str) -> Option<&str> {
        match field {
            "name" => self.name.as_deref(),
            "description" => self.description.as_deref(),
            "purposes" => self.purposes.as_deref(),
            "legal_basis" => self.legal_basis.as_deref(),
            "data_categories" => self.data_categories.as_deref(),
            "recipients" => self.recipients.as_deref(),
            "sources" => self.sources.as_deref(),
            "retention" => self.retention.as_deref(),
            "transfers" => self.transfers.as_deref(),
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == RegisterTexts::default()
    }
}

/// The register as read in `lang`: each text in that language where it has one, else the
/// Finnish one. Finnish is the register as stored.
pub fn register_in(row: &RegisterRow, lang: Language) -> RegisterRow {
    let mut info = RegisterInfo::of(row);
    let Some(t) = info.translations.get(&lang).cloned() else {
        return row.clone();
    };
    let mut out = row.clone();
    if let Some(name) = t.name {
        out.name = name;
    }
    if t.description.is_some() {
        out.description = t.description;
    }
    for (slot, text) in [
        (&mut info.purposes, t.purposes),
        (&mut info.legal_basis, t.legal_basis),
        (&mut info.data_categories, t.data_categories),
        (&mut info.recipients, t.recipients),
        (&mut info.sources, t.sources),
        (&mut info.retention, t.retention),
        (&mut info.transfers, t.transfers),
    ] {
        if text.is_some() {
            *slot = text;
        }
    }
    out.info = serde_json::to_string(&info).unwrap_or_else(|_| row.info.clone());
    out
}

impl RegisterInfo {
    pub fn of(register: &RegisterRow) -> RegisterInfo {
        serde_json::from_str(&register.info).unwrap_or_default()
    }

    pub fn check(&self, errors: &mut Vec<FieldError>) {
        let texts = [
            ("info.purposes", &self.purposes),
            ("info.legal_basis", &self.legal_basis),
            ("info.data_categories", &self.data_categories),
            ("info.recipients", &self.recipients),
            ("info.sources", &self.sources),
            ("info.retention", &self.retention),
            ("info.transfers", &self.transfers),
        ];
        for (field, v) in texts {
            if v.as_ref().is_some_and(|s| s.chars().count() > MAX_FIELD) {
                errors.push(
                    FieldError::new(field, FieldCode::TooLong)
                        .with_params(json!({ "max": MAX_FIELD })),
                );
            }
        }
        for (lang, texts) in &self.translations {
            let at = |f: &str| format!("info.translations.{}.{f}", lang.as_str());
            if *lang == Language::Fi {
                // The register's own fields are the Finnish texts.
                errors.push(FieldError::new(
                    format!("info.translations.{}", lang.as_str()),
                    FieldCode::InvalidChoice,
                ));
                continue;
            }
            for field in [
                "name",
                "description",
                "purposes",
                "legal_basis",
                "data_categories",
                "recipients",
                "sources",
                "retention",
                "transfers",
            ] {
                let max = if field == "name" { 200 } else { MAX_FIELD };
                if texts.get(field).is_some_and(|s| s.chars().count() > max) {
                    errors.push(
                        FieldError::new(at(field), FieldCode::TooLong)
                            .with_params(json!({ "max": max })),
                    );
                }
            }
        }
        for (i, r) in self.retention_rules.iter().enumerate() {
            if r.years == 0 || r.years > 200 {
                errors.push(
                    FieldError::new(
                        format!("info.retention_rules[{i}].years"),
                        FieldCode::OutOfRange,
                    )
                    .with_params(json!({ "min": 1, "max": 200 })),
                );
            }
        }
    }
}

pub fn organisation_profile(
    ctx: &super::Context,
    principal: &Principal,
) -> Result<OrganisationProfile, ServiceError> {
    principal.require(&[Role::Admin, Role::Dpo, Role::Staff])?;
    let mut conn = ctx.conn()?;
    let org = orgs::find_organisation(&mut conn, &principal.org_id)?;
    Ok(OrganisationProfile::of(&org))
}

pub fn update_organisation_profile(
    ctx: &super::Context,
    principal: &Principal,
    patch: OrganisationProfilePatch,
) -> Result<OrganisationProfile, ServiceError> {
    principal.require(&[Role::Admin])?;
    let mut errors = Vec::new();
    patch
        .given_values()
        .check(&ctx.rules.authorities, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::Validation(errors));
    }
    let mut conn = ctx.conn()?;
    write_tx(&mut conn, &principal.org_id, |conn| {
        let org = orgs::find_organisation(conn, &principal.org_id)?;
        let org = patch.apply(org).map_err(ServiceError::Internal)?;
        orgs::update_organisation_profile(conn, &org)?;
        audit::append(
            conn,
            NewEvent {
                org_id: &principal.org_id,
                request_id: None,
                actor_id: Some(&principal.user_id),
                actor_role: principal.role.as_str(),
                action: "organisation_profile_updated",
                from_state: None,
                to_state: None,
                payload: json!({}),
                occurred_at: db::now(),
            },
        )?;
        Ok(OrganisationProfile::of(&org))
    })
}
