//! End-to-end tests: render, then read the result back with lopdf and
//! (when installed) poppler's pdftotext.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::TimeZone;

use super::*;

fn info() -> DocInfo {
    DocInfo {
        title: "Kieltäytymistodistus SAT-2026-000123".into(),
        author: "Turvakoti Satama ry".into(),
        subject: "Tarkastusoikeuden epääminen".into(),
        keywords: vec!["tietosuoja".into(), "kieltäytymistodistus".into()],
        language: "fi".into(),
        created: chrono::Utc
            .with_ymd_and_hms(2026, 11, 22, 10, 30, 0)
            .unwrap(),
    }
}

fn frame() -> Frame {
    Frame {
        sender: vec![
            "Turvakoti Satama ry".into(),
            "Esimerkkitie 1".into(),
            "00100 Helsinki".into(),
        ],
        doc_label: "KIELTÄYTYMISTODISTUS".into(),
        date: "22.11.2026".into(),
        reference: "SAT-2026-000123".into(),
        recipient: vec![
            "Matti Meikäläinen".into(),
            "Äyräpääntie 3 B 12".into(),
            "00980 Helsinki".into(),
        ],
        footer: vec![
            "Turvakoti Satama ry · Y-tunnus 1234567-8 · Esimerkkitie 1, 00100 Helsinki".into(),
        ],
    }
}

const PARA: &str = "Olemme vastaanottaneet pyyntönne saada tietää, mitä henkilötietoja \
    teistä käsitellään rekisterissämme. Tietosuoja-asetuksen 15 artiklan mukainen \
    tarkastusoikeus voidaan evätä, jos tietojen antaminen voisi vaarantaa toisen \
    henkilön turvallisuuden.";

fn letter(paragraphs: usize) -> Vec<Block> {
    let mut blocks = vec![
        Block::Title("Päätös tarkastusoikeuden epäämisestä".into()),
        Block::Paragraph("Hyvä asiakas, ÅÄÖ åäö".into()),
        Block::Heading("Perustelut".into()),
    ];
    for _ in 0..paragraphs {
        blocks.push(Block::Paragraph(PARA.into()));
    }
    blocks.push(Block::Bullet(
        "Voitte saattaa asian tietosuojavaltuutetun käsiteltäväksi.".into(),
    ));
    blocks.push(Block::Facts(vec![
        ("Pyyntö saapunut".into(), "1.11.2026".into()),
        (
            "Käsittelijä".into(),
            "Liisa Lähteenmäki\u{2028}tietosuojavastaava".into(),
        ),
    ]));
    blocks
}

fn pdftotext_available() -> bool {
    Command::new("pdftotext").arg("-v").output().is_ok()
}

/// Writes `pdf` to a unique temp file (removed on drop).
struct TempPdf(PathBuf);

impl TempPdf {
    fn new(pdf: &[u8]) -> TempPdf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "rightsdesk-pdf-test-{}-{}.pdf",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, pdf).unwrap();
        TempPdf(path)
    }

    /// Text of one page (1-based), or of all pages with `None`.
    fn text(&self, page: Option<usize>) -> String {
        let mut cmd = Command::new("pdftotext");
        if let Some(p) = page {
            cmd.args(["-f", &p.to_string(), "-l", &p.to_string()]);
        }
        let out = cmd.arg(&self.0).arg("-").output().expect("pdftotext runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("pdftotext gives UTF-8")
    }
}

