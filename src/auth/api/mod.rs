//! `/api/v1/session`, `/api/v1/me`, `/api/v1/users`, `/api/v1/tokens`.

mod me;
mod session;
mod tokens;
mod users;

use actix_web::web;

pub use me::*;
pub use session::*;
pub use tokens::*;
pub use users::*;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/session", web::post().to(log_in))
        .route("/session", web::delete().to(log_out))
        .route("/me", web::get().to(who_am_i))
        .route("/me/password", web::post().to(change_password))
        .route("/users", web::get().to(list_users))
        .route("/users", web::post().to(create_user))
        .route("/users/{user}", web::get().to(get_user))
        .route("/users/{user}", web::patch().to(update_user))
        .route("/tokens", web::get().to(list_tokens))
        .route("/tokens", web::post().to(create_token))
        .route("/tokens/{token}", web::delete().to(revoke_token));
}
