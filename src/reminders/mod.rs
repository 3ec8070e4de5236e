//! The reminder engine: who is due a deadline email, the outbox, and delivery.

pub mod api;
pub mod email;
pub mod outbox;
pub mod plan;
pub mod policy;
pub mod settings;
mod smtp;
pub mod transport;
pub mod worker;
