use rectify_tests::{json, spawn_app, PASSWORD};

#[test]
fn organizations_users_and_tokens_survive_a_restart() {
    let mut app = spawn_app();
    let org = app.create_org("DFSQ", "东风社区党委", None);
    let (user, token) = app.user_with_token("zhang.wei", "coordinator", org);

    app.restart();

    assert_eq!(
        app.get(&format!("/api/v1/organizations/{org}"), &app.admin_token)
            .expect(200)["name"],
        "东风社区党委"
    );
    assert_eq!(
        app.get(&format!("/api/v1/users/{user}"), &app.admin_token)
            .expect(200)["username"],
        "zhang.wei"
    );
    assert_eq!(
        app.get("/api/v1/auth/me", &token).expect(200)["user"]["id"],
        user,
        "tokens outlive a restart"
    );
    app.login("zhang.wei", PASSWORD);
    // The first start's bootstrap does not run again: still one root and one admin.
    let admins = app
        .get("/api/v1/users?role=admin&total=true", &app.admin_token)
        .expect(200);
    assert_eq!(admins["total"], 1);
    let _ = json!(null);
}

#[cfg(unix)]
#[test]
fn the_generated_signing_secret_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    if rectify_tests::on_postgres() {
        return; // PostgreSQL takes its secret from the configuration.
    }
    let app = spawn_app();
    let meta = std::fs::metadata(app.data_dir().join("jwt-secret")).expect("secret file kept");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
}
