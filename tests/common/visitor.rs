//! A browser-like visitor of the pages: keeps the cookies it is given, and reads the CSRF
//! value of the last form.

use reqwest::header::{HeaderMap, SET_COOKIE};
use reqwest::StatusCode;

use super::TestApp;

/// A browser-like visitor: keeps the cookies it is given and the last form's CSRF value.
pub struct Visitor<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    pub cookies: Vec<(String, String)>,
}

impl<'a> Visitor<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Visitor {
            app,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Vec::new(),
        }
    }

    fn keep_cookies(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(SET_COOKIE) {
            let pair = v.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.to_string(), value.to_string()));
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, path: &str) -> (StatusCode, HeaderMap, String) {
        let resp = self
            .client
            .get(format!("{}{path}", self.app.base))
            .header("Cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        self.keep_cookies(&headers);
        (status, headers, resp.text().await.unwrap())
    }

    pub async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, HeaderMap, String) {
        let resp = self
            .client
            .post(format!("{}{path}", self.app.base))
            .header("Cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        self.keep_cookies(&headers);
        (status, headers, resp.text().await.unwrap())
    }
}

impl Visitor<'_> {
    /// Posts a multipart form (a file upload), with the cookies.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> (StatusCode, HeaderMap, String) {
        let resp = self
            .client
            .post(format!("{}{path}", self.app.base))
            .header("Cookie", self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        let (status, headers) = (resp.status(), resp.headers().clone());
        self.keep_cookies(&headers);
        (status, headers, resp.text().await.unwrap())
    }

    /// The raw answer to a form post, for answers that are not pages (a PDF).
    pub async fn post_raw(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.app.base))
            .header("Cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// Signs `email` in through the desk's form and returns the visitor, now holding the session.
pub async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Visitor<'a> {
    let mut v = Visitor::new(app);
    let (_, _, html) = v.get("/desk?lang=en").await;
    let csrf = csrf_of(&html);
    let (status, _, body) = v
        .post(
            "/desk/login?lang=en",
            &[
                ("csrf", &csrf),
                ("email", email),
                ("password", super::PASSWORD),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    v
}

/// Posts a desk form, taking the CSRF value from the page it is on; the status, the
/// redirect's location (if any) and the body.
pub async fn post_form(
    v: &mut Visitor<'_>,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let (status, _, html) = v.get(page).await;
    assert_eq!(status, StatusCode::OK, "{page}: {html}");
    let csrf = csrf_of(&html);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let (status, headers, body) = v.post(action, &form).await;
    let location = headers
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, body)
}

/// A page's text as a reader sees it: tags dropped, whitespace collapsed.
pub fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The value of the hidden CSRF field in a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find(r#"name="csrf" value=""#)
        .expect("page has a CSRF field");
    let rest = &html[at + r#"name="csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}
