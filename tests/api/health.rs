use rectify_tests::spawn_app;

#[test]
fn liveness_and_readiness_answer_without_a_token() {
    let app = spawn_app();
    assert_eq!(
        app.call("GET", "/healthz", None, None).expect(200)["status"],
        "ok"
    );
    assert_eq!(
        app.call("GET", "/readyz", None, None).expect(200)["status"],
        "ready"
    );
}

#[test]
fn every_response_carries_a_request_id_and_a_client_id_is_kept() {
    let app = spawn_app();
    let generated = app.call("GET", "/healthz", None, None);
    let id = generated
        .header("x-request-id")
        .expect("an id is generated");
    assert_eq!(id.len(), 36, "a UUID: {id}");

    let kept = app.send(
        "GET",
        "/api/v1/auth/me",
        &[("x-request-id", "office-42-abc")],
        vec![],
    );
    assert_eq!(kept.header("x-request-id"), Some("office-42-abc"));
    assert_eq!(kept.status, 401, "errors carry the id too");
}
