//! A tiny SMTP server for integration tests: plain SMTP on 127.0.0.1 (no TLS, no AUTH),
//! every accepted mail kept in memory, with switchable failure modes.
//!
//! ```ignore
//! let smtp = SmtpServer::start();
//! // point the service at smtp.url(), e.g. "smtp://127.0.0.1:40123"
//! let mails = smtp.wait_for(1, Duration::from_secs(5));
//! assert_eq!(mails[0].header("Subject").as_deref(), Some("Päätös"));
//! assert!(mails[0].text_body().contains("äöå"));
//! ```

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How the server answers a mail transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Accept every mail.
    Accept,
    /// Answer `451 4.3.0 try again later` to MAIL FROM (a transient error for the client).
    TempFail,
    /// Answer `550 5.1.1 mailbox unavailable` to RCPT TO (a permanent error for the client).
    PermFail,
}

/// One mail as the server received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    /// The envelope sender (MAIL FROM), without the angle brackets.
    pub from: String,
    /// The envelope recipients (RCPT TO), without the angle brackets.
    pub to: Vec<String>,
    /// The raw message, headers and body, dot-unstuffed, without the final ".".
    pub data: String,
}

struct Shared {
    mails: Mutex<Vec<ReceivedMail>>,
    mode: Mutex<Mode>,
    stopping: AtomicBool,
    /// Open connections: a clone of the socket (to shut it down) and the handling thread.
    conns: Mutex<Vec<(TcpStream, JoinHandle<()>)>>,
}

/// A running SMTP server; it stops when [`SmtpServer::stop`] is called or it is dropped.
pub struct SmtpServer {
    port: u16,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SmtpServer {
    /// Starts a server on a free port of 127.0.0.1.
    pub fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        SmtpServer::run(listener)
    }

