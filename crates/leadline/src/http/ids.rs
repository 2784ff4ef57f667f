//! Names for conversations in URLs, the dashboard's and the admin API's. A
//! customer id is their phone number; in a URL it would land in proxy
//! access logs, browser history and `Referer` headers. So URLs carry an
//! opaque id instead: the customer id encrypted (AES-256-GCM), with the
//! nonce derived from the id (HMAC-SHA256, as in SIV), so one customer
//! always gets the same opaque id and nobody without the key can read or
//! forge one. No lookup table: any customer id can be named. The keys are
//! derived from the admin token (HKDF), so every process of a deployment
//! names a customer alike and links survive restarts; rotating the token
//! rotates them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use leadline_domain::CustomerId;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{hkdf, hmac};

pub struct OpaqueIds {
    seal: LessSafeKey,
    nonces: hmac::Key,
}

impl std::fmt::Debug for OpaqueIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpaqueIds(…)")
    }
}

impl OpaqueIds {
    /// Keys derived from `secret` (the admin token): the same in every
    /// process given the same secret.
    pub fn derive(secret: &[u8]) -> Self {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"leadline opaque ids v1").extract(secret);
        let derived = prk
            .expand(&[b"aes-256-gcm"], &AES_256_GCM)
            .map(UnboundKey::from)
            .and_then(|aes| {
                let nonces = prk.expand(&[b"hmac-sha256 nonces"], hmac::HMAC_SHA256)?;
                Ok((aes, hmac::Key::from(nonces)))
            });
        // HKDF-SHA256 fails only for outputs longer than 255 blocks; these
        // are one block each.
        let (aes, nonces) = derived.unwrap_or_else(|_| unreachable!("32-byte HKDF outputs"));
        Self {
            seal: LessSafeKey::new(aes),
            nonces,
        }
    }

    /// Fresh keys from the operating system's CSPRNG; `None` if it fails.
    pub fn generate() -> Option<Self> {
        let random = SystemRandom::new();
        let mut key = [0u8; 32];
        random.fill(&mut key).ok()?;
        let seal = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).ok()?);
        let nonces = hmac::Key::generate(hmac::HMAC_SHA256, &random).ok()?;
        Some(Self { seal, nonces })
    }

    /// The nonce of `plain` under `purpose`: derived from both, so a value
    /// always seals alike and nothing sealed for one purpose opens for
    /// another. (With no purpose, the customer ids of before purposes.)
    fn nonce(&self, purpose: &[u8], plain: &[u8]) -> [u8; NONCE_LEN] {
        let mut context = hmac::Context::with_key(&self.nonces);
        context.update(purpose);
        context.update(plain);
        let tag = context.sign();
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&tag.as_ref()[..NONCE_LEN]);
        nonce
    }

    /// `text` made opaque as a customer id is: for what a URL carries that
    /// a customer wrote (a page cursor naming a question). Sealed under
    /// its own purpose, so that it never passes for a customer's id nor
    /// one for it.
    pub fn seal_text(&self, text: &str) -> String {
        self.seal(TEXT_PURPOSE, text.as_bytes())
    }

    /// The text [`Self::seal_text`] sealed; `None` for anything else.
    pub fn open_text(&self, opaque: &str) -> Option<String> {
        String::from_utf8(self.open(TEXT_PURPOSE, opaque)?).ok()
    }

    /// `plain` sealed for `purpose`: URL-safe base64 of nonce and sealed
    /// bytes, which nobody without the key can read or forge.
    pub fn seal(&self, purpose: &[u8], plain: &[u8]) -> String {
        let nonce = self.nonce(purpose, plain);
        let mut sealed = plain.to_vec();
        // Sealing fails only for inputs beyond AES-GCM's 64 GiB limit.
        if self
            .seal
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose),
                &mut sealed,
            )
            .is_err()
        {
            return String::new();
        }
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// What [`OpaqueIds::seal`] sealed for `purpose`; `None` for anything
    /// else, tampered or forged.
    pub fn open(&self, purpose: &[u8], opaque: &str) -> Option<Vec<u8>> {
        let raw = URL_SAFE_NO_PAD.decode(opaque).ok()?;
        if raw.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().ok()?;
        let mut sealed = sealed.to_vec();
        let plain = self
            .seal
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose),
                &mut sealed,
            )
            .ok()?;
        // A nonce not derived from the plain text was not made by `seal`.
        if self.nonce(purpose, plain) != nonce {
            return None;
        }
        Some(plain.to_vec())
    }

    /// The opaque id of `customer`.
    pub fn of(&self, customer: &CustomerId) -> String {
        self.seal(b"", customer.as_str().as_bytes())
    }

    /// The customer an opaque id names; `None` for anything this process
    /// did not make.
    pub fn customer(&self, opaque: &str) -> Option<CustomerId> {
        let plain = self.open(b"", opaque)?;
        CustomerId::parse(std::str::from_utf8(&plain).ok()?).ok()
    }
}

/// The purpose texts are sealed under (see [`OpaqueIds::seal_text`]).
const TEXT_PURPOSE: &[u8] = b"text";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opaque_id_names_its_customer_and_hides_the_number() {
        let ids = OpaqueIds::generate().expect("keys");
        let customer = CustomerId::parse("34600111234").expect("an id");
        let opaque = ids.of(&customer);
        assert_eq!(opaque, ids.of(&customer), "stable");
        assert!(!opaque.contains("600111234"), "{opaque}");
        assert_eq!(ids.customer(&opaque), Some(customer.clone()));
        let other = OpaqueIds::generate().expect("keys");
        assert_eq!(other.customer(&opaque), None, "another key");
        let (one, two) = (OpaqueIds::derive(b"token"), OpaqueIds::derive(b"token"));
        assert_eq!(
            two.customer(&one.of(&customer)),
            Some(customer.clone()),
            "processes with the same admin token name customers alike"
        );
        assert_eq!(
            OpaqueIds::derive(b"rotated").customer(&one.of(&customer)),
            None
        );
        for garbage in [
            "",
            "x",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "34600111234",
        ] {
            assert_eq!(ids.customer(garbage), None, "{garbage:?}");
        }
        let mut tampered = opaque.into_bytes();
        tampered[20] = if tampered[20] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("ASCII");
        assert_eq!(ids.customer(&tampered), None);
    }

    #[test]
    fn sealed_text_reads_back_and_never_passes_for_a_customer() {
        let ids = OpaqueIds::derive(b"token");
        let text = "1700000000000.¿me llaman al 34600111234?";
        let sealed = ids.seal_text(text);
        assert!(!sealed.contains("600111234"), "{sealed}");
        assert_eq!(ids.open_text(&sealed).as_deref(), Some(text));
        assert_eq!(ids.customer(&sealed), None);
        let customer = CustomerId::parse("34600111234").expect("an id");
        assert_eq!(ids.open_text(&ids.of(&customer)), None);
        assert_eq!(OpaqueIds::derive(b"rotated").open_text(&sealed), None);
        assert_eq!(ids.open_text("garbage"), None);
    }
}
