//! Access-log events as client systems send them (NDJSON lines, a JSON array, or CSV with
//! the same column names), checked one by one: a bad line is rejected with its line number
//! and reason, never the whole file.

use std::io::BufRead;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::personal_id::PersonalId;

const MAX_FIELD: usize = 300;

/// One valid event. `subject_id` is the normalised identity code; it is hashed on arrival
/// and never stored.
#[derive(Clone, PartialEq)]
pub struct RawEvent {
    pub line: u64,
    pub event_id: String,
    pub occurred_at: DateTime<Utc>,
    pub subject_id: String,
    pub user_name: String,
    pub user_title: String,
    pub unit: String,
    pub action: String,
    pub basis: String,
    pub recipient: Option<String>,
    pub source: Option<String>,
    pub register: Option<String>,
}

impl std::fmt::Debug for RawEvent {
    // The identity code and the user's name stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawEvent")
            .field("line", &self.line)
            .field("event_id", &self.event_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct LineError {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ndjson,
    Csv,
}

fn reject(line: u64, reason: impl Into<String>) -> LineError {
    LineError {
        line,
        reason: reason.into(),
    }
}

/// Builds an event from named fields; `get` returns a field's text if present.
fn from_fields<'a>(
    line: u64,
    get: impl Fn(&str) -> Option<&'a str>,
) -> Result<RawEvent, LineError> {
    let field = |name: &str| -> Result<Option<String>, LineError> {
        match get(name).map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(v) if v.chars().count() > MAX_FIELD => Err(reject(
                line,
                format!("{name} is longer than {MAX_FIELD} characters"),
            )),
            Some(v) => Ok(Some(v.to_string())),
        }
    };
    let required = |name: &str| -> Result<String, LineError> {
        field(name)?.ok_or_else(|| reject(line, format!("{name} is missing")))
    };
    let event_id = required("event_id")?;
    let occurred_raw = required("occurred_at")?;
    let occurred_at = DateTime::parse_from_rfc3339(&occurred_raw)
        .map_err(|_| reject(line, "occurred_at is not an RFC 3339 time"))?
        .with_timezone(&Utc);
    let subject_id = PersonalId::parse(&required("subject_id")?)
        .map_err(|e| {
            reject(
                line,
                format!("subject_id is not a valid identity code ({})", e.code()),
            )
        })?
        .as_str()
        .to_string();
    Ok(RawEvent {
        line,
        event_id,
        occurred_at,
        subject_id,
        user_name: required("user_name")?,
        user_title: required("user_title")?,
        unit: required("unit")?,
        action: required("action")?.to_lowercase(),
        basis: required("basis")?,
        recipient: field("recipient")?,
        source: field("source")?,
        register: field("register")?,
    })
}

fn from_json(line: u64, value: &Value) -> Result<RawEvent, LineError> {
    let Some(obj) = value.as_object() else {
        return Err(reject(line, "not a JSON object"));
    };
    from_fields(line, |name| obj.get(name).and_then(Value::as_str))
}

/// One NDJSON line, borrowed from the input: no map of owned values per line, which made
/// parsing the largest cost of an import.
#[derive(serde::Deserialize)]
struct JsonLine<'a> {
    #[serde(borrow, default)]
    event_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    occurred_at: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    subject_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    user_name: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    user_title: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    unit: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    action: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    basis: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    recipient: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    source: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default)]
    register: Option<std::borrow::Cow<'a, str>>,
}

/// Parses one NDJSON line.
pub fn parse_json_line(line: u64, text: &str) -> Result<RawEvent, LineError> {
    let parsed: JsonLine<'_> = match serde_json::from_str(text) {
        Ok(p) => p,
        // Tell "not JSON" from "JSON of the wrong shape" for whoever fixes the file.
        Err(_) => {
            return Err(match serde_json::from_str::<Value>(text) {
                // serde's message would quote the value, which may be an identity code.
                Ok(Value::Object(_)) => {
                    reject(line, "a field is not text (every field is a string)")
                }
                Ok(_) => reject(line, "not a JSON object"),
                Err(e) => reject(line, format!("not JSON: {e}")),
            });
        }
    };
    from_fields(line, |name| match name {
        "event_id" => parsed.event_id.as_deref(),
        "occurred_at" => parsed.occurred_at.as_deref(),
        "subject_id" => parsed.subject_id.as_deref(),
        "user_name" => parsed.user_name.as_deref(),
        "user_title" => parsed.user_title.as_deref(),
        "unit" => parsed.unit.as_deref(),
        "action" => parsed.action.as_deref(),
        "basis" => parsed.basis.as_deref(),
        "recipient" => parsed.recipient.as_deref(),
        "source" => parsed.source.as_deref(),
        "register" => parsed.register.as_deref(),
        _ => None,
    })
}

