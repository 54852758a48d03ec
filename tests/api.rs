//! Black-box tests through the real router and a real database (SQLite, or PostgreSQL
//! when RIGHTSDESK_TEST_DATABASE_URL is set).

mod common;

use common::{field_errors, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[actix_web::test]
async fn health_answers_with_safe_headers() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    let (status, body) = app.get("/no/such/path", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
}

#[actix_web::test]
async fn public_submission_is_received_with_legal_dates_and_a_status_token() {
    let app = TestApp::spawn().await;
    app.set_today("2025-03-05");
    let (status, body) = app.submit_public(|_| {}).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["state"], "received");
    assert_eq!(body["received_on"], "2025-03-05");
    // Saturday 5.4.2025 rolls to Monday (legal.md §2).
    assert_eq!(body["target_on"], "2025-04-05");
    assert_eq!(body["due_on"], "2025-04-07");
    assert_eq!(body["reference"], "SAT-2025-00001");
    let token = body["status_token"].as_str().unwrap();
    assert_eq!(token.len(), 24, "20 characters in groups of four: {token}");

    let (status, second) = app.submit_public(|_| {}).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(second["reference"], "SAT-2025-00002");

    let reference = body["reference"].as_str().unwrap();
    let status_of = |reference: String, token: String| {
        let app = &app;
        async move {
            app.send(
                app.client
                    .get(format!("{}/api/v1/requests/{reference}/status", app.base))
                    .header("X-Status-Token", token),
                None,
            )
            .await
        }
    };
    let (status, view) = status_of(reference.into(), token.into()).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["state"], "received");
    assert_eq!(view["due_on"], "2025-04-07");
    assert!(
        view.get("subject").is_none(),
        "no personal data on the status view"
    );

    let (wrong_status, wrong_body) = status_of(reference.into(), "nope".into()).await;
    let (unknown_status, unknown_body) = status_of("SAT-2025-99999".into(), token.into()).await;
    assert_eq!(wrong_status, StatusCode::NOT_FOUND);
    assert_eq!(wrong_status, unknown_status);
    assert_eq!(
        wrong_body, unknown_body,
        "wrong token and unknown reference answer alike"
    );
}

#[actix_web::test]
async fn receipt_just_after_midnight_in_helsinki_counts_from_that_day() {
    let app = TestApp::spawn().await;
    // 22:30 UTC on 31.1 is 00:30 on 1.2 in Helsinki.
    app.clock.set("2025-01-31T22:30:00Z".parse().unwrap());
    let (status, body) = app.submit_public(|_| {}).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["received_on"], "2025-02-01");
}

#[actix_web::test]
async fn invalid_submissions_list_every_problem() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .submit_public(|b| {
            b["subject"]["personal_id"] = json!("131052-308A");
            b["subject"]["contact_channel"] = json!("post");
            b["details"] = json!({ "scope": "period", "form": "fax", "colour": "red" });
            b["registers"] = json!(["turvakoti", "nonexistent"]);
            b["channel"] = json!("letter");
        })
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "validation_failed");
    let errors = field_errors(&body);
    for expected in [
        ("channel", "staff_only"),
        ("subject.personal_id", "personal_id_bad_check_character"),
        ("subject.postal_address", "contact_missing"),
        ("details.colour", "unknown_field"),
        ("details.period_from", "required"),
        ("details.form", "invalid_choice"),
        ("registers[1]", "unknown_register"),
    ] {
        assert!(
            errors.contains(&(expected.0.into(), expected.1.into())),
            "missing {expected:?} in {errors:?}"
        );
    }
    assert!(body["errors"][0]["message"].as_str().unwrap().len() > 5);
    // No input value is echoed back.
    assert!(!body.to_string().contains("131052"));

    let (status, body) = app
        .submit_public(|b| b["organisation"] = json!("nobody"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&body),
        [("organisation".into(), "unknown_organisation".into())]
    );

    let (status, body) = app.submit_public(|b| b["kind"] = json!("teleport")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_errors(&body).contains(&("kind".into(), "invalid_choice".into())));
}

#[actix_web::test]
async fn malformed_bodies_get_problem_documents() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(format!("{}/api/v1/requests", app.base))
        .header("content-type", "application/json")
        .body("{\"kind\": \"access\", \"subject\": {\"name\": \"Maija")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "invalid_json");
    assert!(!body.to_string().contains("Maija"));

    let res = app
        .client
        .post(format!("{}/api/v1/requests", app.base))
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let (status, body) = app.post("/api/v1/requests", None, json!([1, 2])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let (status, body) = app
        .get("/api/v1/requests?limit=abc", Some(&app.org.staff))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_query");
}

