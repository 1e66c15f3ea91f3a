//! The schema both backends share. Written by hand (not printed by diesel_cli) because it
//! must stay inside the types common to SQLite and PostgreSQL: integers, text, booleans,
//! dates and UTC timestamps without offset. Enumerations are text with a CHECK constraint.

diesel::table! {
    organizations (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        parent_id -> Nullable<BigInt>,
        path -> Text,
        timezone -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        next_problem_number -> BigInt,
        evidence_required -> Nullable<Bool>,
        acknowledge_days -> Nullable<Integer>,
        warn_days -> Nullable<Integer>,
        recheck_days -> Nullable<Integer>,
        escalate_after_days -> Nullable<Integer>,
        leader_id -> Nullable<BigInt>,
        head_id -> Nullable<BigInt>,
        scorecard_weights -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        role -> Text,
        organization_id -> BigInt,
        password_hash -> Text,
        active -> Bool,
        password_changed_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reviews (id) {
        id -> BigInt,
        organization_id -> BigInt,
        title -> Text,
        kind -> Text,
        held_on -> Date,
        source_text -> Nullable<Text>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
        importing_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    review_aspects (review_id, position) {
        review_id -> BigInt,
        position -> Integer,
        name -> Text,
    }
}

diesel::table! {
    problems (id) {
        id -> BigInt,
        key -> Text,
        review_id -> BigInt,
        aspect -> Nullable<Text>,
        title -> Text,
        description -> Text,
        organization_id -> BigInt,
        owner_id -> Nullable<BigInt>,
        deadline -> Nullable<Date>,
        original_deadline -> Nullable<Date>,
        /// Generated: the deadline, or 9999-12-31 when there is none.
        due_sort -> Date,
        kind -> Text,
        status -> Text,
        extension_count -> Integer,
        created_by -> Nullable<BigInt>,
        submitted_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        version -> BigInt,
        acknowledge_by -> Nullable<Date>,
        acknowledged_at -> Nullable<Timestamp>,
        outcome -> Nullable<Text>,
        review_on -> Nullable<Date>,
        recheck_on -> Nullable<Date>,
        escalation_level -> Integer,
        escalated_deadline -> Nullable<Date>,
        next_escalation_on -> Nullable<Date>,
        lapses -> Integer,
    }
}

diesel::table! {
    causes (id) {
        id -> BigInt,
        review_id -> BigInt,
        title -> Text,
        description -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    measures (id) {
        id -> BigInt,
        review_id -> BigInt,
        title -> Text,
        description -> Text,
        owner_id -> Nullable<BigInt>,
        deadline -> Nullable<Date>,
        done -> Bool,
        done_at -> Nullable<Timestamp>,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    problem_causes (problem_id, cause_id) {
        problem_id -> BigInt,
        cause_id -> BigInt,
    }
}

diesel::table! {
    problem_measures (problem_id, measure_id) {
        problem_id -> BigInt,
        measure_id -> BigInt,
    }
}

diesel::table! {
    problem_notes (id) {
        id -> BigInt,
        problem_id -> BigInt,
        author_id -> Nullable<BigInt>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    problem_history (id) {
        id -> BigInt,
        problem_id -> BigInt,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        outcome -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (caller, key) {
        caller -> Text,
        key -> Text,
        fingerprint -> Text,
        status -> Integer,
        body -> Text,
        location -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    evidence (id) {
        id -> BigInt,
        problem_id -> BigInt,
        sha256 -> Text,
        size -> BigInt,
        content_type -> Text,
        file_name -> Text,
        description -> Text,
        uploaded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    extensions (id) {
        id -> BigInt,
        problem_id -> BigInt,
        requested_by -> Nullable<BigInt>,
        previous_deadline -> Date,
        new_deadline -> Date,
        reason -> Text,
        status -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    service_accounts (id) {
        id -> BigInt,
        name -> Text,
        organization_id -> BigInt,
        scopes -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    service_tokens (id) {
        id -> BigInt,
        account_id -> BigInt,
        token_hash -> Text,
        prefix -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_log (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        actor_name -> Text,
        request_id -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Text>,
        organization_path -> Nullable<Text>,
        changes -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        events -> Text,
        organization_id -> BigInt,
        secret -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        kind -> Text,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event -> Text,
        delivery_key -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        traceparent -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
    }
}

diesel::table! {
    overdue_notices (problem_id, deadline) {
        problem_id -> BigInt,
        deadline -> Date,
        noticed_at -> Timestamp,
    }
}

diesel::table! {
    digest_deliveries (id) {
        id -> BigInt,
        week -> Text,
        recipient_id -> BigInt,
        channel -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Per unit, review, aspect ('' for none) and day: how its problems' figures changed.
    progress_tallies (organization_id, review_id, aspect, day) {
        organization_id -> BigInt,
        review_id -> BigInt,
        aspect -> Text,
        day -> Date,
        total -> BigInt,
        draft -> BigInt,
        open -> BigInt,
        in_progress -> BigInt,
        submitted -> BigInt,
        closed -> BigInt,
        cancelled -> BigInt,
        overdue -> BigInt,
        due_soon -> BigInt,
        closed_on_time -> BigInt,
        seconds_to_close -> BigInt,
        extensions_granted -> BigInt,
        closed_rectified -> BigInt,
        closed_continuing -> BigInt,
        unrectified -> BigInt,
        acknowledgements_due -> BigInt,
        acknowledged_on_time -> BigInt,
    }
}

diesel::table! {
    /// 回头看: what each re-check of a closed problem found.
    problem_rechecks (id) {
        id -> BigInt,
        problem_id -> BigInt,
        outcome -> Text,
        note -> Text,
        recorded_by -> Nullable<BigInt>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    /// 督办 notices, numbered per issuing organization and year.
    supervision_notices (id) {
        id -> BigInt,
        issuing_organization_id -> BigInt,
        year -> Integer,
        number -> BigInt,
        recipient_organization_id -> BigInt,
        issued_by -> Nullable<BigInt>,
        subject -> Text,
        body -> Text,
        reply_by -> Date,
        for_deadline -> Nullable<Date>,
        reply -> Nullable<Text>,
        replied_by -> Nullable<BigInt>,
        replied_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notice_problems (notice_id, problem_id) {
        notice_id -> BigInt,
        problem_id -> BigInt,
    }
}

diesel::joinable!(notice_problems -> supervision_notices (notice_id));

diesel::table! {
    /// The evidence a reply to a 督办 notice cites.
    notice_evidence (notice_id, evidence_id) {
        notice_id -> BigInt,
        evidence_id -> BigInt,
    }
}

diesel::joinable!(notice_evidence -> evidence (evidence_id));

diesel::table! {
    /// 抄送: a user or an organization watching a problem or a whole review.
    watchers (id) {
        id -> BigInt,
        problem_id -> Nullable<BigInt>,
        review_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        organization_id -> Nullable<BigInt>,
        added_by -> Nullable<BigInt>,
        added_at -> Timestamp,
    }
}

diesel::table! {
    /// 问题反弹: a new problem flagged as possibly repeating a closed one of an earlier review.
    problem_recurrences (problem_id, earlier_id) {
        problem_id -> BigInt,
        earlier_id -> BigInt,
        score -> Double,
        decision -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    problem_reminders (problem_id, kind, due_on) {
        problem_id -> BigInt,
        kind -> Text,
        due_on -> Date,
        noticed_at -> Timestamp,
    }
}

diesel::joinable!(evidence -> problems (problem_id));
diesel::joinable!(extensions -> problems (problem_id));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(reviews -> organizations (organization_id));
diesel::joinable!(measures -> reviews (review_id));
diesel::joinable!(causes -> reviews (review_id));
diesel::joinable!(problems -> organizations (organization_id));
diesel::joinable!(problems -> reviews (review_id));
diesel::joinable!(problem_causes -> problems (problem_id));
diesel::joinable!(problem_causes -> causes (cause_id));
diesel::joinable!(problem_measures -> problems (problem_id));
diesel::joinable!(problem_measures -> measures (measure_id));
diesel::joinable!(service_tokens -> service_accounts (account_id));
diesel::joinable!(service_accounts -> organizations (organization_id));
diesel::joinable!(webhooks -> organizations (organization_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::joinable!(progress_tallies -> organizations (organization_id));
diesel::table! {
    credentials_generation (id) {
        id -> Integer,
        generation -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    organizations,
    progress_tallies,
    users,
    reviews,
    review_aspects,
    problems,
    causes,
    measures,
    problem_causes,
    problem_measures,
    problem_notes,
    problem_history,
    idempotency_keys,
    evidence,
    extensions,
    service_accounts,
    service_tokens,
    audit_log,
    audit_head,
    webhooks,
    webhook_deliveries,
    webhook_attempts,
    overdue_notices,
    digest_deliveries,
    problem_reminders,
    problem_rechecks,
    supervision_notices,
    notice_problems,
    notice_evidence,
    watchers,
    problem_recurrences,
);
