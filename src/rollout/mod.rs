//! Rollouts (mandated migrations), each organization's status in them, deadlines and
//! extensions, and the progress reports built on them.

pub mod api;
pub mod demo;
pub mod model;
pub mod report;
pub mod service;
pub mod tally;
pub mod transfer;
pub mod view;
