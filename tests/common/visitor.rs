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

/// The value of the hidden CSRF field in a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find(r#"name="csrf" value=""#)
        .expect("page has a CSRF field");
    let rest = &html[at + r#"name="csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}
