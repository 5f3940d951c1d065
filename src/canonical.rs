//! RFC 8785 canonical JSON (JCS) and the event hash of spec §3 (version 1: over the
//! event without `hash`; version 2: a body hash, then SHA-256 of prev_hash ‖ body_hash).
//!
//! Parsing is strict in the ways a verifier needs: duplicate keys are an error (the
//! spec makes such a line malformed), nesting is bounded by serde_json's recursion
//! limit (no stack overflow on hostile input), and numbers are read as IEEE-754
//! doubles exactly as ECMAScript would (`float_roundtrip`). Strings are borrowed from
//! the line wherever they carry no escapes, so the hot path allocates little.
//!
//! This module must never trust or reuse the text it was given: the canonical form is
//! always written anew from the parsed value.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use sha2::{Digest, Sha256};

/// A parsed JSON value whose object members are sorted in JCS order (by UTF-16 code units).
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Members sorted by key in UTF-16 order; keys are unique.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// Why a text is not acceptable JSON for hashing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError(pub String);

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsonError {}

/// Parses one JSON text. Duplicate keys, invalid UTF-8, lone surrogates, numbers out
/// of the double range and nesting deeper than 128 levels are errors.
pub fn parse(text: &[u8]) -> Result<Json<'_>, JsonError> {
    // One check of the whole line's UTF-8 is quicker than serde_json's check of each
    // string in it; a line that fails is parsed from bytes for serde_json's own error.
    let parsed = match std::str::from_utf8(text) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(text),
    };
    parsed.map_err(|error| JsonError(describe_serde_error(&error)))
}

fn describe_serde_error(error: &serde_json::Error) -> String {
    let message = error.to_string();
    // serde_json appends " at line L column C"; the line is always 1 for one event,
    // so keep only the column, which says where in the line the problem is.
    match message.rfind(" at line ") {
        Some(at) => {
            let column = message[at..].rsplit(' ').next().unwrap_or("");
            format!("{} (column {column})", &message[..at])
        }
        None => message,
    }
}

/// Compares two strings by their UTF-16 code units, as RFC 8785 §3.2.3 orders keys.
pub fn cmp_utf16(a: &str, b: &str) -> Ordering {
    // UTF-8 byte order is code point order, which is UTF-16 order except between a
    // supplementary character (lead byte 0xF0..) and one in U+E000..U+FFFF (lead
    // bytes 0xEE, 0xEF). So the first differing byte decides, unless it is such a lead.
    let (x, y) = (a.as_bytes(), b.as_bytes());
    match x.iter().zip(y).position(|(p, q)| p != q) {
        None => x.len().cmp(&y.len()),
        Some(i) if x[i] < 0xEE && y[i] < 0xEE => x[i].cmp(&y[i]),
        Some(_) => a.encode_utf16().cmp(b.encode_utf16()),
    }
}

impl<'a> Json<'a> {
    /// The member `key` of an object, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(members) => members
                .binary_search_by(|(k, _)| cmp_utf16(k, key))
                .ok()
                .map(|i| &members[i].1),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// Writes the canonical form of this value.
    pub fn write_canonical(&self, out: &mut Vec<u8>) {
        self.write_canonical_skipping(out, None);
    }

    /// Writes the canonical form, leaving out the top-level member `skip` if this is an
    /// object (the event hash covers the event without its `hash` key).
    pub fn write_canonical_skipping(&self, out: &mut Vec<u8>, skip: Option<&str>) {
        self.write_canonical_without(out, skip.as_slice());
    }

