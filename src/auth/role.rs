//! Roles: what kind of user someone is.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including other people's accounts and tokens.
    Admin,
    /// Keeps the registry and every status within its scope.
    Coordinator,
    /// Reports for its own organization and the units below it.
    ItHead,
    /// Reads everything but personal contact data; changes nothing.
    Observer,
}

impl Role {
    pub const ALL: [Role; 4] = [Self::Admin, Self::Coordinator, Self::ItHead, Self::Observer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Coordinator => "coordinator",
            Self::ItHead => "it_head",
            Self::Observer => "observer",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == raw)
            .ok_or_else(|| {
                format!("unknown role '{raw}'; expected admin, coordinator, it_head or observer")
            })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("root").is_err());
    }
}