#[actix_web::test]
async fn staff_register_paper_requests_with_the_real_receipt_date() {
    let app = TestApp::spawn().await;
    app.set_today("2025-04-01");
    let body = app
        .submit_staff(
            "access",
            "2025-03-18",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    assert_eq!(body["received_on"], "2025-03-18");
    // Fri 18.4.2025 is Good Friday: due Tue 22.4 after Easter.
    assert_eq!(body["due_on"], "2025-04-22");

    let (status, body) = app
        .post(
            "/api/v1/requests",
            Some(&app.org.staff),
            json!({ "kind": "access", "channel": "letter", "received_on": "2025-04-02",
                "subject": { "name": "A", "birth_date": "1990-01-01", "contact_channel": "pick_up" },
                "details": { "scope": "whole_record", "form": "paper" } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&body),
        [("received_on".into(), "date_in_future".into())]
    );

    let (status, body) = app
        .post(
            "/api/v1/requests",
            Some(&app.org.staff),
            json!({ "kind": "access",
                "subject": { "name": "A", "birth_date": "1990-01-01", "contact_channel": "pick_up" },
                "details": { "scope": "whole_record", "form": "paper" } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body), [("channel".into(), "required".into())]);
}

#[actix_web::test]
async fn wrong_credentials_and_throttled_attempts_answer_alike() {
    let app = TestApp::spawn().await;
    let email = "staff2@satama.example";
    let (s1, wrong) = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({ "email": email, "password": "nope" }),
        )
        .await;
    let (s2, unknown) = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({ "email": "ghost@satama.example", "password": "nope" }),
        )
        .await;
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert_eq!(s2, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong, unknown);
    for _ in 0..3 {
        app.post(
            "/api/v1/auth/token",
            None,
            json!({ "email": email, "password": "nope" }),
        )
        .await;
    }
    let (status, locked) = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({ "email": email, "password": common::PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        locked, wrong,
        "a throttled correct password looks like a wrong one"
    );

    let (status, _) = app.get("/api/v1/requests", Some("not-a-token")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get("/api/v1/requests", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn a_request_goes_from_receipt_to_completion() {
    let app = TestApp::spawn().await;
    app.set_today("2025-03-05");
    let (_, created) = app.submit_public(|_| {}).await;
    let id = created["id"].as_str().unwrap();

    let r = app
        .act_ok(
            id,
            json!({ "action": "assign", "assignee": app.org.staff_id }),
        )
        .await;
    assert_eq!(r["assignee"]["id"], app.org.staff_id.as_str());
    assert_eq!(r["state"], "received");
    let r = app.act_ok(id, json!({ "action": "start" })).await;
    assert_eq!(r["state"], "in_progress");

    // Completion needs verified identity.
    let (status, body) = app
        .act(id, json!({ "action": "complete", "outcome": "fulfilled" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "identity_not_verified");

    let r = app
        .act_ok(
            id,
            json!({ "action": "verify_identity", "method": "strong_eid" }),
        )
        .await;
    assert_eq!(r["identity_verified"], true);
    assert_eq!(r["identity_verification"]["method"], "strong_eid");

    app.set_today("2025-03-20");
    let (status, body) = app
        .act(id, json!({ "action": "extend", "reason": "too short" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body), [("reason".into(), "too_short".into())]);
    let r = app
        .act_ok(id, json!({ "action": "extend", "reason": "Records from three units must be gathered and reviewed." }))
        .await;
    assert_eq!(r["extended"], true);
    assert_eq!(r["due_on"], "2025-06-05");
    let (status, body) = app
        .act(id, json!({ "action": "extend", "reason": "Records from three units must be gathered and reviewed." }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "already_extended");

    // The outcome follows from what was decided: nothing is withheld, so "partial" and a
    // ground nothing rests on contradict the facts.
    let (status, body) = app
        .act(
            id,
            json!({ "action": "complete", "outcome": "partially_fulfilled", "grounds": ["gdpr_15_4"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&body),
        [
            ("outcome".into(), "outcome_contradicts_decisions".into()),
            ("grounds[0]".into(), "ground_not_in_decisions".into())
        ]
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("fulfilled"),
        "{body}"
    );
    // One entry is given and one about another family member withheld: a partial answer.
    for entry in [
        json!({ "register": "turvakoti", "title": "Asiakastiedot", "data": { "nimi": "..." } }),
        json!({ "register": "turvakoti", "title": "Perheen tiedot", "data": { "muistio": "..." },
                "withheld_ground": "gdpr_15_4", "withheld_reason": "Koskee toista perheenjäsentä." }),
    ] {
        let (status, body) = app
            .post(
                &format!("/api/v1/requests/{id}/entries"),
                Some(&app.org.staff),
                entry,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    let r = app
        .act_ok(
            id,
            json!({ "action": "complete", "outcome": "partially_fulfilled", "grounds": ["gdpr_15_4"],
                "explanation": "Entries about another family member were left out." }),
        )
        .await;
    assert_eq!(r["state"], "completed");
    assert_eq!(r["outcome"], "partially_fulfilled");
    assert_eq!(r["closed_on"], "2025-03-20");
    assert_eq!(r["allowed_actions"], json!([]));

    // Terminal states accept nothing, and say so.
    let (status, body) = app
        .act(
            id,
            json!({ "action": "withdraw", "reason": "changed my mind" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "action_not_allowed");
    assert_eq!(body["allowed_actions"], json!([]));

    let (status, events) = app
        .get(&format!("/api/v1/requests/{id}/events"), Some(&app.org.dpo))
        .await;
    assert_eq!(status, StatusCode::OK);
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "submitted",
            "assign",
            "start",
            "verify_identity",
            "extend",
            "deadline_changed",
            "document_created",
            "attachment_added",
            "attachment_added",
            "complete",
            "document_created",
            "document_created"
        ]
    );
    assert!(
        !events.to_string().contains("Maija"),
        "no personal data in the audit payloads"
    );
}

#[actix_web::test]
async fn clock_stops_count_only_within_the_grace_period() {
    let app = TestApp::spawn().await;
    // legal.md: received Fri 10.1.2025, proof asked Mon 13.1, arrived Mon 27.1 -> due Mon 24.2.
    app.set_today("2025-01-27");
    let created = app
        .submit_staff(
            "access",
            "2025-01-10",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["due_on"], "2025-02-10");
    let r = app
        .act_ok(id, json!({ "action": "request_identity", "on": "2025-01-13", "message": "Please bring an ID card." }))
        .await;
    assert_eq!(r["state"], "awaiting_requester");
    assert_eq!(r["awaiting"], "identity");
    assert_eq!(r["clock_stopped"], true);
    assert!(r.get("notice").is_none());
    let r = app
        .act_ok(
            id,
            json!({ "action": "verify_identity", "method": "in_person", "on": "2025-01-27" }),
        )
        .await;
    assert_eq!(r["state"], "in_progress");
    assert_eq!(r["paused_days"], 14);
    assert_eq!(r["due_on"], "2025-02-24");

    // Asked 8 days after receipt: the state changes, the dates do not.
    let late = app
        .submit_staff(
            "access",
            "2025-01-10",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let late_id = late["id"].as_str().unwrap();
    let r = app
        .act_ok(
            late_id,
            json!({ "action": "request_clarification", "on": "2025-01-18" }),
        )
        .await;
    assert_eq!(r["state"], "awaiting_requester");
    assert_eq!(r["clock_stopped"], false);
    assert!(r["notice"].as_str().unwrap().contains("not stopped"));
    let r = app
        .act_ok(
            late_id,
            json!({ "action": "requester_replied", "on": "2025-01-25" }),
        )
        .await;
    assert_eq!(r["due_on"], "2025-02-10");
    assert_eq!(r["paused_days"], 0);

    // Effective dates may not be in the future or before receipt.
    let (status, body) = app
        .act(late_id, json!({ "action": "start", "on": "2025-01-09" }))
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "start is not allowed in progress: {body}"
    );
    let (status, body) = app
        .act(
            late_id,
            json!({ "action": "assign", "assignee": app.org.staff_id, "on": "2025-01-09" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&body),
        [("on".into(), "before_receipt".into())]
    );
    let (status, body) = app
        .act(
            late_id,
            json!({ "action": "assign", "assignee": app.org.staff_id, "on": "2025-02-01" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&body),
        [("on".into(), "date_in_future".into())]
    );
}

#[actix_web::test]
async fn forbidden_actions_answer_409_with_the_allowed_ones() {
    let app = TestApp::spawn().await;
    let (_, created) = app.submit_public(|_| {}).await;
    let id = created["id"].as_str().unwrap();
    let (status, body) = app.act(id, json!({ "action": "requester_replied" })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "action_not_allowed");
    let allowed: Vec<&str> = body["allowed_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(allowed.contains(&"start") && !allowed.contains(&"requester_replied"));

    let (status, body) = app.act(id, json!({ "action": "fly" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_json");

    let (status, body) = app
        .act(
            id,
            json!({ "action": "refuse", "grounds": ["gdpr_99", "act_703_2023_11"] }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = field_errors(&body);
    assert!(
        errors.contains(&("grounds[0]".into(), "unknown_ground".into())),
        "{errors:?}"
    );
    assert!(
        errors.contains(&("grounds[1]".into(), "ground_not_applicable".into())),
        "{errors:?}"
    );
    assert!(
        errors.contains(&("explanation".into(), "required".into())),
        "{errors:?}"
    );

    let r = app
        .act_ok(id, json!({ "action": "refuse", "grounds": ["gdpr_12_5"], "explanation": "The same records were given a month ago." }))
        .await;
    assert_eq!(r["state"], "refused");
    assert_eq!(r["decision"]["grounds"], json!(["gdpr_12_5"]));

    let (_, other) = app.submit_public(|_| {}).await;
    let other_id = other["id"].as_str().unwrap();
    let (status, body) = app
        .act(
            other_id,
            json!({ "action": "assign", "assignee": "nobody" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&body),
        [("assignee".into(), "unknown_user".into())]
    );
    let r = app
        .act_ok(
            other_id,
            json!({ "action": "withdraw", "reason": "Asked by phone to cancel." }),
        )
        .await;
    assert_eq!(r["state"], "withdrawn");
    assert_eq!(r["outcome"], "withdrawn");
}

#[actix_web::test]
async fn roles_and_organisations_are_isolated() {
    let app = TestApp::spawn().await;
    let (_, created) = app.submit_public(|_| {}).await;
    let id = created["id"].as_str().unwrap();

    // Another organisation's staff: 404, never 403.
    let other_staff = app.login("staff@muu-kunta.example").await;
    let (status, _) = app
        .get(&format!("/api/v1/requests/{id}"), Some(&other_staff))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post(
            &format!("/api/v1/requests/{id}/actions"),
            Some(&other_staff),
            json!({ "action": "start" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, list) = app.get("/api/v1/requests", Some(&other_staff)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 0);

    // The DPO reads but does not act; staff do not see the DPO views; only admins manage users.
    let (status, _) = app
        .get(&format!("/api/v1/requests/{id}"), Some(&app.org.dpo))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .post(
            &format!("/api/v1/requests/{id}/actions"),
            Some(&app.org.dpo),
            json!({ "action": "start" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get("/api/v1/dpo/deadlines", Some(&app.org.staff)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get("/api/v1/users", Some(&app.org.staff)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, user) = app
        .post(
            "/api/v1/users",
            Some(&app.org.admin),
            json!({ "email": "New.Worker@satama.example", "name": "Uusi Työntekijä", "role": "staff", "password": common::PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["email"], "new.worker@satama.example");
    let (status, body) = app
        .post(
            "/api/v1/users",
            Some(&app.org.admin),
            json!({ "email": "new.worker@satama.example", "name": "Twin", "role": "staff", "password": "correct horse battery" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/users",
            Some(&app.org.admin),
            json!({ "email": "x", "name": "", "role": "staff", "password": "short" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body).len(), 3, "{body}");
    let worker = app.login("new.worker@satama.example").await;
    let (status, _) = app.get("/api/v1/requests", Some(&worker)).await;
    assert_eq!(status, StatusCode::OK);

    let (status, reg) = app
        .post(
            "/api/v1/registers",
            Some(&app.org.admin),
            json!({ "slug": "perhetyo", "name": "Perhetyön asiakasrekisteri" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    let (status, regs) = app.get("/api/v1/registers", Some(&app.org.staff)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(regs.as_array().unwrap().len(), 3);
    let (status, _) = app
        .post(
            "/api/v1/registers",
            Some(&app.org.staff),
            json!({ "slug": "x1", "name": "X" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_web::test]
async fn a_protected_address_is_shown_only_to_allowed_roles() {
    let app = TestApp::spawn().await;
    let (status, created) = app
        .submit_public(|b| {
            b["subject"]["address_protected"] = json!(true);
            b["subject"]["postal_address"] = json!("Salainen tie 1, 00100 Helsinki");
        })
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = created["id"].as_str().unwrap();
    for token in [&app.org.staff, &app.org.dpo] {
        let (_, r) = app
            .get(&format!("/api/v1/requests/{id}"), Some(token))
            .await;
        assert_eq!(r["subject"]["postal_address"], Value::Null);
        assert_eq!(r["subject"]["postal_address_withheld"], true);
        assert!(!r.to_string().contains("Salainen"));
    }
    let (_, r) = app
        .get(&format!("/api/v1/requests/{id}"), Some(&app.org.admin))
        .await;
    assert_eq!(
        r["subject"]["postal_address"],
        "Salainen tie 1, 00100 Helsinki"
    );
    let (_, events) = app
        .get(
            &format!("/api/v1/requests/{id}/events"),
            Some(&app.org.admin),
        )
        .await;
    assert!(!events.to_string().contains("Salainen"));
}

#[actix_web::test]
async fn guardians_of_minors_and_repeat_requests_are_flagged() {
    let app = TestApp::spawn().await;
    let (status, created) = app
        .submit_public(|b| {
            b["subject"] = json!({ "name": "Lapsi", "personal_id": "010516B903X", "contact_channel": "pick_up" });
            b["representative"] = json!({ "name": "Huoltaja", "relationship": "guardian", "email": "h@example.fi" });
        })
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (_, r) = app
        .get(
            &format!("/api/v1/requests/{}", created["id"].as_str().unwrap()),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(r["needs_manual_review"], true);
    // 903 is a temporary individual number, flagged too.
    assert_eq!(
        r["review_reasons"],
        json!(["guardian_request_about_minor", "temporary_identity_code"])
    );
    assert_eq!(r["representative"], Value::Null);
    assert_eq!(r["subject"]["representative"]["relationship"], "guardian");

    // An access request completed in March, then another in November: flagged, not charged.
    app.set_today("2026-03-02");
    let (_, first) = app.submit_public(|_| {}).await;
    let first_id = first["id"].as_str().unwrap();
    app.act_ok(
        first_id,
        json!({ "action": "verify_identity", "method": "strong_eid" }),
    )
    .await;
    app.act_ok(
        first_id,
        json!({ "action": "complete", "outcome": "fulfilled" }),
    )
    .await;
    app.set_today("2026-11-16");
    let (_, again) = app.submit_public(|_| {}).await;
    let (_, r) = app
        .get(
            &format!("/api/v1/requests/{}", again["id"].as_str().unwrap()),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(r["repeat_within_year"], true);
    let (_, other_register) = app
        .submit_public(|b| b["registers"] = json!(["avopalvelut"]))
        .await;
    let (_, r) = app
        .get(
            &format!(
                "/api/v1/requests/{}",
                other_register["id"].as_str().unwrap()
            ),
            Some(&app.org.staff),
        )
        .await;
    // The first request covered every register, so any register repeats.
    assert_eq!(r["repeat_within_year"], true);
}

#[actix_web::test]
async fn listing_filters_and_the_dpo_board() {
    let app = TestApp::spawn().await;
    app.set_today("2026-11-16");
    let old = app
        .submit_staff(
            "access",
            "2026-10-01",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let soon = app
        .submit_staff(
            "erasure",
            "2026-10-20",
            json!({ "what": "Kirjaukset", "why": "Virheellisiä" }),
        )
        .await;
    let fresh = app
        .submit_staff("objection", "2026-11-16", json!({ "grounds": "En halua." }))
        .await;
    let paused = app
        .submit_staff(
            "access",
            "2026-11-13",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    app.act_ok(
        paused["id"].as_str().unwrap(),
        json!({ "action": "request_identity" }),
    )
    .await;
    app.act_ok(
        fresh["id"].as_str().unwrap(),
        json!({ "action": "extend", "reason": "Three units must be consulted first." }),
    )
    .await;

    let (status, page) = app
        .get("/api/v1/requests?overdue=true", Some(&app.org.staff))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], old["id"]);
    assert_eq!(page["items"][0]["overdue"], true);

    let (_, page) = app
        .get("/api/v1/requests?kind=erasure", Some(&app.org.staff))
        .await;
    assert_eq!(page["total"], 1);
    let (_, page) = app
        .get(
            "/api/v1/requests?state=awaiting_requester",
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(page["total"], 1);
    let (_, page) = app
        .get("/api/v1/requests?limit=2&offset=0", Some(&app.org.staff))
        .await;
    assert_eq!(page["total"], 4);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["id"], old["id"], "sorted by due date");
    let (_, page) = app
        .get(
            "/api/v1/requests?register=avopalvelut",
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(page["total"], 4);
    let (status, _) = app
        .get("/api/v1/requests?register=nope", Some(&app.org.staff))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app
        .get("/api/v1/requests?limit=0", Some(&app.org.staff))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (status, board) = app.get("/api/v1/dpo/deadlines", Some(&app.org.dpo)).await;
    assert_eq!(status, StatusCode::OK, "{board}");
    assert_eq!(board["today"], "2026-11-16");
    assert_eq!(board["overdue"]["total"], 1);
    assert_eq!(board["overdue"]["items"][0]["reference"], old["reference"]);
    assert_eq!(board["overdue"]["items"][0]["days_left"], -14);
    // 20.10 + 1 month = Fri 20.11: within 7 days.
    assert_eq!(board["due_within_7_days"]["total"], 1);
    assert_eq!(
        board["due_within_7_days"]["items"][0]["reference"],
        soon["reference"]
    );
    assert_eq!(board["paused"]["total"], 1);
    assert_eq!(board["extended"]["total"], 1);
    assert_eq!(board["extended"]["items"][0]["due_on"], "2027-02-16");
}

#[actix_web::test]
async fn yearly_statistics() {
    let app = TestApp::spawn().await;
    app.set_today("2026-06-30");
    let late = app
        .submit_staff(
            "access",
            "2026-05-01",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let on_time = app
        .submit_staff(
            "access",
            "2026-06-10",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let refused = app
        .submit_staff(
            "erasure",
            "2026-06-01",
            json!({ "what": "Kaikki", "why": "Haluan" }),
        )
        .await;
    for r in [&late, &on_time] {
        let id = r["id"].as_str().unwrap();
        app.act_ok(
            id,
            json!({ "action": "verify_identity", "method": "in_person" }),
        )
        .await;
        app.act_ok(id, json!({ "action": "complete", "outcome": "fulfilled" }))
            .await;
    }
    app.act_ok(
        refused["id"].as_str().unwrap(),
        json!({ "action": "refuse", "grounds": ["gdpr_17_3_b"], "explanation": "Lakisääteinen säilytysaika on kesken." }),
    )
    .await;
    let (status, stats) = app
        .get("/api/v1/dpo/statistics?year=2026", Some(&app.org.dpo))
        .await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["received"], 3);
    let access = &stats["by_kind"]["access"];
    assert_eq!(access["outcomes"]["fulfilled"]["count"], 2);
    assert_eq!(access["outcomes"]["fulfilled"]["answered_late"], 1);
    // 60 and 20 days.
    assert_eq!(
        access["outcomes"]["fulfilled"]["median_days_to_answer"],
        40.0
    );
    assert_eq!(
        stats["by_kind"]["erasure"]["refused_by_ground"]["gdpr_17_3_b"],
        1
    );
    let (status, _) = app
        .get("/api/v1/dpo/statistics?year=99999", Some(&app.org.dpo))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_web::test]
async fn the_audit_chain_catches_tampering() {
    let app = TestApp::spawn().await;
    let (_, created) = app.submit_public(|_| {}).await;
    let id = created["id"].as_str().unwrap();
    app.act_ok(id, json!({ "action": "start" })).await;
    app.act_ok(
        id,
        json!({ "action": "request_clarification", "message": "Which period?" }),
    )
    .await;
    let (status, report) = app.get("/api/v1/audit/verify", Some(&app.org.dpo)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["intact"], true, "{report}");
    // Six provisioning events (two registers, four users), then the request's three and
    // the clarification letter's.
    assert_eq!(report["events_checked"], 10);
    let (_, events) = app
        .get(&format!("/api/v1/requests/{id}/events"), Some(&app.org.dpo))
        .await;
    let target = events[1]["seq"].as_i64().unwrap();

    // The database itself refuses edits to the trail...
    let refused =
        std::panic::catch_unwind(|| app.db.execute("UPDATE audit_events SET payload = '{}'"));
    assert!(refused.is_err(), "append-only trigger must refuse updates");
    // ...and someone who removes that guard is still caught.
    if app.db.is_postgres() {
        app.db
            .execute("DROP TRIGGER audit_events_no_update ON audit_events");
    } else {
        app.db.execute("DROP TRIGGER audit_events_no_update");
    }
    app.db.execute(&format!(
        "UPDATE audit_events SET payload = '{{\"message\":\"Nothing\"}}' WHERE seq = {target} AND request_id = '{id}'"
    ));
    let (_, report) = app.get("/api/v1/audit/verify", Some(&app.org.dpo)).await;
    assert_eq!(report["intact"], false);
    assert_eq!(report["first_broken"]["seq"], target, "{report}");
    assert_eq!(report["events_checked"], target - 1);
}

#[actix_web::test]
async fn forms_and_legal_grounds_are_served_in_three_languages() {
    let app = TestApp::spawn().await;
    for lang in ["fi", "sv", "en"] {
        let (status, forms) = app.get(&format!("/api/v1/forms?lang={lang}"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(forms["kinds"].as_array().unwrap().len(), 7);
        let (status, grounds) = app
            .get(&format!("/api/v1/legal-grounds?lang={lang}"), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(grounds
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["code"] == "act_703_2023_11"));
    }
    let (_, sv) = app.get("/api/v1/forms?lang=sv", None).await;
    let (_, fi) = app.get("/api/v1/forms?lang=fi", None).await;
    assert_ne!(sv["kinds"][0]["title"], fi["kinds"][0]["title"]);
    let (status, _) = app.get("/api/v1/forms?lang=de", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[actix_web::test]
async fn concurrent_submissions_share_commits_and_all_get_unique_references() {
    let app = TestApp::spawn().await;
    let futures = (0..40).map(|_| app.submit_public(|_| {}));
    let results = futures_util::future::join_all(futures).await;
    let mut references: Vec<String> = results
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, StatusCode::CREATED, "{body}");
            body["reference"].as_str().unwrap().to_string()
        })
        .collect();
    references.sort();
    references.dedup();
    assert_eq!(references.len(), 40);
    let (_, page) = app
        .get("/api/v1/requests?limit=100", Some(&app.org.staff))
        .await;
    assert_eq!(page["total"], 40);
    let (_, report) = app.get("/api/v1/audit/verify", Some(&app.org.dpo)).await;
    assert_eq!(report["intact"], true);
}

#[actix_web::test]
async fn admins_deactivate_users_and_users_change_their_password() {
    let app = TestApp::spawn().await;
    let (_, users) = app.get("/api/v1/users", Some(&app.org.admin)).await;
    let staff2 = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "staff2@satama.example")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Changing one's own password needs the current one.
    let (status, body) = app
        .post(
            "/api/v1/auth/password",
            Some(&app.org.staff2),
            json!({ "current_password": "wrong", "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&body),
        [("current_password".into(), "wrong_password".into())]
    );
    let (status, _) = app
        .post(
            "/api/v1/auth/password",
            Some(&app.org.staff2),
            json!({ "current_password": common::PASSWORD, "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({ "email": "staff2@satama.example", "password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    // Deactivation takes effect at once, even for a token already issued.
    let (status, _) = patch_user(&app, &app.org.staff, &staff2, json!({ "active": false })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, user) = patch_user(
        &app,
        &app.org.admin,
        &staff2,
        json!({ "active": false, "title": "entinen" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["active"], false);
    let (status, _) = app.get("/api/v1/requests", Some(&app.org.staff2)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({ "email": "staff2@satama.example", "password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // No admin locks themselves out; another organisation's user is not found.
    let (_, me) = app.get("/api/v1/users", Some(&app.org.admin)).await;
    let admin_id = me
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["role"] == "admin")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = patch_user(&app, &app.org.admin, &admin_id, json!({ "role": "staff" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let other_admin = app.login("admin@muu-kunta.example").await;
    let (status, _) = patch_user(&app, &other_admin, &staff2, json!({ "active": true })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_password_reset_ends_the_sessions_opened_before_it() {
    let app = TestApp::spawn().await;
    let (_, users) = app.get("/api/v1/users", Some(&app.org.admin)).await;
    let staff2 = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "staff2@satama.example")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = app.org.staff2.clone();
    let (status, _) = app.get("/api/v1/requests", Some(&before)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .send(
            app.client
                .put(format!("{}/api/v1/users/{staff2}/password", app.base))
                .json(&json!({ "password": "a reset passphrase" })),
            Some(&app.org.admin),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = app.get("/api/v1/requests", Some(&before)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a token from before the reset"
    );
    let (status, token) = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({ "email": "staff2@satama.example", "password": "a reset passphrase" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let after = token["access_token"].as_str().unwrap();
    let (status, _) = app.get("/api/v1/requests", Some(after)).await;
    assert_eq!(status, StatusCode::OK, "a token issued after the reset");
    // Other users' sessions go on.
    let (status, _) = app.get("/api/v1/requests", Some(&app.org.staff)).await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn parallel_logins_at_the_lockout_limit_get_one_password_check_at_a_time() {
    // Tests allow three failures; two are used, so one guess is left.
    let app = TestApp::spawn().await;
    let email = "staff2@satama.example";
    for _ in 0..2 {
        let (status, _) = app
            .post(
                "/api/v1/auth/token",
                None,
                json!({ "email": email, "password": "wrong guess" }),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Eight attempts at once (the right password, so each one checked is a success): the
    // one guess left lets one through at a time, not all eight. Password checks take far
    // longer than the look-up before them, so the attempts overlap.
    let attempts = (0..8).map(|_| {
        app.post(
            "/api/v1/auth/token",
            None,
            json!({ "email": email, "password": common::PASSWORD }),
        )
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    let checked = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert!((1..8).contains(&checked), "{statuses:?}");
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::OK || *s == StatusCode::UNAUTHORIZED));
}

#[actix_web::test]
async fn a_role_change_takes_effect_at_once_even_for_a_token_already_issued() {
    let app = TestApp::spawn().await;
    let (status, second) = app
        .post(
            "/api/v1/users",
            Some(&app.org.admin),
            json!({ "email": "admin2@satama.example", "name": "Toinen Ylläpitäjä",
                    "role": "admin", "password": common::PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    let second_id = second["id"].as_str().unwrap().to_string();
    let old_token = app.login("admin2@satama.example").await;
    let (status, _) = app.get("/api/v1/users", Some(&old_token)).await;
    assert_eq!(status, StatusCode::OK, "an admin before the change");

    let (status, body) =
        patch_user(&app, &app.org.admin, &second_id, json!({ "role": "staff" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The token still claims admin; the account no longer is one.
    let (status, _) = app.get("/api/v1/users", Some(&old_token)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = patch_user(&app, &old_token, &second_id, json!({ "role": "admin" })).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "cannot make themselves admin again"
    );
    let (status, _) = app
        .post(
            "/api/v1/users",
            Some(&old_token),
            json!({ "email": "admin3@satama.example", "name": "Kolmas",
                    "role": "admin", "password": common::PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // What the new role allows still works with the same token.
    let (status, _) = app.get("/api/v1/requests", Some(&old_token)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, users) = app.get("/api/v1/users", Some(&app.org.admin)).await;
    let stored = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == second_id.as_str())
        .unwrap();
    assert_eq!(stored["role"], "staff");

    // A demoted DPO loses the DPO views at once too.
    let dpo_id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["role"] == "dpo")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = app.get("/api/v1/dpo/deadlines", Some(&app.org.dpo)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = patch_user(&app, &app.org.admin, &dpo_id, json!({ "role": "staff" })).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.get("/api/v1/dpo/deadlines", Some(&app.org.dpo)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn patch_user(app: &TestApp, token: &str, id: &str, body: Value) -> (StatusCode, Value) {
    app.send(
        app.client
            .patch(format!("{}/api/v1/users/{id}", app.base))
            .json(&body),
        Some(token),
    )
    .await
}

#[actix_web::test]
async fn field_messages_follow_accept_language() {
    let app = TestApp::spawn().await;
    let body = json!({ "organisation": app.org.slug, "kind": "access",
        "subject": { "name": "A", "contact_channel": "pick_up" },
        "details": { "scope": "whole_record", "form": "paper" } });
    let mut messages = Vec::new();
    for lang in ["fi", "sv-FI,sv;q=0.9", "en", "de"] {
        let (status, problem) = app
            .send(
                app.client
                    .post(format!("{}/api/v1/requests", app.base))
                    .header("Accept-Language", lang)
                    .json(&body),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            problem["errors"][0]["code"],
            "personal_id_or_birth_date_required"
        );
        messages.push(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_ne!(messages[0], messages[1], "Finnish and Swedish differ");
    assert_ne!(messages[0], messages[2]);
    assert_eq!(
        messages[2], messages[3],
        "English when no language of service is asked for"
    );
    assert!(
        messages[1].contains("födelse") || messages[1].contains("person"),
        "{}",
        messages[1]
    );
}

/// A stored value the service cannot read is an error that names the request, on every
/// path that reads it; before, details fell back to null and a decision to none.
#[actix_web::test]
async fn a_corrupt_stored_value_is_an_error_not_a_default() {
    use diesel::RunQueryDsl;
    let app = TestApp::spawn().await;
    let created = app
        .submit_staff(
            "access",
            "2026-11-16",
            json!({ "scope": "whole_record", "form": "electronic" }),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .get(&format!("/api/v1/requests/{id}"), Some(&app.org.staff))
        .await;
    assert_eq!(status, StatusCode::OK);

    let mut conn = app.ctx.pool.get().unwrap();
    diesel::sql_query(format!(
        "UPDATE requests SET details = '{{\"scope\": 7' WHERE id = '{id}'"
    ))
    .execute(&mut conn)
    .unwrap();
    let (status, body) = app
        .get(&format!("/api/v1/requests/{id}"), Some(&app.org.staff))
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(body["code"], "internal_error", "{body}");
    // The reason is logged for the operator, not told to the caller.
    assert!(!body.to_string().contains("details"), "{body}");
    let err = rightsdesk::services::request::Request::load(&mut conn, &app.org_id(), &id)
        .expect_err("a corrupt request does not load");
    let cause = match err {
        rightsdesk::services::ServiceError::Internal(e) => format!("{e:#}"),
        other => panic!("{other:?}"),
    };
    assert!(cause.contains(&id) && cause.contains("details"), "{cause}");
    // The listing does not skip it silently either.
    let (status, _) = app.get("/api/v1/requests", Some(&app.org.staff)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
}

async fn patch_organisation(app: &TestApp, body: Value) -> Value {
    let (status, out) = app
        .send(
            app.client
                .patch(format!("{}/api/v1/organisation", app.base))
                .json(&body),
            Some(&app.org.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (_, stored) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    assert_eq!(out, stored);
    stored
}

fn texts(s: &str) -> Value {
    json!({ "fi": s, "sv": s, "en": s })
}

/// PATCH changes only the fields it names: every field on its own, the others unchanged.
#[actix_web::test]
async fn patching_one_organisation_field_leaves_the_others_alone() {
    let app = TestApp::spawn().await;
    let contact = |phone: &str| {
        json!({
            "phone": phone, "phone_international": "+358 29 566 6700",
            "email": "tietosuoja@om.example", "web": "https://tietosuoja.example",
            "name": texts("Valvoja"), "postal_address": texts("PL 800, 00531 Helsinki"),
            "visiting_address": texts("Lintulahdenkuja 4, Helsinki"),
        })
    };
    let oidc = |issuer: &str| {
        json!({ "issuer": issuer, "audience": "rightsdesk", "jwks": "/etc/jwks.json",
                "identity_claim": "personal_identity_code", "enabled": true })
    };
    let mut expected = patch_organisation(
        &app,
        json!({
            "postal_address": "Satamakatu 1, 00100 Helsinki", "email": "a@satama.example",
            "phone": "09 111 1111", "public_authority": true,
            "authority_contact": contact("029 111"), "oidc": oidc("https://idp.example"),
            "appeal": { "review_body": { "name": "Yksilöasioiden jaosto", "postal_address": "PL 1, 00100 Helsinki" } },
        }),
    )
    .await;
    for field in [
        "postal_address",
        "email",
        "phone",
        "authority_contact",
        "oidc",
        "appeal",
    ] {
        assert!(!expected[field].is_null(), "{field}: {expected}");
    }
    assert_eq!(expected["public_authority"], true);

    let changes = [
        ("postal_address", json!("Laiturikatu 2, 00100 Helsinki")),
        ("email", json!("b@satama.example")),
        ("phone", json!("09 222 2222")),
        ("public_authority", json!(false)),
        ("authority_contact", contact("029 222")),
        ("oidc", oidc("https://other-idp.example")),
        (
            "appeal",
            json!({ "route": "court", "court": "vaasa", "days": 30,
                    "contact": { "name": "Kaisa Kirjaaja", "title": "kirjaaja" } }),
        ),
    ];
    for (field, value) in changes {
        let after = patch_organisation(&app, json!({ field: value.clone() })).await;
        expected[field] = value;
        assert_eq!(after, expected, "patching only {field}");
    }

    // An explicit null clears an optional field, and only that one.
    for field in [
        "postal_address",
        "email",
        "phone",
        "authority_contact",
        "oidc",
        "appeal",
    ] {
        let after = patch_organisation(&app, json!({ field: null })).await;
        expected[field] = Value::Null;
        assert_eq!(after, expected, "clearing only {field}");
    }
    // An empty body changes nothing; public_authority cannot be null.
    assert_eq!(patch_organisation(&app, json!({})).await, expected);
    let (status, _) = app
        .send(
            app.client
                .patch(format!("{}/api/v1/organisation", app.base))
                .json(&json!({ "public_authority": null })),
            Some(&app.org.admin),
        )
        .await;
    assert!(status.is_client_error(), "{status}");
    let (_, stored) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    assert_eq!(stored, expected);
}

/// PATCH /users/{id} changes only the fields it names; `null` clears the title.
#[actix_web::test]
async fn patching_a_user_changes_only_the_named_fields() {
    let app = TestApp::spawn().await;
    let id = &app.org.staff_id;
    let patch = |body: Value| {
        app.send(
            app.client
                .patch(format!("{}/api/v1/users/{id}", app.base))
                .json(&body),
            Some(&app.org.admin),
        )
    };
    let (status, before) = patch(json!({})).await;
    assert_eq!(status, StatusCode::OK, "{before}");
    assert_eq!(before["title"], "sosiaalityöntekijä");
    let (_, after) = patch(json!({ "role": "dpo" })).await;
    let mut expected = before.clone();
    expected["role"] = json!("dpo");
    assert_eq!(after, expected);
    let (_, after) = patch(json!({ "title": null })).await;
    expected["title"] = Value::Null;
    assert_eq!(after, expected);
}

/// The chain check walks up to the head it read: events appended after that (by requests
/// handled while the check runs) are not reported as "missing at the end of the chain".
#[actix_web::test]
async fn the_audit_check_ignores_events_appended_after_the_head_it_read() {
    use rightsdesk::db::audit;
    let app = TestApp::spawn().await;
    let org_id = app.org_id();
    let (_, created) = app.submit_public(|_| {}).await;
    let id = created["id"].as_str().unwrap();
    let mut conn = app.ctx.pool.get().unwrap();
    let (head_seq, head_hash) = audit::head(&mut conn, &org_id).unwrap();

    // Writes land between reading the head and walking the events.
    app.act_ok(id, json!({ "action": "start" })).await;
    app.act_ok(
        id,
        json!({ "action": "request_clarification", "message": "Which period?" }),
    )
    .await;
    let (later_seq, _) = audit::head(&mut conn, &org_id).unwrap();
    assert!(later_seq > head_seq);

    let report = audit::verify_to(&mut conn, &org_id, head_seq, &head_hash).unwrap();
    assert!(report.intact, "{report:?}");
    assert_eq!(report.events_checked, head_seq);
    // A head that does not match the stored chain is still a broken chain.
    let report = audit::verify_to(&mut conn, &org_id, head_seq, audit::GENESIS_HASH).unwrap();
    assert!(!report.intact, "{report:?}");

    let (_, report) = app.get("/api/v1/audit/verify", Some(&app.org.dpo)).await;
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(report["events_checked"], later_seq);
}

/// PATCH /registers/{slug} changes only the fields it names, `info` texts one by one too;
/// the register's own retention rules stay unless given.
#[actix_web::test]
async fn patching_one_register_field_leaves_the_others_alone() {
    let app = TestApp::spawn().await;
    let patch = |body: Value| {
        app.send(
            app.client
                .patch(format!("{}/api/v1/registers/turvakoti", app.base))
                .json(&body),
            Some(&app.org.admin),
        )
    };
    let (status, mut expected) = patch(json!({
        "description": "Asumispalvelut",
        "info": {
            "purposes": "Palvelun järjestäminen", "legal_basis": "Lakisääteinen tehtävä",
            "data_categories": "Yhteystiedot", "recipients": "Kela", "sources": "Asiakas",
            "retention": "12 vuotta", "transfers": "Ei siirtoja",
            "retention_rules": [{ "code": "client_record", "years": 12, "start": "case_closed" }]
        }
    }))
    .await;
    assert_eq!(status, StatusCode::OK, "{expected}");
    assert_eq!(expected["info"]["retention_rules"][0]["years"], 12);
    let changes = [
        ("name", json!("Turvakodin rekisteri")),
        ("description", json!("Uusi kuvaus")),
    ];
    for (field, value) in changes {
        let (status, after) = patch(json!({ field: value.clone() })).await;
        assert_eq!(status, StatusCode::OK, "{after}");
        expected[field] = value;
        assert_eq!(after, expected, "patching only {field}");
    }
    for field in [
        "purposes",
        "legal_basis",
        "data_categories",
        "recipients",
        "sources",
        "retention",
        "transfers",
    ] {
        let value = json!(format!("uusi {field}"));
        let (status, after) = patch(json!({ "info": { field: value.clone() } })).await;
        assert_eq!(status, StatusCode::OK, "{after}");
        expected["info"][field] = value;
        assert_eq!(after, expected, "patching only info.{field}");
    }
    // null clears one text (it is then left out of the output), and only that one.
    let (_, after) = patch(json!({ "info": { "sources": null } })).await;
    expected["info"].as_object_mut().unwrap().remove("sources");
    assert_eq!(after, expected);
    let (_, after) = patch(json!({ "description": null })).await;
    expected["description"] = Value::Null;
    assert_eq!(after, expected);
    // An empty body changes nothing; the list shows what was stored.
    let (_, after) = patch(json!({})).await;
    assert_eq!(after, expected);
    let (_, list) = app.get("/api/v1/registers", Some(&app.org.admin)).await;
    let stored = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["slug"] == "turvakoti")
        .unwrap();
    assert_eq!(stored, &expected);

    // Roles, validation and other organisations.
    let (status, _) = app
        .send(
            app.client
                .patch(format!("{}/api/v1/registers/turvakoti", app.base))
                .json(&json!({ "name": "x" })),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = patch(json!({ "name": "  " })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = patch(json!({ "slug": "uusi" })).await;
    assert!(status.is_client_error(), "the slug cannot change: {status}");
    let other_admin = app.login("admin@muu-kunta.example").await;
    let (status, _) = app
        .send(
            app.client
                .patch(format!("{}/api/v1/registers/nothing-here", app.base))
                .json(&json!({ "name": "x" })),
            Some(&other_admin),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// An admin gives a user a new password: the old one stops working, the new one works.
#[actix_web::test]
async fn an_admin_resets_a_users_password() {
    let app = TestApp::spawn().await;
    let id = &app.org.staff_id;
    let reset = |who: String, password: &'static str| {
        let req = app
            .client
            .put(format!("{}/api/v1/users/{id}/password", app.base))
            .json(&json!({ "password": password }));
        let app = &app;
        async move { app.send(req, Some(&who)).await }
    };
    let (status, _) = reset(app.org.staff.clone(), "a brand new passphrase").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = reset(app.org.admin.clone(), "short").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = reset(app.org.admin.clone(), "a brand new passphrase").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let login = |password: &str| {
        app.post(
            "/api/v1/auth/token",
            None,
            json!({ "email": "staff@satama.example", "password": password }),
        )
    };
    assert_eq!(login(common::PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login("a brand new passphrase").await.0, StatusCode::OK);
    let other_admin = app.login("admin@muu-kunta.example").await;
    let (status, _) = reset(other_admin.clone(), "yet another passphrase").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// PATCH /users/{id}: each field sent alone changes that field and keeps every other one.
#[actix_web::test]
async fn patching_each_user_field_alone_keeps_the_others() {
    let app = TestApp::spawn().await;
    let id = &app.org.staff_id;
    let patch = |body: Value| {
        app.send(
            app.client
                .patch(format!("{}/api/v1/users/{id}", app.base))
                .json(&body),
            Some(&app.org.admin),
        )
    };
    let (status, mut expected) = patch(json!({})).await;
    assert_eq!(status, StatusCode::OK, "{expected}");
    for (field, value) in [
        ("name", json!("Uusi Nimi")),
        ("title", json!("johtava sosiaalityöntekijä")),
        ("role", json!("dpo")),
        ("active", json!(false)),
        ("active", json!(true)),
        ("role", json!("staff")),
    ] {
        let (status, after) = patch(json!({ field: value.clone() })).await;
        assert_eq!(status, StatusCode::OK, "{after}");
        expected[field] = value;
        assert_eq!(after, expected, "patching only {field}");
    }
    let (_, users) = app.get("/api/v1/users", Some(&app.org.admin)).await;
    let stored = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == json!(id))
        .unwrap();
    assert_eq!(stored, &expected);
}
