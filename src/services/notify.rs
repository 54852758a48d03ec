//! Messages caused by changes, written to the outbox in the same transaction as the change.
//! Messages to requesters carry no personal data: only that there is news and where to look.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, SubsecRound};
use minijinja::context;

use super::{Clock, ServiceError};
use crate::config::Settings;
use crate::db::models::{OrganisationRow, OutboxRow, RequestRow, SubjectRow, UserRow};
use crate::db::{outbox, AnyConnection};
use crate::domain::enums::{ContactChannel, Language};
use crate::domain::subject::Representative;
use crate::mail::{Rendered, Templates};

pub struct Notifier {
    pub templates: Templates,
    pub public_url: String,
    pub staff_language: Language,
    pub clock: Arc<dyn Clock>,
}

/// A message about to be queued.
pub struct Queued<'a> {
    pub org_id: &'a str,
    pub request_id: Option<&'a str>,
    pub kind: &'static str,
    pub recipient: &'a str,
    pub recipient_role: &'static str,
    pub language: Language,
    pub rendered: Rendered,
    pub dedupe_key: Option<String>,
}

pub fn fi_date(d: NaiveDate) -> String {
    d.format("%-d.%-m.%Y").to_string()
}

impl Notifier {
    pub fn new(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Notifier> {
        Ok(Notifier {
            templates: Templates::embedded()?,
            public_url: settings.web.public_url.trim_end_matches('/').to_string(),
            staff_language: settings.mail.staff_language,
            clock,
        })
    }

    pub fn now(&self) -> NaiveDateTime {
        self.clock.now().naive_utc().trunc_subsecs(6)
    }

    pub fn request_url(&self, request: &RequestRow) -> String {
        format!("{}/dpo/requests/{}", self.public_url, request.id)
    }

    /// Queues a message; `false` when its dedupe key was already used.
    pub fn enqueue(&self, conn: &mut AnyConnection, q: Queued<'_>) -> Result<bool, ServiceError> {
        let now = self.now();
        let row = OutboxRow {
            id: uuid::Uuid::now_v7().to_string(),
            org_id: q.org_id.to_string(),
            request_id: q.request_id.map(str::to_string),
            kind: q.kind.to_string(),
            recipient: q.recipient.to_string(),
            recipient_role: q.recipient_role.to_string(),
            language: q.language.as_str().to_string(),
            subject: q.rendered.subject,
            body_text: q.rendered.text,
            body_html: q.rendered.html,
            dedupe_key: q.dedupe_key,
            state: "pending".into(),
            attempts: 0,
            next_attempt_at: now,
            locked_until: None,
            locked_by: None,
            last_error: None,
            created_at: now,
            sent_at: None,
        };
        Ok(outbox::enqueue(conn, &row)?)
    }

    fn render(
        &self,
        lang: Language,
        kind: &str,
        ctx: minijinja::Value,
    ) -> Result<Rendered, ServiceError> {
        self.templates
            .render(lang, kind, ctx)
            .map_err(|e| ServiceError::Internal(e.into()))
    }

    /// Tells the requester there is news, if they chose e-mail and gave an address. The
    /// representative, when there is one, made the request and hears of it.
    pub fn requester_news(
        &self,
        conn: &mut AnyConnection,
        org: &OrganisationRow,
        request: &RequestRow,
        subject: &SubjectRow,
    ) -> Result<(), ServiceError> {
        if subject.contact_channel != ContactChannel::Email {
            return Ok(());
        }
        let representative: Option<Representative> = subject
            .representative
            .as_deref()
            .and_then(|r| serde_json::from_str(r).ok());
        let recipient = match &representative {
            Some(rep) => rep.email.clone().or_else(|| subject.email.clone()),
            None => subject.email.clone(),
        };
        let Some(recipient) = recipient else {
            return Ok(());
        };
        let lang = request.language;
        let rendered = self.render(
            lang,
            "requester_news",
            context! {
                reference => request.reference.clone(),
                organisation => org.name.clone(),
                status_url => format!("{}/{}/status", self.public_url, org.slug),
                organisation_contact => "",
            },
        )?;
        self.enqueue(
            conn,
            Queued {
                org_id: &org.id,
                request_id: Some(&request.id),
                kind: "requester_news",
                recipient: &recipient,
                recipient_role: "requester",
                language: lang,
                rendered,
                dedupe_key: None,
            },
        )?;
        Ok(())
    }

    pub fn staff_assigned(
        &self,
        conn: &mut AnyConnection,
        org: &OrganisationRow,
        request: &RequestRow,
        assignee: &UserRow,
    ) -> Result<(), ServiceError> {
        let lang = self.staff_language;
        let rendered = self.render(
            lang,
            "staff_assigned",
            context! {
                reference => request.reference.clone(),
                kind_label => self.templates.kind_label(lang, request.kind.as_str()),
                due_on => fi_date(request.due_on),
                request_url => self.request_url(request),
                organisation => org.name.clone(),
            },
        )?;
        self.enqueue(
            conn,
            Queued {
                org_id: &org.id,
                request_id: Some(&request.id),
                kind: "staff_assigned",
                recipient: &assignee.email,
                recipient_role: "staff",
                language: lang,
                rendered,
                dedupe_key: None,
            },
        )?;
        Ok(())
    }
}
