//! Password hashing (argon2id) and access tokens (JWT, HS256). No HTTP here.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Hashes a password with argon2id and a fresh random salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the same time as a real verification, so that an unknown username cannot be told
/// from a wrong password by the answer's delay.
pub fn verify_against_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default());
    let _ = verify_password(password, hash);
}

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A password a person can type: 20 characters from 32 unambiguous letters and digits
/// (100 bits).
pub fn generate_password() -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    random_bytes::<20>()
        .iter()
        .map(|b| ALPHABET[(b & 31) as usize] as char)
        .collect()
}

/// What an access token says. The user's role and organization are read again from the
/// database on every request; the token's copies are for clients to display.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    pub org: i64,
    pub role: String,
    pub iat: i64,
    pub exp: i64,
    /// Not before: ours never carry it, but one that does is held to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Token id.
    pub jti: String,
    /// The password version (its change time in microseconds) the token was issued under; a
    /// password change ends every earlier token, even one issued within the same second.
    pub pwv: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Expired,
    Invalid(String),
}

/// Clock skew tolerated between servers when judging a token's expiry.
pub const LEEWAY_SECONDS: i64 = 5;

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_seconds: i64,
    /// Signs the console's form tokens (CSRF), bound to the session they were shown in.
    form_key: Vec<u8>,
}

impl TokenKeys {
    pub fn new(secret: &[u8], ttl_seconds: i64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl_seconds,
            form_key: secret.to_vec(),
        }
    }

    fn form_mac(&self, session: &str) -> Hmac<Sha256> {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.form_key).expect("HMAC takes a key of any length");
        mac.update(b"rectify console form\0");
        mac.update(session.as_bytes());
        mac
    }

    /// The token a console form carries to prove it was shown in this session (a signed
    /// double submit: a page elsewhere cannot read it, and it is worth nothing in another
    /// session).
    pub fn form_token(&self, session: &str) -> String {
        base16ct::lower::encode_string(&self.form_mac(session).finalize().into_bytes())
    }

    /// Whether a form's token is this session's, compared in constant time.
    pub fn form_token_matches(&self, session: &str, token: &str) -> bool {
        let Ok(bytes) = base16ct::lower::decode_vec(token.as_bytes()) else {
            return false;
        };
        self.form_mac(session).verify_slice(&bytes).is_ok()
    }

    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    pub fn issue(
        &self,
        user_id: i64,
        org_id: i64,
        role: &str,
        password_version: i64,
        now: i64,
    ) -> Result<String, String> {
        let claims = Claims {
            pwv: password_version,
            sub: user_id.to_string(),
            org: org_id,
            role: role.to_owned(),
            iat: now,
            exp: now + self.ttl_seconds,
            nbf: None,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| format!("token signing failed: {e}"))
    }

    /// Checks the signature and the claims, and expiry against `now` (seconds since the
    /// epoch) from the service's clock rather than the library's own reading of the time.
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map(|data| data.claims)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        if claims.exp + LEEWAY_SECONDS < now {
            return Err(TokenError::Expired);
        }
        // A token from the future was not issued by a server on this clock.
        if claims.iat > now + LEEWAY_SECONDS {
            return Err(TokenError::Invalid("issued in the future".to_owned()));
        }
        if claims.nbf.is_some_and(|nbf| nbf > now + LEEWAY_SECONDS) {
            return Err(TokenError::Invalid("not valid yet".to_owned()));
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let hash = hash_password("整改到位 2026").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("整改到位 2026", &hash));
        assert!(!verify_password("整改到位 2027", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn form_tokens_belong_to_their_session_and_key() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let token = keys.form_token("session-a");
        assert_eq!(token.len(), 64);
        assert!(keys.form_token_matches("session-a", &token));
        assert!(!keys.form_token_matches("session-b", &token));
        assert!(!keys.form_token_matches("session-a", ""));
        assert!(!keys.form_token_matches("session-a", "not hex"));
        assert!(!keys.form_token_matches("session-a", &token[..62]));
        let other = TokenKeys::new(b"another secret another secret 12", 60);
        assert!(!other.form_token_matches("session-a", &token));
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        let a = generate_password();
        assert_eq!(a.len(), 20);
        assert_ne!(a, generate_password());
    }

    #[test]
    fn tokens_verify_with_their_key_only_and_expire() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", 60);
        let now = 1_790_000_000;
        let token = keys.issue(7, 1, "owner", 9, now).unwrap();
        let claims = keys.verify(&token, now).unwrap();
        assert_eq!(
            (
                claims.sub.as_str(),
                claims.org,
                claims.role.as_str(),
                claims.pwv
            ),
            ("7", 1, "owner", 9)
        );

        let other = TokenKeys::new(b"another secret another secret 12", 60);
        assert!(matches!(
            other.verify(&token, now),
            Err(TokenError::Invalid(_))
        ));

        let old = keys.issue(7, 1, "owner", 9, now - 3600).unwrap();
        assert!(matches!(keys.verify(&old, now), Err(TokenError::Expired)));
        assert!(keys.verify(&token, now + 60 + LEEWAY_SECONDS).is_ok());
        assert!(matches!(
            keys.verify(&token, now + 61 + LEEWAY_SECONDS),
            Err(TokenError::Expired)
        ));
        assert!(matches!(
            keys.verify(&token, now - 60),
            Err(TokenError::Invalid(_))
        ));
        assert!(keys.verify(&token, now - LEEWAY_SECONDS).is_ok());
        let mut early = keys.verify(&token, now).unwrap();
        early.nbf = Some(now + 600);
        early.exp = now + 3600;
        let early =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &early, &keys.encoding).unwrap();
        assert!(matches!(
            keys.verify(&early, now),
            Err(TokenError::Invalid(_))
        ));
        assert!(keys.verify(&early, now + 600).is_ok());
        assert!(matches!(
            keys.verify("garbage", now),
            Err(TokenError::Invalid(_))
        ));
    }
}
