//! Database access: one diesel schema over SQLite and PostgreSQL (`MultiConnection`).
//! Per-backend code (pragmas, upserts, raw SQL) stays inside this module.

pub mod audit;
pub mod blobs;
pub mod documents;
pub mod findings;
pub mod log_writer;
pub mod logs;
pub mod models;
pub mod orgs;
pub mod outbox;
pub mod queues;
pub mod requests;
pub mod schema;
pub mod text_column;

pub use text_column::corrupt_row;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The backend, chosen by the database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    Postgres(String),
    Sqlite(String),
}

impl DbTarget {
    pub fn parse(url: &str) -> Result<DbTarget, String> {
        let url = url.trim();
        if url.is_empty() {
            return Err("is empty".into());
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbTarget::Postgres(url.to_string()));
        }
        let path = match url.strip_prefix("sqlite://") {
            Some(path) => path,
            None => {
                if let Some((scheme, _)) = url.split_once("://") {
                    return Err(format!(
                        "unsupported scheme '{scheme}': use postgres://, postgresql://, sqlite:// or a file path"
                    ));
                }
                url
            }
        };
        if path.is_empty() {
            return Err("sqlite:// needs a file path".into());
        }
        if path.contains(":memory:") || path.starts_with("file::memory") {
            return Err(
                "an in-memory SQLite database would differ per pooled connection; give a file path"
                    .into(),
            );
        }
        Ok(DbTarget::Sqlite(path.to_string()))
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, DbTarget::Postgres(_))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database_url (RIGHTSDESK_DATABASE_URL): cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("database_url (RIGHTSDESK_DATABASE_URL): cannot create the database directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
}

/// Opens connections for the pool: SQLite with WAL and `synchronous=FULL` (a 201 means the
/// request survived a power cut), foreign keys and a busy timeout; PostgreSQL as is.
#[derive(Debug, Clone)]
pub struct Manager {
    target: DbTarget,
}

impl Manager {
    pub fn new(target: DbTarget) -> Manager {
        Manager { target }
    }
}

pub fn establish(target: &DbTarget) -> Result<AnyConnection, DbError> {
    match target {
        DbTarget::Postgres(url) => Ok(AnyConnection::Postgresql(diesel::PgConnection::establish(
            url,
        )?)),
        DbTarget::Sqlite(path) => {
            let mut conn = diesel::SqliteConnection::establish(path)?;
            // busy_timeout first: the other pragmas may already have to wait for a lock.
            conn.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
                 PRAGMA mmap_size = 268435456; PRAGMA wal_autocheckpoint = 20000;",
            )?;
            Ok(AnyConnection::Sqlite(conn))
        }
    }
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = DbError;

    fn connect(&self) -> Result<AnyConnection, DbError> {
        establish(&self.target)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), DbError> {
        conn.batch_execute("SELECT 1").map_err(DbError::from)
    }

    fn has_broken(&self, _conn: &mut AnyConnection) -> bool {
        false
    }
}

/// Creates the SQLite file's directory, builds the pool and applies pending migrations.
pub fn connect(target: &DbTarget, pool_size: u32) -> Result<Pool, DbError> {
    if let DbTarget::Sqlite(path) = target {
        if let Some(dir) = std::path::Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|source| DbError::Directory {
                path: dir.display().to_string(),
                source,
            })?;
        }
    }
    // Surface the real connection error (the pool would only say "timed out").
    let mut first = establish(target)?;
    if let AnyConnection::Sqlite(c) = &mut first {
        // WAL persists in the file; switching needs an exclusive lock, so once, here.
        c.batch_execute("PRAGMA journal_mode = WAL;")?;
    }
    run_migrations(&mut first)?;
    drop(first);
    let pool = r2d2::Pool::builder()
        .max_size(pool_size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        .build(Manager::new(target.clone()))?;
    Ok(pool)
}

/// Checkpoints the SQLite WAL from a thread of its own, so committing writers never stall
/// on a checkpoint (connections only checkpoint themselves as a safety net, at 80 MB of WAL).
/// Stops when `alive` can no longer be upgraded. Does nothing for PostgreSQL.
pub fn spawn_wal_checkpointer(target: &DbTarget, alive: std::sync::Weak<()>) {
    if target.is_postgres() {
        return;
    }
    let target = target.clone();
    let spawned = std::thread::Builder::new()
        .name("wal-checkpointer".into())
        .spawn(move || {
            let mut conn = match establish(&target) {
                Ok(c) => c,
                Err(e) => return tracing::error!(error = %e, "WAL checkpointer cannot connect"),
            };
            while alive.upgrade().is_some() {
                std::thread::sleep(Duration::from_millis(250));
                if let Err(e) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the WAL checkpointer");
    }
}

pub fn run_migrations(conn: &mut AnyConnection) -> Result<(), DbError> {
    let result = match conn {
        AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
        AnyConnection::Postgresql(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|_| ()),
    };
    result.map_err(|e| DbError::Migration(e.to_string()))
}

pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Current time truncated to microseconds, which both backends store exactly.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}

pub mod settings_table {
    use super::schema::settings;
    use super::AnyConnection;
    use diesel::prelude::*;

    pub fn get(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<String>> {
        settings::table
            .find(key)
            .select(settings::value)
            .first(conn)
            .optional()
    }

    /// Stores `value` unless the key exists; returns what is stored (first writer wins).
    pub fn get_or_insert(conn: &mut AnyConnection, key: &str, value: &str) -> QueryResult<String> {
        if let Some(existing) = get(conn, key)? {
            return Ok(existing);
        }
        let inserted = diesel::insert_into(settings::table)
            .values((settings::key.eq(key), settings::value.eq(value)))
            .execute(conn);
        match inserted {
            Ok(_) => Ok(value.to_string()),
            Err(e) if super::is_unique_violation(&e) => {
                get(conn, key).map(Option::unwrap_or_default)
            }
            Err(e) => Err(e),
        }
    }
}
