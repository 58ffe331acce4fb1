//! The validated body as the event's payload, and its canonical hash.
//!
//! - [`text`]: the payload's JSON, members in key order. Every scalar that validation left
//!   as the lender sent it (an unknown attribute, `extensibleData`, an id, a number) is
//!   written with the lender's own bytes from the body's tree ([`crate::wire::Json`]), so a
//!   number or a string is never re-spelled; what validation normalised (an amount to two
//!   decimals, a `credBlock` object to an array of one) is written as validated.
//! - [`hash`]: SHA-256 of the canonical payload (keys sorted, numbers by exact value,
//!   without the root `metadata`'s `timestamp` and `traceId`, which a lender's retry may
//!   renew): a retry hashes alike, a different body does not.

use crate::digest::Sha256Writer;
use crate::wire::Json;
use serde_json::{Number, Value};
use std::io::Write;

/// The payload's JSON: `payload` (the validated body), its scalars spelled as in `body`
/// where they are the same values.
pub fn text(payload: &Value, body: &Json<'_>) -> String {
    let mut out = Vec::with_capacity(1024);
    write(&mut out, payload, Some(body));
    String::from_utf8(out).expect("JSON text is UTF-8")
}

fn write(out: &mut Vec<u8>, value: &Value, sent: Option<&Json<'_>>) {
    match (value, sent) {
        (Value::Object(members), sent) => {
            out.push(b'{');
            for (i, (name, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, name).expect("a string always serialises");
                out.push(b':');
                write(out, item, sent.and_then(|s| s.get(name)));
            }
            out.push(b'}');
        }
        (Value::Array(items), Some(Json::Array(sent))) if items.len() == sent.len() => {
            out.push(b'[');
            for (i, (item, sent)) in items.iter().zip(sent).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(out, item, Some(sent));
            }
            out.push(b']');
        }
        // One object sent where the payload has an array of one (`credBlock`).
        (Value::Array(items), Some(sent @ Json::Object(_))) if items.len() == 1 => {
            out.push(b'[');
            write(out, &items[0], Some(sent));
            out.push(b']');
        }
        (Value::Array(items), _) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(out, item, None);
            }
            out.push(b']');
        }
        (scalar, Some(Json::Scalar(raw))) if same(scalar, raw.get()) => {
            out.extend_from_slice(raw.get().as_bytes())
        }
        (scalar, _) => serde_json::to_writer(&mut *out, scalar).expect("a scalar serialises"),
    }
}

/// Whether the lender's `spelled` scalar is `value`.
fn same(value: &Value, spelled: &str) -> bool {
    match value {
        // Most strings are spelled without escapes: compared in place, without decoding.
        Value::String(s) => match spelled
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
        {
            Some(inner) if !inner.contains('\\') => inner == s,
            Some(_) => serde_json::from_str::<String>(spelled).is_ok_and(|sent| sent == *s),
            None => false,
        },
        Value::Number(n) => spelled.parse::<Number>().is_ok_and(|sent| sent == *n),
        Value::Bool(b) => spelled == if *b { "true" } else { "false" },
        Value::Null => spelled == "null",
        _ => false,
    }
}

/// SHA-256 (lowercase hex) of the canonical payload (see the module).
pub fn hash(payload: &Value) -> String {
    // Buffered: the writer hands over keys, quotes and commas a few bytes at a time, and
    // each `update` of the hasher has a fixed cost.
    let mut hasher = std::io::BufWriter::with_capacity(1024, Sha256Writer::new());
    write_canonical(&mut hasher, payload, true).expect("hashing never fails to write");
    hasher.flush().expect("hashing never fails to write");
    let (hasher, _) = hasher.into_parts();
    hasher.finish_hex()
}

/// Members of the root's `metadata` the hash leaves out: they differ between a lender's
/// retries of one callback.
const UNHASHED_METADATA: &[&str] = &["timestamp", "traceId"];

