//! Printable request forms for an organisation: served without signing in and printed in
//! stacks from the command line. Nothing is stored; each form is drawn on demand from the
//! organisation's current details and registers.

use chrono::{DateTime, Utc};

use super::ServiceError;
use crate::db::{orgs, AnyConnection};
use crate::domain::enums::{Language, RequestKind};
use crate::domain::forms::Forms;
use crate::letters::paper_form::{self, PaperFormInput};
use crate::letters::Letters;
use crate::pdf;

/// A rendered form and the name to save it under.
pub struct PaperForm {
    pub pdf: Vec<u8>,
    /// `<org>-<kind>-<lang>.pdf`: ASCII, as organisation slugs are.
    pub filename: String,
}

/// The form for `kind` in `lang`; NotFound for an unknown organisation.
pub fn render(
    conn: &mut AnyConnection,
    forms: &Forms,
    letters: &Letters,
    org_slug: &str,
    kind: RequestKind,
    lang: Language,
    now: DateTime<Utc>,
) -> Result<PaperForm, ServiceError> {
    let org = orgs::find_organisation_by_slug(conn, org_slug)?
        .ok_or(ServiceError::NotFound("organisation"))?;
    // In the form's language, Finnish where a name has no translation.
    let registers: Vec<_> = orgs::list_registers(conn, &org.id)?
        .iter()
        .map(|r| crate::services::profile::register_in(r, lang))
        .collect();
    let doc = paper_form::document(
        letters,
        &PaperFormInput {
            forms,
            kind,
            lang,
            org: &org,
            registers: &registers,
            now,
        },
    );
    let pdf = pdf::render(&doc.info, &doc.frame, &doc.blocks).map_err(ServiceError::Internal)?;
    Ok(PaperForm {
        pdf,
        filename: format!("{}-{}-{}.pdf", org.slug, kind.as_str(), lang.as_str()),
    })
}
