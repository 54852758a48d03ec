//! Casework in the desk beyond the actions: files uploaded and withheld after all, letters
//! made again and the export bundle, review clearance, messages the client reads on the
//! status page, the printable receipt with the status code, and the log-data pages.

mod common;

use common::visitor::{csrf_of, post_form, signed_in, visible_text};
use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn access_request(app: &TestApp) -> String {
    let created = app
        .submit_staff(
            "access",
            "2026-11-16",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    created["id"].as_str().unwrap().to_string()
}

fn file_form(
    csrf: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new().text("csrf", csrf.to_string());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    if let Some((name, media, bytes)) = file {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec())
                .file_name(name.to_string())
                .mime_str(media)
                .unwrap(),
        );
    }
    form
}

#[actix_rt::test]
async fn a_file_is_uploaded_from_the_desk_and_withheld_after_all() {
    let app = TestApp::spawn_with(|s| s.documents.max_upload_mb = 1).await;
    let id = access_request(&app).await;
    let mut v = signed_in(&app, "staff@satama.example").await;
    let page = format!("/desk/requests/{id}/files/new?lang=en");
    let (status, _, html) = v.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"enctype="multipart/form-data""#), "{html}");
    let csrf = csrf_of(&html);
    let register = [("register", "turvakoti"), ("title", "Care plan 2026")];

    // A forged form stores nothing.
    let (status, _, _) = v
        .post_multipart(
            &page,
            file_form(
                "forged-csrf-value-that-is-long-enough",
                &register,
                Some(("plan.pdf", "application/pdf", b"%PDF-1.7 x")),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // No file, then a file over the limit, then a type the service does not keep.
    let (status, _, html) = v
        .post_multipart(&page, file_form(&csrf, &register, None))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-file""##), "{html}");
    let big = vec![b'x'; 1024 * 1024 + 1];
    let (status, _, html) = v
        .post_multipart(
            &page,
            file_form(&csrf, &register, Some(("big.pdf", "application/pdf", &big))),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(visible_text(&html).contains("1"), "{html}");
    let (status, _, html) = v
        .post_multipart(
            &page,
            file_form(
                &csrf,
                &register,
                Some(("run.exe", "application/x-msdownload", b"MZ")),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-file""##), "{html}");
    let (_, listed) = app
        .get(
            &format!("/api/v1/requests/{id}/attachments"),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(listed, json!([]), "nothing was kept of the failed posts");

    let (status, headers, body) = v
        .post_multipart(
            &page,
            file_form(
                &csrf,
                &register,
                Some(("plan.pdf", "application/pdf", b"%PDF-1.7 plan")),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let location = headers["location"].to_str().unwrap().to_string();
    let (_, _, html) = v.get(&location).await;
    let text = visible_text(&html);
    assert!(
        text.contains("The file is added.") && text.contains("Care plan 2026"),
        "{text}"
    );
    let (_, listed) = app
        .get(
            &format!("/api/v1/requests/{id}/attachments"),
            Some(&app.org.staff),
        )
        .await;
    let attachment = listed[0]["id"].as_str().unwrap().to_string();
    assert_eq!(listed[0]["kind"], "file");
    assert_eq!(listed[0]["withheld_ground"], Value::Null);

    // Withheld after all: the ground is required, and one that does not fit is refused.
    let change = format!("/desk/requests/{id}/material/{attachment}?lang=en");
    assert!(
        html.contains(&format!("/desk/requests/{id}/material/{attachment}")),
        "linked from the case"
    );
    let (status, _, html) = post_form(&mut v, &change, &change, &[("withheld", "on")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-withheld_ground""##), "{html}");
    let (status, location, body) = post_form(
        &mut v,
        &change,
        &change,
        &[
            ("withheld", "on"),
            ("withheld_ground", "gdpr_15_4"),
            ("withheld_reason", "It names another person"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, html) = v.get(&location).await;
    assert!(visible_text(&html).contains("Withheld"), "{html}");
    let (_, listed) = app
        .get(
            &format!("/api/v1/requests/{id}/attachments"),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(listed[0]["withheld_ground"], "gdpr_15_4");
    assert_eq!(listed[0]["withheld_reason"], "It names another person");
    // The trail says what changed, not the reason's words.
    let (_, events) = app
        .get(
            &format!("/api/v1/requests/{id}/events"),
            Some(&app.org.staff),
        )
        .await;
    let trail = events.to_string();
    assert!(trail.contains("attachment_withholding_changed"), "{trail}");
    assert!(!trail.contains("It names another person"), "{trail}");

    // And given again, through the API this time: the reason goes with the ground.
    let (status, out) = app
        .post(
            &format!("/api/v1/requests/{id}/attachments/{attachment}/withholding"),
            Some(&app.org.staff),
            json!({ "withheld_ground": null, "withheld_reason": "left over" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["withheld_ground"], Value::Null);
    assert_eq!(out["withheld_reason"], Value::Null);
    let (status, out) = app
        .post(
            &format!("/api/v1/requests/{id}/attachments/no-such-attachment/withholding"),
            Some(&app.org.staff),
            json!({ "withheld_ground": "gdpr_15_4", "withheld_reason": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{out}");
}

#[actix_rt::test]
async fn letters_are_made_again_and_the_bundle_built_from_the_case_page() {
    let app = TestApp::spawn().await;
    let id = access_request(&app).await;
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "in_person" }),
    )
    .await;
    // A letter made through the API (the worker's own may not have run yet) is offered again.
    let (status, made) = app
        .post(
            &format!("/api/v1/requests/{id}/letters"),
            Some(&app.org.staff),
            json!({ "kind": "acknowledgement" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let mut v = signed_in(&app, "staff@satama.example").await;
    let case = format!("/desk/requests/{id}?lang=en");
    let (_, _, html) = v.get(&case).await;
    assert!(
        html.contains(r#"<option value="acknowledgement">"#),
        "{html}"
    );
    let before = app
        .get(
            &format!("/api/v1/requests/{id}/documents"),
            Some(&app.org.staff),
        )
        .await
        .1
        .as_array()
        .unwrap()
        .len();

    let letter = format!("/desk/requests/{id}/documents/letter?lang=en");
    let (status, location, body) =
        post_form(&mut v, &case, &letter, &[("kind", "acknowledgement")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, html) = v.get(&location).await;
    assert!(visible_text(&html).contains("The letter is made again."));
    // A letter that states a decision the request has not got is refused in words.
    let (status, _, html) =
        post_form(&mut v, &case, &letter, &[("kind", "refusal_certificate")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        visible_text(&html).contains("This letter cannot be made"),
        "{html}"
    );

    let bundle = format!("/desk/requests/{id}/documents/bundle?lang=en");
    let (status, _, body) = post_form(&mut v, &case, &bundle, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, docs) = app
        .get(
            &format!("/api/v1/requests/{id}/documents"),
            Some(&app.org.staff),
        )
        .await;
    let kinds: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    // The letter made again, then the bundle with the access report it encloses.
    assert_eq!(kinds.len(), before + 3, "{kinds:?}");
    assert_eq!(
        kinds[before..],
        ["acknowledgement", "access_report", "bundle"]
    );
    let bundle_doc = docs.as_array().unwrap().last().unwrap();
    assert_eq!(
        bundle_doc["released_at"],
        Value::Null,
        "kept with staff unless ticked"
    );

    // A rectification has no bundle to build.
    let rect = app
        .submit_staff(
            "rectification",
            "2026-11-16",
            json!({ "items": [{ "what_is_wrong": "Osoite", "should_say": "Kotikatu 1" }] }),
        )
        .await;
    let rect = rect["id"].as_str().unwrap();
    let (_, _, html) = v.get(&format!("/desk/requests/{rect}?lang=en")).await;
    assert!(!html.contains("/documents/bundle"), "not offered");
}

#[actix_rt::test]
async fn a_document_is_given_to_the_client_and_kept_with_staff_from_the_case_page() {
    let app = TestApp::spawn().await;
    // A request that needs no extra check (the staff helper's uses a temporary code).
    let (status, created) = app.submit_public(|_| {}).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let mut v = signed_in(&app, "staff@satama.example").await;
    let case = format!("/desk/requests/{id}?lang=en");
    let bundle = format!("/desk/requests/{id}/documents/bundle?lang=en");
    let (status, _, body) = post_form(&mut v, &case, &bundle, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, docs) = app
        .get(
            &format!("/api/v1/requests/{id}/documents"),
            Some(&app.org.staff),
        )
        .await;
    let doc = docs.as_array().unwrap().last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let release = format!("/desk/requests/{id}/documents/{doc}/release?lang=en");

    // Each document says in words where it is, with a button for the other way.
    let (_, _, html) = v.get(&case).await;
    let text = visible_text(&html);
    assert!(
        text.contains("Kept with staff: the client cannot see this document."),
        "{text}"
    );
    assert!(html.contains(&format!(r#"action="{}""#, release.replace('&', "&amp;"))));
    assert!(
        text.contains("Give to the client (Signed data bundle)"),
        "{text}"
    );

    let (status, location, body) = post_form(&mut v, &case, &release, &[("release", "yes")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, html) = v.get(&location).await;
    let text = visible_text(&html);
    assert!(
        text.contains("The document has been given to the client."),
        "{text}"
    );
    assert!(
        text.contains("Given to the client: they can download it until"),
        "{text}"
    );
    assert!(
        text.contains("Keep with staff (Signed data bundle)"),
        "{text}"
    );
    let (_, docs) = app
        .get(
            &format!("/api/v1/requests/{id}/documents"),
            Some(&app.org.staff),
        )
        .await;
    assert!(docs.as_array().unwrap().last().unwrap()["released_at"].is_string());

    let (status, location, _) = post_form(&mut v, &case, &release, &[("release", "no")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = v.get(&location).await;
    let text = visible_text(&html);
    assert!(
        text.contains("The document is now kept with staff."),
        "{text}"
    );
    let (_, docs) = app
        .get(
            &format!("/api/v1/requests/{id}/documents"),
            Some(&app.org.staff),
        )
        .await;
    assert!(docs.as_array().unwrap().last().unwrap()["released_at"].is_null());

    // In Finnish and Swedish too, in words.
    let (_, _, html) = v.get(&format!("/desk/requests/{id}?lang=fi")).await;
    assert!(visible_text(&html).contains("Anna asiakkaalle"));
    let (_, _, html) = v.get(&format!("/desk/requests/{id}?lang=sv")).await;
    assert!(visible_text(&html).contains("Lämna ut till klienten"));

    // Without the form's CSRF value nothing changes.
    let res = v
        .post_raw(&release, &[("csrf", "forged"), ("release", "yes")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[actix_rt::test]
async fn a_document_waits_in_the_desk_for_the_review_to_be_cleared() {
    let app = TestApp::spawn().await;
    let (status, created) = app
        .submit_public(|b| {
            b["subject"] = json!({ "name": "Lapsi", "personal_id": "010516B903X", "contact_channel": "pick_up" });
            b["representative"] = json!({ "name": "Huoltaja", "relationship": "guardian", "email": "h@example.fi" });
        })
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    let (status, bundle) = app
        .post(
            &format!("/api/v1/requests/{id}/bundle"),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{bundle}");
    let doc = bundle["id"].as_str().unwrap();
    let mut v = signed_in(&app, "staff@satama.example").await;
    let case = format!("/desk/requests/{id}?lang=en");
    let release = format!("/desk/requests/{id}/documents/{doc}/release?lang=en");
    let (status, _, html) = post_form(&mut v, &case, &release, &[("release", "yes")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let text = visible_text(&html);
    assert!(
        text.contains("Clear the check before giving documents to the client."),
        "{text}"
    );
    assert!(!text.contains("review_not_cleared"), "words, not a code");
}

#[actix_rt::test]
async fn a_message_reaches_the_status_page_and_does_not_stop_the_clock() {
    let app = TestApp::spawn().await;
    let (_, created) = app.submit_public(|_| {}).await;
    let id = created["id"].as_str().unwrap();
    let reference = created["reference"].as_str().unwrap();
    let token = created["status_token"].as_str().unwrap();
    let (_, before) = app
        .get(&format!("/api/v1/requests/{id}"), Some(&app.org.staff))
        .await;

    let mut v = signed_in(&app, "staff@satama.example").await;
    let case = format!("/desk/requests/{id}?lang=en");
    let send = format!("/desk/requests/{id}/messages?lang=en");
    let (status, _, html) = post_form(&mut v, &case, &send, &[("body", "  ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="f-message-error""#), "{html}");
    let words = "We have asked the family centre for your records; they arrive next week.";
    let (status, location, body) = post_form(&mut v, &case, &send, &[("body", words)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, html) = v.get(&location).await;
    assert!(visible_text(&html).contains(words));

    // The clock and the state are as they were.
    let (_, after) = app
        .get(&format!("/api/v1/requests/{id}"), Some(&app.org.staff))
        .await;
    for field in ["state", "due_on", "clock_stopped", "paused_days"] {
        assert_eq!(after[field], before[field], "{field}");
    }
    // The client reads it on the status page, without the writer's name.
    let resp = app
        .client
        .get(format!("{}/api/v1/requests/{reference}/status", app.base))
        .header("X-Status-Token", token)
        .send()
        .await
        .unwrap();
    let status_view: Value = resp.json().await.unwrap();
    assert_eq!(status_view["messages"][0]["body"], words);
    assert!(
        !status_view.to_string().contains("staff of"),
        "no staff name: {status_view}"
    );
    // The trail names the message, not its words.
    let (_, events) = app
        .get(
            &format!("/api/v1/requests/{id}/events"),
            Some(&app.org.staff),
        )
        .await;
    assert!(events.to_string().contains("message_sent"));
    assert!(!events.to_string().contains("family centre"));
    // The DPO reads messages but does not send them.
    let (status, listed) = app
        .get(
            &format!("/api/v1/requests/{id}/messages"),
            Some(&app.org.dpo),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed[0]["body"], words);
    let (status, _) = app
        .post(
            &format!("/api/v1/requests/{id}/messages"),
            Some(&app.org.dpo),
            json!({ "body": "Hello" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_rt::test]
async fn the_intake_receipt_carries_the_code_and_is_not_kept() {
    let app = TestApp::spawn().await;
    let mut v = signed_in(&app, "staff@satama.example").await;
    let page = "/desk/intake/access?lang=en";
    let (status, _, html) = post_form(
        &mut v,
        page,
        page,
        &[
            ("received_on", "6.11.2026"),
            ("channel", "letter"),
            ("service_language", "sv"),
            ("details.scope", "whole_record"),
            ("details.form", "paper"),
            ("subject.name", "Kirje Kirjoittaja"),
            ("subject.personal_id", "131052-308T"),
            ("subject.contact_channel", "pick_up"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{html}");
    let field = |name: &str| {
        let marker = format!(r#"name="{name}" value=""#);
        let at = html.find(&marker).unwrap() + marker.len();
        html[at..at + html[at..].find('"').unwrap()].to_string()
    };
    let code = field("status_code");
    let csrf = csrf_of(&html);
    let action_at = html.find("/receipt?lang=en").unwrap();
    let start = html[..action_at].rfind('"').unwrap() + 1;
    let action = &html[start..action_at + "/receipt?lang=en".len()];

    let resp = v
        .post_raw(action, &[("csrf", &csrf), ("status_code", &code)])
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let pdf = resp.bytes().await.unwrap();
    let text = rightsdesk::pdf::extract_text(&pdf).unwrap();
    assert!(text.contains(&code), "the code is on the receipt");
    assert!(
        text.contains("Kvitto"),
        "in the client's language (Swedish): {text}"
    );

    // Not stored as a document; a wrong code gives no receipt.
    let (_, listed) = app
        .get("/api/v1/requests?limit=5", Some(&app.org.staff))
        .await;
    let id = listed["items"][0]["id"].as_str().unwrap();
    let (_, docs) = app
        .get(
            &format!("/api/v1/requests/{id}/documents"),
            Some(&app.org.staff),
        )
        .await;
    assert!(!docs.to_string().contains("receipt"), "{docs}");
    let resp = v
        .post_raw(
            action,
            &[("csrf", &csrf), ("status_code", "AAAA-BBBB-CCCC")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = v.post_raw(action, &[("status_code", &code)]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "no CSRF, no receipt");

    // The history names the printing in words (it said "other event").
    let (_, _, html) = v.get(&format!("/desk/requests/{id}?lang=en")).await;
    let text = visible_text(&html);
    assert!(
        text.contains("Receipt printed") && !text.contains("Other event"),
        "{text}"
    );
}

#[actix_rt::test]
async fn a_review_is_cleared_in_the_desk_with_what_was_checked() {
    let app = TestApp::spawn().await;
    // A guardian's request for a child is flagged for review.
    let (status, created) = app
        .submit_public(|b| {
            b["subject"] = json!({ "name": "Lapsi", "personal_id": "010516B903X", "contact_channel": "pick_up" });
            b["representative"] = json!({ "name": "Huoltaja", "relationship": "guardian", "email": "h@example.fi" });
        })
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap();
    let (_, full) = app
        .get(&format!("/api/v1/requests/{id}"), Some(&app.org.staff))
        .await;
    assert_eq!(full["needs_manual_review"], true, "{full}");
    let mut v = signed_in(&app, "staff@satama.example").await;
    let case = format!("/desk/requests/{id}?lang=en");
    let clear = format!("/desk/requests/{id}/review-clearance?lang=en");
    let (status, _, html) = post_form(&mut v, &case, &clear, &[("note", "ok")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"id="f-review-note-error""#), "{html}");
    let (status, location, body) = post_form(
        &mut v,
        &case,
        &clear,
        &[("note", "Guardianship checked in the population register")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, html) = v.get(&location).await;
    assert!(visible_text(&html).contains("The review is cleared."));
    assert!(!html.contains("/review-clearance"), "not offered twice");
}

#[actix_rt::test]
async fn log_data_is_read_held_back_by_user_and_reported_in_the_desk() {
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
    let event = |id: &str, at: &str, user: &str, unit: &str| {
        json!({ "event_id": id, "occurred_at": at, "subject_id": "131052-308T", "user_name": user,
                "user_title": "sosiaaliohjaaja", "unit": unit, "action": "view", "basis": "asiakkuus" })
        .to_string()
            + "\n"
    };
    // Two employees share a name; only the one in family services is held back.
    let body = [
        event(
            "e1",
            "2025-03-04T09:00:00+02:00",
            "Matti Esimerkki",
            "Perhepalvelut",
        ),
        event(
            "e2",
            "2025-03-04T10:00:00+02:00",
            "Matti Esimerkki",
            "Aikuissosiaalityö",
        ),
        event(
            "e3",
            "2025-03-05T10:00:00+02:00",
            "Liisa Virtanen",
            "Perhepalvelut",
        ),
    ]
    .concat();
    let (s, b) = app
        .send(
            app.client
                .post(format!(
                    "{}/api/v1/access-log/events?register=turvakoti",
                    app.base
                ))
                .header("content-type", "application/x-ndjson")
                .body(body),
            Some(&token),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app
        .post(
            "/api/v1/requests",
            Some(&app.org.staff),
            json!({ "kind": "log_inspection", "language": "fi", "channel": "letter", "received_on": "2026-11-02",
                    "registers": ["turvakoti"],
                    "subject": { "name": "Maija Meikäläinen", "personal_id": "131052-308T", "contact_channel": "pick_up" },
                    "details": { "period_from": "2024-11-02", "period_to": "2026-11-01",
                                 "misuse_suspected": true, "misuse_suspected_user": "Liisa Virtanen" } }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["id"].as_str().unwrap().to_string();
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "in_person" }),
    )
    .await;

    let mut v = signed_in(&app, "staff@satama.example").await;
    let (_, _, case) = v.get(&format!("/desk/requests/{id}?lang=en")).await;
    assert!(
        case.contains(&format!("/desk/requests/{id}/logs")),
        "linked from the case"
    );
    let page = format!("/desk/requests/{id}/logs?lang=en");
    let (status, _, html) = v.get(&page).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let text = visible_text(&html);
    assert!(
        text.contains("Matti Esimerkki, sosiaaliohjaaja, Perhepalvelut: 1 events"),
        "{text}"
    );
    assert!(
        text.contains("Matti Esimerkki, sosiaaliohjaaja, Aikuissosiaalityö: 1 events"),
        "{text}"
    );
    assert!(
        text.contains("Liisa Virtanen") && text.contains("suspected"),
        "{text}"
    );
    // The user key of the family-services Matti, as the page offers it.
    let label_at = html.find("Perhepalvelut: 1 events").unwrap();
    let input_at = html[..label_at]
        .rfind(r#"name="withhold_user" value=""#)
        .unwrap();
    let start = input_at + r#"name="withhold_user" value=""#.len();
    let key = &html[start..start + html[start..].find('"').unwrap()];

    let (status, location, body) = post_form(
        &mut v,
        &page,
        &page,
        &[
            ("withhold_user", key),
            ("withheld_ground", "act_703_2023_11"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.contains("done=log_report_made"), "{location}");
    let (_, docs) = app
        .get(
            &format!("/api/v1/requests/{id}/documents"),
            Some(&app.org.staff),
        )
        .await;
    let csv = docs
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "log_report_csv")
        .expect("a CSV report");
    let (_, raw) = {
        let resp = app
            .client
            .get(format!(
                "{}/api/v1/documents/{}",
                app.base,
                csv["id"].as_str().unwrap()
            ))
            .bearer_auth(&app.org.staff)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.text().await.unwrap())
    };
    assert!(
        raw.contains("Aikuissosiaalityö"),
        "the other Matti is given: {raw}"
    );
    assert_eq!(
        raw.matches("Matti Esimerkki").count(),
        1,
        "only one Matti: {raw}"
    );

    // The finding of the misuse investigation, from the same page.
    let finding = format!("/desk/requests/{id}/misuse-finding?lang=en");
    let (status, _, html) = post_form(&mut v, &page, &finding, &[("finding", "Checked.")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-misuse_found""##), "{html}");
    let (status, location, body) = post_form(
        &mut v,
        &page,
        &finding,
        &[
            ("misuse_found", "no"),
            ("finding", "Every use was part of your client relationship."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, html) = v.get(&location).await;
    let text = visible_text(&html);
    assert!(
        text.contains("The finding is recorded.") && text.contains("No, the use had a basis"),
        "{text}"
    );
}

#[actix_rt::test]
async fn recipients_are_recorded_and_marked_told_from_the_case_page() {
    let app = TestApp::spawn().await;
    let created = app
        .submit_staff(
            "rectification",
            "2026-11-16",
            json!({ "items": [{ "what_is_wrong": "Osoite", "should_say": "Kotikatu 1" }] }),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let mut v = signed_in(&app, "staff@satama.example").await;
    let case = format!("/desk/requests/{id}?lang=en");
    let add = format!("/desk/requests/{id}/recipients?lang=en");
    let (status, _, html) = post_form(&mut v, &case, &add, &[("name", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"class="error-summary""#), "{html}");
    let (status, _, _) = post_form(
        &mut v,
        &case,
        &add,
        &[("name", "Kela"), ("notified_on", "1.1.2030")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a day in the future"
    );
    let (status, location, body) = post_form(&mut v, &case, &add, &[("name", "Kela")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, html) = v.get(&location).await;
    assert!(visible_text(&html).contains("The recipient is recorded."));
    let (_, listed) = app
        .get(
            &format!("/api/v1/requests/{id}/recipients"),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(listed[0]["name"], "Kela");
    assert_eq!(listed[0]["notified_on"], serde_json::Value::Null);
    let recipient = listed[0]["id"].as_str().unwrap();

    let told = format!("/desk/requests/{id}/recipients/{recipient}?lang=en");
    assert!(html.contains(&format!("/desk/requests/{id}/recipients/{recipient}")));
    let (status, _, body) = post_form(&mut v, &case, &told, &[("on", "13.11.2026")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, listed) = app
        .get(
            &format!("/api/v1/requests/{id}/recipients"),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(listed[0]["notified_on"], "2026-11-13");
}
