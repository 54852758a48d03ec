//! rightsdesk: data-protection requests for Finnish social-services registers.

pub mod bundle;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod edge;
pub mod http;
pub mod jobs;
pub mod letters;
pub mod mail;
pub mod oidc;
pub mod pdf;
pub mod ratelimit;
pub mod services;
pub mod startup;
pub mod telemetry;
pub mod web;
