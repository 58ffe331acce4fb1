//! The one reading of a body: its bytes into a [`Json`] tree whose scalars are the lender's
//! own text (`&RawValue`), checking on the way what every body must meet (JSON syntax, an
//! object at the top, no name twice in one object, at most [`MAX_BODY_DEPTH`] levels).
//! The callback's types are then read from the tree ([`Json`] is a serde `Deserializer`),
//! and the event's payload writes each scalar the validation left as it was with the
//! lender's own bytes ([`crate::payload`]): numbers and strings are never re-spelled.

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// Deepest nesting of objects and arrays a body may have (the body itself is level 1). Its
/// event wraps it one level deeper, and consumers' JSON readers commonly stop at 128 levels
/// (serde_json's default): 120 keeps every accepted callback's event readable by them.
pub const MAX_BODY_DEPTH: usize = 120;

/// A JSON document as read: objects and arrays as nodes, every scalar as its text.
#[derive(Debug, Clone)]
pub enum Json<'a> {
    /// Members in the order sent; no name twice (the reading refuses that).
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
    Array(Vec<Json<'a>>),
    /// A string, number, `true`, `false` or `null`, as the lender spelled it.
    Scalar(&'a RawValue),
}

impl PartialEq for Json<'_> {
    /// The same tree, each scalar spelled alike.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Json::Object(a), Json::Object(b)) => a == b,
            (Json::Array(a), Json::Array(b)) => a == b,
            (Json::Scalar(a), Json::Scalar(b)) => a.get() == b.get(),
            _ => false,
        }
    }
}

/// Whether a JSON document names a member twice in one of its objects (the signatures'
/// JWS objects and headers are held to it too).
pub(crate) fn names_a_member_twice(bytes: &[u8]) -> bool {
    read(bytes).is_ok_and(|r| matches!(r.broken, Some(NotABody::RepeatedName { .. })))
}

/// Why a body is not one this service reads: each is `LSP4000`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotABody {
    Empty,
    /// Not JSON, at this line and column.
    Syntax {
        line: usize,
        column: usize,
    },
    NotAnObject,
    TooDeep,
    /// A name appears twice in the object at this path (`.` for the body).
    RepeatedName {
        at: String,
    },
}

impl fmt::Display for NotABody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotABody::Empty => f.write_str("body is empty; expected a JSON object"),
            NotABody::Syntax { line, column } => {
                write!(f, "body is not valid JSON (line {line}, column {column})")
            }
            NotABody::NotAnObject => f.write_str("body must be a JSON object"),
            NotABody::TooDeep => write!(
                f,
                "body nests objects/arrays deeper than {MAX_BODY_DEPTH} levels"
            ),
            NotABody::RepeatedName { at } => {
                let at = if at == "." { "the body" } else { at };
                write!(
                    f,
                    "a member name appears twice in one object ({at}); a callback must have one meaning"
                )
            }
        }
    }
}

/// A body read: its tree, and what it breaks of the rules that leave it readable (the
/// depth, a repeated name), so that the refusal can still answer with its `traceId`.
pub struct Read<'a> {
    pub tree: Json<'a>,
    pub broken: Option<NotABody>,
}

/// Read `bytes` as a body (see the module).
pub fn read(bytes: &[u8]) -> Result<Read<'_>, NotABody> {
    // The body's members, each as its text: reading them checks the whole body's syntax.
    let root: Root<'_> = serde_json::from_slice(bytes).map_err(|e| {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            NotABody::Empty
        } else {
            NotABody::Syntax {
                line: e.line(),
                column: e.column(),
            }
        }
    })?;
    let Root::Object(members) = root else {
        return Err(NotABody::NotAnObject);
    };
    let mut broken = None;
    let tree = object(members, 1, &mut Vec::new(), &mut broken);
    Ok(Read { tree, broken })
}

/// A body's top level: an object's members, or something else (read to its end all the
/// same, so that its syntax is checked).
enum Root<'a> {
    Object(Vec<(Cow<'a, str>, &'a RawValue)>),
    Other,
}

