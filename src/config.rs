//! Layered configuration: compiled-in defaults, `config/<env>.toml`, `--config FILE`,
//! then `AITU__SECTION__KEY` environment variables.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::Deserialize;

use crate::db::{DatabaseUrl, PoolOptions};

/// The defaults, compiled in so the binary runs from any directory.
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub public_url: String,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub api: ApiSettings,
    pub auth: AuthSettings,
    pub rollouts: RolloutSettings,
    pub mail: crate::reminders::settings::MailSettings,
    pub reminders: crate::reminders::policy::ReminderSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RolloutSettings {
    pub at_risk_days: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    pub workers: usize,
    pub json_limit: usize,
    pub import_limit: usize,
    pub shutdown_timeout: u64,
    pub behind_proxy: bool,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    pub connect_timeout: u64,
    pub sqlite_busy_timeout: u64,
}

impl std::fmt::Debug for DatabaseSettings {
    /// The URL may hold a password: show it redacted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &crate::db::redact_url(&self.url))
            .field("pool_size", &self.pool_size)
            .field("connect_timeout", &self.connect_timeout)
            .field("sqlite_busy_timeout", &self.sqlite_busy_timeout)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSettings {
    pub default_per_page: u32,
    pub max_per_page: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub max_concurrent_hashes: usize,
    pub token_cache_seconds: u64,
}

impl DatabaseSettings {
    pub fn parsed_url(&self) -> anyhow::Result<DatabaseUrl> {
        DatabaseUrl::parse(&self.url).map_err(anyhow::Error::msg)
    }

    pub fn pool_options(&self) -> PoolOptions {
        PoolOptions {
            max_size: self.pool_size.max(1),
            connect_timeout: Duration::from_secs(self.connect_timeout.max(1)),
            sqlite_busy_timeout: Duration::from_millis(self.sqlite_busy_timeout),
        }
    }
}

/// Where the optional `config/<env>.toml` files are looked for.
fn config_dir() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("AITU_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    let cwd = Path::new("config");
    if cwd.is_dir() {
        return Some(cwd.to_path_buf());
    }
    let exe = std::env::current_exe().ok()?;
    // Beside an installed binary, or the crate root for target/{debug,release}/aitu-tracker.
    exe.ancestors()
        .skip(1)
        .take(3)
        .map(|dir| dir.join("config"))
        .find(|dir| dir.is_dir())
}

impl Settings {
    /// Loads every layer; `extra_file` is the `--config FILE` argument.
    pub fn load(extra_file: Option<&Path>) -> anyhow::Result<Self> {
        use config::{Environment, File, FileFormat};
        let mut builder =
            config::Config::builder().add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml));
        if let Ok(env) = std::env::var("AITU_ENV") {
            let dir = config_dir().with_context(|| {
                format!("AITU_ENV={env} is set but no config folder was found; set AITU_CONFIG_DIR")
            })?;
            let file = dir.join(format!("{env}.toml"));
            anyhow::ensure!(
                file.is_file(),
                "AITU_ENV={env} is set but {} does not exist",
                file.display()
            );
            builder = builder.add_source(File::from(file));
        }
        if let Some(file) = extra_file {
            anyhow::ensure!(
                file.is_file(),
                "config file {} does not exist",
                file.display()
            );
            builder = builder.add_source(File::from(file).format(FileFormat::Toml));
        }
        builder = builder.add_source(
            Environment::with_prefix("AITU")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        let settings: Settings = builder
            .build()
            .context("reading configuration")?
            .try_deserialize()
            .context("invalid configuration (check key names and value types)")?;
        settings.check()?;
        Ok(settings)
    }

    /// The compiled-in defaults alone (tests start from these).
    pub fn defaults() -> Self {
        let settings: Settings = config::Config::builder()
            .add_source(config::File::from_str(
                DEFAULT_TOML,
                config::FileFormat::Toml,
            ))
            .build()
            .and_then(|c| c.try_deserialize())
            .expect("config/default.toml is valid");
        settings
    }

    fn check(&self) -> anyhow::Result<()> {
        self.database.parsed_url()?;
        let url = url::Url::parse(&self.public_url)
            .with_context(|| format!("public_url '{}' is not a URL", self.public_url))?;
        anyhow::ensure!(
            matches!(url.scheme(), "http" | "https"),
            "public_url must start with http:// or https://"
        );
        anyhow::ensure!(
            self.auth.session_idle_minutes >= 1 && self.auth.session_absolute_hours >= 1,
            "auth.session_idle_minutes and auth.session_absolute_hours must be at least 1"
        );
        anyhow::ensure!(
            self.auth.token_cache_seconds <= 300,
            "auth.token_cache_seconds must be from 0 to 300 (a revocation elsewhere waits that long)"
        );
        anyhow::ensure!(
            self.api.default_per_page >= 1 && self.api.default_per_page <= self.api.max_per_page,
            "api.default_per_page must be between 1 and api.max_per_page"
        );
        anyhow::ensure!(
            (0..=365).contains(&self.rollouts.at_risk_days),
            "rollouts.at_risk_days must be from 0 to 365"
        );
        self.mail.parse()?;
        crate::reminders::policy::Window::from_settings(&self.reminders)
            .map_err(anyhow::Error::msg)?;
        crate::reminders::policy::Schedule::from_settings(&self.reminders)
            .check()
            .map_err(|(key, problem)| anyhow::anyhow!("reminders.{key} {problem}"))?;
        anyhow::ensure!(
            self.reminders.interval >= 1,
            "reminders.interval must be at least 1 second"
        );
        anyhow::ensure!(
            self.reminders.max_attempts >= 1 && self.reminders.retry_after_seconds >= 1 && self.reminders.lease_seconds >= 10,
            "reminders.max_attempts and retry_after_seconds must be at least 1, lease_seconds at least 10"
        );
        Ok(())
    }

    pub fn public_url_is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_in_defaults_are_complete_and_valid() {
        let settings = Settings::defaults();
        settings.check().unwrap();
        assert_eq!(settings.server.bind, "127.0.0.1:8080");
        assert!(matches!(
            settings.database.parsed_url().unwrap(),
            DatabaseUrl::Sqlite(_)
        ));
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let mut settings = Settings::defaults();
        settings.database.url = "postgres://u:hunter2@h/db".into();
        assert!(!format!("{settings:?}").contains("hunter2"));
    }
}
