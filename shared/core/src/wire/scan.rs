//! One pass over a callback's bytes before anything is built from them: the JSON syntax, the
//! nesting depth, repeated member names, the ids an ack and the log need
//! (`metadata.traceId`, `metadata.orgId`, `requestId`) and whether the body has numbers.
//!
//! It replaces, for the common body, a `serde_json::Value` of the whole body (read for the
//! ids and the depth, then dropped) and a second pass for repeated names. A body it does not
//! pass cleanly (not JSON, not an object, too deep, a repeated name) or that has numbers
//! (whose spelling is restored from a `Value`, `crate::event::restore_numbers`) takes the
//! full path, which says precisely what is wrong; so this pass only decides, never answers.

use super::duplicates::Seen;
use std::borrow::Cow;

/// The key under which serde_json (`arbitrary_precision`) hands a number to a visitor.
pub(super) const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// What the pass found in a body that passed it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan<'de> {
    /// `metadata.traceId`, when it is a string.
    pub trace_id: Option<Cow<'de, str>>,
    /// `metadata.orgId`, when it is a string.
    pub org_id: Option<Cow<'de, str>>,
    /// `requestId`, when it is a string.
    pub request_id: Option<Cow<'de, str>>,
    /// The body has a number somewhere (or names a member as serde_json's number token).
    pub numbers: bool,
}

/// Read `bytes` once. `None` when the body is not a JSON object, nests objects and arrays
/// deeper than `max_depth` levels (the body itself is level 1), names a member twice in
/// one object, or is not JSON at all: the caller's full path says which.
///
/// The [`Reader`] below, through the one reading's deserializer ([`super::read`]) into
/// nothing: it accepts exactly the JSON serde_json accepts (a property test holds it to
/// serde_json on random and mutated bodies). The body must be UTF-8 as a whole; a string
/// with an escape is checked and decoded by serde_json itself.
pub fn scan(bytes: &[u8], max_depth: usize) -> Option<Scan<'_>> {
    super::read::pass(bytes, max_depth)
}

/// The first index from `i` on of a byte a string's reader must look at (`"`, `\\` or a
/// control character), eight bytes at a time (the lowest flagged byte of a word is exact).
fn plain_run(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    while let Some(Ok(word)) = bytes.get(i..i + 8).map(<[u8; 8]>::try_from) {
        let x = u64::from_le_bytes(word);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let found = ((quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x))
            & HIGH;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

/// Where a value is: the members the pass reads are at known places.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    Root,
    /// The root's `metadata`.
    Metadata,
    /// Anywhere else.
    Other,
}

pub(super) struct Reader<'a> {
    pub(super) text: &'a str,
    pub(super) at: usize,
    pub(super) max_depth: usize,
    /// The member names of the open objects, each object's after its parent's (one
    /// allocation for the whole pass).
    pub(super) names: Vec<Cow<'a, str>>,
    pub(super) scan: Scan<'a>,
    /// Numbers are read and noted (the pass), not given up on (the one reading).
    pub(super) numbers_allowed: bool,
}

