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

    // Generated clients name their functions after operation ids, and their classes after
    // schemas: ids must be unique and a page must name its items' schema, not copy it.
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let id = operation["operationId"].as_str().unwrap_or_default();
            assert!(
                ids.insert(id.to_owned()),
                "{method} {path}: operationId {id} is taken"
            );
        }
    }
    // Every reference names a schema the document holds.
    fn refs<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(target) = map.get("$ref").and_then(|r| r.as_str()) {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    for target in found {
        let name = target.trim_start_matches("#/components/schemas/");
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{target} is dangling"
        );
    }
    assert_eq!(
        doc["components"]["schemas"]["Page_Problem"]["properties"]["items"]["items"]["$ref"],
        "#/components/schemas/Problem"
    );
}

#[test]
fn interactive_docs_are_served_from_the_binary() {
    let app = spawn_app();
    let bare = app.call("GET", "/docs", None, None);
    assert_eq!(bare.status, 308);
    assert_eq!(bare.headers["location"], "/docs/");

    let page = app.call("GET", "/docs/", None, None);
    assert_eq!(page.status, 200);
    assert!(page.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(page.text.contains("swagger-ui-bundle.js"), "{}", page.text);

    // Every asset the page loads comes from this server, so the page works with no internet.
    let initializer = app.call("GET", "/docs/swagger-initializer.js", None, None);
    assert_eq!(initializer.status, 200);
    assert!(
        initializer.text.contains("\"/api/v1/openapi.json\""),
        "the page reads this server's document: {}",
        initializer.text
    );
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "swagger-ui.css",
    ] {
        let reply = app.call("GET", &format!("/docs/{asset}"), None, None);
        assert_eq!(reply.status, 200, "{asset}");
        assert!(reply.text.len() > 10_000, "{asset} is the real asset");
        assert!(
            !reply.text.contains("://unpkg.com"),
            "{asset} loads nothing from a CDN"
        );
    }
}
