//! Renders a ~1,000-page table report (37,000 rows x 6 columns of Finnish
//! text) and prints render time, pages and bytes. A measurement, not a timed
//! test; goals on the 2-core machine: under 2 s and under 200 MB peak RSS.
//!
//! Cargo builds files in benches/ with the libtest harness, which runs the
//! test at the bottom:
//!
//!     cargo bench --bench pdf_report -- --nocapture
//!     cargo bench --bench pdf_report --no-run     # prints the binary's path
//!     /usr/bin/time -v target/release/deps/pdf_report-<hash> --nocapture
//!
//! With `[[bench]] name = "pdf_report"` and `harness = false` in Cargo.toml,
//! `main` runs instead and takes `[rows] [out.pdf]` (default 37,000 rows):
//!     /usr/bin/time -v target/release/deps/pdf_report-<hash> 45000 /tmp/r.pdf
use std::time::Instant;

use chrono::TimeZone;
use rightsdesk::pdf::{render, Block, DocInfo, Frame};

const EVENTS: &[&str] = &[
    "Pyyntö kirjattu",
    "Henkilöllisyys tarkistettu",
    "Välitetty käsittelyyn",
    "Lisäselvitystä pyydetty",
    "Tiedot koottu arkistosta",
    "Päätös tehty",
    "Todistus lähetetty",
    "Määräaikaa jatkettu",
    "Siirretty tietosuojavastaavalle",
    "Vastaus toimitettu",
];
/// About one row in twenty wraps onto a second line.
const LONG_EVENT: &str =
    "Tiedot koottu tietojärjestelmästä ja paperiarkistosta, osa tiedoista salassa pidettäviä";
const REGISTERS: &[&str] = &[
    "Asiakas",
    "Turvakoti",
    "Lastensuojelu",
    "Henkilöstö",
    "Tallenne",
];
const NAMES: &[&str] = &[
    "L. Lähteenmäki",
    "M. Meikäläinen",
    "Ä. Öhman",
    "S. Väänänen",
    "J. Hyvönen",
    "Å. Sjöström",
];
const STATES: &[&str] = &["Avoin", "Käsittelyssä", "Odottaa", "Valmis", "Hylätty"];

/// Rows that come to about 1,000 pages.
const ROWS: usize = 37_000;

fn main() -> anyhow::Result<()> {
    // `cargo bench` adds a `--bench` flag; ignore flags.
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let rows: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(ROWS);
    run(rows, args.next())
}

fn run(rows: usize, out: Option<String>) -> anyhow::Result<()> {
    let mut seed: u64 = 0x2026_1122;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let data: Vec<Vec<String>> = (0..rows)
        .map(|i| {
            vec![
                format!("{}.{}.2026", i % 28 + 1, i % 12 + 1),
                format!("SAT-2026-{:06}", i / 3 + 1),
                if next(20) == 0 {
                    LONG_EVENT.to_string()
                } else {
                    EVENTS[next(EVENTS.len())].to_string()
                },
                REGISTERS[next(REGISTERS.len())].to_string(),
                NAMES[next(NAMES.len())].to_string(),
                STATES[next(STATES.len())].to_string(),
            ]
        })
        .collect();
    let header = [
        "Aika",
        "Viite",
        "Tapahtuma",
        "Rekisteri",
        "Käsittelijä",
        "Tila",
    ]
    .map(String::from)
    .to_vec();
    let blocks = vec![
        Block::Title("Tietopyyntöjen tapahtumaloki 2026".into()),
        Block::Paragraph(
            "Raportti sisältää kaikki rekisteröityjen pyyntöihin liittyvät tapahtumat.".into(),
        ),
        Block::Table { header, rows: data },
    ];
    let info = DocInfo {
        title: "Tapahtumaloki 2026".into(),
        author: "Turvakoti Satama ry".into(),
        subject: "Tietopyyntöjen tapahtumaloki".into(),
        keywords: vec!["raportti".into()],
        language: "fi".into(),
        created: chrono::Utc
            .with_ymd_and_hms(2026, 11, 22, 10, 30, 0)
            .unwrap(),
    };
    let frame = Frame {
        sender: vec![
            "Turvakoti Satama ry".into(),
            "Esimerkkitie 1".into(),
            "00100 Helsinki".into(),
        ],
        doc_label: "RAPORTTI".into(),
        date: "22.11.2026".into(),
        reference: "LOKI-2026".into(),
        recipient: vec![],
        footer: vec![
            "Turvakoti Satama ry · Y-tunnus 1234567-8 · Esimerkkitie 1, 00100 Helsinki".into(),
        ],
    };

    let start = Instant::now();
    let pdf = render(&info, &frame, &blocks)?;
    let elapsed = start.elapsed();
    // Read /Count from the page tree instead of re-parsing the whole file, so
    // that peak RSS reflects rendering only (set VERIFY=1 to re-parse too).
    let pages = if std::env::var_os("VERIFY").is_some() {
        lopdf::Document::load_mem(&pdf)?.get_pages().len()
    } else {
        page_count(&pdf)
    };
    println!(
        "rows={rows} pages={pages} bytes={} render={:.3}s",
        pdf.len(),
        elapsed.as_secs_f64()
    );
    if let Some(path) = out {
        std::fs::write(path, &pdf)?;
    }
    Ok(())
}

fn page_count(pdf: &[u8]) -> usize {
    let key = b"/Count ";
    pdf.windows(key.len())
        .position(|w| w == key)
        .map(|i| {
            pdf[i + key.len()..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .fold(0, |n, b| n * 10 + usize::from(b - b'0'))
        })
        .unwrap_or(0)
}

#[cfg(test)]
#[test]
fn report_of_about_1000_pages() {
    run(ROWS, None).unwrap();
}