impl<'de> serde::Deserialize<'de> for Root<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Root<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Root<'de>, A::Error> {
                members(map).map(Root::Object)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Root<'de>, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Root::Other)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Root<'de>, E> {
                Ok(Root::Other)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Root<'de>, E> {
                Ok(Root::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Root<'de>, E> {
                Ok(Root::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Root<'de>, E> {
                Ok(Root::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Root<'de>, E> {
                Ok(Root::Other)
            }
            fn visit_unit<E>(self) -> Result<Root<'de>, E> {
                Ok(Root::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// Where the reading is, for a repeated name's path.
enum Step<'a> {
    Member(Cow<'a, str>),
    Index(usize),
}

fn path(steps: &[Step<'_>]) -> String {
    if steps.is_empty() {
        return ".".to_string();
    }
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Member(name) if out.is_empty() => out.push_str(name),
            Step::Member(name) => {
                out.push('.');
                out.push_str(name);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn node<'a>(
    raw: &'a RawValue,
    depth: usize,
    at: &mut Vec<Step<'a>>,
    broken: &mut Option<NotABody>,
) -> Json<'a> {
    let text = raw.get();
    let nested = text.starts_with('{') || text.starts_with('[');
    if nested && depth > MAX_BODY_DEPTH {
        broken.get_or_insert(NotABody::TooDeep);
        return Json::Scalar(raw);
    }
    if text.starts_with('{') {
        // The syntax was checked when the body was read: this cannot fail.
        let members = match serde_json::from_str::<Root>(text) {
            Ok(Root::Object(members)) => members,
            _ => Vec::new(),
        };
        object(members, depth, at, broken)
    } else if text.starts_with('[') {
        let items: Vec<&'a RawValue> = serde_json::from_str(text).unwrap_or_default();
        let mut out = Vec::with_capacity(items.len());
        for (i, value) in items.into_iter().enumerate() {
            at.push(Step::Index(i));
            out.push(node(value, depth + 1, at, broken));
            at.pop();
        }
        Json::Array(out)
    } else {
        Json::Scalar(raw)
    }
}

/// An object's node: its members' nodes, a repeated name noted.
fn object<'a>(
    members: Vec<(Cow<'a, str>, &'a RawValue)>,
    depth: usize,
    at: &mut Vec<Step<'a>>,
    broken: &mut Option<NotABody>,
) -> Json<'a> {
    let mut out: Vec<(Cow<'a, str>, Json<'a>)> = Vec::with_capacity(members.len());
    for (name, value) in members {
        if broken.is_none() && out.iter().any(|(n, _)| *n == name) {
            *broken = Some(NotABody::RepeatedName { at: path(at) });
        }
        at.push(Step::Member(name.clone()));
        let child = node(value, depth + 1, at, broken);
        at.pop();
        out.push((name, child));
    }
    Json::Object(out)
}

/// An object's members, names unescaped, values as sent.
fn members<'de, A: MapAccess<'de>>(
    mut map: A,
) -> Result<Vec<(Cow<'de, str>, &'de RawValue)>, A::Error> {
    let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8));
    while let Some(name) = map.next_key_seed(Name)? {
        out.push((name, map.next_value()?));
    }
    Ok(out)
}

/// A member name, borrowed from the body unless it has escapes.
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_string()))
    }
}

impl<'a> Json<'a> {
    /// The member `name` of an object.
    pub fn get(&self, name: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(members) => members.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string at `path` (member names from this object down), when there is one.
    pub fn string_at(&self, path: &[&str]) -> Option<Cow<'a, str>> {
        path.iter()
            .try_fold(self, |node, name| node.get(name))
            .and_then(Json::as_str)
    }

    /// A string scalar's value.
    pub fn as_str(&self) -> Option<Cow<'a, str>> {
        match self {
            Json::Scalar(raw) if raw.get().starts_with('"') => serde_json::from_str(raw.get())
                .ok()
                .map(|s: Cow<'a, str>| s),
            _ => None,
        }
    }

    /// `null`, or an empty string: what an optional attribute takes as absent.
    fn is_absent(&self) -> bool {
        matches!(self, Json::Scalar(raw) if raw.get() == "null" || raw.get() == "\"\"")
    }
}

/// A scalar is read by serde_json from its text, with the type the reader asks for (so a
/// type error says what was expected); an object or array as a map or sequence.
macro_rules! scalar_or_any {
    ($($method:ident)*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
            match self {
                Json::Scalar(raw) => raw.$method(visitor),
                _ => self.deserialize_any(visitor),
            }
        }
    )*};
}

/// A type read from the tree: [`Json`] as a serde `Deserializer` (scalars read by
/// serde_json from their text). `null` and `""` read as `None` for an `Option`.
impl<'de> de::Deserializer<'de> for &'de Json<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self {
            Json::Scalar(raw) => raw.deserialize_any(visitor),
            Json::Object(members) => visitor.visit_map(ObjectAccess {
                members: members.iter(),
                value: None,
            }),
            Json::Array(items) => visitor.visit_seq(ArrayAccess(items.iter())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        if self.is_absent() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self {
            Json::Scalar(raw) => raw.deserialize_enum(name, variants, visitor),
            _ => Err(de::Error::invalid_type(
                de::Unexpected::Other("an object or array"),
                &"a string",
            )),
        }
    }

    scalar_or_any! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64
        deserialize_u128 deserialize_f32 deserialize_f64 deserialize_char deserialize_str
        deserialize_string deserialize_bytes deserialize_byte_buf deserialize_unit
        deserialize_identifier
    }

    forward_to_deserialize_any! {
        unit_struct seq tuple tuple_struct map struct ignored_any
    }
}

