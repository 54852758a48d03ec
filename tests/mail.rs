//! Mail and the deadline watch: a real SMTP conversation over TCP, outages, several workers,
//! and a simulated stretch of months on the injected clock.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::smtp::{Mode, SmtpServer};
use common::TestApp;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;

use rightsdesk::config::Settings;
use rightsdesk::db::schema::{outbox, outbox_attempts};
use rightsdesk::jobs;

/// SMTP to the test server; the DPO digest waits until 23:00 so it stays out of the way.
fn with_smtp(url: String) -> impl FnOnce(&mut Settings) {
    move |s| {
        s.mail.smtp_url = Some(url.into());
        s.jobs.digest_hour = 23;
    }
}

fn count_attempts(app: &TestApp) -> i64 {
    let mut conn = app.ctx.pool.get().unwrap();
    outbox_attempts::table
        .count()
        .get_result(&mut conn)
        .unwrap()
}

#[actix_web::test]
async fn the_requester_hears_only_that_there_is_news() {
    let server = SmtpServer::start();
    let app = TestApp::spawn_with(with_smtp(server.url())).await;
    let (status, created) = app
        .submit_public(|b| {
            b["subject"]["address_protected"] = json!(true);
            b["subject"]["postal_address"] = json!("Salainen tie 1, 00100 Helsinki");
        })
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let reference = created["reference"].as_str().unwrap();
    let report = jobs::run_once(app.ctx.clone(), "w1").await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let mails = server.wait_for(1, Duration::from_secs(5));
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, ["maija@example.fi"]);
    let subject = mail.header("Subject").unwrap();
    assert!(subject.contains(reference), "{subject}");
    let text = mail.text_body();
    assert!(text.contains(reference));
    assert!(text.contains("/satama/status"), "{text}");
    for secret in ["Maija", "Meikäläinen", "131052", "Salainen", "maija@"] {
        assert!(
            !text.contains(secret) && !subject.contains(secret),
            "{secret} leaked: {text}"
        );
    }
    assert!(mail.html_body().unwrap().contains(reference));
    assert!(mail.data.contains("Content-Type: multipart/alternative"));
    assert!(!mail.data.to_ascii_lowercase().contains("attachment"));

    // Swedish requester, Swedish message; someone who chose post gets no e-mail.
    let (_, sv) = app.submit_public(|b| b["language"] = json!("sv")).await;
    let (_, post) = app
        .submit_public(|b| {
            b["subject"]["contact_channel"] = json!("post");
            b["subject"]["postal_address"] = json!("Katu 1, 00100 Helsinki");
        })
        .await;
    jobs::run_once(app.ctx.clone(), "w1").await.unwrap();
    let mails = server.wait_for(2, Duration::from_secs(5));
    assert_eq!(mails.len(), 2, "the post requester got nothing");
    let sv_subject = mails[1].header("Subject").unwrap();
    assert!(sv_subject.contains(sv["reference"].as_str().unwrap()));
    assert_ne!(
        sv_subject.replace(sv["reference"].as_str().unwrap(), ""),
        subject.replace(reference, "")
    );
    assert!(!mails
        .iter()
        .any(|m| m.text_body().contains(post["reference"].as_str().unwrap())));

    // Assigning tells the staff member; a decision tells the requester.
    let id = created["id"].as_str().unwrap();
    app.act_ok(
        id,
        json!({ "action": "assign", "assignee": app.org.staff_id }),
    )
    .await;
    app.act_ok(
        id,
        json!({ "action": "request_clarification", "message": "Which period?" }),
    )
    .await;
    jobs::run_once(app.ctx.clone(), "w1").await.unwrap();
    let mails = server.wait_for(4, Duration::from_secs(5));
    assert_eq!(mails.len(), 4);
    assert_eq!(mails[2].to, ["staff@satama.example"]);
    assert_eq!(mails[3].to, ["maija@example.fi"]);
    assert!(
        !mails[3].text_body().contains("Which period"),
        "the news itself stays on the status page"
    );
    server.stop();
}

