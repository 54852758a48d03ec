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
diesel::joinable!(request_subjects -> requests (request_id));
diesel::joinable!(request_registers -> requests (request_id));
diesel::joinable!(request_registers -> registers (register_id));
diesel::joinable!(outbox_attempts -> outbox (message_id));

diesel::allow_tables_to_appear_in_same_query!(
    settings,
    organisations,
    registers,
    users,
    reference_counters,
    requests,
    request_subjects,
    request_registers,
    audit_heads,
    audit_events,
    outbox,
    outbox_attempts,
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
