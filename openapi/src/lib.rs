//! Rectify's OpenAPI document as committed in `openapi/openapi.json`.

/// The document exactly as the server serves it at `/api/v1/openapi.json`.
pub fn document_json() -> String {
    let mut text = serde_json::to_string_pretty(&rectify::openapi_document())
        .expect("the OpenAPI document serialises");
    text.push('\n');
    text
}

/// Where the committed document lives.
pub fn committed_path() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}