/// Compact JSON of `value` with sorted keys (serde_json's `Map` is ordered by key) and
/// canonical numbers; at the root, `metadata.timestamp` and `metadata.traceId` left out.
fn write_canonical(w: &mut impl Write, value: &Value, root: bool) -> serde_json::Result<()> {
    let io = serde_json::Error::io;
    match value {
        Value::Number(n) => match canonical_number(n.as_str()).parse::<Number>() {
            Ok(c) => serde_json::to_writer(&mut *w, &c),
            Err(_) => serde_json::to_writer(&mut *w, n),
        },
        Value::Array(items) => {
            w.write_all(b"[").map_err(io)?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",").map_err(io)?;
                }
                write_canonical(w, item, false)?;
            }
            w.write_all(b"]").map_err(io)
        }
        Value::Object(map) => {
            w.write_all(b"{").map_err(io)?;
            let mut first = true;
            for (key, item) in map {
                if !first {
                    w.write_all(b",").map_err(io)?;
                }
                first = false;
                serde_json::to_writer(&mut *w, key)?;
                w.write_all(b":").map_err(io)?;
                match item {
                    Value::Object(meta) if root && key == "metadata" => {
                        write_members(w, meta, UNHASHED_METADATA)?
                    }
                    _ => write_canonical(w, item, false)?,
                }
            }
            w.write_all(b"}").map_err(io)
        }
        other => serde_json::to_writer(&mut *w, other),
    }
}

/// An object of [`write_canonical`] without the members named in `skip`.
fn write_members(
    w: &mut impl Write,
    map: &serde_json::Map<String, Value>,
    skip: &[&str],
) -> serde_json::Result<()> {
    let io = serde_json::Error::io;
    w.write_all(b"{").map_err(io)?;
    let kept = map.iter().filter(|(k, _)| !skip.contains(&k.as_str()));
    for (i, (key, item)) in kept.enumerate() {
        if i > 0 {
            w.write_all(b",").map_err(io)?;
        }
        serde_json::to_writer(&mut *w, key)?;
        w.write_all(b":").map_err(io)?;
        write_canonical(w, item, false)?;
    }
    w.write_all(b"}").map_err(io)
}

