//! A site's office hours, kept in its own time zone: whether someone is expected to answer now,
//! and when they next will be.
//!
//! In the config (`[sites.office_hours]`) each day is a list of local times,
//! `mon = "09:00-13:00, 14:00-18:00"`; a day left out is closed, and `24:00` ends a day. Times
//! are wall-clock times in `time_zone` (an IANA name), so a shop that opens at nine opens at nine
//! in summer and in winter. On the day clocks go forward, an opening time that does not exist
//! that day counts from the same wall-clock distance after the change.

use jiff::{
    Timestamp, Zoned,
    civil::{Date, Weekday},
    tz::TimeZone,
};
use serde::Deserialize;

use super::Millis;

const MINUTES_PER_DAY: u16 = 24 * 60;

/// When a site has someone to answer, week by week.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "OfficeHoursConfig")]
pub struct OfficeHours {
    time_zone: TimeZone,
    /// Monday first; each day's opening spans, sorted and apart.
    week: [Vec<Span>; 7],
}

/// Opening from `start` to `end` (exclusive), in minutes after local midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u16,
    end: u16,
}

/// `[sites.office_hours]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OfficeHoursConfig {
    /// IANA time zone, e.g. `Europe/Vilnius`.
    time_zone: String,
    mon: Option<String>,
    tue: Option<String>,
    wed: Option<String>,
    thu: Option<String>,
    fri: Option<String>,
    sat: Option<String>,
    sun: Option<String>,
}

impl TryFrom<OfficeHoursConfig> for OfficeHours {
    type Error = String;

    fn try_from(config: OfficeHoursConfig) -> Result<Self, String> {
        let time_zone = TimeZone::get(&config.time_zone).map_err(|_| {
            format!(
                "office_hours.time_zone {:?} is not an IANA time zone (e.g. \"Europe/Vilnius\")",
                config.time_zone
            )
        })?;
        let days = [
            ("mon", config.mon),
            ("tue", config.tue),
            ("wed", config.wed),
            ("thu", config.thu),
            ("fri", config.fri),
            ("sat", config.sat),
            ("sun", config.sun),
        ];
        let mut week: [Vec<Span>; 7] = Default::default();
        for ((name, text), spans) in days.into_iter().zip(&mut week) {
            if let Some(text) = text {
                *spans =
                    parse_day(&text).map_err(|error| format!("office_hours.{name}: {error}"))?;
            }
        }
        Ok(Self { time_zone, week })
    }
}

/// `"09:00-13:00, 14:00-18:00"`: spans in order, none overlapping. An empty text is a closed day.
fn parse_day(text: &str) -> Result<Vec<Span>, String> {
    let mut spans: Vec<Span> = Vec::new();
    for part in text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        let (start, end) = part
            .split_once('-')
            .ok_or_else(|| format!("{part:?} is not a range like \"09:00-18:00\""))?;
        let span = Span {
            start: parse_time(start.trim(), false)?,
            end: parse_time(end.trim(), true)?,
        };
        if span.start >= span.end {
            return Err(format!("{part:?} ends before it starts"));
        }
        if spans.last().is_some_and(|last| last.end > span.start) {
            return Err(format!("{part:?} overlaps or precedes the range before it"));
        }
        spans.push(span);
    }
    Ok(spans)
}

/// `HH:MM` in minutes after midnight; `24:00` only as an end.
fn parse_time(text: &str, is_end: bool) -> Result<u16, String> {
    let invalid = || format!("{text:?} is not a time like \"09:30\"");
    let (hours, minutes) = text.split_once(':').ok_or_else(invalid)?;
    if hours.len() != 2 || minutes.len() != 2 {
        return Err(invalid());
    }
    let hours: u16 = hours.parse().map_err(|_| invalid())?;
    let minutes: u16 = minutes.parse().map_err(|_| invalid())?;
    let time = hours * 60 + minutes;
    if minutes >= 60 || time > MINUTES_PER_DAY || (time == MINUTES_PER_DAY && !is_end) {
        return Err(invalid());
    }
    Ok(time)
}

impl OfficeHours {
    /// Whether `at` falls within the office hours.
    pub fn is_open(&self, at: Millis) -> bool {
        let Some(local) = self.local(at) else {
            return false;
        };
        let minute = u16::try_from(local.hour()).unwrap_or(0) * 60
            + u16::try_from(local.minute()).unwrap_or(0);
        self.spans(local.weekday())
            .iter()
            .any(|span| span.start <= minute && minute < span.end)
    }

    /// The first instant at or after `at` within the office hours (`at` itself when open);
    /// `None` if no day has any.
    pub fn next_opening(&self, at: Millis) -> Option<Millis> {
        if self.is_open(at) {
            return Some(at);
        }
        let today = self.local(at)?.date();
        // Eight days: today's later spans, the next six days, and today's weekday next week.
        for offset in 0..8 {
            let date = today.checked_add(jiff::Span::new().days(offset)).ok()?;
            for span in self.spans(date.weekday()) {
                let opens = self.instant(date, span.start)?;
                if opens >= at {
                    return Some(opens);
                }
            }
        }
        None
    }

    fn spans(&self, weekday: Weekday) -> &[Span] {
        &self.week[usize::from(weekday.to_monday_zero_offset().unsigned_abs())]
    }

    fn local(&self, at: Millis) -> Option<Zoned> {
        Timestamp::from_millisecond(at)
            .ok()
            .map(|instant| instant.to_zoned(self.time_zone.clone()))
    }

