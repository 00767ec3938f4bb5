//! `ferry demo` as a newcomer runs it: the built binary, started from a folder that is not the
//! checkout, on a port of its own choosing.

use std::{process::Stdio, time::Duration};

use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
};

#[tokio::test]
async fn the_demo_runs_from_any_folder_on_any_port() {
    // Arrange: an empty working folder, and a data folder that does not exist yet
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let data_dir = elsewhere.path().join("data");
    let mut demo = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir)
        .current_dir(elsewhere.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start ferry demo");

    // Act: read the shop's address from the banner
    let mut banner = BufReader::new(demo.stdout.take().expect("stdout")).lines();
    let shop = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = banner.next_line().await.expect("read the banner") {
            if let Some(url) = line.trim().strip_prefix("Open the demo shop:") {
                return url.trim().to_owned();
            }
        }
        panic!("ferry demo ended before printing its banner");
    })
    .await
    .expect("the banner in time");

    // Assert: ready, serving the shop, and its pages may use the widget API on this port
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let base = shop.trim_end_matches("/demo/");
    let ready = client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz");
    let page = client.get(&shop).send().await.expect("the shop");
    let widget = client
        .get(format!("{base}/api/widget/demo/config"))
        .header("Origin", base)
        .send()
        .await
        .expect("the widget config");
    assert_eq!(ready.status(), 200);
    assert_eq!(page.status(), 200);
    assert_eq!(widget.status(), 200, "the page's own origin is allowed");
    assert!(data_dir.join("ferry-demo.db").is_file());
    demo.kill().await.expect("stop ferry demo");
}

#[tokio::test]
async fn the_demo_says_in_one_line_why_it_cannot_open_its_database() {
    // Arrange: a PostgreSQL URL nothing listens at
    let url = "postgres://ferry@127.0.0.1:1/ferry_demo";

    // Act
    let output = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["demo", "--listen", "127.0.0.1:0", "--database-url", url])
        .env("RUST_LOG", "error")
        .output()
        .await
        .expect("run ferry demo");

    // Assert: a failure, explained once, on one line
    let stderr = String::from_utf8_lossy(&output.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    assert!(!output.status.success());
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains(url), "{stderr}");
    assert_eq!(
        errors[0].matches("Connection refused").count(),
        1,
        "{stderr}"
    );
}

#[tokio::test]
async fn the_demo_banner_says_how_to_sign_in_to_the_inbox_and_that_works() {
    // Arrange
    let data = tempfile::tempdir().expect("temp dir");
    let mut demo = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start ferry demo");

    // Act: read the inbox's address and credentials from the banner
    let mut banner = BufReader::new(demo.stdout.take().expect("stdout")).lines();
    let inbox_line = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = banner.next_line().await.expect("read the banner") {
            if let Some(rest) = line.trim().strip_prefix("Operator inbox:") {
                return rest.trim().to_owned();
            }
        }
        panic!("ferry demo ended before telling how to sign in to the inbox");
    })
    .await
    .expect("the banner in time");
    let (inbox, how) = inbox_line.split_once(' ').expect("an address, then how");
    let (login, password) = how
        .trim()
        .trim_start_matches("(sign in as ")
        .trim_end_matches(')')
        .split_once(" with the password ")
        .expect("a login and a password");

    // Assert: those credentials sign in
    let origin = inbox.trim_end_matches("/inbox/");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let signed_in = client
        .post(format!("{origin}/inbox/api/login"))
        .header("Origin", origin)
        .json(&serde_json::json!({ "login": login, "password": password }))
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), 200, "{inbox_line}");
    demo.kill().await.expect("stop ferry demo");
}
