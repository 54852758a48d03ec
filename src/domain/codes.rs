//! The stable snake_case error codes of the API, each defined once: `FieldCode` for one field's
//! problem (`errors[].code`, with a message in `forms/messages.toml`) and `ProblemCode` for the
//! `code` of a whole problem document. Clients and tests rely on these strings.

use super::text_enum;

// Every field code has a message in fi, sv and en in `forms/messages.toml` (tested below).
text_enum!(
    /// What is wrong with one input field; the field error's `message` says it in words, in
    /// the language `Accept-Language` asks for (fi, sv or en).
    FieldCode {
        // Any field.
        Required => "required",
        WrongType => "wrong_type",
        UnknownField => "unknown_field",
        TooLong => "too_long",
        TooShort => "too_short",
        InvalidChoice => "invalid_choice",
        InvalidDate => "invalid_date",
        DateInFuture => "date_in_future",
        NotAList => "not_a_list",
        TooManyItems => "too_many_items",
        TooFewItems => "too_few_items",
        MustBeObject => "must_be_object",
        Duplicate => "duplicate",
        OutOfRange => "out_of_range",
        Incomplete => "incomplete",
        // The person and their contact details.
        PersonalIdWrongLength => "personal_id_wrong_length",
        PersonalIdBadDate => "personal_id_bad_date",
        PersonalIdUnknownCenturySign => "personal_id_unknown_century_sign",
        PersonalIdBadIndividualNumber => "personal_id_bad_individual_number",
        PersonalIdBadCheckCharacter => "personal_id_bad_check_character",
        PersonalIdBadCharacters => "personal_id_bad_characters",
        PersonalIdOrBirthDateRequired => "personal_id_or_birth_date_required",
        BirthDateMismatch => "birth_date_mismatch",
        EidMismatch => "eid_mismatch",
        ContactMissing => "contact_missing",
        InvalidEmail => "invalid_email",
        InvalidPhone => "invalid_phone",
        // The request.
        UnknownOrganisation => "unknown_organisation",
        UnknownRegister => "unknown_register",
        StaffOnly => "staff_only",
        TooOld => "too_old",
        PeriodOrder => "period_order",
        SpecialReasonRequired => "special_reason_required",
        // Handling: actions, decisions, grounds, documents.
        BeforeReceipt => "before_receipt",
        UnknownUser => "unknown_user",
        UnknownGround => "unknown_ground",
        GroundNotApplicable => "ground_not_applicable",
        OnlyForRefusal => "only_for_refusal",
        WithheldNeedsPartial => "withheld_needs_partial",
        ItemUndecided => "item_undecided",
        OutcomeContradictsDecisions => "outcome_contradicts_decisions",
        GroundNotInDecisions => "ground_not_in_decisions",
        UnknownCategory => "unknown_category",
        UnsupportedMediaType => "unsupported_media_type",
        FilenameRequired => "filename_required",
        FileTooLarge => "file_too_large",
        InvalidYear => "invalid_year",
        // Administration.
        InvalidSlug => "invalid_slug",
        ReservedSlug => "reserved_slug",
        InvalidPrefix => "invalid_prefix",
        InvalidBusinessId => "invalid_business_id",
        CannotDemoteYourself => "cannot_demote_yourself",
        WrongPassword => "wrong_password",
    }
);