/// Reads NDJSON or CSV, yielding each event or the reason its line was rejected.
pub fn read_events<R: BufRead + 'static>(
    input: R,
    format: Format,
) -> Box<dyn Iterator<Item = Result<RawEvent, LineError>>> {
    match format {
        Format::Ndjson => Box::new(input.lines().enumerate().filter_map(|(i, line)| {
            let n = i as u64 + 1;
            match line {
                Err(e) => Some(Err(reject(n, format!("unreadable: {e}")))),
                Ok(l) if l.trim().is_empty() => None,
                Ok(l) => Some(parse_json_line(n, &l)),
            }
        })),
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
            let headers = match reader.headers() {
                Ok(h) => h.clone(),
                Err(e) => {
                    return Box::new(std::iter::once(Err(reject(
                        1,
                        format!("no header row: {e}"),
                    ))))
                }
            };
            Box::new(reader.into_records().enumerate().map(move |(i, rec)| {
                let n = i as u64 + 2; // the header is line 1
                let rec = rec.map_err(|e| reject(n, format!("not CSV: {e}")))?;
                from_fields(n, |name| {
                    headers
                        .iter()
                        .position(|h| h.trim() == name)
                        .and_then(|p| rec.get(p))
                })
            }))
        }
    }
}

/// A request body: NDJSON, or one JSON array of event objects.
pub fn read_body(body: &[u8]) -> Vec<Result<RawEvent, LineError>> {
    let trimmed = body.iter().position(|b| !b.is_ascii_whitespace());
    if trimmed.is_some_and(|p| body[p] == b'[') {
        return match serde_json::from_slice::<Vec<Value>>(body) {
            Ok(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| from_json(i as u64 + 1, v))
                .collect(),
            Err(e) => vec![Err(reject(1, format!("not a JSON array: {e}")))],
        };
    }
    read_events(std::io::Cursor::new(body.to_vec()), Format::Ndjson).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"event_id":"e1","occurred_at":"2025-03-04T09:15:22+02:00","subject_id":"131052-308T","user_name":"Matti Esimerkki","user_title":"sosiaaliohjaaja","unit":"Aikuissosiaalityö","action":"VIEW","basis":"asiakkuus"}"#;

    #[test]
    fn ndjson_lines_are_checked_one_by_one() {
        let text = format!(
            "{GOOD}\n\nnot json\n{}\n{}\n",
            GOOD.replace("131052-308T", "131052-308A"),
            GOOD.replace("2025-03-04T09:15:22+02:00", "yesterday")
        );
        let out: Vec<_> = read_events(std::io::Cursor::new(text), Format::Ndjson).collect();
        assert_eq!(out.len(), 4);
        let e = out[0].as_ref().unwrap();
        assert_eq!(e.action, "view");
        assert_eq!(e.occurred_at.to_rfc3339(), "2025-03-04T07:15:22+00:00");
        assert_eq!(out[1].as_ref().unwrap_err().line, 3);
        assert!(out[2]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("identity code"));
        assert_eq!(out[3].as_ref().unwrap_err().line, 5);
    }

    #[test]
    fn csv_uses_the_same_names_and_counts_the_header_as_line_one() {
        let text = "event_id,occurred_at,subject_id,user_name,user_title,unit,action,basis,recipient\n\
                    e1,2025-03-04T09:15:22+02:00,131052-308T,Matti,ohjaaja,Yksikkö,disclose,virka-apu,Poliisi\n\
                    e2,2025-03-04T09:15:22+02:00,131052-308T,,ohjaaja,Yksikkö,view,asiakkuus,\n";
        let out: Vec<_> = read_events(std::io::Cursor::new(text), Format::Csv).collect();
        assert_eq!(
            out[0].as_ref().unwrap().recipient.as_deref(),
            Some("Poliisi")
        );
        let err = out[1].as_ref().unwrap_err();
        assert_eq!((err.line, err.reason.as_str()), (3, "user_name is missing"));
    }

    #[test]
    fn a_json_array_body_is_accepted() {
        let body = format!("[{GOOD}, 5]");
        let out = read_body(body.as_bytes());
        assert!(out[0].is_ok());
        assert_eq!(out[1].as_ref().unwrap_err().reason, "not a JSON object");
        assert!(!format!("{:?}", out[0]).contains("131052"));
    }
}
