//! Reading a multipart upload: a few small text parts and one file, streamed to a temporary
//! file that disappears with its handle. The API and the desk answer the errors differently,
//! but read the body the same way and with the same caps.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};

use actix_multipart::Multipart;

/// A text part is a field or a small JSON document, never content.
const TEXT_PART_MAX: usize = 64 * 1024;
/// More text parts than any of our forms has means the body is not one of our forms.
const TEXT_PARTS_MAX: usize = 32;

/// The file part, already on disk and rewound.
pub struct UploadedFile {
    pub filename: String,
    pub media_type: String,
    pub content: File,
    pub size: u64,
}

/// The text parts by name, in the order sent, and the file if one came.
#[derive(Default)]
pub struct Upload {
    pub texts: Vec<(String, String)>,
    pub file: Option<UploadedFile>,
}

impl Upload {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
pub enum UploadError {
    /// The body is not readable multipart; the parser's words.
    Malformed(String),
    /// A text part (named) is over [`TEXT_PART_MAX`] or not UTF-8.
    TextTooLarge(String),
    TooManyParts,
    /// The file is over the limit given.
    FileTooLarge,
    /// A part whose name the caller does not expect.
    UnknownPart(String),
    /// The temporary file could not be written.
    Io(std::io::Error),
}

/// Reads every part: those named in `text_parts` as text, the one named `file_part` to a
/// temporary file of at most `file_limit` bytes. Browsers send an empty file part when no
/// file was chosen; that counts as no file.
pub async fn read(
    form: &mut Multipart,
    text_parts: &[&str],
    file_part: &str,
    file_limit: u64,
) -> Result<Upload, UploadError> {
    let mut upload = Upload::default();
    while let Some(field) = next(form).await {
        let mut field = field.map_err(|e| UploadError::Malformed(e.to_string()))?;
        let name = field.name().unwrap_or_default().to_string();
        if name == file_part {
            let filename = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .unwrap_or_default()
                .to_string();
            let media_type = field
                .content_type()
                .map(|m| m.essence_str().to_string())
                .unwrap_or_else(|| "application/octet-stream".into());
            let mut content = temp_file().map_err(UploadError::Io)?;
            let mut size: u64 = 0;
            while let Some(chunk) = next(&mut field).await {
                let chunk = chunk.map_err(|e| UploadError::Malformed(e.to_string()))?;
                size += chunk.len() as u64;
                if size > file_limit {
                    return Err(UploadError::FileTooLarge);
                }
                content.write_all(&chunk).map_err(UploadError::Io)?;
            }
            content.seek(SeekFrom::Start(0)).map_err(UploadError::Io)?;
            if size > 0 || !filename.is_empty() {
                upload.file = Some(UploadedFile {
                    filename,
                    media_type,
                    content,
                    size,
                });
            }
        } else if text_parts.contains(&name.as_str()) {
            if upload.texts.len() >= TEXT_PARTS_MAX {
                return Err(UploadError::TooManyParts);
            }
            let mut buf = Vec::new();
            while let Some(chunk) = next(&mut field).await {
                let chunk = chunk.map_err(|e| UploadError::Malformed(e.to_string()))?;
                if buf.len() + chunk.len() > TEXT_PART_MAX {
                    return Err(UploadError::TextTooLarge(name));
                }
                buf.extend_from_slice(&chunk);
            }
            let text =
                String::from_utf8(buf).map_err(|_| UploadError::TextTooLarge(name.clone()))?;
            upload.texts.push((name, text));
        } else {
            return Err(UploadError::UnknownPart(name));
        }
    }
    Ok(upload)
}

/// A file with no name on disk: unlinked at once, so nothing is left behind if the process dies.
fn temp_file() -> std::io::Result<File> {
    let path = std::env::temp_dir().join(format!("rightsdesk-upload-{}", uuid::Uuid::new_v4()));
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    let _ = std::fs::remove_file(&path);
    Ok(f)
}

/// Just enough of `StreamExt::next` for the multipart streams, without another dependency.
async fn next<S: futures_core::Stream + Unpin>(s: &mut S) -> Option<S::Item> {
    use std::future::poll_fn;
    use std::pin::Pin;
    poll_fn(|cx| Pin::new(&mut *s).poll_next(cx)).await
}