    /// Starts a server on the given port of 127.0.0.1 (e.g. again after `stop`), retrying
    /// the bind for up to 5 seconds while the port is still taken.
    pub fn start_on(port: u16) -> SmtpServer {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match TcpListener::bind(("127.0.0.1", port)) {
                Ok(listener) => return SmtpServer::run(listener),
                Err(e) if Instant::now() >= deadline => {
                    panic!("cannot bind 127.0.0.1:{port} for the test SMTP server: {e}")
                }
                Err(_) => thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    fn run(listener: TcpListener) -> SmtpServer {
        let port = listener.local_addr().expect("local address").port();
        let shared = Arc::new(Shared {
            mails: Mutex::new(Vec::new()),
            mode: Mutex::new(Mode::Accept),
            stopping: AtomicBool::new(false),
            conns: Mutex::new(Vec::new()),
        });
        let accept_shared = Arc::clone(&shared);
        let accept = thread::Builder::new()
            .name(format!("smtp-accept-{port}"))
            .spawn(move || accept_loop(listener, accept_shared))
            .expect("spawn the SMTP accept thread");
        SmtpServer {
            port,
            shared,
            accept: Some(accept),
        }
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:PORT`: plain SMTP, which lettre's `from_url` uses without TLS.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Changes how later commands are answered (also on connections already open).
    pub fn set_mode(&self, mode: Mode) {
        *lock(&self.shared.mode) = mode;
    }

    /// The mails received so far, oldest first.
    pub fn received(&self) -> Vec<ReceivedMail> {
        lock(&self.shared.mails).clone()
    }

    /// Waits until at least `n` mails have arrived or `timeout` has passed, and returns
    /// the mails received by then (possibly fewer than `n`).
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let deadline = Instant::now() + timeout;
        loop {
            let mails = self.received();
            if mails.len() >= n || Instant::now() >= deadline {
                return mails;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops accepting, closes the listening socket and every open connection, and waits
    /// for the server's threads. Once it returns, connecting to the port is refused.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so that the loop sees the flag.
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let waker = TcpStream::connect_timeout(&addr, Duration::from_secs(2));
        let _ = accept.join();
        drop(waker);
        let conns = std::mem::take(&mut *lock(&self.shared.conns));
        for (stream, handle) in conns {
            let _ = stream.shutdown(Shutdown::Both);
            let _ = handle.join();
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let stream = match stream {
            Ok(s) => s,
            Err(_) => {
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        let conn_shared = Arc::clone(&shared);
        let Ok(handle) = thread::Builder::new()
            .name("smtp-conn".into())
            .spawn(move || {
                let _ = handle_connection(stream, &conn_shared);
            })
        else {
            continue;
        };
        let mut conns = lock(&shared.conns);
        conns.retain(|(_, h)| !h.is_finished());
        conns.push((clone, handle));
    }
    // The listener is dropped here: the port is closed.
}

/// Reads one line; returns it without its CRLF (or bare LF), or None at end of stream.
fn read_line(reader: &mut impl BufRead) -> std::io::Result<Option<String>> {
    let mut buf = Vec::new();
    if reader.read_until(b'\n', &mut buf)? == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// The address of `MAIL FROM:<a>` / `RCPT TO:<a>` after the prefix; None when malformed.
fn path_arg(line: &str, prefix: &str) -> Option<String> {
    let head = line.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = line[prefix.len()..].trim_start();
    if let Some(inner) = rest.strip_prefix('<') {
        let end = inner.find('>')?;
        Some(inner[..end].to_string())
    } else {
        let addr = rest.split_whitespace().next()?;
        Some(addr.to_string())
    }
}

fn handle_connection(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    // One write per reply: split writes would meet Nagle and delayed ACKs (40 ms each).
    let mut reply = |text: &str| -> std::io::Result<()> {
        out.write_all(format!("{text}\r\n").as_bytes())?;
        out.flush()
    };
    reply("220 localhost ESMTP test")?;

    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();

    while let Some(line) = read_line(&mut reader)? {
        let verb = line
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let mode = *lock(&shared.mode);
        match verb.as_str() {
            "EHLO" => {
                from = None;
                to.clear();
                reply("250-localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING")?;
            }
            "HELO" => {
                from = None;
                to.clear();
                reply("250 localhost")?;
            }
            "MAIL" => match path_arg(&line, "MAIL FROM:") {
                None => reply("501 5.5.4 syntax: MAIL FROM:<address>")?,
                Some(_) if mode == Mode::TempFail => reply("451 4.3.0 try again later")?,
                Some(addr) => {
                    from = Some(addr);
                    to.clear();
                    reply("250 2.1.0 OK")?;
                }
            },
            "RCPT" => match path_arg(&line, "RCPT TO:") {
                None => reply("501 5.5.4 syntax: RCPT TO:<address>")?,
                Some(_) if from.is_none() => reply("503 5.5.1 MAIL first")?,
                Some(_) if mode == Mode::PermFail => reply("550 5.1.1 mailbox unavailable")?,
                Some(addr) => {
                    to.push(addr);
                    reply("250 2.1.5 OK")?;
                }
            },
            "DATA" => {
                if from.is_none() || to.is_empty() {
                    reply("503 5.5.1 MAIL and RCPT first")?;
                    continue;
                }
                reply("354 end data with <CR><LF>.<CR><LF>")?;
                let mut lines: Vec<String> = Vec::new();
                loop {
                    let Some(l) = read_line(&mut reader)? else {
                        return Ok(()); // connection lost in the middle of DATA
                    };
                    if l == "." {
                        break;
                    }
                    match l.strip_prefix('.') {
                        Some(unstuffed) => lines.push(unstuffed.to_string()),
                        None => lines.push(l),
                    }
                }
                let mail = ReceivedMail {
                    from: from.take().unwrap_or_default(),
                    to: std::mem::take(&mut to),
                    data: lines.join("\r\n"),
                };
                lock(&shared.mails).push(mail);
                reply("250 2.0.0 OK queued")?;
            }
            "RSET" => {
                from = None;
                to.clear();
                reply("250 2.0.0 OK")?;
            }
            "NOOP" => reply("250 2.0.0 OK")?,
            "QUIT" => {
                reply("221 2.0.0 bye")?;
                return Ok(());
            }
            _ => reply("502 5.5.2 command not implemented")?,
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Reading the received message
// ---------------------------------------------------------------------------------------

impl ReceivedMail {
    /// The first header of this name (case-insensitive), unfolded, trimmed, with RFC 2047
    /// encoded-words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`) decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let (headers, _) = parse_entity(&self.data);
        header_value(&headers, name).map(|v| decode_encoded_words(&v).trim().to_string())
    }

    /// The decoded text/plain part (the message itself when it is not multipart), with
    /// line ends as "\n"; empty when there is none. Of a single-part message, the line end
    /// that closes the message is dropped (lettre adds one after a single part's body).
    pub fn text_body(&self) -> String {
        find_part(&self.data, "text/plain", true).unwrap_or_default()
    }

    /// The decoded text/html part, with line ends as "\n" (see [`ReceivedMail::text_body`]).
    pub fn html_body(&self) -> Option<String> {
        find_part(&self.data, "text/html", true)
    }
}

/// Splits an entity into its unfolded headers and its body; line ends become "\n".
fn parse_entity(raw: &str) -> (Vec<(String, String)>, String) {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = match raw.find("\n\n") {
        Some(i) => (&raw[..i], &raw[i + 2..]),
        None if raw.starts_with('\n') => ("", &raw[1..]),
        None => (raw.as_str(), ""),
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split('\n') {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim_start().to_string()));
        }
    }
    (headers, body.to_string())
}

fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// A parameter of a structured header value such as `text/plain; charset="utf-8"`.
fn header_param(value: &str, key: &str) -> Option<String> {
    let mut params = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in value.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ';' if !quoted => params.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    params.push(current);
    params.iter().skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case(key) {
            return None;
        }
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        Some(v.to_string())
    })
}