    /// Writes the canonical form, leaving out the top-level members named in `skip` if
    /// this is an object (a version 2 body leaves out `hash`, `prev_hash`, `body_hash`).
    pub fn write_canonical_without(&self, out: &mut Vec<u8>, skip: &[&str]) {
        match self {
            Json::Null => out.extend_from_slice(b"null"),
            Json::Bool(true) => out.extend_from_slice(b"true"),
            Json::Bool(false) => out.extend_from_slice(b"false"),
            Json::Number(n) => write_number(*n, out),
            Json::String(s) => write_string(s, out),
            Json::Array(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write_canonical(out);
                }
                out.push(b']');
            }
            Json::Object(members) => {
                out.push(b'{');
                let mut first = true;
                for (key, value) in members {
                    if skip.contains(&key.as_ref()) {
                        continue;
                    }
                    if !first {
                        out.push(b',');
                    }
                    first = false;
                    write_string(key, out);
                    out.push(b':');
                    value.write_canonical(out);
                }
                out.push(b'}');
            }
        }
    }

    /// The canonical text of this value.
    pub fn to_canonical_string(&self) -> String {
        let mut out = Vec::new();
        self.write_canonical(&mut out);
        String::from_utf8(out).expect("canonical JSON is UTF-8")
    }

    /// Converts to an owned `serde_json::Value` (for display and queries, not hashing).
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Json::String(s) => Value::String(s.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// Writes an IEEE-754 double the way ECMAScript's `Number.prototype.toString` does.
pub fn write_number(n: f64, out: &mut Vec<u8>) {
    if n == 0.0 {
        // Covers -0, which ECMAScript writes as "0".
        out.push(b'0');
        return;
    }
    let mut buffer = ryu_js::Buffer::new();
    out.extend_from_slice(buffer.format_finite(n).as_bytes());
}

/// Bytes that `JSON.stringify` escapes: control characters, `"` and `\\`.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// Writes a string quoted and escaped as ECMAScript's `JSON.stringify` does.
pub fn write_string(s: &str, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    while let Some(offset) = bytes[start..]
        .iter()
        .position(|&b| NEEDS_ESCAPE[b as usize])
    {
        let i = start + offset;
        out.extend_from_slice(&bytes[start..i]);
        let b = bytes[i];
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]),
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Canonicalizes a JSON text (RFC 8785).
pub fn canonicalize(text: &[u8]) -> Result<String, JsonError> {
    Ok(parse(text)?.to_canonical_string())
}

/// A SHA-256 digest.
pub type Digest32 = [u8; 32];

/// SHA-256 of bytes.
pub fn sha256(bytes: &[u8]) -> Digest32 {
    Sha256::digest(bytes).into()
}

/// The spec §3 hash of an event: SHA-256 of the canonical event without its `hash` key.
/// `scratch` is reused between calls to avoid an allocation per event.
pub fn event_hash(event: &Json<'_>, scratch: &mut Vec<u8>) -> Digest32 {
    scratch.clear();
    event.write_canonical_skipping(scratch, Some("hash"));
    sha256(scratch)
}

/// The spec §3 hash of an event held as a `serde_json::Value` (used by the producer side).
pub fn event_hash_of_value(event: &serde_json::Value) -> Digest32 {
    let text = serde_json::to_vec(event).expect("a Value always serializes");
    let parsed = parse(&text).expect("a serialized Value parses");
    let mut scratch = Vec::with_capacity(text.len());
    event_hash(&parsed, &mut scratch)
}

/// The members a version 2 body leaves out (spec v2 §3): the chain's links and the
/// body's own hash.
pub const NOT_IN_BODY: [&str; 3] = ["body_hash", "hash", "prev_hash"];

/// The spec v2 §3 body hash of an event: SHA-256 of the canonical event without its
/// `hash`, `prev_hash` and `body_hash` members. `scratch` is reused between calls.
pub fn body_hash(event: &Json<'_>, scratch: &mut Vec<u8>) -> Digest32 {
    scratch.clear();
    event.write_canonical_without(scratch, &NOT_IN_BODY);
    sha256(scratch)
}

/// The spec v2 §3 hash of an event (or stub): SHA-256 of the 32 bytes of its
/// `prev_hash` followed by the 32 bytes of its `body_hash`.
pub fn linked_hash(prev_hash: &Digest32, body_hash: &Digest32) -> Digest32 {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash);
    hasher.update(body_hash);
    hasher.finalize().into()
}

/// The spec v2 §3 body hash of an event held as a `serde_json::Value` (producer side).
pub fn body_hash_of_value(event: &serde_json::Value) -> Digest32 {
    sha256(&canonical_of_value_without(event, &NOT_IN_BODY))
}

/// Canonical text of a `serde_json::Value`, leaving out the top-level keys in `skip`.
pub fn canonical_of_value_without(value: &serde_json::Value, skip: &[&str]) -> Vec<u8> {
    let text = serde_json::to_vec(value).expect("a Value always serializes");
    let parsed = parse(&text).expect("a serialized Value parses");
    let mut out = Vec::with_capacity(text.len());
    parsed.write_canonical_without(&mut out, skip);
    out
}

/// Canonical text of a `serde_json::Value`, leaving out the top-level key `skip`.
pub fn canonical_of_value(value: &serde_json::Value, skip: Option<&str>) -> Vec<u8> {
    canonical_of_value_without(value, skip.as_slice())
}

/// Lowercase hex of bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 0xf) as usize] as char);
    }
    s
}

