//! The printable receipt for a client whose request staff entered: reference, status code,
//! dates and where to follow the request, in the client's language. Made from the code on
//! the page that showed it (sent in the form body, never in an address) and never stored.

use actix_web::{web, HttpRequest, HttpResponse};

use super::fields::checked_form;
use super::signed_in;
use crate::edge::session::Session;
use crate::letters::context::{format_date, letterhead};
use crate::pdf::{self, Block, DocInfo, Frame};
use crate::services::receipt::{self, ReceiptFacts};
use crate::services::{blocking, Context, ServiceError};
use crate::web::error::error_page;
use crate::web::site::site;

/// `POST /desk/requests/{id}/receipt`.
pub async fn print(
    ctx: web::Data<Context>,
    req: HttpRequest,
    path: web::Path<String>,
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
    let code = posted.get("status_code").unwrap_or("").to_string();
    let id = path.into_inner();
    let c = ctx.clone();
    let p = desk.principal.clone();
    let made = blocking(move || {
        let facts = receipt::receipt(&c, &p, &id, &code)?;
        render(&c, &facts)
    })
    .await;
    match made {
        Ok((filename, bytes)) => HttpResponse::Ok()
            .content_type("application/pdf")
            .insert_header((
                "Content-Disposition",
                format!("inline; filename=\"{filename}\""),
            ))
            // It carries the status code: no cache may keep it.
            .insert_header(("Cache-Control", "no-store"))
            .body(bytes),
        Err(e) => error_page(&ctx, &req, e),
    }
}

fn render(ctx: &Context, facts: &ReceiptFacts) -> Result<(String, Vec<u8>), ServiceError> {
    let row = &facts.request;
    let org = &facts.org;
    let lang = row.language;
    let t = site();
    let text = |key: &str| t.text(key, lang);
    let status_url = format!(
        "{}/{}/status",
        ctx.settings.web.public_url.trim_end_matches('/'),
        org.slug
    );
    let kind = t.text(&format!("kind_{}", row.kind.as_str()), lang);
    let received = format_date(row.received_on, lang);
    let blocks = vec![
        Block::Title(text("receipt_title")),
        Block::Paragraph(
            text("receipt_intro")
                .replace("{kind}", &kind)
                .replace("{date}", &received),
        ),
        Block::Facts(vec![
            (text("receipt_reference"), row.reference.clone()),
            (text("receipt_status_code"), facts.status_code.clone()),
            (text("receipt_received"), received.clone()),
            (text("receipt_due"), format_date(row.due_on, lang)),
            (text("receipt_status_address"), status_url),
        ]),
        Block::Heading(text("receipt_follow_heading")),
        Block::Paragraph(text("receipt_follow")),
        Block::Paragraph(text("receipt_keep")),
        Block::Paragraph(text("receipt_due_text")),
    ];
    let head = letterhead(org, ctx.letters.labels(lang));
    let frame = Frame {
        sender: head.sender,
        doc_label: text("receipt_title"),
        date: format_date(ctx.today(), lang),
        reference: row.reference.clone(),
        recipient: Vec::new(),
        footer: head.footer,
    };
    let info = DocInfo {
        title: format!("{} {}", text("receipt_title"), row.reference),
        author: org.name.clone(),
        subject: text("receipt_title"),
        keywords: vec![row.reference.clone()],
        language: lang.as_str().to_string(),
        created: ctx.clock.now(),
    };
    let bytes = pdf::render(&info, &frame, &blocks).map_err(ServiceError::Internal)?;
    Ok((format!("{}-{}.pdf", row.reference, lang.as_str()), bytes))
}
