use std::io::{self, Cursor, Read, Write};

use chrono::{DateTime, TimeZone, Utc};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::*;

mod stream;
mod tamper;

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "answer.pdf",
        "application/pdf",
        b"%PDF-1.7 pretend answer letter",
    ),
    (
        "attachments/kirje.txt",
        "text/plain; charset=utf-8",
        "Hei! Tässä pyytämäsi tiedot.".as_bytes(),
    ),
    (
        "data/asiakastiedot.json",
        "application/json",
        br#"{"nimi":"Matti","palvelut":["kotihoito"]}"#,
    ),
    (
        "data/kaynnit.csv",
        "text/csv",
        b"pvm;palvelu\n2026-01-02;kotihoito\n",
    ),
];

fn created_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 9, 26, 53).unwrap()
}

fn key() -> SigningKey {
    SigningKey::generate().unwrap().0
}

fn build(key: &SigningKey) -> Vec<u8> {
    let mut writer = BundleWriter::new(
        Cursor::new(Vec::new()),
        "SAT-2026-000123",
        "access",
        created_at(),
    );
    for (path, media_type, content) in FILES {
        writer.add(path, media_type, *content).unwrap();
    }
    writer.finish(key).unwrap().0.into_inner()
}

fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

/// Writes a plain ZIP with the given entries: tampering that keeps the
/// original manifest and signature.
fn rezip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[test]
fn round_trip_verifies_and_every_hash_matches_the_content() {
    let key = key();
    let zip = build(&key);

    let report = verify(Cursor::new(&zip), Some(&key.public_key()));
    assert!(report.is_ok(), "{report}");
    assert!(report.trusted_key_used);
    assert_eq!(report.key_id.as_deref(), Some(key.key_id().as_str()));
    let manifest = report.manifest.unwrap();
    assert_eq!(
        (manifest.format.as_str(), manifest.reference.as_str()),
        (FORMAT, "SAT-2026-000123")
    );
    assert_eq!(manifest.created_at, created_at());
    let listed: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        listed,
        FILES.iter().map(|f| f.0).collect::<Vec<_>>(),
        "order added"
    );

    // Independently of `verify`: unzip and hash each file ourselves.
    let unzipped = entries(&zip);
    for ((path, media_type, content), listed) in FILES.iter().zip(&manifest.files) {
        let (_, bytes) = unzipped.iter().find(|(name, _)| name == path).unwrap();
        assert_eq!(bytes.as_slice(), *content);
        assert_eq!(listed.sha256, sha256_hex(content));
        assert_eq!(listed.size, content.len() as u64);
        assert_eq!(listed.media_type, *media_type);
    }
    let names: Vec<&str> = unzipped.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(&names[FILES.len()..], [MANIFEST_NAME, SIGNATURE_NAME]);

    // The signature file is as documented, and signs the stored bytes.
    let manifest_json = &unzipped.iter().find(|(n, _)| n == MANIFEST_NAME).unwrap().1;
    let sig: serde_json::Value = serde_json::from_slice(
        &unzipped
            .iter()
            .find(|(n, _)| n == SIGNATURE_NAME)
            .unwrap()
            .1,
    )
    .unwrap();
    assert_eq!(sig["algorithm"], "Ed25519");
    assert_eq!(sig["key_id"].as_str().unwrap().len(), 16);
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let public_key = b64.decode(sig["public_key"].as_str().unwrap()).unwrap();
    let signature = b64.decode(sig["signature"].as_str().unwrap()).unwrap();
    assert_eq!(public_key, key.public_key());
    assert!(signing::signature_is_valid(
        &public_key,
        manifest_json,
        &signature
    ));

    // PDFs are stored as they are, text is deflated.
    let mut archive = ZipArchive::new(Cursor::new(&zip)).unwrap();
    assert_eq!(
        archive.by_name("answer.pdf").unwrap().compression(),
        CompressionMethod::Stored
    );
    assert_eq!(
        archive.by_name("data/kaynnit.csv").unwrap().compression(),
        CompressionMethod::Deflated
    );
}

#[test]
fn without_a_trusted_key_the_embedded_key_is_used_and_reported() {
    let key = key();
    let report = verify(Cursor::new(build(&key)), None);
    assert!(report.is_ok(), "{report}");
    assert!(!report.trusted_key_used);
    assert_eq!(report.key_id, Some(key.key_id()));
    assert!(report.to_string().contains("embedded"), "{report}");
}

#[test]
fn unsafe_and_duplicate_paths_are_rejected_by_the_writer() {
    let key = key();
    let mut writer = BundleWriter::new(
        Cursor::new(Vec::new()),
        "SAT-2026-000123",
        "access",
        created_at(),
    );
    writer
        .add("data/a.json", "application/json", &b"{}"[..])
        .unwrap();
    for bad in [
        "../evil.sh",
        "data/../../evil.sh",
        "/etc/passwd",
        "data\\evil.txt",
        "data//a.json",
        "data/",
        "",
        "./a.txt",
        "C:/Windows/evil.dll",
        "a\nb",
        "manifest.json",
        "MANIFEST.SIG",
        "data/a.json",
        "DATA/A.json",
    ] {
        let err = writer.add(bad, "text/plain", &b"x"[..]).unwrap_err();
        assert!(err.downcast_ref::<PathError>().is_some(), "{bad:?}: {err}");
    }
    // Still usable, and nothing of the rejected files got in.
    let (zip, manifest) = writer.finish(&key).unwrap();
    assert_eq!(manifest.files.len(), 1);
    let zip = zip.into_inner();
    assert_eq!(entries(&zip).len(), 3);
    assert!(verify(Cursor::new(zip), Some(&key.public_key())).is_ok());
}

/// Fails after handing out some bytes.
struct Failing(usize);
impl Read for Failing {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0 == 0 {
            return Err(io::Error::other("disk went away"));
        }
        let n = self.0.min(buf.len());
        buf[..n].fill(b'a');
        self.0 -= n;
        Ok(n)
    }
}

#[test]
fn a_failing_reader_leaves_no_trace_and_the_writer_usable() {
    let key = key();
    let mut writer = BundleWriter::new(
        Cursor::new(Vec::new()),
        "SAT-2026-000123",
        "access",
        created_at(),
    );
    writer
        .add("answer.pdf", "application/pdf", &b"%PDF"[..])
        .unwrap();
    let err = writer
        .add("data/big.csv", "text/csv", Failing(200_000))
        .unwrap_err();
    assert!(format!("{err:#}").contains("disk went away"), "{err:#}");
    writer
        .add("data/big.csv", "text/csv", &b"retry"[..])
        .unwrap();
    let zip = writer.finish(&key).unwrap().0.into_inner();
    let report = verify(Cursor::new(&zip), Some(&key.public_key()));
    assert!(report.is_ok(), "{report}");
    assert_eq!(entries(&zip).len(), 4);
}

#[test]
fn keys_survive_their_pkcs8_form() {
    let (key, der) = SigningKey::generate().unwrap();
    let again = SigningKey::from_pkcs8(&der).unwrap();
    assert_eq!(again.public_key(), key.public_key());
    assert_eq!(key.key_id(), key_id_of(&key.public_key()));
    assert_eq!(key.key_id().len(), 16);
    assert!(SigningKey::from_pkcs8(b"not a key").is_err());
    assert!(!format!("{key:?}").contains(&hex::encode(&der)));
}
