//! OCEN timestamps: `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`; without a zone they mean IST.

use crate::error::Invalid;
use serde::{Serialize, Serializer};
use std::fmt;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// India Standard Time, the zone of a timestamp that names none.
pub const IST: UtcOffset = match UtcOffset::from_hms(5, 30, 0) {
    Ok(o) => o,
    Err(_) => panic!("IST is a valid offset"),
};

/// A point in time with the offset the lender wrote (IST when it wrote none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcenTimestamp(OffsetDateTime);

const EXPECTED: &str = "a timestamp YYYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm]";

impl OcenTimestamp {
    pub fn parse(s: &str) -> Result<OcenTimestamp, Invalid> {
        if s.is_empty() {
            return Err(Invalid::Missing);
        }
        if s.len() > 40 {
            return Err(Invalid::TooLong { max: 40 });
        }
        parse(s.as_bytes())
            .map(OcenTimestamp)
            .ok_or(Invalid::Format(EXPECTED))
    }

    pub fn from_offset_date_time(t: OffsetDateTime) -> OcenTimestamp {
        OcenTimestamp(t)
    }

    pub fn as_offset_date_time(self) -> OffsetDateTime {
        self.0
    }

    /// `now` in IST with milliseconds: what acks carry.
    pub fn ack_format(t: OffsetDateTime) -> String {
        let t = t.to_offset(IST);
        if (0..=9999).contains(&t.year()) {
            // Every callback's ack and event carry one: digits written directly, not through
            // `format!`'s machinery (a test holds it to the `format!` below).
            let mut out = String::with_capacity(29);
            let mut push = |n: u32, width: u32, then: char| {
                for place in (0..width).rev() {
                    out.push(char::from(b'0' + (n / 10u32.pow(place) % 10) as u8));
                }
                out.push(then);
            };
            push(t.year() as u32, 4, '-');
            push(u32::from(u8::from(t.month())), 2, '-');
            push(u32::from(t.day()), 2, 'T');
            push(u32::from(t.hour()), 2, ':');
            push(u32::from(t.minute()), 2, ':');
            push(u32::from(t.second()), 2, '.');
            push(u32::from(t.millisecond()), 3, '+');
            out.push_str("05:30");
            return out;
        }
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+05:30",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.millisecond()
        )
    }
}

impl OcenTimestamp {
    /// RFC 3339 as `time` spells it (`format(&Rfc3339)`: the fraction of a second without
    /// trailing zeros, `Z` for UTC), written digit by digit into `buf`: every payload carries
    /// one (a property test holds it to `time`). `None` outside years 0..=9999 or for an
    /// offset with seconds, which parsing rules out.
    fn rfc3339<'b>(&self, buf: &'b mut [u8; 48]) -> Option<&'b str> {
        let t = self.0;
        let offset = t.offset();
        if !(0..=9999).contains(&t.year()) || offset.seconds_past_minute() != 0 {
            return None;
        }
        let mut n = 0;
        let mut put = |value: u32, width: u32, then: Option<u8>| {
            for place in (0..width).rev() {
                buf[n] = b'0' + (value / 10u32.pow(place) % 10) as u8;
                n += 1;
            }
            if let Some(b) = then {
                buf[n] = b;
                n += 1;
            }
        };
        put(t.year() as u32, 4, Some(b'-'));
        put(u32::from(u8::from(t.month())), 2, Some(b'-'));
        put(u32::from(t.day()), 2, Some(b'T'));
        put(u32::from(t.hour()), 2, Some(b':'));
        put(u32::from(t.minute()), 2, Some(b':'));
        put(u32::from(t.second()), 2, None);
        let mut nanos = t.nanosecond();
        if nanos != 0 {
            let mut digits = 9;
            while nanos.is_multiple_of(10) {
                nanos /= 10;
                digits -= 1;
            }
            put(0, 0, Some(b'.'));
            put(nanos, digits, None);
        }
        if offset.is_utc() {
            put(0, 0, Some(b'Z'));
        } else {
            put(0, 0, Some(if offset.is_negative() { b'-' } else { b'+' }));
            put(offset.whole_hours().unsigned_abs().into(), 2, Some(b':'));
            put(offset.minutes_past_hour().unsigned_abs().into(), 2, None);
        }
        std::str::from_utf8(&buf[..n]).ok()
    }
}

impl fmt::Display for OcenTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rfc3339(&mut [0; 48]).ok_or(fmt::Error)?)
    }
}

