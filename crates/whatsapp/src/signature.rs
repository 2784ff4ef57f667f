//! `X-Hub-Signature-256`: Meta signs every webhook delivery with an
//! HMAC-SHA256 of the raw body, keyed with the app secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header value's prefix, as Meta sends it.
const PREFIX: &str = "sha256=";

/// Why a delivery's signature was refused. The messages never contain the
/// secret, the expected signature or the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    #[error("the X-Hub-Signature-256 header is not `sha256=` and 64 hex digits")]
    Malformed,
    #[error("the X-Hub-Signature-256 header does not match the body")]
    Mismatch,
}

/// Checks `header` (the `X-Hub-Signature-256` value) against `body`, the raw
/// bytes as received: re-serialized JSON would not match.
///
/// The comparison is constant-time (`hmac`'s `verify_slice`), so timing does
/// not reveal how much of a forged signature was right.
pub fn verify_signature(
    app_secret: &[u8],
    header: Option<&str>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let digits = header
        .trim()
        .strip_prefix(PREFIX)
        .ok_or(SignatureError::Malformed)?;
    let expected = hex::decode(digits).map_err(|_| SignatureError::Malformed)?;
    if expected.len() != 32 {
        return Err(SignatureError::Malformed);
    }
    mac(app_secret, body)
        .verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The `X-Hub-Signature-256` value Meta would send for `body`: for tests,
/// benchmarks and clients that forward deliveries.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    format!(
        "{PREFIX}{}",
        hex::encode(mac(app_secret, body).finalize().into_bytes())
    )
}

fn mac(app_secret: &[u8], body: &[u8]) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(app_secret).expect("HMAC-SHA256 takes keys of any length");
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914";

    #[test]
    fn the_known_vector_verifies() {
        assert_eq!(sign(b"secret", b"test"), VECTOR);
        assert_eq!(verify_signature(b"secret", Some(VECTOR), b"test"), Ok(()));
    }

    #[test]
    fn upper_case_hex_and_surrounding_spaces_are_accepted() {
        let upper = format!("sha256={}", VECTOR[7..].to_uppercase());
        assert_eq!(
            verify_signature(b"secret", Some(&format!(" {upper} ")), b"test"),
            Ok(())
        );
    }

    #[test]
    fn a_missing_header_is_missing() {
        assert_eq!(
            verify_signature(b"secret", None, b"test"),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn malformed_headers_are_malformed() {
        for header in [
            "",
            "sha256=",
            "sha256=00",
            "sha1=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914",
            "0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914",
            "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c091",
            "sha256=zz29a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914",
            "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c091400",
        ] {
            assert_eq!(
                verify_signature(b"secret", Some(header), b"test"),
                Err(SignatureError::Malformed),
                "{header:?}"
            );
        }
    }

    #[test]
    fn a_wrong_key_or_a_changed_body_is_a_mismatch() {
        assert_eq!(
            verify_signature(b"other", Some(VECTOR), b"test"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(b"secret", Some(VECTOR), b"test "),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(b"secret", Some(VECTOR), b""),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn errors_do_not_show_the_secret_or_the_signature() {
        for e in [
            SignatureError::Missing,
            SignatureError::Malformed,
            SignatureError::Mismatch,
        ] {
            let text = e.to_string();
            assert!(
                !text.contains("secret") && !text.contains("0329a06b"),
                "{text}"
            );
        }
    }
}
