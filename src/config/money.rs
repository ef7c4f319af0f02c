//! Money in the config is decimal text (`"1000"`, `"0.00001"`), never a float: a TOML float cannot
//! hold most decimal amounts exactly. Plain integers are accepted too, for convenience and for
//! environment overrides.

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{parse_decimal, DecimalError};

/// A decimal amount kept as its text until an instrument's scale is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecimalText(pub String);

impl DecimalText {
    /// The mantissa at `scale` (exact, or why not).
    pub fn at_scale(&self, scale: u8) -> Result<i64, DecimalError> {
        parse_decimal(self.0.trim().as_bytes(), scale)
    }
}

impl From<&str> for DecimalText {
    fn from(s: &str) -> Self {
        DecimalText(s.to_string())
    }
}

impl Serialize for DecimalText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DecimalText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = DecimalText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a decimal string such as \"1000.50\" or an integer")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<DecimalText, E> {
                Ok(DecimalText(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<DecimalText, E> {
                Ok(DecimalText(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<DecimalText, E> {
                Ok(DecimalText(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<DecimalText, E> {
                Err(E::custom(format!(
                    "money must be a decimal string (write \"{v}\"), not a float, so it stays exact"
                )))
            }
        }
        d.deserialize_any(V)
    }
}
