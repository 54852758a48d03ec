//! The printable request form: the `forms/` definitions the web form and the API use, laid
//! out with room to write by hand, in the web form's order (request, person, representative,
//! registers), then what happens next, where to return it, the signature and an office box.
//! A field added to a definition appears here without code changes.

use chrono::{DateTime, Datelike, Utc};

use super::context::letterhead;
use super::{Labels, Letters, PaperFormWords};
use crate::db::models::{OrganisationRow, RegisterRow};
use crate::domain::enums::{Language, RequestKind};
use crate::domain::forms::{FieldDef, FieldType, Forms};
use crate::domain::new_request::format_reference;
use crate::pdf::{Block, DocInfo, Field, Frame, Space};

/// Everything a paper form shows; none of it is personal data.
pub struct PaperFormInput<'a> {
    pub forms: &'a Forms,
    pub kind: RequestKind,
    pub lang: Language,
    pub org: &'a OrganisationRow,
    pub registers: &'a [RegisterRow],
    pub now: DateTime<Utc>,
}

/// What [`crate::pdf::render`] needs for one form.
pub struct PaperFormDocument {
    pub info: DocInfo,
    pub frame: Frame,
    pub blocks: Vec<Block>,
}

pub fn document(letters: &Letters, input: &PaperFormInput<'_>) -> PaperFormDocument {
    let labels = letters.labels(input.lang);
    let words = &labels.paper_form;
    let def = input.forms.form(input.kind);
    let title = def.title.get(input.lang).to_string();
    let kind_name = Labels::get(&labels.kinds, input.kind.as_str()).to_string();
    let head = letterhead(input.org, labels);
    PaperFormDocument {
        info: DocInfo {
            title: format!("{}: {title}", words.doc_title),
            author: input.org.name.clone(),
            subject: kind_name.clone(),
            keywords: vec![input.kind.as_str().to_string(), words.doc_title.clone()],
            language: input.lang.as_str().to_string(),
            created: input.now,
        },
        frame: Frame {
            sender: head.sender,
            doc_label: words.doc_label.clone(),
            date: String::new(),
            // Repeated on later pages, so a loose page still says which form it belongs to.
            reference: kind_name,
            recipient: Vec::new(),
            footer: head.footer,
        },
        blocks: blocks(input, words, title),
    }
}

fn blocks(input: &PaperFormInput<'_>, words: &PaperFormWords, title: String) -> Vec<Block> {
    let lang = input.lang;
    let forms = input.forms;
    let def = forms.form(input.kind);
    let mut out = vec![
        Block::Title(title),
        Block::Paragraph(def.description.get(lang).to_string()),
        Block::Paragraph(words.instructions.clone()),
    ];
    let fields = Fields { lang, words };

    out.push(Block::Heading(words.request_heading.clone()));
    fields.all(&def.fields, true, &mut out);

    out.push(Block::Heading(words.subject_heading.clone()));
    out.push(Block::Paragraph(words.subject_help.clone()));
    fields.all(&forms.subject, true, &mut out);
    out.push(Block::Paragraph(words.address_protection_note.clone()));

    // The whole section is optional: nothing in it is marked required on its own.
    out.push(Block::Heading(words.representative_heading.clone()));
    out.push(Block::Paragraph(words.representative_help.clone()));
    fields.all(&forms.representative, false, &mut out);

    if !input.registers.is_empty() {
        out.push(Block::Field(Field {
            label: words.registers_label.clone(),
            help: Some(words.registers_help.clone()),
            space: Space::Choices(input.registers.iter().map(|r| r.name.clone()).collect()),
        }));
    }
    out.push(Block::Field(Field {
        label: words.answer_language.clone(),
        help: None,
        space: Space::Choices(
            Language::ALL
                .iter()
                .map(|l| forms.language_labels.get(*l).to_string())
                .collect(),
        ),
    }));

    let example = format_reference(&input.org.reference_prefix, input.now.year(), 123);
    out.push(Block::Heading(words.next_heading.clone()));
    out.push(Block::Paragraph(words.next_text.clone()));
    out.push(Block::Paragraph(
        words.reference_text.replace("{example}", &example),
    ));
    out.push(Block::Paragraph(words.privacy_text.clone()));

    out.extend(return_section(input.org, words));

    out.push(Block::Heading(words.signature_heading.clone()));
    out.push(Block::Paragraph(words.identity_text.clone()));
    out.push(Block::Signature(vec![
        words.place_and_date.clone(),
        words.signature.clone(),
    ]));

    out.push(Block::Subheading(words.office_heading.clone()));
    out.push(Block::Field(Field {
        label: words.office_received.clone(),
        help: None,
        space: Space::Date(words.date_format.clone()),
    }));
    for label in [&words.office_reference, &words.office_received_by] {
        out.push(Block::Field(Field {
            label: label.clone(),
            help: None,
            space: Space::Lines(1),
        }));
    }
    out
}

