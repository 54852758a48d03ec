//! Working-day calendar for legal deadlines (legal.md §2).
//!
//! Holidays are data (`config/calendar-fi.toml`), so an organisation can extend the default
//! list without a code change; only Saturdays and Sundays are fixed in code.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

/// Upper bound on holiday rules: keeps at least ~60 weekdays open in every year, so
/// `roll_forward` always terminates.
const MAX_HOLIDAYS: usize = 200;
/// Easter falls on 22.3-25.4, so these offsets keep every Easter-based day in the same year.
const EASTER_OFFSET_MIN: i64 = -80;
const EASTER_OFFSET_MAX: i64 = 250;

#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    // The toml error carries the line and column of the bad entry.
    #[error("calendar is not valid: {0}")]
    Toml(String),
    #[error("holiday entry {index} ({name}): {reason}")]
    Holiday {
        /// 1-based position in the file.
        index: usize,
        name: String,
        reason: String,
    },
    #[error("closed_days entry {index}: {reason}")]
    ClosedDay {
        /// 1-based position in the list.
        index: usize,
        reason: String,
    },
    #[error("calendar has {count} holiday entries; at most {MAX_HOLIDAYS} are allowed")]
    TooManyHolidays { count: usize },
}

/// Easter Sunday in the Gregorian calendar (anonymous / Meeus-Jones-Butcher algorithm).
/// Years outside chrono's range saturate to `NaiveDate::MIN`/`MAX`.
pub fn easter_sunday(year: i32) -> NaiveDate {
    // Euclidean division keeps the algorithm valid for proleptic years before 1.
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // month is 3 or 4 and day 1..=31 by construction; only the year can be out of range.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(if year < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    Fixed {
        month: u32,
        day: u32,
    },
    Easter {
        offset: i64,
    },
    WeekdayOnOrAfter {
        month: u32,
        day: u32,
        weekday: Weekday,
    },
}

impl Rule {
    /// The day this rule gives in `year`; `easter` is that year's Easter Sunday.
    fn date_in(self, year: i32, easter: NaiveDate) -> Option<NaiveDate> {
        match self {
            Rule::Fixed { month, day } => NaiveDate::from_ymd_opt(year, month, day),
            Rule::Easter { offset } => {
                if offset >= 0 {
                    easter.checked_add_days(Days::new(offset.unsigned_abs()))
                } else {
                    easter.checked_sub_days(Days::new(offset.unsigned_abs()))
                }
            }
            Rule::WeekdayOnOrAfter {
                month,
                day,
                weekday,
            } => {
                let start = NaiveDate::from_ymd_opt(year, month, day)?;
                let ahead = (7 + weekday.num_days_from_monday()
                    - start.weekday().num_days_from_monday())
                    % 7;
                start.checked_add_days(Days::new(u64::from(ahead)))
            }
        }
    }
}

#[derive(Clone, Debug)]
struct Holiday {
    rule: Rule,
    name_fi: String,
    name_sv: Option<String>,
    name_en: Option<String>,
}

impl Holiday {
    fn name(&self, lang: &str) -> &str {
        let lang = lang.get(..2).unwrap_or(lang).to_ascii_lowercase();
        let localized = match lang.as_str() {
            "sv" => self.name_sv.as_deref(),
            "en" => self.name_en.as_deref(),
            _ => None,
        };
        localized.unwrap_or(&self.name_fi)
    }
}

/// Non-working days: weekends, holiday rules from the calendar file, and extra closed dates.
#[derive(Clone, Debug)]
pub struct Calendar {
    holidays: Vec<Holiday>,
    closed: BTreeSet<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(default)]
    holiday: Vec<RawHoliday>,
    #[serde(default)]
    closed_days: Vec<toml::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    rule: String,
    month: Option<u32>,
    day: Option<u32>,
    weekday: Option<String>,
    offset: Option<i64>,
    name_fi: Option<String>,
    name_sv: Option<String>,
    name_en: Option<String>,
}

