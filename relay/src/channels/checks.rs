//! What every platform's webhook values must be before Ferry keeps them: times a clock can show,
//! ids an address can be, refs a deep link can carry.
//!
//! A body that is signed correctly can still hold values no platform sends (a forged app, a
//! bug, a replay tool). They are refused at the door with `400 malformed_payload`, before
//! anything is stored, rather than overflowing arithmetic or landing in the database.

use serde::{Deserialize, Deserializer, de::Error};

use super::PayloadError;
use crate::domain::{Millis, PlatformUserId};

/// The latest accepted event time, 3000-01-01T00:00:00Z, in Unix seconds. Platforms stamp events
/// with the present; the bound only keeps every accepted time representable in milliseconds,
/// in RFC 3339 and in the database, with centuries to spare.
pub const LATEST_SECONDS: i64 = 32_503_680_000;

const EXPECTED_SECONDS: &str = "a Unix time in seconds from 1970 to the year 3000";
const EXPECTED_MILLIS: &str = "a Unix time in milliseconds from 1970 to the year 3000";

/// Seconds since 1970 as stored milliseconds, if `0 <= seconds <` the year 3000.
pub fn millis_from_seconds(seconds: i64) -> Option<Millis> {
    (0..LATEST_SECONDS)
        .contains(&seconds)
        .then(|| seconds.checked_mul(1000))
        .flatten()
}

/// Milliseconds since 1970 as a JSON number of any kind (Messenger writes `1492414608982.0`),
/// if finite and `0 <=` it `<` the year 3000. Fractions of a millisecond are dropped.
pub fn millis_from_number(millis: f64) -> Option<Millis> {
    #[allow(clippy::cast_precision_loss)] // the bound is exact in f64 (below 2^53)
    let latest = (LATEST_SECONDS * 1000) as f64;
    #[allow(clippy::cast_possible_truncation)] // checked to lie within 0..latest
    (millis.is_finite() && (0.0..latest).contains(&millis)).then_some(millis as Millis)
}

/// `deserialize_with` for a Unix time in seconds written as a JSON integer (Telegram's `date`).
pub fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Millis, D::Error> {
    let seconds = i64::deserialize(deserializer)?;
    millis_from_seconds(seconds).ok_or_else(|| {
        D::Error::invalid_value(serde::de::Unexpected::Signed(seconds), &EXPECTED_SECONDS)
    })
}

/// `deserialize_with` for a Unix time in seconds written as a string (WhatsApp's `timestamp`).
pub fn seconds_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Millis, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse()
        .ok()
        .and_then(millis_from_seconds)
        .ok_or_else(|| {
            D::Error::invalid_value(serde::de::Unexpected::Str(&text), &EXPECTED_SECONDS)
        })
}

/// `deserialize_with` for an optional Unix time in milliseconds (Messenger's `timestamp`,
/// absent on delivery and read receipts).
pub fn optional_millis<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Millis>, D::Error> {
    match Option::<f64>::deserialize(deserializer)? {
        None => Ok(None),
        Some(number) => millis_from_number(number).map(Some).ok_or_else(|| {
            D::Error::invalid_value(serde::de::Unexpected::Float(number), &EXPECTED_MILLIS)
        }),
    }
}

/// A person's id as the platform sent it, or why it is no id: empty, not printable ASCII, or
/// longer than 128 characters. `what` names the field in the error.
pub fn user(
    platform: &'static str,
    what: &str,
    id: String,
) -> Result<PlatformUserId, PayloadError> {
    PlatformUserId::parse(id).ok_or_else(|| {
        PayloadError::malformed(
            platform,
            format!("{what} must be 1-128 printable ASCII characters"),
        )
    })
}

/// The ref a platform delivered, if it is one a deep link can carry (`ferry_wire::refs`).
/// Anything else — too long, markup, binary — is treated as no ref: the person still subscribes,
/// attributed as direct, and the junk goes nowhere.
pub fn link_ref(delivered: Option<String>) -> Option<String> {
    delivered.filter(|reference| ferry_wire::refs::is_link_safe(reference))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_second_is_the_start_of_the_year_3000() {
        let year_3000 = time::macros::datetime!(3000-01-01 0:00 UTC);
        assert_eq!(year_3000.unix_timestamp(), LATEST_SECONDS);
    }

    #[test]
    fn seconds_from_1970_to_before_3000_are_times() {
        assert_eq!(millis_from_seconds(0), Some(0));
        assert_eq!(millis_from_seconds(1_763_733_600), Some(1_763_733_600_000));
        assert_eq!(
            millis_from_seconds(LATEST_SECONDS - 1),
            Some(LATEST_SECONDS * 1000 - 1000)
        );
        for absurd in [
            -1,
            LATEST_SECONDS,
            -9_223_372_036_854_775,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(millis_from_seconds(absurd), None, "{absurd}");
        }
    }

    #[test]
    fn millisecond_numbers_must_be_finite_and_in_range() {
        assert_eq!(
            millis_from_number(1_492_414_608_982.0),
            Some(1_492_414_608_982)
        );
        assert_eq!(millis_from_number(0.0), Some(0));
        for absurd in [-1e19, 1e300, 9.3e18, -0.5, f64::NAN, f64::INFINITY] {
            assert_eq!(millis_from_number(absurd), None, "{absurd}");
        }
    }

    #[test]
    fn deserialising_a_time_names_what_was_expected() {
        #[derive(Deserialize, Debug)]
        struct Stamped {
            #[serde(deserialize_with = "seconds_text")]
            #[allow(dead_code)]
            timestamp: Millis,
        }
        let error = serde_json::from_str::<Stamped>(r#"{"timestamp":"9223372036854775807"}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("year 3000"), "{error}");
        assert!(serde_json::from_str::<Stamped>(r#"{"timestamp":"soon"}"#).is_err());
        assert!(serde_json::from_str::<Stamped>(r#"{"timestamp":"1697043223"}"#).is_ok());
    }

    #[test]
    fn ids_must_be_printable_ascii_of_at_most_128_characters() {
        assert!(user("messenger", "sender.id", "1476077422222289".into()).is_ok());
        for absurd in [
            String::new(),
            "ünïcode".into(),
            "a b".into(),
            "9".repeat(129),
        ] {
            assert!(user("messenger", "sender.id", absurd).is_err());
        }
    }

    #[test]
    fn refs_that_cannot_travel_in_a_link_are_dropped() {
        assert_eq!(link_ref(Some("aaaa".into())).as_deref(), Some("aaaa"));
        assert_eq!(link_ref(Some("x".repeat(65))), None);
        assert_eq!(link_ref(Some("<script>alert(1)</script>".into())), None);
        assert_eq!(link_ref(None), None);
    }
}
