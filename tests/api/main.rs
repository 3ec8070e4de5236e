//! Integration tests: the real server over HTTP, each test on its own database.
//! `cargo test` runs them on SQLite; with TEST_DATABASE_URL=postgres://... on PostgreSQL.

mod audit;
mod auth;
mod cli;
mod errors;
mod health;
mod helpers;
mod import_export;
mod organizations;
mod permissions;
mod reminders;
mod rollouts;

#[path = "../support/smtp.rs"]
mod smtp;
