//! Stored files leave the service the same way to staff and to requesters: streamed chunk
//! by chunk from a blocking task, so a large bundle never sits in memory.

use actix_web::{web, HttpResponse};
use futures_core::Stream;

use crate::db::blobs;
use crate::services::Context;

/// The blob as an attachment download, with its SHA-256 in `X-Content-SHA256`.
pub fn file_response(
    ctx: web::Data<Context>,
    blob_id: String,
    filename: &str,
    media_type: &str,
    sha256: &str,
    size: i64,
) -> HttpResponse {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(2);
    tokio::task::spawn_blocking(move || {
        let mut conn = match ctx.conn() {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
                return;
            }
        };
        let count = blobs::chunk_count(&mut conn, &blob_id).unwrap_or(0) as i32;
        for seq in 0..count {
            let item = blobs::chunk(&mut conn, &blob_id, seq)
                .map(web::Bytes::from)
                .map_err(std::io::Error::other);
            if tx.blocking_send(item).is_err() {
                return;
            }
        }
    });
    HttpResponse::Ok()
        .content_type(media_type.to_string())
        .insert_header(("Content-Length", size.to_string()))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{}\"", ascii_filename(filename)),
        ))
        .insert_header(("X-Content-SHA256", sha256.to_string()))
        .insert_header(("Cache-Control", "no-store"))
        .streaming(ReceiverStream(rx))
}

/// The name in a quoted `filename=`: anything but letters, digits and `.-_` becomes `_`.
fn ascii_filename(filename: &str) -> String {
    filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

struct ReceiverStream<T>(tokio::sync::mpsc::Receiver<T>);

impl<T> Stream for ReceiverStream<T> {
    type Item = T;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_are_quoted_safely() {
        assert_eq!(ascii_filename("päätös 2026.pdf"), "p__t_s_2026.pdf");
        assert_eq!(ascii_filename("a\"b;c.zip"), "a_b_c.zip");
    }
}
