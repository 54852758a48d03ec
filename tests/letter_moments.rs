//! A letter is a record of one moment: what it states comes from a snapshot taken with the
//! action that called for it, and it bears the date that action took effect. Each test
//! renders the real letter late, backdated, in or out of the grace period, and reads its
//! sentences back out of the PDF.

mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn pdf_text(bytes: &[u8]) -> String {
    rightsdesk::pdf::extract_text(bytes).expect("a readable PDF")
}

async fn documents_of(app: &TestApp, id: &str) -> Vec<Value> {
    let (status, body) = app
        .get(
            &format!("/api/v1/requests/{id}/documents"),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array().unwrap().clone()
}

/// The text of the newest stored document of `kind`.
async fn letter(app: &TestApp, id: &str, kind: &str) -> String {
    let docs = documents_of(app, id).await;
    let doc = docs
        .iter()
        .rev()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} among {docs:?}"));
    let res = app
        .client
        .get(format!(
            "{}/api/v1/documents/{}",
            app.base,
            doc["id"].as_str().unwrap()
        ))
        .bearer_auth(&app.org.staff)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    pdf_text(&res.bytes().await.unwrap())
}

fn has(text: &str, expected: &[&str]) {
    for e in expected {
        assert!(text.contains(e), "missing {e:?} in\n{text}");
    }
}

fn has_not(text: &str, unexpected: &[&str]) {
    for e in unexpected {
        assert!(!text.contains(e), "{e:?} should not be in\n{text}");
    }
}

async fn write_queued_letters(app: &TestApp) -> usize {
    rightsdesk::jobs::run_once(app.ctx.clone(), "w")
        .await
        .unwrap()
        .letters
}

