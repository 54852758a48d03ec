//! How one subject's access-log events are shown: grouped by day and user in the order they
//! happened, minus what staff withhold, with the user named in a misuse suspicion marked.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::deadline::helsinki_date;

/// An event as stored, with the user who caused it.
#[derive(Debug, Clone)]
pub struct SeenEvent {
    pub event_id: String,
    /// Unix seconds.
    pub occurred_at: i64,
    pub action: String,
    pub basis: String,
    pub recipient: Option<String>,
    pub source: Option<String>,
    pub user_name: String,
    pub user_title: String,
    pub unit: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogEventOutput {
    pub event_id: String,
    /// Exact time, for staff; the report gives dates.
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub basis: String,
    pub recipient: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LogGroupOutput {
    pub date: NaiveDate,
    pub user_name: String,
    pub user_title: String,
    pub unit: String,
    pub count: usize,
    /// Count per action (view, print, disclose ...).
    pub actions: BTreeMap<String, usize>,
    /// The user named as suspected in a misuse-investigation request.
    pub highlighted: bool,
    pub events: Vec<LogEventOutput>,
}

/// What staff hold back (by user name or event id).
#[derive(Debug, Clone, Copy)]
pub struct Withholding<'a> {
    pub users: &'a [String],
    pub events: &'a [String],
}

#[derive(Debug)]
pub struct Grouped {
    pub groups: Vec<LogGroupOutput>,
    /// Events shown.
    pub shown: usize,
    pub withheld: usize,
    pub highlighted: usize,
}

/// Groups events (in time order) into runs of the same Helsinki day and user.
pub fn group_events(
    events: Vec<SeenEvent>,
    withhold: Withholding<'_>,
    suspected: Option<&str>,
) -> Grouped {
    let mut groups: Vec<LogGroupOutput> = Vec::new();
    let mut withheld = 0;
    let mut highlighted = 0;
    let is_suspect = |name: &str| suspected.is_some_and(|s| s.eq_ignore_ascii_case(name));
    let total = events.len();
    for e in events {
        if withhold.users.iter().any(|u| u == &e.user_name) || withhold.events.contains(&e.event_id)
        {
            withheld += 1;
            continue;
        }
        let at = DateTime::from_timestamp(e.occurred_at, 0).unwrap_or_default();
        let date = helsinki_date(at);
        let flag = is_suspect(&e.user_name);
        if flag {
            highlighted += 1;
        }
        let same = groups.last().is_some_and(|g| {
            g.date == date
                && g.user_name == e.user_name
                && g.user_title == e.user_title
                && g.unit == e.unit
        });
        if !same {
            groups.push(LogGroupOutput {
                date,
                user_name: e.user_name.clone(),
                user_title: e.user_title.clone(),
                unit: e.unit.clone(),
                count: 0,
                actions: BTreeMap::new(),
                highlighted: flag,
                events: Vec::new(),
            });
        }
        let Some(g) = groups.last_mut() else {
            unreachable!("a group was pushed above")
        };
        g.count += 1;
        *g.actions.entry(e.action.clone()).or_default() += 1;
        g.events.push(LogEventOutput {
            event_id: e.event_id,
            occurred_at: at,
            action: e.action,
            basis: e.basis,
            recipient: e.recipient,
            source: e.source,
        });
    }
    Grouped {
        groups,
        shown: total - withheld,
        withheld,
        highlighted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, at: &str, user: &str, action: &str) -> SeenEvent {
        SeenEvent {
            event_id: id.into(),
            occurred_at: at.parse::<DateTime<Utc>>().unwrap().timestamp(),
            action: action.into(),
            basis: "hoitosuhde".into(),
            recipient: None,
            source: Some("Apotti".into()),
            user_name: user.into(),
            user_title: "sosiaalityöntekijä".into(),
            unit: "Perhepalvelut".into(),
        }
    }

    const NONE: Withholding<'static> = Withholding {
        users: &[],
        events: &[],
    };

    #[test]
    fn runs_of_the_same_helsinki_day_and_user_form_one_group() {
        let events = vec![
            event("1", "2026-03-01T08:00:00Z", "Anna", "view"),
            event("2", "2026-03-01T09:00:00Z", "Anna", "print"),
            // 22:30 UTC is already the next day in Helsinki.
            event("3", "2026-03-01T22:30:00Z", "Anna", "view"),
            event("4", "2026-03-02T08:00:00Z", "Bertil", "view"),
            event("5", "2026-03-02T09:00:00Z", "Anna", "view"),
        ];
        let g = group_events(events, NONE, None);
        let summary: Vec<_> = g
            .groups
            .iter()
            .map(|g| (g.date.to_string(), g.user_name.as_str(), g.count))
            .collect();
        assert_eq!(
            summary,
            [
                ("2026-03-01".to_string(), "Anna", 2),
                ("2026-03-02".to_string(), "Anna", 1),
                ("2026-03-02".to_string(), "Bertil", 1),
                ("2026-03-02".to_string(), "Anna", 1),
            ]
        );
        assert_eq!(g.groups[0].actions["view"], 1);
        assert_eq!(g.groups[0].actions["print"], 1);
        assert_eq!((g.shown, g.withheld, g.highlighted), (5, 0, 0));
    }

    #[test]
    fn withheld_users_and_events_are_counted_not_shown() {
        let events = vec![
            event("1", "2026-03-01T08:00:00Z", "Anna", "view"),
            event("2", "2026-03-01T09:00:00Z", "Bertil", "view"),
            event("3", "2026-03-01T10:00:00Z", "Carl", "view"),
        ];
        let users = ["Bertil".to_string()];
        let ids = ["3".to_string()];
        let g = group_events(
            events,
            Withholding {
                users: &users,
                events: &ids,
            },
            None,
        );
        assert_eq!((g.shown, g.withheld), (1, 2));
        assert_eq!(g.groups.len(), 1);
        assert_eq!(g.groups[0].user_name, "Anna");
    }

    #[test]
    fn the_suspected_user_is_marked_whatever_the_case() {
        let events = vec![
            event("1", "2026-03-01T08:00:00Z", "Anna Virtanen", "view"),
            event("2", "2026-03-01T09:00:00Z", "Bertil", "view"),
        ];
        let g = group_events(events, NONE, Some("anna virtanen"));
        assert!(g.groups[0].highlighted);
        assert!(!g.groups[1].highlighted);
        assert_eq!(g.highlighted, 1);
    }
}