text_enum!(
    /// Why a request failed as a whole: the `code` of a problem document (its `type` is
    /// `urn:rightsdesk:problem:<code>`).
    ProblemCode {
        // Any endpoint.
        ValidationFailed => "validation_failed",
        NotFound => "not_found",
        Unauthorized => "unauthorized",
        BadCredentials => "bad_credentials",
        Forbidden => "forbidden",
        TooManyRequests => "too_many_requests",
        InternalError => "internal_error",
        AlreadyExists => "already_exists",
        // The body, query or path could not be read.
        UnsupportedMediaType => "unsupported_media_type",
        PayloadTooLarge => "payload_too_large",
        InvalidJson => "invalid_json",
        InvalidBody => "invalid_body",
        InvalidQuery => "invalid_query",
        InvalidPath => "invalid_path",
        // Multipart uploads.
        MalformedMultipart => "malformed_multipart",
        MetaTooLarge => "meta_too_large",
        InvalidMeta => "invalid_meta",
        FileTooLarge => "file_too_large",
        UnknownPart => "unknown_part",
        MissingPart => "missing_part",
        // The request's state or kind does not allow it.
        ActionNotAllowed => "action_not_allowed",
        AlreadyExtended => "already_extended",
        FirstMonthOver => "first_month_over",
        IdentityNotVerified => "identity_not_verified",
        RequestClosed => "request_closed",
        ItemsAlreadyDone => "items_already_done",
        MisuseFindingMissing => "misuse_finding_missing",
        NotReopenable => "not_reopenable",
        ItemsNotApplicable => "items_not_applicable",
        BundleNotApplicable => "bundle_not_applicable",
        LetterNotApplicable => "letter_not_applicable",
        LetterJobTaken => "letter_job_taken",
        NotALogInspection => "not_a_log_inspection",
        NoReviewNeeded => "no_review_needed",
        ReviewAlreadyCleared => "review_already_cleared",
        DocumentsWithheld => "documents_withheld",
        ReviewNotCleared => "review_not_cleared",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::enums::Language;
    use crate::domain::forms::Forms;

    /// Message keys that are not field codes: wording the pages use for `required` on a
    /// choice or a date field (`web::form::localise_errors`); the API's code stays `required`.
    const PAGE_ONLY_MESSAGES: &[&str] = &["required_choice", "required_date"];

    #[test]
    fn every_field_code_has_a_message_in_three_languages() {
        let forms = Forms::embedded().unwrap();
        let known: Vec<&String> = forms.message_codes().collect();
        for code in FieldCode::ALL {
            assert!(
                known.iter().any(|k| *k == code.as_str()),
                "no message for field code {code}"
            );
            for lang in Language::ALL {
                let text = forms.message(code.as_str(), *lang, None);
                assert!(!text.trim().is_empty(), "{code} has no {lang} message");
            }
        }
        // And no message waits for a code nothing can emit.
        for key in known {
            assert!(
                FieldCode::parse(key).is_some() || PAGE_ONLY_MESSAGES.contains(&key.as_str()),
                "message {key} is for no field code"
            );
        }
    }

    #[test]
    fn codes_round_trip_through_their_strings() {
        for code in FieldCode::ALL {
            assert_eq!(FieldCode::parse(code.as_str()), Some(*code));
            assert_eq!(code.to_string(), code.as_str());
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str(), "serde and as_str disagree");
            assert_eq!(serde_json::from_value::<FieldCode>(json).unwrap(), *code);
        }
        for code in ProblemCode::ALL {
            assert_eq!(ProblemCode::parse(code.as_str()), Some(*code));
            assert_eq!(code.to_string(), code.as_str());
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str(), "serde and as_str disagree");
            assert_eq!(serde_json::from_value::<ProblemCode>(json).unwrap(), *code);
        }
    }

    #[test]
    fn codes_are_snake_case_and_distinct() {
        let well_formed = |s: &str| {
            !s.is_empty()
                && !s.starts_with('_')
                && !s.ends_with('_')
                && !s.contains("__")
                && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        };
        let fields: Vec<&str> = FieldCode::ALL.iter().map(|c| c.as_str()).collect();
        let problems: Vec<&str> = ProblemCode::ALL.iter().map(|c| c.as_str()).collect();
        for list in [&fields, &problems] {
            for (i, s) in list.iter().enumerate() {
                assert!(well_formed(s), "{s}");
                assert!(!list[..i].contains(s), "{s} twice");
            }
        }
    }
}