impl Drop for TempPdf {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn page_count(pdf: &[u8]) -> usize {
    lopdf::Document::load_mem(pdf).unwrap().get_pages().len()
}

#[test]
fn finnish_letter_text_extracts_and_pages_are_numbered() {
    let pdf = render(&info(), &frame(), &letter(14)).unwrap();
    assert_eq!(
        page_count(&pdf),
        2,
        "the test letter should be two pages long"
    );
    if !pdftotext_available() {
        eprintln!("note: pdftotext not installed, skipping text extraction checks");
        return;
    }
    let file = TempPdf::new(&pdf);
    let all = file.text(None);
    assert!(all.contains("Hyvä asiakas, ÅÄÖ åäö"), "{all}");
    assert!(all.contains("Matti Meikäläinen"));
    assert!(file.text(Some(1)).contains("1 (2)"));
    let page2 = file.text(Some(2));
    assert!(page2.contains("2 (2)"), "{page2}");
    assert!(
        page2.contains("KIELTÄYTYMISTODISTUS"),
        "compact header repeats the label"
    );
    assert!(page2.contains("Y-tunnus 1234567-8"), "footer on every page");
}

#[test]
fn long_table_repeats_header_on_every_page() {
    let header = vec![
        "Päivämäärä".to_string(),
        "Tapahtuma".to_string(),
        "Käsittelijä".to_string(),
    ];
    let rows: Vec<Vec<String>> = (0..300)
        .map(|i| {
            vec![
                format!("{}.11.2026", i % 28 + 1),
                format!("Rivi {i}: pyyntö kirjattu ja välitetty käsittelyyn"),
                "Liisa Lähteenmäki".to_string(),
            ]
        })
        .collect();
    let blocks = vec![
        Block::Title("Tapahtumaloki".into()),
        Block::Table { header, rows },
    ];
    let pdf = render(&info(), &frame(), &blocks).unwrap();
    let pages = page_count(&pdf);
    assert!(
        pages >= 4,
        "300 rows should span several pages, got {pages}"
    );
    if !pdftotext_available() {
        eprintln!("note: pdftotext not installed, skipping per-page header checks");
        return;
    }
    let file = TempPdf::new(&pdf);
    for p in 1..=pages {
        let t = file.text(Some(p));
        for h in ["Päivämäärä", "Tapahtuma", "Käsittelijä"] {
            assert!(t.contains(h), "page {p} lacks header {h}");
        }
        assert!(t.contains(&format!("{p} ({pages})")), "page {p} number");
    }
    let all = file.text(None);
    assert!(all.contains("Rivi 0:") && all.contains("Rivi 299:"));
}

#[test]
fn output_is_marked_pdfa_2b_without_pdfx() {
    let pdf = render(&info(), &frame(), &letter(1)).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.7\n%"));
    let contains = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    assert!(contains(b"<pdfaid:part>2</pdfaid:part>"));
    assert!(contains(b"<pdfaid:conformance>B</pdfaid:conformance>"));
    assert!(contains(b"/GTS_PDFA1"));
    assert!(!contains(b"GTS_PDFX"));
    assert!(!contains(b"/Encrypt"));
    // A one-page letter with subset fonts is small.
    assert!(pdf.len() < 80_000, "letter is {} bytes", pdf.len());
}

#[test]
fn lopdf_reloads_and_finds_the_pdfa_structure() {
    let pdf = render(&info(), &frame(), &letter(1)).unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    assert_eq!(doc.version, "1.7");
    let catalog = doc.catalog().unwrap();
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"fi");
    let meta_id = catalog.get(b"Metadata").unwrap().as_reference().unwrap();
    let meta = doc.get_object(meta_id).unwrap().as_stream().unwrap();
    assert!(
        meta.dict.get(b"Filter").is_err(),
        "XMP must not be compressed"
    );
    let xmp = String::from_utf8(meta.content.clone()).unwrap();
    assert!(xmp.contains("Kieltäytymistodistus SAT-2026-000123"));
    assert!(xmp.contains("2026-11-22T10:30:00+00:00"));

