//! Legal deadline arithmetic (legal.md §2: Reg. 1182/71 as applied by EDPB Guidelines 01/2022).
//!
//! Months are calendar months with the same day number, clamped to the month end; never
//! "30 days" or "end of next month".

use chrono::{DateTime, Days, Months, NaiveDate, Utc};

use super::calendar::Calendar;
use super::codes::ProblemCode;

/// The local date in Europe/Helsinki, where receipt dates and deadlines live.
pub fn helsinki_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono_tz::Europe::Helsinki).date_naive()
}

/// `d` plus `months` calendar months, same day number, clamped to the last day of the month
/// (31.1 + 1 = 28/29.2). Saturates at `NaiveDate::MAX`.
pub fn add_months_clamped(d: NaiveDate, months: u32) -> NaiveDate {
    // chrono's Months arithmetic already clamps to the month end.
    d.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Unrolled date: the operational aim.
    pub target_on: NaiveDate,
    /// Legal deadline: `target_on` rolled forward to a working day.
    pub due_on: NaiveDate,
}

/// Deadlines for a request received on `received_on` (the day of receipt does not count).
/// Paused days (clock stops) are added after the month arithmetic, then the result is rolled.
pub fn compute(
    cal: &Calendar,
    received_on: NaiveDate,
    paused_days: u32,
    extended: bool,
) -> Deadlines {
    let months = if extended { 3 } else { 1 };
    let target_on = add_months_clamped(received_on, months)
        .checked_add_days(Days::new(u64::from(paused_days)))
        .unwrap_or(NaiveDate::MAX);
    Deadlines {
        target_on,
        due_on: cal.roll_forward(target_on),
    }
}

/// Whether a clock stop counts: the request for information must be made without undue delay,
/// i.e. at most `grace_days` after receipt (EDPB 01/2022 §159).
pub fn clock_stop_counts(received_on: NaiveDate, requested_on: NaiveDate, grace_days: u32) -> bool {
    (requested_on - received_on).num_days() <= i64::from(grace_days)
}

/// Days the clock was stopped (13.1 -> 27.1 = 14). Zero if `resumed_on` is not after `paused_on`.
pub fn paused_days_between(paused_on: NaiveDate, resumed_on: NaiveDate) -> u32 {
    u32::try_from((resumed_on - paused_on).num_days().max(0)).unwrap_or(u32::MAX)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    #[error("the deadline has already been extended; GDPR Art 12(3) allows one extension")]
    AlreadyExtended,
    #[error(
        "the first month ended on {due_on}; an extension must be notified within the first month"
    )]
    FirstMonthOver { due_on: NaiveDate },
}

impl ExtensionError {
    /// Stable machine-readable code for the API.
    pub fn code(&self) -> ProblemCode {
        match self {
            ExtensionError::AlreadyExtended => ProblemCode::AlreadyExtended,
            ExtensionError::FirstMonthOver { .. } => ProblemCode::FirstMonthOver,
        }
    }
}

/// Whether the deadline may be extended on `on`: at most once, and only while the first month
/// runs, i.e. up to and including the current (unextended) legal due date.
pub fn check_extension(
    current_due_on: NaiveDate,
    on: NaiveDate,
    already_extended: bool,
) -> Result<(), ExtensionError> {
    if already_extended {
        return Err(ExtensionError::AlreadyExtended);
    }
    if on > current_due_on {
        return Err(ExtensionError::FirstMonthOver {
            due_on: current_due_on,
        });
    }
    Ok(())
}

