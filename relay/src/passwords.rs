//! Operators' passwords: Argon2id hashes in PHC form, and checking a sign-in against them.
//!
//! The parameters are the `argon2` crate's defaults (Argon2id, 19 MiB, 2 passes, 1 lane: OWASP's
//! recommended minimum); they are stored in each hash, so raising them later keeps old hashes
//! valid. Checking a login that does not exist costs the same as checking a wrong password,
//! so the time a sign-in takes does not tell which logins exist.

use std::sync::LazyLock;

use argon2::{
    Algorithm, Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};

/// The shortest password `ferry hash-password` accepts, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why a password or a hash was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    /// Shorter than `MIN_PASSWORD_CHARS`.
    #[error("is shorter than {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// Not an Argon2id hash in PHC form.
    #[error("is not an Argon2id hash in PHC form (make one with `ferry hash-password`)")]
    NotArgon2id,
    /// Hashing failed (the parameters or the system's randomness).
    #[error("could not be hashed: {0}")]
    Hashing(String),
}

/// Hashes `password` with a fresh random salt.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    hash_any(password.as_bytes())
}

/// Hashes any bytes with a fresh random salt and the default parameters.
fn hash_any(password: &[u8]) -> Result<String, PasswordError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password, &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| PasswordError::Hashing(error.to_string()))
}

/// Checks that `hash` is an Argon2id hash in PHC form.
pub fn check_hash(hash: &str) -> Result<(), PasswordError> {
    let parsed = PasswordHash::new(hash).map_err(|_| PasswordError::NotArgon2id)?;
    if parsed.algorithm != Algorithm::Argon2id.ident() || parsed.hash.is_none() {
        return Err(PasswordError::NotArgon2id);
    }
    Ok(())
}

/// Whether `password` matches `hash`; `None` for `hash` checks the password against a hash
/// nobody's password matches, taking as long as a real check.
pub fn verify(password: &str, hash: Option<&str>) -> bool {
    static NOBODY: LazyLock<String> =
        LazyLock::new(|| hash_any(b"no operator has this password").unwrap_or_default());
    let (hash, real) = match hash {
        Some(hash) => (hash, true),
        None => (NOBODY.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    matches && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"), "{hash}");
        assert_eq!(check_hash(&hash), Ok(()));
        assert!(verify("correct horse battery", Some(&hash)));
        assert!(!verify("correct horse batterY", Some(&hash)));
    }

    #[test]
    fn the_same_password_hashes_differently_each_time() {
        assert_ne!(
            hash("correct horse battery").unwrap(),
            hash("correct horse battery").unwrap()
        );
    }

    #[test]
    fn a_short_password_is_refused() {
        assert_eq!(hash("elevenchars"), Err(PasswordError::TooShort));
        assert!(hash("twelve chars").is_ok());
    }

    #[test]
    fn a_login_that_does_not_exist_never_signs_in() {
        assert!(!verify("no operator has this password", None));
        assert!(!verify("", None));
    }

    #[test]
    fn only_argon2id_hashes_in_phc_form_are_accepted() {
        for refused in [
            "",
            "hunter2",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "$argon2i$v=19$m=16,t=2,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ",
        ] {
            assert_eq!(
                check_hash(refused),
                Err(PasswordError::NotArgon2id),
                "{refused}"
            );
        }
        assert!(!verify("anything", Some("not a hash")));
    }
}