    let ids = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1]);
    assert_eq!(ids[0].as_str().unwrap().len(), 16);

    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    assert_eq!(
        info.get(b"CreationDate").unwrap().as_str().unwrap(),
        b"D:20261122103000+00'00'"
    );
    assert!(info.get(b"Trapped").is_err());

    // Every font is an embedded subset.
    let mut fonts = 0;
    for obj in doc.objects.values() {
        if let Ok(d) = obj.as_dict() {
            if d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor") {
                fonts += 1;
                let name = d.get(b"FontName").unwrap().as_name().unwrap();
                assert_eq!(name[6], b'+', "{}", String::from_utf8_lossy(name));
                assert!(d.get(b"FontFile2").is_ok());
            }
        }
    }
    assert_eq!(fonts, 2);
}

#[test]
fn output_is_deterministic() {
    let a = render(&info(), &frame(), &letter(2)).unwrap();
    let b = render(&info(), &frame(), &letter(2)).unwrap();
    assert!(a == b);
}

#[test]
fn hostile_text_does_not_panic() {
    let long_word = "x".repeat(20_000);
    let blocks = vec![
        Block::PageBreak,
        Block::Title(String::new()),
        Block::Heading("\u{0}\u{7}\u{1b}[31m".into()),
        Block::Paragraph(format!("Emoji 😀, CJK 漢字, RTL עברית, {long_word}")),
        Block::Paragraph("\u{2028}\u{2028}\r\n\t".into()),
        Block::Bullet(String::new()),
        Block::Facts(vec![(long_word.clone(), long_word.clone())]),
        Block::Table {
            header: vec![],
            rows: vec![vec![], vec!["a".into(); 40], vec![long_word.repeat(3)]],
        },
        Block::Table {
            header: vec![],
            rows: vec![],
        },
        Block::Spacer,
        Block::PageBreak,
        Block::PageBreak,
        Block::Field(Field {
            label: String::new(),
            help: Some(long_word.clone()),
            space: Space::Lines(0),
        }),
        Block::Field(Field {
            label: long_word.clone(),
            help: None,
            space: Space::Choices(vec![String::new(), long_word.clone()]),
        }),
        Block::Field(Field {
            label: "\u{0}".into(),
            help: None,
            space: Space::Date(long_word.clone()),
        }),
        Block::Field(Field {
            label: String::new(),
            help: None,
            space: Space::Tick,
        }),
        Block::Signature(vec![]),
        Block::Signature(vec![long_word.clone(); 5]),
    ];
    let mut f = frame();
    f.recipient = (0..60).map(|i| format!("rivi {i}")).collect();
    let info = DocInfo {
        title: "<&\"'>\u{0}".into(),
        language: "not a language!".into(),
        ..info()
    };
    let pdf = render(&info, &f, &blocks).unwrap();
    assert!(page_count(&pdf) >= 2);
    let empty = render(&info, &Frame::default(), &[]).unwrap();
    assert_eq!(page_count(&empty), 1);
}

#[test]
fn write_in_boxes_are_stroked_rectangles_in_the_page() {
    let blocks = vec![
        Block::Field(Field {
            label: "Miten haluat, että otamme sinuun yhteyttä?".into(),
            help: None,
            space: Space::Choices(vec!["Sähköpostilla".into(), "Postitse".into()]),
        }),
        Block::Field(Field {
            label: "Syntymäaika".into(),
            help: None,
            space: Space::Date("pp.kk.vvvv".into()),
        }),
    ];
    let pdf = render(&info(), &frame(), &blocks).unwrap();
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let content = lopdf::content::Content::decode(&doc.get_page_content(page)).unwrap();
    let ops: Vec<&str> = content
        .operations
        .iter()
        .map(|o| o.operator.as_str())
        .collect();
    // Two squares to tick and eight date boxes, each stroked, not filled.
    let stroked = ops.windows(2).filter(|w| w == &["re", "S"]).count();
    assert_eq!(stroked, 10, "{ops:?}");
    let text = extract_text(&pdf).unwrap();
    assert!(
        text.contains("Sähköpostilla") && text.contains("pp.kk.vvvv"),
        "{text}"
    );
}
