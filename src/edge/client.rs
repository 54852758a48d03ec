//! The client's address, for per-address limits. Behind a reverse proxy every peer is the
//! proxy, so `X-Forwarded-For` is believed, but only as far as proxies we were told to trust.

use std::net::IpAddr;

use actix_web::HttpRequest;

use crate::services::Context;

/// The address `req` counts against, with the configured trusted proxies.
pub fn client_addr(ctx: &Context, req: &HttpRequest) -> IpAddr {
    let forwarded = req
        .headers()
        .get("X-Forwarded-For")
        .and_then(|v| v.to_str().ok());
    resolve(
        &ctx.limits.trusted_proxies,
        req.peer_addr().map(|a| a.ip()),
        forwarded,
    )
}

/// The peer, unless the peer is a trusted proxy, in which case the nearest address in
/// `X-Forwarded-For` that is not itself a trusted proxy.
pub fn resolve(
    trusted_proxies: &[IpAddr],
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    let mut nearest = peer;
    for hop in header.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(addr) if trusted_proxies.contains(&addr) => nearest = addr,
            Ok(addr) => return addr,
            // A garbled entry: stop at the last address we could trust.
            Err(_) => return nearest,
        }
    }
    nearest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = [ip("10.0.0.1"), ip("10.0.0.2")];
        let xff = Some("203.0.113.7, 198.51.100.3, 10.0.0.2");
        // An untrusted peer cannot choose its address.
        assert_eq!(
            resolve(&trusted, Some(ip("192.0.2.5")), xff),
            ip("192.0.2.5")
        );
        // Through the proxies: the nearest untrusted hop, not the spoofable leftmost one.
        assert_eq!(
            resolve(&trusted, Some(ip("10.0.0.1")), xff),
            ip("198.51.100.3")
        );
        assert_eq!(
            resolve(&trusted, Some(ip("10.0.0.1")), None),
            ip("10.0.0.1")
        );
        assert_eq!(
            resolve(&trusted, Some(ip("10.0.0.1")), Some("garbage, 10.0.0.2")),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(
            resolve(&[], Some(ip("10.0.0.1")), Some("203.0.113.7")),
            ip("10.0.0.1")
        );
        assert_eq!(resolve(&[], None, None), ip("0.0.0.0"));
    }
}
