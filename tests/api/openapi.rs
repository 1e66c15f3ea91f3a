use rectify_tests::spawn_app;

#[test]
fn the_served_document_is_the_committed_one() {
    let app = spawn_app();
    let served = app.call("GET", "/api/v1/openapi.json", None, None);
    assert_eq!(served.status, 200);
    let committed = std::fs::read_to_string(rectify_openapi::committed_path())
        .expect("openapi/openapi.json is committed");
    assert!(
        served.text == committed,
        "openapi/openapi.json is stale: run `cargo run -p rectify-openapi` and commit it"
    );
    let doc = served.json();
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    for path in [
        "/api/v1/auth/login",
        "/api/v1/organizations/{id}",
        "/api/v1/users",
        "/healthz",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    assert!(doc["components"]["securitySchemes"].get("bearer").is_some());
}
