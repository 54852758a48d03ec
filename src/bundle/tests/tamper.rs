//! Verifying damaged and tampered bundles: every problem is found and named.

use std::io::Cursor;

use super::*;

#[test]
fn a_changed_byte_is_a_hash_mismatch_naming_the_file() {
    let key = key();
    let mut files = entries(&build(&key));
    let (_, csv) = files
        .iter_mut()
        .find(|(n, _)| n == "data/kaynnit.csv")
        .unwrap();
    csv[0] ^= 1;
    let report = verify(Cursor::new(rezip(&files)), Some(&key.public_key()));
    assert!(
        matches!(
            report.problems.as_slice(),
            [Problem::HashMismatch { path, .. }] if path == "data/kaynnit.csv"
        ),
        "{report}"
    );
}

#[test]
fn a_removed_file_is_missing() {
    let key = key();
    let mut files = entries(&build(&key));
    files.retain(|(n, _)| n != "answer.pdf");
    let report = verify(Cursor::new(rezip(&files)), Some(&key.public_key()));
    assert_eq!(report.problems, [Problem::FileMissing("answer.pdf".into())]);
}

#[test]
fn an_extra_file_is_not_in_the_manifest() {
    let key = key();
    let mut files = entries(&build(&key));
    files.push(("data/extra.json".into(), b"{}".to_vec()));
    let report = verify(Cursor::new(rezip(&files)), Some(&key.public_key()));
    assert_eq!(
        report.problems,
        [Problem::FileNotInManifest("data/extra.json".into())]
    );
}

#[test]
fn an_edited_manifest_fails_the_signature() {
    let key = key();
    let mut files = entries(&build(&key));
    let (_, manifest) = files.iter_mut().find(|(n, _)| n == MANIFEST_NAME).unwrap();
    *manifest = String::from_utf8(manifest.clone())
        .unwrap()
        .replace("000123", "000124")
        .into_bytes();
    let report = verify(Cursor::new(rezip(&files)), Some(&key.public_key()));
    assert_eq!(report.problems, [Problem::SignatureInvalid]);
    assert_eq!(report.manifest.unwrap().reference, "SAT-2026-000124");
}

#[test]
fn a_signature_by_another_key_is_unexpected() {
    let (signer, trusted) = (key(), key());
    let report = verify(Cursor::new(build(&signer)), Some(&trusted.public_key()));
    assert_eq!(
        report.problems,
        [Problem::UnexpectedKey {
            expected: trusted.key_id(),
            found: signer.key_id()
        }]
    );
    assert!(report.trusted_key_used);
    assert_eq!(report.key_id, Some(trusted.key_id()));
}

#[test]
fn all_problems_are_collected_not_just_the_first() {
    let key = key();
    let mut files = entries(&build(&key));
    files.retain(|(n, _)| n != "answer.pdf" && n != SIGNATURE_NAME);
    files
        .iter_mut()
        .find(|(n, _)| n == "data/kaynnit.csv")
        .unwrap()
        .1
        .push(b'x');
    files.push((
        "../../etc/cron.d/evil".into(),
        b"* * * * * root sh".to_vec(),
    ));
    files.push(("extra.txt".into(), Vec::new()));
    files.push(("data/".into(), Vec::new())); // directory entry: ignored
    let report = verify(Cursor::new(rezip(&files)), Some(&key.public_key()));
    assert_eq!(
        report.problems,
        [
            Problem::SignatureMissing,
            Problem::FileMissing("answer.pdf".into()),
            Problem::SizeMismatch {
                path: "data/kaynnit.csv".into(),
                expected: 33,
                actual: 34
            },
            Problem::UnsafePath("../../etc/cron.d/evil".into()),
            Problem::FileNotInManifest("extra.txt".into()),
        ],
        "{report}"
    );
}

#[test]
fn not_a_zip() {
    let report = verify(Cursor::new(b"%PDF-1.7 this is not a zip".to_vec()), None);
    assert!(
        matches!(report.problems.as_slice(), [Problem::NotAZip(_)]),
        "{report}"
    );
    assert!(!report.is_ok());
    assert!(report.manifest.is_none());
}

#[test]
fn a_zip_without_manifest_or_signature() {
    let report = verify(Cursor::new(rezip(&[("a.txt".into(), b"a".to_vec())])), None);
    assert_eq!(report.problems, [Problem::ManifestMissing]);
}

#[test]
fn every_problem_reads_as_one_line() {
    let problems = [
        Problem::NotAZip("invalid Zip archive".into()),
        Problem::ManifestMissing,
        Problem::ManifestInvalid("missing field `files`".into()),
        Problem::SignatureMissing,
        Problem::SignatureInvalid,
        Problem::UnexpectedKey {
            expected: "a".repeat(16),
            found: "b".repeat(16),
        },
        Problem::FileMissing("answer.pdf".into()),
        Problem::FileNotInManifest("extra.txt".into()),
        Problem::SizeMismatch {
            path: "a.csv".into(),
            expected: 1,
            actual: 2,
        },
        Problem::HashMismatch {
            path: "a.csv".into(),
            expected: "00".into(),
            actual: "ff".into(),
        },
        Problem::UnsafePath("../x\n".into()),
    ];
    for problem in problems {
        let line = problem.to_string();
        assert!(!line.is_empty() && !line.contains('\n'), "{line:?}");
    }
}