/// A request keyed in by staff; returns its id.
async fn staff_request(app: &TestApp, channel: &str, received_on: &str, lang: &str) -> String {
    let (status, body) = app
        .post(
            "/api/v1/requests",
            Some(&app.org.staff),
            json!({
                "kind": "access", "language": lang, "channel": channel, "received_on": received_on,
                "subject": { "name": "Outi Esimerkki", "personal_id": "131052-308T", "contact_channel": "post",
                             "postal_address": "Kotikatu 5, 00100 Helsinki" },
                "details": { "scope": "whole_record", "form": "electronic" }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_string()
}

async fn public_request(app: &TestApp) -> String {
    let (status, body) = app.submit_public(|_| {}).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_str().unwrap().to_string()
}

const EXTENSION_REASON: &str = "Pyyntö koskee useita rekistereitä ja vuosien kirjauksia.";

#[actix_rt::test]
async fn an_acknowledgement_written_after_an_extension_states_the_one_month_rule() {
    let app = TestApp::spawn().await;
    // Received Monday 16.11.2026: one month gives 16.12.2026, the extension 16.2.2027.
    let id = public_request(&app).await;
    app.set_today("2026-11-20");
    app.act_ok(
        &id,
        json!({ "action": "extend", "reason": EXTENSION_REASON }),
    )
    .await;
    assert_eq!(write_queued_letters(&app).await, 1);
    let text = letter(&app, &id, "acknowledgement").await;
    has(
        &text,
        &[
            "viimeistään kuukauden kuluessa",
            "Vastaamme siis viimeistään 16.12.2026",
            "ensimmäisen kuukauden aikana eli viimeistään 16.12.2026",
            "16.11.2026",
        ],
    );
    // Neither the extended due date nor the day the worker wrote it.
    has_not(&text, &["16.2.2027", "20.11.2026"]);
}

#[actix_rt::test]
async fn a_job_queued_without_a_snapshot_is_written_from_the_request_as_it_is() {
    let app = TestApp::spawn().await;
    let id = public_request(&app).await;
    // As a job queued before snapshots existed.
    app.db.execute(&format!(
        "UPDATE letter_jobs SET snapshot = NULL WHERE request_id = '{id}'"
    ));
    app.act_ok(
        &id,
        json!({ "action": "extend", "reason": EXTENSION_REASON }),
    )
    .await;
    assert_eq!(write_queued_letters(&app).await, 1);
    let text = letter(&app, &id, "acknowledgement").await;
    has(&text, &["16.2.2027"]);
}

#[actix_rt::test]
async fn a_request_keyed_in_late_is_acknowledged_as_of_entry_with_its_true_due_date() {
    let app = TestApp::spawn().await;
    // Received Friday 6.11.2026 by letter, keyed in ten days later on Monday 16.11. One
    // month gives Sunday 6.12.2026 (Independence Day), rolled to Monday 7.12.2026.
    let id = staff_request(&app, "letter", "2026-11-06", "fi").await;
    // The worker writes the letter only after the due date has passed.
    app.set_today("2026-12-10");
    assert_eq!(write_queued_letters(&app).await, 1);
    let text = letter(&app, &id, "acknowledgement").await;
    has(
        &text,
        &[
            "Pyyntösi saapui meille 6.11.2026",
            "Kirjasimme pyynnön 16.11.2026",
            "lasketaan päivästä, jona pyyntö saapui meille",
            "Vastaamme siis viimeistään 7.12.2026",
        ],
    );
    has_not(&text, &["10.12.2026", "Määräaika on jo päättynyt"]);
}

#[actix_rt::test]
async fn a_request_keyed_in_after_its_due_date_does_not_promise_a_past_date() {
    let app = TestApp::spawn().await;
    // Received Saturday 10.10.2026; one month gives Tuesday 10.11.2026, before entry on 16.11.
    let id = staff_request(&app, "letter", "2026-10-10", "en").await;
    assert_eq!(write_queued_letters(&app).await, 1);
    let text = letter(&app, &id, "acknowledgement").await;
    has(
        &text,
        &[
            "We should have answered the request by 10 November 2026",
            "That time limit has already passed",
            "We recorded the request on 16 November 2026",
        ],
    );
    has_not(
        &text,
        &[
            "We will therefore answer by",
            "within the first month, that is by",
        ],
    );
}

#[actix_rt::test]
async fn the_acknowledgement_says_how_the_client_gets_a_status_code() {
    let app = TestApp::spawn().await;
    let web = public_request(&app).await;
    let by_letter = staff_request(&app, "letter", "2026-11-16", "fi").await;
    let at_desk = staff_request(&app, "in_person", "2026-11-16", "fi").await;
    let by_phone = staff_request(&app, "phone", "2026-11-16", "sv").await;
    assert_eq!(write_queued_letters(&app).await, 4);
    let wrong = "sähköpostissa tai kuitissa";

    let text = letter(&app, &web, "acknowledgement").await;
    has(&text, &["Tilakoodi näytettiin sivulla"]);
    has_not(&text, &[wrong, "Työntekijämme antoi"]);

    let text = letter(&app, &by_letter, "acknowledgement").await;
    has(
        &text,
        &[
            "Jos tämän kirjeen mukana ei ollut erillistä kuittia, jossa on tilakoodi, sinulla ei vielä ole tilakoodia",
            "annamme sinulle tilakoodin, kun olemme varmistaneet henkilöllisyytesi",
        ],
    );
    has_not(
        &text,
        &[wrong, "Tilakoodi näytettiin", "Työntekijämme antoi"],
    );

    let text = letter(&app, &at_desk, "acknowledgement").await;
    has(&text, &["Työntekijämme antoi sinulle tilakoodin"]);
    has_not(&text, &[wrong, "Tilakoodi näytettiin"]);

    let text = letter(&app, &by_phone, "acknowledgement").await;
    has(&text, &["Vår anställda gav dig statuskoden"]);
    has_not(&text, &["per e-post eller på kvittot"]);
}

#[actix_rt::test]
async fn an_identity_request_is_dated_the_day_the_clock_stopped() {
    let app = TestApp::spawn().await;
    let id = public_request(&app).await;
    // Recorded on 20.11, asked on 18.11: within the 7-day grace period, so the clock stops.
    app.set_today("2026-11-20");
    app.act_ok(
        &id,
        json!({ "action": "request_identity", "on": "2026-11-18", "message": "Käy toimipisteessä." }),
    )
    .await;
    let text = letter(&app, &id, "identity_request").await;
    has(
        &text,
        &[
            "18.11.2026",
            "Määräaika pysähtyi tämän kirjeen päivänä 18.11.2026",
            "Määräaika oli 16.12.2026",
        ],
    );
    has_not(&text, &["20.11.2026", "Määräaika ei pysähdy"]);
    // Only the methods the organisation offers, in their one order: no strong electronic
    // identification without a configured provider.
    has_not(&text, &["verkkopankkitunnuksilla"]);
    let in_person = text.find("Käy toimipisteessämme").expect("in person");
    let signed = text
        .find("omakätisesti allekirjoitettu")
        .expect("signed form");
    let known = text.find("tuntee sinut").expect("known contact");
    assert!(in_person < signed && signed < known, "{text}");

    // Written again a week later, it states the same moment.
    app.set_today("2026-11-27");
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/letters"),
            Some(&app.org.staff),
            json!({ "kind": "identity_request" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let again = letter(&app, &id, "identity_request").await;
    has(
        &again,
        &["Määräaika pysähtyi tämän kirjeen päivänä 18.11.2026"],
    );
    has_not(&again, &["27.11.2026"]);
}

#[actix_rt::test]
async fn a_clarification_asked_after_the_grace_period_does_not_claim_a_pause() {
    let app = TestApp::spawn().await;
    let id = public_request(&app).await;
    // Fourteen days after receipt: past the 7-day grace period, the clock runs on.
    app.set_today("2026-11-30");
    let res = app
        .act_ok(
            &id,
            json!({ "action": "request_clarification", "message": "Mitä vuosia pyyntö koskee?" }),
        )
        .await;
    assert_eq!(res["due_on"], "2026-12-16", "{res}");
    let text = letter(&app, &id, "clarification_request").await;
    has(
        &text,
        &[
            "30.11.2026",
            "Määräaika ei pysähdy tämän pyynnön vuoksi",
            "Vastaamme viimeistään 16.12.2026",
        ],
    );
    has_not(&text, &["pysähtyi", "ei kulu sinä aikana"]);
}

#[actix_rt::test]
async fn a_backdated_extension_notice_is_dated_the_day_it_was_given() {
    let app = TestApp::spawn().await;
    let id = staff_request(&app, "letter", "2026-11-16", "sv").await;
    app.set_today("2026-12-02");
    app.act_ok(
        &id,
        json!({ "action": "extend", "on": "2026-11-25", "reason": EXTENSION_REASON }),
    )
    .await;
    let text = letter(&app, &id, "extension_notice").await;
    has(
        &text,
        &[
            "25.11.2026",
            "har skickats den 25.11.2026",
            "16.2.2027",
            "16.12.2026",
        ],
    );
    has_not(&text, &["2.12.2026", "har getts"]);
}

#[actix_rt::test]
async fn decision_letters_enclose_in_words_only_what_goes_with_them() {
    let app = TestApp::spawn().await;
    // Rectification with nobody the data was disclosed to.
    let (status, body) = app
        .post(
            "/api/v1/requests",
            Some(&app.org.staff),
            json!({
                "kind": "rectification", "language": "fi", "channel": "letter", "received_on": "2026-11-10",
                "registers": ["turvakoti"],
                "subject": { "name": "Outi Oikaisija", "personal_id": "131052-308T", "contact_channel": "pick_up" },
                "details": { "items": [{ "what_is_wrong": "Osoite", "should_say": "Kotikatu 5" },
                                       { "what_is_wrong": "Arvio", "should_say": "Poistettava" }] }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let rect = body["id"].as_str().unwrap().to_string();
    app.act_ok(
        &rect,
        json!({ "action": "verify_identity", "method": "in_person" }),
    )
    .await;
    for (n, description, decision) in [
        (
            1,
            "Osoite",
            json!({ "decision": "done", "before": "Tie 1", "after": "Kotikatu 5", "reason": "Osoite oli vanha." }),
        ),
        (
            2,
            "Arvio",
            json!({ "decision": "refused", "ground": "gdpr_16",
                    "explanation": "Merkintä on ammattihenkilön arvio, ja se on kirjattu oikein." }),
        ),
    ] {
        let (s, b) = app
            .post(
                &format!("/api/v1/requests/{rect}/items"),
                Some(&app.org.staff),
                json!({ "description": description, "register": "turvakoti" }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, b) = app
            .post(
                &format!("/api/v1/requests/{rect}/items/{n}/decision"),
                Some(&app.org.staff),
                decision,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    app.set_today("2026-11-20");
    app.act_ok(&rect, json!({ "action": "complete", "on": "2026-11-19" }))
        .await;
    let answer = letter(&app, &rect, "rectification_done").await;
    has(
        &answer,
        &[
            "Kieltäytymistodistus",
            "Tietoja ei ollut luovutettu kenellekään",
            "19.11.2026",
        ],
    );
    has_not(&answer, &[".pdf", "Emme ole ilmoittaneet", "20.11.2026"]);
    // A certificate written again lists no enclosures, least of all itself.
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{rect}/letters"),
            Some(&app.org.staff),
            json!({ "kind": "refusal_certificate" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let certificate = letter(&app, &rect, "refusal_certificate").await;
    has(&certificate, &["19.11.2026"]);
    has_not(&certificate, &["Liitteet", ".pdf", "20.11.2026"]);
}

#[actix_rt::test]
async fn every_letter_kind_in_every_language_bears_its_snapshots_date_not_the_render_day() {
    use rightsdesk::domain::enums::Language;
    use rightsdesk::letters::LetterKind;
    use rightsdesk::services::documents;
    use rightsdesk::services::request::Request;

    let app = TestApp::spawn().await;
    let id = staff_request(&app, "letter", "2026-11-10", "fi").await;
    app.set_today("2026-11-20");
    app.act_ok(
        &id,
        json!({ "action": "refuse", "on": "2026-11-18", "grounds": ["gdpr_12_5"],
                "explanation": "Sama pyyntö on käsitelty kolme kertaa tänä vuonna." }),
    )
    .await;
    // Rendered a week after the refusal took effect, from a snapshot of that day.
    app.set_today("2026-11-25");
    let ctx = app.ctx.clone();
    let desk = ctx.letter_desk();
    let mut conn = ctx.pool.get().unwrap();
    let mut request = Request::load(&mut conn, &app.org_id(), &id).unwrap();
    let snapshot =
        documents::take_snapshot(desk, &mut conn, &request, "2026-11-18".parse().unwrap()).unwrap();
    for lang in [Language::Fi, Language::Sv, Language::En] {
        request.row.language = lang;
        let (dated, rendered) = match lang {
            Language::En => ("18 November 2026", "25 November 2026"),
            _ => ("18.11.2026", "25.11.2026"),
        };
        // Appeal instructions are a public authority's; this organisation is not one.
        for kind in LetterKind::ALL
            .iter()
            .filter(|k| **k != LetterKind::AppealInstructions)
        {
            let pdf =
                documents::render_letter_as_of(desk, &mut conn, &request, *kind, None, &snapshot)
                    .unwrap_or_else(|e| panic!("{kind} {lang}: {e}"));
            let text = pdf_text(&pdf);
            assert!(text.contains(dated), "{kind} {lang}: no {dated}\n{text}");
            assert!(
                !text.contains(rendered),
                "{kind} {lang}: the render day {rendered}\n{text}"
            );
        }
    }
}