/// The decoded body of the first part of type `wanted` (not an attachment). `top` is the
/// whole message, whose body ends with the line end that closes the message (inside a
/// multipart, that line end belongs to the next delimiter and is already gone).
fn find_part(raw: &str, wanted: &str, top: bool) -> Option<String> {
    let (headers, mut body) = parse_entity(raw);
    let content_type =
        header_value(&headers, "Content-Type").unwrap_or_else(|| "text/plain".to_string());
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime.starts_with("multipart/") {
        let boundary = header_param(&content_type, "boundary")?;
        return split_multipart(&body, &boundary)
            .iter()
            .find_map(|part| find_part(part, wanted, false));
    }
    if mime != wanted {
        return None;
    }
    let disposition = header_value(&headers, "Content-Disposition").unwrap_or_default();
    if disposition
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("attachment")
    {
        return None;
    }
    if top && body.ends_with('\n') {
        body.pop();
    }
    let encoding = header_value(&headers, "Content-Transfer-Encoding")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let bytes = match encoding.as_str() {
        "base64" => base64_decode(&body),
        "quoted-printable" => quoted_printable_decode(&body),
        _ => body.into_bytes(), // 7bit, 8bit, binary
    };
    let charset = header_param(&content_type, "charset").unwrap_or_default();
    Some(decode_charset(&bytes, &charset).replace("\r\n", "\n"))
}

/// The parts of a multipart body (line ends "\n"), without the delimiter lines.
fn split_multipart(body: &str, boundary: &str) -> Vec<String> {
    let delimiter = format!("--{boundary}");
    let close = format!("--{boundary}--");
    let mut parts = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in body.split('\n') {
        let trimmed = line.trim_end();
        if trimmed == delimiter || trimmed == close {
            if let Some(lines) = current.take() {
                parts.push(lines.join("\n"));
            }
            if trimmed == close {
                return parts;
            }
            current = Some(Vec::new());
        } else if let Some(lines) = current.as_mut() {
            lines.push(line);
        }
    }
    if let Some(lines) = current {
        parts.push(lines.join("\n"));
    }
    parts
}

fn decode_charset(bytes: &[u8], charset: &str) -> String {
    let charset = charset.trim().to_ascii_lowercase();
    if matches!(
        charset.as_str(),
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1"
    ) {
        bytes.iter().map(|&b| char::from(b)).collect()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => continue, // line breaks and other whitespace
        };
        acc = (acc << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// `=XX` escapes at `bytes[i]`, if any.
fn hex_escape(bytes: &[u8], i: usize) -> Option<u8> {
    let hi = hex_value(*bytes.get(i + 1)?)?;
    let lo = hex_value(*bytes.get(i + 2)?)?;
    Some(hi << 4 | lo)
}

/// Quoted-printable (RFC 2045): `=XX` escapes and `=` soft line breaks (line ends may be
/// "\r\n" or "\n").
fn quoted_printable_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'=' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        if let Some(b) = hex_escape(bytes, i) {
            out.push(b);
            i += 3;
            continue;
        }
        // A soft line break: "=" then optional trailing blanks then the line end.
        let mut j = i + 1;
        while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
            j += 1;
        }
        if bytes.get(j) == Some(&b'\r') && bytes.get(j + 1) == Some(&b'\n') {
            i = j + 2;
        } else if bytes.get(j) == Some(&b'\n') || j == bytes.len() {
            i = j + 1;
        } else {
            out.push(b'=');
            i += 1;
        }
    }
    out
}

/// The "Q" encoding of RFC 2047: like quoted-printable, with "_" for a space.
fn q_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'_' => {
                out.push(b' ');
                i += 1;
            }
            b'=' => match hex_escape(bytes, i) {
                Some(b) => {
                    out.push(b);
                    i += 3;
                }
                None => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Decodes one encoded-word `=?charset?enc?text?=` at the start of `s`: returns the text
/// and the length of the word.
fn encoded_word(s: &str) -> Option<(String, usize)> {
    let inner = s.strip_prefix("=?")?;
    let (charset, rest) = inner.split_once('?')?;
    let (encoding, rest) = rest.split_once('?')?;
    let end = rest.find("?=")?;
    let payload = &rest[..end];
    if charset.is_empty() || payload.contains(char::is_whitespace) {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => base64_decode(payload),
        "Q" | "q" => q_decode(payload),
        _ => return None,
    };
    // RFC 2231 allows a language after "*": "utf-8*fi".
    let charset = charset.split('*').next().unwrap_or(charset);
    // `rest` is a tail of `s`: the word ends 2 bytes ("?=") after `end` in it.
    let len = s.len() - rest.len() + end + 2;
    Some((decode_charset(&bytes, charset), len))
}

/// Decodes the RFC 2047 encoded-words of an (unfolded) header value; blanks between two
/// adjacent encoded-words are dropped.
fn decode_encoded_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let (literal, candidate) = rest.split_at(start);
        match encoded_word(candidate) {
            Some((decoded, len)) => {
                if !(after_word && literal.trim().is_empty()) {
                    out.push_str(literal);
                }
                out.push_str(&decoded);
                after_word = true;
                rest = &candidate[len..];
            }
            None => {
                out.push_str(literal);
                out.push_str("=?");
                after_word = false;
                rest = &candidate[2..];
            }
        }
    }
    out.push_str(rest);
    out
}
