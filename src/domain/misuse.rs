//! The finding of a misuse investigation (selvityspyyntö) that a log-data request asked for
//! (Act 703/2023 § 11): what staff concluded, stated in the answer to the client.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MisuseFinding {
    /// Whether the investigation found that the client's data was used without a basis.
    pub misuse_found: bool,
    /// What was found and done, in words the client reads.
    pub finding: String,
    /// The day the investigation was concluded.
    pub on: NaiveDate,
}