impl RawHoliday {
    fn into_holiday(self) -> Result<Holiday, String> {
        let name_fi = match self.name_fi {
            Some(n) if !n.trim().is_empty() => n,
            _ => return Err("name_fi is required".into()),
        };
        let non_empty = |n: Option<String>| n.filter(|n| !n.trim().is_empty());
        let rule = match self.rule.as_str() {
            "fixed" => {
                if self.offset.is_some() || self.weekday.is_some() {
                    return Err("rule \"fixed\" takes only month and day".into());
                }
                let (month, day) = month_day(self.month, self.day)?;
                Rule::Fixed { month, day }
            }
            "easter" => {
                if self.month.is_some() || self.day.is_some() || self.weekday.is_some() {
                    return Err("rule \"easter\" takes only offset".into());
                }
                let offset = self
                    .offset
                    .ok_or("rule \"easter\" needs offset (days from Easter Sunday)")?;
                if !(EASTER_OFFSET_MIN..=EASTER_OFFSET_MAX).contains(&offset) {
                    return Err(format!(
                        "offset {offset} is outside {EASTER_OFFSET_MIN}..={EASTER_OFFSET_MAX} \
                         (the day must stay in Easter's year)"
                    ));
                }
                Rule::Easter { offset }
            }
            "weekday_on_or_after" => {
                if self.offset.is_some() {
                    return Err("rule \"weekday_on_or_after\" takes no offset".into());
                }
                let (month, day) = month_day(self.month, self.day)?;
                if (month, day) == (2, 29) {
                    return Err("the start day must exist in every year (not 29.2)".into());
                }
                if (month, day) > (12, 25) {
                    return Err(
                        "the start day must be 25.12 or earlier so the day stays in \
                                the same year"
                            .into(),
                    );
                }
                let weekday = self
                    .weekday
                    .ok_or("rule \"weekday_on_or_after\" needs weekday (\"mon\"..\"sun\")")?;
                let weekday = weekday
                    .parse::<Weekday>()
                    .map_err(|_| format!("unknown weekday \"{weekday}\" (use \"mon\"..\"sun\")"))?;
                Rule::WeekdayOnOrAfter {
                    month,
                    day,
                    weekday,
                }
            }
            other => {
                let known = "\"fixed\", \"easter\" or \"weekday_on_or_after\"";
                return Err(format!("unknown rule \"{other}\" (use {known})"));
            }
        };
        Ok(Holiday {
            rule,
            name_fi,
            name_sv: non_empty(self.name_sv),
            name_en: non_empty(self.name_en),
        })
    }
}

fn month_day(month: Option<u32>, day: Option<u32>) -> Result<(u32, u32), String> {
    let (Some(month), Some(day)) = (month, day) else {
        return Err("month and day are required".into());
    };
    // 2000 is a leap year, so 29.2 is accepted (it then applies in leap years only).
    if NaiveDate::from_ymd_opt(2000, month, day).is_none() {
        return Err(format!("{day}.{month} is not a calendar date"));
    }
    Ok((month, day))
}

fn closed_day(value: &toml::Value) -> Result<NaiveDate, String> {
    match value {
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .ok_or_else(|| format!("{dt} is not a calendar date"))
            }
            _ => Err(format!("{dt} must be a plain date such as 2025-12-24")),
        },
        toml::Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| format!("\"{s}\" is not a date such as 2025-12-24")),
        other => Err(format!(
            "expected a date such as 2025-12-24, found a {}",
            other.type_str()
        )),
    }
}

impl Calendar {
    /// Parses a calendar file; see `config/calendar-fi.toml` for the format.
    pub fn from_toml(src: &str) -> Result<Calendar, CalendarError> {
        let raw: RawCalendar =
            toml::from_str(src).map_err(|e| CalendarError::Toml(e.to_string()))?;
        if raw.holiday.len() > MAX_HOLIDAYS {
            return Err(CalendarError::TooManyHolidays {
                count: raw.holiday.len(),
            });
        }
        let mut holidays = Vec::with_capacity(raw.holiday.len());
        for (i, h) in raw.holiday.into_iter().enumerate() {
            let name = h
                .name_fi
                .clone()
                .unwrap_or_else(|| "without name_fi".to_string());
            let holiday = h.into_holiday().map_err(|reason| CalendarError::Holiday {
                index: i + 1,
                name,
                reason,
            })?;
            holidays.push(holiday);
        }
        let mut closed = BTreeSet::new();
        for (i, v) in raw.closed_days.iter().enumerate() {
            let d = closed_day(v).map_err(|reason| CalendarError::ClosedDay {
                index: i + 1,
                reason,
            })?;
            closed.insert(d);
        }
        Ok(Calendar { holidays, closed })
    }

