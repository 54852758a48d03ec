// Written by hand to match migrations/{sqlite,postgres}; portable column types only.

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    organisations (id) {
        id -> Text,
        slug -> Text,
        name -> Text,
        business_id -> Nullable<Text>,
        reference_prefix -> Text,
        address_visible_roles -> Text,
        created_at -> Timestamp,
        postal_address -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        public_authority -> Bool,
        authority_contact -> Nullable<Text>,
        oidc -> Nullable<Text>,
        appeal -> Nullable<Text>,
        default_language -> Text,
    }
}

diesel::table! {
    registers (id) {
        id -> Text,
        org_id -> Text,
        slug -> Text,
        name -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        info -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        org_id -> Text,
        email -> Text,
        name -> Text,
        title -> Nullable<Text>,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamp,
        language -> Nullable<Text>,
        session_epoch -> Integer,
    }
}

diesel::table! {
    reference_counters (org_id, year) {
        org_id -> Text,
        year -> Integer,
        last_value -> BigInt,
    }
}

diesel::table! {
    requests (id) {
        id -> Text,
        org_id -> Text,
        reference -> Text,
        kind -> Text,
        state -> Text,
        is_open -> Bool,
        language -> Text,
        channel -> Text,
        received_at -> Timestamp,
        received_on -> Date,
        target_on -> Date,
        due_on -> Date,
        extended -> Bool,
        extended_on -> Nullable<Date>,
        extension_reason -> Nullable<Text>,
        paused_days -> Integer,
        paused_since -> Nullable<Date>,
        pause_counts -> Bool,
        awaiting -> Nullable<Text>,
        details -> Text,
        identity_verification -> Nullable<Text>,
        assignee_id -> Nullable<Text>,
        outcome -> Nullable<Text>,
        closed_on -> Nullable<Date>,
        decision -> Nullable<Text>,
        repeat_within_year -> Bool,
        review_reasons -> Text,
        status_token_hash -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    request_subjects (request_id) {
        request_id -> Text,
        name -> Text,
        personal_id -> Nullable<Text>,
        birth_date -> Nullable<Date>,
        temporary_id -> Bool,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        postal_address -> Nullable<Text>,
        address_protected -> Bool,
        contact_channel -> Text,
        representative -> Nullable<Text>,
        contact_address -> Nullable<Text>,
    }
}

diesel::table! {
    request_registers (request_id, register_id) {
        request_id -> Text,
        register_id -> Text,
    }
}

diesel::table! {
    audit_heads (org_id) {
        org_id -> Text,
        last_seq -> BigInt,
        last_hash -> Text,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        org_id -> Text,
        seq -> BigInt,
        request_id -> Nullable<Text>,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_role -> Text,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        payload -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::joinable!(registers -> organisations (org_id));
diesel::joinable!(users -> organisations (org_id));
diesel::table! {
    request_search (request_id) {
        request_id -> Text,
        org_id -> Text,
        name_folded -> Text,
        personal_id_key -> Nullable<Text>,
    }
}

diesel::table! {
    request_notes (id) {
        id -> Text,
        request_id -> Text,
        org_id -> Text,
        author_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    request_messages (id) {
        id -> Text,
        request_id -> Text,
        org_id -> Text,
        author_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(request_subjects -> requests (request_id));
diesel::joinable!(request_search -> requests (request_id));
diesel::joinable!(request_notes -> requests (request_id));
diesel::joinable!(request_registers -> requests (request_id));
diesel::joinable!(request_registers -> registers (register_id));
diesel::joinable!(outbox_attempts -> outbox (message_id));
diesel::joinable!(blob_chunks -> blobs (blob_id));
diesel::joinable!(documents -> requests (request_id));
diesel::joinable!(attachments -> requests (request_id));
diesel::joinable!(attachments -> registers (register_id));
diesel::joinable!(request_items -> requests (request_id));
diesel::joinable!(request_recipients -> requests (request_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    organisations,
    registers,
    users,
    reference_counters,
    requests,
    request_subjects,
    request_search,
    request_notes,
    request_messages,
    request_registers,
    audit_heads,
    audit_events,
    outbox,
    outbox_attempts,
    letter_jobs,
    review_clearances,
    blobs,
    blob_chunks,
    documents,
    attachments,
    request_items,
    request_recipients,
);

diesel::table! {
    outbox (id) {
        id -> Text,
        org_id -> Text,
        request_id -> Nullable<Text>,
        kind -> Text,
        recipient -> Text,
        recipient_role -> Text,
        language -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        dedupe_key -> Nullable<Text>,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox_attempts (id) {
        id -> Text,
        message_id -> Text,
        attempted_at -> Timestamp,
        worker -> Text,
        outcome -> Text,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    letter_jobs (request_id, kind) {
        request_id -> Text,
        kind -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        last_error -> Nullable<Text>,
        snapshot -> Nullable<Text>,
    }
}

diesel::table! {
    review_clearances (request_id) {
        request_id -> Text,
        cleared_at -> Timestamp,
        cleared_by -> Text,
        note -> Text,
    }
}

diesel::table! {
    blobs (id) {
        id -> Text,
        org_id -> Text,
        size -> BigInt,
        sha256 -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    blob_chunks (blob_id, seq) {
        blob_id -> Text,
        seq -> Integer,
        data -> Binary,
    }
}

diesel::table! {
    documents (id) {
        id -> Text,
        org_id -> Text,
        request_id -> Text,
        kind -> Text,
        language -> Text,
        filename -> Text,
        media_type -> Text,
        blob_id -> Text,
        sha256 -> Text,
        size -> BigInt,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        released_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        snapshot -> Nullable<Text>,
    }
}

diesel::table! {
    attachments (id) {
        id -> Text,
        org_id -> Text,
        request_id -> Text,
        register_id -> Text,
        kind -> Text,
        title -> Text,
        filename -> Text,
        media_type -> Text,
        blob_id -> Text,
        sha256 -> Text,
        size -> BigInt,
        withheld_ground -> Nullable<Text>,
        withheld_reason -> Nullable<Text>,
        redacted -> Bool,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    request_items (id) {
        id -> Text,
        request_id -> Text,
        number -> Integer,
        register_id -> Nullable<Text>,
        description -> Text,
        record_category -> Nullable<Text>,
        retention_start_on -> Nullable<Date>,
        retention_ends_on -> Nullable<Date>,
        retention_permanent -> Bool,
        decision -> Nullable<Text>,
        before_text -> Nullable<Text>,
        after_text -> Nullable<Text>,
        reason -> Nullable<Text>,
        ground -> Nullable<Text>,
        explanation -> Nullable<Text>,
        decided_by -> Nullable<Text>,
        decided_by_name -> Nullable<Text>,
        decided_by_title -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    request_recipients (id) {
        id -> Text,
        request_id -> Text,
        register_id -> Nullable<Text>,
        name -> Text,
        notified_on -> Nullable<Date>,
        notified_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ingest_tokens (id) {
        id -> Text,
        org_id -> Text,
        source -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    log_scopes (id) {
        id -> BigInt,
        org_id -> Text,
        register_id -> Text,
    }
}

diesel::table! {
    log_users (id) {
        id -> BigInt,
        org_id -> Text,
        name -> Text,
        title -> Text,
        unit -> Text,
    }
}

diesel::table! {
    access_events (scope, event_id) {
        scope -> BigInt,
        event_id -> Text,
        subject_key -> Binary,
        occurred_at -> BigInt,
        user_ref -> BigInt,
        action -> Text,
        basis -> Text,
        recipient -> Nullable<Text>,
        source -> Nullable<Text>,
        bucket -> BigInt,
    }
}

diesel::joinable!(access_events -> log_users (user_ref));
diesel::allow_tables_to_appear_in_same_query!(access_events, log_users, log_scopes);

diesel::table! {
    misuse_findings (id) {
        id -> Text,
        request_id -> Text,
        misuse_found -> Bool,
        finding -> Text,
        concluded_on -> Date,
        recorded_by -> Text,
        recorded_at -> Timestamp,
    }
}
