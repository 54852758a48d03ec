//! The line markup letter templates render to, turned into PDF blocks:
//! `# title`, `## heading`, `### subheading`, `- bullet`, `: label | value` (fact rows),
//! `|| a | b` (table header) followed by `| a | b` rows, `---` (page break), and paragraphs
//! (consecutive lines, ended by a blank line).

use crate::pdf::Block;

/// Interpolated values pass through this before they reach the markup: a newline in a value
/// becomes a forced line break inside its block and a `|` cannot split a cell.
pub fn escape_value(value: &str) -> String {
    // Not trimmed: templates concatenate values with their own spaces.
    value
        .replace("\r\n", "\n")
        .replace('\n', "\u{2028}")
        .replace('|', "¦")
}

pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut facts: Vec<(String, String)> = Vec::new();
    let mut table: Option<(Vec<String>, Vec<Vec<String>>)> = None;

    fn cells(s: &str) -> Vec<String> {
        s.split('|').map(|c| c.trim().to_string()).collect()
    }
    let flush = |blocks: &mut Vec<Block>,
                 paragraph: &mut Vec<&str>,
                 facts: &mut Vec<(String, String)>,
                 table: &mut Option<(Vec<String>, Vec<Vec<String>>)>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
        if !facts.is_empty() {
            blocks.push(Block::Facts(std::mem::take(facts)));
        }
        if let Some((header, rows)) = table.take() {
            blocks.push(Block::Table { header, rows });
        }
    };

    for raw in text.lines() {
        let line = raw.trim();
        if let Some(rest) = line.strip_prefix("|| ") {
            flush(&mut blocks, &mut paragraph, &mut facts, &mut table);
            table = Some((cells(rest), Vec::new()));
            continue;
        }
        if let (Some(rest), Some((header, rows))) = (line.strip_prefix("| "), table.as_mut()) {
            let mut row = cells(rest);
            row.resize(header.len(), String::new());
            rows.push(row);
            continue;
        }
        if let Some(rest) = line.strip_prefix(": ") {
            if !paragraph.is_empty() || table.is_some() {
                flush(&mut blocks, &mut paragraph, &mut facts, &mut table);
            }
            let (label, value) = rest.split_once('|').unwrap_or((rest, ""));
            facts.push((label.trim().to_string(), value.trim().to_string()));
            continue;
        }
        if line.is_empty() {
            flush(&mut blocks, &mut paragraph, &mut facts, &mut table);
            continue;
        }
        let block = if line == "---" {
            Some(Block::PageBreak)
        } else if let Some(rest) = line.strip_prefix("### ") {
            Some(Block::Subheading(rest.trim().to_string()))
        } else if let Some(rest) = line.strip_prefix("## ") {
            Some(Block::Heading(rest.trim().to_string()))
        } else if let Some(rest) = line.strip_prefix("# ") {
            Some(Block::Title(rest.trim().to_string()))
        } else {
            line.strip_prefix("- ")
                .map(|rest| Block::Bullet(rest.trim().to_string()))
        };
        match block {
            Some(b) => {
                flush(&mut blocks, &mut paragraph, &mut facts, &mut table);
                blocks.push(b);
            }
            None => {
                if !facts.is_empty() || table.is_some() {
                    flush(&mut blocks, &mut paragraph, &mut facts, &mut table);
                }
                paragraph.push(line);
            }
        }
    }
    flush(&mut blocks, &mut paragraph, &mut facts, &mut table);
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_construct_becomes_its_block() {
        let blocks = parse(
            "# Otsikko\n\n## Päätös\nEnsimmäinen rivi\njatkuu tässä.\n\n- kohta\n: Viite | SAT-1\n: Pvm | 1.1.2026\n|| A | B\n| 1 | 2\n| 3\nloppu\n---\n### Ali",
        );
        let expected = vec![
            Block::Title("Otsikko".into()),
            Block::Heading("Päätös".into()),
            Block::Paragraph("Ensimmäinen rivi jatkuu tässä.".into()),
            Block::Bullet("kohta".into()),
            Block::Facts(vec![
                ("Viite".into(), "SAT-1".into()),
                ("Pvm".into(), "1.1.2026".into()),
            ]),
            Block::Table {
                header: vec!["A".into(), "B".into()],
                rows: vec![
                    vec!["1".into(), "2".into()],
                    vec!["3".into(), String::new()],
                ],
            },
            Block::Paragraph("loppu".into()),
            Block::PageBreak,
            Block::Subheading("Ali".into()),
        ];
        assert_eq!(format!("{blocks:?}"), format!("{expected:?}"));
    }

    #[test]
    fn values_cannot_break_the_markup() {
        let v = escape_value("rivi 1\n# ei otsikko | eikä solu");
        assert!(!v.contains('\n') && !v.contains('|'));
        let blocks = parse(&format!(": Selitys | {v}"));
        assert!(matches!(&blocks[..], [Block::Facts(rows)] if rows.len() == 1));
    }
}
