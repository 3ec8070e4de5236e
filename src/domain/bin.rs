//! BIN (business identification number): 12 digits with a mod-11 check digit.

use std::fmt;

/// A BIN whose structure and check digit have been verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bin([u8; 12]);

/// Why a string is not a BIN; the message tells the user what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BinError {
    #[error("a BIN has exactly 12 digits, got {0} characters")]
    Length(usize),
    #[error("a BIN has digits only")]
    NotDigits,
    #[error("the BIN's month (digits 3-4) must be 01-12")]
    Month,
    #[error("the BIN's fifth digit (entity type) must be 4, 5 or 6")]
    EntityType,
    #[error("the BIN's sixth digit (attribute) must be 0, 1, 2 or 3")]
    Attribute,
    #[error("the BIN's check digit is wrong: this number does not exist, check for a typo")]
    Checksum,
}

const FIRST_WEIGHTS: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_WEIGHTS: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

impl Bin {
    /// Parses a BIN, checking length, structure and the check digit.
    pub fn parse(raw: &str) -> Result<Self, BinError> {
        let raw = raw.trim();
        let count = raw.chars().count();
        if count != 12 {
            return Err(BinError::Length(count));
        }
        let mut digits = [0u8; 12];
        for (slot, byte) in digits.iter_mut().zip(raw.bytes()) {
            if !byte.is_ascii_digit() {
                return Err(BinError::NotDigits);
            }
            *slot = byte - b'0';
        }
        let month = digits[2] * 10 + digits[3];
        if !(1..=12).contains(&month) {
            return Err(BinError::Month);
        }
        if !(4..=6).contains(&digits[4]) {
            return Err(BinError::EntityType);
        }
        if digits[5] > 3 {
            return Err(BinError::Attribute);
        }
        match check_digit(&digits) {
            Some(check) if check == digits[11] => Ok(Self(digits)),
            _ => Err(BinError::Checksum),
        }
    }

    pub fn as_u64(&self) -> u64 {
        self.0.iter().fold(0, |acc, d| acc * 10 + u64::from(*d))
    }

    pub fn from_u64(value: u64) -> Self {
        let mut digits = [0u8; 12];
        let mut rest = value;
        for slot in digits.iter_mut().rev() {
            *slot = (rest % 10) as u8;
            rest /= 10;
        }
        Self(digits)
    }
}

/// The check digit for the first 11 digits, or `None` when both passes give 10
/// (such numbers are never issued).
pub fn check_digit(digits: &[u8; 12]) -> Option<u8> {
    let weighted = |weights: &[u32; 11]| -> u32 {
        digits[..11]
            .iter()
            .zip(weights)
            .map(|(d, w)| u32::from(*d) * w)
            .sum::<u32>()
            % 11
    };
    let first = weighted(&FIRST_WEIGHTS);
    let check = if first == 10 {
        weighted(&SECOND_WEIGHTS)
    } else {
        first
    };
    (check != 10).then_some(check as u8)
}

impl fmt::Display for Bin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.0 {
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Bin {
    type Err = BinError;
    fn from_str(s: &str) -> Result<Self, BinError> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_bins_parse() {
        for raw in ["940140000385", "990140004654"] {
            assert_eq!(Bin::parse(raw).unwrap().to_string(), raw);
        }
    }

    #[test]
    fn a_changed_digit_breaks_the_checksum() {
        assert_eq!(Bin::parse("940140000386"), Err(BinError::Checksum));
        assert_eq!(Bin::parse("990140004655"), Err(BinError::Checksum));
    }

    #[test]
    fn structure_is_checked_before_the_checksum() {
        assert_eq!(Bin::parse("94014000038"), Err(BinError::Length(11)));
        assert_eq!(Bin::parse("9401400003a5"), Err(BinError::NotDigits));
        assert_eq!(Bin::parse("941340000385"), Err(BinError::Month));
        assert_eq!(Bin::parse("940170000385"), Err(BinError::EntityType));
        assert_eq!(Bin::parse("940149000385"), Err(BinError::Attribute));
        assert_eq!(
            Bin::parse("９４０１４００００３８５"),
            Err(BinError::NotDigits)
        );
    }

    #[test]
    fn second_weights_apply_when_the_first_sum_is_ten() {
        // Find a serial whose first pass gives 10 and check that the second pass decides.
        let mut found = false;
        for serial in 0..2000u32 {
            let raw = format!("2001400{serial:04}");
            let mut digits = [0u8; 12];
            for (slot, b) in digits.iter_mut().zip(raw.bytes()) {
                *slot = b - b'0';
            }
            let first: u32 = digits[..11]
                .iter()
                .zip(FIRST_WEIGHTS)
                .map(|(d, w)| u32::from(*d) * w)
                .sum::<u32>()
                % 11;
            if first != 10 {
                continue;
            }
            found = true;
            match check_digit(&digits) {
                Some(check) => {
                    let bin = format!("{raw}{check}");
                    assert!(Bin::parse(&bin).is_ok(), "{bin}");
                }
                None => {
                    for check in 0..10 {
                        assert_eq!(
                            Bin::parse(&format!("{raw}{check}")),
                            Err(BinError::Checksum)
                        );
                    }
                }
            }
        }
        assert!(found);
    }

    #[test]
    fn numeric_form_round_trips() {
        let bin = Bin::parse("040140000387").unwrap();
        assert_eq!(Bin::from_u64(bin.as_u64()), bin);
    }
}
