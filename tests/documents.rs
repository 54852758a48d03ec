//! Letters, certificates, item decisions, attachments and signed bundles, end to end: through
//! the HTTP API, into the database, out as real PDFs and ZIPs that are read back.

mod common;

use std::io::Read;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

use rightsdesk::domain::enums::Language;
use rightsdesk::letters::LetterKind;
use rightsdesk::services::documents;
use rightsdesk::services::request::Request;

/// The text a person would copy out of the PDF, whitespace collapsed.
fn pdf_text(bytes: &[u8]) -> String {
    rightsdesk::pdf::extract_text(bytes).expect("a readable PDF")
}

async fn download(app: &TestApp, doc_id: &str) -> Vec<u8> {
    let res = app
        .client
        .get(format!("{}/api/v1/documents/{doc_id}", app.base))
        .bearer_auth(&app.org.staff)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.bytes().await.unwrap().to_vec()
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

fn kinds(docs: &[Value]) -> Vec<String> {
    docs.iter()
        .map(|d| d["kind"].as_str().unwrap().to_string())
        .collect()
}

/// A request with a decision, grounds, items and recipients: every variable a letter can use.
async fn decided_erasure(app: &TestApp, subject: Value) -> String {
    let (status, body) = app
        .post(
            "/api/v1/requests",
            Some(&app.org.staff),
            json!({
                "kind": "erasure", "language": "fi", "channel": "letter", "received_on": "2026-11-10",
                "registers": ["turvakoti"],
                "subject": subject,
                "details": { "what": "Vanhat kirjaukset vuodelta 2019", "why": "Tarpeettomia" }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    app.act_ok(
        &id,
        json!({ "action": "assign", "assignee": app.org.staff_id }),
    )
    .await;
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "in_person" }),
    )
    .await;
    let (s, item) = app
        .post(
            &format!("/api/v1/requests/{id}/items"),
            Some(&app.org.staff),
            json!({ "description": "Turvakotijakson kirjaukset 2019", "register": "turvakoti",
                    "record_category": "families_with_children", "retention_start_on": "2020-03-31" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{item}");
    assert_eq!(item["retention_ends_on"], "2050-03-31");
    assert_eq!(item["proposal"]["ground"], "gdpr_17_3_b");
    app.post(
        &format!("/api/v1/requests/{id}/items"),
        Some(&app.org.staff),
        json!({ "description": "Puhelinnumero 040 000 0000 yhteystiedoissa" }),
    )
    .await;
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/items/1/decision"),
            Some(&app.org.staff),
            json!({ "decision": "refused", "ground": "gdpr_17_3_b",
                    "explanation": "Lastensuojelulain mukaiset asiakirjat on säilytettävä vuoteen 2050." }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/items/2/decision"),
            Some(&app.org.staff),
            json!({ "decision": "done", "reason": "Vanhentunut yhteystieto poistettu." }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    app.post(
        &format!("/api/v1/requests/{id}/recipients"),
        Some(&app.org.staff),
        json!({ "name": "Helsingin kaupungin lastensuojelu", "register": "turvakoti", "notified_on": "2026-11-16" }),
    )
    .await;
    let (s, r) = app
        .post(
            &format!("/api/v1/requests/{id}/recipients"),
            Some(&app.org.staff),
            json!({ "name": "Kelan toimisto" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert!(r["notified_on"].is_null());
    let (s, r) = app
        .post(
            &format!(
                "/api/v1/requests/{id}/recipients/{}/notified",
                r["id"].as_str().unwrap()
            ),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["notified_on"], "2026-11-16");
    app.act_ok(
        &id,
        json!({ "action": "extend", "reason": "Pyyntö koskee useita rekistereitä ja vuosien kirjauksia." }),
    )
    .await;
    app.act_ok(
        &id,
        json!({ "action": "complete", "outcome": "partially_fulfilled", "grounds": ["gdpr_17_3_b"],
                "explanation": "Osa kirjauksista on säilytettävä lain nojalla." }),
    )
    .await;
    id
}

#[actix_rt::test]
async fn every_letter_renders_in_every_language_with_its_facts() {
    let app = TestApp::spawn().await;
    let id = decided_erasure(
        &app,
        json!({ "name": "Äijä Öhman-Åberg", "personal_id": "131052-308T",
                "postal_address": "Kotikatu 5, 00100 Helsinki", "contact_channel": "post" }),
    )
    .await;
    // The actions wrote their letters in their transactions.
    let docs = documents_of(&app, &id).await;
    assert_eq!(
        kinds(&docs),
        ["extension_notice", "refusal_certificate", "erasure_done"]
    );

    let ctx = app.ctx.clone();
    let mut conn = ctx.pool.get().unwrap();
    let mut request = Request::load(&mut conn, &ctx_org(&app), &id).unwrap();
    // A public authority's, so the appeal instructions are among the letters.
    set_public_authority(&app);
    for lang in [Language::Fi, Language::Sv, Language::En] {
        request.row.language = lang;
        for kind in LetterKind::ALL {
            let pdf = documents::render_letter(
                ctx.letter_desk(),
                &mut conn,
                &request,
                *kind,
                Some("Lähetä kopio henkilökortista.".into()),
            )
            .unwrap_or_else(|e| panic!("{kind} {lang}: {e}"));
            assert!(pdf.starts_with(b"%PDF-1.7"), "{kind} {lang}");
            // To look at them: RIGHTSDESK_DUMP_PDF_DIR=/tmp/letters cargo test --test documents
            if let Ok(dir) = std::env::var("RIGHTSDESK_DUMP_PDF_DIR") {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(format!("{dir}/{kind}-{lang}.pdf"), &pdf).unwrap();
            }
            let text = pdf_text(&pdf);
            assert!(
                text.contains(&request.row.reference),
                "{kind} {lang}: no reference\n{text}"
            );
            assert!(
                text.contains("Äijä Öhman-Åberg"),
                "{kind} {lang}: name\n{text}"
            );
            assert!(
                text.contains(" (") && text.contains("1 ("),
                "{kind} {lang}: page numbers\n{text}"
            );
            let received = if lang == Language::En {
                "10 November 2026"
            } else {
                "10.11.2026"
            };
            if *kind != LetterKind::AccessReport {
                assert!(
                    text.contains(received),
                    "{kind} {lang}: received date\n{text}"
                );
            }
        }
    }
    // The refusal certificate carries the ground, the Ombudsman and the decider.
    request.row.language = Language::Fi;
    let pdf = documents::render_letter(
        ctx.letter_desk(),
        &mut conn,
        &request,
        LetterKind::RefusalCertificate,
        None,
    )
    .unwrap();
    let text = pdf_text(&pdf);
    for expected in [
        "KIELTÄYTYMISTODISTUS",
        "17 artiklan 3 kohdan b alakohta",
        "Tietosuojavaltuutetun toimisto",
        "PL 800, 00531 Helsinki",
        "029 566 6700",
        "Osa kirjauksista on säilytettävä lain nojalla.",
        "31.3.2050",
    ] {
        assert!(text.contains(expected), "missing '{expected}' in\n{text}");
    }
    // The erasure letter lists what was done, by whom, and whom we told (Art 19).
    let pdf = documents::render_letter(
        ctx.letter_desk(),
        &mut conn,
        &request,
        LetterKind::ErasureDone,
        None,
    )
    .unwrap();
    let text = pdf_text(&pdf);
    for expected in [
        "Vanhentunut yhteystieto poistettu.",
        "Helsingin kaupungin lastensuojelu",
        "Kelan toimisto",
        "16.11.2026",
    ] {
        assert!(text.contains(expected), "missing '{expected}' in\n{text}");
    }
}

fn set_public_authority(app: &TestApp) {
    let mut conn = app.ctx.pool.get().unwrap();
    let mut org = rightsdesk::db::orgs::find_organisation_by_slug(&mut conn, &app.org.slug)
        .unwrap()
        .unwrap();
    org.public_authority = true;
    rightsdesk::db::orgs::update_organisation_profile(&mut conn, &org).unwrap();
}

fn ctx_org(app: &TestApp) -> String {
    let mut conn = app.ctx.pool.get().unwrap();
    rightsdesk::db::orgs::find_organisation_by_slug(&mut conn, &app.org.slug)
        .unwrap()
        .unwrap()
        .id
        .into_string()
}

#[actix_rt::test]
async fn a_protected_address_is_on_no_page_of_any_letter() {
    let app = TestApp::spawn().await;
    let secret = "Salainen polku 7";
    let id = decided_erasure(
        &app,
        json!({ "name": "Suojattu Henkilö", "birth_date": "1980-01-02", "address_protected": true,
                "postal_address": format!("{secret}, 00100 Helsinki"), "contact_channel": "pick_up" }),
    )
    .await;
    let ctx = app.ctx.clone();
    let mut conn = ctx.pool.get().unwrap();
    let mut request = Request::load(&mut conn, &ctx_org(&app), &id).unwrap();
    // A public authority's, so the appeal instructions are among the letters.
    set_public_authority(&app);
    for lang in [Language::Fi, Language::Sv, Language::En] {
        request.row.language = lang;
        for kind in LetterKind::ALL {
            let text = pdf_text(
                &documents::render_letter(ctx.letter_desk(), &mut conn, &request, *kind, None)
                    .unwrap(),
            );
            assert!(
                !text.contains("Salainen"),
                "{kind} {lang} prints the protected address"
            );
            assert!(text.contains("Suojattu Henkilö"), "{kind} {lang}");
        }
    }
    // With a contact address they allow, that one is printed instead.
    let id = decided_erasure(
        &app,
        json!({ "name": "Suojattu Kaksi", "birth_date": "1980-01-02", "address_protected": true,
                "postal_address": format!("{secret}, 00100 Helsinki"),
                "contact_address": "PL 99, 00101 Helsinki", "contact_channel": "post" }),
    )
    .await;
    let request = Request::load(&mut conn, &ctx_org(&app), &id).unwrap();
    let text = pdf_text(
        &documents::render_letter(
            ctx.letter_desk(),
            &mut conn,
            &request,
            LetterKind::ErasureDone,
            None,
        )
        .unwrap(),
    );
    assert!(text.contains("PL 99, 00101 Helsinki"), "{text}");
    assert!(!text.contains("Salainen"));
}

#[actix_rt::test]
async fn submission_is_acknowledged_by_letter_and_refusal_writes_the_certificate() {
    let app = TestApp::spawn().await;
    let (status, body) = app.submit_public(|_| {}).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = body["id"].as_str().unwrap().to_string();
    assert!(
        documents_of(&app, &id).await.is_empty(),
        "rendered by the worker, not the submission"
    );
    let report = rightsdesk::jobs::run_once(app.ctx.clone(), "w")
        .await
        .unwrap();
    assert_eq!(report.letters, 1);
    let docs = documents_of(&app, &id).await;
    assert_eq!(kinds(&docs), ["acknowledgement"]);
    let pdf = download(&app, docs[0]["id"].as_str().unwrap()).await;
    let text = pdf_text(&pdf);
    assert!(text.contains("VASTAANOTTOILMOITUS"), "{text}");
    assert!(text.contains("16.12.2026"), "due date\n{text}");
    // Run again: nothing twice.
    let report = rightsdesk::jobs::run_once(app.ctx.clone(), "w")
        .await
        .unwrap();
    assert_eq!(report.letters, 0);

    app.act_ok(
        &id,
        json!({ "action": "refuse", "grounds": ["gdpr_12_5"],
                            "explanation": "Sama pyyntö on käsitelty kolme kertaa tänä vuonna." }),
    )
    .await;
    let docs = documents_of(&app, &id).await;
    assert_eq!(kinds(&docs), ["acknowledgement", "refusal_certificate"]);
    let text = pdf_text(&download(&app, docs[1]["id"].as_str().unwrap()).await);
    assert!(text.contains("12 artiklan 5 kohta"), "{text}");
    assert!(
        text.contains("Sama pyyntö on käsitelty kolme kertaa"),
        "{text}"
    );

    // A certificate for a request that was not refused is not a thing.
    let (status, _) = app.submit_public(|_| {}).await;
    assert_eq!(status, StatusCode::CREATED);
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/letters"),
            Some(&app.org.staff),
            json!({ "kind": "extension_notice" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], "letter_not_applicable");
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/letters"),
            Some(&app.org.staff),
            json!({ "kind": "refusal_certificate" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // Every document is in the audit trail with its hash.
    let (_, events) = app
        .get(
            &format!("/api/v1/requests/{id}/events"),
            Some(&app.org.staff),
        )
        .await;
    let created: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "document_created")
        .collect();
    assert_eq!(created.len(), 3);
    assert_eq!(created[2]["payload"]["sha256"], b["sha256"]);
}

async fn status_view(app: &TestApp, reference: &str, token: &str) -> Value {
    let res = app
        .client
        .get(format!("{}/api/v1/requests/{reference}/status", app.base))
        .header("X-Status-Token", token)
        .send()
        .await
        .unwrap();
    res.json::<Value>().await.unwrap()
}

async fn upload(
    app: &TestApp,
    id: &str,
    meta: Value,
    name: &str,
    media: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .text("meta", meta.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str(media)
                .unwrap(),
        );
    app.send(
        app.client
            .post(format!("{}/api/v1/requests/{id}/attachments", app.base))
            .multipart(form),
        Some(&app.org.staff),
    )
    .await
}

#[actix_rt::test]
async fn an_access_answer_is_a_signed_bundle_the_requester_downloads_once_verified() {
    let app = TestApp::spawn_with(|s| s.documents.max_upload_mb = 1).await;
    let (_, body) = app
        .submit_public(|b| {
            b["registers"] = json!(["turvakoti"]);
        })
        .await;
    let id = body["id"].as_str().unwrap().to_string();
    let reference = body["reference"].as_str().unwrap().to_string();
    let token = body["status_token"].as_str().unwrap().to_string();

    let (s, entry) = app
        .post(&format!("/api/v1/requests/{id}/entries"), Some(&app.org.staff),
              json!({ "register": "turvakoti", "title": "Asiakastiedot", "data": { "nimi": "Maija Meikäläinen", "jakso": { "alku": "2025-01-03", "loppu": "2025-02-14" } } }))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{entry}");
    let (s, file) = upload(
        &app,
        &id,
        json!({ "register": "turvakoti", "title": "Jaksokirjaukset" }),
        "kirjaukset.csv",
        "text/csv",
        "pvm,teksti\n2025-01-03,saapui\n".into(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{file}");
    assert_eq!(file["sha256"].as_str().unwrap().len(), 64);
    let (s, withheld) = upload(&app, &id, json!({ "register": "turvakoti", "title": "Toisen henkilön tiedot", "withheld_ground": "gdpr_15_4", "withheld_reason": "Sisältää toisen henkilön tietoja." }), "muistio.pdf", "application/pdf", b"%PDF-1.4 not shown".to_vec()).await;
    assert_eq!(s, StatusCode::CREATED, "{withheld}");
    // Above the configured limit: a clear 413, nothing stored.
    let (s, b) = upload(
        &app,
        &id,
        json!({ "register": "turvakoti" }),
        "iso.json",
        "application/json",
        vec![b' '; 1024 * 1024 + 1],
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    assert_eq!(b["code"], "file_too_large");
    let (s, b) = upload(
        &app,
        &id,
        json!({ "register": "muu" }),
        "x.csv",
        "text/csv",
        b"a".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");

    let (s, bundle) = app
        .post(
            &format!("/api/v1/requests/{id}/bundle"),
            Some(&app.org.staff),
            json!({ "release": true }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{bundle}");
    let zip_bytes = download(&app, bundle["id"].as_str().unwrap()).await;
    use sha2::Digest;
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&zip_bytes)),
        bundle["sha256"].as_str().unwrap()
    );

    // Unzip: every listed file is there with its hash; the withheld one is not.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes.clone())).unwrap();
    let mut manifest = String::new();
    archive
        .by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    let paths: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"answer.pdf"), "{paths:?}");
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("data/") && p.ends_with(".json")),
        "{paths:?}"
    );
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("data/") && p.ends_with(".csv")),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|p| p.ends_with("kirjaukset.csv")),
        "{paths:?}"
    );
    assert!(
        !paths.iter().any(|p| p.contains("muistio")),
        "withheld file shipped: {paths:?}"
    );
    for f in manifest["files"].as_array().unwrap() {
        let mut content = Vec::new();
        archive
            .by_name(f["path"].as_str().unwrap())
            .unwrap()
            .read_to_end(&mut content)
            .unwrap();
        assert_eq!(
            hex::encode(sha2::Sha256::digest(&content)),
            f["sha256"].as_str().unwrap()
        );
    }
    let mut answer = Vec::new();
    archive
        .by_name("answer.pdf")
        .unwrap()
        .read_to_end(&mut answer)
        .unwrap();
    let text = pdf_text(&answer);
    assert!(
        text.contains("Asiakastiedot") && text.contains("3.1.2025") && !text.contains("2025-01-03"),
        "{text}"
    );
    assert!(
        text.contains("muistio.pdf"),
        "the withheld item is listed with its ground\n{text}"
    );

    // The signature verifies against the published key, and a changed byte is caught.
    let (_, key) = app.get("/api/v1/keys", None).await;
    use base64::Engine as _;
    let public = base64::engine::general_purpose::STANDARD
        .decode(key["public_key"].as_str().unwrap())
        .unwrap();
    let report = rightsdesk::bundle::verify(std::io::Cursor::new(zip_bytes.clone()), Some(&public));
    assert!(
        report.is_ok(),
        "{:?}",
        report
            .problems
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
    );

    // The requester: nothing until the identity is verified.
    let view = status_view(&app, &reference, &token).await;
    assert_eq!(view["documents_withheld"], "identity_not_verified");
    assert!(view["documents"].as_array().unwrap().is_empty());
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "strong_eid" }),
    )
    .await;
    let view = status_view(&app, &reference, &token).await;
    let listed: Vec<&str> = view["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["bundle"]);
    let doc_id = view["documents"][0]["id"].as_str().unwrap();
    let res = app
        .client
        .get(format!(
            "{}/api/v1/requests/{reference}/documents/{doc_id}",
            app.base
        ))
        .header("X-Status-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().to_vec(), zip_bytes);
    let res = app
        .client
        .get(format!(
            "{}/api/v1/requests/{reference}/documents/{doc_id}",
            app.base
        ))
        .header("X-Status-Token", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (_, events) = app
        .get(
            &format!("/api/v1/requests/{id}/events"),
            Some(&app.org.staff),
        )
        .await;
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "document_downloaded" && e["actor_role"] == "requester"));

    // The withheld memo is refused on its ground: completing needs a partial decision that
    // names it.
    let _ = app.act(&id, json!({ "action": "start" })).await;
    app.assert_completion_needs_partial(&id, "gdpr_15_4").await;

    // After the download period (14 days by default) it is gone from the view.
    app.set_today("2026-12-01");
    let view = status_view(&app, &reference, &token).await;
    assert!(view["documents"].as_array().unwrap().is_empty(), "{view}");
}

#[actix_rt::test]
async fn a_bundles_entry_csv_opens_in_a_spreadsheet_as_text_not_formulas() {
    let app = TestApp::spawn().await;
    let (_, created) = app.submit_public(|_| {}).await;
    let id = created["id"].as_str().unwrap().to_string();
    let (s, entry) = app
        .post(
            &format!("/api/v1/requests/{id}/entries"),
            Some(&app.org.staff),
            json!({ "register": "turvakoti", "title": "Muistiinpanot",
                      "data": { "huomio": "=HYPERLINK(\"http://x.example/\")", "+avain": "@SUM(1)",
                                "saldo": "-5", "puhelin": "040 1234567" } }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{entry}");
    let (s, bundle) = app
        .post(
            &format!("/api/v1/requests/{id}/bundle"),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{bundle}");
    let zip_bytes = download(&app, bundle["id"].as_str().unwrap()).await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let name = (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .find(|n| n.starts_with("data/") && n.ends_with(".csv"))
        .unwrap();
    let mut csv = String::new();
    archive
        .by_name(&name)
        .unwrap()
        .read_to_string(&mut csv)
        .unwrap();
    let mut rows: Vec<&str> = csv.lines().collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            r#""'+avain","'@SUM(1)""#,
            r#""huomio","'=HYPERLINK(""http://x.example/"")""#,
            r#""puhelin","040 1234567""#,
            r#""saldo","'-5""#,
            "key,value",
        ],
        "{csv}"
    );
}

#[actix_rt::test]
async fn a_bundle_body_that_cannot_be_read_is_refused_and_only_true_releases() {
    let app = TestApp::spawn().await;
    let (_, created) = app.submit_public(|_| {}).await;
    let id = created["id"].as_str().unwrap().to_string();
    let url = format!("{}/api/v1/requests/{id}/bundle", app.base);
    let post = |content_type: &'static str, body: &'static str| {
        app.send(
            app.client
                .post(&url)
                .header("content-type", content_type)
                .body(body),
            Some(&app.org.staff),
        )
    };
    let unreadable = [
        (
            "text/plain",
            r#"{"release": false}"#,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "application/json",
            r#"{"release": "false"}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            r#"{"release": false, "note": "x"}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            r#"{"relase": false}"#,
            StatusCode::BAD_REQUEST,
        ),
        (
            "application/json",
            r#"{"release": false,}"#,
            StatusCode::BAD_REQUEST,
        ),
        ("application/json", "false", StatusCode::BAD_REQUEST),
    ];
    for (content_type, body, expected) in unreadable {
        let (s, problem) = post(content_type, body).await;
        assert_eq!(s, expected, "{content_type} {body}: {problem}");
        assert!(problem["code"].is_string(), "a problem document: {problem}");
    }
    let bundles = |docs: Vec<Value>| -> Vec<Value> {
        docs.into_iter().filter(|d| d["kind"] == "bundle").collect()
    };
    assert!(
        bundles(documents_of(&app, &id).await).is_empty(),
        "nothing made from a body that could not be read"
    );

    // No body at all, or no `release`, or `false`: made, kept with staff.
    let (s, b) = app.send(app.client.post(&url), Some(&app.org.staff)).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    for body in [json!({}), json!(null), json!({ "release": false })] {
        let (s, b) = app
            .post(
                &format!("/api/v1/requests/{id}/bundle"),
                Some(&app.org.staff),
                body,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    let made = bundles(documents_of(&app, &id).await);
    assert_eq!(made.len(), 4);
    assert!(made.iter().all(|d| d["released_at"].is_null()), "{made:?}");

    // Only an explicit true releases.
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/bundle"),
            Some(&app.org.staff),
            json!({ "release": true }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert!(b["released_at"].is_string(), "{b}");
}

#[actix_rt::test]
async fn a_representatives_request_under_review_releases_nothing_until_cleared() {
    let app = TestApp::spawn().await;
    let (s, body) = app
        .submit_public(|b| {
            b["subject"] = json!({ "name": "Lapsi Esimerkki", "personal_id": "010516B903X", "contact_channel": "pick_up" });
            b["representative"] = json!({ "name": "Huoltaja Esimerkki", "relationship": "guardian", "email": "h@example.fi" });
        })
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let (reference, token) = (
        body["reference"].as_str().unwrap().to_string(),
        body["status_token"].as_str().unwrap().to_string(),
    );
    rightsdesk::jobs::run_once(app.ctx.clone(), "w")
        .await
        .unwrap();
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "in_person" }),
    )
    .await;
    let v = status_view(&app, &reference, &token).await;
    assert_eq!(v["documents_withheld"], "under_review", "{v}");
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/review-clearance"),
            Some(&app.org.staff),
            json!({ "note": "x" }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, _) = app
        .post(
            &format!("/api/v1/requests/{id}/review-clearance"),
            Some(&app.org.staff),
            json!({ "note": "Huoltajuus tarkistettu, lapsi ei ole kieltänyt tietojen antamista." }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let v = status_view(&app, &reference, &token).await;
    assert!(v["documents_withheld"].is_null(), "{v}");
    assert_eq!(v["documents"][0]["kind"], "acknowledgement");
}

#[actix_rt::test]
async fn a_document_already_made_is_released_and_held_back() {
    let app = TestApp::spawn().await;
    let (s, body) = app.submit_public(|_| {}).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let (reference, token) = (
        body["reference"].as_str().unwrap().to_string(),
        body["status_token"].as_str().unwrap().to_string(),
    );
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "in_person" }),
    )
    .await;
    // The bundle is kept with staff unless released.
    let (s, bundle) = app
        .post(
            &format!("/api/v1/requests/{id}/bundle"),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{bundle}");
    assert!(bundle["released_at"].is_null());
    let doc = bundle["id"].as_str().unwrap().to_string();
    let release = format!("/api/v1/requests/{id}/documents/{doc}/release");
    let listed = |v: &Value| {
        v["documents"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|d| d["id"] == doc.as_str())
    };
    assert!(!listed(&status_view(&app, &reference, &token).await));

    // Released: the client sees it, for the download days from now.
    let (s, out) = app
        .post(&release, Some(&app.org.staff), json!({ "released": true }))
        .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert!(
        out["released_at"].is_string() && out["expires_at"].is_string(),
        "{out}"
    );
    assert!(listed(&status_view(&app, &reference, &token).await));
    // Again: nothing changes, nothing more is recorded.
    let (s, again) = app
        .post(&release, Some(&app.org.dpo), json!({ "released": true }))
        .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["released_at"], out["released_at"]);

    // Held back: gone from the client's view and their download.
    let (s, out) = app
        .post(&release, Some(&app.org.dpo), json!({ "released": false }))
        .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert!(
        out["released_at"].is_null() && out["expires_at"].is_null(),
        "{out}"
    );
    assert!(!listed(&status_view(&app, &reference, &token).await));
    let res = app
        .client
        .get(format!(
            "{}/api/v1/requests/{reference}/documents/{doc}",
            app.base
        ))
        .header("X-Status-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Audited by the document's id, in order, once each.
    let (_, events) = app
        .get(&format!("/api/v1/requests/{id}/events"), Some(&app.org.dpo))
        .await;
    let ours: Vec<(String, Value)> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["action"].as_str().unwrap().starts_with("document_")
                && e["action"] != "document_created"
        })
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["payload"].clone(),
            )
        })
        .collect();
    assert_eq!(
        ours,
        [
            (
                "document_released".to_string(),
                json!({ "document_id": doc, "kind": "bundle" })
            ),
            (
                "document_held_back".to_string(),
                json!({ "document_id": doc, "kind": "bundle" })
            ),
        ]
    );

    // Input is checked; only staff and the DPO, only their own organisation's documents.
    let (s, b) = app
        .post(&release, Some(&app.org.staff), json!({ "released": "yes" }))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = app
        .post(&release, Some(&app.org.staff), json!({ "release": true }))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = app
        .post(&release, Some(&app.org.admin), json!({ "released": true }))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, _) = app.post(&release, None, json!({ "released": true })).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let other = app.login("staff@muu-kunta.example").await;
    let (s, b) = app
        .post(&release, Some(&other), json!({ "released": true }))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    assert_eq!(b["code"], "not_found");
    let (s, b) = app
        .post(
            &format!(
                "/api/v1/requests/{id}/documents/{}/release",
                uuid::Uuid::new_v4()
            ),
            Some(&app.org.staff),
            json!({ "released": true }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    // Another request's document is not this request's.
    let (_, second) = app.submit_public(|_| {}).await;
    let second = second["id"].as_str().unwrap();
    let (s, _) = app
        .post(
            &format!("/api/v1/requests/{second}/documents/{doc}/release"),
            Some(&app.org.staff),
            json!({ "released": true }),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[actix_rt::test]
async fn a_document_is_not_released_before_the_review_is_cleared() {
    let app = TestApp::spawn().await;
    let (s, body) = app
        .submit_public(|b| {
            b["subject"] = json!({ "name": "Lapsi Esimerkki", "personal_id": "010516B903X", "contact_channel": "pick_up" });
            b["representative"] = json!({ "name": "Huoltaja Esimerkki", "relationship": "guardian", "email": "h@example.fi" });
        })
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let (s, bundle) = app
        .post(
            &format!("/api/v1/requests/{id}/bundle"),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{bundle}");
    let release = format!(
        "/api/v1/requests/{id}/documents/{}/release",
        bundle["id"].as_str().unwrap()
    );
    let (s, problem) = app
        .post(&release, Some(&app.org.staff), json!({ "released": true }))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "review_not_cleared", "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("review"));
    // Holding back is always possible.
    let (s, _) = app
        .post(&release, Some(&app.org.staff), json!({ "released": false }))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .post(
            &format!("/api/v1/requests/{id}/review-clearance"),
            Some(&app.org.staff),
            json!({ "note": "Huoltajuus tarkistettu väestötietojärjestelmästä." }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, out) = app
        .post(&release, Some(&app.org.staff), json!({ "released": true }))
        .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert!(out["released_at"].is_string());
}

#[actix_rt::test]
async fn the_access_report_names_registers_in_the_requests_language() {
    let app = TestApp::spawn().await;
    let (s, b) = app
        .send(
            app.client
                .patch(format!("{}/api/v1/registers/turvakoti", app.base))
                .json(&json!({ "info": { "translations": { "en": {
                    "name": "Shelter client register",
                    "purposes": "Running the shelter service" } } } })),
            Some(&app.org.admin),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, body) = app
        .submit_public(|b| {
            b["language"] = json!("en");
            b["registers"] = json!(["turvakoti"]);
        })
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/bundle"),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let docs = documents_of(&app, &id).await;
    let report = docs.iter().find(|d| d["kind"] == "access_report").unwrap();
    let text = pdf_text(&download(&app, report["id"].as_str().unwrap()).await);
    assert!(text.contains("Shelter client register"), "{text}");
    assert!(text.contains("Running the shelter service"), "{text}");
    assert!(!text.contains("Turvakodin asiakasrekisteri"), "{text}");
    // A text with no English version is given in Finnish.
    assert!(text.contains("Laki 703/2023, liite"), "{text}");
}

#[actix_rt::test]
async fn portability_bundles_are_machine_readable_only() {
    let app = TestApp::spawn().await;
    let (_, body) = app
        .submit_public(|b| {
            b["kind"] = json!("portability");
            b["details"] = json!({ "format": "json" });
            b["registers"] = json!(["turvakoti"]);
        })
        .await;
    let id = body["id"].as_str().unwrap().to_string();
    app.post(&format!("/api/v1/requests/{id}/entries"), Some(&app.org.staff),
             json!({ "register": "turvakoti", "title": "Yhteystiedot", "data": { "puhelin": "040 1234567" } })).await;
    let (s, _) = upload(
        &app,
        &id,
        json!({ "register": "turvakoti" }),
        "kuva.png",
        "image/png",
        vec![0x89, b'P', b'N', b'G'],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, bundle) = app
        .post(
            &format!("/api/v1/requests/{id}/bundle"),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{bundle}");
    let zip_bytes = download(&app, bundle["id"].as_str().unwrap()).await;
    let report = rightsdesk::bundle::verify(std::io::Cursor::new(zip_bytes), None);
    assert!(report.is_ok());
    let paths: Vec<String> = report
        .manifest
        .unwrap()
        .files
        .iter()
        .map(|f| f.path.clone())
        .collect();
    assert!(
        paths
            .iter()
            .all(|p| p.ends_with(".json") || p.ends_with(".csv")),
        "{paths:?}"
    );
    // Other kinds have no bundle.
    let (_, body) = app
        .submit_public(|b| {
            b["kind"] = json!("objection");
            b["details"] = json!({ "grounds": "En halua." });
        })
        .await;
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{}/bundle", body["id"].as_str().unwrap()),
            Some(&app.org.staff),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
}

/// The letter jobs' row: (tries, locked until, last error).
fn letter_job(
    app: &TestApp,
    request_id: &str,
) -> Option<(i32, Option<chrono::NaiveDateTime>, Option<String>)> {
    use diesel::prelude::*;
    use rightsdesk::db::schema::letter_jobs;
    let mut conn = app.ctx.pool.get().unwrap();
    letter_jobs::table
        .filter(letter_jobs::request_id.eq(request_id))
        .select((
            letter_jobs::attempts,
            letter_jobs::locked_until,
            letter_jobs::last_error,
        ))
        .first(&mut conn)
        .optional()
        .unwrap()
}

#[actix_rt::test]
async fn two_instances_on_one_database_never_write_the_same_letter() {
    use rightsdesk::db::documents as doc_db;
    use rightsdesk::services::Clock;
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for _ in 0..12 {
        let (status, body) = app.submit_public(|_| {}).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    // A second instance: its own context and pool, on the same database.
    let other = std::sync::Arc::new(
        rightsdesk::startup::build_context_with_clock(app.ctx.settings.clone(), app.clock.clone())
            .unwrap(),
    );

    // One job, two claimers: the first gets it, the second not until the lease runs out.
    let now = app.clock.now().naive_utc();
    let lease = now + chrono::Duration::seconds(120);
    let mut conn_a = app.ctx.pool.get().unwrap();
    let mut conn_b = other.pool.get().unwrap();
    let (id, kind) = (&ids[0], "acknowledgement");
    assert_eq!(
        doc_db::claim_letter_job(&mut conn_a, id, kind, "instance-a", now, lease).unwrap(),
        Some(1)
    );
    assert_eq!(
        doc_db::claim_letter_job(&mut conn_b, id, kind, "instance-b", now, lease).unwrap(),
        None
    );
    let later = lease + chrono::Duration::seconds(1);
    let lease_b = later + chrono::Duration::seconds(120);
    assert_eq!(
        doc_db::claim_letter_job(&mut conn_b, id, kind, "instance-b", later, lease_b).unwrap(),
        Some(2),
        "a lapsed lease passes the job on"
    );
    assert_eq!(
        doc_db::claim_letter_job(&mut conn_a, id, kind, "instance-a", later, lease_b).unwrap(),
        None
    );
    // The first claimer lost it: it cannot finish the job, nor record a failure on it.
    assert!(!doc_db::finish_letter_job(&mut conn_a, id, kind, "instance-a").unwrap());
    doc_db::fail_letter_job(&mut conn_a, id, kind, "instance-a", now, "x").unwrap();
    assert_eq!(letter_job(&app, id), Some((2, Some(lease_b), None)));
    // Free it again for the race below.
    app.db.execute(&format!(
        "UPDATE letter_jobs SET locked_until = NULL, locked_by = NULL WHERE request_id = '{id}'"
    ));
    drop((conn_a, conn_b));

    // Both instances write letters at once: every letter is written once.
    let (a, b) = (app.ctx.clone(), other.clone());
    let ta = std::thread::spawn(move || rightsdesk::jobs::write_letters(&a, "instance-a"));
    let tb = std::thread::spawn(move || rightsdesk::jobs::write_letters(&b, "instance-b"));
    let (a, b) = (ta.join().unwrap().unwrap(), tb.join().unwrap().unwrap());
    assert_eq!(a + b, ids.len(), "instance a wrote {a}, instance b {b}");
    for id in &ids {
        assert_eq!(kinds(&documents_of(&app, id).await), ["acknowledgement"]);
        assert_eq!(letter_job(&app, id), None);
    }
}

#[actix_rt::test]
async fn a_letter_that_cannot_be_written_does_not_hold_up_the_others() {
    use rightsdesk::jobs::letters::{write_due, Round};
    let app = TestApp::spawn().await;
    let (_, first) = app.submit_public(|_| {}).await;
    let (_, second) = app.submit_public(|_| {}).await;
    let (first, second) = (
        first["id"].as_str().unwrap().to_string(),
        second["id"].as_str().unwrap().to_string(),
    );
    // The first request's subject is gone, so its letter cannot be written.
    app.db.execute(&format!(
        "DELETE FROM request_subjects WHERE request_id = '{first}'"
    ));
    // One job per round: the first (oldest) fails and waits; the next round writes the second.
    let round = |app: &TestApp| write_due(&app.ctx, "w", 1).unwrap();
    assert_eq!(
        round(&app),
        Round {
            seen: 1,
            written: 0
        }
    );
    let now = app.clock_now().naive_utc();
    let (tries, until, error) = letter_job(&app, &first).expect("still queued");
    assert_eq!(tries, 1);
    assert_eq!(until, Some(now + chrono::Duration::seconds(30)));
    assert!(error.is_some_and(|e| !e.is_empty()));
    assert_eq!(
        round(&app),
        Round {
            seen: 1,
            written: 1
        }
    );
    assert_eq!(
        kinds(&documents_of(&app, &second).await),
        ["acknowledgement"]
    );
    // Nothing is due while the failed letter backs off; then it is tried again, and backs
    // off longer.
    assert_eq!(
        round(&app),
        Round {
            seen: 0,
            written: 0
        }
    );
    app.clock
        .set(app.clock_now() + chrono::Duration::seconds(31));
    assert_eq!(
        round(&app),
        Round {
            seen: 1,
            written: 0
        }
    );
    let now = app.clock_now().naive_utc();
    let (tries, until, _) = letter_job(&app, &first).unwrap();
    assert_eq!(tries, 2);
    assert_eq!(until, Some(now + chrono::Duration::seconds(60)));
}

/// Every text of the definitions a person reads on a form, in one language: the kind's
/// fields, the subject and representative sections, list items and choices.
fn form_labels(
    forms: &rightsdesk::domain::forms::Forms,
    kind: rightsdesk::domain::enums::RequestKind,
    lang: Language,
) -> Vec<String> {
    let mut stack: Vec<&rightsdesk::domain::forms::FieldDef> = forms
        .form(kind)
        .fields
        .iter()
        .chain(&forms.subject)
        .chain(&forms.representative)
        .collect();
    let mut labels = Vec::new();
    while let Some(f) = stack.pop() {
        labels.push(f.label.get(lang).to_string());
        if let Some(help) = &f.help {
            labels.push(help.get(lang).to_string());
        }
        for option in &f.options {
            labels.push(f.option_labels[option].get(lang).to_string());
        }
        stack.extend(&f.item_fields);
    }
    labels
}

async fn paper_form(app: &TestApp, path: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_string();
    (status, content_type, resp.bytes().await.unwrap().to_vec())
}

#[actix_rt::test]
async fn every_paper_form_renders_in_every_language_with_every_label() {
    use rightsdesk::domain::enums::RequestKind;
    let app = TestApp::spawn().await;
    let forms = &app.ctx.rules.forms;
    for (lang, signature, date_format, business_id) in [
        (
            Language::Fi,
            "Allekirjoitus ja nimenselvennys",
            "pp.kk.vvvv",
            "Y-tunnus 1572860-0",
        ),
        (
            Language::Sv,
            "Underskrift och namnförtydligande",
            "dd.mm.åååå",
            "FO-nummer 1572860-0",
        ),
        (
            Language::En,
            "Signature and name in block letters",
            "dd.mm.yyyy",
            "Business ID 1572860-0",
        ),
    ] {
        for kind in RequestKind::ALL {
            let path = format!("/satama/forms/{kind}.pdf?lang={lang}");
            let (status, content_type, pdf) = paper_form(&app, &path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(content_type, "application/pdf");
            assert!(pdf.starts_with(b"%PDF-1.7"), "{path}");
            let marked = b"<pdfaid:part>2</pdfaid:part>";
            assert!(
                pdf.windows(marked.len()).any(|w| w == marked),
                "{path}: PDF/A"
            );
            // To look at them: RIGHTSDESK_DUMP_PDF_DIR=/tmp/forms cargo test --test documents paper
            if let Ok(dir) = std::env::var("RIGHTSDESK_DUMP_PDF_DIR") {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(format!("{dir}/form-{kind}-{lang}.pdf"), &pdf).unwrap();
            }
            let text = pdf_text(&pdf);
            let mut expected = form_labels(forms, *kind, lang);
            expected.extend(
                [
                    forms.form(*kind).title.get(lang),
                    signature,
                    date_format,
                    // The organisation's details, its registers, and its reference format.
                    "satama ry",
                    "Satamakatu 1, 00100 Helsinki",
                    "tietosuoja@satama.example",
                    "09 123 4567",
                    business_id,
                    "Turvakodin asiakasrekisteri",
                    "Avopalvelut",
                    "SAT-2026-00123",
                    // The answer's language.
                    "Suomi",
                    "Svenska",
                    "English",
                ]
                .map(str::to_string),
            );
            for label in &expected {
                assert!(
                    text.contains(label.as_str()),
                    "{path}: no '{label}' in\n{text}"
                );
            }
            assert!(!text.contains("muu-kunta"), "{path}: another organisation");
        }
    }
}

#[actix_rt::test]
async fn a_paper_form_that_does_not_exist_is_a_problem_document() {
    let app = TestApp::spawn().await;
    for (path, status, code) in [
        (
            "/satama/forms/complaint.pdf?lang=fi",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "/ei-ole/forms/access.pdf?lang=fi",
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            "/satama/forms/access.pdf?lang=de",
            StatusCode::BAD_REQUEST,
            "invalid_query",
        ),
    ] {
        let (got, content_type, body) = paper_form(&app, path).await;
        assert_eq!(got, status, "{path}");
        assert_eq!(content_type, "application/problem+json", "{path}");
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["code"], code, "{path}: {body}");
    }
    // Without a language the form is in Finnish, like the other public answers.
    let (status, _, pdf) = paper_form(&app, "/satama/forms/access.pdf").await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf_text(&pdf).contains("Allekirjoitus ja nimenselvennys"));
}

#[actix_rt::test]
async fn a_field_added_to_a_form_definition_appears_on_the_paper_form() {
    use rightsdesk::domain::enums::RequestKind;
    let dir = std::env::temp_dir().join(format!("rd-forms-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let shipped = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("forms");
    for entry in std::fs::read_dir(&shipped).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    let added = r#"
[[fields]]
name = "unit_visited"
type = "choice"
required = false
options = ["shelter", "outpatient"]
[fields.label]
fi = "Missä toimipisteessä asioit viimeksi?"
sv = "Vilket verksamhetsställe besökte du senast?"
en = "Which unit did you last visit?"
[fields.help]
fi = "Auttaa meitä löytämään paperiset asiakirjat."
sv = "Hjälper oss att hitta pappershandlingarna."
en = "Helps us find the paper records."
[fields.option_labels.shelter]
fi = "Turvakoti Majakka"
sv = "Skyddshemmet Fyren"
en = "Lighthouse shelter"
[fields.option_labels.outpatient]
fi = "Avopalvelut Laituri"
sv = "Öppenvården Bryggan"
en = "Pier outpatient services"
"#;
    let mut erasure = std::fs::read_to_string(dir.join("erasure.toml")).unwrap();
    erasure.push_str(added);
    std::fs::write(dir.join("erasure.toml"), erasure).unwrap();

    let forms_dir = dir.clone();
    let app = TestApp::spawn_with(move |s| s.rules.forms_dir = Some(forms_dir)).await;
    let shipped_forms = rightsdesk::domain::forms::Forms::embedded().unwrap();
    for (lang, label, option) in [
        (
            "fi",
            "Missä toimipisteessä asioit viimeksi?",
            "Turvakoti Majakka",
        ),
        (
            "sv",
            "Vilket verksamhetsställe besökte du senast?",
            "Skyddshemmet Fyren",
        ),
        ("en", "Which unit did you last visit?", "Lighthouse shelter"),
    ] {
        let language = Language::parse(lang).unwrap();
        assert!(
            !form_labels(&shipped_forms, RequestKind::Erasure, language)
                .iter()
                .any(|l| l == label),
            "the label must be new for the test to mean anything"
        );
        let (status, _, pdf) =
            paper_form(&app, &format!("/satama/forms/erasure.pdf?lang={lang}")).await;
        assert_eq!(status, StatusCode::OK);
        let text = pdf_text(&pdf);
        assert!(
            text.contains(label) && text.contains(option),
            "{lang}:\n{text}"
        );
        // Only the kind whose definition changed has it.
        let (_, _, other) =
            paper_form(&app, &format!("/satama/forms/access.pdf?lang={lang}")).await;
        assert!(!pdf_text(&other).contains(label), "{lang}: access form");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A staff-entered request of `kind` with identity checked and these items added.
async fn request_with_items(app: &TestApp, kind: &str, details: Value, items: &[&str]) -> String {
    let (status, body) = app
        .post(
            "/api/v1/requests",
            Some(&app.org.staff),
            json!({
                "kind": kind, "language": "fi", "channel": "letter", "received_on": "2026-11-10",
                "registers": ["turvakoti"],
                "subject": { "name": "Outi Oikaisija", "personal_id": "131052-308T", "contact_channel": "pick_up" },
                "details": details
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "in_person" }),
    )
    .await;
    for description in items {
        let (s, b) = app
            .post(
                &format!("/api/v1/requests/{id}/items"),
                Some(&app.org.staff),
                json!({ "description": description, "register": "turvakoti" }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    id
}

async fn decide(app: &TestApp, id: &str, number: i32, decision: Value) {
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/items/{number}/decision"),
            Some(&app.org.staff),
            decision,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
}

fn rectification_details() -> Value {
    json!({ "items": [{ "what_is_wrong": "Osoite", "should_say": "Kotikatu 5" },
                      { "what_is_wrong": "Arvio", "should_say": "Poistettava" }] })
}

fn refused_with(ground: &str) -> Value {
    json!({ "decision": "refused", "ground": ground,
            "explanation": "Merkintä on ammattihenkilön arvio, ja se on kirjattu oikein." })
}

fn done_rectification() -> Value {
    json!({ "decision": "done", "before": "Tie 1", "after": "Kotikatu 5", "reason": "Osoite oli vanha." })
}

/// Every language's name of an outcome, as the letters print it.
fn outcome_names(outcome: &str) -> [&'static str; 3] {
    match outcome {
        "fulfilled" => [
            "Pyyntö toteutettu",
            "Begäran har tillmötesgåtts",
            "Request fulfilled",
        ],
        "partially_fulfilled" => [
            "Pyyntö toteutettu osittain",
            "Begäran har delvis tillmötesgåtts",
            "Request partly fulfilled",
        ],
        _ => [
            "Pyyntöä ei toteutettu",
            "Begäran har inte tillmötesgåtts",
            "Request refused",
        ],
    }
}

/// Renders the stored request's `kind` letter in fi, sv and en and checks each names the
/// outcome in its own words.
fn assert_letters_name_outcome(app: &TestApp, id: &str, kind: LetterKind, outcome: &str) {
    let ctx = app.ctx.clone();
    let mut conn = ctx.pool.get().unwrap();
    let mut request = Request::load(&mut conn, &ctx_org(app), id).unwrap();
    for (lang, name) in [Language::Fi, Language::Sv, Language::En]
        .into_iter()
        .zip(outcome_names(outcome))
    {
        request.row.language = lang;
        let text = pdf_text(
            &documents::render_letter(ctx.letter_desk(), &mut conn, &request, kind, None).unwrap(),
        );
        assert!(text.contains(name), "{kind} {lang}: '{name}' in\n{text}");
        if outcome == "partially_fulfilled" {
            // "Pyyntö toteutettu" alone would claim more than was done.
            let full = outcome_names("fulfilled")[lang as usize];
            assert!(
                !text.replace(name, "").contains(full),
                "{kind} {lang}: says '{full}'\n{text}"
            );
        }
    }
}

#[actix_rt::test]
async fn completing_needs_every_item_decided_and_the_outcome_follows_from_them() {
    let app = TestApp::spawn().await;
    let id = request_with_items(
        &app,
        "rectification",
        rectification_details(),
        &["Osoite", "Arvio", "Puhelinnumero"],
    )
    .await;
    decide(&app, &id, 1, done_rectification()).await;
    decide(&app, &id, 2, refused_with("gdpr_12_5")).await;

    // Item 3 is undecided: no outcome can be given yet, and the problem names the item.
    let (s, b) = app
        .act(&id, json!({ "action": "complete", "outcome": "fulfilled" }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(
        common::field_errors(&b),
        [("items[3]".into(), "item_undecided".into())]
    );
    assert!(b["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Item 3"));
    decide(&app, &id, 3, done_rectification()).await;

    // One item was refused: "fulfilled" contradicts the decisions.
    let (s, b) = app
        .act(&id, json!({ "action": "complete", "outcome": "fulfilled" }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(
        common::field_errors(&b),
        [("outcome".into(), "outcome_contradicts_decisions".into())]
    );
    // Nor may the request be refused as a whole: two items were already corrected.
    let (s, b) = app
        .act(
            &id,
            json!({ "action": "refuse", "grounds": ["gdpr_12_5"], "explanation": "Ei." }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], "items_already_done");
    assert!(b["detail"].as_str().unwrap().contains("1, 3"), "{b}");

    // Without an outcome the service derives it, with the grounds of the refused item.
    let r = app.act_ok(&id, json!({ "action": "complete" })).await;
    assert_eq!(r["state"], "completed");
    assert_eq!(r["outcome"], "partially_fulfilled");
    assert_eq!(r["decision"]["grounds"], json!(["gdpr_12_5"]));
    let docs = documents_of(&app, &id).await;
    assert_eq!(kinds(&docs), ["refusal_certificate", "rectification_done"]);
    let text = pdf_text(&download(&app, docs[1]["id"].as_str().unwrap()).await);
    assert!(text.contains("kieltäytymistodistuksessa"), "{text}");
    assert_letters_name_outcome(
        &app,
        &id,
        LetterKind::RectificationDone,
        "partially_fulfilled",
    );
    assert_letters_name_outcome(
        &app,
        &id,
        LetterKind::RefusalCertificate,
        "partially_fulfilled",
    );
    // The certificate exists, so it can be written again on demand.
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/letters"),
            Some(&app.org.staff),
            json!({ "kind": "refusal_certificate" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
}

#[actix_rt::test]
async fn every_item_refused_is_a_refusal_and_every_item_done_is_fulfilled() {
    let app = TestApp::spawn().await;
    let erasure = json!({ "what": "Vanhat kirjaukset", "why": "Tarpeettomia" });
    let refused = request_with_items(&app, "erasure", erasure.clone(), &["2019", "2020"]).await;
    decide(&app, &refused, 1, refused_with("gdpr_17_3_b")).await;
    decide(&app, &refused, 2, refused_with("gdpr_17_3_e")).await;
    // The stated outcome agrees, the grounds are gathered from both items.
    let r = app
        .act_ok(
            &refused,
            json!({ "action": "complete", "outcome": "refused", "grounds": ["gdpr_17_3_e"] }),
        )
        .await;
    assert_eq!(r["state"], "refused");
    assert_eq!(r["outcome"], "refused");
    assert_eq!(
        r["decision"]["grounds"],
        json!(["gdpr_17_3_b", "gdpr_17_3_e"])
    );
    assert_eq!(
        kinds(&documents_of(&app, &refused).await),
        ["refusal_certificate", "erasure_done"]
    );
    assert_letters_name_outcome(&app, &refused, LetterKind::ErasureDone, "refused");

    let done = request_with_items(&app, "erasure", erasure, &["2019"]).await;
    decide(
        &app,
        &done,
        1,
        json!({ "decision": "done", "reason": "Säilytysaika on päättynyt." }),
    )
    .await;
    let r = app.act_ok(&done, json!({ "action": "complete" })).await;
    assert_eq!(r["outcome"], "fulfilled");
    assert_eq!(r["decision"]["grounds"], json!([]));
    assert_eq!(kinds(&documents_of(&app, &done).await), ["erasure_done"]);
    assert_letters_name_outcome(&app, &done, LetterKind::ErasureDone, "fulfilled");
    // Nothing was refused, so there is no certificate to write.
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{done}/letters"),
            Some(&app.org.staff),
            json!({ "kind": "refusal_certificate" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
}

#[actix_rt::test]
async fn withheld_material_makes_an_access_answer_partial_with_its_ground() {
    let app = TestApp::spawn().await;
    let (_, body) = app.submit_public(|_| {}).await;
    let id = body["id"].as_str().unwrap().to_string();
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "strong_eid" }),
    )
    .await;
    for (title, ground) in [
        ("Asiakastiedot", None),
        ("Perheen tiedot", Some("gdpr_15_4")),
    ] {
        let (s, b) = app
            .post(
                &format!("/api/v1/requests/{id}/entries"),
                Some(&app.org.staff),
                json!({ "register": "turvakoti", "title": title, "data": { "nimi": "Maija" },
                        "withheld_ground": ground,
                        "withheld_reason": ground.map(|_| "Koskee toista perheenjäsentä.") }),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
    }
    app.assert_completion_needs_partial(&id, "gdpr_15_4").await;
    let r = app.act_ok(&id, json!({ "action": "complete" })).await;
    assert_eq!(r["outcome"], "partially_fulfilled");
    assert_eq!(r["decision"]["grounds"], json!(["gdpr_15_4"]));
    assert_eq!(
        kinds(&documents_of(&app, &id).await),
        ["refusal_certificate", "answer_cover"]
    );
    assert_letters_name_outcome(&app, &id, LetterKind::AnswerCover, "partially_fulfilled");
}

#[actix_rt::test]
async fn a_withheld_entry_is_listed_with_its_ground_not_left_out() {
    let app = TestApp::spawn().await;
    let (_, body) = app.submit_public(|_| {}).await;
    let id = body["id"].as_str().unwrap().to_string();
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/entries"),
            Some(&app.org.staff),
            json!({ "register": "turvakoti", "title": "Lastensuojeluilmoitus", "data": { "ilmoittaja": "X" },
                    "withheld_ground": "gdpr_15_4", "withheld_reason": "Ilmoittajan henkilöllisyys suojataan." }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    // A ground the catalogue does not allow for an access request is refused.
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/entries"),
            Some(&app.org.staff),
            json!({ "register": "turvakoti", "title": "Muu", "data": {},
                    "withheld_ground": "act_703_2023_11", "withheld_reason": "Ei." }),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(
        common::field_errors(&b),
        [("withheld_ground".into(), "ground_not_applicable".into())]
    );

    let ctx = app.ctx.clone();
    let mut conn = ctx.pool.get().unwrap();
    let mut request = Request::load(&mut conn, &ctx_org(&app), &id).unwrap();
    for (lang, expected, not_found) in [
        (
            Language::Fi,
            [
                "Kirjaukset, joita emme anna",
                "Muiden henkilöiden oikeudet ja vapaudet",
                "15 artiklan 4 kohta",
            ],
            "ei löytynyt",
        ),
        (
            Language::Sv,
            [
                "Anteckningar som vi inte lämnar ut",
                "Andra personers rättigheter och friheter",
                "artikel 15.4",
            ],
            "hittades inga anteckningar",
        ),
        (
            Language::En,
            [
                "Entries we are not giving you",
                "Rights and freedoms of others",
                "Article 15(4)",
            ],
            "were found in our systems",
        ),
    ] {
        request.row.language = lang;
        let text = pdf_text(
            &documents::render_letter(
                ctx.letter_desk(),
                &mut conn,
                &request,
                LetterKind::AccessReport,
                None,
            )
            .unwrap(),
        );
        for e in expected.iter().chain(&[
            "Lastensuojeluilmoitus",
            "Ilmoittajan henkilöllisyys suojataan.",
        ]) {
            assert!(text.contains(e), "{lang}: '{e}' in\n{text}");
        }
        // The entry was found: the answer must not say that nothing was.
        assert!(!text.contains(not_found), "{lang}: says no records\n{text}");
    }
    drop(conn);
    // The decision is a refusal (nothing was given), and its certificate lists the entry.
    app.act_ok(
        &id,
        json!({ "action": "verify_identity", "method": "strong_eid" }),
    )
    .await;
    let r = app.act_ok(&id, json!({ "action": "complete" })).await;
    assert_eq!(r["outcome"], "refused");
    let docs = documents_of(&app, &id).await;
    let certificate = docs
        .iter()
        .find(|d| d["kind"] == "refusal_certificate")
        .unwrap();
    let text = pdf_text(&download(&app, certificate["id"].as_str().unwrap()).await);
    for e in [
        "Tiedot, joita ei anneta",
        "Lastensuojeluilmoitus",
        "Ilmoittajan henkilöllisyys suojataan.",
    ] {
        assert!(text.contains(e), "'{e}' in\n{text}");
    }
}

#[actix_rt::test]
async fn the_dpo_reopens_a_wrong_answer_and_the_new_one_supersedes_it_on_record() {
    let app = TestApp::spawn().await;
    let id = request_with_items(
        &app,
        "rectification",
        rectification_details(),
        &["Osoite", "Arvio"],
    )
    .await;
    decide(&app, &id, 1, done_rectification()).await;
    decide(&app, &id, 2, refused_with("gdpr_16")).await;
    let first = app.act_ok(&id, json!({ "action": "complete" })).await;
    assert_eq!(first["outcome"], "partially_fulfilled");
    assert_eq!(first["decision"]["grounds"], json!(["gdpr_16"]));

    let path = format!("/api/v1/requests/{id}/reopen");
    let reason = json!({ "reason": "Kohta 2 ei ollut arvio vaan virheellinen osoitetieto." });
    let (s, _) = app.post(&path, Some(&app.org.staff), reason.clone()).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "the DPO corrects, not the handler"
    );
    let (s, b) = app
        .post(&path, Some(&app.org.dpo), json!({ "reason": "virhe" }))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(
        common::field_errors(&b),
        [("reason".into(), "too_short".into())]
    );

    app.set_today("2026-12-01");
    let (s, r) = app.post(&path, Some(&app.org.dpo), reason.clone()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["state"], "in_progress");
    assert!(r["outcome"].is_null() && r["decision"].is_null(), "{r}");
    // The deadline facts stay as they were: reopening does not restart the clock.
    for field in [
        "received_on",
        "target_on",
        "due_on",
        "extended",
        "paused_days",
    ] {
        assert_eq!(r[field], first[field], "{field}");
    }
    let (s, b) = app.post(&path, Some(&app.org.dpo), reason).await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], "not_reopenable");

    // The new answer: item 2 corrected after all.
    decide(&app, &id, 2, done_rectification()).await;
    let second = app.act_ok(&id, json!({ "action": "complete" })).await;
    assert_eq!(second["outcome"], "fulfilled");
    assert_eq!(second["closed_on"], "2026-12-01");
    // The old letters stay stored beside the new one.
    assert_eq!(
        kinds(&documents_of(&app, &id).await),
        [
            "refusal_certificate",
            "rectification_done",
            "rectification_done"
        ]
    );
    let (_, events) = app
        .get(&format!("/api/v1/requests/{id}/events"), Some(&app.org.dpo))
        .await;
    let reopened = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "reopened")
        .expect("audited");
    assert_eq!(reopened["from_state"], "completed", "{reopened}");
    assert_eq!(
        reopened["payload"]["previous_outcome"],
        "partially_fulfilled"
    );
    assert_eq!(
        reopened["payload"]["previous_decision"]["grounds"],
        json!(["gdpr_16"])
    );
}

// ---- Appeal instructions, contact person and electronic approval (issue 14, item 6) ----

/// Sets the organisation's profile fields in `patch` (the others stay as they are).
async fn patch_organisation(app: &TestApp, patch: Value) -> (StatusCode, Value) {
    app.send(
        app.client
            .patch(format!("{}/api/v1/organisation", app.base))
            .json(&patch),
        Some(&app.org.admin),
    )
    .await
}

fn client() -> Value {
    json!({ "name": "Outi Oikaisija", "personal_id": "131052-308T", "contact_channel": "pick_up" })
}

/// The text of the newest stored document of `kind`.
async fn stored_text(app: &TestApp, id: &str, kind: &str) -> String {
    let docs = documents_of(app, id).await;
    let doc = docs
        .iter()
        .rev()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {:?}", kinds(&docs)));
    let pdf = download(app, doc["id"].as_str().unwrap()).await;
    // To look at them: RIGHTSDESK_DUMP_PDF_DIR=/tmp/letters cargo test --test documents
    if let Ok(dir) = std::env::var("RIGHTSDESK_DUMP_PDF_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        let name = doc["filename"].as_str().unwrap();
        std::fs::write(format!("{dir}/{name}"), &pdf).unwrap();
    }
    pdf_text(&pdf)
}

fn render(app: &TestApp, id: &str, kind: LetterKind, lang: Language) -> String {
    let ctx = app.ctx.clone();
    let mut conn = ctx.pool.get().unwrap();
    let mut request = Request::load(&mut conn, &ctx_org(app), id).unwrap();
    request.row.language = lang;
    pdf_text(
        &documents::render_letter(ctx.letter_desk(), &mut conn, &request, kind, None)
            .unwrap_or_else(|e| panic!("{kind} {lang}: {e}")),
    )
}

fn assert_has(text: &str, what: &[&str], doc: &str) {
    for w in what {
        assert!(text.contains(w), "{doc}: no '{w}' in\n{text}");
    }
}

#[actix_rt::test]
async fn a_public_authoritys_partial_refusal_encloses_instructions_for_requesting_a_review() {
    let app = TestApp::spawn().await;
    let (s, b) = patch_organisation(
        &app,
        json!({ "public_authority": true, "appeal": { "review_body": {
            "name": "Hyvinvointialueen yksilöasioiden jaosto",
            "postal_address": "PL 55, 00099 Hyvinvointialue",
            "email": "kirjaamo@hyvinvointialue.example",
            "opening_hours": "ma–pe klo 9–15" } } }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // PATCH merges per field: the letterhead set at creation stays.
    assert_eq!(
        b["appeal"]["review_body"]["name"],
        "Hyvinvointialueen yksilöasioiden jaosto"
    );
    assert!(b["email"].is_string() || b["email"].is_null());
    let id = decided_erasure(&app, client()).await;
    let docs = documents_of(&app, &id).await;
    let k = kinds(&docs);
    let at = |kind: &str| {
        k.iter()
            .position(|x| x == kind)
            .unwrap_or_else(|| panic!("{kind} in {k:?}"))
    };
    // Written before the certificate and the answer, which list it.
    assert!(at("appeal_instructions") < at("refusal_certificate"));
    assert!(at("refusal_certificate") < at("erasure_done"));

    let appeal = stored_text(&app, &id, "appeal_instructions").await;
    assert_has(
        &appeal,
        &[
            "OIKAISUVAATIMUSOHJE",
            "14 päivän kuluessa päätöksen tiedoksisaannista",
            "tulleen tiedoksi 7. päivänä kirjeen lähettämisestä",
            "tulleen tiedoksi 3. päivänä viestin lähettämisestä",
            "hallintolaki 434/2003, 59 §",
            "13/2003, 19 §",
            "Hyvinvointialueen yksilöasioiden jaosto",
            "PL 55, 00099 Hyvinvointialue",
            "kirjaamo@hyvinvointialue.example",
            "maksutonta",
            "Tämä päätös on hyväksytty sähköisesti.",
            "sosiaalityöntekijä",
            "Lisätietoja tästä päätöksestä antaa",
        ],
        "appeal instructions",
    );
    // What can be challenged: this decision, its date and reference.
    let (_, request) = app
        .get(&format!("/api/v1/requests/{id}"), Some(&app.org.staff))
        .await;
    let reference = request["reference"].as_str().unwrap();
    assert_has(
        &appeal,
        &[
            reference,
            "Päätöspäivä",
            "Päätös, johon oikaisua voi vaatia",
        ],
        "appeal",
    );

    let cert = stored_text(&app, &id, "refusal_certificate").await;
    assert_has(
        &cert,
        &[
            "Liitteet",
            "Oikaisuvaatimusohje",
            "liitteenä olevassa ohjeessa",
            "Tietosuojavaltuutetun toimisto",
            "Tämä päätös on hyväksytty sähköisesti.",
            "Lisätietoja tästä päätöksestä antaa",
        ],
        "certificate",
    );
    assert!(!cert.contains("käräjäoikeu"), "{cert}");
    let answer = stored_text(&app, &id, "erasure_done").await;
    assert_has(
        &answer,
        &[
            "Kieltäytymistodistus",
            "Oikaisuvaatimusohje",
            "Tämä päätös on hyväksytty sähköisesti.",
            "sosiaalityöntekijä",
        ],
        "answer",
    );

    // Swedish and English, too.
    let sv = render(&app, &id, LetterKind::AppealInstructions, Language::Sv);
    assert_has(
        &sv,
        &[
            "ANVISNING OM BEGÄRAN OM OMPRÖVNING",
            "inom 14 dagar från delfåendet",
            "den 7:e dagen efter att brevet sändes",
            "den 3:e dagen efter att meddelandet sändes",
            "Hyvinvointialueen yksilöasioiden jaosto",
            "avgiftsfritt",
            "Detta beslut har godkänts elektroniskt.",
            "Närmare upplysningar om beslutet ger",
        ],
        "sv",
    );
    let en = render(&app, &id, LetterKind::AppealInstructions, Language::En);
    assert_has(
        &en,
        &[
            "INSTRUCTIONS FOR REQUESTING A REVIEW",
            "within 14 days of notification",
            "on the 7th day after the letter was sent",
            "on the 3rd day after the message was sent",
            "PL 55, 00099 Hyvinvointialue",
            "no charge",
            "This decision has been approved electronically.",
            "For further information about this decision",
        ],
        "en",
    );
    for (lang, line) in [
        (Language::Sv, "Detta beslut har godkänts elektroniskt."),
        (
            Language::En,
            "This decision has been approved electronically.",
        ),
    ] {
        let text = render(&app, &id, LetterKind::RefusalCertificate, lang);
        assert!(text.contains(line), "{lang}\n{text}");
    }

    // The letter is a record of its moment: a new review body and contact later change
    // nothing in the instructions written again.
    let (s, b) = patch_organisation(
        &app,
        json!({ "appeal": { "review_body": { "name": "Uusi jaosto", "postal_address": "PL 1, 00001 Muu" },
                            "contact": { "name": "Kaisa Kirjaaja", "title": "kirjaaja" } } }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/letters"),
            Some(&app.org.staff),
            json!({ "kind": "appeal_instructions" }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let again = stored_text(&app, &id, "appeal_instructions").await;
    assert!(
        again.contains("Hyvinvointialueen yksilöasioiden jaosto"),
        "{again}"
    );
    assert!(
        !again.contains("Uusi jaosto") && !again.contains("Kaisa Kirjaaja"),
        "{again}"
    );
}

#[actix_rt::test]
async fn an_appeal_to_the_administrative_court_names_the_court_and_the_court_fee() {
    let app = TestApp::spawn().await;
    // A court route needs a court the data knows.
    for bad in [
        json!({ "route": "court" }),
        json!({ "route": "court", "court": "tampere" }),
    ] {
        let (s, b) =
            patch_organisation(&app, json!({ "public_authority": true, "appeal": bad })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(b.to_string().contains("appeal.court"), "{b}");
    }
    let (s, b) = patch_organisation(
        &app,
        json!({ "public_authority": true,
                "appeal": { "route": "court", "court": "turku",
                            "contact": { "name": "Kaisa Kirjaaja", "title": "johtava sosiaalityöntekijä",
                                         "phone": "02 123 4567" } } }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let id = decided_erasure(&app, client()).await;
    let appeal = stored_text(&app, &id, "appeal_instructions").await;
    assert_has(
        &appeal,
        &[
            "VALITUSOSOITUS",
            "Valitus on tehtävä 30 päivän kuluessa",
            "7. päivänä",
            "Turun hallinto-oikeus",
            "PL 32, 20101 Turku",
            "turku.hao@oikeus.fi",
            "1455/2015",
            "Maksua ei peritä, jos hallinto-oikeus muuttaa päätöstä valittajan eduksi.",
            "Lisätietoja tästä päätöksestä antaa Kaisa Kirjaaja, johtava sosiaalityöntekijä",
            "02 123 4567",
            "Tämä päätös on hyväksytty sähköisesti.",
        ],
        "valitusosoitus",
    );
    let cert = stored_text(&app, &id, "refusal_certificate").await;
    assert_has(&cert, &["Valitusosoitus", "Kaisa Kirjaaja"], "certificate");
    let sv = render(&app, &id, LetterKind::AppealInstructions, Language::Sv);
    assert_has(
        &sv,
        &[
            "BESVÄRSANVISNING",
            "Åbo förvaltningsdomstol",
            "PB 32, 20101 Åbo",
            "rättegångsavgift",
            "1455/2015",
        ],
        "sv",
    );
    let en = render(&app, &id, LetterKind::AppealInstructions, Language::En);
    assert_has(
        &en,
        &[
            "APPEAL INSTRUCTIONS",
            "Turku Administrative Court",
            "+358 29 56 42400",
            "court fee",
            "in the appellant's favour",
        ],
        "en",
    );
}

#[actix_rt::test]
async fn a_private_controllers_refusal_names_the_ombudsman_and_the_district_court_and_no_appeal() {
    let app = TestApp::spawn().await;
    let id = decided_erasure(&app, client()).await;
    let docs = documents_of(&app, &id).await;
    assert!(
        !kinds(&docs).contains(&"appeal_instructions".to_string()),
        "{:?}",
        kinds(&docs)
    );
    let cert = stored_text(&app, &id, "refusal_certificate").await;
    assert_has(
        &cert,
        &[
            "Tietosuojavaltuutetun toimisto",
            "ei voi hakea muutosta oikaisuvaatimuksella eikä valittamalla hallinto-oikeuteen",
            "kanteen käräjäoikeudessa",
            "Tämä päätös on hyväksytty sähköisesti.",
            "sosiaalityöntekijä",
            "Lisätietoja tästä päätöksestä antaa",
        ],
        "certificate",
    );
    for wrong in [
        "liitteenä olevassa ohjeessa",
        "liitettyä",
        "Oikaisuvaatimusohje",
        "Valitusosoitus",
    ] {
        assert!(!cert.contains(wrong), "'{wrong}' in\n{cert}");
    }
    for (lang, ombudsman, court) in [
        (Language::Sv, "Dataombudsmannens byrå", "vid tingsrätten"),
        (
            Language::En,
            "Office of the Data Protection Ombudsman",
            "district court",
        ),
    ] {
        let text = render(&app, &id, LetterKind::RefusalCertificate, lang);
        assert_has(&text, &[ombudsman, court], &format!("{lang}"));
        assert!(
            !text.contains("enclosed with the decision") && !text.contains("fogats till beslutet"),
            "{text}"
        );
    }
    let answer = stored_text(&app, &id, "erasure_done").await;
    assert!(
        answer.contains("Kieltäytymistodistus") && !answer.contains("Oikaisuvaatimusohje"),
        "{answer}"
    );
    let (s, b) = app
        .post(
            &format!("/api/v1/requests/{id}/letters"),
            Some(&app.org.staff),
            json!({ "kind": "appeal_instructions" }),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(b["code"], "letter_not_applicable");
}