/// Calendar days from `today` to `due_on`: 0 on the due date, negative when overdue.
pub fn days_left(today: NaiveDate, due_on: NaiveDate) -> i64 {
    (due_on - today).num_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn iso(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// (received, paused days, extended, target_on, due_on).
    /// Comments: received weekday -> target weekday, then the days skipped by rolling.
    /// Every row was checked against a real calendar (Python datetime) and legal.md §2.
    const TABLE: &[(&str, u32, bool, &str, &str)] = &[
        // legal.md §2 worked examples
        ("2025-03-05", 0, false, "2025-04-05", "2025-04-07"), // Wed -> Sat, skip Sat Sun
        ("2025-01-31", 0, false, "2025-02-28", "2025-02-28"), // Fri -> Fri
        ("2024-01-31", 0, false, "2024-02-29", "2024-02-29"), // Wed -> Thu
        ("2029-02-28", 0, false, "2029-03-28", "2029-03-28"), // Wed -> Wed
        ("2025-03-18", 0, false, "2025-04-18", "2025-04-22"), // Tue -> Fri, skip GF Sat Easter EM
        ("2025-05-20", 0, false, "2025-06-20", "2025-06-23"), // Tue -> Fri, skip MEve MDay Sun
        ("2025-03-05", 0, true, "2025-06-05", "2025-06-05"),  // Wed -> Thu
        ("2025-01-10", 14, false, "2025-02-24", "2025-02-24"), // Fri -> Mon
        // month ends, year change, leap years (2100 is not leap)
        ("2025-03-31", 0, false, "2025-04-30", "2025-04-30"), // Mon -> Wed
        ("2025-05-31", 0, false, "2025-06-30", "2025-06-30"), // Sat -> Mon
        ("2025-08-31", 0, false, "2025-09-30", "2025-09-30"), // Sun -> Tue
        ("2025-10-31", 0, false, "2025-11-30", "2025-12-01"), // Fri -> Sun, skip Sun
        ("2025-12-31", 0, false, "2026-01-31", "2026-02-02"), // Wed -> Sat, skip Sat Sun
        ("2025-12-15", 0, false, "2026-01-15", "2026-01-15"), // Mon -> Thu
        ("2024-12-06", 0, false, "2025-01-06", "2025-01-07"), // Fri -> Mon, skip Epiph
        ("2025-01-30", 0, false, "2025-02-28", "2025-02-28"), // Thu -> Fri
        ("2024-01-29", 0, false, "2024-02-29", "2024-02-29"), // Mon -> Thu
        ("2028-01-31", 0, false, "2028-02-29", "2028-02-29"), // Mon -> Tue
        ("2100-01-31", 0, false, "2100-02-28", "2100-03-01"), // Sun -> Sun, skip Sun
        ("2100-01-29", 0, false, "2100-02-28", "2100-03-01"), // Fri -> Sun, skip Sun
        ("2024-02-29", 0, false, "2024-03-29", "2024-04-02"), // Thu -> Fri, skip GF Sat Easter EM
        ("2024-11-30", 0, true, "2025-02-28", "2025-02-28"),  // Sat -> Fri
        ("2023-11-30", 0, true, "2024-02-29", "2024-02-29"),  // Thu -> Thu
        // movable holidays 2024-2030 as the +1 month date
        ("2024-04-09", 0, false, "2024-05-09", "2024-05-10"), // Tue -> Thu, skip Asc
        ("2024-05-21", 0, false, "2024-06-21", "2024-06-24"), // Tue -> Fri, skip MEve MDay Sun
        ("2024-10-02", 0, false, "2024-11-02", "2024-11-04"), // Wed -> Sat, skip AllS Sun
        ("2025-03-21", 0, false, "2025-04-21", "2025-04-22"), // Fri -> Mon, skip EM
        ("2025-04-29", 0, false, "2025-05-29", "2025-05-30"), // Tue -> Thu, skip Asc
        ("2025-10-01", 0, false, "2025-11-01", "2025-11-03"), // Wed -> Sat, skip AllS Sun
        ("2026-03-03", 0, false, "2026-04-03", "2026-04-07"), // Tue -> Fri, skip GF Sat Easter EM
        ("2026-04-14", 0, false, "2026-05-14", "2026-05-15"), // Tue -> Thu, skip Asc
        ("2026-05-19", 0, false, "2026-06-19", "2026-06-22"), // Tue -> Fri, skip MEve MDay Sun
        ("2027-02-26", 0, false, "2027-03-26", "2027-03-30"), // Fri -> Fri, skip GF Sat Easter EM
        ("2027-04-06", 0, false, "2027-05-06", "2027-05-07"), // Tue -> Thu, skip Asc
        ("2027-05-25", 0, false, "2027-06-25", "2027-06-28"), // Tue -> Fri, skip MEve MDay Sun
        ("2027-10-06", 0, false, "2027-11-06", "2027-11-08"), // Wed -> Sat, skip AllS Sun
        ("2028-03-14", 0, false, "2028-04-14", "2028-04-18"), // Tue -> Fri, skip GF Sat Easter EM
        ("2028-04-25", 0, false, "2028-05-25", "2028-05-26"), // Tue -> Thu, skip Asc
        ("2028-05-23", 0, false, "2028-06-23", "2028-06-26"), // Tue -> Fri, skip MEve MDay Sun
        ("2029-03-02", 0, false, "2029-04-02", "2029-04-03"), // Fri -> Mon, skip EM
        ("2029-04-10", 0, false, "2029-05-10", "2029-05-11"), // Tue -> Thu, skip Asc
        ("2029-05-22", 0, false, "2029-06-22", "2029-06-25"), // Tue -> Fri, skip MEve MDay Sun
        ("2030-03-19", 0, false, "2030-04-19", "2030-04-23"), // Tue -> Fri, skip GF Sat Easter EM
        ("2030-04-30", 0, false, "2030-05-30", "2030-05-31"), // Tue -> Thu, skip Asc
        ("2030-05-21", 0, false, "2030-06-21", "2030-06-24"), // Tue -> Fri, skip MEve MDay Sun
        // fixed holidays; Christmas Eve is a working day in the default list
        ("2024-11-06", 0, false, "2024-12-06", "2024-12-09"), // Wed -> Fri, skip Indep Sat Sun
        ("2025-11-06", 0, false, "2025-12-06", "2025-12-08"), // Thu -> Sat, skip Indep Sun
        ("2026-11-25", 0, false, "2026-12-25", "2026-12-28"), // Wed -> Fri, skip Xmas StS Sun
        ("2025-11-25", 0, false, "2025-12-25", "2025-12-29"), // Tue -> Thu, skip Xmas StS Sat Sun
        ("2025-11-24", 0, false, "2025-12-24", "2025-12-24"), // Mon -> Wed
        ("2025-12-01", 0, false, "2026-01-01", "2026-01-02"), // Mon -> Thu, skip NY
        ("2027-12-01", 0, false, "2028-01-01", "2028-01-03"), // Wed -> Sat, skip NY Sun
        ("2025-04-01", 0, false, "2025-05-01", "2025-05-02"), // Tue -> Thu, skip May
        ("2027-12-06", 0, false, "2028-01-06", "2028-01-07"), // Mon -> Thu, skip Epiph
        // receipt on a holiday or weekend still starts the clock
        ("2025-12-25", 0, false, "2026-01-25", "2026-01-26"), // Thu -> Sun, skip Sun
        ("2025-04-18", 0, false, "2025-05-18", "2025-05-19"), // Fri -> Sun, skip Sun
        ("2026-01-01", 0, false, "2026-02-01", "2026-02-02"), // Thu -> Sun, skip Sun
        ("2025-06-21", 0, false, "2025-07-21", "2025-07-21"), // Sat -> Mon
        // extensions: receipt + 3 months (+ paused days)
        ("2025-01-31", 0, true, "2025-04-30", "2025-04-30"), // Fri -> Wed
        ("2025-01-18", 0, true, "2025-04-18", "2025-04-22"), // Sat -> Fri, skip GF Sat Easter EM
        ("2025-03-31", 0, true, "2025-06-30", "2025-06-30"), // Mon -> Mon
        ("2025-10-06", 0, true, "2026-01-06", "2026-01-07"), // Mon -> Tue, skip Epiph
        ("2025-11-30", 0, true, "2026-02-28", "2026-03-02"), // Sun -> Sat, skip Sat Sun
        ("2025-03-05", 14, true, "2025-06-19", "2025-06-19"), // Wed -> Thu
        ("2025-03-05", 15, true, "2025-06-20", "2025-06-23"), // Wed -> Fri, skip MEve MDay Sun
        // clock stops: paused days added to the clamped date, then rolled
        ("2025-01-31", 10, false, "2025-03-10", "2025-03-10"), // Fri -> Mon
        ("2024-01-31", 1, false, "2024-03-01", "2024-03-01"),  // Wed -> Fri
        ("2025-12-20", 5, false, "2026-01-25", "2026-01-26"),  // Sat -> Sun, skip Sun
        ("2025-03-05", 2, false, "2025-04-07", "2025-04-07"),  // Wed -> Mon
        ("2025-03-18", 3, false, "2025-04-21", "2025-04-22"),  // Tue -> Mon, skip EM
        ("2025-11-27", 30, false, "2026-01-26", "2026-01-26"), // Thu -> Mon
        // other
        ("2026-04-30", 0, false, "2026-05-30", "2026-06-01"), // Thu -> Sat, skip Sat Sun
        ("2027-12-26", 0, false, "2028-01-26", "2028-01-26"), // Sun -> Wed
    ];

    #[test]
    fn deadline_table() {
        assert!(TABLE.len() >= 45);
        let cal = Calendar::finnish_default();
        for &(received, paused, extended, target, due) in TABLE {
            let got = compute(&cal, iso(received), paused, extended);
            let want = Deadlines {
                target_on: iso(target),
                due_on: iso(due),
            };
            assert_eq!(
                got, want,
                "received {received}, paused {paused}, extended {extended}"
            );
            assert!(
                cal.is_working_day(got.due_on),
                "{received}: due on a non-working day"
            );
        }
    }

    #[test]
    fn clock_stop_worked_example() {
        // Received Fri 10.1.2025, proof asked Mon 13.1, arrived Mon 27.1.
        let cal = Calendar::finnish_default();
        let received = date(2025, 1, 10);
        assert!(clock_stop_counts(received, date(2025, 1, 13), 7));
        let paused = paused_days_between(date(2025, 1, 13), date(2025, 1, 27));
        assert_eq!(paused, 14);
        let d = compute(&cal, received, paused, false);
        assert_eq!(d.due_on, date(2025, 2, 24));
    }

    #[test]
    fn extension_worked_example() {
        // Received 5.3.2025: first-month due 7.4.2025, extended due 5.6.2025.
        let cal = Calendar::finnish_default();
        let received = date(2025, 3, 5);
        let first = compute(&cal, received, 0, false);
        assert_eq!(first.due_on, date(2025, 4, 7));
        assert_eq!(
            check_extension(first.due_on, date(2025, 4, 7), false),
            Ok(())
        );
        let ext = compute(&cal, received, 0, true);
        assert_eq!(ext.due_on, date(2025, 6, 5));
    }

    #[test]
    fn add_months_clamped_cases() {
        assert_eq!(add_months_clamped(date(2025, 1, 31), 1), date(2025, 2, 28));
        assert_eq!(add_months_clamped(date(2024, 1, 31), 1), date(2024, 2, 29));
        assert_eq!(add_months_clamped(date(2029, 2, 28), 1), date(2029, 3, 28));
        assert_eq!(add_months_clamped(date(2100, 1, 31), 1), date(2100, 2, 28));
        assert_eq!(add_months_clamped(date(2000, 1, 31), 1), date(2000, 2, 29));
        assert_eq!(add_months_clamped(date(2025, 12, 31), 1), date(2026, 1, 31));
        assert_eq!(add_months_clamped(date(2025, 11, 30), 3), date(2026, 2, 28));
        assert_eq!(add_months_clamped(date(2024, 2, 29), 12), date(2025, 2, 28));
        assert_eq!(add_months_clamped(date(2025, 5, 31), 0), date(2025, 5, 31));
        assert_eq!(add_months_clamped(NaiveDate::MAX, 1), NaiveDate::MAX);
    }

    #[test]
    fn helsinki_date_around_midnight_and_dst() {
        let utc = |y, mo, d, h, mi, s| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
        // Winter, UTC+2: 00:30 Helsinki on the 1st is still the 31st in UTC.
        assert_eq!(helsinki_date(utc(2025, 1, 31, 22, 30, 0)), date(2025, 2, 1));
        assert_eq!(
            helsinki_date(utc(2025, 1, 31, 21, 59, 59)),
            date(2025, 1, 31)
        );
        assert_eq!(helsinki_date(utc(2024, 12, 31, 22, 0, 0)), date(2025, 1, 1));
        assert_eq!(
            helsinki_date(utc(2024, 12, 31, 21, 59, 59)),
            date(2024, 12, 31)
        );
        // Summer, UTC+3.
        assert_eq!(helsinki_date(utc(2025, 6, 30, 21, 30, 0)), date(2025, 7, 1));
        assert_eq!(
            helsinki_date(utc(2025, 6, 30, 20, 59, 59)),
            date(2025, 6, 30)
        );
        // DST starts 30.3.2025 01:00 UTC; the midnight before is still UTC+2.
        assert_eq!(
            helsinki_date(utc(2025, 3, 29, 21, 59, 59)),
            date(2025, 3, 29)
        );
        assert_eq!(helsinki_date(utc(2025, 3, 29, 22, 0, 0)), date(2025, 3, 30));
        // DST ends 26.10.2025 01:00 UTC: midnight starting the 26th is UTC+3, the next UTC+2.
        assert_eq!(
            helsinki_date(utc(2025, 10, 25, 20, 59, 59)),
            date(2025, 10, 25)
        );
        assert_eq!(
            helsinki_date(utc(2025, 10, 25, 21, 0, 0)),
            date(2025, 10, 26)
        );
        assert_eq!(
            helsinki_date(utc(2025, 10, 26, 21, 59, 59)),
            date(2025, 10, 26)
        );
        assert_eq!(
            helsinki_date(utc(2025, 10, 26, 22, 0, 0)),
            date(2025, 10, 27)
        );
    }

    #[test]
    fn clock_stop_grace_period() {
        let received = date(2025, 1, 10);
        assert!(clock_stop_counts(received, received, 0));
        assert!(clock_stop_counts(received, date(2025, 1, 17), 7));
        assert!(!clock_stop_counts(received, date(2025, 1, 18), 7));
        assert!(!clock_stop_counts(received, date(2025, 1, 11), 0));
        // Across a month end.
        assert!(clock_stop_counts(date(2025, 1, 28), date(2025, 2, 4), 7));
        assert!(!clock_stop_counts(date(2025, 1, 28), date(2025, 2, 5), 7));
    }

    #[test]
    fn paused_days() {
        assert_eq!(
            paused_days_between(date(2025, 1, 13), date(2025, 1, 27)),
            14
        );
        assert_eq!(paused_days_between(date(2025, 1, 13), date(2025, 1, 13)), 0);
        assert_eq!(paused_days_between(date(2025, 1, 27), date(2025, 1, 13)), 0);
        assert_eq!(paused_days_between(date(2024, 2, 28), date(2024, 3, 1)), 2);
        assert_eq!(paused_days_between(date(2025, 2, 28), date(2025, 3, 1)), 1);
    }

    #[test]
    fn extension_rules() {
        let due = date(2025, 4, 7);
        assert_eq!(check_extension(due, date(2025, 3, 5), false), Ok(()));
        assert_eq!(check_extension(due, due, false), Ok(()));
        let late = check_extension(due, date(2025, 4, 8), false).unwrap_err();
        assert_eq!(late, ExtensionError::FirstMonthOver { due_on: due });
        assert_eq!(late.code().as_str(), "first_month_over");
        assert_eq!(
            late.to_string(),
            "the first month ended on 2025-04-07; an extension must be notified within the first month"
        );
        let twice = check_extension(due, date(2025, 3, 20), true).unwrap_err();
        assert_eq!(twice, ExtensionError::AlreadyExtended);
        assert_eq!(twice.code().as_str(), "already_extended");
        // Already extended wins even after the first month.
        assert_eq!(
            check_extension(due, date(2025, 5, 1), true),
            Err(ExtensionError::AlreadyExtended)
        );
    }

    #[test]
    fn extension_deadline_uses_paused_first_month_due() {
        // With a 14-day clock stop the first month runs until 24.2.2025.
        let cal = Calendar::finnish_default();
        let first = compute(&cal, date(2025, 1, 10), 14, false);
        assert_eq!(
            check_extension(first.due_on, date(2025, 2, 24), false),
            Ok(())
        );
        assert!(check_extension(first.due_on, date(2025, 2, 25), false).is_err());
        let ext = compute(&cal, date(2025, 1, 10), 14, true);
        // 10.4.2025 + 14 = Thu 24.4.2025 (after Easter Monday 21.4).
        assert_eq!(ext.target_on, date(2025, 4, 24));
        assert_eq!(ext.due_on, date(2025, 4, 24));
    }

    #[test]
    fn extra_closed_day_moves_due_date() {
        // 24.11.2025 + 1 month = Wed 24.12, a working day unless the organisation closes it.
        let received = date(2025, 11, 24);
        let default = compute(&Calendar::finnish_default(), received, 0, false);
        assert_eq!(default.due_on, date(2025, 12, 24));
        let cal = Calendar::finnish_default().with_extra_closed_days([date(2025, 12, 24)]);
        let closed = compute(&cal, received, 0, false);
        assert_eq!(closed.target_on, date(2025, 12, 24));
        assert_eq!(closed.due_on, date(2025, 12, 29));
    }

    #[test]
    fn days_left_signs() {
        let due = date(2025, 4, 7);
        assert_eq!(days_left(date(2025, 4, 1), due), 6);
        assert_eq!(days_left(due, due), 0);
        assert_eq!(days_left(date(2025, 4, 8), due), -1);
        assert_eq!(days_left(date(2025, 3, 5), due), 33);
    }
}
