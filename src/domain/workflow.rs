//! Which action may be taken in which state, and where it leads.

use super::enums::{Awaiting, RequestState};
use super::text_enum;

text_enum!(
    Action {
        Assign => "assign",
        Start => "start",
        VerifyIdentity => "verify_identity",
        RequestIdentity => "request_identity",
        RequestClarification => "request_clarification",
        RequesterReplied => "requester_replied",
        Extend => "extend",
        Complete => "complete",
        Refuse => "refuse",
        Withdraw => "withdraw",
    }
);

/// The actions allowed in a state. Terminal states accept nothing.
pub fn allowed_actions(state: RequestState) -> &'static [Action] {
    use Action::*;
    match state {
        RequestState::Received => &[
            Assign,
            Start,
            VerifyIdentity,
            RequestIdentity,
            RequestClarification,
            Extend,
            Complete,
            Refuse,
            Withdraw,
        ],
        RequestState::InProgress => &[
            Assign,
            VerifyIdentity,
            RequestIdentity,
            RequestClarification,
            Extend,
            Complete,
            Refuse,
            Withdraw,
        ],
        RequestState::AwaitingRequester => &[
            Assign,
            VerifyIdentity,
            RequesterReplied,
            Extend,
            Refuse,
            Withdraw,
        ],
        RequestState::Completed | RequestState::Refused | RequestState::Withdrawn => &[],
    }
}

/// The state after `action`, or `None` when the action is not allowed in `state`.
/// `awaiting` is what a request with the requester waits for: verifying identity
/// while identity proof is awaited means the proof arrived, so work resumes.
pub fn next_state(
    state: RequestState,
    awaiting: Option<Awaiting>,
    action: Action,
) -> Option<RequestState> {
    if !allowed_actions(state).contains(&action) {
        return None;
    }
    Some(match action {
        Action::Assign | Action::Extend => state,
        Action::Start | Action::RequesterReplied => RequestState::InProgress,
        Action::VerifyIdentity => match (state, awaiting) {
            (RequestState::AwaitingRequester, Some(Awaiting::Identity)) => RequestState::InProgress,
            _ => state,
        },
        Action::RequestIdentity | Action::RequestClarification => RequestState::AwaitingRequester,
        Action::Complete => RequestState::Completed,
        Action::Refuse => RequestState::Refused,
        Action::Withdraw => RequestState::Withdrawn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestState::*;

    /// The full table: every state × every action, expected next state or refusal.
    #[test]
    fn every_transition_allowed_and_forbidden() {
        use Action::*;
        let table: &[(RequestState, Action, Option<RequestState>)] = &[
            (Received, Assign, Some(Received)),
            (Received, Start, Some(InProgress)),
            (Received, VerifyIdentity, Some(Received)),
            (Received, RequestIdentity, Some(AwaitingRequester)),
            (Received, RequestClarification, Some(AwaitingRequester)),
            (Received, RequesterReplied, None),
            (Received, Extend, Some(Received)),
            (Received, Complete, Some(Completed)),
            (Received, Refuse, Some(Refused)),
            (Received, Withdraw, Some(Withdrawn)),
            (InProgress, Assign, Some(InProgress)),
            (InProgress, Start, None),
            (InProgress, VerifyIdentity, Some(InProgress)),
            (InProgress, RequestIdentity, Some(AwaitingRequester)),
            (InProgress, RequestClarification, Some(AwaitingRequester)),
            (InProgress, RequesterReplied, None),
            (InProgress, Extend, Some(InProgress)),
            (InProgress, Complete, Some(Completed)),
            (InProgress, Refuse, Some(Refused)),
            (InProgress, Withdraw, Some(Withdrawn)),
            (AwaitingRequester, Assign, Some(AwaitingRequester)),
            (AwaitingRequester, Start, None),
            (AwaitingRequester, VerifyIdentity, Some(AwaitingRequester)),
            (AwaitingRequester, RequestIdentity, None),
            (AwaitingRequester, RequestClarification, None),
            (AwaitingRequester, RequesterReplied, Some(InProgress)),
            (AwaitingRequester, Extend, Some(AwaitingRequester)),
            (AwaitingRequester, Complete, None),
            (AwaitingRequester, Refuse, Some(Refused)),
            (AwaitingRequester, Withdraw, Some(Withdrawn)),
        ];
        for (state, action, expected) in table {
            assert_eq!(
                next_state(*state, Some(Awaiting::Clarification), *action),
                *expected,
                "{state} + {action}"
            );
        }
        assert_eq!(table.len(), 3 * Action::ALL.len());
    }

    #[test]
    fn terminal_states_accept_nothing() {
        for state in [Completed, Refused, Withdrawn] {
            for action in Action::ALL {
                assert_eq!(next_state(state, None, *action), None, "{state} {action}");
            }
        }
    }

    #[test]
    fn identity_proof_arriving_resumes_work() {
        assert_eq!(
            next_state(
                AwaitingRequester,
                Some(Awaiting::Identity),
                Action::VerifyIdentity
            ),
            Some(InProgress)
        );
    }
}
