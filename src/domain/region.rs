//! Regions of Kazakhstan (ISO 3166-2:KZ, 20 since June 2022) and `republican`.

/// Region codes with their English names, in code order; `republican` is for central bodies.
pub const REGIONS: [(&str, &str); 21] = [
    ("republican", "Republican (central bodies)"),
    ("KZ-10", "Abai"),
    ("KZ-11", "Akmola"),
    ("KZ-15", "Aktobe"),
    ("KZ-19", "Almaty region"),
    ("KZ-23", "Atyrau"),
    ("KZ-27", "West Kazakhstan"),
    ("KZ-31", "Jambyl"),
    ("KZ-33", "Jetisu"),
    ("KZ-35", "Karaganda"),
    ("KZ-39", "Kostanay"),
    ("KZ-43", "Kyzylorda"),
    ("KZ-47", "Mangystau"),
    ("KZ-55", "Pavlodar"),
    ("KZ-59", "North Kazakhstan"),
    ("KZ-61", "Turkistan"),
    ("KZ-62", "Ulytau"),
    ("KZ-63", "East Kazakhstan"),
    ("KZ-71", "Astana"),
    ("KZ-75", "Almaty city"),
    ("KZ-79", "Shymkent"),
];

/// A known region code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region(&'static str);

impl Region {
    /// Accepts a code in any letter case (`kz-71` → `KZ-71`).
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        REGIONS
            .iter()
            .find(|(code, _)| code.eq_ignore_ascii_case(raw))
            .map(|(code, _)| Region(code))
            .ok_or_else(|| {
                format!(
                    "unknown region '{raw}'; expected an ISO 3166-2:KZ code (KZ-10 … KZ-79) or 'republican'"
                )
            })
    }

    pub fn code(self) -> &'static str {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_twenty_regions_and_republican() {
        assert_eq!(
            REGIONS.iter().filter(|(c, _)| c.starts_with("KZ-")).count(),
            20
        );
        assert_eq!(Region::parse("kz-71").unwrap().code(), "KZ-71");
        assert_eq!(Region::parse("Republican").unwrap().code(), "republican");
    }

    #[test]
    fn abolished_or_invented_codes_are_refused() {
        // KZ-ALA/KZ-AST style and a made-up number.
        for raw in ["KZ-ALA", "KZ-99", "", "Astana"] {
            assert!(Region::parse(raw).is_err(), "{raw}");
        }
    }
}
