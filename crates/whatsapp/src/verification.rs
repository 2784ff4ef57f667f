//! Meta's webhook verification handshake: when a callback URL is set up,
//! Meta sends `GET ?hub.mode=subscribe&hub.verify_token=..&hub.challenge=..`
//! and expects the challenge back.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Why a handshake was refused. The messages never contain the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerificationError {
    #[error("hub.mode is not `subscribe`")]
    WrongMode,
    #[error("hub.verify_token does not match")]
    WrongToken,
    #[error("hub.challenge is missing")]
    MissingChallenge,
}

/// Returns the challenge to echo when `mode` is `subscribe` and `token`
/// equals `expected_token`.
///
/// Both tokens are hashed before the constant-time comparison so that
/// neither their contents nor their lengths show in the timing.
pub fn verify_subscription(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
    expected_token: &str,
) -> Result<String, VerificationError> {
    if mode != Some("subscribe") {
        return Err(VerificationError::WrongMode);
    }
    let token = token.ok_or(VerificationError::WrongToken)?;
    let matches: bool = Sha256::digest(token.as_bytes())
        .ct_eq(&Sha256::digest(expected_token.as_bytes()))
        .into();
    // An empty expected token would let an empty `hub.verify_token` through.
    if !matches || expected_token.is_empty() {
        return Err(VerificationError::WrongToken);
    }
    challenge
        .map(str::to_owned)
        .ok_or(VerificationError::MissingChallenge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_echoed_when_mode_and_token_match() {
        assert_eq!(
            verify_subscription(Some("subscribe"), Some("tok"), Some("1158201444"), "tok"),
            Ok("1158201444".into())
        );
    }

    #[test]
    fn a_wrong_or_missing_token_is_refused() {
        assert_eq!(
            verify_subscription(Some("subscribe"), Some("nope"), Some("1"), "tok"),
            Err(VerificationError::WrongToken)
        );
        assert_eq!(
            verify_subscription(Some("subscribe"), Some("to"), Some("1"), "tok"),
            Err(VerificationError::WrongToken)
        );
        assert_eq!(
            verify_subscription(Some("subscribe"), None, Some("1"), "tok"),
            Err(VerificationError::WrongToken)
        );
    }

    #[test]
    fn an_empty_expected_token_matches_nothing() {
        assert_eq!(
            verify_subscription(Some("subscribe"), Some(""), Some("1"), ""),
            Err(VerificationError::WrongToken)
        );
    }

    #[test]
    fn another_or_missing_mode_is_refused() {
        assert_eq!(
            verify_subscription(Some("unsubscribe"), Some("tok"), Some("1"), "tok"),
            Err(VerificationError::WrongMode)
        );
        assert_eq!(
            verify_subscription(None, Some("tok"), Some("1"), "tok"),
            Err(VerificationError::WrongMode)
        );
    }

    #[test]
    fn a_missing_challenge_is_refused() {
        assert_eq!(
            verify_subscription(Some("subscribe"), Some("tok"), None, "tok"),
            Err(VerificationError::MissingChallenge)
        );
    }
}
