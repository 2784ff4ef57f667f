//! Field readers that never fail a batch over one odd value: Meta sends
//! numbers as strings (timestamps, prices) and may change that.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// An integer sent as a string or a number (unix-seconds timestamps, error
/// codes): `None` when it is absent or not an integer.
pub(crate) fn integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(Value::Number(n)) => n.as_i64(),
        _ => None,
    })
}

/// A decimal sent as a string or a number: `None` when it is absent or not
/// a number.
pub(crate) fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
        Some(Value::Number(n)) => n.as_f64(),
        _ => None,
    })
}

/// A flag that may come as a boolean or as `"true"`/`"false"`: `false` when
/// absent or anything else.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "super::integer")]
        at: Option<i64>,
        #[serde(default, deserialize_with = "super::number")]
        n: Option<f64>,
        #[serde(default, deserialize_with = "super::flag")]
        f: bool,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).expect("every probe is valid JSON")
    }

    #[test]
    fn integers_read_strings_and_numbers_and_drop_garbage() {
        assert_eq!(probe(r#"{"at":"1749416383"}"#).at, Some(1_749_416_383));
        assert_eq!(probe(r#"{"at":1749416383}"#).at, Some(1_749_416_383));
        assert_eq!(probe(r#"{"at":"soon"}"#).at, None);
        assert_eq!(probe(r#"{"at":"99999999999999999999999"}"#).at, None);
        assert_eq!(probe(r#"{"at":1.5}"#).at, None);
        assert_eq!(probe(r#"{"at":null}"#).at, None);
        assert_eq!(probe("{}").at, None);
    }

    #[test]
    fn numbers_read_strings_and_numbers_and_drop_garbage() {
        assert_eq!(probe(r#"{"n":"12.5"}"#).n, Some(12.5));
        assert_eq!(probe(r#"{"n":3}"#).n, Some(3.0));
        assert_eq!(probe(r#"{"n":"NaN"}"#).n, None);
        assert_eq!(probe(r#"{"n":[1]}"#).n, None);
    }

    #[test]
    fn flags_read_booleans_and_strings() {
        assert!(probe(r#"{"f":true}"#).f);
        assert!(probe(r#"{"f":"true"}"#).f);
        assert!(!probe(r#"{"f":"yes"}"#).f);
        assert!(!probe("{}").f);
    }
}
