//! The closed vocabularies of the domain, each stored as TEXT.

use super::text_enum;

text_enum!(
    /// The right the person exercises.
    RequestKind {
        Access => "access",
        Rectification => "rectification",
        Erasure => "erasure",
        Portability => "portability",
        Restriction => "restriction",
        Objection => "objection",
        LogInspection => "log_inspection",
    }
);

text_enum!(
    RequestState {
        Received => "received",
        AwaitingRequester => "awaiting_requester",
        InProgress => "in_progress",
        Completed => "completed",
        Refused => "refused",
        Withdrawn => "withdrawn",
    }
);

impl RequestState {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            RequestState::Completed | RequestState::Refused | RequestState::Withdrawn
        )
    }
}

text_enum!(
    /// Language of service (asiointikieli).
    Language {
        Fi => "fi",
        Sv => "sv",
        En => "en",
    }
);

/// Finnish, the language of service unless another is chosen.
impl Default for Language {
    fn default() -> Language {
        Language::Fi
    }
}

text_enum!(
    /// How the request reached the organisation.
    Channel {
        Web => "web",
        Letter => "letter",
        InPerson => "in_person",
        Phone => "phone",
        Email => "email",
    }
);

text_enum!(
    /// How the person wants to be contacted.
    ContactChannel {
        Email => "email",
        Post => "post",
        Phone => "phone",
        PickUp => "pick_up",
    }
);

text_enum!(
    Relationship {
        Guardian => "guardian",
        LegalRepresentative => "legal_representative",
        AuthorisedPerson => "authorised_person",
    }
);

text_enum!(
    Role {
        Staff => "staff",
        Dpo => "dpo",
        Admin => "admin",
    }
);

text_enum!(
    IdentityMethod {
        StrongEid => "strong_eid",
        InPerson => "in_person",
        SignedForm => "signed_form",
        KnownContact => "known_contact",
    }
);

text_enum!(
    /// How a closed request ended.
    Outcome {
        Fulfilled => "fulfilled",
        PartiallyFulfilled => "partially_fulfilled",
        Refused => "refused",
        Withdrawn => "withdrawn",
    }
);

text_enum!(
    /// What the organisation waits for while a request is with the requester.
    Awaiting {
        Identity => "identity",
        Clarification => "clarification",
    }
);

text_enum!(
    /// What was decided on one item of a rectification, erasure or restriction request.
    ItemDecision {
        Done => "done",
        Refused => "refused",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_for_every_variant() {
        for k in RequestKind::ALL {
            assert_eq!(RequestKind::parse(k.as_str()), Some(*k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::String(k.as_str().into())
            );
        }
        for s in RequestState::ALL {
            assert_eq!(RequestState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(RequestKind::parse("Access"), None);
        assert_eq!(Channel::parse("in_person"), Some(Channel::InPerson));
    }

    #[test]
    fn terminal_states() {
        let terminal: Vec<_> = RequestState::ALL
            .iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(
            terminal,
            [
                &RequestState::Completed,
                &RequestState::Refused,
                &RequestState::Withdrawn
            ]
        );
    }
}
