//! What one caller can make the service read: page posts are small (the field cap is a unit
//! test of `web::form`), and log ingestion reads its large body only for a valid token.

mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[actix_rt::test]
async fn a_page_post_over_a_mebibyte_is_refused_unread() {
    let app = TestApp::spawn().await;
    let body = vec![b'a'; 1024 * 1024 + 1024];
    for path in ["/desk/login", "/satama/status", "/satama/request/access"] {
        let resp = app
            .client
            .post(format!("{}{path}", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE, "{path}");
    }
}

#[actix_rt::test]
async fn ingestion_checks_the_token_first_and_then_takes_a_large_body() {
    let app = TestApp::spawn().await;
    let (s, b) = app
        .post(
            "/api/v1/ingest-tokens",
            Some(&app.org.admin),
            json!({ "source": "Apotti" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let token = b["token"].as_str().unwrap().to_string();
    // About 2 MiB of events: over the general limit, within ingestion's.
    let mut body = String::new();
    let mut n = 0;
    while body.len() < 2 * 1024 * 1024 {
        n += 1;
        body.push_str(
            &json!({ "event_id": format!("e{n}"), "occurred_at": "2025-03-04T09:00:00+02:00",
                     "subject_id": "131052-308T", "user_name": "Matti Esimerkki",
                     "user_title": "sosiaaliohjaaja", "unit": "Perhepalvelut", "action": "view",
                     "basis": "asiakkuus" })
            .to_string(),
        );
        body.push('\n');
    }
    let url = format!("{}/api/v1/access-log/events?register=turvakoti", app.base);
    let without = app
        .client
        .post(&url)
        .header("content-type", "application/x-ndjson")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::UNAUTHORIZED);
    let (s, summary) = app
        .send(
            app.client
                .post(&url)
                .header("content-type", "application/x-ndjson")
                .body(body),
            Some(&token),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{summary}");
    assert_eq!(summary["stored"], n);
}