impl<'de> IntoDeserializer<'de, serde_json::Error> for &'de Json<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

struct ObjectAccess<'de> {
    members: std::slice::Iter<'de, (Cow<'de, str>, Json<'de>)>,
    value: Option<&'de Json<'de>>,
}

impl<'de> MapAccess<'de> for ObjectAccess<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Self::Error> {
        match self.members.next() {
            Some((name, value)) => {
                self.value = Some(value);
                let name: &'de str = name;
                seed.deserialize(name.into_deserializer()).map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, Self::Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| de::Error::custom("a value is read before its name"))?;
        seed.deserialize(value)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

struct ArrayAccess<'de>(std::slice::Iter<'de, Json<'de>>);

impl<'de> SeqAccess<'de> for ArrayAccess<'de> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.0.next().map(|item| seed.deserialize(item)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn broken(text: &str) -> Option<NotABody> {
        read(text.as_bytes()).unwrap().broken
    }

    #[test]
    fn a_repeated_name_is_found_with_its_path_wherever_it_is() {
        assert_eq!(
            broken(r#"{"a": 1, "a": 2}"#),
            Some(NotABody::RepeatedName { at: ".".into() })
        );
        assert_eq!(
            broken(r#"{"p": {"x": [{"k": 1, "k": 1}]}}"#),
            Some(NotABody::RepeatedName {
                at: "p.x[0]".into()
            })
        );
        // An escaped spelling of the same name is the same name.
        assert_eq!(
            broken(r#"{"id": 1, "\u0069d": 2}"#),
            Some(NotABody::RepeatedName { at: ".".into() })
        );
        assert_eq!(broken(r#"{"a": {"a": {"a": 1}}, "b": [1, 1]}"#), None);
    }

    #[test]
    fn depth_is_bounded_at_the_limit_and_not_before() {
        let nest = |levels: usize| "[".repeat(levels - 1) + &"]".repeat(levels - 1);
        let body = |levels: usize| format!("{{\"a\": {}}}", nest(levels));
        assert_eq!(broken(&body(MAX_BODY_DEPTH)), None);
        assert_eq!(broken(&body(MAX_BODY_DEPTH + 1)), Some(NotABody::TooDeep));
    }

    #[test]
    fn what_is_not_a_json_object_is_told_apart() {
        assert_eq!(read(b" \n").err(), Some(NotABody::Empty));
        assert_eq!(read(b"[1]").err(), Some(NotABody::NotAnObject));
        assert_eq!(read(b"\"x\"").err(), Some(NotABody::NotAnObject));
        assert!(matches!(
            read(b"{\"a\": }").err(),
            Some(NotABody::Syntax { line: 1, .. })
        ));
        assert!(matches!(
            read(b"{} trailing").err(),
            Some(NotABody::Syntax { .. })
        ));
    }

    #[test]
    fn scalars_keep_the_lenders_spelling() {
        let text = r#"{"n": 1E15, "s": "caf\u00e9", "x": [-0.50, true, null]}"#;
        let read = read(text.as_bytes()).unwrap();
        let Json::Object(members) = &read.tree else {
            panic!("an object")
        };
        let spelled: Vec<String> = members
            .iter()
            .map(|(_, v)| match v {
                Json::Scalar(raw) => raw.get().to_string(),
                Json::Array(items) => format!("{items:?}"),
                Json::Object(_) => String::new(),
            })
            .collect();
        assert_eq!(spelled[0], "1E15");
        assert_eq!(spelled[1], r#""caf\u00e9""#);
    }

    #[test]
    fn a_type_read_from_the_tree_is_the_type_serde_json_reads() {
        let text =
            r#"{"a": {"b": [1, 2.5, "x", null, {"c": false}]}, "d": 12345678901234567890123}"#;
        let read = read(text.as_bytes()).unwrap();
        let from_tree: Value = serde::Deserialize::deserialize(&read.tree).unwrap();
        assert_eq!(from_tree, serde_json::from_str::<Value>(text).unwrap());
    }

    #[test]
    fn null_and_empty_strings_read_as_none() {
        let read = read(br#"{"a": null, "b": "", "c": "x"}"#).unwrap();
        let m: std::collections::BTreeMap<String, Option<String>> =
            serde::Deserialize::deserialize(&read.tree).unwrap();
        assert_eq!(m["a"], None);
        assert_eq!(m["b"], None);
        assert_eq!(m["c"].as_deref(), Some("x"));
    }
}
