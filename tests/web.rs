//! The pages people use, over real HTTP: forms drawn from the form definitions, CSRF,
//! validation errors next to their fields, receipts and status pages, rate limits, the
//! DPO's board behind a cookie session, and strong identification with OIDC ID tokens.
//! (The same pages in a real browser, with axe-core, are in `tests/browser/`.)

mod common;

use common::visitor::{csrf_of, Visitor};
use common::TestApp;
use reqwest::header::SET_COOKIE;
use reqwest::StatusCode;
use serde_json::{json, Value};

use rightsdesk::oidc::testkit::{hs256_token, unsigned_token, TestIssuer};

/// The text of the element with this id (no nested tags).
fn text_of(html: &str, id: &str) -> String {
    let at = html
        .find(&format!(r#"id="{id}">"#))
        .unwrap_or_else(|| panic!("#{id} in page"));
    let rest = &html[at + id.len() + 6..];
    rest[..rest.find('<').unwrap()].to_string()
}

#[actix_rt::test]
async fn pages_are_served_in_three_languages_with_strict_headers() {
    let app = TestApp::spawn().await;
    let mut v = Visitor::new(&app);
    for (lang, heading) in [
        ("fi", "Tietosuojapyynnöt"),
        ("sv", "Dataskydd"),
        ("en", "Data protection"),
    ] {
        let (status, headers, html) = v.get(&format!("/satama/?lang={lang}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!(r#"<html lang="{lang}">"#)));
        assert!(html.contains(heading), "{lang}: {heading}");
        assert!(
            html.contains("href=\"/satama/request/log_inspection?lang="),
            "every right has a form"
        );
        // And the same form on paper beside it, in the page's language.
        let pdf = format!("href=\"/satama/forms/log_inspection.pdf?lang={lang}\"");
        assert!(html.contains(&pdf), "{lang}: no paper form link");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"));
        assert_eq!(headers["referrer-policy"], "no-referrer");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(!html.contains("<script"), "no scripts anywhere");
    }
    for kind in [
        "access",
        "rectification",
        "erasure",
        "portability",
        "restriction",
        "objection",
        "log_inspection",
    ] {
        let (status, _, html) = v.get(&format!("/satama/request/{kind}?lang=sv")).await;
        assert_eq!(status, StatusCode::OK, "{kind}");
        assert!(
            html.contains(r#"name="subject.name""#)
                && html.contains(r#"<label for="f-subject-name">"#)
        );
        assert!(html.contains("Personbeteckning"), "{kind} in Swedish");
    }
    let (status, _, html) = v.get("/ei-ole/?lang=en").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("<html lang=\"en\">"));
    let (status, headers, _) = v.get("/static/site.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    let (status, _, html) = v.get("/satama/accessibility?lang=fi").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("satama ry") && html.contains("WCAG 2.1"));
    // The API's unknown paths still answer with problems, not pages.
    let resp = app
        .client
        .get(format!("{}/api/v1/nothing", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("problem+json"));
}

#[actix_rt::test]
async fn a_form_is_checked_like_the_api_and_then_received_for_good() {
    let app = TestApp::spawn().await;
    let mut v = Visitor::new(&app);
    let path = "/satama/request/rectification?lang=en";
    let (_, headers, html) = v.get(path).await;
    let cookie = headers[SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let csrf = csrf_of(&html);

    // Without the CSRF value nothing is stored.
    let (status, _, _) = v.post(path, &[("subject.name", "Åsa")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let stranger = reqwest::Client::new()
        .post(format!("{}{path}", app.base))
        .form(&[("csrf", csrf.as_str()), ("subject.name", "Åsa")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        stranger.status(),
        StatusCode::FORBIDDEN,
        "a value without its cookie"
    );

    // Errors are shown next to their fields, in the page's language, with values kept.
    let (status, _, html) = v
        .post(
            path,
            &[
                ("csrf", &csrf),
                ("subject.name", "Åsa Öberg"),
                ("subject.personal_id", "131052-308X"),
                ("subject.contact_channel", "email"),
                ("details.items[0].what_is_wrong", "My address"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"class="error-summary" role="alert""#));
    assert!(
        html.contains(r##"<a href="#f-subject-personal_id">"##),
        "summary links to the field"
    );
    assert!(html.contains(r#"id="f-subject-personal_id-error""#));
    assert!(html
        .contains(r#"aria-describedby="f-subject-personal_id-error f-subject-personal_id-help""#));
    assert!(
        html.contains(r#"id="f-details-items-0--should_say-error""#),
        "row field required"
    );
    assert!(
        html.contains(r#"value="Åsa Öberg""#),
        "typed values are kept"
    );
    assert!(html.contains(">My address</textarea>"));
    assert!(
        html.contains(r#"id="f-subject-email-error""#),
        "e-mail channel needs an address"
    );

    // Fixed: received, with the reference, the status code and the due date.
    let (status, _, html) = v
        .post(
            path,
            &[
                ("csrf", &csrf),
                ("subject.name", "Åsa Öberg"),
                ("subject.personal_id", "131052-308T"),
                ("subject.email", "asa@example.fi"),
                ("subject.contact_channel", "email"),
                ("details.items[0].what_is_wrong", "My address"),
                ("details.items[0].should_say", "Storgatan 1"),
                ("registers", "turvakoti"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{html}");
    let reference = text_of(&html, "reference");
    let token = text_of(&html, "status-token");
    assert!(reference.starts_with("SAT-2026-"), "{reference}");
    assert!(html.contains("16 December 2026"), "due date in English");

    // The request exists as if sent through the API, in the page's language.
    let (_, list) = app
        .get("/api/v1/requests?kind=rectification", Some(&app.org.staff))
        .await;
    let item = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reference"] == reference.as_str())
        .unwrap()
        .clone();
    let (_, full) = app
        .get(
            &format!("/api/v1/requests/{}", item["id"].as_str().unwrap()),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(full["language"], "en");
    assert_eq!(full["channel"], "web");
    assert_eq!(full["details"]["items"][0]["should_say"], "Storgatan 1");
    assert_eq!(full["registers"].as_array().unwrap().len(), 1);

    // The status link opens the status page; so does the lookup form.
    let (status, _, html) = v
        .get(&format!(
            "/satama/status?reference={reference}&token={token}&lang=sv"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&reference) && html.contains("Rätt till rättelse"));
    let (status, _, _) = v
        .get(&format!(
            "/muu-kunta/status?reference={reference}&token={token}"
        ))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "not under another organisation's name"
    );
    let (_, _, form) = v.get("/satama/status?lang=fi").await;
    let csrf = csrf_of(&form);
    let (status, _, html) = v
        .post(
            "/satama/status?lang=fi",
            &[
                ("csrf", &csrf),
                ("reference", &reference),
                ("token", &token),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"id="state""#));
    // Typed by hand: case, spaces and hyphens do not matter.
    let typed = token.to_lowercase().replace('-', " ");
    let lower = reference.to_lowercase();
    let (status, _, _) = v
        .post(
            "/satama/status?lang=fi",
            &[("csrf", &csrf), ("reference", &lower), ("token", &typed)],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "a hand-typed code opens the status");
    let (status, _, html) = v
        .post(
            "/satama/status?lang=fi",
            &[
                ("csrf", &csrf),
                ("reference", &reference),
                ("token", "wrong"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        html.contains(&format!(r#"value="{reference}""#)),
        "the reference is kept, the code is not"
    );
}

#[actix_rt::test]
async fn wrong_status_codes_are_limited_per_address() {
    let app = TestApp::spawn_with(|s| s.web.token_guess_limit = 3).await;
    let (_, created) = app.submit_public(|_| {}).await;
    let reference = created["reference"].as_str().unwrap();
    let guess = |token: &'static str| {
        app.client
            .get(format!("{}/api/v1/requests/{reference}/status", app.base))
            .header("X-Status-Token", token)
            .send()
    };
    let ok = guess_ok(&app, reference, created["status_token"].as_str().unwrap()).await;
    assert_eq!(ok, StatusCode::OK, "right answers do not count");
    for _ in 0..3 {
        assert_eq!(
            guess("wrong").await.unwrap().status(),
            StatusCode::NOT_FOUND
        );
    }
    let refused = guess("wrong").await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "too_many_requests");
    // The page says the same in the person's language.
    let mut v = Visitor::new(&app);
    let (status, headers, html) = v
        .get(&format!(
            "/satama/status?reference={reference}&token=x&lang=sv"
        ))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.contains_key("retry-after"));
    assert!(html.contains("<html lang=\"sv\">"));
}

async fn guess_ok(app: &TestApp, reference: &str, token: &str) -> StatusCode {
    app.client
        .get(format!("{}/api/v1/requests/{reference}/status", app.base))
        .header("X-Status-Token", token)
        .send()
        .await
        .unwrap()
        .status()
}

#[actix_rt::test]
async fn public_submissions_are_limited_per_client_address() {
    let app = TestApp::spawn_with(|s| {
        s.web.submit_limit = 2;
        s.web.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let send = |forwarded: &'static str| {
        let body = json!({
            "organisation": "satama", "kind": "access",
            "subject": { "name": "Maija", "personal_id": "131052-308T", "contact_channel": "pick_up" },
            "details": { "scope": "whole_record", "form": "electronic" }
        });
        app.client
            .post(format!("{}/api/v1/requests", app.base))
            .header("X-Forwarded-For", forwarded)
            .json(&body)
            .send()
    };
    assert_eq!(
        send("203.0.113.1").await.unwrap().status(),
        StatusCode::CREATED
    );
    assert_eq!(
        send("203.0.113.1").await.unwrap().status(),
        StatusCode::CREATED
    );
    assert_eq!(
        send("203.0.113.1").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Behind the trusted proxy another client has its own allowance; a spoofed leftmost hop does not help.
    assert_eq!(
        send("203.0.113.2").await.unwrap().status(),
        StatusCode::CREATED
    );
    assert_eq!(
        send("198.51.100.9, 203.0.113.1").await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Staff entering requests are not limited.
    app.submit_staff(
        "access",
        "2026-11-16",
        json!({ "scope": "whole_record", "form": "paper" }),
    )
    .await;
}

#[actix_rt::test]
async fn parallel_submissions_take_no_more_than_the_limit_and_refused_ones_do_not_count() {
    let app = TestApp::spawn_with(|s| s.web.submit_limit = 5).await;
    // A typo does not use up the allowance: only what is received counts.
    for _ in 0..3 {
        let (status, body) = app
            .submit_public(|b| b["details"] = json!({ "scope": "whole_record" }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let (status, body) = app.submit_public(|_| {}).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Sent at once, the remaining four are all there is.
    let results = futures_util::future::join_all((0..40).map(|_| app.submit_public(|_| {}))).await;
    let count = |s: StatusCode| results.iter().filter(|(status, _)| *status == s).count();
    assert_eq!(
        (
            count(StatusCode::CREATED),
            count(StatusCode::TOO_MANY_REQUESTS)
        ),
        (4, 36),
        "{:?}",
        results.iter().map(|(s, _)| s.as_u16()).collect::<Vec<_>>()
    );
    let (_, page) = app
        .get("/api/v1/requests?limit=100", Some(&app.org.staff))
        .await;
    assert_eq!(page["total"], 5);
}

#[actix_rt::test]
async fn parallel_wrong_status_codes_get_no_more_guesses_than_the_limit() {
    let app = TestApp::spawn_with(|s| s.web.token_guess_limit = 3).await;
    let (_, created) = app.submit_public(|_| {}).await;
    let reference = created["reference"].as_str().unwrap();
    let guesses = (0..30).map(|i| {
        app.client
            .get(format!("{}/api/v1/requests/{reference}/status", app.base))
            .header("X-Status-Token", format!("WRONG-{i:04}"))
            .send()
    });
    let statuses: Vec<StatusCode> = futures_util::future::join_all(guesses)
        .await
        .into_iter()
        .map(|r| r.unwrap().status())
        .collect();
    let count = |s: StatusCode| statuses.iter().filter(|&&x| x == s).count();
    assert_eq!(
        (
            count(StatusCode::NOT_FOUND),
            count(StatusCode::TOO_MANY_REQUESTS)
        ),
        (3, 27),
        "{statuses:?}"
    );
}

#[actix_rt::test]
async fn an_ipv6_client_cannot_hop_addresses_within_its_slash_64() {
    let app = TestApp::spawn_with(|s| {
        s.web.submit_limit = 2;
        s.web.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let send = |forwarded: &'static str| {
        let body = json!({
            "organisation": "satama", "kind": "access",
            "subject": { "name": "Maija", "personal_id": "131052-308T", "contact_channel": "pick_up" },
            "details": { "scope": "whole_record", "form": "electronic" }
        });
        app.client
            .post(format!("{}/api/v1/requests", app.base))
            .header("X-Forwarded-For", forwarded)
            .json(&body)
            .send()
    };
    for (from, expected) in [
        ("2001:db8:1:2::1", StatusCode::CREATED),
        ("2001:db8:1:2::2", StatusCode::CREATED),
        (
            "2001:db8:1:2:9f3a:11ff:fe00:1",
            StatusCode::TOO_MANY_REQUESTS,
        ),
        ("2001:db8:1:3::1", StatusCode::CREATED),
    ] {
        assert_eq!(send(from).await.unwrap().status(), expected, "{from}");
    }
}

#[actix_rt::test]
async fn the_dpo_board_is_a_desk_page_behind_a_dpo_session() {
    let app = TestApp::spawn().await;
    app.submit_staff(
        "access",
        "2026-10-01",
        json!({ "scope": "whole_record", "form": "paper" }),
    )
    .await;
    let mut v = Visitor::new(&app);
    // The old address still works: it leads to the board in the desk.
    let (status, headers, _) = v.get("/dpo?lang=en").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/desk/board?lang=en");
    let (status, _, html) = v.get("/desk/board?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"autocomplete="current-password""#)
            && html.contains(r#"name="next" value="/desk/board?lang=en""#),
        "sign-in form that comes back here: {html}"
    );
    let csrf = csrf_of(&html);

    let (status, _, html) = v
        .post(
            "/desk/login?lang=en",
            &[
                ("csrf", &csrf),
                ("email", "dpo@satama.example"),
                ("password", "wrong password"),
                ("next", "/desk/board?lang=en"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("role=\"alert\""));
    let (status, _, _) = v
        .post(
            "/desk/login?lang=en",
            &[
                ("email", "dpo@satama.example"),
                ("password", common::PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no CSRF value");

    let (status, headers, _) = v
        .post(
            "/desk/login?lang=en",
            &[
                ("csrf", &csrf),
                ("email", "dpo@satama.example"),
                ("password", common::PASSWORD),
                ("next", "/desk/board?lang=en"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/desk/board?lang=en");
    let session = headers[SET_COOKIE].to_str().unwrap();
    assert!(
        session.starts_with("rd_session=")
            && session.contains("HttpOnly")
            && session.contains("SameSite=Strict")
            && session.contains("Path=/desk")
    );
    assert!(
        !session.contains("Secure"),
        "plain HTTP in tests: Secure only under TLS"
    );

    let (status, _, html) = v.get("/desk/board?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<h2 id="overdue">"#) && html.contains("class=\"chart\""));
    assert!(html.contains("SAT-2026-"), "the overdue request is listed");
    assert!(html.contains("days overdue"), "days in words: {html}");
    let at = html.find("/desk/requests/").unwrap();
    let link = &html[at..at + html[at..].find('"').unwrap()];
    let (status, _, case) = v.get(&link.replace("&amp;", "&")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        case.contains("Request received") && case.contains("Finnish time"),
        "{case}"
    );

    let csrf = csrf_of(&html);
    let (status, headers, _) = v.post("/desk/logout", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    let (_, _, html) = v.get("/desk/board?lang=en").await;
    assert!(
        html.contains(r#"autocomplete="current-password""#),
        "signed out"
    );
}

// ------------------------------------------------------------------ strong identification

const ISSUER: &str = "https://eid.example/broker";
const AUDIENCE: &str = "rightsdesk-satama";

fn claims(app: &TestApp, identity: &str) -> Value {
    let now = app.clock_now().timestamp();
    json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "person-1",
        "iat": now, "nbf": now - 5, "exp": now + 600,
        "personal_identity_code": identity,
    })
}

async fn configure_provider(app: &TestApp, jwks: &str) {
    configure_provider_with(
        app,
        json!({ "issuer": ISSUER, "audience": AUDIENCE, "jwks": jwks }),
    )
    .await
}

async fn configure_provider_with(app: &TestApp, oidc: Value) {
    let (status, body) = app
        .send(
            app.client
                .patch(format!("{}/api/v1/organisation", app.base))
                .json(&json!({ "email": "tietosuoja@satama.example", "oidc": oidc })),
            Some(&app.org.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn submit_with(app: &TestApp, token: &str, personal_id: Option<&str>) -> (StatusCode, Value) {
    let mut subject = json!({ "name": "Maija Meikäläinen", "contact_channel": "pick_up" });
    if let Some(p) = personal_id {
        subject["personal_id"] = json!(p);
    }
    let resp = app
        .client
        .post(format!("{}/api/v1/requests", app.base))
        .bearer_auth(token)
        .json(&json!({
            "organisation": "satama", "kind": "access", "subject": subject,
            "details": { "scope": "whole_record", "form": "electronic" }
        }))
        .send()
        .await
        .unwrap();
    (resp.status(), resp.json().await.unwrap_or(Value::Null))
}

async fn identity_method(app: &TestApp, id: &str) -> Value {
    let (_, full) = app
        .get(&format!("/api/v1/requests/{id}"), Some(&app.org.staff))
        .await;
    full["identity_verification"]["method"].clone()
}

#[actix_rt::test]
async fn an_id_token_from_the_configured_provider_verifies_the_identity() {
    let app = TestApp::spawn().await;
    let issuer = TestIssuer::rsa("broker-2026");
    let dir = std::env::temp_dir().join(format!("rd-jwks-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, issuer.jwks_json()).unwrap();

    // Before the organisation has a provider, an ID token is just a bad token.
    let (status, _) = submit_with(&app, &issuer.sign(&claims(&app, "131052-308T")), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    configure_provider(&app, jwks.to_str().unwrap()).await;

    let (status, body) = submit_with(
        &app,
        &issuer.sign(&claims(&app, "131052-308t")),
        Some("131052-308T"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        identity_method(&app, body["id"].as_str().unwrap()).await,
        "strong_eid"
    );

    // Without a code in the form, the proven one is taken.
    let (status, body) = submit_with(&app, &issuer.sign(&claims(&app, "010594Y9032")), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, full) = app
        .get(
            &format!("/api/v1/requests/{}", body["id"].as_str().unwrap()),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(full["subject"]["personal_id"], "010594Y9032");
    assert_eq!(full["identity_verification"]["method"], "strong_eid");

    // Someone else's token does not vouch for this subject.
    let (status, body) = submit_with(
        &app,
        &issuer.sign(&claims(&app, "010594Y9032")),
        Some("131052-308T"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["code"], "eid_mismatch");

    // The ES256 provider works the same way.
    let ec = TestIssuer::ec("broker-ec");
    let ec_jwks = dir.join("jwks-ec.json");
    std::fs::write(&ec_jwks, ec.jwks_json()).unwrap();
    configure_provider(&app, ec_jwks.to_str().unwrap()).await;
    let (status, body) = submit_with(&app, &ec.sign(&claims(&app, "131052-308T")), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_rt::test]
async fn forged_expired_and_confused_tokens_are_refused_and_store_nothing() {
    let app = TestApp::spawn().await;
    let issuer = TestIssuer::rsa("broker-2026");
    let dir = std::env::temp_dir().join(format!("rd-jwks-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, issuer.jwks_json()).unwrap();
    configure_provider(&app, jwks.to_str().unwrap()).await;

    let good = claims(&app, "131052-308T");
    let mut expired = good.clone();
    expired["exp"] = json!(app.clock_now().timestamp() - 3600);
    let mut other_audience = good.clone();
    other_audience["aud"] = json!("someone-else");
    let mut early = good.clone();
    early["nbf"] = json!(app.clock_now().timestamp() + 3600);
    let impostor = TestIssuer::rsa("broker-2026");
    let cases = [
        ("forged", impostor.sign(&good)),
        ("expired", issuer.sign(&expired)),
        ("not yet valid", issuer.sign(&early)),
        ("wrong audience", issuer.sign(&other_audience)),
        ("alg none", unsigned_token(&good, Some("broker-2026"))),
        (
            "HS256 with the public key",
            hs256_token(&good, &issuer.public_key_der(), Some("broker-2026")),
        ),
        (
            "HS256 with the JWKS",
            hs256_token(&good, issuer.jwks_json().as_bytes(), Some("broker-2026")),
        ),
        ("garbage", "not.a.token".to_string()),
    ];
    for (name, token) in cases {
        let (status, body) = submit_with(&app, &token, Some("131052-308T")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {body}");
    }
    let (_, list) = app.get("/api/v1/requests", Some(&app.org.staff)).await;
    assert_eq!(list["total"], 0, "nothing was stored");
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_rt::test]
async fn provider_keys_can_come_from_a_url() {
    use std::io::{Read, Write};
    let app = TestApp::spawn().await;
    let issuer = TestIssuer::ec("url-key");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let body = issuer.jwks_json();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let mut s = stream.unwrap();
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(reply.as_bytes());
        }
    });
    configure_provider(&app, &format!("http://127.0.0.1:{port}/jwks.json")).await;
    let (status, body) = submit_with(&app, &issuer.sign(&claims(&app, "131052-308T")), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        identity_method(&app, body["id"].as_str().unwrap()).await,
        "strong_eid"
    );
}

/// The query parameter `name` of a URL.
fn param(url: &str, name: &str) -> String {
    let query = url.split_once('?').unwrap().1;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap();
    pairs.into_iter().find(|(k, _)| k == name).unwrap().1
}

/// The Finnish trust network's "high" level of assurance.
const LOA_HIGH: &str = "http://ftn.ficora.fi/2017/loa3";

#[actix_rt::test]
async fn the_form_sends_people_to_identify_and_takes_the_proof_back() {
    let app = TestApp::spawn().await;
    let issuer = TestIssuer::rsa("broker-2026");
    let dir = std::env::temp_dir().join(format!("rd-jwks-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, issuer.jwks_json()).unwrap();
    configure_provider_with(
        &app,
        json!({ "issuer": ISSUER, "audience": AUDIENCE, "jwks": jwks.to_str().unwrap(),
                "authorization_endpoint": "https://eid.example/authorize?tenant=x",
                "accepted_acr": [LOA_HIGH] }),
    )
    .await;
    // A blank level would accept nothing and lock everyone out: refused with its place.
    let (status, body) = app
        .send(
            app.client
                .patch(format!("{}/api/v1/organisation", app.base))
                .json(&json!({ "oidc": { "issuer": ISSUER, "audience": AUDIENCE,
                    "jwks": jwks.to_str().unwrap(), "accepted_acr": [LOA_HIGH, " "] } })),
            Some(&app.org.admin),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "oidc.accepted_acr[1]", "{body}");
    let mut v = Visitor::new(&app);
    let (_, _, html) = v.get("/satama/request/access?lang=sv").await;
    assert!(
        html.contains(r#"href="/satama/eid/start?kind=access&amp;lang=sv""#),
        "the form offers identification"
    );

    let (status, headers, _) = v.get("/satama/eid/start?kind=access&lang=sv").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(
        "https://eid.example/authorize?tenant=x&response_type=id_token&response_mode=form_post"
    ));
    assert_eq!(param(&location, "client_id"), AUDIENCE);
    assert_eq!(
        param(&location, "redirect_uri"),
        format!("{}/satama/eid/return", app.ctx.settings.web.public_url)
    );
    assert_eq!(param(&location, "acr_values"), LOA_HIGH);
    let (state, nonce) = (param(&location, "state"), param(&location, "nonce"));

    // A weaker identification than the organisation asks for does not count.
    let mut weak = claims(&app, "131052-308T");
    weak["nonce"] = json!(nonce);
    weak["acr"] = json!("http://ftn.ficora.fi/2017/loa2");
    let (status, _, html) = v
        .post(
            "/satama/eid/return",
            &[("id_token", &issuer.sign(&weak)), ("state", &state)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("role=\"alert\"") && !html.contains("eid_ticket"));

    // A token for another sign-in (wrong nonce) does not count.
    let mut replayed = claims(&app, "131052-308T");
    replayed["nonce"] = json!("someone-elses-nonce");
    let (status, _, html) = v
        .post(
            "/satama/eid/return",
            &[("id_token", &issuer.sign(&replayed)), ("state", &state)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("role=\"alert\"") && !html.contains("eid_ticket"));

    // The provider posts the token back: the form returns with the identity proven.
    let mut proven = claims(&app, "131052-308T");
    proven["nonce"] = json!(nonce);
    proven["acr"] = json!(LOA_HIGH);
    let (status, _, html) = v
        .post(
            "/satama/eid/return",
            &[("id_token", &issuer.sign(&proven)), ("state", &state)],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"<html lang="sv">"#),
        "back in the language the person chose"
    );
    assert!(html.contains(r#"id="eid-done""#) && html.contains(r#"value="131052-308T""#));
    let at =
        html.find(r#"name="eid_ticket" value=""#).unwrap() + r#"name="eid_ticket" value=""#.len();
    let ticket = html[at..at + html[at..].find('"').unwrap()].to_string();
    let csrf = csrf_of(&html);
    let fields = |ticket: String, csrf: String| {
        vec![
            ("csrf".to_string(), csrf),
            ("eid_ticket".to_string(), ticket),
            ("subject.name".to_string(), "Maija Meikäläinen".to_string()),
            ("subject.personal_id".to_string(), "131052-308T".to_string()),
            ("subject.contact_channel".to_string(), "pick_up".to_string()),
            ("details.scope".to_string(), "whole_record".to_string()),
            ("details.form".to_string(), "electronic".to_string()),
        ]
    };
    let form = fields(ticket.clone(), csrf.clone());
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, x)| (k.as_str(), x.as_str())).collect();
    let (status, _, html) = v.post("/satama/request/access?lang=sv", &refs).await;
    assert_eq!(status, StatusCode::CREATED, "{html}");
    let reference = text_of(&html, "reference");
    let (_, list) = app.get("/api/v1/requests", Some(&app.org.staff)).await;
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reference"] == reference.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(identity_method(&app, &id).await, "strong_eid");

    // A tampered ticket proves nothing: the request is received, the identity is not verified.
    // One character of the MAC changed (not the last: its low bits are padding).
    let at = ticket.find('.').unwrap() + 5;
    let swapped = if &ticket[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swapped}{}", &ticket[..at], &ticket[at + 1..]);
    let form = fields(forged, csrf);
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, x)| (k.as_str(), x.as_str())).collect();
    let (status, _, html) = v.post("/satama/request/access?lang=sv", &refs).await;
    assert_eq!(status, StatusCode::CREATED);
    let reference = text_of(&html, "reference");
    let (_, list) = app.get("/api/v1/requests", Some(&app.org.staff)).await;
    let id = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["reference"] == reference.as_str())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(identity_method(&app, &id).await, Value::Null);
    let _ = std::fs::remove_dir_all(dir);
}

#[actix_rt::test]
async fn the_status_page_follows_the_request_to_its_documents() {
    let app = TestApp::spawn().await;
    let (_, created) = app.submit_public(|b| b["language"] = json!("en")).await;
    let (id, reference) = (
        created["id"].as_str().unwrap().to_string(),
        created["reference"].as_str().unwrap().to_string(),
    );
    let token = created["status_token"].as_str().unwrap().to_string();
    let mut v = Visitor::new(&app);
    let page = format!("/satama/status?reference={reference}&token={token}&lang=en");

    let (_, _, html) = v.get(&page).await;
    assert!(
        html.contains("Documents will be shown here once your identity is confirmed."),
        "nothing to download before the identity is verified"
    );

    app.act_ok(&id, json!({ "action": "start" })).await;
    app.act_ok(
        &id,
        json!({ "action": "request_clarification", "message": "Which years do you mean?" }),
    )
    .await;
    let (status, _, html) = v.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("class=\"panel attention\""),
        "what is awaited is said"
    );
    assert!(
        html.contains("Which years do you mean?"),
        "with the organisation's words"
    );

    app.act_ok(&id, json!({ "action": "requester_replied" }))
        .await;
    app.act_ok(
        &id,
        json!({ "action": "extend", "reason": "Records from three units must be gathered and reviewed." }),
    )
    .await;
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "in_person" }),
    )
    .await;
    app.act_ok(&id, json!({ "action": "complete", "outcome": "fulfilled" }))
        .await;
    let (status, _, html) = v.get(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Records from three units"),
        "the extension's reason"
    );
    assert!(html.contains("id=\"state\""));
    let at = html
        .find("/satama/status/documents/")
        .expect("a released document to download");
    let href = html[at..at + html[at..].find('"').unwrap()].replace("&amp;", "&");
    let (status, headers, _) = v.get(&href).await;
    assert_eq!(status, StatusCode::OK, "{href}");
    assert_eq!(headers["content-type"], "application/pdf");
    let elsewhere = href.replace("/satama/", "/muu-kunta/");
    let (status, _, _) = v.get(&elsewhere).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "not under another organisation's name"
    );
    // The same link with a wrong code is a wrong guess.
    let wrong = href.replace(&token, "AAAA-AAAA-AAAA-AAAA-AAAA");
    let (status, _, _) = v.get(&wrong).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_rt::test]
async fn page_faults_are_answered_with_pages_and_keep_their_cause_out_of_them() {
    let app = TestApp::spawn().await;
    let mut v = Visitor::new(&app);
    let (status, _, html) = v.get("/nobody/?lang=en").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));

    // A database fault: a calm page in the person's language, nothing of the cause.
    app.db
        .execute("ALTER TABLE registers RENAME TO registers_elsewhere");
    let (status, headers, html) = v.get("/satama/?lang=sv").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(html.contains("<html lang=\"sv\">") && html.contains("Något gick fel"));
    assert!(
        !html.contains("no such table") && !html.contains("does not exist"),
        "{html}"
    );
}

#[actix_rt::test]
async fn the_board_takes_the_apis_bearer_token_as_its_session() {
    let app = TestApp::spawn().await;
    let board = |authorization: String| {
        app.client
            .get(format!("{}/desk/board?lang=en", app.base))
            .header("Authorization", authorization)
            .send()
    };
    let html = board(format!("bearer {}", app.org.dpo))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"<h2 id="overdue">"#),
        "the scheme is case-insensitive"
    );
    let resp = board(format!("Bearer {}", app.org.staff)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN, "staff are not DPOs");
    let html = resp.text().await.unwrap();
    assert!(html.contains("data protection officer role"), "{html}");
}
