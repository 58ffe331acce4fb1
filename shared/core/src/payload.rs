//! The validated body as an event's payload, written once, straight from the validated
//! type: no `serde_json::Value` tree between the two, when the text it gives is exactly
//! what the tree would have given.
//!
//! The tree (serde_json's `Map` is ordered by key) writes members in key order; a
//! validated type writes them in the order its fields are declared, then its unknown
//! attributes. The modules declare their fields in key order, and `Ordered` checks every
//! object as it is written: a key not after the one before it (an unknown attribute that
//! sorts among the fields), a key with an escape, or a number (the tree keeps a number's
//! spelling from the body) gives up, and the callback takes the tree as before. So the
//! fast text is byte for byte the tree's (a test holds every registered callback to it),
//! and its hash is the same digest.

use crate::digest::Sha256Writer;
use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};
use serde_json::Value;
use std::io::{self, Write};
use std::ops::Range;

/// A validated callback's body as the event carries it.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// Written straight from the validated type (the usual case).
    Plain(PlainPayload),
    /// A tree: the body has numbers (their spelling is restored from the body), or an
    /// unknown attribute that sorts among the known ones.
    Tree(Value),
}

impl Payload {
    /// The payload of a validated body: [`Payload::Plain`] when it can be, else the tree.
    pub fn of(body: &impl Serialize) -> Payload {
        match PlainPayload::write(body) {
            Some(plain) => Payload::Plain(plain),
            None => Payload::Tree(
                serde_json::to_value(body).expect("validated callbacks always serialise"),
            ),
        }
    }

    /// The payload as a tree (tests, tools; the pipeline never needs one for a plain
    /// payload).
    pub fn to_value(&self) -> Value {
        match self {
            Payload::Plain(p) => serde_json::from_str(&p.json).expect("a plain payload is JSON"),
            Payload::Tree(v) => v.clone(),
        }
    }

    /// The payload as a tree.
    pub fn into_value(self) -> Value {
        match self {
            Payload::Plain(_) => self.to_value(),
            Payload::Tree(v) => v,
        }
    }
}

/// A payload's compact JSON, keys in order, without numbers: the same bytes as
/// `serde_json::to_string` of its tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainPayload {
    json: String,
    /// The root `metadata`'s members the hash leaves out ([`crate::service::payload_hash`]),
    /// each with its leading comma, in order (names are not repeated: at most one each).
    unhashed: [Range<usize>; UNHASHED_METADATA.len()],
    unhashed_len: usize,
}

impl PlainPayload {
    /// `body`'s JSON, if it is what its tree would give (see the module).
    pub fn write(body: &impl Serialize) -> Option<PlainPayload> {
        let mut out = Vec::with_capacity(1024);
        let mut state = State {
            keys: String::with_capacity(256),
            objects: Vec::with_capacity(8),
            ..State::default()
        };
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Ordered(&mut state));
        body.serialize(&mut ser).ok()?;
        debug_assert_eq!(
            state.len,
            out.len(),
            "every byte is written by the formatter"
        );
        if state.len != out.len() {
            return None;
        }
        Some(PlainPayload {
            json: String::from_utf8(out).ok()?,
            unhashed: state.unhashed,
            unhashed_len: state.unhashed_len,
        })
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        &self.json
    }

    /// [`crate::service::payload_hash`] of this payload, from its text: the same bytes less
    /// the root `metadata`'s `timestamp` and `traceId`.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256Writer::new();
        let mut at = 0;
        for r in &self.unhashed[..self.unhashed_len] {
            hasher.update(&self.json.as_bytes()[at..r.start]);
            at = r.end;
        }
        hasher.update(&self.json.as_bytes()[at..]);
        hasher.finish_hex()
    }
}

/// Members of the root's `metadata` the hash leaves out (as [`crate::service`]'s).
const UNHASHED_METADATA: &[&str] = &["timestamp", "traceId"];

/// What [`Ordered`] has seen so far.
#[derive(Default)]
struct State {
    /// Bytes written.
    len: usize,
    /// Open objects and arrays.
    depth: usize,
    /// The keys of each open object, outermost first, then the key being written (between
    /// `begin_object_key` and `end_object_key`): one buffer for them all, an object's keys
    /// dropped when it closes.
    keys: String,
    in_key: bool,
    /// Each open object: where its keys begin in `keys`, and where its last key does.
    objects: Vec<(usize, Option<usize>)>,
    /// Where the key being written starts in `keys`.
    key_start: usize,
    /// The open root member is `metadata`.
    root_metadata: bool,
    /// The root `metadata` object is open (at depth 2).
    in_metadata: bool,
    /// Where the open member of the root `metadata` started (before its comma), and
    /// whether the hash leaves it out.
    member_start: usize,
    skip_member: bool,
    unhashed: [Range<usize>; UNHASHED_METADATA.len()],
    unhashed_len: usize,
}

