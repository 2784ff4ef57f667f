//! The dashboard's names for conversations. A customer id is their phone
//! number; in a URL it would land in proxy access logs, browser history and
//! `Referer` headers. So dashboard URLs carry an opaque id instead: the
//! customer id encrypted (AES-256-GCM) under a key made at start-up, with
//! the nonce derived from the id (HMAC-SHA256, as in SIV), so one customer
//! always gets the same opaque id within a process and nobody without the
//! key can read or forge one. No lookup table: any customer id can be
//! named, and a restart merely invalidates old links, as it does sessions.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use leadline_domain::CustomerId;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};

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
    /// Fresh keys from the operating system's CSPRNG; `None` if it fails.
    pub fn generate() -> Option<Self> {
        let random = SystemRandom::new();
        let mut key = [0u8; 32];
        random.fill(&mut key).ok()?;
        let seal = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).ok()?);
        let nonces = hmac::Key::generate(hmac::HMAC_SHA256, &random).ok()?;
        Some(Self { seal, nonces })
    }

    fn nonce(&self, plain: &[u8]) -> [u8; NONCE_LEN] {
        let tag = hmac::sign(&self.nonces, plain);
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&tag.as_ref()[..NONCE_LEN]);
        nonce
    }

    /// The opaque id of `customer`: URL-safe base64 of nonce and sealed id.
    pub fn of(&self, customer: &CustomerId) -> String {
        let nonce = self.nonce(customer.as_str().as_bytes());
        let mut sealed = customer.as_str().as_bytes().to_vec();
        // Sealing fails only for inputs beyond AES-GCM's 64 GiB limit.
        if self
            .seal
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::empty(),
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

    /// The customer an opaque id names; `None` for anything this process
    /// did not make.
    pub fn customer(&self, opaque: &str) -> Option<CustomerId> {
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
                Aad::empty(),
                &mut sealed,
            )
            .ok()?;
        // A nonce not derived from the id was not made by `of`.
        if self.nonce(plain) != nonce {
            return None;
        }
        CustomerId::parse(std::str::from_utf8(plain).ok()?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opaque_id_names_its_customer_and_hides_the_number() {
        let ids = OpaqueIds::generate().expect("keys");
        let customer = CustomerId::parse("34600111234").expect("an id");
        let opaque = ids.of(&customer);
        assert_eq!(opaque, ids.of(&customer), "stable within a process");
        assert!(!opaque.contains("600111234"), "{opaque}");
        assert_eq!(ids.customer(&opaque), Some(customer.clone()));
        let other = OpaqueIds::generate().expect("keys");
        assert_eq!(other.customer(&opaque), None, "another process's key");
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
}
