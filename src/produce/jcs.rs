//! A small writer of RFC 8785 canonical JSON for the generator's hot path: events are
//! written canonical from the start, so their hash is the SHA-256 of the bytes written
//! and nothing has to be parsed back. Objects with fixed keys are written through `Obj`,
//! whose keys must come in JCS order (checked in debug builds); `serde_json::Value`s
//! are written with their keys sorted here, whatever order the map keeps them in.
//!
//! Strings and numbers are written by `crate::canonical` (one escaper, one number
//! formatter); only the object walk is here, because the generator writes typed
//! objects without building a tree. It must never be used to canonicalize text from
//! outside; that is `crate::canonical`'s job.

use serde_json::Value;

use crate::canonical::cmp_utf16;

/// Writes `s` quoted and escaped as ECMAScript's `JSON.stringify` does.
pub(crate) fn write_str(out: &mut Vec<u8>, s: &str) {
    crate::canonical::write_string(s, out);
}

/// Writes a number as ECMAScript writes the IEEE-754 double it denotes.
pub(crate) fn write_f64(out: &mut Vec<u8>, n: f64) {
    if n.is_finite() {
        crate::canonical::write_number(n, out);
    } else {
        // JSON has no infinities; JSON.stringify writes null, and so do we.
        out.extend_from_slice(b"null");
    }
}

pub(crate) fn write_u64(out: &mut Vec<u8>, n: u64) {
    if n <= (1 << 53) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = n;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        out.extend_from_slice(&digits[i..]);
    } else {
        write_f64(out, n as f64);
    }
}

/// Writes any JSON value canonically.
pub(crate) fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => match n.as_u64() {
            Some(u) => write_u64(out, u),
            None => write_f64(out, n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            let in_order = map
                .keys()
                .zip(map.keys().skip(1))
                .all(|(a, b)| cmp_utf16(a, b).is_lt());
            if in_order {
                write_members(out, map.iter());
            } else {
                let mut members: Vec<(&String, &Value)> = map.iter().collect();
                members.sort_unstable_by(|a, b| cmp_utf16(a.0, b.0));
                write_members(out, members.into_iter());
            }
            out.push(b'}');
        }
    }
}

fn write_members<'a>(out: &mut Vec<u8>, members: impl Iterator<Item = (&'a String, &'a Value)>) {
    for (i, (key, value)) in members.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        write_value(out, value);
    }
}

/// An object with fixed keys, written in the order given, which must be JCS order.
pub(crate) struct Obj<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    #[cfg(debug_assertions)]
    last_key: &'static str,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Obj {
            out,
            first: true,
            #[cfg(debug_assertions)]
            last_key: "",
        }
    }

    /// Starts member `key`; the caller writes its value into the returned buffer.
    pub(crate) fn key(&mut self, key: &'static str) -> &mut Vec<u8> {
        #[cfg(debug_assertions)]
        {
            assert!(
                self.first || cmp_utf16(self.last_key, key).is_lt(),
                "key {key:?} after {:?}",
                self.last_key
            );
            self.last_key = key;
        }
        if !self.first {
            self.out.push(b',');
        }
        self.first = false;
        write_str(self.out, key);
        self.out.push(b':');
        self.out
    }

    pub(crate) fn str(&mut self, key: &'static str, value: &str) -> &mut Self {
        write_str(self.key(key), value);
        self
    }

    pub(crate) fn opt_str(&mut self, key: &'static str, value: Option<&str>) -> &mut Self {
        if let Some(value) = value {
            self.str(key, value);
        }
        self
    }

    pub(crate) fn u64(&mut self, key: &'static str, value: u64) -> &mut Self {
        write_u64(self.key(key), value);
        self
    }

    /// A member whose value is already canonical JSON text.
    pub(crate) fn raw(&mut self, key: &'static str, canonical: &[u8]) -> &mut Self {
        self.key(key).extend_from_slice(canonical);
        self
    }

    pub(crate) fn value(&mut self, key: &'static str, value: &Value) -> &mut Self {
        write_value(self.key(key), value);
        self
    }

    pub(crate) fn opt_value(&mut self, key: &'static str, value: Option<&Value>) -> &mut Self {
        if let Some(value) = value {
            self.value(key, value);
        }
        self
    }

    pub(crate) fn end(&mut self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::canonicalize;
    use serde_json::json;

    fn canonical(value: &Value) -> String {
        let mut out = Vec::new();
        write_value(&mut out, value);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn agrees_with_the_verifiers_canonicalizer() {
        let value = json!({
            "b": [1, 2.5, -0.0, 1e21, 1e-7, 686.22, 9007199254740993u64, -3],
            "a": {"é": "x\u{1}\"\\\n\u{7f}", "\u{1F600}": true, "\u{FB33}": null},
            "c": "Zoë Reyes",
        });
        let ours = canonical(&value);
        let theirs = canonicalize(serde_json::to_string(&value).unwrap().as_bytes()).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn the_jcs_vectors_round_trip() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/vectors/jcs.json");
        let text = std::fs::read_to_string(path).expect("the spec's vectors beside the repository");
        let vectors: Value = serde_json::from_str(&text).unwrap();
        let cases = vectors
            .as_array()
            .or_else(|| vectors.get("cases").and_then(Value::as_array));
        for case in cases.into_iter().flatten() {
            let (Some(input), Some(expected)) = (
                case.get("input"),
                case.get("canonical").and_then(Value::as_str),
            ) else {
                continue;
            };
            // Inputs given as text are parsed with duplicates refused, like the verifier.
            let input = match input {
                Value::String(text) => match serde_json::from_str::<Value>(text) {
                    Ok(value) if canonicalize(text.as_bytes()).is_ok() => value,
                    _ => continue,
                },
                other => other.clone(),
            };
            assert_eq!(canonical(&input), expected, "{case}");
        }
    }

    #[test]
    fn obj_writes_members_in_the_order_given() {
        let mut out = Vec::new();
        Obj::new(&mut out)
            .str("a", "x")
            .u64("b", 7)
            .opt_str("c", None)
            .value("d", &json!([1]))
            .end();
        assert_eq!(out, br#"{"a":"x","b":7,"d":[1]}"#);
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "after")]
    fn obj_refuses_keys_out_of_order_in_debug_builds() {
        let mut out = Vec::new();
        Obj::new(&mut out).str("b", "x").str("a", "y");
    }
}
