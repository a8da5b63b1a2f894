//! Does a payload enum know a `type`? The difference between error 10
//! (not-supported) and error 12 (malformed-request).
//!
//! serde reports an unknown enum tag through `de::Error::unknown_variant`. We
//! deserialize the payload type from a one-entry map `{"type": <name>}` with an
//! error type of our own that remembers whether that method was the one
//! called. No error-message matching, and it works for any payload enum a node
//! derives, without the node listing its types a second time.

use std::fmt;

use serde::de::value::MapDeserializer;
use serde::de::DeserializeOwned;

#[derive(Debug)]
struct ProbeError {
    unknown_variant: bool,
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "probe (unknown variant: {})", self.unknown_variant)
    }
}

impl std::error::Error for ProbeError {}

impl serde::de::Error for ProbeError {
    fn custom<T: fmt::Display>(_message: T) -> ProbeError {
        ProbeError {
            unknown_variant: false,
        }
    }

    fn unknown_variant(_variant: &str, _expected: &'static [&'static str]) -> ProbeError {
        ProbeError {
            unknown_variant: true,
        }
    }
}

/// True unless `P` rejects `kind` as an unknown variant. (A known type with
/// missing fields fails too, but not as an unknown variant.)
pub(crate) fn is_known_type<P: DeserializeOwned>(kind: &str) -> bool {
    let map = MapDeserializer::<_, ProbeError>::new(std::iter::once(("type", kind)));
    match P::deserialize(map) {
        Ok(_) => true,
        Err(error) => !error.unknown_variant,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    #[allow(dead_code)] // Only the tags matter to the probe.
    enum Payload {
        Echo { echo: String },
        Read,
    }

    #[test]
    fn known_types_are_known_even_when_their_fields_are_missing() {
        assert!(is_known_type::<Payload>("echo"));
        assert!(is_known_type::<Payload>("read"));
    }

    #[test]
    fn unknown_types_are_unknown() {
        assert!(!is_known_type::<Payload>("broadcast"));
        assert!(!is_known_type::<Payload>(""));
    }
}