    /// The default list of legal.md §2 (EU e-justice list for Finland).
    pub fn finnish_default() -> Calendar {
        // The file is compiled in and covered by tests, so a parse failure is a build bug.
        Calendar::from_toml(include_str!("../../config/calendar-fi.toml"))
            .expect("config/calendar-fi.toml is valid")
    }

    /// Adds organisation-specific closed dates (e.g. Christmas Eve, office closures).
    pub fn with_extra_closed_days(mut self, days: impl IntoIterator<Item = NaiveDate>) -> Calendar {
        self.closed.extend(days);
        self
    }

    /// Extra closed dates (from the file and `with_extra_closed_days`), ascending.
    pub fn extra_closed_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.closed.iter().copied()
    }

    fn holidays_on(&self, d: NaiveDate) -> impl Iterator<Item = &Holiday> + '_ {
        let year = d.year();
        let easter = easter_sunday(year);
        self.holidays
            .iter()
            .filter(move |h| h.rule.date_in(year, easter) == Some(d))
    }

    /// False on Saturdays, Sundays, holidays and extra closed days.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
            && !self.closed.contains(&d)
            && self.holidays_on(d).next().is_none()
    }

    /// Holiday name in `lang` ("fi", "sv", "en"; others get Finnish). Two holidays on one
    /// day (e.g. 1.5 and Ascension in 2008) are joined with " / ". Extra closed days have
    /// no name.
    pub fn holiday_name(&self, d: NaiveDate, lang: &str) -> Option<String> {
        let mut names = self.holidays_on(d).map(|h| h.name(lang));
        let first = names.next()?.to_string();
        Some(names.fold(first, |mut acc, n| {
            acc.push_str(" / ");
            acc.push_str(n);
            acc
        }))
    }

    /// Holidays from the rules (not extra closed days) with Finnish names, by date.
    pub fn holidays_in_year(&self, year: i32) -> Vec<(NaiveDate, String)> {
        let easter = easter_sunday(year);
        let mut out: Vec<(NaiveDate, String)> = self
            .holidays
            .iter()
            .filter_map(|h| Some((h.rule.date_in(year, easter)?, h.name_fi.clone())))
            .collect();
        // Stable: same-day holidays keep file order.
        out.sort_by_key(|(d, _)| *d);
        out
    }

    /// `d` if it is a working day, else the next working day. Never goes backwards.
    pub fn roll_forward(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        while !self.is_working_day(day) {
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn easter_2024_to_2030() {
        let expected = [
            (2024, date(2024, 3, 31)),
            (2025, date(2025, 4, 20)),
            (2026, date(2026, 4, 5)),
            (2027, date(2027, 3, 28)),
            (2028, date(2028, 4, 16)),
            (2029, date(2029, 4, 1)),
            (2030, date(2030, 4, 21)),
        ];
        for (year, easter) in expected {
            assert_eq!(easter_sunday(year), easter, "{year}");
        }
    }

    #[test]
    fn easter_extremes_and_always_sunday() {
        // Earliest and latest possible Gregorian Easter dates.
        assert_eq!(easter_sunday(1818), date(1818, 3, 22));
        assert_eq!(easter_sunday(2285), date(2285, 3, 22));
        assert_eq!(easter_sunday(1943), date(1943, 4, 25));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
        for y in 1583..=2600 {
            let e = easter_sunday(y);
            assert_eq!(e.weekday(), Weekday::Sun, "{y}");
            assert!(e >= date(y, 3, 22) && e <= date(y, 4, 25), "{y}");
        }
    }

    #[test]
    fn default_calendar_parses_with_fourteen_rules() {
        let cal = Calendar::finnish_default();
        assert_eq!(cal.holidays.len(), 14);
        assert_eq!(cal.extra_closed_days().count(), 0);
    }

    #[test]
    fn holidays_2026_complete() {
        let cal = Calendar::finnish_default();
        let got = cal.holidays_in_year(2026);
        let expected = [
            (date(2026, 1, 1), "Uudenvuodenpäivä"),
            (date(2026, 1, 6), "Loppiainen"),
            (date(2026, 4, 3), "Pitkäperjantai"),
            (date(2026, 4, 5), "Pääsiäispäivä"),
            (date(2026, 4, 6), "2. pääsiäispäivä"),
            (date(2026, 5, 1), "Vappu"),
            (date(2026, 5, 14), "Helatorstai"),
            (date(2026, 5, 24), "Helluntaipäivä"),
            (date(2026, 6, 19), "Juhannusaatto"),
            (date(2026, 6, 20), "Juhannuspäivä"),
            (date(2026, 10, 31), "Pyhäinpäivä"),
            (date(2026, 12, 6), "Itsenäisyyspäivä"),
            (date(2026, 12, 25), "Joulupäivä"),
            (date(2026, 12, 26), "Tapaninpäivä"),
        ];
        let expected: Vec<(NaiveDate, String)> =
            expected.iter().map(|(d, n)| (*d, n.to_string())).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn movable_holidays_2024_to_2030() {
        let cal = Calendar::finnish_default();
        // (year, Good Friday, Ascension, Pentecost, Midsummer Eve, Midsummer Day, All Saints)
        let table = [
            (2024, (3, 29), (5, 9), (5, 19), (6, 21), (6, 22), (11, 2)),
            (2025, (4, 18), (5, 29), (6, 8), (6, 20), (6, 21), (11, 1)),
            (2026, (4, 3), (5, 14), (5, 24), (6, 19), (6, 20), (10, 31)),
            (2027, (3, 26), (5, 6), (5, 16), (6, 25), (6, 26), (11, 6)),
            (2028, (4, 14), (5, 25), (6, 4), (6, 23), (6, 24), (11, 4)),
            (2029, (3, 30), (5, 10), (5, 20), (6, 22), (6, 23), (11, 3)),
            (2030, (4, 19), (5, 30), (6, 9), (6, 21), (6, 22), (11, 2)),
        ];
        for (y, gf, asc, pent, me, md, asd) in table {
            let names: Vec<(NaiveDate, String)> = cal.holidays_in_year(y);
            let has = |(m, d): (u32, u32), name: &str| {
                assert!(
                    names.contains(&(date(y, m, d), name.to_string())),
                    "{name} {d}.{m}.{y}"
                );
            };
            has(gf, "Pitkäperjantai");
            has(asc, "Helatorstai");
            has(pent, "Helluntaipäivä");
            has(me, "Juhannusaatto");
            has(md, "Juhannuspäivä");
            has(asd, "Pyhäinpäivä");
            assert_eq!(names.len(), 14, "{y}");
        }
    }

    #[test]
    fn working_days() {
        let cal = Calendar::finnish_default();
        assert!(cal.is_working_day(date(2025, 4, 17))); // Maundy Thursday
        assert!(!cal.is_working_day(date(2025, 4, 18))); // Good Friday
        assert!(!cal.is_working_day(date(2025, 4, 21))); // Easter Monday
        assert!(!cal.is_working_day(date(2025, 4, 5))); // Saturday
        assert!(!cal.is_working_day(date(2025, 4, 6))); // Sunday
        assert!(cal.is_working_day(date(2025, 12, 24))); // Christmas Eve is not on the list
        assert!(!cal.is_working_day(date(2025, 12, 25)));
        assert!(!cal.is_working_day(date(2025, 12, 26)));
        assert!(!cal.is_working_day(date(2025, 5, 1)));
        assert!(!cal.is_working_day(date(2025, 6, 20))); // Midsummer Eve, a Friday
        assert!(cal.is_working_day(date(2025, 6, 19)));
    }

    #[test]
    fn holiday_names_by_language() {
        let cal = Calendar::finnish_default();
        let gf = date(2025, 4, 18);
        assert_eq!(
            cal.holiday_name(gf, "fi").as_deref(),
            Some("Pitkäperjantai")
        );
        assert_eq!(cal.holiday_name(gf, "sv").as_deref(), Some("Långfredagen"));
        assert_eq!(cal.holiday_name(gf, "en").as_deref(), Some("Good Friday"));
        assert_eq!(
            cal.holiday_name(gf, "sv-FI").as_deref(),
            Some("Långfredagen")
        );
        assert_eq!(
            cal.holiday_name(gf, "de").as_deref(),
            Some("Pitkäperjantai")
        );
        assert_eq!(cal.holiday_name(gf, "").as_deref(), Some("Pitkäperjantai"));
        assert_eq!(cal.holiday_name(date(2025, 4, 17), "fi"), None);
        // A plain Saturday is not a holiday.
        assert_eq!(cal.holiday_name(date(2025, 4, 5), "fi"), None);
    }

    #[test]
    fn two_holidays_on_one_day_are_joined() {
        // 2008: Easter 23.3, so Ascension fell on 1.5.
        let cal = Calendar::finnish_default();
        assert_eq!(
            cal.holiday_name(date(2008, 5, 1), "en").as_deref(),
            Some("May Day / Ascension Day")
        );
        let list = cal.holidays_in_year(2008);
        assert_eq!(list.len(), 14);
        assert_eq!(list[5], (date(2008, 5, 1), "Vappu".to_string()));
        assert_eq!(list[6], (date(2008, 5, 1), "Helatorstai".to_string()));
    }

    #[test]
    fn extra_closed_days() {
        let eve = date(2025, 12, 24);
        let cal = Calendar::finnish_default().with_extra_closed_days([eve, date(2025, 7, 14)]);
        assert!(!cal.is_working_day(eve));
        assert!(!cal.is_working_day(date(2025, 7, 14)));
        assert!(cal.is_working_day(date(2025, 7, 15)));
        assert_eq!(cal.holiday_name(eve, "fi"), None);
        // 24.12 closed, 25-26.12 holidays, 27-28.12 weekend.
        assert_eq!(cal.roll_forward(eve), date(2025, 12, 29));
        assert_eq!(cal.holidays_in_year(2025).len(), 14);
        // The default calendar is untouched.
        assert!(Calendar::finnish_default().is_working_day(eve));
    }

    #[test]
    fn roll_forward_never_backwards() {
        let cal = Calendar::finnish_default();
        assert_eq!(cal.roll_forward(date(2025, 4, 17)), date(2025, 4, 17));
        assert_eq!(cal.roll_forward(date(2025, 4, 18)), date(2025, 4, 22));
        assert_eq!(cal.roll_forward(date(2025, 12, 25)), date(2025, 12, 29));
        assert_eq!(cal.roll_forward(date(2026, 12, 31)), date(2026, 12, 31));
        assert_eq!(cal.roll_forward(date(2027, 1, 1)), date(2027, 1, 4));
        for d in date(2024, 1, 1).iter_days().take(366 * 7) {
            let r = cal.roll_forward(d);
            assert!(r >= d && cal.is_working_day(r), "{d}");
            assert!((r - d).num_days() <= 5, "{d}");
        }
    }

    #[test]
    fn custom_calendar_with_christmas_eve_rule_and_closed_days() {
        let src = r#"
            closed_days = [2025-07-14, "2025-07-15"]

            [[holiday]]
            rule = "fixed"
            month = 12
            day = 24
            name_fi = "Jouluaatto"

            [[holiday]]
            rule = "weekday_on_or_after"
            month = 6
            day = 19
            weekday = "Friday"
            name_fi = "Juhannusaatto"
            name_en = "Midsummer Eve"
        "#;
        let cal = Calendar::from_toml(src).unwrap();
        assert!(!cal.is_working_day(date(2025, 12, 24)));
        assert!(!cal.is_working_day(date(2025, 7, 15)));
        // 25.12 is not in this calendar.
        assert!(cal.is_working_day(date(2025, 12, 25)));
        // Missing translations fall back to Finnish.
        assert_eq!(
            cal.holiday_name(date(2025, 12, 24), "sv").as_deref(),
            Some("Jouluaatto")
        );
        assert_eq!(
            cal.holiday_name(date(2025, 6, 20), "en").as_deref(),
            Some("Midsummer Eve")
        );
    }

    #[test]
    fn empty_calendar_has_only_weekends() {
        let cal = Calendar::from_toml("").unwrap();
        assert!(cal.is_working_day(date(2025, 12, 25)));
        assert!(!cal.is_working_day(date(2025, 12, 27)));
    }

    #[test]
    fn leap_day_rule_applies_in_leap_years_only() {
        let src =
            "[[holiday]]\nrule = \"fixed\"\nmonth = 2\nday = 29\nname_fi = \"Karkauspäivä\"\n";
        let cal = Calendar::from_toml(src).unwrap();
        assert_eq!(cal.holidays_in_year(2024).len(), 1);
        assert!(cal.holidays_in_year(2025).is_empty());
    }

    fn err(src: &str) -> String {
        Calendar::from_toml(src).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_the_entry() {
        let ok = "[[holiday]]\nrule = \"fixed\"\nmonth = 1\nday = 1\nname_fi = \"A\"\n";
        let e = err(&format!(
            "{ok}[[holiday]]\nrule = \"fixed\"\nmonth = 2\nday = 30\nname_fi = \"B\"\n"
        ));
        assert_eq!(e, "holiday entry 2 (B): 30.2 is not a calendar date");

        let e = err("[[holiday]]\nrule = \"easter\"\nname_fi = \"E\"\n");
        assert!(
            e.starts_with("holiday entry 1 (E): rule \"easter\" needs offset"),
            "{e}"
        );

        let e = err("[[holiday]]\nrule = \"easter\"\noffset = 300\nname_fi = \"E\"\n");
        assert!(e.contains("offset 300 is outside"), "{e}");

        let e = err("[[holiday]]\nrule = \"lunar\"\nname_fi = \"L\"\n");
        assert!(e.contains("unknown rule \"lunar\""), "{e}");

        let e = err("[[holiday]]\nrule = \"fixed\"\nmonth = 1\nday = 1\n");
        assert_eq!(e, "holiday entry 1 (without name_fi): name_fi is required");

        let e = err(
            "[[holiday]]\nrule = \"weekday_on_or_after\"\nmonth = 6\nday = 19\n\
             weekday = \"fry\"\nname_fi = \"J\"\n",
        );
        assert!(e.contains("unknown weekday \"fry\""), "{e}");

        let e = err(
            "[[holiday]]\nrule = \"weekday_on_or_after\"\nmonth = 12\nday = 28\n\
             weekday = \"fri\"\nname_fi = \"J\"\n",
        );
        assert!(e.contains("25.12 or earlier"), "{e}");

        let e =
            err("[[holiday]]\nrule = \"fixed\"\nmonth = 1\nday = 1\noffset = 3\nname_fi = \"F\"\n");
        assert!(e.contains("takes only month and day"), "{e}");

        let e = err("closed_days = [2025-12-24, \"24.12.2025\"]");
        assert!(e.starts_with("closed_days entry 2:"), "{e}");

        let e = err("closed_days = [2025-12-24T10:00:00]");
        assert!(e.starts_with("closed_days entry 1:"), "{e}");
    }

    #[test]
    fn unknown_fields_are_rejected_with_location() {
        let e = err("[[holiday]]\nrule = \"fixed\"\nmonth = 1\ndy = 1\nname_fi = \"A\"\n");
        assert!(e.contains("dy"), "{e}");
        assert!(e.contains("line 4") || e.contains("4 |"), "{e}");
        let e = err("holidays = []");
        assert!(e.contains("holidays"), "{e}");
    }

    #[test]
    fn too_many_holidays() {
        let one = "[[holiday]]\nrule = \"fixed\"\nmonth = 3\nday = 3\nname_fi = \"X\"\n";
        let e = err(&one.repeat(MAX_HOLIDAYS + 1));
        assert!(e.contains("at most 200"), "{e}");
    }
}
