//! Field errors collected while checking input, reported all at once.

use serde::Serialize;

use super::codes::FieldCode;

/// One problem with one input field. `field` is a dotted path such as
/// `details.items[0].should_say`; `code` is stable and maps to localised messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub code: FieldCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub params: Option<serde_json::Value>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: FieldCode) -> FieldError {
        FieldError {
            field: field.into(),
            code,
            params: None,
        }
    }

    pub fn with_params(mut self, params: serde_json::Value) -> FieldError {
        self.params = Some(params);
        self
    }
}

/// Joins a parent path and a field name: `join("subject", "name")` is `subject.name`.
pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}
