//! Retention periods of client records (`config/retention.toml`), used to tell staff when an
//! erasure request meets a record the law still requires to be kept (GDPR Art 17(3)(b)).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::texts::Texts;

/// The event a retention period runs from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetentionStart {
    CaseClosed,
    Death,
    ChildBirth,
    RecordDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    pub code: String,
    pub years: u32,
    pub start: RetentionStart,
    /// Whether the archival sampling rule (born on the 8th, 18th, 28th) keeps it forever.
    #[serde(default)]
    pub sampling: bool,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub name: Option<Texts>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionFile {
    sampling_days: Vec<u32>,
    category: Vec<RetentionRule>,
}

#[derive(Debug, Clone)]
pub struct RetentionRules {
    sampling_days: Vec<u32>,
    categories: Vec<RetentionRule>,
}

/// What the rules say about one record on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetentionVerdict {
    /// No rule or no start date known: staff decide.
    Unknown,
    /// Kept until (and including) this date; erasure may be refused until then.
    KeptUntil(NaiveDate),
    /// Kept permanently under the archival sampling rule.
    Permanent,
    /// The period has ended; nothing in the retention rules prevents erasure.
    Ended(NaiveDate),
}

const EMBEDDED: &str = include_str!("../../config/retention.toml");

impl RetentionRules {
    pub fn embedded() -> anyhow::Result<RetentionRules> {
        RetentionRules::from_toml(EMBEDDED)
    }

    pub fn from_toml(src: &str) -> anyhow::Result<RetentionRules> {
        let file: RetentionFile =
            toml::from_str(src).map_err(|e| anyhow::anyhow!("retention rules: {e}"))?;
        for (i, c) in file.category.iter().enumerate() {
            if file.category[..i].iter().any(|o| o.code == c.code) {
                anyhow::bail!("retention rules: category {} appears twice", c.code);
            }
            if c.years == 0 || c.years > 200 {
                anyhow::bail!("retention rules: category {} has {} years", c.code, c.years);
            }
        }
        if file.sampling_days.iter().any(|d| !(1..=31).contains(d)) {
            anyhow::bail!("retention rules: sampling_days must be days of a month");
        }
        Ok(RetentionRules {
            sampling_days: file.sampling_days,
            categories: file.category,
        })
    }

    pub fn categories(&self) -> &[RetentionRule] {
        &self.categories
    }

    /// The register's own rule for the category wins over the default.
    pub fn rule<'a>(
        &'a self,
        overrides: &'a [RetentionRule],
        category: &str,
    ) -> Option<&'a RetentionRule> {
        overrides
            .iter()
            .chain(&self.categories)
            .find(|r| r.code == category)
    }

    pub fn is_known(&self, overrides: &[RetentionRule], category: &str) -> bool {
        self.rule(overrides, category).is_some()
    }

    /// Applies a rule: `start_on` is the date of the rule's start event, `born_on` the
    /// client's birth date (for the sampling rule).
    pub fn verdict(
        &self,
        rule: Option<&RetentionRule>,
        start_on: Option<NaiveDate>,
        born_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> RetentionVerdict {
        let Some(rule) = rule else {
            return RetentionVerdict::Unknown;
        };
        if rule.sampling && born_on.is_some_and(|b| self.sampling_days.contains(&b.day())) {
            return RetentionVerdict::Permanent;
        }
        let Some(start) = start_on else {
            return RetentionVerdict::Unknown;
        };
        // Periods are counted in whole years from the event; a 29 February start ends on
        // 28 February in a common year (chrono clamps to the month end).
        let ends = start
            .checked_add_months(Months::new(rule.years * 12))
            .unwrap_or(NaiveDate::MAX);
        if today <= ends {
            RetentionVerdict::KeptUntil(ends)
        } else {
            RetentionVerdict::Ended(ends)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn embedded_rules_load_with_names_in_three_languages() {
        let rules = RetentionRules::embedded().unwrap();
        assert!(rules.categories().len() >= 10);
        for c in rules.categories() {
            assert!(
                c.name.as_ref().is_some_and(Texts::is_complete),
                "{}",
                c.code
            );
        }
    }

    #[test]
    fn families_with_children_are_kept_thirty_years_after_closing() {
        let rules = RetentionRules::embedded().unwrap();
        let rule = rules.rule(&[], "families_with_children");
        let v = rules.verdict(
            rule,
            Some(d(2020, 3, 31)),
            Some(d(1990, 5, 2)),
            d(2026, 11, 22),
        );
        assert_eq!(v, RetentionVerdict::KeptUntil(d(2050, 3, 31)));
        let v = rules.verdict(
            rule,
            Some(d(1990, 3, 31)),
            Some(d(1970, 5, 2)),
            d(2026, 11, 22),
        );
        assert_eq!(v, RetentionVerdict::Ended(d(2020, 3, 31)));
    }

    #[test]
    fn people_born_on_the_8th_18th_and_28th_are_sampled_permanently() {
        let rules = RetentionRules::embedded().unwrap();
        let rule = rules.rule(&[], "working_age_services");
        for day in [8, 18, 28] {
            let v = rules.verdict(
                rule,
                Some(d(2000, 1, 1)),
                Some(d(1960, 4, day)),
                d(2026, 1, 1),
            );
            assert_eq!(v, RetentionVerdict::Permanent);
        }
        let v = rules.verdict(
            rule,
            Some(d(2000, 1, 1)),
            Some(d(1960, 4, 9)),
            d(2026, 1, 1),
        );
        assert_eq!(v, RetentionVerdict::Ended(d(2010, 1, 1)));
        // Vouchers are not sampled.
        let rule = rules.rule(&[], "service_vouchers");
        let v = rules.verdict(
            rule,
            Some(d(2025, 2, 1)),
            Some(d(1960, 4, 8)),
            d(2026, 1, 1),
        );
        assert_eq!(v, RetentionVerdict::KeptUntil(d(2028, 2, 1)));
    }

    #[test]
    fn a_register_override_wins_and_unknowns_are_left_to_staff() {
        let rules = RetentionRules::embedded().unwrap();
        let own = vec![RetentionRule {
            code: "working_age_services".into(),
            years: 1,
            start: RetentionStart::CaseClosed,
            sampling: false,
            name: None,
        }];
        let rule = rules.rule(&own, "working_age_services");
        assert_eq!(rule.unwrap().years, 1);
        let v = rules.verdict(
            rule,
            Some(d(2024, 2, 29)),
            Some(d(1960, 4, 8)),
            d(2026, 1, 1),
        );
        assert_eq!(v, RetentionVerdict::Ended(d(2025, 2, 28)));
        assert_eq!(
            rules.verdict(
                rules.rule(&[], "nope"),
                Some(d(2020, 1, 1)),
                None,
                d(2026, 1, 1)
            ),
            RetentionVerdict::Unknown
        );
        assert_eq!(
            rules.verdict(rule, None, None, d(2026, 1, 1)),
            RetentionVerdict::Unknown
        );
    }

    #[test]
    fn malformed_files_are_refused() {
        assert!(RetentionRules::from_toml(
            "sampling_days = [8]\n[[category]]\ncode='a'\nyears=0\nstart='death'\n"
        )
        .is_err());
        assert!(RetentionRules::from_toml("sampling_days = [40]\ncategory = []\n").is_err());
        assert!(RetentionRules::from_toml(
            "sampling_days = [8]\n[[category]]\ncode='a'\nyears=1\nstart='birthday'\n"
        )
        .is_err());
    }
}
