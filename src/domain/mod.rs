//! Pure rules: no actix, diesel, lettre or printpdf here.

pub mod access_log;
pub mod appeal;
pub mod authorities;
pub mod calendar;
pub mod clock;
pub mod codes;
pub mod deadline;
pub mod decision;
pub mod details;
pub mod enums;
pub mod forms;
pub mod grounds;
pub mod ids;
pub mod log_grouping;
pub mod misuse;
pub mod new_request;
pub mod outcome;
pub mod personal_id;
pub mod retention;
pub mod search;
pub mod slugs;
pub mod subject;
pub mod texts;
pub mod validation;
pub mod workflow;

/// A string-backed enum stored as TEXT with a CHECK constraint and sent as snake_case JSON.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;