impl<'a> Reader<'a> {
    pub(super) fn new(text: &'a str, max_depth: usize) -> Reader<'a> {
        Reader {
            text,
            at: 0,
            max_depth,
            names: Vec::with_capacity(32),
            scan: Scan::default(),
            numbers_allowed: false,
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    pub(super) fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Before an object's member or an array's element: `true` past the closing byte
    /// `close`, `false` at the next item (past its comma unless it is the `first`); `None`
    /// for anything else.
    pub(super) fn next_item(&mut self, close: u8, first: bool) -> Option<bool> {
        self.whitespace();
        match (self.peek()?, first) {
            (b, _) if b == close => {
                self.at += 1;
                return Some(true);
            }
            (b',', false) => {
                self.at += 1;
                self.whitespace();
            }
            (_, true) => {}
            _ => return None,
        }
        Some(false)
    }

    pub(super) fn expect(&mut self, literal: &str) -> Option<()> {
        self.text[self.at..].starts_with(literal).then(|| {
            self.at += literal.len();
        })
    }

    /// Adds a member name of the object whose names begin at `start` (or are in `many`,
    /// once there are many); `None` when the object already has it.
    pub(super) fn add_name(
        &mut self,
        start: usize,
        many: &mut Option<Seen<'a>>,
        name: Cow<'a, str>,
    ) -> Option<()> {
        let names = &mut self.names;
        let repeated = match many {
            Some(set) => set.insert(name).is_err(),
            None if names[start..].contains(&name) => true,
            None if names.len() - start < Seen::SCAN => {
                names.push(name);
                false
            }
            None => {
                let mut set = Seen::default();
                for n in names.drain(start..) {
                    let _ = set.insert(n);
                }
                let repeated = set.insert(name).is_err();
                *many = Some(set);
                repeated
            }
        };
        (!repeated).then_some(())
    }

    /// A string (at its opening quote): borrowed when it has no escape; else checked and
    /// decoded by serde_json, which knows every rule of escapes (surrogate pairs).
    pub(super) fn string(&mut self) -> Option<Cow<'a, str>> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            i = plain_run(bytes, i);
            match *bytes.get(i)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    // The escaped character is ASCII when valid; serde_json checks it below.
                    i += 2;
                }
                0x00..=0x1f => return None,
                _ => i += 1,
            }
        }
        self.at = i + 1;
        if escaped {
            serde_json::from_str::<String>(&self.text[start..=i])
                .ok()
                .map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(&self.text[start + 1..i]))
        }
    }

    /// A number, as serde_json reads one: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    pub(super) fn number(&mut self) -> Option<()> {
        self.scan.numbers = true;
        let bytes = self.text.as_bytes();
        let digits = |at: &mut usize| {
            let from = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            (*at > from).then_some(())
        };
        let mut at = self.at;
        if bytes[at] == b'-' {
            at += 1;
        }
        match *bytes.get(at)? {
            b'0' => at += 1,
            b'1'..=b'9' => digits(&mut at)?,
            _ => return None,
        }
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            digits(&mut at)?;
        }
        if let Some(b'e' | b'E') = bytes.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = bytes.get(at) {
                at += 1;
            }
            digits(&mut at)?;
        }
        self.at = at;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;

    fn passes(body: &str) -> bool {
        scan(body.as_bytes(), 120).is_some()
    }

    #[test]
    fn the_ids_an_ack_and_the_log_need_are_read_where_the_spec_puts_them() {
        let s = scan(
            br#"{"requestId":"r-1","x":{"requestId":"no","traceId":"no"},
                "metadata":{"orgId":"L","traceId":"t\u002d1","version":"1.0"}}"#,
            120,
        )
        .unwrap();
        assert_eq!(s.request_id.as_deref(), Some("r-1"));
        assert_eq!(s.org_id.as_deref(), Some("L"));
        assert_eq!(s.trace_id.as_deref(), Some("t-1"), "escapes are decoded");
        assert!(!s.numbers);
        let s = scan(br#"{"requestId":7,"metadata":{"traceId":{"a":1}}}"#, 120).unwrap();
        assert_eq!((s.request_id, s.trace_id), (None, None), "not strings");
        assert!(s.numbers);
    }

    #[test]
    fn numbers_anywhere_are_noticed() {
        for body in [
            r#"{"a":1}"#,
            r#"{"a":[[-0.5]]}"#,
            r#"{"a":{"b":1E15}}"#,
            r#"{"a":12345678901234567890123}"#,
            r#"{"a":{"$serde_json::private::Number":"1"}}"#,
        ] {
            assert!(scan(body.as_bytes(), 120).unwrap().numbers, "{body}");
        }
        assert!(!scan(br#"{"a":["1",true,null,{}]}"#, 120).unwrap().numbers);
    }

    #[test]
    fn a_body_the_full_path_must_explain_does_not_pass() {
        for body in [
            "",
            " ",
            "not json",
            "[]",
            "\"s\"",
            "7",
            "null",
            r#"{"a":1"#,
            r#"{"a":1} x"#,
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"b":[{"k":1,"k":2}]}}"#,
            r#"{"a":1,"\u0061":2}"#,
            r#"{"a":"\ud800"}"#,
        ] {
            assert!(!passes(body), "{body:?}");
        }
        assert!(passes("{}"));
        assert!(passes(r#" {"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]} "#));
    }

    #[test]
    fn the_reader_takes_exactly_the_json_serde_json_takes() {
        let valid = [
            r#"{"a":"\u0061","b":"\ud83d\ude00","c":"\"\\\/\b\f\n\r\t","d":"é€😀"}"#,
            r#" {"a" : [ 1 , -0 , 0.5 , -1.5e+3 , 2E-2 , 1e9 ] } "#,
            "{\"a\":\t\n\r[true,false,null,{}]}",
            r#"{"a":"\u007f"}"#,
        ];
        let invalid = [
            r#"{"a":01}"#,
            r#"{"a":1.}"#,
            r#"{"a":.5}"#,
            r#"{"a":+1}"#,
            r#"{"a":-}"#,
            r#"{"a":1e}"#,
            r#"{"a":1e+}"#,
            r#"{"a":[1,]}"#,
            r#"{"a":1,}"#,
            r#"{,"a":1}"#,
            r#"{"a" 1}"#,
            r#"{"a":tru}"#,
            r#"{"a":nul}"#,
            r#"{"a":True}"#,
            "{\"a\":\"\u{1}\"}",
            "{\"a\":\"\x1f\"}",
            r#"{"a":"\x"}"#,
            r#"{"a":"\u12"}"#,
            r#"{"a":"\ude00"}"#,
            r#"{"a":"\ud83d"}"#,
            r#"{"a":"\ud83dx"}"#,
            r#"{"a":"unterminated}"#,
            r#"{"a":1}}"#,
            r#"{a:1}"#,
            "\u{feff}{\"a\":1}",
            "{\"a\":1}\u{0}",
            "{\"a\":\u{a0}1}",
        ];
        for body in valid {
            assert!(passes(body), "{body:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(body).is_ok(),
                "{body:?}"
            );
        }
        for body in invalid {
            assert!(!passes(body), "{body:?}");
            assert!(
                serde_json::from_str::<serde_json::Value>(body).is_err(),
                "{body:?}"
            );
        }
        // Not UTF-8, in a string and outside one.
        assert!(scan(b"{\"a\":\"\xff\"}", 120).is_none());
        assert!(scan(b"{\"a\":\xc3}", 120).is_none());
        assert!(serde_json::from_slice::<serde_json::Value>(b"{\"a\":\"\xff\"}").is_err());
        // A name spelled with an escape is the same name.
        assert!(!passes(r#"{"a":1,"\u0061":2}"#));
        assert!(!passes(r#"{"é":1,"\u00e9":2}"#));
    }

    proptest! {
        #[test]
        fn a_plain_run_stops_at_the_first_byte_a_string_must_look_at(
            bytes in prop::collection::vec(prop_oneof![Just(b'"'), Just(b'\\'), 0u8..0x20, 0x20u8..=0xff], 0..40),
            from in 0usize..40,
        ) {
            let from = from.min(bytes.len());
            let expected = (from..bytes.len())
                .find(|&i| matches!(bytes[i], b'"' | b'\\' | 0..=0x1f))
                .unwrap_or(bytes.len());
            let found = plain_run(&bytes, from);
            // Past the last whole word it stops early; what it skipped is plain.
            prop_assert!(found <= expected);
            prop_assert!(found == expected || bytes.len() - found < 8, "{} {}", found, expected);
        }
    }

    #[test]
    fn names_are_told_apart_per_object_in_small_and_big_objects_alike() {
        // `n` members named m0.., each holding an object with the same names, then `last`.
        let body = |n: usize, last: &str| {
            let inner: Vec<String> = (0..n).map(|i| format!(r#""m{i}":1"#)).collect();
            let inner = format!("{{{}}}", inner.join(","));
            let outer: Vec<String> = (0..n).map(|i| format!(r#""m{i}":{inner}"#)).collect();
            format!(r#"{{{},"{last}":{inner}}}"#, outer.join(","))
        };
        for n in [3, 15, 16, 17, 40] {
            assert!(passes(&body(n, "other")), "{n} members");
            assert!(
                !passes(&body(n, "m0")),
                "{n} members, the first repeated last"
            );
            assert!(!passes(&body(n, &format!("m{}", n - 1))), "{n} members");
        }
    }

    #[test]
    fn depth_counts_as_the_full_path_counts_it() {
        let nested = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        // The body is level 1: `{"d": <n arrays>}` is n + 1 levels.
        for (arrays, ok) in [(119, true), (120, false), (200, false)] {
            let body = format!(r#"{{"d":{}}}"#, nested(arrays));
            assert_eq!(passes(&body), ok, "{arrays} arrays");
            let value: Option<serde_json::Value> = serde_json::from_str(&body).ok();
            if let Some(v) = value {
                assert_eq!(crate::service::json_depth(&v) <= 120, ok);
            }
        }
        // A number at the deepest level is not a level of its own.
        let body = format!(r#"{{"d":{}1{}}}"#, "[".repeat(119), "]".repeat(119));
        assert!(passes(&body));
    }

    /// JSON text whose objects may repeat a name (a `Value` could not hold that).
    fn json() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("null".to_string()),
            any::<bool>().prop_map(|b| b.to_string()),
            "[a-c]{0,3}".prop_map(|s| format!("\"{s}\"")),
            any::<i32>().prop_map(|n| n.to_string()),
        ];
        leaf.prop_recursive(6, 40, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec(("[a-d]", inner), 0..5).prop_map(|members| {
                    let members: Vec<String> = members
                        .iter()
                        .map(|(k, v)| format!("\"{k}\":{v}"))
                        .collect();
                    format!("{{{}}}", members.join(","))
                }),
            ]
        })
    }

    /// What the full path says of a body: it passes when serde_json reads it as an object
    /// within `depth` levels without a repeated name; then its ids and number flag.
    #[allow(clippy::type_complexity)]
    fn full_path(
        body: &[u8],
        depth: usize,
    ) -> Option<(Option<String>, Option<String>, Option<String>, bool)> {
        let value = serde_json::from_slice::<serde_json::Value>(body).ok()?;
        if !value.is_object()
            || crate::service::json_depth(&value) > depth
            || super::super::duplicates::find_duplicate(body).is_err()
        {
            return None;
        }
        let text = |p: &str| {
            value
                .pointer(p)
                .and_then(|t| t.as_str())
                .map(str::to_string)
        };
        Some((
            text("/metadata/traceId"),
            text("/metadata/orgId"),
            text("/requestId"),
            crate::event::has_number(&value),
        ))
    }

    /// The pass holds to the full path on `body`.
    fn agrees(body: &[u8], depth: usize) -> Result<(), TestCaseError> {
        let pass = scan(body, depth);
        let full = full_path(body, depth);
        prop_assert_eq!(
            pass.is_some(),
            full.is_some(),
            "{:?}",
            String::from_utf8_lossy(body)
        );
        if let (Some(s), Some((trace, org, request, numbers))) = (pass, full) {
            prop_assert_eq!(s.numbers, numbers);
            prop_assert_eq!(s.trace_id.map(Cow::into_owned), trace);
            prop_assert_eq!(s.org_id.map(Cow::into_owned), org);
            prop_assert_eq!(s.request_id.map(Cow::into_owned), request);
        }
        Ok(())
    }

    /// JSON text with everything the reader must get right: escapes (also in names),
    /// non-ASCII, every kind of number, whitespace.
    fn rich_json() -> impl Strategy<Value = String> {
        let string = prop_oneof![
            "[a-c]{0,3}",
            Just("\\u0061".to_string()),
            Just("\\ud83d\\ude00".to_string()),
            Just("é€😀".to_string()),
            Just("\\\"\\\\\\/\\b\\f\\n\\r\\t".to_string()),
        ];
        let number = prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            Just("-0.5e+10".to_string()),
            Just("1E3".to_string()),
            Just("0".to_string()),
            Just("123456789012345678901234567890".to_string()),
        ];
        let leaf = prop_oneof![
            Just("null".to_string()),
            any::<bool>().prop_map(|b| b.to_string()),
            string.clone().prop_map(|s| format!("\"{s}\"")),
            number,
        ];
        let ws = prop_oneof![Just(""), Just(" "), Just("\n\t"), Just("\r ")];
        leaf.prop_recursive(5, 32, 4, move |inner| {
            prop_oneof![
                (prop::collection::vec(inner.clone(), 0..4), ws.clone())
                    .prop_map(|(items, ws)| format!("[{ws}{}{ws}]", items.join(&format!("{ws},")))),
                (
                    prop::collection::vec((string.clone(), inner), 0..5),
                    ws.clone()
                )
                    .prop_map(|(members, ws)| {
                        let members: Vec<String> = members
                            .iter()
                            .map(|(k, v)| format!("\"{k}\"{ws}:{ws}{v}"))
                            .collect();
                        format!("{{{ws}{}{ws}}}", members.join(","))
                    }),
            ]
        })
    }

    /// A byte the reader must not be fooled by, put in or taken out at random.
    fn mutation() -> impl Strategy<Value = (prop::sample::Index, Option<u8>, bool)> {
        let byte = prop::sample::select(
            b"{}[],:\"\\ \t\n0123456789-+.eEtrufalsn/u\x00\x01\x1f\x7f\xc3\xa9\xff".to_vec(),
        );
        (
            any::<prop::sample::Index>(),
            prop::option::of(byte),
            any::<bool>(),
        )
    }

    proptest! {
        /// The reader accepts exactly what serde_json and the full path accept, on bodies
        /// with escapes, non-ASCII and numbers, and on the same bodies with a few bytes put
        /// in, replaced or taken out.
        #[test]
        fn the_reader_agrees_with_serde_json_on_mutated_bodies(
            v in rich_json(),
            mutations in prop::collection::vec(mutation(), 0..4),
            depth in 1usize..7,
        ) {
            let body = format!(r#"{{"metadata":{{"traceId":"t\u002d1","orgId":"o"}},"requestId":"r","v":{v}}}"#);
            agrees(body.as_bytes(), depth)?;
            let mut bytes = body.into_bytes();
            for (at, byte, replace) in mutations {
                let i = at.index(bytes.len() + 1);
                match (byte, replace && i < bytes.len()) {
                    (Some(b), true) => bytes[i] = b,
                    (Some(b), false) => bytes.insert(i, b),
                    (None, _) if i < bytes.len() => {
                        bytes.remove(i);
                    }
                    (None, _) => {}
                }
            }
            agrees(&bytes, depth)?;
        }
    }

    proptest! {
        /// The pass agrees with the full path it stands in for: a body passes exactly when
        /// it is an object without repeated names within the depth, and then the ids and
        /// the number flag are what a `Value` of it says.
        #[test]
        fn the_pass_agrees_with_the_full_path(v in json(), depth in 1usize..8) {
            let body = format!(r#"{{"metadata":{{"traceId":"t","orgId":"o"}},"requestId":"r","v":{v}}}"#);
            let full = serde_json::from_slice::<serde_json::Value>(body.as_bytes()).ok()
                .filter(|value| crate::service::json_depth(value) <= depth)
                .filter(|_| super::super::duplicates::find_duplicate(body.as_bytes()).is_ok());
            let pass = scan(body.as_bytes(), depth);
            prop_assert_eq!(pass.is_some(), full.is_some(), "{}", body);
            if let (Some(s), Some(value)) = (pass, full) {
                prop_assert_eq!(s.trace_id.as_deref(), value.pointer("/metadata/traceId").and_then(|t| t.as_str()));
                prop_assert_eq!(s.org_id.as_deref(), value.pointer("/metadata/orgId").and_then(|t| t.as_str()));
                prop_assert_eq!(s.request_id.as_deref(), value.pointer("/requestId").and_then(|t| t.as_str()));
                prop_assert_eq!(s.numbers, body.contains(|c: char| c.is_ascii_digit()));
            }
        }
    }
}