#[actix_web::test]
async fn an_outage_queues_messages_and_each_is_delivered_once() {
    let server = SmtpServer::start();
    let port = server.port();
    let app = TestApp::spawn_with(with_smtp(server.url())).await;
    server.stop();
    for _ in 0..3 {
        let (status, _) = app.submit_public(|_| {}).await;
        assert_eq!(status, StatusCode::CREATED, "the service keeps answering");
    }
    let report = jobs::run_once(app.ctx.clone(), "w1").await.unwrap();
    assert_eq!((report.sent, report.retrying), (0, 3), "{report:?}");
    assert_eq!(count_attempts(&app), 3);

    let server = SmtpServer::start_on(port);
    // Not yet: the retry waits for its backoff.
    let report = jobs::run_once(app.ctx.clone(), "w1").await.unwrap();
    assert_eq!(report.sent, 0);
    app.clock
        .set(app.clock_now() + chrono::Duration::seconds(31));
    let report = jobs::run_once(app.ctx.clone(), "w1").await.unwrap();
    assert_eq!(report.sent, 3, "{report:?}");
    let report = jobs::run_once(app.ctx.clone(), "w1").await.unwrap();
    assert_eq!(report.sent, 0);
    let mails = server.wait_for(3, Duration::from_secs(5));
    assert_eq!(mails.len(), 3);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.received().len(), 3, "nothing twice");
    assert_eq!(count_attempts(&app), 6);
    server.stop();
}

#[actix_web::test]
async fn a_permanent_failure_is_shown_to_the_dpo() {
    let server = SmtpServer::start();
    server.set_mode(Mode::PermFail);
    let app = TestApp::spawn_with(with_smtp(server.url())).await;
    let (_, created) = app.submit_public(|_| {}).await;
    let report = jobs::run_once(app.ctx.clone(), "w1").await.unwrap();
    assert_eq!(report.failed, 1, "{report:?}");
    let (status, failed) = app
        .get("/api/v1/dpo/failed-messages", Some(&app.org.dpo))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(failed[0]["kind"], "requester_news");
    assert_eq!(failed[0]["recipient_role"], "requester");
    assert_eq!(failed[0]["request_reference"], created["reference"]);
    assert!(!failed.to_string().contains("maija@"), "{failed}");
    // Given up: later runs do not try again, and the evening digest tells the DPO.
    server.set_mode(Mode::Accept);
    app.clock
        .set(common::helsinki_noon("2026-11-16") + chrono::Duration::hours(11));
    let report = jobs::run_once(app.ctx.clone(), "w1").await.unwrap();
    assert_eq!(
        (report.sent, report.retrying, report.failed),
        (1, 0, 0),
        "{report:?}"
    );
    let mails = server.wait_for(1, Duration::from_secs(5));
    assert_eq!(mails[0].to, ["dpo@satama.example"]);
    let digest = mails[0].text_body();
    assert!(digest.contains("requester_news"), "{digest}");
    assert!(!digest.contains("maija@"), "{digest}");
    assert_eq!(
        count_attempts(&app),
        2,
        "one try for the failed message, one for the digest"
    );
    server.stop();
}

#[actix_web::test]
async fn two_workers_on_one_database_never_send_the_same_message() {
    let server = SmtpServer::start();
    let app = TestApp::spawn_with(with_smtp(server.url())).await;
    for _ in 0..30 {
        app.submit_public(|_| {}).await;
    }
    // A second instance: its own context, pool and worker, on the same database.
    let mut settings = Settings::default();
    settings.database.database_url = app.db.url.clone();
    settings.auth.token_secret = Some(
        "test-secret-test-secret-test-secret-0123"
            .to_string()
            .into(),
    );
    settings.mail.smtp_url = Some(server.url().into());
    let other = Arc::new(
        rightsdesk::startup::build_context_with_clock(settings, app.clock.clone()).unwrap(),
    );
    let (a, b) = futures_util::join!(
        jobs::worker::drain(app.ctx.clone(), "instance-a"),
        jobs::worker::drain(other, "instance-b")
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 30, "{a:?} {b:?}");
    let mails = server.wait_for(30, Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(200));
    let mut ids: Vec<String> = server
        .received()
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    assert_eq!(mails.len(), 30);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30, "every message exactly once");
    server.stop();
}

/// (kind, Helsinki date) of every queued message for a request, or for the digest when `None`.
fn queued(app: &TestApp, request: Option<&str>) -> Vec<(String, String)> {
    let mut conn = app.ctx.pool.get().unwrap();
    let rows: Vec<(String, chrono::NaiveDateTime, Option<String>)> = outbox::table
        .order(outbox::created_at)
        .select((outbox::kind, outbox::created_at, outbox::request_id))
        .load(&mut conn)
        .unwrap();
    rows.into_iter()
        .filter(|(_, _, r)| r.as_deref() == request)
        .map(|(k, at, _)| {
            let local = DateTime::<Utc>::from_naive_utc_and_offset(at, Utc)
                .with_timezone(&chrono_tz::Europe::Helsinki);
            (k, local.format("%Y-%m-%d").to_string())
        })
        .collect()
}

