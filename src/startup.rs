//! Building the context and the server.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpServer};

use crate::config::Settings;
use crate::db::{self, Pool};
use crate::mail::Mailer;
use crate::services::auth::{token_secret, LoginGuard, TokenKeys};
use crate::services::notify::Notifier;
use crate::services::writer::SubmissionWriter;
use crate::services::{Clock, Context, Rules, ServiceError, SystemClock};

/// Connects, migrates and loads the rules; a bad setting stops here with its name.
pub fn build_context(settings: Settings) -> anyhow::Result<Context> {
    build_context_with_clock(settings, Arc::new(SystemClock))
}

pub fn build_context_with_clock(
    settings: Settings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Context> {
    let rules = Rules::load(&settings)?;
    let target = settings.db_target();
    let pool: Pool = db::connect(&target, settings.database.pool_size)?;
    let secret = {
        let mut conn = pool.get()?;
        token_secret(&mut conn, settings.auth.token_secret.as_ref()).map_err(|e| match e {
            ServiceError::Internal(e) => e,
            other => anyhow::anyhow!("{other}"),
        })?
    };
    let (signing_key, log_keyer) = {
        let mut conn = pool.get()?;
        (signing_key(&mut conn)?, log_keyer(&mut conn)?)
    };
    let tokens = TokenKeys::new(
        &secret,
        Duration::from_secs(u64::from(settings.auth.token_ttl_minutes) * 60),
    );
    let login_guard = LoginGuard::new(
        settings.auth.login_max_failures,
        Duration::from_secs(u64::from(settings.auth.login_lockout_minutes) * 60),
    );
    let notifier = Arc::new(Notifier::new(&settings, clock.clone())?);
    let mailer = Mailer::from_settings(&settings.mail)?;
    let writer = SubmissionWriter::start(
        target,
        settings.database.group_commit_max_batch,
        rules.calendar.clone(),
        notifier.clone(),
    );
    let limits = crate::ratelimit::Limits::from_settings(&settings);
    let ctx = Context {
        pool,
        limits,
        eid: Default::default(),
        settings,
        rules,
        clock,
        tokens,
        login_guard,
        writer,
        notifier,
        mailer,
        letters: crate::letters::Letters::embedded()?,
        signing_key,
        log_keyer,
    };
    // Requests stored before the desk's search index existed become findable once.
    let indexed = crate::services::desk::backfill_search_index(&ctx)
        .map_err(|e| anyhow::anyhow!("filling the search index: {e}"))?;
    if indexed > 0 {
        tracing::info!(
            requests = indexed,
            "search index filled for earlier requests"
        );
    }
    Ok(ctx)
}

/// A bound server; tests bind port 0 and read the port back.
pub struct Application {
    pub port: u16,
    pub server: Server,
}

impl Application {
    pub fn bind(ctx: Arc<Context>, listener: TcpListener) -> anyhow::Result<Application> {
        let port = listener.local_addr()?.port();
        let data = web::Data::from(ctx);
        let server = HttpServer::new(move || {
            let app = crate::http::build_app(App::new().app_data(data.clone()));
            crate::web::mount(app)
                .default_service(web::to(crate::http::not_found))
                .wrap(
                    middleware::DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add((
                            "Content-Security-Policy",
                            crate::web::CONTENT_SECURITY_POLICY,
                        ))
                        .add(("X-Frame-Options", "DENY"))
                        .add((
                            "Permissions-Policy",
                            "camera=(), microphone=(), geolocation=()",
                        ))
                        .add(("Referrer-Policy", "no-referrer"))
                        .add(("Cache-Control", "no-store")),
                )
                .wrap(middleware::from_fn(crate::http::error::localise))
                .wrap(crate::telemetry::RequestLog)
        })
        .listen(listener)?
        .shutdown_timeout(10)
        .run();
        Ok(Application { port, server })
    }
}

/// The Ed25519 key that signs export bundles: generated on first start and kept in the
/// database, so every instance signs with the same key and `GET /api/v1/keys` stays stable.
fn signing_key(conn: &mut db::AnyConnection) -> anyhow::Result<crate::bundle::SigningKey> {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let (_, fresh) = crate::bundle::SigningKey::generate()?;
    let stored =
        db::settings_table::get_or_insert(conn, "bundle_signing_key", &engine.encode(fresh))?;
    crate::bundle::SigningKey::from_pkcs8(&engine.decode(stored)?)
}

/// The HMAC key of access-log subject keys: generated once and kept in the database; losing
/// it makes stored events unfindable, so it is never rotated silently.
fn log_keyer(conn: &mut db::AnyConnection) -> anyhow::Result<crate::services::logs::SubjectKeyer> {
    use base64::Engine as _;
    let engine = base64::engine::general_purpose::STANDARD;
    let fresh = engine.encode(rand::random::<[u8; 32]>());
    let stored = db::settings_table::get_or_insert(conn, "log_subject_key", &fresh)?;
    Ok(crate::services::logs::SubjectKeyer::new(
        &engine.decode(stored)?,
    ))
}
