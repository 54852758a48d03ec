//! The binary as scripts use it: provisioning commands, start-up checks, secrets kept across restarts.

use std::io::Write;
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rightsdesk"));
    c.env_remove("RIGHTSDESK_DATABASE_URL")
        .env("RIGHTSDESK_LOG", "warn");
    c
}

fn temp_db() -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("rd-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/cli.db", dir.display());
    (dir, url)
}

#[test]
fn provisioning_commands_build_an_organisation() {
    let (dir, url) = temp_db();
    let out = bin()
        .args(["migrate", "--database", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = bin()
        .args([
            "org",
            "create",
            "--database",
            &url,
            "--slug",
            "perhe-x",
            "--name",
            "Perhepalvelut X",
            "--business-id",
            "1572860-0",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("reference prefix"));

    let out = bin()
        .args([
            "register",
            "create",
            "--database",
            &url,
            "--org",
            "perhe-x",
            "--slug",
            "asiakas",
            "--name",
            "Asiakasrekisteri",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut child = bin()
        .args([
            "user",
            "create",
            "--database",
            &url,
            "--org",
            "perhe-x",
            "--email",
            "dpo@x.example",
            "--role",
            "dpo",
            "--name",
            "D P O",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a sufficiently long password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("dpo@x.example"),
        "no e-mail echoed"
    );

    // A duplicate and a bad role fail with a message, not a panic.
    let out = bin()
        .args([
            "register",
            "create",
            "--database",
            &url,
            "--org",
            "perhe-x",
            "--slug",
            "asiakas",
            "--name",
            "Twice",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin()
        .args([
            "user",
            "create",
            "--database",
            &url,
            "--org",
            "perhe-x",
            "--email",
            "a@x.example",
            "--role",
            "boss",
            "--name",
            "A",
            "--password-stdin",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("staff, dpo or admin"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Units print a stack of paper forms: `forms print` writes the organisation's form, and a
/// wrong organisation, kind or language fails with a message naming it.
#[test]
fn forms_print_writes_an_organisations_paper_form() {
    let (dir, url) = temp_db();
    let run = |args: &[&str]| {
        let out = bin().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    run(&[
        "org",
        "create",
        "--database",
        &url,
        "--slug",
        "perhe-x",
        "--name",
        "Perhepalvelut X",
        "--address",
        "Rantatie 2, 40100 Jyväskylä",
    ]);
    run(&[
        "register",
        "create",
        "--database",
        &url,
        "--org",
        "perhe-x",
        "--slug",
        "asiakas",
        "--name",
        "Asiakasrekisteri",
    ]);
    let file = dir.join("oikaisu.pdf");
    let out = run(&[
        "forms",
        "print",
        "--database",
        &url,
        "--org",
        "perhe-x",
        "--kind",
        "rectification",
        "--lang",
        "sv",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("oikaisu.pdf"));
    let text = rightsdesk::pdf::extract_text(&std::fs::read(&file).unwrap()).unwrap();
    for expected in [
        "Perhepalvelut X",
        "Rantatie 2, 40100 Jyväskylä",
        "Asiakasrekisteri",
        "Rätt till rättelse av uppgifter",
        "Vilken uppgift är fel?",
        "Underskrift och namnförtydligande",
    ] {
        assert!(text.contains(expected), "no '{expected}' in\n{text}");
    }
    // `-` writes the PDF itself to standard output, for a pipe to the printer.
    let out = run(&[
        "forms",
        "print",
        "--database",
        &url,
        "--org",
        "perhe-x",
        "--kind",
        "access",
        "--out",
        "-",
    ]);
    assert!(out.stdout.starts_with(b"%PDF-1.7"));

    for (args, message) in [
        (
            ["--org", "ei-ole", "--kind", "access", "--lang", "fi"],
            "ei-ole",
        ),
        (
            ["--org", "perhe-x", "--kind", "complaint", "--lang", "fi"],
            "kind must be one of",
        ),
        (
            ["--org", "perhe-x", "--kind", "access", "--lang", "de"],
            "fi, sv or en",
        ),
    ] {
        let out = bin()
            .args(["forms", "print", "--database", &url])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The README's first command: `serve --demo` in an empty directory, no configuration at all.
#[test]
fn serve_starts_without_configuration_and_answers() {
    use std::io::{BufRead, BufReader, Read as _};
    let (dir, _) = temp_db();
    let mut child = bin()
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .current_dir(&dir)
        .env_remove("RIGHTSDESK_BIND")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let url = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(url) = line.strip_prefix("rightsdesk listening on ") {
            break url.to_string();
        }
        printed.push(line);
    };
    assert!(
        printed.iter().any(|l| l.contains("dpo@satama.example")),
        "{printed:?}"
    );
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .write_all(b"GET /health HTTP/1.0\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"),
        "{answer}"
    );
    assert!(
        dir.join("data/rightsdesk.db").exists(),
        "the default SQLite file in ./data"
    );
    child.kill().unwrap();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn jobs_run_once_sends_what_is_due_and_exits() {
    let (dir, url) = temp_db();
    let outbox = dir.join("outbox");
    let out = bin()
        .args(["jobs", "run-once", "--database", &url])
        .env("RIGHTSDESK_OUTBOX_DIR", &outbox)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("queued 0, sent 0"));
    let out = bin()
        .args(["jobs", "run-once", "--database", &url])
        .env("RIGHTSDESK_SMTP_URL", "ftp://nowhere")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("smtp_url"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_bad_setting_stops_the_start_and_names_the_setting() {
    let out = bin()
        .args(["serve"])
        .env("RIGHTSDESK_BIND", "not-an-address")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bind (RIGHTSDESK_BIND)"), "{err}");

    let out = bin()
        .args(["migrate", "--database", "mysql://x/y"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("database"));
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["org", "create", "--help"],
        vec!["register", "create", "--help"],
        vec!["user", "create", "--help"],
        vec!["jobs", "run-once", "--help"],
        vec!["forms", "print", "--help"],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn a_generated_token_secret_survives_a_restart() {
    use rightsdesk::config::Settings;
    use rightsdesk::domain::enums::Role;
    use rightsdesk::services::Principal;
    let (dir, url) = temp_db();
    let mut settings = Settings::default();
    settings.database.database_url = url;
    let first = rightsdesk::startup::build_context(settings.clone()).unwrap();
    let p = Principal {
        user_id: "u".into(),
        org_id: "o".into(),
        role: Role::Staff,
    };
    let token = first
        .tokens
        .issue(&p, 0, chrono::Utc::now().timestamp())
        .unwrap();
    drop(first);
    let second = rightsdesk::startup::build_context(settings).unwrap();
    assert_eq!(second.tokens.verify(&token).unwrap().principal, p);
    let _ = std::fs::remove_dir_all(dir);
}

/// `rightsdesk verify` says OK for an intact bundle and names what changed in a tampered one.
#[test]
fn verify_checks_a_bundle_and_names_the_mismatch() {
    use rightsdesk::bundle::{BundleWriter, SigningKey};
    let dir = std::env::temp_dir().join(format!("rd-verify-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let (key, _) = SigningKey::generate().unwrap();
    let build = |answer: &[u8], manifest_from: Option<&[u8]>| -> Vec<u8> {
        let mut w = BundleWriter::new(
            std::io::Cursor::new(Vec::new()),
            "SAT-2026-000001",
            "access",
            chrono::Utc::now(),
        );
        w.add("answer.pdf", "application/pdf", answer).unwrap();
        w.add(
            "data/001-tiedot.json",
            "application/json",
            &b"{\"a\":1}"[..],
        )
        .unwrap();
        let (cursor, _) = w.finish(&key).unwrap();
        let bytes = cursor.into_inner();
        match manifest_from {
            None => bytes,
            // Same files but one changed, with the original (signed) manifest.
            Some(original) => {
                let mut src =
                    zip::ZipArchive::new(std::io::Cursor::new(original.to_vec())).unwrap();
                let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
                for i in 0..src.len() {
                    let mut f = src.by_index(i).unwrap();
                    let name = f.name().unwrap().to_string();
                    let mut content = Vec::new();
                    std::io::Read::read_to_end(&mut f, &mut content).unwrap();
                    if name == "answer.pdf" {
                        content = answer.to_vec();
                    }
                    out.start_file(name, zip::write::SimpleFileOptions::default())
                        .unwrap();
                    out.write_all(&content).unwrap();
                }
                out.finish().unwrap().into_inner()
            }
        }
    };
    let good = build(b"%PDF-1.7 original", None);
    let bad = build(b"%PDF-1.7 changed!", Some(&good));
    std::fs::write(dir.join("good.zip"), &good).unwrap();
    std::fs::write(dir.join("bad.zip"), &bad).unwrap();

    let out = bin()
        .arg("verify")
        .arg(dir.join("good.zip"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("OK") && stdout.contains(&key.key_id()),
        "{stdout}"
    );

    let out = bin()
        .arg("verify")
        .arg(dir.join("bad.zip"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    assert!(
        stdout.contains("MISMATCH") && stdout.contains("answer.pdf"),
        "{stdout}"
    );

    use base64::Engine as _;
    let (other, _) = SigningKey::generate().unwrap();
    let other_key = base64::engine::general_purpose::STANDARD.encode(other.public_key());
    let out = bin()
        .arg("verify")
        .arg(dir.join("good.zip"))
        .args(["--public-key", &other_key])
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a bundle signed by another key must not verify"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `logs import`: a summary with rejected line numbers, and nothing stored twice.
#[test]
fn logs_import_reports_what_it_stored_and_rejected() {
    let (dir, url) = temp_db();
    let run = |args: &[&str]| {
        let out = bin()
            .args(args)
            .args(["--database", &url])
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{args:?}: {text}");
        text
    };
    run(&[
        "org",
        "create",
        "--slug",
        "hyva",
        "--name",
        "Hyvinvointialue X",
        "--prefix",
        "HYV",
    ]);
    run(&[
        "register",
        "create",
        "--org",
        "hyva",
        "--slug",
        "asiakas",
        "--name",
        "Asiakasrekisteri",
    ]);
    let file = dir.join("events.csv");
    std::fs::write(
        &file,
        "event_id,occurred_at,subject_id,user_name,user_title,unit,action,basis\n\
         e1,2025-03-04T09:15:22+02:00,131052-308T,Matti,ohjaaja,Yksikkö,view,asiakkuus\n\
         e2,2025-03-04T09:16:22+02:00,131052-308T,Matti,ohjaaja,Yksikkö,print,asiakkuus\n\
         e3,not a time,131052-308T,Matti,ohjaaja,Yksikkö,view,asiakkuus\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = run(&[
        "logs",
        "import",
        path,
        "--org",
        "hyva",
        "--register",
        "asiakas",
        "--format",
        "csv",
    ]);
    assert!(
        out.contains("rejected line 4: occurred_at is not an RFC 3339 time"),
        "{out}"
    );
    assert!(
        out.contains("read 3, stored 2, duplicates skipped 0, rejected 1"),
        "{out}"
    );
    let out = run(&[
        "logs",
        "import",
        path,
        "--org",
        "hyva",
        "--register",
        "asiakas",
        "--format",
        "csv",
    ]);
    assert!(
        out.contains("read 3, stored 0, duplicates skipped 2, rejected 1"),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
