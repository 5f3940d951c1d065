//! How a sentence shows values, counts and lists: plain numbers, yes/no, "empty",
//! `[smb, vip]`, cut with "…", and text made safe to read on one line.

use serde_json::Value;

/// Values longer than this many characters are cut and end with "…".
pub(super) const VALUE_CHARS: usize = 80;

/// Names and reasons are cut later than values: they are the point of the sentence.
pub(super) const TEXT_CHARS: usize = 160;

/// A JSON value as a sentence shows it: strings as they are, numbers plainly, booleans
/// as yes/no, null as "empty", arrays as `[smb, vip]`, objects as `{3 fields}`; cut
/// with "…" past about 80 characters.
pub fn describe_value(value: &Value) -> String {
    let text = match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(describe_element).collect();
            format!("[{}]", items.join(", "))
        }
        other => describe_element(other),
    };
    shorten(&plain_text(&text), VALUE_CHARS)
}

pub(super) fn describe_element(value: &Value) -> String {
    match value {
        Value::Null => "empty".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::Number(n) => describe_number(n),
        Value::String(s) if s.is_empty() => "blank".to_owned(),
        Value::String(s) => s.clone(),
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        Value::Array(items) => format!("[{}]", counted(items.len() as u64, "item", "items")),
        Value::Object(members) if members.is_empty() => "{}".to_owned(),
        Value::Object(members) => {
            format!("{{{}}}", counted(members.len() as u64, "field", "fields"))
        }
    }
}

pub(super) fn describe_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let x = n.as_f64().unwrap_or(f64::NAN);
    if x != 0.0 && (x.abs() >= 1e21 || x.abs() < 1e-6) {
        format!("{x:e}")
    } else {
        // Rust writes the shortest round-trip form, without exponent: 178.0 -> "178".
        format!("{x}")
    }
}

/// "Customer" with 2 -> "customers"; "SupportTicket" with 1 -> "support ticket".
pub(super) fn noun(kind: &str, n: u64) -> String {
    let mut words = String::new();
    let mut previous_lower = false;
    for c in kind.chars() {
        if c.is_uppercase() && previous_lower {
            words.push(' ');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        words.extend(if c == '_' {
            vec![' ']
        } else {
            c.to_lowercase().collect()
        });
    }
    if n == 1 {
        return words;
    }
    let ends_in_consonant_y = words.ends_with('y')
        && !["ay", "ey", "iy", "oy", "uy"]
            .iter()
            .any(|e| words.ends_with(e));
    if ends_in_consonant_y {
        words.pop();
        words.push_str("ies");
    } else if ["s", "x", "z", "ch", "sh"]
        .iter()
        .any(|e| words.ends_with(e))
    {
        words.push_str("es");
    } else {
        words.push('s');
    }
    words
}

pub(super) fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group(n), if n == 1 { one } else { many })
}

/// 1204 -> "1,204".
pub(super) fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(super) fn article(noun: &str) -> &'static str {
    match noun.chars().next() {
        Some(c) if "aeiouAEIOU".contains(c) => "an",
        _ => "a",
    }
}

/// "a", "a and b", "a, b and c".
pub(super) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Cuts `text` to at most `max` characters, the last being "…".
pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max - 1).collect();
    format!("{}…", kept.trim_end())
}

/// One line of plain text: control characters become spaces, and bidirectional
/// embeddings, overrides and isolates become U+FFFD so they cannot reorder what a
/// reader sees.
pub(super) fn plain_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}' => '\u{FFFD}',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}
