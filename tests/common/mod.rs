//! A running service on a fresh database per test: SQLite by default, PostgreSQL when
//! RIGHTSDESK_TEST_DATABASE_URL points at a server (each test gets its own database).

#![allow(dead_code)]

pub mod smtp;
pub mod visitor;

use std::net::TcpListener;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use reqwest::StatusCode;
use serde_json::{json, Value};

use rightsdesk::config::Settings;
use rightsdesk::domain::enums::Role;
use rightsdesk::services::admin::{self, NewOrganisation, RegisterInput, UserInput};
use rightsdesk::services::{Context, ManualClock};
use rightsdesk::startup::{build_context_with_clock, Application};

pub const PASSWORD: &str = "a long test password";

pub struct TestDb {
    pub url: String,
    admin_url: Option<(String, String)>,
    _dir: Option<tempdir::TempDir>,
}

mod tempdir {
    pub struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl TestDb {
    pub fn new() -> TestDb {
        let name = format!("rd_test_{}", uuid::Uuid::new_v4().simple());
        match std::env::var("RIGHTSDESK_TEST_DATABASE_URL") {
            Ok(base) if !base.is_empty() => {
                let mut conn = diesel::PgConnection::establish(&base)
                    .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL: {e}"));
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                let (prefix, _) = base.rsplit_once('/').expect("database URL ends in /dbname");
                // Plain TCP to the local test server. A test binary exits while the servers
                // and pools of finished tests still wind down on their own threads; over TLS
                // those threads were inside OpenSSL when its exit-time cleanup freed it, and
                // the binary aborted after passing ("double free or corruption").
                TestDb {
                    url: format!("{prefix}/{name}?sslmode=disable&gssencmode=disable"),
                    admin_url: Some((base, name)),
                    _dir: None,
                }
            }
            _ => {
                let dir = std::env::temp_dir().join(name);
                std::fs::create_dir_all(&dir).unwrap();
                TestDb {
                    url: format!("sqlite://{}/rightsdesk.db", dir.display()),
                    admin_url: None,
                    _dir: Some(tempdir::TempDir(dir)),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.admin_url.is_some()
    }

    /// Raw SQL, for tests that play an attacker with database access.
    pub fn execute(&self, sql: &str) {
        match &self.admin_url {
            Some(_) => diesel::PgConnection::establish(&self.url)
                .unwrap()
                .batch_execute(sql)
                .unwrap(),
            None => {
                let path = self.url.strip_prefix("sqlite://").unwrap();
                diesel::SqliteConnection::establish(path)
                    .unwrap()
                    .batch_execute(sql)
                    .unwrap()
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, name)) = &self.admin_url {
            if let Ok(mut c) = diesel::PgConnection::establish(base) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub struct Org {
    pub slug: String,
    pub staff_id: String,
    pub staff: String,
    pub staff2: String,
    pub dpo: String,
    pub admin: String,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub ctx: Arc<Context>,
    pub clock: Arc<ManualClock>,
    pub db: TestDb,
    pub org: Org,
}

/// Noon in Helsinki on the given day.
pub fn helsinki_noon(d: &str) -> DateTime<Utc> {
    let date: NaiveDate = d.parse().unwrap();
    chrono_tz::Europe::Helsinki
        .from_local_datetime(&date.and_hms_opt(12, 0, 0).unwrap())
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

impl TestApp {
    /// A service whose clock reads noon on 2026-11-16 (a Monday) until moved.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let db = TestDb::new();
        let mut settings = Settings::default();
        settings.database.database_url = db.url.clone();
        settings.auth.token_secret = Some(
            "test-secret-test-secret-test-secret-0123"
                .to_string()
                .into(),
        );
        settings.database.pool_size = 4;
        settings.auth.login_max_failures = 3;
        // Tests submit from one address; the limits have tests of their own.
        settings.web.submit_limit = 1_000_000;
        settings.web.token_guess_limit = 1_000_000;
        adjust(&mut settings);
        let clock = Arc::new(ManualClock::new(helsinki_noon("2026-11-16")));
        let ctx = Arc::new(build_context_with_clock(settings, clock.clone()).expect("context"));
        let org = provision(&ctx, "satama", "SAT");
        provision(&ctx, "muu-kunta", "MUU");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let app = Application::bind(ctx.clone(), listener).unwrap();
        let base = format!("http://127.0.0.1:{}", app.port);
        actix_web::rt::spawn(app.server);
        let client = reqwest::Client::new();
        let mut t = TestApp {
            base,
            client,
            ctx,
            clock,
            db,
            org,
        };
        t.org.staff = t.login(&format!("staff@{}.example", t.org.slug)).await;
        t.org.staff2 = t.login(&format!("staff2@{}.example", t.org.slug)).await;
        t.org.dpo = t.login(&format!("dpo@{}.example", t.org.slug)).await;
        t.org.admin = t.login(&format!("admin@{}.example", t.org.slug)).await;
        t
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        use rightsdesk::services::Clock;
        self.clock.now()
    }

    pub fn set_today(&self, d: &str) {
        self.clock.set(helsinki_noon(d));
    }

    pub async fn login(&self, email: &str) -> String {
        let (status, body) = self
            .post(
                "/api/v1/auth/token",
                None,
                json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_string()
    }

    pub async fn send(
        &self,
        req: reqwest::RequestBuilder,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send(self.client.get(format!("{}{path}", self.base)), token)
            .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(
            self.client.post(format!("{}{path}", self.base)).json(&body),
            token,
        )
        .await
    }

    /// A valid public access request; `patch` adjusts it.
    pub async fn submit_public(&self, patch: impl FnOnce(&mut Value)) -> (StatusCode, Value) {
        let mut body = json!({
            "organisation": self.org.slug,
            "kind": "access",
            "language": "fi",
            "subject": { "name": "Maija Meikäläinen", "personal_id": "131052-308T",
                         "email": "maija@example.fi", "contact_channel": "email" },
            "details": { "scope": "whole_record", "form": "electronic" }
        });
        patch(&mut body);
        self.post("/api/v1/requests", None, body).await
    }

    /// A staff-entered request received on `received_on`; returns its id.
    pub async fn submit_staff(&self, kind: &str, received_on: &str, details: Value) -> Value {
        let (status, body) = self
            .post(
                "/api/v1/requests",
                Some(&self.org.staff),
                json!({
                    "kind": kind, "language": "sv", "channel": "letter", "received_on": received_on,
                    "subject": { "name": "Anna Exempel", "personal_id": "010594Y9032", "contact_channel": "pick_up" },
                    "details": details
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    pub async fn act(&self, id: &str, action: Value) -> (StatusCode, Value) {
        self.post(
            &format!("/api/v1/requests/{id}/actions"),
            Some(&self.org.staff),
            action,
        )
        .await
    }

    pub async fn act_ok(&self, id: &str, action: Value) -> Value {
        let (status, body) = self.act(id, action.clone()).await;
        assert_eq!(status, StatusCode::OK, "{action} -> {body}");
        body
    }

    /// Completing as fulfilled is refused while something is withheld on `ground`.
    pub async fn assert_completion_needs_partial(&self, id: &str, ground: &str) {
        let (s, b) = self
            .act(id, json!({ "action": "complete", "outcome": "fulfilled" }))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(b["errors"][0]["code"], "withheld_needs_partial", "{b}");
        let message = b["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(ground), "{b}");
    }

    /// The id of the test organisation.
    pub fn org_id(&self) -> String {
        let mut conn = self.ctx.pool.get().unwrap();
        rightsdesk::db::orgs::find_organisation_by_slug(&mut conn, &self.org.slug)
            .unwrap()
            .unwrap()
            .id
            .into_string()
    }
}

fn provision(ctx: &Context, slug: &str, prefix: &str) -> Org {
    let mut conn = ctx.pool.get().unwrap();
    let org = admin::create_organisation(
        &mut conn,
        NewOrganisation {
            slug: slug.into(),
            name: format!("{slug} ry"),
            business_id: Some("1572860-0".into()),
            reference_prefix: Some(prefix.into()),
            profile: admin::OrganisationProfile {
                postal_address: Some("Satamakatu 1, 00100 Helsinki".into()),
                email: Some(format!("tietosuoja@{slug}.example")),
                phone: Some("09 123 4567".into()),
                public_authority: slug == "muu-kunta",
                authority_contact: None,
                oidc: None,
                appeal: None,
                default_language: Default::default(),
            },
        },
    )
    .unwrap();
    for (s, n) in [
        ("turvakoti", "Turvakodin asiakasrekisteri"),
        ("avopalvelut", "Avopalvelut"),
    ] {
        admin::create_register(
            &mut conn,
            &org.id,
            None,
            RegisterInput {
                slug: s.into(),
                name: n.into(),
                description: None,
                info: admin::RegisterInfo {
                    purposes: Some(format!("{n}: palvelun järjestäminen")),
                    retention: Some("Laki 703/2023, liite".into()),
                    ..Default::default()
                },
            },
        )
        .unwrap();
    }
    let mut staff_id = String::new();
    for (who, role) in [
        ("staff", Role::Staff),
        ("staff2", Role::Staff),
        ("dpo", Role::Dpo),
        ("admin", Role::Admin),
    ] {
        let u = admin::create_user(
            &mut conn,
            &org.id,
            None,
            UserInput {
                email: format!("{who}@{slug}.example"),
                name: format!("{who} of {slug}"),
                title: Some("sosiaalityöntekijä".into()),
                role,
                password: PASSWORD.into(),
            },
        )
        .unwrap();
        if who == "staff" {
            staff_id = u.id.into_string();
        }
    }
    Org {
        slug: slug.into(),
        staff_id,
        staff: String::new(),
        staff2: String::new(),
        dpo: String::new(),
        admin: String::new(),
    }
}

/// The codes of a problem document's field errors, as (field, code).
pub fn field_errors(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap().to_string(),
                        e["code"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
