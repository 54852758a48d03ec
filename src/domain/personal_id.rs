//! Finnish personal identity code (henkilötunnus) DDMMYYCZZZQ (legal.md §3, dvv.fi).
//!
//! The code is personal data: nothing here prints it. `Debug` is masked, there is no
//! `Display`, and error messages never echo the input.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::codes::FieldCode;

const CHECK_CHARS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonalIdError {
    #[error("a personal identity code has 11 characters (DDMMYYCZZZQ)")]
    WrongLength,
    #[error("the personal identity code does not contain a valid date of birth")]
    BadDate,
    #[error(
        "the century sign of the personal identity code is unknown (expected + - Y X W V U A B C D E F)"
    )]
    UnknownCenturySign,
    #[error("the individual number of the personal identity code must be 002-999")]
    BadIndividualNumber,
    #[error("the check character of the personal identity code does not match")]
    BadCheckCharacter,
    #[error("the personal identity code contains characters that are not allowed")]
    BadCharacters,
}

impl PersonalIdError {
    /// Stable machine-readable code for the API.
    pub fn code(&self) -> FieldCode {
        match self {
            PersonalIdError::WrongLength => FieldCode::PersonalIdWrongLength,
            PersonalIdError::BadDate => FieldCode::PersonalIdBadDate,
            PersonalIdError::UnknownCenturySign => FieldCode::PersonalIdUnknownCenturySign,
            PersonalIdError::BadIndividualNumber => FieldCode::PersonalIdBadIndividualNumber,
            PersonalIdError::BadCheckCharacter => FieldCode::PersonalIdBadCheckCharacter,
            PersonalIdError::BadCharacters => FieldCode::PersonalIdBadCharacters,
        }
    }
}

/// A validated identity code, all 11 characters, uppercase. Since 2023 the century sign is
/// part of the identity (010594Y9032 and 010594-9032 may be different people), so codes are
/// compared as stored and the sign is never canonicalised.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonalId(String);

impl std::fmt::Debug for PersonalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonalId(***)")
    }
}

fn century(sign: u8) -> Option<i32> {
    match sign {
        b'+' => Some(1800),
        b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => Some(1900),
        b'A'..=b'F' => Some(2000),
        _ => None,
    }
}

fn digits(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .fold(0, |acc, b| acc * 10 + u32::from(b.wrapping_sub(b'0')))
}

/// Birth date of an 11-byte code whose digit positions are already checked.
fn birth_date_of(code: &[u8]) -> Option<NaiveDate> {
    let year = century(code[6])? + digits(&code[4..6]) as i32;
    NaiveDate::from_ymd_opt(year, digits(&code[2..4]), digits(&code[0..2]))
}

impl PersonalId {
    /// Validates a code; surrounding whitespace is ignored and letters are uppercased.
    pub fn parse(input: &str) -> Result<PersonalId, PersonalIdError> {
        let code = input.trim().to_ascii_uppercase();
        if code.chars().count() != 11 {
            return Err(PersonalIdError::WrongLength);
        }
        if !code.is_ascii() {
            return Err(PersonalIdError::BadCharacters);
        }
        let b = code.as_bytes();
        let digits_ok = b[0..6].iter().chain(&b[7..10]).all(u8::is_ascii_digit);
        if !digits_ok || !b[10].is_ascii_alphanumeric() {
            return Err(PersonalIdError::BadCharacters);
        }
        if century(b[6]).is_none() {
            return Err(PersonalIdError::UnknownCenturySign);
        }
        if birth_date_of(b).is_none() {
            return Err(PersonalIdError::BadDate);
        }
        if digits(&b[7..10]) < 2 {
            return Err(PersonalIdError::BadIndividualNumber);
        }
        let number = digits(&b[0..6]) * 1000 + digits(&b[7..10]);
        if CHECK_CHARS[(number % 31) as usize] != b[10] {
            return Err(PersonalIdError::BadCheckCharacter);
        }
        Ok(PersonalId(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        // Validated in `parse`, so the fallback is unreachable.
        birth_date_of(self.0.as_bytes()).unwrap_or(NaiveDate::MIN)
    }

    /// Individual numbers 900-999 are temporary codes.
    pub fn is_temporary(&self) -> bool {
        digits(&self.0.as_bytes()[7..10]) >= 900
    }

    pub fn age_on(&self, d: NaiveDate) -> u32 {
        age_on(self.birth_date(), d)
    }
}

/// Completed years on `on`; 0 before birth. Someone born on 29.2 gets a year older on 1.3
/// in common years.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on <= birth {
        return 0;
    }
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

impl Serialize for PersonalId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PersonalId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        PersonalId::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn err(s: &str) -> PersonalIdError {
        PersonalId::parse(s).unwrap_err()
    }

