//! rightsdesk: data-protection requests for Finnish social-services registers.

pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod services;
pub mod startup;
pub mod telemetry;
