//! A request's legal clock: receipt, clock stops and the extension, and the dates they give.

use chrono::NaiveDate;

use super::calendar::Calendar;
use super::deadline::{self, Deadlines, ExtensionError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestClock {
    pub received_on: NaiveDate,
    pub paused_days: u32,
    /// Set while the clock is stopped.
    pub paused_since: Option<NaiveDate>,
    /// Whether the running wait stops the clock (asked within the grace period).
    pub pause_counts: bool,
    pub extended: bool,
}

/// What a clock stop did to the dates, for the answer to staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockStop {
    Stopped,
    /// Asked too late after receipt: the state changes, the deadline does not.
    NotStoppedOutsideGrace {
        grace_days: u32,
    },
}

impl RequestClock {
    pub fn new(received_on: NaiveDate) -> RequestClock {
        RequestClock {
            received_on,
            paused_days: 0,
            paused_since: None,
            pause_counts: false,
            extended: false,
        }
    }

    pub fn deadlines(&self, cal: &Calendar) -> Deadlines {
        deadline::compute(cal, self.received_on, self.paused_days, self.extended)
    }

    /// The person is asked for identity proof or clarification on `on`.
    pub fn stop(&mut self, on: NaiveDate, grace_days: u32) -> ClockStop {
        self.paused_since = Some(on);
        self.pause_counts = deadline::clock_stop_counts(self.received_on, on, grace_days);
        if self.pause_counts {
            ClockStop::Stopped
        } else {
            ClockStop::NotStoppedOutsideGrace { grace_days }
        }
    }

    /// The person answered on `on`; returns the days added to the deadline.
    pub fn resume(&mut self, on: NaiveDate) -> u32 {
        let added = match self.paused_since.take() {
            Some(since) if self.pause_counts => deadline::paused_days_between(since, on),
            _ => 0,
        };
        self.pause_counts = false;
        self.paused_days += added;
        added
    }

    /// Extends the deadline to three months, once, while the first month runs.
    pub fn extend(&mut self, cal: &Calendar, on: NaiveDate) -> Result<Deadlines, ExtensionError> {
        deadline::check_extension(self.deadlines(cal).due_on, on, self.extended)?;
        self.extended = true;
        Ok(self.deadlines(cal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn legal_md_clock_stop_example() {
        // Received Fri 10.1.2025, proof asked Mon 13.1, arrived Mon 27.1 -> due Mon 24.2.2025.
        let cal = Calendar::finnish_default();
        let mut clock = RequestClock::new(d("2025-01-10"));
        assert_eq!(clock.stop(d("2025-01-13"), 7), ClockStop::Stopped);
        assert_eq!(clock.resume(d("2025-01-27")), 14);
        assert_eq!(clock.deadlines(&cal).due_on, d("2025-02-24"));
    }

    #[test]
    fn a_late_clock_stop_changes_nothing() {
        let cal = Calendar::finnish_default();
        let mut clock = RequestClock::new(d("2025-01-10"));
        let before = clock.deadlines(&cal);
        assert_eq!(
            clock.stop(d("2025-01-20"), 7),
            ClockStop::NotStoppedOutsideGrace { grace_days: 7 }
        );
        assert_eq!(clock.resume(d("2025-02-03")), 0);
        assert_eq!(clock.deadlines(&cal), before);
    }

    #[test]
    fn grace_period_boundary_is_inclusive() {
        let mut clock = RequestClock::new(d("2025-01-10"));
        assert_eq!(clock.stop(d("2025-01-17"), 7), ClockStop::Stopped);
        let mut clock = RequestClock::new(d("2025-01-10"));
        assert!(matches!(
            clock.stop(d("2025-01-18"), 7),
            ClockStop::NotStoppedOutsideGrace { .. }
        ));
    }

    #[test]
    fn extension_once_and_only_in_the_first_month() {
        let cal = Calendar::finnish_default();
        let mut clock = RequestClock::new(d("2025-03-05"));
        // Due 7.4.2025 (Saturday 5.4 rolled); extending on the due date is still in time.
        let extended = clock.extend(&cal, d("2025-04-07")).unwrap();
        assert_eq!(extended.due_on, d("2025-06-05"));
        assert!(clock.extend(&cal, d("2025-04-07")).is_err());
        let mut late = RequestClock::new(d("2025-03-05"));
        assert!(late.extend(&cal, d("2025-04-08")).is_err());
    }

    #[test]
    fn paused_days_add_to_an_extended_deadline_too() {
        let cal = Calendar::finnish_default();
        let mut clock = RequestClock::new(d("2025-03-05"));
        clock.stop(d("2025-03-06"), 7);
        clock.resume(d("2025-03-16"));
        clock.extend(&cal, d("2025-03-20")).unwrap();
        // 5.6.2025 + 10 days = Sun 15.6.2025 -> Mon 16.6.2025.
        let dl = clock.deadlines(&cal);
        assert_eq!(dl.target_on, d("2025-06-15"));
        assert_eq!(dl.due_on, d("2025-06-16"));
    }
}