/// The canonical spelling of a JSON number, by exact decimal value: an integer that fits
/// 64 bits as plain digits (`1E3`, `1000.0` → `1000`; `-0` → `0`), anything else as
/// `[-]<digits without trailing zeros>e<exponent>` (`1.50` → `15e-1`,
/// `12345678901234567890123` → `12345678901234567890123e0`). Not a number → unchanged.
fn canonical_number(text: &str) -> String {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, "0"),
    };
    let Ok(exponent) = exponent.trim_start_matches('+').parse::<i64>() else {
        return text.to_string();
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return text.to_string();
    }
    let digits = format!("{int}{frac}");
    let digits = digits.trim_start_matches('0');
    let mut exponent = exponent - frac.len() as i64;
    let trimmed = digits.trim_end_matches('0');
    exponent += (digits.len() - trimmed.len()) as i64;
    if trimmed.is_empty() {
        return "0".to_string();
    }
    let sign = if negative { "-" } else { "" };
    if (0..=19).contains(&exponent) && trimmed.len() as i64 + exponent <= 20 {
        let plain = format!("{sign}{trimmed}{}", "0".repeat(exponent as usize));
        if plain.parse::<i64>().is_ok() || plain.parse::<u64>().is_ok() {
            return plain;
        }
    }
    format!("{sign}{trimmed}e{exponent}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn payload_text(validated: &Value, body: &str) -> String {
        let read = crate::wire::read(body.as_bytes()).unwrap();
        text(validated, &read.tree)
    }

    #[test]
    fn canonical_numbers_are_spelled_by_exact_value() {
        for (spelled, canonical) in [
            ("1000", "1000"),
            ("1E3", "1000"),
            ("1000.0", "1000"),
            ("-0", "0"),
            ("0.0e5", "0"),
            ("1.50", "15e-1"),
            ("-2.5E-3", "-25e-4"),
            ("12345678901234567890123", "12345678901234567890123e0"),
            ("18446744073709551615", "18446744073709551615"),
            ("18446744073709551616", "18446744073709551616e0"),
            ("not a number", "not a number"),
        ] {
            assert_eq!(canonical_number(spelled), canonical, "{spelled}");
        }
    }

    #[test]
    fn scalars_the_validation_left_alone_keep_the_lenders_bytes() {
        let body = r#"{"n": 1E15, "s": "caf\u00e9", "amount": "10.5", "x": {"k": [1.50, true]}}"#;
        let validated = json!({"n": 1e15, "s": "café", "amount": "10.50", "x": {"k": [1.5, true]}});
        // The tree's numbers, as validation reads them (exact digits).
        let validated: Value = serde_json::from_str(
            &validated
                .to_string()
                .replace("1000000000000000.0", "1E15")
                .replace("1.5", "1.50"),
        )
        .unwrap();
        let text = payload_text(&validated, body);
        assert_eq!(
            text,
            r#"{"amount":"10.50","n":1E15,"s":"caf\u00e9","x":{"k":[1.50,true]}}"#
        );
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), validated);
    }

    #[test]
    fn one_object_sent_for_an_array_of_one_keeps_its_spelling() {
        let text = payload_text(
            &serde_json::from_str(r#"{"credBlock": [{"n": 1E2}]}"#).unwrap(),
            r#"{"credBlock": {"n": 1E2}}"#,
        );
        assert_eq!(text, r#"{"credBlock":[{"n":1E2}]}"#);
    }

    #[test]
    fn a_retry_with_a_new_trace_id_and_timestamp_hashes_alike_and_another_body_does_not() {
        let a = json!({"metadata": {"orgId": "L", "timestamp": "t1", "traceId": "x1"}, "v": 1});
        let b = json!({"metadata": {"orgId": "L", "timestamp": "t2", "traceId": "x2"}, "v": 1});
        let c = json!({"metadata": {"orgId": "L", "timestamp": "t1", "traceId": "x1"}, "v": 2});
        assert_eq!(hash(&a), hash(&b));
        assert_ne!(hash(&a), hash(&c));
        // Nested metadata is hashed whole: only the root's members are left out.
        let d = json!({"metadata": {"orgId": "L"}, "x": {"metadata": {"traceId": "1"}}});
        let e = json!({"metadata": {"orgId": "L"}, "x": {"metadata": {"traceId": "2"}}});
        assert_ne!(hash(&d), hash(&e));
    }

    #[test]
    fn two_spellings_of_a_value_hash_alike_and_two_values_never_do() {
        let h = |text: &str| hash(&serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(h(r#"{"a":1E3,"b":[1.50]}"#), h(r#"{"b":[1.5],"a":1000}"#));
        assert_eq!(h(r#"{"a":-0}"#), h(r#"{"a":0.0}"#));
        // Neighbours a double cannot tell apart.
        assert_ne!(
            h(r#"{"account":12345678901234567890123}"#),
            h(r#"{"account":12345678901234567890124}"#)
        );
        assert_ne!(
            h(r#"{"a":9007199254740993}"#),
            h(r#"{"a":9007199254740992}"#)
        );
        assert_ne!(h(r#"{"a":1}"#), h(r#"{"a":"1"}"#));
    }

    #[test]
    fn the_hash_is_the_sha256_of_the_canonical_text() {
        let v = json!({"metadata": {"orgId": "L", "traceId": "x"}, "b": [1, "two"], "a": null});
        assert_eq!(
            hash(&v),
            crate::digest::sha256_hex(br#"{"a":null,"b":[1,"two"],"metadata":{"orgId":"L"}}"#)
        );
    }

    proptest! {
        #[test]
        fn the_payload_text_is_the_validated_value_whatever_was_sent(
            v in crate::service::tests::hostile_input::json_value()
        ) {
            let body = serde_json::json!({"x": v});
            let sent = body.to_string();
            let read = crate::wire::read(sent.as_bytes()).unwrap();
            let validated: Value = serde::Deserialize::deserialize(&read.tree).unwrap();
            let text = text(&validated, &read.tree);
            prop_assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), validated);
        }
    }
}
