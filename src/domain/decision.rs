//! What is stored about a request's identity check and its decision.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::enums::{IdentityMethod, Outcome};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IdentityVerification {
    pub method: IdentityMethod,
    pub verified_by: String,
    pub verified_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub outcome: Outcome,
    pub grounds: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    pub decided_by: String,
    pub decided_on: NaiveDate,
}