/// Where the form goes, and how to reach the organisation.
fn return_section(org: &OrganisationRow, words: &PaperFormWords) -> Vec<Block> {
    let mut out = vec![Block::Heading(words.return_heading.clone())];
    match &org.postal_address {
        Some(address) => {
            out.push(Block::Paragraph(words.return_by_post.clone()));
            // One forced break per address line, as on an envelope.
            let mut lines = vec![org.name.clone()];
            lines.extend(address.lines().map(str::trim).map(str::to_string));
            out.push(Block::Paragraph(lines.join("\u{2028}")));
        }
        None => out.push(Block::Paragraph(words.return_in_person.clone())),
    }
    out.push(Block::Paragraph(words.no_email.clone()));
    let contacts: Vec<(String, String)> = [(&words.email, &org.email), (&words.phone, &org.phone)]
        .into_iter()
        .filter_map(|(label, value)| value.as_ref().map(|v| (label.clone(), v.clone())))
        .collect();
    if !contacts.is_empty() {
        out.push(Block::Subheading(words.contact_heading.clone()));
        out.push(Block::Facts(contacts));
    }
    out
}

/// Turns field definitions into write-in blocks in one language.
struct Fields<'a> {
    lang: Language,
    words: &'a PaperFormWords,
}

impl Fields<'_> {
    fn all(&self, defs: &[FieldDef], mark_required: bool, out: &mut Vec<Block>) {
        for def in defs {
            self.one(def, mark_required, out);
        }
    }

    fn one(&self, def: &FieldDef, mark_required: bool, out: &mut Vec<Block>) {
        let mut label = def.label.get(self.lang).to_string();
        if mark_required && def.required {
            label.push_str(" *");
        }
        let help = def.help.as_ref().map(|h| h.get(self.lang).to_string());
        let space = match def.field_type {
            FieldType::Text => Space::Lines(1),
            FieldType::Textarea => Space::Lines(textarea_lines(def.max_length)),
            FieldType::Date => Space::Date(self.words.date_format.clone()),
            FieldType::Bool => Space::Tick,
            FieldType::Choice => Space::Choices(
                def.options
                    .iter()
                    .map(|o| {
                        def.option_labels
                            .get(o)
                            .map_or_else(|| o.clone(), |t| t.get(self.lang).to_string())
                    })
                    .collect(),
            ),
            FieldType::List => {
                self.list(def, label, help, mark_required, out);
                return;
            }
        };
        out.push(Block::Field(Field { label, help, space }));
    }

    /// A list (e.g. the items to rectify): its label, then a few numbered copies of its
    /// item fields; more go on a separate sheet.
    fn list(
        &self,
        def: &FieldDef,
        label: String,
        help: Option<String>,
        mark_required: bool,
        out: &mut Vec<Block>,
    ) {
        out.push(Block::Subheading(label));
        let help = match help {
            Some(h) => format!("{h} {}", self.words.list_help),
            None => self.words.list_help.clone(),
        };
        out.push(Block::Paragraph(help));
        let copies = def
            .min_items
            .unwrap_or(1)
            .max(2)
            .min(def.max_items.unwrap_or(usize::MAX));
        for n in 1..=copies {
            out.push(Block::Subheading(format!("{} {n}", self.words.list_item)));
            for item in &def.item_fields {
                // Several copies share the page: fewer lines each.
                let mut item = item.clone();
                item.max_length = item.max_length.map(|m| m.min(LIST_ITEM_LENGTH));
                self.one(&item, mark_required && n == 1, out);
            }
        }
    }
}

const LIST_ITEM_LENGTH: usize = 600;