impl Serialize for OcenTimestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.rfc3339(&mut [0; 48]) {
            Some(text) => s.serialize_str(text),
            None => Err(serde::ser::Error::custom(
                "a timestamp outside years 0..=9999",
            )),
        }
    }
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    b.iter().try_fold(0u32, |acc, d| {
        acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

fn parse(b: &[u8]) -> Option<OffsetDateTime> {
    // Date and time: fixed positions.
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = i32::try_from(num(&b[0..4])?).ok()?;
    let month = Month::try_from(u8::try_from(num(&b[5..7])?).ok()?).ok()?;
    let day = u8::try_from(num(&b[8..10])?).ok()?;
    let (hour, minute, second) = (num(&b[11..13])?, num(&b[14..16])?, num(&b[17..19])?);
    let mut rest = &b[19..];

    let mut nanos = 0u32;
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let n = after_dot.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 || n > 9 {
            return None;
        }
        nanos = num(&after_dot[..n])? * 10u32.pow(9 - n as u32);
        rest = &after_dot[n..];
    }

    let offset = match rest {
        [] => IST,
        [b'Z' | b'z'] => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let h = i8::try_from(num(&[*h1, *h2])?).ok()?;
            let m = i8::try_from(num(&[*m1, *m2])?).ok()?;
            if h > 23 || m > 59 {
                return None;
            }
            let sign = if *sign == b'-' { -1 } else { 1 };
            UtcOffset::from_hms(sign * h, sign * m, 0).ok()?
        }
        _ => return None,
    };

    // A leap second (`:60`) is refused: it cannot be represented exactly.
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms_nano(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        nanos,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::format_description::well_known::Rfc3339;
    use time::macros::datetime;

    fn ts(s: &str) -> OffsetDateTime {
        OcenTimestamp::parse(s).unwrap().as_offset_date_time()
    }

    #[test]
    fn a_zone_less_timestamp_is_ist() {
        assert_eq!(
            ts("1997-07-16T19:20:30"),
            datetime!(1997-07-16 19:20:30 +05:30)
        );
    }

    #[test]
    fn z_and_offsets_are_honoured() {
        assert_eq!(
            ts("2018-12-06T11:39:57.153Z"),
            datetime!(2018-12-06 11:39:57.153 UTC)
        );
        assert_eq!(
            ts("1997-07-16T19:20:30+05:30"),
            datetime!(1997-07-16 13:50:30 UTC)
        );
        assert_eq!(
            ts("1997-07-16T19:20:30-0400"),
            datetime!(1997-07-16 23:20:30 UTC)
        );
    }

    #[test]
    fn fractional_seconds_of_any_precision_up_to_nanos_are_accepted() {
        assert_eq!(
            ts("2024-01-01T00:00:00.1Z"),
            datetime!(2024-01-01 00:00:00.1 UTC)
        );
        assert_eq!(
            ts("2024-01-01T00:00:00.123456789Z"),
            datetime!(2024-01-01 00:00:00.123456789 UTC)
        );
        assert!(OcenTimestamp::parse("2024-01-01T00:00:00.1234567891Z").is_err());
        assert!(OcenTimestamp::parse("2024-01-01T00:00:00.Z").is_err());
    }

    #[test]
    fn leap_seconds_and_impossible_dates_are_refused() {
        for bad in [
            "2016-12-31T23:59:60Z",
            "2023-02-29T10:00:00Z",
            "2024-13-01T10:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T10:00:00+24:00",
        ] {
            assert!(
                matches!(OcenTimestamp::parse(bad), Err(Invalid::Format(_))),
                "{bad}"
            );
        }
        assert!(OcenTimestamp::parse("2024-02-29T23:59:59Z").is_ok());
    }

    #[test]
    fn other_shapes_are_refused() {
        for bad in [
            "2024-01-01",
            "2024-01-01 10:00:00",
            "1700000000",
            "2024-01-01T10:00:00Zjunk",
            "２０２４-01-01T10:00:00Z",
            "2024-01-01T10:00:00+5:30",
        ] {
            assert!(
                matches!(OcenTimestamp::parse(bad), Err(Invalid::Format(_))),
                "{bad}"
            );
        }
        assert_eq!(OcenTimestamp::parse(""), Err(Invalid::Missing));
        assert_eq!(
            OcenTimestamp::parse(&"1".repeat(10_000)),
            Err(Invalid::TooLong { max: 40 })
        );
    }

    #[test]
    fn timestamps_print_as_rfc3339_with_their_offset() {
        assert_eq!(
            OcenTimestamp::parse("1997-07-16T19:20:30")
                .unwrap()
                .to_string(),
            "1997-07-16T19:20:30+05:30"
        );
    }

    proptest::proptest! {
        #[test]
        fn the_ack_timestamp_is_written_as_format_writes_it(
            seconds in -377_000_000_000i64..253_402_000_000, millis in 0i64..1000
        ) {
            let t = OffsetDateTime::from_unix_timestamp(seconds).unwrap()
                + time::Duration::milliseconds(millis);
            let ist = t.to_offset(IST);
            let expected = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+05:30",
                ist.year(), u8::from(ist.month()), ist.day(), ist.hour(), ist.minute(),
                ist.second(), ist.millisecond()
            );
            proptest::prop_assert_eq!(OcenTimestamp::ack_format(t), expected);
        }

        #[test]
        fn a_timestamp_is_written_as_times_rfc3339_writes_it(
            seconds in -62_000_000_000i64..253_402_000_000,
            nanos in proptest::prop_oneof![0i64..1000, proptest::strategy::Strategy::prop_map(0i64..1000, |m| m * 1_000_000), 0i64..1_000_000_000],
            offset_minutes in -1439i32..1440,
        ) {
            let offset = UtcOffset::from_whole_seconds(offset_minutes * 60).unwrap();
            let t = (OffsetDateTime::from_unix_timestamp(seconds).unwrap()
                + time::Duration::nanoseconds(nanos))
            .to_offset(offset);
            proptest::prop_assume!((0..=9999).contains(&t.year()));
            let ts = OcenTimestamp::from_offset_date_time(t);
            let expected = t.format(&Rfc3339).unwrap();
            proptest::prop_assert_eq!(ts.to_string(), expected.clone());
            proptest::prop_assert_eq!(serde_json::to_string(&ts).unwrap(), format!("\"{expected}\""));
        }
    }

    #[test]
    fn a_timestamp_is_written_as_time_writes_it_in_utc_west_and_at_every_precision() {
        for (text, written) in [
            ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
            (
                "2024-01-02T03:04:05.100-03:30",
                "2024-01-02T03:04:05.1-03:30",
            ),
            (
                "0001-12-31T23:59:59.999+14:00",
                "0001-12-31T23:59:59.999+14:00",
            ),
            ("2024-01-02T03:04:05.000+00:00", "2024-01-02T03:04:05Z"),
            ("2024-01-02T03:04:05", "2024-01-02T03:04:05+05:30"),
        ] {
            let ts = OcenTimestamp::parse(text).unwrap();
            assert_eq!(ts.to_string(), written, "{text}");
            assert_eq!(
                ts.to_string(),
                ts.as_offset_date_time().format(&Rfc3339).unwrap()
            );
        }
        for nanos in [1, 10, 100_000_000, 123_456_789, 999_999_999] {
            let t = datetime!(2024-05-06 07:08:09 -11:45) + time::Duration::nanoseconds(nanos);
            let ts = OcenTimestamp::from_offset_date_time(t);
            assert_eq!(ts.to_string(), t.format(&Rfc3339).unwrap(), "{nanos}");
        }
    }

    #[test]
    fn acks_are_stamped_in_ist_with_milliseconds() {
        assert_eq!(
            OcenTimestamp::ack_format(datetime!(2024-01-01 00:00:00.5 UTC)),
            "2024-01-01T05:30:00.500+05:30"
        );
    }
}

