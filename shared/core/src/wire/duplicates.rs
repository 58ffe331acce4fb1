//! One meaning for the signed bytes: a JSON object that names a member twice is refused.
//! serde_json (like most parsers) keeps the last of a repeated name; another parser may keep
//! the first, so a signed body with duplicates could mean two things (RFC 8259 §4: names
//! "SHOULD be unique"; RFC 7515 §4: a JWS header with duplicates must be refused or take
//! the last — this service refuses, in the header and the callback alike).

use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// Where the first repeated member name is: the JSON path of its object and the name
/// (member names, never values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub path: String,
    pub name: String,
}

/// `Ok` when no object in `bytes` names a member twice (or `bytes` is not JSON: that is
/// for the JSON parser to report); else the first repeat.
pub fn find_duplicate(bytes: &[u8]) -> Result<(), Duplicate> {
    // The common case, no repeat, without tracking paths (a third of this check's cost);
    // the path is worked out only for a body that fails.
    let mut de = serde_json::Deserializer::from_slice(bytes);
    if Unique::deserialize(&mut de).is_ok() {
        return Ok(());
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, Unique>(&mut de) {
        Ok(_) => Ok(()),
        Err(e) => {
            let path = e.path().to_string();
            let message = e.into_inner().to_string();
            match message.split_once(DUPLICATE_MARK) {
                Some((_, rest)) => {
                    let name = rest.split(" at line").next().unwrap_or(rest);
                    Err(Duplicate {
                        path,
                        name: name.chars().take(64).collect(),
                    })
                }
                None => Ok(()),
            }
        }
    }
}

const DUPLICATE_MARK: &str = "duplicate member name: ";

/// Any JSON value, checked for repeated member names on the way.
struct Unique;

impl<'de> Deserialize<'de> for Unique {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor)
    }
}

struct UniqueVisitor;

impl<'de> Visitor<'de> for UniqueVisitor {
    type Value = Unique;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_str<E>(self, _: &str) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_unit<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }
    fn visit_none<E>(self) -> Result<Unique, E> {
        Ok(Unique)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Unique, A::Error> {
        while seq.next_element::<Unique>()?.is_some() {}
        Ok(Unique)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Unique, A::Error> {
        let mut seen = Seen::default();
        while let Some(name) = map.next_key_seed(Name)? {
            if let Err(name) = seen.insert(name) {
                return Err(A::Error::custom(format!("{DUPLICATE_MARK}{name}")));
            }
            map.next_value::<Unique>()?;
        }
        Ok(Unique)
    }
}

/// A member name, borrowed from the body unless it has escapes (`Cow<str>`'s own
/// `Deserialize` always copies).
pub(super) struct Name;

impl<'de> serde::de::DeserializeSeed<'de> for Name {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a member name")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(s))
    }
}

/// The names of one object so far. A callback's objects have a handful of members, which
/// a scan of a short list checks faster than hashing each name; an object with more than
/// [`Seen::SCAN`] members switches to a hash set, so a hostile body with thousands of
/// members stays linear.
#[derive(Default)]
pub(super) struct Seen<'de> {
    few: Vec<Cow<'de, str>>,
    many: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> Seen<'de> {
    pub(super) const SCAN: usize = 16;

    /// Adds a name; gives it back as the error when the object already has it.
    pub(super) fn insert(&mut self, name: Cow<'de, str>) -> Result<(), Cow<'de, str>> {
        if let Some(set) = &mut self.many {
            if set.contains(&name) {
                return Err(name);
            }
            set.insert(name);
        } else if self.few.contains(&name) {
            return Err(name);
        } else if self.few.len() < Self::SCAN {
            self.few.push(name);
        } else {
            let mut set: HashSet<_> = self.few.drain(..).collect();
            set.insert(name);
            self.many = Some(set);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_name_is_found_with_its_path() {
        let d = find_duplicate(br#"{"requestId":"A","x":1,"requestId":"R"}"#).unwrap_err();
        assert_eq!((d.path.as_str(), d.name.as_str()), (".", "requestId"));
        let d = find_duplicate(br#"{"consent":{"a":[{"k":1,"k":2}]}}"#).unwrap_err();
        assert_eq!((d.path.as_str(), d.name.as_str()), ("consent.a[0]", "k"));
        let escaped = find_duplicate(br#"{"a":1,"\u0061":2}"#).unwrap_err();
        assert_eq!(escaped.name, "a", "an escaped spelling is the same name");
    }

    #[test]
    fn a_repeat_is_found_in_objects_of_any_size() {
        for members in [1, 15, 16, 17, 40, 5000] {
            let names: Vec<String> = (0..members).map(|i| format!("\"m{i}\":{i}")).collect();
            let unique = format!("{{{}}}", names.join(","));
            assert!(
                find_duplicate(unique.as_bytes()).is_ok(),
                "{members} members"
            );
            for repeat in [0, members / 2, members - 1] {
                let body = format!("{{{},\"m{repeat}\":0}}", names.join(","));
                let d = find_duplicate(body.as_bytes()).unwrap_err();
                assert_eq!(d.name, format!("m{repeat}"), "{members} members");
            }
        }
    }

    #[test]
    fn unique_names_numbers_and_non_json_pass() {
        assert!(find_duplicate(
            br#"{"a":{"a":1},"b":[{"a":1},{"a":2}],"n":12345678901234567890123}"#
        )
        .is_ok());
        assert!(find_duplicate(br#"{"a":1E15,"b":-0}"#).is_ok());
        assert!(find_duplicate(b"not json").is_ok());
        assert!(find_duplicate(b"[]").is_ok());
    }
}
