//! The domain's closed vocabularies as TEXT columns: a row holds a `RequestKind`, never a
//! string every caller re-parses. A value outside the vocabulary fails the read with the
//! value named; the query that read it adds which row (see [`corrupt_row`]).
//!
//! The impls live here, not in `domain/`, so the domain stays free of diesel; diesel's
//! `foreign_derive` generates the expression impls for a type defined elsewhere.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

/// A type stored as TEXT: written with `as_str`, read back with `$read` (text to
/// `Result<Self, String>`).
macro_rules! text_column {
    ($ty:ident, $read:expr) => {
        const _: () = {
            #[derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
            #[diesel(foreign_derive)]
            #[diesel(sql_type = Text)]
            #[allow(dead_code)]
            struct Column($ty);
        };

        impl<DB: Backend> ToSql<Text, DB> for $ty
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $ty
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let read: fn(String) -> Result<$ty, String> = $read;
                Ok(read(String::from_sql(bytes)?)?)
            }
        }
    };
}

/// A closed vocabulary: a value outside it is an error naming the value.
macro_rules! vocabulary_columns {
    ($($ty:ident),+ $(,)?) => {$(
        text_column!($ty, |text| {
            $ty::parse(&text).ok_or_else(|| {
                format!("unknown {} '{}' stored", stringify!($ty), text.escape_debug())
            })
        });
    )+};
}

/// Ids: TEXT holding a UUID, read back into their own type.
macro_rules! id_columns {
    ($($ty:ident),+ $(,)?) => {$(
        text_column!($ty, |text| Ok($ty::from(text)));
    )+};
}

use crate::domain::enums::{
    Awaiting, Channel, ContactChannel, ItemDecision, Language, Outcome, RequestKind, RequestState,
    Role,
};
use crate::domain::ids::{OrgId, RequestId, UserId};

vocabulary_columns!(
    RequestKind,
    RequestState,
    Language,
    Channel,
    ContactChannel,
    Role,
    Outcome,
    Awaiting,
    ItemDecision,
);

id_columns!(RequestId, OrgId, UserId);

/// Names the row when a stored value cannot be read, e.g. "request 0192…: unknown
/// RequestKind 'acces' stored", so a corrupt value is found, not defaulted.
pub fn corrupt_row(
    what: &str,
    id: &str,
) -> impl FnOnce(diesel::result::Error) -> diesel::result::Error {
    let context = format!("{what} {id}");
    move |e| match e {
        diesel::result::Error::DeserializationError(inner) => {
            // diesel wraps the value's error in one naming the column: keep both.
            let mut text = format!("{context}: {inner}");
            let mut source = inner.source();
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            diesel::result::Error::DeserializationError(text.into())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use diesel::dsl::sql;
    use diesel::prelude::*;

    use super::*;
    use crate::db::AnyConnection;

    fn conn() -> AnyConnection {
        AnyConnection::Sqlite(diesel::SqliteConnection::establish(":memory:").unwrap())
    }

    #[test]
    fn every_variant_reads_back_as_itself() {
        let mut conn = conn();
        for kind in RequestKind::ALL {
            let read: RequestKind = diesel::select(kind.into_sql::<Text>())
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(read, *kind);
        }
        let id = RequestId::generate();
        let read: RequestId = diesel::select(id.clone().into_sql::<Text>())
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(read, id);
    }

    #[test]
    fn an_unknown_value_is_an_error_naming_it_and_the_row() {
        let mut conn = conn();
        let err = diesel::select(sql::<Text>("'acces'"))
            .get_result::<RequestKind>(&mut conn)
            .map_err(corrupt_row("request", "0192-x"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("request 0192-x"), "{err}");
        assert!(err.contains("unknown RequestKind 'acces'"), "{err}");
        let missing: Option<Awaiting> =
            diesel::select(sql::<diesel::sql_types::Nullable<Text>>("NULL"))
                .get_result(&mut conn)
                .unwrap();
        assert_eq!(missing, None);
    }
}