/// A plan's `startDate` (`paymentplan.json`): its example is `18-12-2020`, day-month-year,
/// while every other date of the spec is ISO 8601. Both are accepted and kept as ISO:
/// `DD-MM-YYYY` is written `YYYY-MM-DD` (the same day), `YYYY-MM-DD` and a whole timestamp
/// stay as sent. Not a calendar day (`31-02-2020`) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanDate(String);

impl PlanDate {
    pub fn parse(s: &str) -> Result<PlanDate, Invalid> {
        const EXPECTED: &str = "a date YYYY-MM-DD or DD-MM-YYYY (or an ISO 8601 timestamp)";
        if s.is_empty() {
            return Err(Invalid::Missing);
        }
        if s.len() > 40 {
            return Err(Invalid::TooLong { max: 40 });
        }
        let b = s.as_bytes();
        let day = |y: u32, m: u32, d: u32| -> Option<Date> {
            Date::from_calendar_date(y as i32, Month::try_from(m as u8).ok()?, d as u8).ok()
        };
        let date = match b {
            [_, _, b'-', _, _, b'-', _, _, _, _] => {
                let (d, m, y) = (num(&b[0..2]), num(&b[3..5]), num(&b[6..10]));
                day(
                    y.ok_or(Invalid::Format(EXPECTED))?,
                    m.unwrap_or(0),
                    d.unwrap_or(0),
                )
            }
            [_, _, _, _, b'-', _, _, b'-', _, _] => {
                let (y, m, d) = (num(&b[0..4]), num(&b[5..7]), num(&b[8..10]));
                day(
                    y.ok_or(Invalid::Format(EXPECTED))?,
                    m.unwrap_or(0),
                    d.unwrap_or(0),
                )
            }
            _ => {
                return OcenTimestamp::parse(s)
                    .map(|_| PlanDate(s.to_string()))
                    .map_err(|_| Invalid::Format(EXPECTED))
            }
        };
        let date = date.ok_or(Invalid::Format(EXPECTED))?;
        Ok(PlanDate(format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for PlanDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod plan_date_tests {
    use super::*;

    #[test]
    fn the_specs_day_month_year_example_is_kept_as_the_same_iso_day() {
        assert_eq!(
            PlanDate::parse("18-12-2020").unwrap().as_str(),
            "2020-12-18"
        );
        assert_eq!(
            PlanDate::parse("2020-12-18").unwrap().as_str(),
            "2020-12-18"
        );
        assert_eq!(
            PlanDate::parse("2020-12-18T10:00:00+05:30")
                .unwrap()
                .as_str(),
            "2020-12-18T10:00:00+05:30"
        );
    }

    #[test]
    fn what_is_no_calendar_day_is_refused() {
        for bad in [
            "31-02-2020",
            "2020-13-01",
            "18/12/2020",
            "12-18-2020",
            "tomorrow",
            "1-1-2020",
        ] {
            assert!(PlanDate::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(PlanDate::parse(""), Err(Invalid::Missing));
    }
}
