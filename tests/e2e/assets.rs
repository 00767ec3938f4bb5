//! How the widget's files are served: precompressed, cacheable, loadable cross-origin.

use ferry_tests::spawn_app;

/// The built widget's app module name, read from the loader (None when the widget is not built).
fn built_wasm() -> Option<String> {
    let loader = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../static/widget/widget.js"
    ))
    .ok()?;
    let end = loader.find("_bg.wasm")? + "_bg.wasm".len();
    let start = loader[..end].rfind("app-")?;
    Some(loader[start..end].to_owned())
}

#[tokio::test]
async fn the_widget_is_served_brotli_compressed_with_cache_and_cors_headers() {
    let Some(wasm) = built_wasm() else {
        assert!(
            std::env::var_os("FERRY_REQUIRE_BROWSER").is_none(),
            "the widget is not built (bash widget/build.sh)"
        );
        return eprintln!("skipping: the widget is not built");
    };
    let app = spawn_app().await;
    let get = |path: String| {
        app.client
            .get(format!("{}{path}", app.address))
            .header("accept-encoding", "br, gzip")
            .send()
    };

    let loader = get("/widget.js".into()).await.unwrap();
    let module = get(format!("/widget/{wasm}")).await.unwrap();

    for (response, cache) in [
        (&loader, "public, max-age=300"),
        (&module, "public, max-age=31536000, immutable"),
    ] {
        assert_eq!(response.status(), 200);
        let headers = response.headers();
        assert_eq!(headers["content-encoding"], "br");
        assert_eq!(headers["cache-control"], cache);
        assert_eq!(headers["vary"], "accept-encoding");
        assert_eq!(headers["access-control-allow-origin"], "*");
    }
    assert_eq!(module.headers()["content-type"], "application/wasm");
}

#[tokio::test]
async fn a_missing_widget_file_is_a_404() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(format!("{}/widget/app-00000000.js", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}
