//! The staff desk over real HTTP: sign-in that comes back to the page, queues with their
//! filters, search by reference, name and identity code, the case page, one page per
//! action with its consequence, internal notes, and what other roles and organisations see.

mod common;

use common::visitor::{csrf_of, post_form, signed_in, visible_text, Visitor};
use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[actix_rt::test]
async fn a_deep_link_signs_in_and_comes_back_and_an_ended_session_does_too() {
    let app = TestApp::spawn().await;
    let mut v = Visitor::new(&app);
    let (status, _, html) = v.get("/desk/queue/open?kind=access&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"name="next" value="/desk/queue/open?kind=access&amp;lang=en""#),
        "{html}"
    );
    let csrf = csrf_of(&html);
    let (status, headers, _) = v
        .post(
            "/desk/login?lang=en",
            &[
                ("csrf", &csrf),
                ("email", "staff@satama.example"),
                ("password", common::PASSWORD),
                ("next", "/desk/queue/open?kind=access&lang=en"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/desk/queue/open?kind=access&lang=en");

    // Another site's address is never where sign-in leads.
    let (status, headers, _) = v
        .post(
            "/desk/login?lang=en",
            &[
                ("csrf", &csrf),
                ("email", "staff@satama.example"),
                ("password", common::PASSWORD),
                ("next", "//evil.example/desk"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/desk?lang=en");

    // An ended (or forged) session: the sign-in page, saying so, coming back here after.
    let mut stale = Visitor::new(&app);
    stale.cookies.push(("rd_session".into(), "x.y.z".into()));
    let (status, _, html) = stale.get("/desk/queue/mine?lang=en").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("Your session has ended"), "{html}");
    assert!(html.contains(r#"name="next" value="/desk/queue/mine?lang=en""#));
}

#[actix_rt::test]
async fn staff_process_a_paper_request_from_queue_to_answer_in_the_desk() {
    let app = TestApp::spawn().await;
    app.set_today("2026-11-20");
    let created = app
        .submit_staff(
            "access",
            "2026-11-16",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let id = created["id"].as_str().unwrap().to_string();
    let reference = created["reference"].as_str().unwrap().to_string();
    let mut v = signed_in(&app, "staff@satama.example").await;

    // Unassigned queue: the row in words, the tab counts.
    let (status, _, html) = v.get("/desk/queue/unassigned?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let text = visible_text(&html);
    assert!(
        text.contains(&reference) && text.contains("Anna Exempel"),
        "{text}"
    );
    assert!(
        text.contains("Access")
            && text.contains("16 December 2026")
            && text.contains("26 days left"),
        "{text}"
    );
    assert!(
        text.contains("Unassigned (1)") && text.contains("Mine (0)"),
        "{text}"
    );
    let case = format!("/desk/requests/{id}?lang=en");

    // Assign to me, from its own page.
    let assign = format!("/desk/requests/{id}/assign?lang=en");
    let (status, location, _) = post_form(
        &mut v,
        &assign,
        &assign,
        &[("assignee", ""), ("to_me", "1")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("done=assign"), "{location}");
    let (_, _, html) = v.get(&location).await;
    assert!(visible_text(&html).contains("The handler is assigned"));
    let (_, _, html) = v.get("/desk/queue/mine?lang=en").await;
    assert!(html.contains(&reference), "now in Mine");

    // Verify identity, on the day it really happened.
    let verify = format!("/desk/requests/{id}/verify-identity?lang=en");
    let (_, _, html) = v.get(&verify).await;
    assert!(
        html.contains(
            r#"value="signed_form" aria-describedby="f-method-signed_form-hint" checked"#
        ),
        "a letter is taken to have come on the signed form: {html}"
    );
    let (status, _, body) = post_form(&mut v, &verify, &verify, &[("on", "2026-11-17")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "method missing");
    assert!(body.contains("error-summary"), "{body}");
    let (status, _, _) = post_form(
        &mut v,
        &verify,
        &verify,
        &[("method", "in_person"), ("on", "2026-11-17")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = v.get(&case).await;
    assert!(
        visible_text(&html)
            .contains("Verified on 17 November 2026: in person with an identity document"),
        "{}",
        visible_text(&html)
    );

    // Extend: the consequence is said before it is confirmed; a thin reason is refused.
    let extend = format!("/desk/requests/{id}/extend?lang=en");
    let (_, _, html) = v.get(&extend).await;
    assert!(
        visible_text(&html)
            .contains("The due date will move from 16 December 2026 to 16 February 2027"),
        "{}",
        visible_text(&html)
    );
    let (status, _, body) = post_form(&mut v, &extend, &extend, &[("reason", "busy")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        visible_text(&body).contains("Reasons for the extension"),
        "the field is named"
    );
    let (status, _, _) = post_form(
        &mut v,
        &extend,
        &extend,
        &[(
            "reason",
            "The records are in three registers and an archive",
        )],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = v.get(&case).await;
    assert!(
        !html.contains("/extend?"),
        "a second extension is not offered"
    );

    // Answer and close.
    let complete = format!("/desk/requests/{id}/complete?lang=en");
    let (_, _, html) = v.get(&complete).await;
    assert!(
        visible_text(&html).contains("outcome will be: Fulfilled"),
        "the outcome is said before it is confirmed"
    );
    let (status, location, body) = post_form(&mut v, &complete, &complete, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, html) = v.get(&location).await;
    let text = visible_text(&html);
    assert!(
        text.contains("Completed") && text.contains("Fulfilled"),
        "{text}"
    );
    assert!(
        !html.contains("/complete?"),
        "a closed request offers no actions"
    );
    let (_, _, html) = v.get("/desk/queue/closed?lang=en").await;
    assert!(html.contains(&reference));

    // Posting without the CSRF value does nothing.
    let withdraw = format!("/desk/requests/{id}/withdraw?lang=en");
    let (status, _, _) = v.post(&withdraw, &[("reason", "x")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_rt::test]
async fn search_finds_by_reference_any_part_of_a_name_and_the_exact_identity_code() {
    let app = TestApp::spawn().await;
    let (status, created) = app
        .post(
            "/api/v1/requests",
            Some(&app.org.staff),
            json!({
                "kind": "access", "language": "fi", "channel": "letter", "received_on": "2026-11-16",
                "subject": { "name": "Åsa Mäkinen-Öhman", "personal_id": "131052-308T", "contact_channel": "pick_up" },
                "details": { "scope": "whole_record", "form": "paper" }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let reference = created["reference"].as_str().unwrap().to_string();
    let mut v = signed_in(&app, "staff@satama.example").await;
    let search = |q: &'static str| (q, "/desk/search?lang=en");

    for q in ["makinen", "ÖHMAN", "asa mäki", "sa Ma"] {
        let (page, action) = search(q);
        let (status, _, html) = post_form(&mut v, action, action, &[("q", page)]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&reference), "{q} finds the name");
    }
    let (status, _, html) = post_form(
        &mut v,
        "/desk/search?lang=en",
        "/desk/search?lang=en",
        &[("q", "131052-308T")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&reference) && visible_text(&html).contains("Search by identity code"));
    assert!(
        !html.contains("131052-308T"),
        "the identity code is not echoed into the page"
    );
    let lower = reference.to_lowercase();
    let (_, _, html) = post_form(
        &mut v,
        "/desk/search?lang=en",
        "/desk/search?lang=en",
        &[("q", &lower)],
    )
    .await;
    assert!(html.contains(&reference), "reference in any case");
    let (_, _, html) = post_form(
        &mut v,
        "/desk/search?lang=en",
        "/desk/search?lang=en",
        &[("q", "%")],
    )
    .await;
    assert!(!html.contains(&reference), "a wildcard is only itself");
    // Longer queries go through the trigram index: wildcards and quotes are still only
    // themselves there, and two letters (too short for a three-letter piece) still match.
    for q in ["%%%", "m_kinen", "\"makinen", "mak\"", "*"] {
        let (status, _, html) = post_form(
            &mut v,
            "/desk/search?lang=en",
            "/desk/search?lang=en",
            &[("q", q)],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{q}");
        assert!(!html.contains(&reference), "{q} is only itself");
    }
    let (_, _, html) = post_form(
        &mut v,
        "/desk/search?lang=en",
        "/desk/search?lang=en",
        &[("q", "öh")],
    )
    .await;
    assert!(
        html.contains(&reference),
        "two letters match any part of the name"
    );

    // The search index holds a keyed hash, never the code in clear.
    let stored: Vec<String> = {
        use diesel::prelude::*;
        use rightsdesk::db::schema::request_search;
        let mut conn = app.ctx.conn().unwrap();
        request_search::table
            .select(request_search::personal_id_key.assume_not_null())
            .load(&mut conn)
            .unwrap()
    };
    assert_eq!(stored.len(), 1);
    assert!(
        !stored[0].contains("131052") && stored[0].len() == 32,
        "{stored:?}"
    );

    // Another organisation's staff find nothing.
    let mut other = signed_in(&app, "staff@muu-kunta.example").await;
    let link = format!("/desk/requests/{}", created["id"].as_str().unwrap());
    for q in ["131052-308T", "makinen", reference.as_str()] {
        let (_, _, html) = post_form(
            &mut other,
            "/desk/search?lang=en",
            "/desk/search?lang=en",
            &[("q", q)],
        )
        .await;
        assert!(
            !html.contains(&link) && html.contains("No requests matched"),
            "{q}"
        );
    }
    let (status, _, _) = other
        .get(&format!(
            "/desk/requests/{}?lang=en",
            created["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_rt::test]
async fn notes_are_for_staff_and_stay_out_of_the_audit_payload() {
    let app = TestApp::spawn().await;
    let created = app
        .submit_staff(
            "access",
            "2026-11-16",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let mut v = signed_in(&app, "staff@satama.example").await;
    let case = format!("/desk/requests/{id}?lang=en");
    let notes = format!("/desk/requests/{id}/notes?lang=en");
    let (status, _, body) = post_form(&mut v, &case, &notes, &[("body", "   ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("f-body-error"));
    let secret = "Called the unit: the guardian is not to be told anything";
    let (status, location, _) = post_form(&mut v, &case, &notes, &[("body", secret)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = v.get(&location).await;
    assert!(html.contains(secret) && visible_text(&html).contains("The note is added"));

    let (status, events) = app
        .get(&format!("/api/v1/requests/{id}/events"), Some(&app.org.dpo))
        .await;
    assert_eq!(status, StatusCode::OK);
    let added = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "note_added")
        .expect("the note is in the trail");
    assert!(added["payload"]["note"].is_string());
    assert!(!events.to_string().contains("guardian is not to be told"));

    // The client's status view never shows it.
    let resp = app
        .client
        .get(format!(
            "{}/api/v1/requests/{}/status",
            app.base,
            created["reference"].as_str().unwrap()
        ))
        .header("X-Status-Token", created["status_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(!resp.text().await.unwrap().contains("guardian"));
}

#[actix_rt::test]
async fn other_roles_are_not_offered_what_they_may_not_do() {
    let app = TestApp::spawn().await;
    let created = app
        .submit_staff(
            "access",
            "2026-11-16",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let mut dpo = signed_in(&app, "dpo@satama.example").await;
    let (status, _, html) = dpo.get(&format!("/desk/requests/{id}?lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !html.contains("/complete?") && !html.contains("/assign?"),
        "casework is staff's"
    );
    let (status, _, _) = dpo
        .get(&format!("/desk/requests/{id}/complete?lang=en"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let mut staff = signed_in(&app, "staff@satama.example").await;
    let (status, _, _) = staff.get("/desk/board?lang=en").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the board is the DPO's");
    let (status, _, _) = staff
        .get(&format!("/desk/requests/{id}/no-such-action?lang=en"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_rt::test]
async fn queue_filters_live_in_the_address_and_unknown_ones_are_said() {
    let app = TestApp::spawn().await;
    app.submit_staff(
        "access",
        "2026-11-16",
        json!({ "scope": "whole_record", "form": "paper" }),
    )
    .await;
    app.submit_staff(
        "log_inspection",
        "2026-11-16",
        json!({ "period_from": "2026-01-01", "period_to": "2026-11-01" }),
    )
    .await;
    let mut v = signed_in(&app, "staff@satama.example").await;
    let (_, _, html) = v.get("/desk/queue/open?kind=access&lang=en").await;
    let text = visible_text(&html);
    assert!(
        text.contains("1 requests")
            && text.contains("SAT-2026-00001")
            && !text.contains("SAT-2026-00002"),
        "{text}"
    );
    assert!(
        html.contains(r#"href="/desk/queue/mine?kind=access&amp;lang=en""#),
        "tabs keep the filter"
    );
    let (_, _, html) = v
        .get("/desk/queue/open?from=32.13.2026&kind=nope&lang=en")
        .await;
    let text = visible_text(&html);
    assert!(
        text.contains("was not understood") && text.contains("not recognised"),
        "{text}"
    );
    let (_, _, html) = v.get("/desk/queue/open?from=17.11.2026&lang=en").await;
    assert!(visible_text(&html).contains("0 requests"));
}

/// The references in a queue page's table, in the order shown (the pager's links carry
/// references too).
fn references_on(html: &str) -> Vec<String> {
    let html = &html[html.find("<table").unwrap()..html.find("</table>").unwrap()];
    let mut seen: Vec<String> = Vec::new();
    for (i, _) in html.match_indices("SAT-2026-") {
        let reference = html[i..i + 14].to_string();
        if !seen.contains(&reference) {
            seen.push(reference);
        }
    }
    seen
}

fn pager_href(html: &str, rel: &str) -> Option<String> {
    let marker = format!(r#"" rel="{rel}""#);
    let end = html.find(&marker)?;
    let start = html[..end].rfind("href=\"")? + 6;
    Some(html[start..end].replace("&amp;", "&"))
}

#[actix_rt::test]
async fn a_queue_pages_from_row_to_row_forwards_and_back() {
    let app = TestApp::spawn().await;
    // 110 requests over ten days, so due dates are shared and the reference breaks the tie;
    // received in reference order, so the queue's order is the references' order.
    let mut ids = Vec::new();
    for i in 0..110 {
        let received = format!("2026-10-{}", 20 + i / 11);
        let created = app
            .submit_staff(
                "access",
                &received,
                json!({ "scope": "whole_record", "form": "paper" }),
            )
            .await;
        ids.push(created["id"].as_str().unwrap().to_string());
    }
    let mut v = signed_in(&app, "staff@satama.example").await;
    let mut link = "/desk/queue/open?lang=en".to_string();
    let mut pages = Vec::new();
    loop {
        let (status, _, html) = v.get(&link).await;
        assert_eq!(status, StatusCode::OK, "{link}");
        pages.push((link.clone(), html.clone()));
        match pager_href(&html, "next") {
            Some(next) => link = next,
            None => break,
        }
    }
    assert_eq!(pages.len(), 3);
    assert!(visible_text(&pages[1].1).contains("Page 2 of 3"));
    assert!(
        pager_href(&pages[0].1, "prev").is_none(),
        "the first page has no previous"
    );
    let shown: Vec<String> = pages.iter().flat_map(|(_, h)| references_on(h)).collect();
    let expected: Vec<String> = (1..=110).map(|n| format!("SAT-2026-{n:05}")).collect();
    assert_eq!(
        shown, expected,
        "every request once, by due date then reference"
    );

    // Back from the third page is the second page again.
    let back = pager_href(&pages[2].1, "prev").unwrap();
    let (_, _, html) = v.get(&back).await;
    assert_eq!(references_on(&html), references_on(&pages[1].1));
    assert!(visible_text(&html).contains("Page 2 of 3"));

    // A start that is not a row's place is said, and the queue starts from its beginning.
    let (status, _, html) = v.get("/desk/queue/open?after=yesterday&lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(visible_text(&html).contains("The page link is not valid"));
    assert_eq!(references_on(&html), references_on(&pages[0].1));

    // The closed queue runs the other way, most recently closed first: withdraw 60, five
    // a day, and page through it.
    for (i, id) in ids.iter().take(60).enumerate() {
        let on = format!("2026-11-{:02}", 1 + i / 5);
        app.act_ok(
            id,
            json!({ "action": "withdraw", "reason": "Asked by phone.", "on": on }),
        )
        .await;
    }
    let (_, _, first) = v.get("/desk/queue/closed?lang=en").await;
    let next = pager_href(&first, "next").expect("a second page");
    let (_, _, second) = v.get(&next).await;
    assert!(pager_href(&second, "next").is_none());
    let shown: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|h| references_on(h))
        .collect();
    let mut expected: Vec<String> = (1..=60).map(|n| format!("SAT-2026-{n:05}")).collect();
    expected.reverse();
    assert_eq!(shown, expected, "newest closing first, then reference");
    let back = pager_href(&second, "prev").unwrap();
    let (_, _, html) = v.get(&back).await;
    assert_eq!(references_on(&html), references_on(&first));
}

#[actix_rt::test]
async fn the_open_tabs_counted_in_one_pass_agree_with_each_tab_counted_alone() {
    use rightsdesk::db::queues::{count, open_tab_counts, Queue, QueueFilter};
    use rightsdesk::domain::enums::{RequestKind, RequestState};
    let app = TestApp::spawn().await;
    let access = json!({ "scope": "whole_record", "form": "paper" });
    let mut ids = Vec::new();
    // Due soon, overdue, long overdue, and a log-data request: each a different tab mix.
    for received in ["2026-10-20", "2026-10-10", "2026-09-01", "2026-11-16"] {
        let created = app.submit_staff("access", received, access.clone()).await;
        ids.push(created["id"].as_str().unwrap().to_string());
    }
    let log = app
        .submit_staff(
            "log_inspection",
            "2026-11-12",
            json!({ "period_from": "2026-01-01", "period_to": "2026-11-01" }),
        )
        .await;
    ids.push(log["id"].as_str().unwrap().to_string());
    let mine = json!({ "action": "assign", "assignee": app.org.staff_id });
    app.act_ok(&ids[0], mine.clone()).await;
    app.act_ok(&ids[4], mine).await;
    app.act_ok(
        &ids[1],
        json!({ "action": "request_identity", "message": "Please bring an ID card." }),
    )
    .await;
    let (status, body) = app
        .post(
            &format!("/api/v1/requests/{}/review-clearance", ids[2]),
            Some(&app.org.staff),
            json!({ "note": "Checked the identity code with the register." }),
        )
        .await;
    assert!(status.is_success(), "{body}");
    app.act_ok(
        &ids[3],
        json!({ "action": "withdraw", "reason": "Asked by phone." }),
    )
    .await;

    let org_id: String = {
        use diesel::prelude::*;
        use rightsdesk::db::schema::users;
        let mut conn = app.ctx.conn().unwrap();
        users::table
            .filter(users::id.eq(&app.org.staff_id))
            .select(users::org_id)
            .first(&mut conn)
            .unwrap()
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    let mut conn = app.ctx.conn().unwrap();
    let mut filters = Vec::new();
    let plain = QueueFilter::new(Queue::AllOpen, &app.org.staff_id, today);
    filters.push(plain.clone());
    filters.push(QueueFilter {
        kind: Some(RequestKind::Access),
        ..plain.clone()
    });
    filters.push(QueueFilter {
        state: Some(RequestState::AwaitingRequester),
        ..plain.clone()
    });
    filters.push(QueueFilter {
        handler_id: Some(app.org.staff_id.clone()),
        ..plain.clone()
    });
    for f in filters {
        let together = open_tab_counts(&mut conn, &org_id, &f, 2_000)
            .unwrap()
            .unwrap();
        let alone: Vec<(Queue, i64)> = Queue::ALL
            .into_iter()
            .filter(|q| *q != Queue::Closed)
            .map(|queue| {
                (
                    queue,
                    count(
                        &mut conn,
                        &org_id,
                        &QueueFilter { queue, ..f.clone() },
                        10_000,
                    )
                    .unwrap(),
                )
            })
            .collect();
        assert_eq!(together, alone, "{f:?}");
    }
    // The unfiltered counts are what the requests above make of each tab.
    let together = open_tab_counts(&mut conn, &org_id, &plain, 2_000)
        .unwrap()
        .unwrap();
    let n = |q: Queue| together.iter().find(|(t, _)| *t == q).unwrap().1;
    assert_eq!(
        (
            n(Queue::AllOpen),
            n(Queue::Mine),
            n(Queue::Unassigned),
            n(Queue::Paused)
        ),
        (4, 2, 2, 1)
    );
    assert!(
        n(Queue::Overdue) >= 1 && n(Queue::DueSoon) >= 1 && n(Queue::NeedsReview) >= 1,
        "{together:?}"
    );
    // Past the limit the caller counts each tab alone.
    assert!(open_tab_counts(&mut conn, &org_id, &plain, 3)
        .unwrap()
        .is_none());
}

#[actix_rt::test]
async fn the_desk_speaks_the_users_own_language() {
    let app = TestApp::spawn().await;
    let mut v = signed_in(&app, "staff@satama.example").await;
    let (status, location, _) = post_form(
        &mut v,
        "/desk/settings?lang=en",
        "/desk/settings?lang=en",
        &[("language", "sv")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("lang=sv"));
    // No language in the address: the user's own.
    let (_, _, html) = v.get("/desk/queue/mine").await;
    assert!(
        html.contains(r#"<html lang="sv">"#) && html.contains("Mina"),
        "{html}"
    );
    let (status, _, _) = post_form(
        &mut v,
        "/desk/settings",
        "/desk/settings",
        &[("language", "de")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[actix_rt::test]
async fn the_api_offers_notes_and_search_with_the_desks_rules() {
    let app = TestApp::spawn().await;
    let created = app
        .submit_staff(
            "access",
            "2026-11-16",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let notes = format!("/api/v1/requests/{id}/notes");
    let (status, note) = app
        .post(
            &notes,
            Some(&app.org.staff),
            json!({ "body": "Asked the unit for the 2019 file" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{note}");
    assert_eq!(note["author"], "staff of satama");
    let (status, problem) = app
        .post(&notes, Some(&app.org.staff), json!({ "body": "" }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "body", "{problem}");
    let (status, _) = app
        .post(
            &notes,
            Some(&app.org.admin),
            json!({ "body": "admins do not do casework" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, listed) = app.get(&notes, Some(&app.org.dpo)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let (status, found) = app
        .post(
            "/api/v1/requests/search",
            Some(&app.org.dpo),
            json!({ "q": "010594Y9032" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["by"], "personal_id");
    assert_eq!(found["rows"][0]["id"], id);
    let (status, found) = app
        .post(
            "/api/v1/requests/search",
            Some(&app.org.staff),
            json!({ "q": "EXEMP" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found["by"], "name");
    assert_eq!(found["rows"].as_array().unwrap().len(), 1);
    let (status, _) = app
        .post(
            "/api/v1/requests/search",
            Some(&app.org.staff),
            json!({ "q": "  " }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A NUL (found by schemathesis) is dropped, not passed to the full-text index.
    let (status, found) = app
        .post(
            "/api/v1/requests/search",
            Some(&app.org.staff),
            json!({ "q": "EX\u{0}EMP" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["rows"].as_array().unwrap().len(), 1);
    let (status, _) = app
        .post("/api/v1/requests/search", None, json!({ "q": "exempel" }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[actix_rt::test]
async fn a_new_status_code_replaces_the_lost_one() {
    let app = TestApp::spawn().await;
    let created = app
        .submit_staff(
            "access",
            "2026-11-16",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let reference = created["reference"].as_str().unwrap();
    let status_with = |code: String| {
        app.client
            .get(format!("{}/api/v1/requests/{reference}/status", app.base))
            .header("X-Status-Token", code)
            .send()
    };
    let old = created["status_token"].as_str().unwrap().to_string();
    assert_eq!(
        status_with(old.clone()).await.unwrap().status(),
        StatusCode::OK
    );

    let (status, _) = app
        .post(
            &format!("/api/v1/requests/{id}/status-code"),
            Some(&app.org.dpo),
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "codes are handed over by staff"
    );
    // Through the desk: shown once on the case page.
    let mut v = signed_in(&app, "staff@satama.example").await;
    let case = format!("/desk/requests/{id}?lang=en");
    let (status, _, html) = post_form(
        &mut v,
        &case,
        &format!("/desk/requests/{id}/status-code?lang=en"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let at = html
        .find(r#"<p class="code">"#)
        .expect("the new code is shown")
        + r#"<p class="code">"#.len();
    let new = html[at..at + html[at..].find('<').unwrap()].to_string();
    assert_eq!(
        status_with(old).await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "the old code stops working"
    );
    assert_eq!(
        status_with(new.clone()).await.unwrap().status(),
        StatusCode::OK
    );
    let (_, _, again) = v.get(&case).await;
    assert!(!again.contains(&new), "shown only once");
    let (_, events) = app
        .get(&format!("/api/v1/requests/{id}/events"), Some(&app.org.dpo))
        .await;
    assert!(
        events.to_string().contains("status_code_reissued") && !events.to_string().contains(&new)
    );
}

#[actix_rt::test]
async fn staff_enter_a_paper_request_and_hand_over_its_code() {
    let app = TestApp::spawn().await;
    let mut v = signed_in(&app, "staff@satama.example").await;
    let (status, _, html) = v.get("/desk/intake?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"href="/desk/intake/log_inspection?lang=en""#));
    let page = "/desk/intake/access?lang=en";
    let (_, _, html) = v.get(page).await;
    assert!(
        html.contains(r#"name="received_on" value="2026-11-16""#),
        "today by default"
    );

    // A date in the future and a missing name are said next to their fields.
    let (status, _, html) = post_form(
        &mut v,
        page,
        page,
        &[
            ("received_on", "2026-12-01"),
            ("channel", "letter"),
            ("details.scope", "whole_record"),
            ("details.form", "paper"),
            ("subject.personal_id", "131052-308T"),
            ("subject.contact_channel", "pick_up"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(
        html.contains(r##"href="#f-received_on""##) && html.contains(r##"href="#f-subject-name""##),
        "{html}"
    );

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
    let text = visible_text(&html);
    assert!(
        text.contains("6 November 2026") && text.contains("7 December 2026"),
        "received and due as entered: {text}"
    );
    let code_at = html.rfind(r#"<dd class="code">"#).unwrap() + r#"<dd class="code">"#.len();
    let code = &html[code_at..code_at + html[code_at..].find('<').unwrap()];
    let ref_at = html.find(r#"<dd class="code">"#).unwrap() + r#"<dd class="code">"#.len();
    let reference = &html[ref_at..ref_at + html[ref_at..].find('<').unwrap()];
    let resp = app
        .client
        .get(format!("{}/api/v1/requests/{reference}/status", app.base))
        .header("X-Status-Token", code)
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "the handed-over code opens the status"
    );
    let status_view: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(status_view["received_on"], "2026-11-06");

    // The API says the same: a letter, in Swedish, entered by this staff member.
    let (_, listed) = app
        .get("/api/v1/requests?limit=5", Some(&app.org.staff))
        .await;
    let id = listed["items"][0]["id"].as_str().unwrap();
    let (_, full) = app
        .get(&format!("/api/v1/requests/{id}"), Some(&app.org.staff))
        .await;
    assert_eq!(full["channel"], "letter");
    assert_eq!(full["language"], "sv");

    // The DPO does not enter requests.
    let mut dpo = signed_in(&app, "dpo@satama.example").await;
    let (status, _, _) = dpo.get(page).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[actix_rt::test]
async fn the_retention_proposal_is_in_the_readers_language() {
    let app = TestApp::spawn().await;
    let created = app
        .submit_staff(
            "erasure",
            "2026-11-16",
            json!({ "what": "Vanhat merkinnät", "why": "Tarpeettomia" }),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/requests/{id}/items"),
            Some(&app.org.staff),
            json!({ "description": "Perhetyön muistiinpanot 2019", "record_category": "families_with_children",
                    "retention_start_on": "2020-03-31" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut v = signed_in(&app, "staff@satama.example").await;
    let (_, _, html) = v.get(&format!("/desk/requests/{id}/items/1?lang=fi")).await;
    let text = visible_text(&html);
    assert!(
        text.contains("Laki edellyttää, että asiakirja säilytetään 31.3.2050 asti."),
        "{text}"
    );
    assert!(!text.contains("The law requires"), "{text}");
    let (_, _, html) = v.get(&format!("/desk/requests/{id}/items/1?lang=sv")).await;
    assert!(
        visible_text(&html).contains("Enligt lag ska handlingen bevaras till och med 31.3.2050.")
    );
}

#[actix_rt::test]
async fn items_are_added_and_decided_one_page_each() {
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
    let (_, _, html) = v.get(&case).await;
    assert!(html.contains(&format!("/desk/requests/{id}/items/new?lang=en")));
    let new = format!("/desk/requests/{id}/items/new?lang=en");
    let (status, _, html) = post_form(&mut v, &new, &new, &[("description", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-description""##), "{html}");
    for what in ["The address in the 2024 decision", "The phone number"] {
        let (status, location, _) = post_form(&mut v, &new, &new, &[("description", what)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains("done=item_added"));
    }
    let first = format!("/desk/requests/{id}/items/1?lang=en");
    let (status, _, html) = post_form(
        &mut v,
        &first,
        &first,
        &[
            ("decision", "done"),
            ("reason", "Checked from the register"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a correction says before and after"
    );
    assert!(
        html.contains(r##"href="#f-before""##) && html.contains(r##"href="#f-after""##),
        "{html}"
    );
    let (status, _, _) = post_form(
        &mut v,
        &first,
        &first,
        &[
            ("decision", "done"),
            ("before", "Vanhakatu 2"),
            ("after", "Kotikatu 1"),
            ("reason", "Checked from the population register"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let complete = format!("/desk/requests/{id}/complete?lang=en");
    let (_, _, html) = v.get(&complete).await;
    assert!(
        visible_text(&html).contains("Items 2 are not decided yet"),
        "completing is said to wait for the undecided item"
    );
    let second = format!("/desk/requests/{id}/items/2?lang=en");
    let (_, _, html) = v.get(&second).await;
    assert!(
        html.contains("Manifestly unfounded") || html.contains("gdpr_12_5"),
        "grounds for this kind are offered"
    );
    assert!(
        !html.contains(r#"value="gdpr_17_3_b""#),
        "an erasure ground is not offered for a rectification"
    );
    let (status, _, _) = post_form(
        &mut v,
        &second,
        &second,
        &[
            ("decision", "refused"),
            ("ground", "gdpr_12_5"),
            ("explanation", "The same request was answered last week"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = v.get(&case).await;
    let text = visible_text(&html);
    assert!(
        text.contains("Before: Vanhakatu 2; After: Kotikatu 1"),
        "{text}"
    );
    assert!(text.contains("Refused") && text.contains("Art"), "{text}");
    let (status, _, _) = v.get(&format!("/desk/requests/{id}/items/9?lang=en")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, html) = v.get(&complete).await;
    let text = visible_text(&html);
    assert!(
        text.contains("outcome will be: Partly fulfilled") && text.contains("refusal certificate"),
        "{text}"
    );
}

#[actix_rt::test]
async fn an_entry_is_gathered_given_or_withheld_with_its_ground() {
    let app = TestApp::spawn().await;
    let created = app
        .submit_staff(
            "access",
            "2026-11-16",
            json!({ "scope": "whole_record", "form": "paper" }),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    let mut v = signed_in(&app, "staff@satama.example").await;
    let new = format!("/desk/requests/{id}/entries/new?lang=en");
    let (status, _, html) = post_form(
        &mut v,
        &new,
        &new,
        &[
            ("title", "Client basic data"),
            ("register", "turvakoti"),
            ("withheld", "on"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no data, no ground"
    );
    assert!(
        html.contains(r##"href="#f-label_0""##) && html.contains(r##"href="#f-withheld_ground""##),
        "{html}"
    );
    let (status, location, body) = post_form(
        &mut v,
        &new,
        &new,
        &[
            ("title", "Risk assessment"),
            ("register", "turvakoti"),
            ("label_0", "Assessment"),
            ("value_0", "Risk assessment of 3.2.2026"),
            ("withheld", "on"),
            ("withheld_ground", "gdpr_15_4"),
            ("withheld_reason", "It would reveal another person's data"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, html) = v.get(&location).await;
    let text = visible_text(&html);
    assert!(
        text.contains("Risk assessment") && text.contains("Withheld"),
        "{text}"
    );
    let (_, listed) = app
        .get(
            &format!("/api/v1/requests/{id}/attachments"),
            Some(&app.org.staff),
        )
        .await;
    assert_eq!(listed[0]["withheld_ground"], "gdpr_15_4");
    assert_eq!(listed[0]["kind"], "entry");
}

/// The addresses of every admin page, for the role checks.
const ADMIN_PAGES: [&str; 9] = [
    "/desk/admin?lang=en",
    "/desk/admin/users?lang=en",
    "/desk/admin/users/new?lang=en",
    "/desk/admin/registers?lang=en",
    "/desk/admin/registers/new?lang=en",
    "/desk/admin/organisation?lang=en",
    "/desk/admin/identification?lang=en",
    "/desk/admin/tokens?lang=en",
    "/desk/admin/tokens/new?lang=en",
];

#[actix_rt::test]
async fn only_admins_are_offered_and_reach_the_admin_pages() {
    let app = TestApp::spawn().await;
    for email in ["staff@satama.example", "dpo@satama.example"] {
        let mut v = signed_in(&app, email).await;
        let (_, _, settings) = v.get("/desk/settings?lang=en").await;
        assert!(
            !settings.contains("/desk/admin"),
            "{email} is offered admin"
        );
        for page in ADMIN_PAGES {
            let (status, _, html) = v.get(page).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{email} {page}");
            assert!(
                visible_text(&html).contains("administrators only"),
                "{email} {page}: said in words"
            );
        }
        // A post with a valid CSRF value is refused too, and makes nothing.
        let csrf = csrf_of(&settings);
        let (status, _, _) = v
            .post(
                "/desk/admin/tokens/new?lang=en",
                &[("csrf", &csrf), ("source", "Sneaky")],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
    }
    let (_, tokens) = app.get("/api/v1/ingest-tokens", Some(&app.org.admin)).await;
    assert_eq!(tokens, json!([]), "nothing was made");

    let mut admin = signed_in(&app, "admin@satama.example").await;
    let (_, _, html) = admin.get("/desk/settings?lang=en").await;
    assert!(html.contains(r#"href="/desk/admin?lang=en""#));
    for page in ADMIN_PAGES {
        let (status, _, html) = admin.get(page).await;
        assert_eq!(status, StatusCode::OK, "{page}: {html}");
        assert!(
            html.contains(r#"aria-current="page">Administration"#),
            "{page}"
        );
    }
    for page in ["/desk/admin?lang=fi", "/desk/admin/users?lang=sv"] {
        let (status, _, html) = admin.get(page).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("[desk_"), "{page}: a text is missing");
    }
    // Every admin post checks its CSRF value.
    for (action, fields) in [
        ("/desk/admin/users/new?lang=en", vec![("name", "X")]),
        ("/desk/admin/registers/new?lang=en", vec![("slug", "x-y")]),
        ("/desk/admin/organisation?lang=en", vec![("phone", "1")]),
        ("/desk/admin/identification?lang=en", vec![("oidc", "off")]),
        ("/desk/admin/tokens/new?lang=en", vec![("source", "X")]),
    ] {
        let mut form = vec![("csrf", "forged")];
        form.extend(fields);
        let (status, _, _) = admin.post(action, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{action}");
    }
    let (_, profile) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    assert_eq!(
        profile["phone"], "09 123 4567",
        "the forged post changed nothing"
    );
}

/// The user list's link to one user's page, found by the user's name.
fn user_href(html: &str, name: &str) -> String {
    let at = html.find(&format!(">{name}</a>")).expect(name);
    let start = html[..at].rfind("href=\"").unwrap() + "href=\"".len();
    html[start..at - 1].replace("&amp;", "&")
}

#[actix_rt::test]
async fn an_admin_creates_changes_deactivates_and_resets_users() {
    let app = TestApp::spawn().await;
    let mut admin = signed_in(&app, "admin@satama.example").await;
    let new = "/desk/admin/users/new?lang=en";

    // Errors are listed at the top, each linked to its field, in words.
    let (status, _, html) = post_form(
        &mut admin,
        new,
        new,
        &[
            ("name", ""),
            ("email", "not an address"),
            ("role", "staff"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("error-summary"));
    // Listed in the order of the form's fields, each linking to its field.
    let at = |target: &str| {
        html.find(&format!(r##"href="{target}""##))
            .unwrap_or_else(|| panic!("{target}"))
    };
    assert!(at("#f-name") < at("#f-email") && at("#f-email") < at("#f-password"));
    assert!(!html.contains("invalid_email"), "a code, not words");
    assert!(
        html.contains(r#"value="not an address""#),
        "typed values are kept"
    );

    let fields = [
        ("name", "Outi Uusi"),
        ("title", "sosiaaliohjaaja"),
        ("email", "outi@satama.example"),
        ("role", "staff"),
        ("password", common::PASSWORD),
    ];
    let (status, location, body) = post_form(&mut admin, new, new, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.contains("done=created"), "{location}");
    // The same address again is said on the field.
    let (status, _, html) = post_form(&mut admin, new, new, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-email""##), "{html}");
    let (_, _, list) = admin.get(&location).await;
    assert!(visible_text(&list).contains("Outi Uusi outi@satama.example Case handler"));
    let mut outi = signed_in(&app, "outi@satama.example").await;
    let (status, _, _) = outi.get("/desk/queue/mine?lang=en").await;
    assert_eq!(status, StatusCode::OK);

    // Change the role and deactivate: the session ends at once, sign-in is refused.
    let href = user_href(&list, "Outi Uusi");
    let (status, _, body) = post_form(
        &mut admin,
        &href,
        &href,
        &[
            ("name", "Outi Uusi"),
            ("title", ""),
            ("role", "dpo"),
            ("active", "inactive"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, users) = app.get("/api/v1/users", Some(&app.org.admin)).await;
    let outi_row = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "outi@satama.example")
        .unwrap()
        .clone();
    assert_eq!(outi_row["role"], "dpo");
    assert_eq!(outi_row["active"], false);
    assert!(outi_row["title"].is_null());
    let (status, _, _) = outi.get("/desk/queue/mine?lang=en").await;
    assert_ne!(
        status,
        StatusCode::OK,
        "the deactivated user's session has ended"
    );

    // A new password: the old one stops working (after reactivation, to sign in).
    let (status, _, _) = post_form(
        &mut admin,
        &href,
        &href,
        &[
            ("name", "Outi Uusi"),
            ("role", "staff"),
            ("active", "active"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Signed in again before the reset: that session ends with the reset below.
    let mut outi = signed_in(&app, "outi@satama.example").await;
    let (status, _, _) = outi.get("/desk/queue/mine?lang=en").await;
    assert_eq!(status, StatusCode::OK);
    let bearer = app.login("outi@satama.example").await;
    let reset = href.replace("?lang=en", "/password?lang=en");
    let (status, _, html) = post_form(&mut admin, &reset, &reset, &[("password", "short")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-password""##));
    let (status, location, _) = post_form(
        &mut admin,
        &reset,
        &reset,
        &[("password", "a second passphrase")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("done=password"));
    let login = |password: &'static str| {
        app.post(
            "/api/v1/auth/token",
            None,
            json!({ "email": "outi@satama.example", "password": password }),
        )
    };
    assert_eq!(login(common::PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    // The sessions opened before the reset are over: the desk cookie and the API token.
    let (status, _, _) = outi.get("/desk/queue/mine?lang=en").await;
    assert_ne!(
        status,
        StatusCode::OK,
        "the session from before the reset ended"
    );
    let (status, _) = app.get("/api/v1/requests", Some(&bearer)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the token from before the reset"
    );
    let (status, fresh) = login("a second passphrase").await;
    assert_eq!(status, StatusCode::OK);
    let fresh = fresh["access_token"].as_str().unwrap();
    let (status, _) = app.get("/api/v1/requests", Some(fresh)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a token issued after the reset works"
    );

    // The admin cannot demote or deactivate themselves: the organisation keeps an admin.
    let (_, _, list) = admin.get("/desk/admin/users?lang=en").await;
    let me = user_href(&list, "admin of satama");
    for (role, active) in [("staff", "active"), ("admin", "inactive")] {
        let (status, _, html) = post_form(
            &mut admin,
            &me,
            &me,
            &[
                ("name", "admin of satama"),
                ("role", role),
                ("active", active),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{role} {active}");
        assert!(visible_text(&html).contains("You cannot remove your own admin role"));
    }
    let (status, _, _) = admin.get("/desk/admin/users?lang=en").await;
    assert_eq!(status, StatusCode::OK, "still an admin");
}

#[actix_rt::test]
async fn an_admin_keeps_registers_and_a_save_keeps_what_the_form_does_not_show() {
    let app = TestApp::spawn().await;
    // Retention rules are set through the API only; the page must not lose them.
    let (status, body) = app
        .send(
            app.client
                .patch(format!("{}/api/v1/registers/turvakoti", app.base))
                .json(&json!({ "info": { "retention_rules": [
                    { "code": "client_record", "years": 12, "start": "case_closed" }
                ] } })),
            Some(&app.org.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut admin = signed_in(&app, "admin@satama.example").await;
    let new = "/desk/admin/registers/new?lang=en";
    let (status, _, html) = post_form(
        &mut admin,
        new,
        new,
        &[("slug", "Not A Slug"), ("name", "")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-slug""##) && html.contains(r##"href="#f-name""##));
    let (status, _, body) = post_form(
        &mut admin,
        new,
        new,
        &[
            ("slug", "perhetyo"),
            ("name", "Perhetyön rekisteri"),
            ("info.purposes", "Perhetyön järjestäminen"),
            ("info.retention", "Laki 703/2023"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (status, _, html) = post_form(
        &mut admin,
        new,
        new,
        &[("slug", "perhetyo"), ("name", "Toinen")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the slug is taken"
    );
    assert!(html.contains(r##"href="#f-slug""##));

    let edit = "/desk/admin/registers/turvakoti?lang=en";
    let (_, _, html) = admin.get(edit).await;
    assert!(html.contains("Turvakodin asiakasrekisteri: palvelun järjestäminen"));
    let (status, _, body) = post_form(
        &mut admin,
        edit,
        edit,
        &[
            ("name", "Turvakodin asiakasrekisteri"),
            ("description", "Turvakodin asiakkaat"),
            ("info.purposes", "Turvakotipalvelu"),
            ("info.legal_basis", ""),
            ("info.data_categories", ""),
            ("info.recipients", ""),
            ("info.sources", ""),
            ("info.retention", "Laki 703/2023, liite"),
            ("info.transfers", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, list) = app.get("/api/v1/registers", Some(&app.org.admin)).await;
    let reg = |slug: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["slug"] == slug)
            .unwrap()
            .clone()
    };
    let t = reg("turvakoti");
    assert_eq!(t["description"], "Turvakodin asiakkaat");
    assert_eq!(t["info"]["purposes"], "Turvakotipalvelu");
    assert_eq!(t["info"]["retention_rules"][0]["years"], 12, "{t}");
    assert_eq!(
        reg("perhetyo")["info"]["purposes"],
        "Perhetyön järjestäminen"
    );
}

#[actix_rt::test]
async fn the_letterhead_and_identification_pages_change_only_their_own_fields() {
    let app = TestApp::spawn().await;
    let oidc = json!({ "issuer": "https://idp.example", "audience": "rightsdesk",
                       "jwks": "https://idp.example/jwks", "identity_claim": "hetu",
                       "accepted_acr": ["substantial", "high"] });
    let (status, body) = app
        .send(
            app.client
                .patch(format!("{}/api/v1/organisation", app.base))
                .json(&json!({ "oidc": oidc, "public_authority": true })),
            Some(&app.org.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, before) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    let mut admin = signed_in(&app, "admin@satama.example").await;

    // The letterhead page shows what is stored and changes only the phone here.
    let page = "/desk/admin/organisation?lang=en";
    let (_, _, html) = admin.get(page).await;
    assert!(html.contains("Satamakatu 1, 00100 Helsinki") && html.contains("satama ry"));
    let (status, location, body) = post_form(
        &mut admin,
        page,
        page,
        &[
            ("postal_address", "Satamakatu 1, 00100 Helsinki"),
            ("email", "tietosuoja@satama.example"),
            ("phone", "09 765 4321"),
            ("public_authority", "yes"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, html) = admin.get(&location).await;
    assert!(visible_text(&html).contains("The changes have been saved."));
    let (_, after) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    let mut expected = before.clone();
    expected["phone"] = json!("09 765 4321");
    assert_eq!(
        after, expected,
        "only the phone changed; identification kept"
    );
    let (status, _, html) = post_form(&mut admin, page, page, &[("email", "not an address")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-email""##));

    // The identification page shows the settings and changes only them.
    let page = "/desk/admin/identification?lang=en";
    let (_, _, html) = admin.get(page).await;
    assert!(html.contains("https://idp.example/jwks") && html.contains("substantial\nhigh"));
    let (status, _, html) = post_form(
        &mut admin,
        page,
        page,
        &[
            ("oidc", "on"),
            ("oidc.issuer", ""),
            ("oidc.audience", "rightsdesk"),
            ("oidc.jwks", "x"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-oidc-issuer""##), "{html}");
    let (status, _, body) = post_form(
        &mut admin,
        page,
        page,
        &[
            ("oidc", "on"),
            ("oidc.issuer", "https://other-idp.example"),
            ("oidc.audience", "rightsdesk"),
            ("oidc.identity_claim", "hetu"),
            ("oidc.jwks", "https://other-idp.example/jwks"),
            ("oidc.authorization_endpoint", ""),
            ("oidc.accepted_acr", "high\n"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, after) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    expected["oidc"]["issuer"] = json!("https://other-idp.example");
    expected["oidc"]["jwks"] = json!("https://other-idp.example/jwks");
    expected["oidc"]["accepted_acr"] = json!(["high"]);
    assert_eq!(after, expected, "only identification changed");
    let (status, _, _) = post_form(&mut admin, page, page, &[("oidc", "off")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, after) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    expected["oidc"]["enabled"] = json!(false);
    assert_eq!(
        after, expected,
        "switched off, the settings kept; the letterhead kept"
    );
}

#[actix_rt::test]
async fn switching_identification_off_keeps_its_settings_and_on_restores_them() {
    let app = TestApp::spawn().await;
    // A profile stored before the on/off flag existed reads as on.
    let org_id = app.org_id();
    app.db.execute(&format!(
        "UPDATE organisations SET oidc = '{{\"issuer\":\"https://idp.example\",\
         \"audience\":\"rightsdesk\",\"identity_claim\":\"hetu\",\
         \"jwks\":\"https://idp.example/jwks\",\
         \"authorization_endpoint\":\"https://idp.example/authorize\"}}' WHERE id = '{org_id}'"
    ));
    let (_, stored) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    assert_eq!(stored["oidc"]["enabled"], true, "{stored}");
    let offered = |html: &str| html.contains("/satama/eid/start?kind=access");
    let mut public = Visitor::new(&app);
    let (_, _, form) = public.get("/satama/request/access?lang=en").await;
    assert!(offered(&form), "on: the form offers identification");

    // Off, as the page posts it (every field as shown): the settings stay, switched off.
    let mut admin = signed_in(&app, "admin@satama.example").await;
    let page = "/desk/admin/identification?lang=en";
    let shown = [
        ("oidc.issuer", "https://idp.example"),
        ("oidc.audience", "rightsdesk"),
        ("oidc.identity_claim", "hetu"),
        ("oidc.jwks", "https://idp.example/jwks"),
        (
            "oidc.authorization_endpoint",
            "https://idp.example/authorize",
        ),
        ("oidc.accepted_acr", ""),
    ];
    let mut fields = vec![("oidc", "off")];
    fields.extend(shown);
    let (status, _, body) = post_form(&mut admin, page, page, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, off) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    let mut expected = stored["oidc"].clone();
    expected["enabled"] = json!(false);
    assert_eq!(off["oidc"], expected, "kept, switched off");
    let (_, _, html) = admin.get(page).await;
    assert!(
        html.contains("https://idp.example/jwks"),
        "the page still shows them"
    );
    assert!(
        html.contains(r#"value="off" checked"#),
        "and says identification is off"
    );
    // Off is the same as not configured: the form no longer offers it, and the start of
    // identification is not found.
    let (_, _, form) = public.get("/satama/request/access?lang=en").await;
    assert!(
        !offered(&form),
        "off: the form does not offer identification"
    );
    let (status, _, _) = public.get("/satama/eid/start?kind=access&lang=en").await;
    assert_ne!(status, StatusCode::SEE_OTHER, "off: no way to the provider");

    // On again: the same settings, in use again.
    let mut fields = vec![("oidc", "on")];
    fields.extend(shown);
    let (status, _, body) = post_form(&mut admin, page, page, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, on) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    assert_eq!(on["oidc"], stored["oidc"], "restored as they were");
    let (_, _, form) = public.get("/satama/request/access?lang=en").await;
    assert!(offered(&form), "on again: the form offers identification");

    // Off with only the switch sent keeps them too; the API can switch off the same way.
    let (status, _, _) = post_form(&mut admin, page, page, &[("oidc", "off")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, off) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    assert_eq!(off["oidc"], expected);
}

#[actix_rt::test]
async fn the_organisations_default_language_is_the_desk_language_of_users_without_their_own() {
    let app = TestApp::spawn().await;
    let (_, before) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    assert_eq!(
        before["default_language"], "fi",
        "Finnish by default: {before}"
    );
    // The API changes only the field sent.
    let patch = |body: Value| {
        app.send(
            app.client
                .patch(format!("{}/api/v1/organisation", app.base))
                .json(&body),
            Some(&app.org.admin),
        )
    };
    let (status, after) = patch(json!({ "default_language": "sv" })).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    let mut expected = before.clone();
    expected["default_language"] = json!("sv");
    assert_eq!(after, expected, "only the language changed");
    for bad in [
        json!({ "default_language": "de" }),
        json!({ "default_language": null }),
    ] {
        let (status, problem) = patch(bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {problem}");
        assert!(problem["code"].is_string(), "{problem}");
    }
    let (_, stored) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    assert_eq!(stored["default_language"], "sv");

    // A user without a language of their own gets the desk in the organisation's.
    let mut staff = signed_in(&app, "staff@satama.example").await;
    let (status, _, html) = staff.get("/desk/queue/mine").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"<html lang="sv">"#), "{html}");
    let (_, _, html) = staff.get("/desk/settings").await;
    assert!(
        visible_text(&html).contains("Organisationens språk (svenska)"),
        "{html}"
    );
    // Their own choice wins.
    let (status, _, _) = post_form(
        &mut staff,
        "/desk/settings",
        "/desk/settings?lang=sv",
        &[("language", "en")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = staff.get("/desk/queue/mine").await;
    assert!(html.contains(r#"<html lang="en">"#));

    // The admin changes it on the letterhead page, in words; the other fields stay.
    let mut admin = signed_in(&app, "admin@satama.example").await;
    let page = "/desk/admin/organisation?lang=en";
    let (_, _, html) = admin.get(page).await;
    assert!(visible_text(&html).contains("default language"), "{html}");
    assert!(html.contains(r#"value="sv" checked"#), "{html}");
    let (status, _, html) = post_form(&mut admin, page, page, &[("default_language", "de")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-default_language""##), "{html}");
    let (status, _, body) = post_form(&mut admin, page, page, &[("default_language", "en")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, after) = app.get("/api/v1/organisation", Some(&app.org.admin)).await;
    expected["default_language"] = json!("en");
    assert_eq!(after, expected);
    // The DPO has no language of their own: the desk follows the organisation's.
    let mut dpo = signed_in(&app, "dpo@satama.example").await;
    let (_, _, html) = dpo.get("/desk/settings").await;
    assert!(html.contains(r#"<html lang="en">"#));
}

#[actix_rt::test]
async fn register_texts_are_kept_in_three_languages_and_read_in_the_readers() {
    let app = TestApp::spawn().await;
    let patch = |body: Value| {
        app.send(
            app.client
                .patch(format!("{}/api/v1/registers/turvakoti", app.base))
                .json(&body),
            Some(&app.org.admin),
        )
    };
    let turvakoti = || async {
        let (status, list) = app.get("/api/v1/registers", Some(&app.org.staff)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r["slug"] == "turvakoti")
            .unwrap()
            .clone()
    };
    // The API takes Swedish and English texts beside the Finnish ones.
    let (status, body) = patch(json!({ "info": { "translations": {
        "sv": { "name": "Skyddshemmets klientregister", "purposes": "Skyddshemstjänst" },
        "en": { "name": "Shelter client register" } } } }))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let register = turvakoti().await;
    assert_eq!(
        register["name"], "Turvakodin asiakasrekisteri",
        "Finnish as before"
    );
    assert_eq!(
        register["info"]["translations"]["sv"],
        json!({ "name": "Skyddshemmets klientregister", "purposes": "Skyddshemstjänst" })
    );
    // Each text merges on its own: a description added, the name kept; "" clears one.
    let (status, _) = patch(json!({ "info": { "translations": {
        "sv": { "description": "Klientuppgifter", "purposes": "" } } } }))
    .await;
    assert_eq!(status, StatusCode::OK);
    let register = turvakoti().await;
    assert_eq!(
        register["info"]["translations"]["sv"],
        json!({ "name": "Skyddshemmets klientregister", "description": "Klientuppgifter" })
    );
    assert_eq!(
        register["info"]["translations"]["en"]["name"],
        "Shelter client register"
    );
    // Finnish is the register's own fields, not a translation; an unknown language is refused.
    let (status, problem) =
        patch(json!({ "info": { "translations": { "fi": { "name": "x" } } } })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "info.translations.fi");
    let (status, _) = patch(json!({ "info": { "translations": { "de": { "name": "x" } } } })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The public page reads them in its language, Finnish where a text is missing.
    let mut public = Visitor::new(&app);
    let (_, _, sv) = public.get("/satama/?lang=sv").await;
    let sv = visible_text(&sv);
    assert!(sv.contains("Skyddshemmets klientregister"), "{sv}");
    assert!(sv.contains("Klientuppgifter"), "{sv}");
    assert!(
        sv.contains("Turvakodin asiakasrekisteri: palvelun järjestäminen"),
        "the purposes in Finnish, with no Swedish text: {sv}"
    );
    let (_, _, en) = public.get("/satama/request/access?lang=en").await;
    assert!(visible_text(&en).contains("Shelter client register"));
    let (_, _, fi) = public.get("/satama/request/access?lang=fi").await;
    assert!(visible_text(&fi).contains("Turvakodin asiakasrekisteri"));
    // So do the paper forms.
    let pdf = app
        .client
        .get(format!("{}/satama/forms/access.pdf?lang=sv", app.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = rightsdesk::pdf::extract_text(&pdf).unwrap();
    assert!(text.contains("Skyddshemmets klientregister"), "{text}");

    // The admin page edits every text per language; blank ones are read in Finnish.
    let mut admin = signed_in(&app, "admin@satama.example").await;
    let page = "/desk/admin/registers/turvakoti?lang=en";
    let (_, _, html) = admin.get(page).await;
    let text = visible_text(&html);
    assert!(text.contains("name (in Swedish)"), "{text}");
    assert!(text.contains("Retention period (in English)"), "{text}");
    assert!(html.contains(r#"name="info.translations.sv.name""#));
    assert!(html.contains("Skyddshemmets klientregister"));
    let (status, _, body) = post_form(
        &mut admin,
        page,
        page,
        &[
            ("info.translations.en.name", "Shelter clients"),
            (
                "info.translations.en.retention",
                "Kept as the law requires.",
            ),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let register = turvakoti().await;
    assert_eq!(
        register["info"]["translations"]["en"],
        json!({ "name": "Shelter clients", "retention": "Kept as the law requires." })
    );
    assert_eq!(
        register["info"]["translations"]["sv"]["name"], "Skyddshemmets klientregister",
        "what the form did not send stays"
    );
    assert_eq!(register["name"], "Turvakodin asiakasrekisteri");
    // The desk names it in the reader's language.
    let (_, created) = app
        .submit_public(|b| b["registers"] = json!(["turvakoti"]))
        .await;
    let id = created["id"].as_str().unwrap();
    let mut staff = signed_in(&app, "staff@satama.example").await;
    let (_, _, case) = staff.get(&format!("/desk/requests/{id}?lang=sv")).await;
    assert!(visible_text(&case).contains("Skyddshemmets klientregister"));
}

/// Sends one access-log event with `token`; the answer's status.
async fn ingest_one(app: &TestApp, token: &str) -> StatusCode {
    let event = json!({ "event_id": "d1", "occurred_at": "2025-03-04T09:15:22+02:00",
                        "subject_id": "131052-308T", "user_name": "Matti", "user_title": "t",
                        "unit": "u", "action": "view", "basis": "b" });
    app.send(
        app.client
            .post(format!(
                "{}/api/v1/access-log/events?register=turvakoti",
                app.base
            ))
            .header("content-type", "application/x-ndjson")
            .body(event.to_string()),
        Some(token),
    )
    .await
    .0
}

#[actix_rt::test]
async fn an_ingest_token_is_shown_once_and_a_revoked_one_stops_at_once() {
    let app = TestApp::spawn().await;
    let mut admin = signed_in(&app, "admin@satama.example").await;
    let new = "/desk/admin/tokens/new?lang=en";
    let (status, _, html) = post_form(&mut admin, new, new, &[("source", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r##"href="#f-source""##));
    let (status, _, html) = post_form(&mut admin, new, new, &[("source", "Apotti")]).await;
    assert_eq!(status, StatusCode::OK);
    let at = html.find("<code>rdi_").expect("the token is shown") + "<code>".len();
    let token = html[at..at + html[at..].find('<').unwrap()].to_string();
    assert!(visible_text(&html).contains("It is not shown again"));
    let (_, _, list) = admin.get("/desk/admin/tokens?lang=en").await;
    assert!(!list.contains(&token), "the list never shows the secret");
    assert!(visible_text(&list).contains("Apotti"));
    assert!(visible_text(&list).contains("In use"));
    assert!(visible_text(&list).contains("Not used yet"));

    assert_eq!(ingest_one(&app, &token).await, StatusCode::OK);

    let at = list.find("/revoke?lang=en").expect("a revoke link");
    let start = list[..at].rfind("href=\"").unwrap() + "href=\"".len();
    let revoke = list[start..at + "/revoke?lang=en".len()].to_string();
    let (_, _, html) = admin.get(&revoke).await;
    assert!(visible_text(&html).contains("are refused with this token as soon as it is revoked"));
    let (status, location, _) = post_form(&mut admin, &revoke, &revoke, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, list) = admin.get(&location).await;
    assert!(visible_text(&list).contains("Revoked on"));
    assert!(!list.contains("/revoke?lang=en"), "nothing left to revoke");
    assert_eq!(ingest_one(&app, &token).await, StatusCode::UNAUTHORIZED);
}

#[actix_rt::test]
async fn an_ingest_tokens_last_use_is_shown_and_written_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    let (status, made) = app
        .post(
            "/api/v1/ingest-tokens",
            Some(&app.org.admin),
            json!({ "source": "Apotti" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let token = made["token"].as_str().unwrap().to_string();
    let last_used = || async {
        let (status, list) = app.get("/api/v1/ingest-tokens", Some(&app.org.admin)).await;
        assert_eq!(status, StatusCode::OK, "{list}");
        list[0]["last_used_at"].clone()
    };
    assert_eq!(last_used().await, Value::Null, "never used");

    // Noon in Helsinki on 16.11.2026 (the test clock).
    assert_eq!(ingest_one(&app, &token).await, StatusCode::OK);
    assert_eq!(last_used().await, json!("2026-11-16T10:00:00"));
    let mut admin = signed_in(&app, "admin@satama.example").await;
    let (_, _, list) = admin.get("/desk/admin/tokens?lang=en").await;
    let text = visible_text(&list);
    assert!(text.contains("Last used"), "{text}");
    assert!(text.contains("16 November 2026 at 12:00"), "{text}");
    let (_, _, list) = admin.get("/desk/admin/tokens?lang=fi").await;
    assert!(visible_text(&list).contains("16.11.2026 klo 12.00"));

    // Within the minute, another batch does not write it again; after it, it does.
    app.clock
        .set(app.clock_now() + chrono::Duration::seconds(30));
    assert_eq!(ingest_one(&app, &token).await, StatusCode::OK);
    assert_eq!(last_used().await, json!("2026-11-16T10:00:00"));
    app.clock
        .set(app.clock_now() + chrono::Duration::seconds(45));
    assert_eq!(ingest_one(&app, &token).await, StatusCode::OK);
    assert_eq!(last_used().await, json!("2026-11-16T10:01:15"));
    // A refused token records nothing.
    assert_eq!(
        ingest_one(&app, "rdi_wrong").await,
        StatusCode::UNAUTHORIZED
    );
}
