//! Passwords (argon2), access tokens (HS256 JWT, algorithm pinned) and login throttling.

use std::time::{Duration, Instant};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Context, Principal, ServiceError};
use crate::db::{orgs, settings_table, AnyConnection};
use crate::domain::enums::Role;
use crate::ratelimit::Limiter;

pub const ISSUER: &str = "rightsdesk";
pub const AUDIENCE: &str = "rightsdesk-api";
const SECRET_KEY: &str = "token_secret";

pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(anyhow::anyhow!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// A hash of a password nobody knows, verified when the e-mail is unknown so that
/// unknown and known addresses take the same time.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_token(24)).unwrap_or_default())
}

/// Crockford's base32: no I, L, O or U, so a code survives being read aloud or copied by hand.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A requester's status code: 20 characters (100 random bits) in groups of four, which a
/// person can write down from a phone screen, e.g. `K7QM-2XWD-9HFB-T4NC-8RJE`.
pub fn status_code() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| CROCKFORD[usize::from(b & 31)] as char)
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A typed status code in its canonical form: case, spaces and hyphens do not matter, and
/// the look-alikes O, I and L read as 0, 1 and 1.
pub fn normalise_status_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The configured secret, or the one generated at first start and kept in the database.
pub fn token_secret(
    conn: &mut AnyConnection,
    configured: Option<&SecretString>,
) -> Result<SecretString, ServiceError> {
    if let Some(s) = configured {
        return Ok(s.clone());
    }
    let generated = random_token(48);
    let stored = settings_table::get_or_insert(conn, SECRET_KEY, &generated)?;
    Ok(SecretString::from(stored))
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    org: String,
    role: Role,
    iss: String,
    aud: String,
    iat: i64,
    exp: i64,
    /// The user's session epoch when the token was issued (tokens from before epochs: 0).
    #[serde(default)]
    sep: i32,
}

/// What a token that passed its signature and expiry checks claims: who, and from which
/// session epoch of theirs (see `current_principal`).
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub principal: Principal,
    pub epoch: i32,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Seals small values the browser carries for us (sign-in state, eID tickets).
    seal_key: aws_lc_rs::hmac::Key,
    pub ttl: Duration,
}

impl TokenKeys {
    pub fn new(secret: &SecretString, ttl: Duration) -> TokenKeys {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        TokenKeys {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            // A separate key, so a sealed value can never pass as an access token.
            seal_key: aws_lc_rs::hmac::Key::new(
                aws_lc_rs::hmac::HMAC_SHA256,
                &Sha256::new()
                    .chain_update(b"rightsdesk seal v1\0")
                    .chain_update(bytes)
                    .finalize(),
            ),
            ttl,
        }
    }

    /// `data` with a MAC over `purpose` and `data`; readable, but not forgeable.
    pub fn seal(&self, purpose: &str, data: &str) -> String {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let tag = aws_lc_rs::hmac::sign(&self.seal_key, format!("{purpose}\0{data}").as_bytes());
        format!("{}.{}", b64.encode(data), b64.encode(tag.as_ref()))
    }

    /// The data of a value sealed for `purpose`, if it is intact.
    pub fn open(&self, purpose: &str, sealed: &str) -> Option<String> {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let (data, tag) = sealed.split_once('.')?;
        let data = String::from_utf8(b64.decode(data).ok()?).ok()?;
        let tag = b64.decode(tag).ok()?;
        aws_lc_rs::hmac::verify(
            &self.seal_key,
            format!("{purpose}\0{data}").as_bytes(),
            &tag,
        )
        .ok()?;
        Some(data)
    }

    pub fn issue(&self, p: &Principal, epoch: i32, now: i64) -> Result<String, ServiceError> {
        let claims = Claims {
            sep: epoch,
            sub: p.user_id.to_string(),
            org: p.org_id.to_string(),
            role: p.role,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ServiceError::Internal(anyhow::anyhow!("token signing failed: {e}")))
    }

    pub fn verify(&self, token: &str) -> Result<Claimed, ServiceError> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| ServiceError::Unauthorized)?
            .claims;
        Ok(Claimed {
            principal: Principal {
                user_id: claims.sub.into(),
                org_id: claims.org.into(),
                role: claims.role,
            },
            epoch: claims.sep,
        })
    }
}

/// Counts failed logins per account (keyed by a hash of the address, never the address),
/// in a bounded table of fixed windows (see `ratelimit`), and lets only as many password
/// checks run at once as there are cores: a flood of sign-ins waits its turn instead of
/// taking every core from the rest of the service.
pub struct LoginGuard {
    failures: Limiter<[u8; 32]>,
    checks: HashGate,
}

