//! The registry of organizations: the tree of state bodies and quasi-public
//! organizations, its API, and CSV import and export.

pub mod api;
pub mod csv;
pub mod demo;
pub mod import;
pub mod model;
pub mod search_words;
pub mod service;
pub mod view;
