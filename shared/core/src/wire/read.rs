//! The one pass, typed: a callback's wire type read straight from its bytes by the reader of
//! [`super::scan`], which checks on the way what the pass checks (the JSON syntax
//! serde_json takes, the depth, repeated names) and picks up the ids. One reading of the
//! body instead of two.
//!
//! It gives up, and the caller takes the two readings as before ([`super::scan::scan`],
//! then serde_json), on anything that is not the plain case: a body the pass would not
//! pass, a number (its spelling is kept through a `Value`), or a body that does not fit the
//! wire type (serde_json's reading names the attribute). So it never decides a refusal on
//! its own; a property test holds what it reads to what serde_json reads.

use super::duplicates::Seen;
use super::scan::{Place, Reader, Scan, NUMBER_TOKEN};
use serde::de::{
    self, Deserialize, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess,
    Visitor,
};
use std::borrow::Cow;
use std::fmt;

/// Why the one pass gave up; the two readings say what, if anything, is wrong.
#[derive(Debug)]
pub struct GaveUp;

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not the plain case")
    }
}

impl std::error::Error for GaveUp {}

impl de::Error for GaveUp {
    fn custom<T: fmt::Display>(_: T) -> Self {
        GaveUp
    }
}

/// `bytes` as a `T` and what the pass finds in them, in one reading; `None` when the body
/// is not the plain case (see the module).
pub fn read<T: DeserializeOwned>(bytes: &[u8], max_depth: usize) -> Option<(T, Scan<'_>)> {
    run(bytes, max_depth, false)
}

/// The pass alone ([`super::scan::scan`]): the same reading into nothing, numbers noted
/// instead of given up on.
pub(super) fn pass(bytes: &[u8], max_depth: usize) -> Option<Scan<'_>> {
    run::<de::IgnoredAny>(bytes, max_depth, true).map(|(_, scan)| scan)
}

fn run<'a, T: Deserialize<'a>>(
    bytes: &'a [u8],
    max_depth: usize,
    numbers_allowed: bool,
) -> Option<(T, Scan<'a>)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut reader = Reader::new(text, max_depth);
    reader.numbers_allowed = numbers_allowed;
    reader.whitespace();
    if reader.peek() != Some(b'{') {
        return None;
    }
    let value = T::deserialize(Value {
        r: &mut reader,
        depth: 0,
        place: Place::Root,
        slot: None,
    })
    .ok()?;
    reader.whitespace();
    (reader.at == text.len() && (numbers_allowed || !reader.scan.numbers))
        .then_some((value, reader.scan))
}

/// Which id a string is, when it is one: `metadata.traceId`, `metadata.orgId`, `requestId`.
#[derive(Clone, Copy)]
enum Slot {
    Trace,
    Org,
    Request,
}

/// One value at `depth` (of its enclosing containers).
struct Value<'r, 'de> {
    r: &'r mut Reader<'de>,
    depth: usize,
    place: Place,
    slot: Option<Slot>,
}

impl<'de> Value<'_, 'de> {
    fn expect(&mut self, literal: &str) -> Result<(), GaveUp> {
        self.r.expect(literal).ok_or(GaveUp)
    }

    /// Depth of a container opened here; an error past the limit.
    fn enter(&self) -> Result<usize, GaveUp> {
        let depth = self.depth + 1;
        if depth > self.r.max_depth {
            return Err(GaveUp);
        }
        Ok(depth)
    }
}

impl<'de> Deserializer<'de> for Value<'_, 'de> {
    type Error = GaveUp;

