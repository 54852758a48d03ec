//! Memory must not grow with the file: a 100 MB file made on the fly, never held whole.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

use super::*;

/// Pseudo-random bytes made on the fly: nothing is held in memory.
struct Generated {
    state: u64,
    left: u64,
}

impl Generated {
    fn new(len: u64) -> Self {
        Self {
            state: 0x9E37_79B9_7F4A_7C15,
            left: len,
        }
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        for byte in &mut buf[..n] {
            // One LCG step per byte keeps the stream independent of read sizes.
            self.state = self
                .state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            *byte = (self.state >> 56) as u8;
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// Removes the temp file even when the test fails.
struct TempFile(std::path::PathBuf);
impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_100_mb_file_streams_through_a_file_backed_writer() {
    const LEN: u64 = 100 * 1024 * 1024;
    let key = key();
    let tmp = TempFile(
        std::env::temp_dir().join(format!("rightsdesk-bundle-test-{}.zip", std::process::id())),
    );
    let file = std::fs::File::create(&tmp.0).unwrap();
    let mut writer = BundleWriter::new(file, "SAT-2026-000123", "portability", created_at());
    let entry = writer
        .add(
            "data/export.bin",
            "application/octet-stream",
            Generated::new(LEN),
        )
        .unwrap();
    writer.finish(&key).unwrap();

    let mut expected = Sha256::new();
    io::copy(&mut Generated::new(LEN), &mut expected).unwrap();
    assert_eq!(entry.size, LEN);
    assert_eq!(entry.sha256, hex::encode(expected.finalize()));
    let report = verify(
        std::fs::File::open(&tmp.0).unwrap(),
        Some(&key.public_key()),
    );
    assert!(report.is_ok(), "{report}");
}
