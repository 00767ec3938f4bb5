//! Operators as an administrator sets them up: `ferry hash-password`, then `[[operators]]` in
//! the config, checked by `ferry check-config`.

use std::{
    io::Write,
    process::{Command, Output, Stdio},
};

use ferry_relay::passwords;

/// Runs `ferry` with `args`, writing `stdin` to it (not a terminal, so it reads one line).
fn ferry(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ferry");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write the password");
    child.wait_with_output().expect("ferry ends")
}

#[test]
fn hash_password_prints_a_hash_that_verifies_the_piped_password() {
    let output = ferry(&["hash-password"], "correct horse battery\n", &[]);

    assert!(output.status.success(), "{output:?}");
    let hash = String::from_utf8(output.stdout).expect("utf-8");
    let hash = hash.trim();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(passwords::verify("correct horse battery", Some(hash)));
    assert!(!passwords::verify("correct horse battery\n", Some(hash)));
}

#[test]
fn hash_password_refuses_a_short_password_in_one_line() {
    let output = ferry(&["hash-password"], "hunter2\n", &[]);

    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let error = String::from_utf8(output.stderr).expect("utf-8");
    assert_eq!(
        error.trim(),
        "error: the password is shorter than 12 characters"
    );
}

#[test]
fn check_config_lists_the_operators_and_never_their_hashes() {
    let hash = passwords::hash("correct horse battery").expect("hash");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("ferry.toml");
    let example = ferry(&["default-config"], "", &[]).stdout;
    std::fs::write(&config, example).expect("write the config");
    let secrets = [
        ("SHOP_FERRY_API_KEY", "example-value-0123456789abcdef0123"),
        ("SHOP_TELEGRAM_TOKEN", "123456:example-value-0123456789"),
        (
            "SHOP_TELEGRAM_WEBHOOK_SECRET",
            "example-value-0123456789abcdef",
        ),
        ("SHOP_WHATSAPP_TOKEN", "example-value-0123456789abcdef"),
        ("SHOP_META_APP_SECRET", "example-value-0123456789abcdef"),
        ("SHOP_META_VERIFY_TOKEN", "example-value-0123456789abcdef"),
        (
            "SHOP_MESSENGER_PAGE_TOKEN",
            "example-value-0123456789abcdef",
        ),
        ("SHOP_JWT_SECRET", "example-value-0123456789abcdef0123"),
        (
            "SHOP_FERRY_WEBHOOK_SECRET",
            "example-value-0123456789abcdef",
        ),
        ("SHOP_OPERATOR_ANNA_PASSWORD_HASH", hash.as_str()),
    ];

    let output = ferry(
        &["check-config", "--config", config.to_str().expect("path")],
        "",
        &secrets,
    );

    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        printed.contains("operator anna@shop.example (Anna): sites shop"),
        "{printed}"
    );
    assert!(!printed.contains("argon2"), "{printed}");
}