/// serde_json's compact formatter that counts what it writes, checks that each object's
/// keys come in order, and refuses numbers (an `io::Error` ends the serialisation).
struct Ordered<'a>(&'a mut State);

fn refuse() -> io::Error {
    io::Error::other("not a plain payload")
}

/// A writer that counts the bytes written through it.
struct Counted<'a, W: ?Sized> {
    inner: &'a mut W,
    len: &'a mut usize,
}

impl<W: ?Sized + Write> Write for Counted<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        *self.len += n;
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)?;
        *self.len += buf.len();
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl Ordered<'_> {
    fn counted<'a, W: ?Sized>(state: &'a mut State, w: &'a mut W) -> Counted<'a, W> {
        Counted {
            inner: w,
            len: &mut state.len,
        }
    }
}

macro_rules! no_numbers {
    ($($f:ident: $t:ty),*) => {$(
        fn $f<W: ?Sized + Write>(&mut self, _: &mut W, _: $t) -> io::Result<()> {
            Err(refuse())
        }
    )*};
}

impl Formatter for Ordered<'_> {
    no_numbers!(write_i8: i8, write_i16: i16, write_i32: i32, write_i64: i64, write_i128: i128,
        write_u8: u8, write_u16: u16, write_u32: u32, write_u64: u64, write_u128: u128,
        write_f32: f32, write_f64: f64, write_number_str: &str);

    fn write_raw_fragment<W: ?Sized + Write>(&mut self, _: &mut W, _: &str) -> io::Result<()> {
        Err(refuse())
    }

    fn write_byte_array<W: ?Sized + Write>(&mut self, _: &mut W, _: &[u8]) -> io::Result<()> {
        Err(refuse())
    }

    fn write_null<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        CompactFormatter.write_null(&mut Self::counted(self.0, w))
    }

    fn write_bool<W: ?Sized + Write>(&mut self, w: &mut W, value: bool) -> io::Result<()> {
        CompactFormatter.write_bool(&mut Self::counted(self.0, w), value)
    }

    fn begin_string<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        CompactFormatter.begin_string(&mut Self::counted(self.0, w))
    }

    fn end_string<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        CompactFormatter.end_string(&mut Self::counted(self.0, w))
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        if self.0.in_key {
            self.0.keys.push_str(s);
        }
        CompactFormatter.write_string_fragment(&mut Self::counted(self.0, w), s)
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        if self.0.in_key {
            // Escaped keys are rare; their order is the tree's business.
            return Err(refuse());
        }
        CompactFormatter.write_char_escape(&mut Self::counted(self.0, w), escape)
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.depth += 1;
        CompactFormatter.begin_array(&mut Self::counted(self.0, w))
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.depth -= 1;
        CompactFormatter.end_array(&mut Self::counted(self.0, w))
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        CompactFormatter.begin_array_value(&mut Self::counted(self.0, w), first)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        let s = &mut *self.0;
        if s.depth == 1 && s.root_metadata {
            s.in_metadata = true;
        }
        s.depth += 1;
        s.objects.push((s.keys.len(), None));
        CompactFormatter.begin_object(&mut Self::counted(self.0, w))
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        let s = &mut *self.0;
        if s.depth == 2 && s.in_metadata {
            s.in_metadata = false;
        }
        s.depth -= 1;
        if let Some((start, _)) = s.objects.pop() {
            s.keys.truncate(start);
        }
        CompactFormatter.end_object(&mut Self::counted(self.0, w))
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        let s = &mut *self.0;
        if s.depth == 2 {
            s.member_start = s.len;
        }
        s.in_key = true;
        s.key_start = s.keys.len();
        CompactFormatter.begin_object_key(&mut Self::counted(self.0, w), first)
    }

    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        let s = &mut *self.0;
        s.in_key = false;
        let Some((_, last)) = s.objects.last_mut() else {
            return Err(refuse());
        };
        let (before, key) = s.keys.split_at(s.key_start);
        // The last key ends where this one begins: a nested object's keys are gone.
        if last.is_some_and(|from| key <= &before[from..]) {
            return Err(refuse());
        }
        let has_last = last.is_some();
        *last = Some(s.key_start);
        if s.depth == 1 {
            s.root_metadata = key == "metadata";
        }
        if s.depth == 2 {
            s.skip_member = s.in_metadata && UNHASHED_METADATA.contains(&key);
        }
        // The first member has no comma to take away with it.
        if s.skip_member && !has_last {
            return Err(refuse());
        }
        CompactFormatter.end_object_key(&mut Self::counted(self.0, w))
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        CompactFormatter.begin_object_value(&mut Self::counted(self.0, w))
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        CompactFormatter.end_object_value(&mut Self::counted(self.0, w))?;
        let s = &mut *self.0;
        if s.skip_member && s.depth == 2 {
            // At most one member per name (keys only increase).
            s.unhashed[s.unhashed_len] = s.member_start..s.len;
            s.unhashed_len += 1;
            s.skip_member = false;
        }
        Ok(())
    }
}
