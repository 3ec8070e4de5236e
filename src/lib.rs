//! aitu-tracker: the registry of Kazakhstan's state bodies and quasi-public
//! organizations, and their migration onto the Aitu messenger.

pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod registry;
pub mod reminders;
pub mod rollout;
pub mod startup;
pub mod web;

use std::sync::Arc;

pub use startup::Application;

/// What every request handler can reach.
pub struct AppState {
    pub pool: db::Pool,
    pub settings: Arc<config::Settings>,
    /// Bounds concurrent password hashing.
    pub hashing: auth::secret::HashingGate,
    /// API tokens checked recently (`auth.token_cache_seconds`).
    pub tokens: auth::cache::TokenCache,
    /// The reminder engine, for passes on demand.
    pub reminders: reminders::worker::Engine,
}
