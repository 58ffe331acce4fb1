//! One pass over a callback's bytes before anything is built from them: the JSON syntax, the
//! nesting depth, repeated member names, the ids an ack and the log need
//! (`metadata.traceId`, `metadata.orgId`, `requestId`) and whether the body has numbers.
//!
//! It replaces, for the common body, a `serde_json::Value` of the whole body (read for the
//! ids and the depth, then dropped) and a second pass for repeated names. A body it does not
//! pass cleanly (not JSON, not an object, too deep, a repeated name) or that has numbers
//! (whose spelling is restored from a `Value`, `crate::event::restore_numbers`) takes the
//! full path, which says precisely what is wrong; so this pass only decides, never answers.

use super::duplicates::{Name, Seen};
use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The key under which serde_json (`arbitrary_precision`) hands a number to a visitor.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

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
pub fn scan(bytes: &[u8], max_depth: usize) -> Option<Scan<'_>> {
    let mut found = Found {
        scan: Scan::default(),
        object: false,
        max_depth,
        names: Vec::with_capacity(32),
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Node {
        depth: 0,
        place: Place::Root,
        found: &mut found,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    found.object.then_some(found.scan)
}

struct Found<'de> {
    scan: Scan<'de>,
    /// The root is an object.
    object: bool,
    max_depth: usize,
    /// The member names of the open objects, each object's after its parent's (one
    /// allocation for the whole pass, where a list per object cost 5 % of a callback).
    names: Vec<Cow<'de, str>>,
}

/// Where a value is: the members the pass reads are at known places.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    /// The root's `metadata`.
    Metadata,
    /// Anywhere else.
    Other,
}

/// One value at `depth` (of its enclosing containers): checked, and its text when it is
/// a string.
struct Node<'s, 'de> {
    depth: usize,
    place: Place,
    found: &'s mut Found<'de>,
}

impl<'de> DeserializeSeed<'de> for Node<'_, 'de> {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, 'de> {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        self.found.scan.numbers = true;
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        self.found.scan.numbers = true;
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        self.found.scan.numbers = true;
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let depth = self.enter::<A::Error>()?;
        while seq
            .next_element_seed(Node {
                depth,
                place: Place::Other,
                found: &mut *self.found,
            })?
            .is_some()
        {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let Some(first) = map.next_key_seed(Name)? else {
            self.enter::<A::Error>()?;
            if self.place == Place::Root {
                self.found.object = true;
            }
            return Ok(None);
        };
        if first == NUMBER_TOKEN {
            // A number (or an object naming serde_json's token, which the full path refuses).
            self.found.scan.numbers = true;
            map.next_value::<IgnoredAny>()?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(None);
        }
        let depth = self.enter::<A::Error>()?;
        if self.place == Place::Root {
            self.found.object = true;
        }
        // This object's names are `names[start..]` (a nested object's are gone again by
        // the time its member is added); a big object moves to a set.
        let start = self.found.names.len();
        let mut many: Option<Seen<'de>> = None;
        let mut name = first;
        loop {
            let place = match (self.place, name.as_ref()) {
                (Place::Root, "metadata") => Place::Metadata,
                _ => Place::Other,
            };
            let text = map.next_value_seed(Node {
                depth,
                place,
                found: &mut *self.found,
            })?;
            let slot = match (self.place, name.as_ref()) {
                (Place::Root, "requestId") => Some(&mut self.found.scan.request_id),
                (Place::Metadata, "traceId") => Some(&mut self.found.scan.trace_id),
                (Place::Metadata, "orgId") => Some(&mut self.found.scan.org_id),
                _ => None,
            };
            if let Some(slot) = slot {
                *slot = text;
            }
            let names = &mut self.found.names;
            let repeated = match &mut many {
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
                    many = Some(set);
                    repeated
                }
            };
            if repeated {
                return Err(A::Error::custom("a member name appears twice"));
            }
            match map.next_key_seed(Name)? {
                Some(next) => name = next,
                None => {
                    self.found.names.truncate(start);
                    return Ok(None);
                }
            }
        }
    }
}

impl Node<'_, '_> {
    /// The depth of a container entered here; an error past the limit.
    fn enter<E: Error>(&self) -> Result<usize, E> {
        let depth = self.depth + 1;
        if depth > self.found.max_depth {
            return Err(E::custom("nested too deep"));
        }
        Ok(depth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
