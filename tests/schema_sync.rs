//! Keeps the committed artefacts in step with the code.

/// The committed openapi/openapi.json is the document the code serves.
/// Regenerate with `UPDATE_OPENAPI=1 cargo test --test schema_sync`.
#[test]
fn openapi_document_is_committed_and_current() {
    let current = rightsdesk::http::openapi_document()
        .to_pretty_json()
        .unwrap()
        + "\n";
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == current,
        "openapi/openapi.json is out of date: run UPDATE_OPENAPI=1 cargo test --test schema_sync"
    );
    let doc: serde_json::Value = serde_json::from_str(&current).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["paths"]["/api/v1/requests"]["post"].is_object());
}

/// Both backends have the same migrations, by name.
#[test]
fn migrations_exist_for_both_backends() {
    let list = |backend: &str| {
        let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = list("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, list("postgres"));
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                let path = format!(
                    "{}/migrations/{backend}/{name}/{file}",
                    env!("CARGO_MANIFEST_DIR")
                );
                assert!(std::path::Path::new(&path).exists(), "{path} missing");
            }
        }
    }
}

/// Both migration sets create the same tables and columns.
#[test]
fn migrations_define_the_same_columns() {
    let columns = |backend: &str| {
        let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        let sql: String = names
            .iter()
            .map(|d| std::fs::read_to_string(d.join("up.sql")).unwrap())
            .collect();
        let mut out = Vec::new();
        let mut table = String::new();
        for line in sql.lines() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("ALTER TABLE ") {
                // ALTER TABLE <table> ADD COLUMN <column> ...
                let words: Vec<&str> = rest.split_whitespace().collect();
                if words.get(1..3) == Some(&["ADD", "COLUMN"][..]) {
                    out.push(format!("{}.{}", words[0], words[3]));
                }
            } else if let Some(rest) = t.strip_prefix("CREATE TABLE ") {
                table = rest.split_whitespace().next().unwrap().to_string();
            } else if !table.is_empty() && t.starts_with(|c: char| c.is_ascii_lowercase()) {
                out.push(format!("{table}.{}", t.split_whitespace().next().unwrap()));
            } else if t.starts_with(");") {
                table.clear();
            }
        }
        out
    };
    let sqlite = columns("sqlite");
    assert!(sqlite.len() > 50, "{sqlite:?}");
    assert_eq!(sqlite, columns("postgres"));
}
