//! The server under slow, idle and numerous clients: raw TCP sockets that stall where a
//! slowloris would, against a relay with short limits. Each wait is the server's own timer;
//! the outer timeouts only keep a broken server from hanging the test.

use std::time::{Duration, Instant};

use ferry_relay::config::Settings;
use ferry_tests::{TestApp, spawn_app_with};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

/// Far longer than any limit set below: reaching it means the server never acted.
const SAFETY_NET: Duration = Duration::from_secs(20);

/// A relay whose limits are `adjust`ed from generous ones, so only the limit under test acts.
async fn relay_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with(|settings| {
        settings.server.header_read_timeout_secs = 60;
        settings.server.idle_timeout_secs = 60;
        settings.server.request_body_timeout_secs = 60;
        adjust(settings);
    })
    .await
}

async fn connect(app: &TestApp) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    TcpStream::connect(address).await.expect("connect")
}

/// Everything the server sends until it closes the connection.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    tokio::time::timeout(SAFETY_NET, stream.read_to_end(&mut received))
        .await
        .expect("the server closed the connection in time")
        .expect("read");
    String::from_utf8_lossy(&received).into_owned()
}

/// One response, read up to the end of its `Content-Length` body; the connection stays open.
async fn read_response(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let complete = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n")?;
        let length: usize = head.lines().find_map(|line| {
            line.to_ascii_lowercase()
                .strip_prefix("content-length:")?
                .trim()
                .parse()
                .ok()
        })?;
        (body.len() >= length).then(|| text.to_string())
    };
    tokio::time::timeout(SAFETY_NET, async {
        loop {
            if let Some(response) = complete(&received) {
                return response;
            }
            let mut chunk = [0; 4096];
            let read = stream.read(&mut chunk).await.expect("read");
            assert!(read > 0, "closed before a whole response: {received:?}");
            received.extend_from_slice(&chunk[..read]);
        }
    })
    .await
    .expect("a response in time")
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n";

#[tokio::test]
async fn a_client_stalling_inside_its_request_line_is_disconnected() {
    let app = relay_with(|s| s.server.header_read_timeout_secs = 1).await;
    let mut stalled = connect(&app).await;

    stalled.write_all(b"GET /heal").await.unwrap();
    let started = Instant::now();
    read_until_closed(&mut stalled).await;

    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let app = relay_with(|s| s.server.idle_timeout_secs = 1).await;
    let mut client = connect(&app).await;

    client.write_all(HEALTHZ).await.unwrap();
    let answer = read_response(&mut client).await;
    let rest = read_until_closed(&mut client).await;

    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(rest, "", "nothing more after the answer, just the close");
}

#[tokio::test]
async fn a_request_body_trickling_in_too_slowly_gets_408() {
    let app = relay_with(|s| s.server.request_body_timeout_secs = 1).await;
    let mut client = connect(&app).await;
    let head = format!(
        "POST /api/widget/demo/events HTTP/1.1\r\nHost: relay\r\nOrigin: {}\r\n\
         Content-Type: application/json\r\nContent-Length: 200\r\n\r\n",
        app.origin()
    );

    client.write_all(head.as_bytes()).await.unwrap();
    client.write_all(br#"{"kind": "vi"#).await.unwrap();
    let answer = read_until_closed(&mut client).await;

    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"request_timeout""#), "{answer}");
    assert_eq!(app.count_rows("events").await, 0);
}

#[tokio::test]
async fn a_connection_beyond_the_limit_is_served_only_once_a_slot_frees() {
    // Arrange: one slot, held by a kept-alive connection until its header timer closes it
    let app = relay_with(|s| {
        s.server.max_connections = 1;
        s.server.header_read_timeout_secs = 1;
    })
    .await;
    let mut holder = connect(&app).await;
    holder.write_all(HEALTHZ).await.unwrap();
    read_response(&mut holder).await;
    let slot_taken = Instant::now();

    // Act: a second client asks while the slot is taken
    let mut waiting = connect(&app).await;
    waiting.write_all(HEALTHZ).await.unwrap();
    let answer = read_response(&mut waiting).await;
    let waited = slot_taken.elapsed();

    // Assert: it was answered, after the holder had been closed (about a second), not at once
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        waited >= Duration::from_millis(500),
        "answered after {waited:?}"
    );
    assert_eq!(read_until_closed(&mut holder).await, "");
}

#[tokio::test]
async fn ordinary_requests_are_served_over_http1_and_http2() {
    let app = relay_with(|s| {
        s.server.header_read_timeout_secs = 1;
        s.server.idle_timeout_secs = 1;
        s.server.request_body_timeout_secs = 1;
        s.server.max_connections = 2;
    })
    .await;
    let http2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let event = serde_json::json!({
        "kind": "view",
        "visit": { "page_url": format!("{}/demo/", app.address), "placement": "floating" }
    });

    for (client, version) in [(&app.client, "HTTP/1.1"), (&http2, "HTTP/2.0")] {
        let health = client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap();
        let recorded = client
            .post(format!("{}/api/widget/demo/events", app.address))
            .header("Origin", app.origin())
            .json(&event)
            .send()
            .await
            .unwrap();

        assert_eq!(format!("{:?}", health.version()), version);
        assert_eq!(health.status(), 200, "{version}");
        assert_eq!(recorded.status(), 202, "{version}");
    }
    assert_eq!(app.count_rows("events").await, 2);
}