    /// The instant of `minute` after local midnight on `date` (a time skipped by a clock change
    /// is taken as the same distance after it).
    fn instant(&self, date: Date, minute: u16) -> Option<Millis> {
        let hour = i8::try_from(minute / 60).ok()?;
        let minute = i8::try_from(minute % 60).ok()?;
        let zoned = date
            .at(hour, minute, 0, 0)
            .to_zoned(self.time_zone.clone())
            .ok()?;
        Some(zoned.timestamp().as_millisecond())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(toml_text: &str) -> Result<OfficeHours, String> {
        toml::from_str::<OfficeHours>(toml_text).map_err(|e| e.message().to_owned())
    }

    fn vilnius_shop() -> OfficeHours {
        hours(
            r#"
            time_zone = "Europe/Vilnius"
            mon = "09:00-13:00, 14:00-18:00"
            tue = "09:00-18:00"
            wed = "09:00-18:00"
            thu = "09:00-18:00"
            fri = "09:00-17:00"
            "#,
        )
        .unwrap()
    }

    fn at(utc: &str) -> Millis {
        utc.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn the_shop_is_open_within_its_local_hours_only() {
        let shop = vilnius_shop();
        // Vilnius is UTC+2 in winter: 2026-11-30 is a Monday.
        for (utc, open) in [
            ("2026-11-30T06:59:59Z", false),
            ("2026-11-30T07:00:00Z", true),
            ("2026-11-30T10:59:59Z", true),
            ("2026-11-30T11:00:00Z", false), // lunch
            ("2026-11-30T12:00:00Z", true),
            ("2026-11-30T16:00:00Z", false),
            ("2026-12-05T10:00:00Z", false), // Saturday
        ] {
            assert_eq!(shop.is_open(at(utc)), open, "{utc}");
        }
    }

    #[test]
    fn the_next_opening_is_after_lunch_the_next_morning_or_after_the_weekend() {
        let shop = vilnius_shop();
        for (utc, next) in [
            ("2026-11-30T08:00:00Z", "2026-11-30T08:00:00Z"), // open now
            ("2026-11-30T11:30:00Z", "2026-11-30T12:00:00Z"),
            ("2026-11-30T17:00:00Z", "2026-12-01T07:00:00Z"),
            ("2026-12-04T16:00:00Z", "2026-12-07T07:00:00Z"), // Friday evening
        ] {
            assert_eq!(shop.next_opening(at(utc)), Some(at(next)), "{utc}");
        }
    }

    #[test]
    fn hours_follow_the_local_clock_across_summer_time() {
        let shop = vilnius_shop();
        // Clocks went forward on Sunday 2026-03-29: Monday opens at 09:00 local = 06:00 UTC.
        assert!(!shop.is_open(at("2026-03-30T05:59:00Z")));
        assert!(shop.is_open(at("2026-03-30T06:00:00Z")));
        assert_eq!(
            shop.next_opening(at("2026-03-28T12:00:00Z")),
            Some(at("2026-03-30T06:00:00Z"))
        );
    }

    #[test]
    fn an_opening_skipped_by_the_clock_change_counts_from_after_it() {
        let night = hours("time_zone = \"Europe/Vilnius\"\nsun = \"03:30-05:00\"").unwrap();
        // 03:30 did not exist on 2026-03-29 (03:00 became 04:00): it opens at 04:30 local.
        assert_eq!(
            night.next_opening(at("2026-03-28T12:00:00Z")),
            Some(at("2026-03-29T01:30:00Z"))
        );
    }

    #[test]
    fn a_shop_open_round_the_clock_on_one_day_and_a_shop_never_open() {
        let sundays = hours("time_zone = \"UTC\"\nsun = \"00:00-24:00\"").unwrap();
        assert!(sundays.is_open(at("2026-11-29T23:59:59Z")));
        assert!(!sundays.is_open(at("2026-11-30T00:00:00Z")));
        let never = hours("time_zone = \"UTC\"").unwrap();
        assert!(!never.is_open(at("2026-11-30T12:00:00Z")));
        assert_eq!(never.next_opening(at("2026-11-30T12:00:00Z")), None);
    }

    #[test]
    fn absurd_instants_are_closed_without_panicking() {
        let shop = vilnius_shop();
        assert!(!shop.is_open(Millis::MAX));
        assert!(!shop.is_open(Millis::MIN));
        assert_eq!(shop.next_opening(Millis::MAX), None);
    }

    #[test]
    fn malformed_hours_are_refused_saying_where() {
        for (text, expected) in [
            ("time_zone = \"Mars/Olympus\"", "not an IANA time zone"),
            (
                "time_zone = \"UTC\"\nmon = \"9-18\"",
                "office_hours.mon: \"9\" is not a time",
            ),
            (
                "time_zone = \"UTC\"\ntue = \"18:00-09:00\"",
                "ends before it starts",
            ),
            (
                "time_zone = \"UTC\"\nwed = \"09:00-13:00, 12:00-18:00\"",
                "overlaps",
            ),
            (
                "time_zone = \"UTC\"\nthu = \"24:00-24:00\"",
                "\"24:00\" is not a time",
            ),
            (
                "time_zone = \"UTC\"\nfri = \"09:60-10:00\"",
                "\"09:60\" is not a time",
            ),
            ("time_zone = \"UTC\"\nfri = \"09:00\"", "is not a range"),
            (
                "time_zone = \"UTC\"\nholiday = \"09:00-10:00\"",
                "unknown field",
            ),
        ] {
            let error = hours(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
