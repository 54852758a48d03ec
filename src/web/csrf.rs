//! Cross-site request forgery protection for every form post: a random value in a
//! SameSite=Strict, HttpOnly cookie that the form must echo in a hidden field
//! (double submit). Another site can make a browser post, but cannot read or set the
//! cookie, so it cannot know the value to echo.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use subtle::ConstantTimeEq;

use crate::services::auth::random_token;

pub const COOKIE: &str = "rd_csrf";
pub const FIELD: &str = "csrf";

/// The value for this visitor's forms, and the cookie to set when they had none.
pub fn token(req: &HttpRequest, secure: bool) -> (String, Option<Cookie<'static>>) {
    if let Some(existing) = req.cookie(COOKIE).map(|c| c.value().to_string()) {
        if existing.len() >= 32 {
            return (existing, None);
        }
    }
    let value = random_token(32);
    let cookie = Cookie::build(COOKIE, value.clone())
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish();
    (value, Some(cookie))
}

/// Whether the posted value matches the visitor's cookie.
pub fn verify(req: &HttpRequest, posted: Option<&str>) -> bool {
    let (Some(cookie), Some(posted)) = (req.cookie(COOKIE), posted) else {
        return false;
    };
    let cookie = cookie.value().as_bytes();
    cookie.len() >= 32 && bool::from(cookie.ct_eq(posted.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn a_new_visitor_gets_a_strict_http_only_cookie() {
        let req = TestRequest::default().to_http_request();
        let (value, cookie) = token(&req, true);
        let cookie = cookie.unwrap();
        assert_eq!(cookie.value(), value);
        assert_eq!(cookie.same_site(), Some(SameSite::Strict));
        assert_eq!(cookie.http_only(), Some(true));
        assert_eq!(cookie.secure(), Some(true));
    }

    #[test]
    fn only_the_matching_value_passes() {
        let value = "a".repeat(43);
        let req = TestRequest::default()
            .cookie(Cookie::new(COOKIE, value.clone()))
            .to_http_request();
        assert!(verify(&req, Some(&value)));
        assert!(!verify(&req, Some(&"b".repeat(43))));
        assert!(!verify(&req, None));
        let (same, cookie) = token(&req, false);
        assert_eq!(same, value);
        assert!(cookie.is_none(), "an existing cookie is kept");
        let bare = TestRequest::default().to_http_request();
        assert!(!verify(&bare, Some(&value)), "no cookie, no pass");
        let short = TestRequest::default()
            .cookie(Cookie::new(COOKIE, "x"))
            .to_http_request();
        assert!(
            !verify(&short, Some("x")),
            "a planted short value is refused"
        );
    }
}
