//! The reminder engine: who is due a deadline email, the outbox, and delivery.

pub mod email;
pub mod settings;
pub mod transport;
