//! Case-insensitive text search over stored records, as an SQL function
//! (`trailscope_text_match(raw, needle)`) registered on every case connection. It sits
//! below both the case (which registers it) and the queries (which call it in SQL), so
//! neither imports the other for it.

/// Registers `trailscope_text_match(raw, needle)`: whether a stored line contains
/// `needle` (already lowercased) in its names or values, ignoring case in every script
/// and reading JSON escapes (`\u00eb` is `ë`) as the characters they stand for.
pub fn register_text_search(connection: &rusqlite::Connection) -> crate::Result<()> {
    use rusqlite::functions::FunctionFlags;
    connection.create_scalar_function(
        "trailscope_text_match",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |context| {
            let raw = context.get_raw(0);
            let needle: String = context.get(1)?;
            let bytes = match raw {
                rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b,
                _ => return Ok(false),
            };
            Ok(text_matches(bytes, &needle))
        },
    )?;
    Ok(())
}

/// See [`register_text_search`].
pub fn text_matches(raw: &[u8], needle: &str) -> bool {
    let text = String::from_utf8_lossy(raw);
    if text.to_lowercase().contains(needle) {
        return true;
    }
    if !text.contains('\\') {
        return false;
    }
    // Escaped text: search the decoded names and values.
    fn walk(value: &serde_json::Value, needle: &str) -> bool {
        match value {
            serde_json::Value::String(s) => s.to_lowercase().contains(needle),
            serde_json::Value::Array(items) => items.iter().any(|item| walk(item, needle)),
            serde_json::Value::Object(members) => members
                .iter()
                .any(|(key, member)| key.to_lowercase().contains(needle) || walk(member, needle)),
            other => other.to_string().contains(needle),
        }
    }
    serde_json::from_slice::<serde_json::Value>(raw).is_ok_and(|value| walk(&value, needle))
}
