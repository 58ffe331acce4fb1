//! What a body is before it is a callback: the one reading of its bytes ([`read`] into a
//! [`Json`] tree), the callback's types read from the tree ([`from_tree`]), and the few
//! wire shapes the types are built from: unknown attributes ([`Extra`]), `extensibleData`
//! ([`ExtensibleData`]), lists with a bound ([`Entries`]), one object or an array of them
//! ([`OneOrMore`]), a number or a string ([`NumberOrString`]).

mod tree;

pub(crate) use tree::names_a_member_twice;
pub use tree::{read, Json, NotABody, Read, MAX_BODY_DEPTH};

use crate::error::{Invalid, Refused};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Attributes the schema does not name, carried through to the event.
pub type Extra = Map<String, Value>;

/// A body's tree as a callback's type `T`, or where and why it does not fit. Read without
/// tracking paths (most bodies fit); a body that does not is read again with them, to name
/// the attribute.
pub(crate) fn from_tree<'a, T: Deserialize<'a>>(tree: &'a Json<'a>) -> Result<T, Refused> {
    T::deserialize(tree).or_else(|_| {
        serde_path_to_error::deserialize(tree).map_err(|e| Refused {
            path: e.path().to_string(),
            message: e.into_inner().to_string(),
        })
    })
}

/// `extensibleData`: a free-form object, carried to the event untouched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ExtensibleData(pub Extra);

/// A list of at most `MAX` entries (more is `GEN5007`, naming the list).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Entries<T, const MAX: usize>(pub Vec<T>);

impl<T, const MAX: usize> std::ops::Deref for Entries<T, MAX> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for Entries<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Counted as they come: a hostile list is refused at its bound, not read whole.
        struct Bounded<T, const MAX: usize>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const MAX: usize> serde::de::Visitor<'de> for Bounded<T, MAX> {
            type Value = Vec<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Vec<T>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    if items.len() == MAX {
                        return Err(Invalid::TooMany { max: MAX }.into_serde());
                    }
                    items.push(item);
                }
                Ok(items)
            }
        }
        d.deserialize_seq(Bounded::<T, MAX>(std::marker::PhantomData))
            .map(Entries)
    }
}

impl<T: JsonSchema, const MAX: usize> JsonSchema for Entries<T, MAX> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Entries{MAX}_{}", T::schema_name()).into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "array", "maxItems": MAX, "items": g.subschema_for::<T>() })
    }
}

/// One object or an array of `MIN` to `MAX` of them, always an array once read: where the
/// schema types a member as one object and Juspay's page and lenders send an array.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct OneOrMany<T, const MIN: usize, const MAX: usize>(pub Vec<T>);

/// A required member: `credBlock` is an object in the schema, an array on Juspay's page. An
/// empty array is `GEN5001` (the schema requires the object).
pub type OneOrMore<T, const MAX: usize> = OneOrMany<T, 1, MAX>;

/// An optional member, possibly an empty array: `offers`, `rejectionDetails`,
/// `actionRequired` of a loan application.
pub type OneOrList<T, const MAX: usize> = OneOrMany<T, 0, MAX>;

impl<T, const MIN: usize, const MAX: usize> std::ops::Deref for OneOrMany<T, MIN, MAX> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<'de, T: Deserialize<'de>, const MIN: usize, const MAX: usize> Deserialize<'de>
    for OneOrMany<T, MIN, MAX>
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Decide on the JSON shape first and hand the same deserializer on, so that an
        // inner error is the real one, with its whole path (`credBlock[1].type`).
        struct Shape<T, const MIN: usize, const MAX: usize>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const MIN: usize, const MAX: usize> serde::de::Visitor<'de>
            for Shape<T, MIN, MAX>
        {
            type Value = Vec<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object or an array of objects")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(|t| vec![t])
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Vec<T>, A::Error> {
                let Entries(items) = Entries::<T, MAX>::deserialize(
                    serde::de::value::SeqAccessDeserializer::new(seq),
                )?;
                if items.len() < MIN {
                    return Err(Invalid::Missing.into_serde());
                }
                Ok(items)
            }
        }
        d.deserialize_any(Shape::<T, MIN, MAX>(std::marker::PhantomData))
            .map(OneOrMany)
    }
}