/// A counting gate around the argon2 checks.
struct HashGate {
    running: std::sync::Mutex<usize>,
    freed: std::sync::Condvar,
    max: usize,
}

impl HashGate {
    fn run<T>(&self, check: impl FnOnce() -> T) -> T {
        use std::sync::PoisonError;
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        while *running >= self.max {
            running = self
                .freed
                .wait(running)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *running += 1;
        drop(running);
        // Given back even if the check panics.
        struct Leave<'a>(&'a HashGate);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                let mut running = self
                    .0
                    .running
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                *running -= 1;
                self.0.freed.notify_one();
            }
        }
        let _leave = Leave(self);
        check()
    }
}

impl LoginGuard {
    pub fn new(max_failures: u32, window: Duration) -> LoginGuard {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        LoginGuard {
            failures: Limiter::new(max_failures, window),
            checks: HashGate {
                running: std::sync::Mutex::new(0),
                freed: std::sync::Condvar::new(),
                max: cores,
            },
        }
    }

    /// Checks a password against its hash once a check slot is free.
    pub fn check_password(&self, password: &str, phc: &str) -> bool {
        self.checks.run(|| verify_password(password, phc))
    }

    fn key(email: &str) -> [u8; 32] {
        Sha256::digest(email.as_bytes()).into()
    }

    pub fn is_locked(&self, email: &str) -> bool {
        self.failures
            .check_key(Self::key(email), Instant::now())
            .is_err()
    }

    pub fn record_failure(&self, email: &str) {
        self.failures.record_key(Self::key(email), Instant::now());
    }

    /// Lets one attempt at the password through, counting it as a failure until `clear`
    /// says otherwise; false when the account is locked. The check and the count are one
    /// step, so guesses sent at once get no more password checks than the limit allows.
    pub fn admit(&self, email: &str) -> bool {
        // The slot is kept (dropping it gives nothing back): a failure counts as it is, and
        // a success clears the account.
        self.failures
            .reserve_key(Self::key(email), Instant::now())
            .is_ok()
    }

    pub fn clear(&self, email: &str) {
        self.failures.forget(Self::key(email));
    }
}

pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
}

/// Checks e-mail and password; wrong credentials and throttled attempts fail alike.
pub fn login(ctx: &Context, email: &str, password: &str) -> Result<IssuedToken, ServiceError> {
    let email = normalise_email(email);
    // The connection goes back to the pool before the slow check: sign-ins cannot starve it.
    let user = orgs::find_user_by_email(&mut *ctx.conn()?, &email)?;
    // Counted before the check, so parallel guesses cannot all get one.
    let locked = !ctx.login_guard.admit(&email);
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.as_str())
        .unwrap_or_else(|| decoy_hash());
    let password_ok = ctx.login_guard.check_password(password, hash);
    let user = match user {
        Some(u) if password_ok && u.active && !locked => u,
        _ => return Err(ServiceError::BadCredentials),
    };
    ctx.login_guard.clear(&email);
    let role = user.role;
    let epoch = user.session_epoch;
    let principal = Principal {
        user_id: user.id,
        org_id: user.org_id,
        role,
    };
    // Real time, not the injected clock: the JWT library checks expiry against the system clock.
    let token = ctx
        .tokens
        .issue(&principal, epoch, chrono::Utc::now().timestamp())?;
    Ok(IssuedToken {
        access_token: token,
        expires_in: ctx.tokens.ttl.as_secs(),
    })
}

/// Sets the signed-in user's own page language (None: follow the browser).
pub fn set_language(
    ctx: &Context,
    principal: &Principal,
    language: Option<crate::domain::enums::Language>,
) -> Result<(), ServiceError> {
    use crate::db::schema::users;
    use diesel::prelude::*;
    let mut conn = ctx.conn()?;
    diesel::update(
        users::table
            .filter(users::id.eq(principal.user_id.as_str()))
            .filter(users::org_id.eq(principal.org_id.as_str())),
    )
    .set(users::language.eq(language))
    .execute(&mut conn)?;
    Ok(())
}

