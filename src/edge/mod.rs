//! Request glue shared by the API (`http`) and the pages (`web`). The two surfaces answer
//! differently, but must agree on who is calling, from where, how often, and how a file
//! leaves the service; kept here, neither surface borrows from the other.

pub mod client;
pub mod download;
pub mod limit;
pub mod session;
pub mod status_token;
pub mod upload;