    #[test]
    fn valid_examples_from_dvv() {
        // (code, birth date, temporary); check characters computed with Python.
        let cases = [
            ("131052-308T", date(1952, 10, 13), false),
            ("010594Y9032", date(1994, 5, 1), true),
            ("020594X903P", date(1994, 5, 2), true),
            ("010516B903X", date(2016, 5, 1), true),
            ("150898+002F", date(1898, 8, 15), false),
            ("290296+1232", date(1896, 2, 29), false),
            ("010100U077X", date(1900, 1, 1), false),
            ("311299F234S", date(2099, 12, 31), false),
            ("010101A002S", date(2001, 1, 1), false),
            ("010101A899P", date(2001, 1, 1), false),
            ("010101A900R", date(2001, 1, 1), true),
            ("010101A999X", date(2001, 1, 1), true),
            ("280298-135A", date(1998, 2, 28), false),
        ];
        for (code, birth, temporary) in cases {
            let id = PersonalId::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(id.as_str(), code);
            assert_eq!(id.birth_date(), birth, "{code}");
            assert_eq!(id.is_temporary(), temporary, "{code}");
        }
    }

    #[test]
    fn leap_days() {
        // 2000 is leap, 1900 and 2001 are not.
        assert_eq!(
            PersonalId::parse("290200A4561").unwrap().birth_date(),
            date(2000, 2, 29)
        );
        assert_eq!(err("290200-4561"), PersonalIdError::BadDate);
        assert_eq!(err("290201A4569"), PersonalIdError::BadDate);
    }

    #[test]
    fn invalid_codes() {
        assert_eq!(err("131052-308U"), PersonalIdError::BadCheckCharacter);
        assert_eq!(err("131052-308G"), PersonalIdError::BadCheckCharacter);
        assert_eq!(err("310225A0024"), PersonalIdError::BadDate);
        assert_eq!(err("001052-308T"), PersonalIdError::BadDate);
        assert_eq!(err("131352-308T"), PersonalIdError::BadDate);
        assert_eq!(err("131052Z308T"), PersonalIdError::UnknownCenturySign);
        assert_eq!(err("13105203080"), PersonalIdError::UnknownCenturySign);
        assert_eq!(err("010101A000P"), PersonalIdError::BadIndividualNumber);
        assert_eq!(err("010101A001R"), PersonalIdError::BadIndividualNumber);
        assert_eq!(err("131052-308"), PersonalIdError::WrongLength);
        assert_eq!(err("131052-308TT"), PersonalIdError::WrongLength);
        assert_eq!(err(""), PersonalIdError::WrongLength);
        assert_eq!(err("131052-3O8T"), PersonalIdError::BadCharacters);
        assert_eq!(err("13105_-308T"), PersonalIdError::BadCharacters);
        assert_eq!(err("131052-308*"), PersonalIdError::BadCharacters);
        // An en dash instead of a hyphen: 11 characters, not ASCII.
        assert_eq!(err("131052\u{2013}308T"), PersonalIdError::BadCharacters);
    }