/// Room sized to the field: a short text fits three lines, a long one six.
fn textarea_lines(max_length: Option<usize>) -> usize {
    match max_length {
        Some(n) if n <= LIST_ITEM_LENGTH => 3,
        _ => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::OrgId;

    fn org(address: Option<&str>) -> OrganisationRow {
        OrganisationRow {
            id: OrgId::generate(),
            slug: "satama".into(),
            name: "Turvakoti Satama ry".into(),
            business_id: None,
            reference_prefix: "SAT".into(),
            address_visible_roles: String::new(),
            created_at: chrono::NaiveDateTime::default(),
            postal_address: address.map(str::to_string),
            email: None,
            phone: None,
            public_authority: false,
            authority_contact: None,
            oidc: None,
            appeal: None,
            default_language: Language::Fi,
        }
    }

    fn blocks_for(kind: RequestKind, lang: Language, org: &OrganisationRow) -> Vec<Block> {
        let forms = Forms::embedded().unwrap();
        let letters = Letters::embedded().unwrap();
        let input = PaperFormInput {
            forms: &forms,
            kind,
            lang,
            org,
            registers: &[],
            now: chrono::Utc::now(),
        };
        document(&letters, &input).blocks
    }

    fn field_labels(blocks: &[Block]) -> Vec<&str> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Field(f) => Some(f.label.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn sections_follow_the_web_form_and_only_the_person_has_required_marks() {
        let blocks = blocks_for(RequestKind::Access, Language::Fi, &org(None));
        let headings: Vec<&str> = blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some(h.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            headings,
            [
                "Pyyntösi",
                "Ketä pyyntö koskee",
                "Jos teet pyynnön toisen puolesta",
                "Mitä seuraavaksi tapahtuu",
                "Lomakkeen palauttaminen",
                "Päiväys ja allekirjoitus",
            ]
        );
        let labels = field_labels(&blocks);
        assert!(labels.contains(&"Mitä tietoja pyydät? *"), "{labels:?}");
        assert!(labels.contains(&"Nimi *"));
        // The representative section is optional as a whole.
        assert!(labels.contains(&"Edustajan nimi"));
        // Without registers there is nothing to choose; without an address, hand it in.
        assert!(!labels.contains(&"Mitä rekistereitä pyyntö koskee?"));
        assert!(blocks.contains(&Block::Paragraph(
            "Anna allekirjoitettu lomake toimipisteen työntekijälle.".into()
        )));
    }

    #[test]
    fn each_field_type_gets_its_own_space() {
        let blocks = blocks_for(
            RequestKind::LogInspection,
            Language::Sv,
            &org(Some("Satamakatu 1\n00100 Helsinki")),
        );
        let space = |label: &str| {
            blocks
                .iter()
                .find_map(|b| match b {
                    Block::Field(f) if f.label.starts_with(label) => Some(f.space.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("no field {label}"))
        };
        assert_eq!(space("Periodens början"), Space::Date("dd.mm.åååå".into()));
        assert_eq!(space("Namn"), Space::Lines(1));
        assert_eq!(space("Postadress"), Space::Lines(3));
        assert_eq!(space("Särskilt skäl"), Space::Lines(6));
        assert_eq!(space("Jag har spärrmarkering"), Space::Tick);
        assert!(
            matches!(space("Hur vill du att vi kontaktar dig?"), Space::Choices(o) if o.len() == 4)
        );
        // The return address is printed line by line, as on an envelope.
        assert!(blocks.contains(&Block::Paragraph(
            "Turvakoti Satama ry\u{2028}Satamakatu 1\u{2028}00100 Helsinki".into()
        )));
    }

    #[test]
    fn a_list_gets_numbered_copies_of_its_item_fields() {
        let blocks = blocks_for(RequestKind::Rectification, Language::En, &org(None));
        let labels = field_labels(&blocks);
        let wrong: Vec<&&str> = labels
            .iter()
            .filter(|l| l.starts_with("What is wrong?"))
            .collect();
        // The first copy carries the required mark; the second may stay empty.
        assert_eq!(wrong, [&"What is wrong? *", &"What is wrong?"]);
        for n in ["Item 1", "Item 2"] {
            assert!(blocks.contains(&Block::Subheading(n.into())), "{n}");
        }
    }
}
