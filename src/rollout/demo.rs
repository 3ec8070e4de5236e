//! Demo history for `serve --demo`: filled in below.
