//! A small ICC v2 sRGB display profile, generated in code.
//!
//! PDF/A needs an output intent with an embedded ICC profile. Generating it
//! avoids vendoring a binary blob with its own licence: the numbers below are
//! the published sRGB (IEC 61966-2-1) primaries adapted to the D50 PCS with
//! the Bradford transform, and the sRGB transfer curve sampled as a
//! 1024-entry table (v2 has no parametric curves).

/// Human-readable name, also used as the OutputCondition(Identifier).
pub(super) const DESCRIPTION: &str = "sRGB IEC61966-2.1";

const CURVE_POINTS: usize = 1024;

/// Returns the profile bytes (about 2.5 KB). Deterministic.
pub(super) fn srgb_profile() -> Vec<u8> {
    // Tag data, each padded to a 4-byte boundary.
    let desc = text_description(DESCRIPTION);
    let cprt = text("No copyright, use freely");
    let wtpt = xyz(0.9642, 1.0, 0.8249);
    let rxyz = xyz(0.436_074_7, 0.222_504_5, 0.013_932_2);
    let gxyz = xyz(0.385_064_9, 0.716_878_6, 0.097_104_5);
    let bxyz = xyz(0.143_080_4, 0.060_616_9, 0.714_173_3);
    let trc = curve();

    // The three TRC tags share one curve: ICC allows tags to point at the same data.
    let blobs: [(&[u8; 4], &Vec<u8>); 7] = [
        (b"desc", &desc),
        (b"cprt", &cprt),
        (b"wtpt", &wtpt),
        (b"rXYZ", &rxyz),
        (b"gXYZ", &gxyz),
        (b"bXYZ", &bxyz),
        (b"rTRC", &trc),
    ];
    let tag_count = blobs.len() + 2; // + gTRC, bTRC aliases
    let mut offset = 128 + 4 + 12 * tag_count;
    let mut table = Vec::new();
    let mut data = Vec::new();
    let mut trc_entry = (0u32, 0u32);
    for (sig, blob) in blobs {
        table.extend_from_slice(sig);
        table.extend_from_slice(&(offset as u32).to_be_bytes());
        table.extend_from_slice(&(blob.len() as u32).to_be_bytes());
        if sig == b"rTRC" {
            trc_entry = (offset as u32, blob.len() as u32);
        }
        data.extend_from_slice(blob);
        while data.len() % 4 != 0 {
            data.push(0);
        }
        offset = 128 + 4 + 12 * tag_count + data.len();
    }
    for sig in [b"gTRC", b"bTRC"] {
        table.extend_from_slice(sig);
        table.extend_from_slice(&trc_entry.0.to_be_bytes());
        table.extend_from_slice(&trc_entry.1.to_be_bytes());
    }

    let size = 128 + 4 + table.len() + data.len();
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&(size as u32).to_be_bytes()); // profile size
    out.extend_from_slice(&[0; 4]); // preferred CMM: none
    out.extend_from_slice(&[2, 0x10, 0, 0]); // version 2.1.0
    out.extend_from_slice(b"mntr"); // display device
    out.extend_from_slice(b"RGB ");
    out.extend_from_slice(b"XYZ ");
    // Creation date: fixed, so the output is reproducible.
    for v in [2026u16, 1, 1, 0, 0, 0] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(b"acsp");
    out.extend_from_slice(&[0; 4]); // primary platform: unspecified
    out.extend_from_slice(&[0; 4]); // flags
    out.extend_from_slice(&[0; 4]); // device manufacturer
    out.extend_from_slice(&[0; 4]); // device model
    out.extend_from_slice(&[0; 8]); // device attributes
    out.extend_from_slice(&0u32.to_be_bytes()); // perceptual intent
    out.extend_from_slice(&s15f16(0.9642));
    out.extend_from_slice(&s15f16(1.0));
    out.extend_from_slice(&s15f16(0.8249)); // PCS illuminant D50
    out.extend_from_slice(&[0; 4]); // creator
    out.resize(128, 0); // profile ID (v4 only) and reserved bytes
    out.extend_from_slice(&(tag_count as u32).to_be_bytes());
    out.extend_from_slice(&table);
    out.extend_from_slice(&data);
    debug_assert_eq!(out.len(), size);
    out
}

fn s15f16(v: f64) -> [u8; 4] {
    ((v * 65536.0).round() as i32).to_be_bytes()
}

fn xyz(x: f64, y: f64, z: f64) -> Vec<u8> {
    let mut v = b"XYZ \0\0\0\0".to_vec();
    for c in [x, y, z] {
        v.extend_from_slice(&s15f16(c));
    }
    v
}

fn text(s: &str) -> Vec<u8> {
    let mut v = b"text\0\0\0\0".to_vec();
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    v
}

/// textDescriptionType: ASCII part plus empty Unicode and ScriptCode parts.
fn text_description(s: &str) -> Vec<u8> {
    let mut v = b"desc\0\0\0\0".to_vec();
    v.extend_from_slice(&(s.len() as u32 + 1).to_be_bytes());
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    v.extend_from_slice(&[0; 4]); // Unicode language code
    v.extend_from_slice(&[0; 4]); // Unicode count
    v.extend_from_slice(&[0; 2]); // ScriptCode code
    v.push(0); // ScriptCode count
    v.extend_from_slice(&[0; 67]); // ScriptCode string
    v
}

/// curveType with the sRGB EOTF sampled at CURVE_POINTS points.
fn curve() -> Vec<u8> {
    let mut v = b"curv\0\0\0\0".to_vec();
    v.extend_from_slice(&(CURVE_POINTS as u32).to_be_bytes());
    for i in 0..CURVE_POINTS {
        let x = i as f64 / (CURVE_POINTS - 1) as f64;
        let y = if x <= 0.04045 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        };
        v.extend_from_slice(&((y * 65535.0).round() as u16).to_be_bytes());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_well_formed() {
        let p = srgb_profile();
        assert_eq!(
            u32::from_be_bytes(p[0..4].try_into().unwrap()) as usize,
            p.len()
        );
        assert_eq!(&p[36..40], b"acsp");
        assert_eq!(&p[12..24], b"mntrRGB XYZ ");
        assert_eq!(u32::from_be_bytes(p[128..132].try_into().unwrap()), 9);
        // Every tag lies inside the profile and starts on a 4-byte boundary.
        for i in 0..9 {
            let e = 132 + 12 * i;
            let off = u32::from_be_bytes(p[e + 4..e + 8].try_into().unwrap()) as usize;
            let len = u32::from_be_bytes(p[e + 8..e + 12].try_into().unwrap()) as usize;
            assert_eq!(off % 4, 0);
            assert!(off + len <= p.len());
        }
    }
}
