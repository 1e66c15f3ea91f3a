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

diesel::joinable!(users -> organizations (organization_id));
diesel::allow_tables_to_appear_in_same_query!(organizations, users);
