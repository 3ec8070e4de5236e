//! Kinds of organization in the registry.

use serde::{Deserialize, Serialize};

/// What sort of body an organization is; stored as its snake_case name.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKind {
    CentralStateBody,
    DepartmentalBody,
    TerritorialBody,
    LocalExecutiveBody,
    QuasiPublicOrganization,
    MilitaryUnit,
}

impl OrganizationKind {
    pub const ALL: [OrganizationKind; 6] = [
        Self::CentralStateBody,
        Self::DepartmentalBody,
        Self::TerritorialBody,
        Self::LocalExecutiveBody,
        Self::QuasiPublicOrganization,
        Self::MilitaryUnit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CentralStateBody => "central_state_body",
            Self::DepartmentalBody => "departmental_body",
            Self::TerritorialBody => "territorial_body",
            Self::LocalExecutiveBody => "local_executive_body",
            Self::QuasiPublicOrganization => "quasi_public_organization",
            Self::MilitaryUnit => "military_unit",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw)
            .ok_or_else(|| format!("unknown kind '{raw}'; expected one of: {}", Self::names()))
    }

    fn names() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

impl std::fmt::Display for OrganizationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name() {
        for kind in OrganizationKind::ALL {
            assert_eq!(OrganizationKind::parse(kind.as_str()), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }

    #[test]
    fn an_unknown_kind_lists_the_valid_ones() {
        let err = OrganizationKind::parse("ministry").unwrap_err();
        assert!(err.contains("central_state_body"), "{err}");
    }
}