impl<T: JsonSchema, const MIN: usize, const MAX: usize> JsonSchema for OneOrMany<T, MIN, MAX> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("OneOrMany{MIN}_{MAX}_{}", T::schema_name()).into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let item = g.subschema_for::<T>();
        let array = if MIN > 0 {
            schemars::json_schema!({ "type": "array", "minItems": MIN, "maxItems": MAX, "items": item })
        } else {
            schemars::json_schema!({ "type": "array", "maxItems": MAX, "items": item })
        };
        schemars::json_schema!({ "oneOf": [item, array] })
    }
}

/// A number or a string (`otp`: the schema says number, samples send strings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum NumberOrString {
    Number(serde_json::Number),
    String(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn from_text<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Refused> {
        let read = read(text.as_bytes()).unwrap();
        from_tree(&read.tree)
    }

    #[derive(Debug, Deserialize)]
    struct Blocks {
        #[serde(rename = "b")]
        _b: OneOrMore<Block, 3>,
    }

    #[derive(Debug, Deserialize)]
    struct Block {
        #[serde(rename = "type")]
        _kind: crate::domain::Reference,
    }

    #[test]
    fn one_object_or_an_array_of_them_reads_as_a_list() {
        let one: Result<Blocks, _> = from_text(r#"{"b": {"type": "OTP"}}"#);
        let many: Result<Blocks, _> = from_text(r#"{"b": [{"type": "OTP"}, {"type": "OTP"}]}"#);
        assert_eq!(one.unwrap()._b.len(), 1);
        assert_eq!(many.unwrap()._b.len(), 2);
    }

    #[test]
    fn an_empty_or_overlong_list_or_another_json_type_is_refused_naming_it() {
        let refusal = |text: &str| from_text::<Blocks>(text).unwrap_err().rejection();
        let empty = refusal(r#"{"b": []}"#);
        assert_eq!(
            (empty.code.as_str(), empty.detail.as_str()),
            ("GEN5001", "b is required")
        );
        let long = refusal(r#"{"b": [{"type":"a"},{"type":"a"},{"type":"a"},{"type":"a"}]}"#);
        assert_eq!(
            (long.code.as_str(), long.detail.as_str()),
            ("GEN5007", "b has more than 3 entries")
        );
        let other = refusal(r#"{"b": "OTP"}"#);
        assert_eq!(other.code.as_str(), "LSP4001");
        assert_eq!(
            other.detail,
            "b must be of type an object or an array of objects"
        );
        let inner = refusal(r#"{"b": [{"type": "a"}, {"type": 7}]}"#);
        assert_eq!(inner.detail, "b[1].type must be of type a string");
    }

    #[test]
    fn a_type_error_names_the_path_and_expectation_but_not_the_value() {
        let refusal = from_text::<Blocks>(r#"{"b": {"type": 98765.43}}"#)
            .unwrap_err()
            .rejection();
        assert_eq!(refusal.detail, "b.type must be of type a string");
    }

    #[test]
    fn a_missing_or_null_attribute_is_gen5001_naming_it() {
        for text in [r#"{}"#, r#"{"b": null}"#] {
            let r = from_text::<Blocks>(text).unwrap_err().rejection();
            assert_eq!(
                (r.code.as_str(), r.detail.as_str()),
                ("GEN5001", "b is required")
            );
        }
        let r = from_text::<Blocks>(r#"{"b": {"type": ""}}"#)
            .unwrap_err()
            .rejection();
        assert_eq!(r.detail, "b.type is required");
    }

    #[test]
    fn extensible_data_keeps_every_member() {
        let v = json!({"a": [1, {"b": null}], "n": 12345678901234567890123u128});
        let text = v.to_string();
        let read = read(text.as_bytes()).unwrap();
        let data: ExtensibleData = from_tree(&read.tree).unwrap();
        assert_eq!(serde_json::to_value(&data).unwrap(), v);
    }
}