    fn deserialize_any<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, GaveUp> {
        match self.r.peek().ok_or(GaveUp)? {
            b'{' => {
                let depth = self.enter()?;
                self.r.at += 1;
                let mut closed = false;
                let start = self.r.names.len();
                let value = visitor.visit_map(Map {
                    r: &mut *self.r,
                    depth,
                    place: self.place,
                    start,
                    many: None,
                    first: true,
                    inner: Place::Other,
                    slot: None,
                    closed: &mut closed,
                })?;
                // A visitor that stops before the end would leave the rest unread.
                if !closed {
                    return Err(GaveUp);
                }
                Ok(value)
            }
            b'[' => {
                let depth = self.enter()?;
                self.r.at += 1;
                let mut closed = false;
                let value = visitor.visit_seq(Seq {
                    r: &mut *self.r,
                    depth,
                    first: true,
                    closed: &mut closed,
                })?;
                if !closed {
                    return Err(GaveUp);
                }
                Ok(value)
            }
            b'"' => {
                let text = self.r.string().ok_or(GaveUp)?;
                let scan = &mut self.r.scan;
                match self.slot {
                    Some(Slot::Trace) => scan.trace_id = Some(text.clone()),
                    Some(Slot::Org) => scan.org_id = Some(text.clone()),
                    Some(Slot::Request) => scan.request_id = Some(text.clone()),
                    None => {}
                }
                match text {
                    Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
                    Cow::Owned(s) => visitor.visit_string(s),
                }
            }
            b't' => {
                self.expect("true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.expect("false")?;
                visitor.visit_bool(false)
            }
            b'n' => {
                self.expect("null")?;
                visitor.visit_unit()
            }
            // A number: the pass notes it; the one reading gives up (the two readings keep
            // its spelling).
            b'-' | b'0'..=b'9' if self.r.numbers_allowed => {
                self.r.number().ok_or(GaveUp)?;
                visitor.visit_unit()
            }
            _ => Err(GaveUp),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value, GaveUp> {
        if self.r.peek() == Some(b'n') {
            self.expect("null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, GaveUp> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The members of an object (its `{` read).
struct Map<'r, 'de, 'c> {
    r: &'r mut Reader<'de>,
    depth: usize,
    place: Place,
    /// Where its names begin in the reader's list.
    start: usize,
    many: Option<Seen<'de>>,
    first: bool,
    /// Where the member being read is, and which id it is.
    inner: Place,
    slot: Option<Slot>,
    closed: &'c mut bool,
}

impl<'de> MapAccess<'de> for Map<'_, 'de, '_> {
    type Error = GaveUp;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, GaveUp> {
        if self.r.next_item(b'}', self.first).ok_or(GaveUp)? {
            self.r.names.truncate(self.start);
            *self.closed = true;
            return Ok(None);
        }
        self.first = false;
        if self.r.peek() != Some(b'"') {
            return Err(GaveUp);
        }
        let name = self.r.string().ok_or(GaveUp)?;
        if name == NUMBER_TOKEN {
            // serde_json's number token as a name: the full path's business.
            if !self.r.numbers_allowed {
                return Err(GaveUp);
            }
            self.r.scan.numbers = true;
        }
        (self.inner, self.slot) = match (self.place, name.as_ref()) {
            (Place::Root, "metadata") => (Place::Metadata, None),
            (Place::Root, "requestId") => (Place::Other, Some(Slot::Request)),
            (Place::Metadata, "traceId") => (Place::Other, Some(Slot::Trace)),
            (Place::Metadata, "orgId") => (Place::Other, Some(Slot::Org)),
            _ => (Place::Other, None),
        };
        self.r
            .add_name(self.start, &mut self.many, name.clone())
            .ok_or(GaveUp)?;
        self.r.whitespace();
        if self.r.peek() != Some(b':') {
            return Err(GaveUp);
        }
        self.r.at += 1;
        self.r.whitespace();
        seed.deserialize(Name(name)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, GaveUp> {
        seed.deserialize(Value {
            r: &mut *self.r,
            depth: self.depth,
            place: self.inner,
            slot: self.slot,
        })
    }
}

/// The elements of an array (its `[` read).
struct Seq<'r, 'de, 'c> {
    r: &'r mut Reader<'de>,
    depth: usize,
    first: bool,
    closed: &'c mut bool,
}

impl<'de> SeqAccess<'de> for Seq<'_, 'de, '_> {
    type Error = GaveUp;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, GaveUp> {
        if self.r.next_item(b']', self.first).ok_or(GaveUp)? {
            *self.closed = true;
            return Ok(None);
        }
        self.first = false;
        seed.deserialize(Value {
            r: &mut *self.r,
            depth: self.depth,
            place: Place::Other,
            slot: None,
        })
        .map(Some)
    }
}

/// A member name, as a visitor sees one.
struct Name<'de>(Cow<'de, str>);

impl<'de> Deserializer<'de> for Name<'de> {
    type Error = GaveUp;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GaveUp> {
        match self.0 {
            Cow::Borrowed(s) => visitor.visit_borrowed_str(s),
            Cow::Owned(s) => visitor.visit_string(s),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use crate::callbacks::{CallbackDef, Rng, SampleIds, ValidationPolicy, REGISTRY};
    use crate::service::MAX_BODY_DEPTH;
    use crate::wire::scan::scan;
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;
    use serde_json::{json, Value};

    /// The one reading holds to the two on `body`: when it reads a body, the pass passes it
    /// with the same ids and no numbers, and serde_json's reading gives the same callback
    /// or the same refusal; and it reads every body the two accept without numbers.
    fn agrees(def: &CallbackDef, body: &[u8]) -> Result<(), TestCaseError> {
        let policy = ValidationPolicy::default();
        let shown = String::from_utf8_lossy(body);
        let two = scan(body, MAX_BODY_DEPTH)
            .filter(|s| !s.numbers)
            .map(|s| (s, (def.validate)(body, &policy)));
        match ((def.read)(body, &policy), two) {
            (Some((one, read)), Some((pass, validated))) => {
                prop_assert_eq!(one, pass, "{}: {}", def.name, shown);
                prop_assert_eq!(read, validated, "{}: {}", def.name, shown);
            }
            (Some(_), None) => {
                prop_assert!(false, "{}: read what the two refuse: {}", def.name, shown)
            }
            (None, Some((_, Ok(_)))) => {
                prop_assert!(false, "{}: gave up on a plain body: {}", def.name, shown)
            }
            (None, _) => {}
        }
        Ok(())
    }

    /// A change to a body at the JSON level: what lenders (and attackers) send.
    #[derive(Debug, Clone)]
    enum Change {
        /// Replace the value at a path (chosen by index) with another.
        Set(prop::sample::Index, Value),
        /// Remove a member (chosen by index).
        Remove(prop::sample::Index),
        /// Add an unknown attribute to an object (chosen by index).
        Add(prop::sample::Index, String, Value),
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            "[a-zA-Z0-9 _.:-]{0,12}".prop_map(Value::String),
            "\\PC{0,6}".prop_map(Value::String),
            Just(json!("\u{0}\"\\\n é😀")),
            Just(json!(7)),
            Just(json!(-1.5e3)),
            Just(json!({})),
            Just(json!([])),
            Just(json!([{"a": null}, "b", [true]])),
            Just(json!({"nested": {"deeper": ["x", {"y": "z"}]}})),
        ]
    }

    fn change() -> impl Strategy<Value = Change> {
        prop_oneof![
            (any::<prop::sample::Index>(), leaf()).prop_map(|(i, v)| Change::Set(i, v)),
            any::<prop::sample::Index>().prop_map(Change::Remove),
            (
                any::<prop::sample::Index>(),
                "[a-zA-Z]{1,8}|\\PC{1,4}",
                leaf()
            )
                .prop_map(|(i, k, v)| Change::Add(i, k, v)),
        ]
    }

    /// Every path in `v` (JSON pointers), objects' members and arrays' elements.
    fn paths(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, item)| {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                paths(item, p, out);
            }),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, item)| {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                paths(item, p, out);
            }),
            _ => {}
        }
    }

    fn apply(body: &mut Value, change: Change) {
        let mut all = Vec::new();
        paths(body, String::new(), &mut all);
        if all.is_empty() {
            return;
        }
        match change {
            Change::Set(i, v) => {
                if let Some(slot) = body.pointer_mut(&all[i.index(all.len())]) {
                    *slot = v;
                }
            }
            Change::Remove(i) => {
                let p = &all[i.index(all.len())];
                let (parent, key) = p.rsplit_once('/').unwrap_or(("", p));
                if let Some(Value::Object(m)) = body.pointer_mut(parent) {
                    m.remove(&key.replace("~1", "/").replace("~0", "~"));
                }
            }
            Change::Add(i, k, v) => {
                let mut objects: Vec<String> = vec![String::new()];
                objects.extend(
                    all.into_iter()
                        .filter(|p| body.pointer(p).is_some_and(Value::is_object)),
                );
                let p = &objects[i.index(objects.len())];
                if let Some(Value::Object(m)) = body.pointer_mut(p) {
                    m.insert(k, v);
                }
            }
        }
    }

    /// Changes at the level of the text: a name repeated, whitespace, escapes.
    fn respell(json: String, how: u8) -> String {
        match how % 7 {
            0 => json,
            // The root's last member named twice (`requestId` again, or `metadata`).
            1 => format!(r#"{},"requestId":"again"}}"#, &json[..json.len() - 1]),
            2 => json.replace(':', " : ").replace(',', "\n,\t"),
            // Every `a` of the text as an escape, in names and values alike.
            3 => json.replace('a', "\\u0061"),
            4 => format!(r#"{},"metadata":{{}}}}"#, &json[..json.len() - 1]),
            // An unknown name twice, at the root and inside `metadata`.
            5 => format!(r#"{},"zz":"a","zz":"b"}}"#, &json[..json.len() - 1]),
            _ => json.replacen(
                r#""metadata":{"#,
                r#""metadata":{"x":{"y":"1","y":"2"},"#,
                1,
            ),
        }
    }

    proptest! {
        #[test]
        fn the_one_reading_agrees_with_the_two_on_changed_bodies_of_every_callback(
            which in any::<prop::sample::Index>(),
            seed in any::<u64>(),
            changes in prop::collection::vec(change(), 0..4),
            how in any::<u8>(),
        ) {
            let def = REGISTRY[which.index(REGISTRY.len())].def();
            let mut rng = Rng::new(seed);
            let ids = SampleIds::generated(&mut rng, "LENDER-ABC", 1);
            let tools = REGISTRY[which.index(REGISTRY.len())].tools();
            let mut body = if seed % 2 == 0 { (tools.sample)(&ids) } else { (tools.simulate)(&mut rng, &ids) };
            for c in changes {
                apply(&mut body, c);
            }
            agrees(def, respell(body.to_string(), how).as_bytes())?;
        }
    }

    #[test]
    fn every_registered_sample_is_read_in_one_reading() {
        for t in REGISTRY {
            let body = serde_json::to_vec(&(t.tools().sample)(&SampleIds::fixed("one-1"))).unwrap();
            let (scan, callback) = (t.def().read)(&body, &ValidationPolicy::default())
                .unwrap_or_else(|| panic!("{t}: gave up on its sample"));
            assert_eq!(scan.request_id.as_deref(), Some("one-1"));
            assert!(callback.is_ok(), "{t}");
        }
    }

    #[test]
    fn the_one_reading_agrees_with_the_two_at_the_depth_limit() {
        let def = &crate::callbacks::consent_handle::DEF;
        let sample = (crate::callbacks::consent_handle::TOOLS.sample)(&SampleIds::fixed("depth-1"))
            .to_string();
        let root = &sample[..sample.len() - 1];
        // The body is level 1; `"d": <n arrays>` adds n levels.
        for arrays in [MAX_BODY_DEPTH - 2, MAX_BODY_DEPTH - 1, MAX_BODY_DEPTH] {
            for inner in ["", "{}", r#"{"a":"b"}"#] {
                let body = format!(
                    r#"{root},"d":{}{inner}{}}}"#,
                    "[".repeat(arrays),
                    "]".repeat(arrays)
                );
                agrees(def, body.as_bytes()).unwrap();
            }
        }
        let ok = format!(r#"{root},"d":{}{}}}"#, "[".repeat(119), "]".repeat(119));
        assert!((def.read)(ok.as_bytes(), &ValidationPolicy::default()).is_some());
        let deep = format!(r#"{root},"d":{}{{}}{}}}"#, "[".repeat(119), "]".repeat(119));
        assert!((def.read)(deep.as_bytes(), &ValidationPolicy::default()).is_none());
    }

    #[test]
    fn the_one_reading_gives_up_on_numbers_depth_repeats_and_syntax() {
        let def = &crate::callbacks::consent_handle::DEF;
        let sample =
            (crate::callbacks::consent_handle::TOOLS.sample)(&SampleIds::fixed("gu-1")).to_string();
        let policy = ValidationPolicy::default();
        let root = &sample[..sample.len() - 1];
        for body in [
            format!(r#"{root},"n":1}}"#),
            format!(r#"{root},"requestId":"twice"}}"#),
            format!(r#"{root},"d":{}{}}}"#, "[".repeat(130), "]".repeat(130)),
            format!(r#"{root},}}"#),
            format!(r#"{root}}} x"#),
            format!(r#"{root},"$serde_json::private::Number":"1"}}"#),
            "[]".to_string(),
        ] {
            assert!((def.read)(body.as_bytes(), &policy).is_none(), "{body}");
        }
    }
}
