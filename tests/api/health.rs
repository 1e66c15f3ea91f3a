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

#[test]
fn monitors_may_probe_with_head() {
    let app = spawn_app();
    for path in ["/healthz", "/readyz"] {
        let reply = app.send("HEAD", path, &[], vec![]);
        assert_eq!(reply.status, 200, "{path}");
        assert!(reply.text.is_empty(), "{path}: {:?}", reply.text);
    }
}

#[test]
fn answers_are_gzipped_for_clients_that_ask_and_plain_for_others() {
    use std::io::Read;
    let app = spawn_app();
    let get = |encoding: Option<&str>| {
        let mut request = ureq::get(app.url("/api/v1/openapi.json"));
        if let Some(encoding) = encoding {
            request = request.header("accept-encoding", encoding);
        }
        let mut response = request.call().unwrap();
        let header = response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = response
            .body_mut()
            .with_config()
            .limit(16 << 20)
            .read_to_vec()
            .unwrap();
        (header, bytes)
    };
    let (plain_encoding, plain) = get(None);
    assert_eq!(plain_encoding, None);
    let (encoding, zipped) = get(Some("gzip, deflate, br"));
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(zipped.len() * 5 < plain.len(), "{} of {}", zipped.len(), plain.len());
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain);
}