/// Parses exactly 64 lowercase hex digits (the spec's hash form). Uppercase is refused:
/// the spec says lowercase, and accepting both would let one hash have two spellings.
pub fn parse_hash_hex(s: &str) -> Option<Digest32> {
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    // Each byte's value as a lowercase hex digit, or 0x10 and up for any other byte.
    const NIBBLE: [u8; 256] = {
        let mut table = [0xFF; 256];
        let mut c = 0;
        while c < 256 {
            table[c] = match c as u8 {
                b'0'..=b'9' => c as u8 - b'0',
                b'a'..=b'f' => c as u8 - b'a' + 10,
                _ => 0xFF,
            };
            c += 1;
        }
        table
    };
    let mut out = [0u8; 32];
    let mut bad = 0u8;
    for (byte, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let (high, low) = (NIBBLE[pair[0] as usize], NIBBLE[pair[1] as usize]);
        bad |= high | low;
        *byte = (high << 4) | (low & 0x0F);
    }
    (bad < 0x10).then_some(out)
}

// ---- serde plumbing -------------------------------------------------------------

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

/// A map key that borrows from the input when it can.
struct Key<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Json::Number(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Json::Number(v as f64))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.is_finite() {
            Ok(Json::Number(v))
        } else {
            Err(E::custom("number out of range"))
        }
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Json::String(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members: Vec<(Cow<'de, str>, Json<'de>)> = Vec::with_capacity(8);
        while let Some((Key(key), value)) = map.next_entry::<Key<'de>, Json<'de>>()? {
            members.push((key, value));
        }
        members.sort_unstable_by(|a, b| cmp_utf16(&a.0, &b.0));
        if let Some(pair) = members.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(de::Error::custom(format_args!(
                "duplicate key {:?}",
                pair[0].0
            )));
        }
        Ok(Json::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_utf16_code_units_not_code_points() {
        // U+FB33 sorts after U+1F600 in code points but before it... in UTF-16 the
        // surrogate 0xD83D is smaller than 0xFB33.
        assert_eq!(cmp_utf16("\u{1F600}", "\u{FB33}"), Ordering::Less);
        assert_eq!(cmp_utf16("a", "b"), Ordering::Less);
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let error = parse(br#"{"a":1,"b":2,"a":3}"#).unwrap_err();
        assert!(error.0.contains("duplicate key \"a\""), "{error}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        assert!(parse(deep.as_bytes()).is_err());
    }

    #[test]
    fn negative_zero_and_big_integers_follow_ecmascript() {
        assert_eq!(
            canonicalize(b"[-0, 9007199254740993, 1E3]").unwrap(),
            "[0,9007199254740992,1000]"
        );
    }

    #[test]
    fn a_line_is_parsed_the_same_whether_its_utf8_is_checked_whole_or_per_string() {
        let text = "{\"name\":\"Zo\u{eb} M\u{fc}ller \u{1f600}\",\"n\":1}";
        let parsed = parse(text.as_bytes()).unwrap();
        assert_eq!(
            parsed.get("name").and_then(Json::as_str),
            Some("Zo\u{eb} M\u{fc}ller \u{1f600}")
        );
        assert_eq!(
            parsed,
            serde_json::from_slice::<Json<'_>>(text.as_bytes()).unwrap()
        );
        // Invalid UTF-8 (a lone continuation byte) is refused with serde_json's own
        // words and column, as before.
        let error = parse(b"{\"name\":\"a\x80b\"}").unwrap_err();
        assert!(error.0.contains("unicode"), "{error}");
        assert!(error.0.contains("column"), "{error}");
        // A lone surrogate written as an escape is refused either way.
        assert!(parse(br#"{"name":"\ud800"}"#).is_err());
    }

    #[test]
    fn hex_round_trips_and_refuses_uppercase() {
        let digest = sha256(b"abc");
        assert_eq!(parse_hash_hex(&to_hex(&digest)), Some(digest));
        assert_eq!(parse_hash_hex(&to_hex(&digest).to_uppercase()), None);
        let hex = to_hex(&digest);
        for (at, stray) in [(0, "g"), (31, " "), (62, "-"), (63, "\u{e9}")] {
            let mut bad = hex.clone();
            bad.replace_range(at..at + 1, stray);
            assert_eq!(parse_hash_hex(&bad), None, "{bad:?}");
        }
        assert_eq!(parse_hash_hex(&hex[..62]), None);
        assert_eq!(parse_hash_hex(&"f".repeat(64)), Some([0xFF; 32]));
        assert_eq!(parse_hash_hex(&"0".repeat(64)), Some([0; 32]));
    }
}