#[actix_web::test]
async fn reminders_and_digests_over_simulated_months() {
    let dir = std::env::temp_dir().join(format!("rd-outbox-{}", uuid::Uuid::new_v4().simple()));
    let out = dir.clone();
    let app = TestApp::spawn_with(move |s| s.mail.outbox_dir = out).await;
    let at_eight = |d: chrono::NaiveDate| {
        chrono_tz::Europe::Helsinki
            .from_local_datetime(&d.and_hms_opt(8, 0, 0).unwrap())
            .single()
            .unwrap()
            .with_timezone(&Utc)
    };
    use chrono::TimeZone;
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();

    // A: received on a month end, Fri 31.1.2025 -> due Fri 28.2.2025.
    app.set_today("2025-01-31");
    let a = app
        .submit_staff(
            "access",
            "2025-01-31",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let a_id = a["id"].as_str().unwrap().to_string();
    assert_eq!(a["due_on"], "2025-02-28");
    app.act_ok(
        &a_id,
        json!({ "action": "assign", "assignee": app.org.staff_id }),
    )
    .await;
    app.act_ok(
        &a_id,
        json!({ "action": "verify_identity", "method": "in_person" }),
    )
    .await;

    let mut b_id = String::new();
    let mut d = day("2025-01-31");
    while d <= day("2025-04-25") {
        if d == day("2025-03-18") {
            // B: received before Easter, Tue 18.3.2025 -> due Tue 22.4.2025 (Good Friday to Easter Monday).
            app.set_today("2025-03-18");
            let b = app
                .submit_staff(
                    "erasure",
                    "2025-03-18",
                    json!({ "what": "Kirjaukset", "why": "Vanhentuneita" }),
                )
                .await;
            assert_eq!(b["due_on"], "2025-04-22");
            b_id = b["id"].as_str().unwrap().to_string();
            app.act_ok(
                &b_id,
                json!({ "action": "assign", "assignee": app.org.staff_id }),
            )
            .await;
        }
        app.clock.set(at_eight(d));
        jobs::run_once(app.ctx.clone(), "w1").await.unwrap();
        if d == day("2025-03-05") {
            app.act_ok(
                &a_id,
                json!({ "action": "complete", "outcome": "fulfilled" }),
            )
            .await;
        }
        d = d.succ_opt().unwrap();
    }

    let a_msgs = queued(&app, Some(&a_id));
    let expect_a: Vec<(String, String)> = [
        ("staff_assigned", "2025-01-31"),
        ("staff_due_soon", "2025-02-21"),
        ("staff_due_soon", "2025-02-26"),
        ("staff_overdue", "2025-03-01"),
        ("staff_overdue", "2025-03-02"),
        ("staff_overdue", "2025-03-03"),
        ("staff_overdue", "2025-03-04"),
        ("staff_overdue", "2025-03-05"),
    ]
    .iter()
    .map(|(k, d)| (k.to_string(), d.to_string()))
    .collect();
    assert_eq!(a_msgs, expect_a);

    let b_msgs = queued(&app, Some(&b_id));
    let expect_b: Vec<(String, String)> = [
        ("staff_assigned", "2025-03-18"),
        ("staff_due_soon", "2025-04-15"),
        ("staff_due_soon", "2025-04-20"),
        ("staff_overdue", "2025-04-23"),
        ("staff_overdue", "2025-04-24"),
        ("staff_overdue", "2025-04-25"),
    ]
    .iter()
    .map(|(k, d)| (k.to_string(), d.to_string()))
    .collect();
    assert_eq!(b_msgs, expect_b);

    // The digest goes out only on days with something to say, once a day.
    let digests: Vec<String> = queued(&app, None).into_iter().map(|(_, d)| d).collect();
    let mut unique = digests.clone();
    unique.dedup();
    assert_eq!(unique, digests, "one digest a day");
    assert!(
        !digests.iter().any(|d| d.as_str() < "2025-02-21"),
        "nothing to say before A is due within a week: {digests:?}"
    );
    assert!(digests.contains(&"2025-02-21".to_string()));
    assert!(digests.contains(&"2025-03-05".to_string()), "A overdue");
    assert!(
        !digests.contains(&"2025-03-10".to_string()),
        "quiet between A and B"
    );
    assert!(
        digests.contains(&"2025-04-15".to_string()) && digests.contains(&"2025-04-25".to_string())
    );

    // Everything queued was delivered to the file outbox, one .eml each.
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(files, a_msgs.len() + b_msgs.len() + digests.len());
    let _ = std::fs::remove_dir_all(dir);
}