/// A token is only as good as its user, as the account stands now: deactivated users lose
/// access at once, and the role is the stored one, not the token's claim, so a demotion
/// (or promotion) takes effect on the next call rather than when the token expires. A token
/// from an earlier session epoch (before a password reset or a deactivation) is refused too.
pub fn current_principal(
    conn: &mut AnyConnection,
    claimed: &Claimed,
) -> Result<Principal, ServiceError> {
    let p = &claimed.principal;
    match orgs::find_user(conn, &p.org_id, &p.user_id)? {
        Some(u) if u.active && u.session_epoch == claimed.epoch => Ok(Principal {
            user_id: u.id,
            org_id: u.org_id,
            role: u.role,
        }),
        _ => Err(ServiceError::Unauthorized),
    }
}

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_more_password_checks_run_at_once_than_the_gate_allows() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let gate = HashGate {
            running: std::sync::Mutex::new(0),
            freed: std::sync::Condvar::new(),
            max: 2,
        };
        let (now, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    gate.run(|| {
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(5));
                        now.fetch_sub(1, Ordering::SeqCst);
                    })
                });
            }
        });
        assert!(most.load(Ordering::SeqCst) <= 2);
        assert_eq!(*gate.running.lock().unwrap(), 0, "every slot given back");
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery staple").unwrap();
        assert!(verify_password("correct horse battery staple", &h));
        assert!(!verify_password("wrong", &h));
    }

    #[test]
    fn status_codes_are_readable_and_forgiving_to_type() {
        let code = status_code();
        assert_eq!(code.len(), 24);
        assert_eq!(code.matches('-').count(), 4);
        assert!(code
            .chars()
            .all(|c| c == '-' || CROCKFORD.contains(&(c as u8))));
        assert_ne!(code, status_code());
        let canonical = normalise_status_code(&code);
        assert_eq!(
            normalise_status_code(&code.to_lowercase().replace('-', " ")),
            canonical
        );
        assert_eq!(
            normalise_status_code("k7qm-2xwd-9hfb-t4nc-8rje"),
            "K7QM2XWD9HFBT4NC8RJE"
        );
        assert_eq!(normalise_status_code("O1lI"), "0111");
    }

    #[test]
    fn sealed_values_open_only_intact_and_for_their_purpose() {
        let keys = TokenKeys::new(&SecretString::from("x".repeat(40)), Duration::from_secs(60));
        let sealed = keys.seal("eid-ticket", "org|131052-308T|99");
        assert_eq!(
            keys.open("eid-ticket", &sealed).as_deref(),
            Some("org|131052-308T|99")
        );
        assert_eq!(keys.open("eid-state", &sealed), None, "other purpose");
        let (data, tag) = sealed.split_once('.').unwrap();
        let first = if data.starts_with('c') { "d" } else { "c" };
        let forged = format!("{first}{}.{tag}", &data[1..]);
        assert_eq!(keys.open("eid-ticket", &forged), None);
        assert!(keys.verify(&sealed).is_err(), "never an access token");
        let other = TokenKeys::new(&SecretString::from("y".repeat(40)), Duration::from_secs(60));
        assert_eq!(other.open("eid-ticket", &sealed), None);
    }

    #[test]
    fn tokens_round_trip_and_reject_tampering() {
        let keys = TokenKeys::new(&SecretString::from("x".repeat(40)), Duration::from_secs(60));
        let p = Principal {
            user_id: "u".into(),
            org_id: "o".into(),
            role: Role::Dpo,
        };
        let now = chrono::Utc::now().timestamp();
        let t = keys.issue(&p, 3, now).unwrap();
        assert_eq!(
            keys.verify(&t).unwrap(),
            Claimed {
                principal: p.clone(),
                epoch: 3
            }
        );
        let other = TokenKeys::new(&SecretString::from("y".repeat(40)), Duration::from_secs(60));
        assert!(other.verify(&t).is_err());
        let expired = keys.issue(&p, 0, now - 3600).unwrap();
        assert!(keys.verify(&expired).is_err());
        let mut tampered = t.clone();
        tampered.push('x');
        assert!(keys.verify(&tampered).is_err());
    }

    #[test]
    fn parallel_login_attempts_get_no_more_password_checks_than_allowed() {
        let g = std::sync::Arc::new(LoginGuard::new(5, Duration::from_secs(60)));
        let start = std::sync::Arc::new(std::sync::Barrier::new(30));
        let attempts: Vec<_> = (0..30)
            .map(|_| {
                let (g, start) = (g.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    g.admit("a@x.fi")
                })
            })
            .collect();
        let admitted = attempts
            .into_iter()
            .map(|t| t.join().unwrap())
            .filter(|&admitted| admitted)
            .count();
        assert_eq!(admitted, 5);
        assert!(g.is_locked("a@x.fi"));
        assert!(g.admit("b@x.fi"), "other accounts unaffected");
        g.clear("a@x.fi");
        assert!(g.admit("a@x.fi"), "a success clears the account");
    }

    #[test]
    fn login_guard_locks_after_the_limit() {
        let g = LoginGuard::new(2, Duration::from_secs(60));
        assert!(!g.is_locked("a@x.fi"));
        g.record_failure("a@x.fi");
        g.record_failure("a@x.fi");
        assert!(g.is_locked("a@x.fi"));
        assert!(!g.is_locked("b@x.fi"));
        g.clear("a@x.fi");
        assert!(!g.is_locked("a@x.fi"));
    }
}
