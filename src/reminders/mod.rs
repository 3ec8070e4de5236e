//! The reminder engine: who is due a deadline email, the outbox, and delivery.