    #[test]
    fn normalises_case_and_whitespace() {
        assert_eq!(
            PersonalId::parse("131052-308t").unwrap().as_str(),
            "131052-308T"
        );
        assert_eq!(
            PersonalId::parse("010594y9032").unwrap().as_str(),
            "010594Y9032"
        );
        assert_eq!(
            PersonalId::parse("  010516b903x \n").unwrap().as_str(),
            "010516B903X"
        );
    }

    #[test]
    fn century_sign_is_part_of_identity() {
        // Same digits, different sign: different people since 2023.
        let a = PersonalId::parse("020594X903P").unwrap();
        let b = PersonalId::parse("020594-903P").unwrap();
        assert_ne!(a, b);
        assert_eq!(a.birth_date(), b.birth_date());
        assert_eq!(a, PersonalId::parse("020594x903p").unwrap());
    }

    #[test]
    fn debug_is_masked_and_errors_do_not_echo() {
        let id = PersonalId::parse("131052-308T").unwrap();
        assert_eq!(format!("{id:?}"), "PersonalId(***)");
        assert_eq!(format!("{:?}", Some(&id)), "Some(PersonalId(***))");
        for input in [
            "131052-308U",
            "131052Z308T",
            "310225A0024",
            "010101A000P",
            "1310",
        ] {
            let e = err(input);
            let msg = format!("{e} {e:?}");
            assert!(!msg.contains(input), "{msg}");
            assert!(!msg.contains("1310"), "{msg}");
        }
    }

    #[test]
    fn error_codes() {
        let all = [
            (PersonalIdError::WrongLength, "personal_id_wrong_length"),
            (PersonalIdError::BadDate, "personal_id_bad_date"),
            (
                PersonalIdError::UnknownCenturySign,
                "personal_id_unknown_century_sign",
            ),
            (
                PersonalIdError::BadIndividualNumber,
                "personal_id_bad_individual_number",
            ),
            (
                PersonalIdError::BadCheckCharacter,
                "personal_id_bad_check_character",
            ),
            (PersonalIdError::BadCharacters, "personal_id_bad_characters"),
        ];
        for (e, code) in all {
            assert_eq!(e.code().as_str(), code);
        }
    }

    #[test]
    fn ages() {
        let id = PersonalId::parse("150580-2469").unwrap();
        assert_eq!(id.age_on(date(2025, 5, 14)), 44);
        assert_eq!(id.age_on(date(2025, 5, 15)), 45);
        assert_eq!(id.age_on(date(1980, 5, 15)), 0);
        assert_eq!(id.age_on(date(1970, 1, 1)), 0);
        let leap = PersonalId::parse("290204A311C").unwrap();
        assert_eq!(leap.age_on(date(2024, 2, 28)), 19);
        assert_eq!(leap.age_on(date(2024, 2, 29)), 20);
        assert_eq!(leap.age_on(date(2025, 2, 28)), 20);
        assert_eq!(leap.age_on(date(2025, 3, 1)), 21);
        assert_eq!(age_on(date(2007, 12, 31), date(2025, 12, 30)), 17);
        assert_eq!(age_on(date(2007, 12, 31), date(2025, 12, 31)), 18);
    }

    #[derive(Debug, Serialize, Deserialize)]
    struct Wrapper {
        id: PersonalId,
    }

    #[test]
    fn serde_round_trip() {
        let w = Wrapper {
            id: PersonalId::parse("010594Y9032").unwrap(),
        };
        let s = toml::to_string(&w).unwrap();
        assert_eq!(s, "id = \"010594Y9032\"\n");
        let back: Wrapper = toml::from_str("id = \" 010594y9032\"").unwrap();
        assert_eq!(back.id, w.id);
        let bad = toml::from_str::<Wrapper>("id = \"010594Y9033\"").unwrap_err();
        assert!(
            bad.to_string()
                .contains("check character of the personal identity code does not match"),
            "{bad}"
        );
    }
}
