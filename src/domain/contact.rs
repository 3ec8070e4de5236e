//! Contact data of officials: names, email addresses and phone numbers.

/// Checks an email address well enough to catch typos; returns it trimmed and lower-cased.
pub fn parse_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    let invalid = || {
        format!(
            "'{}' is not an email address like name@agency.gov.kz",
            raw.trim()
        )
    };
    if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if local_ok && domain_ok {
        Ok(email)
    } else {
        Err(invalid())
    }
}

/// Checks a phone number: digits with the usual separators, 5 to 15 digits (E.164).
pub fn parse_phone(raw: &str) -> Result<String, String> {
    let phone = raw.trim();
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || " -()".contains(c) || (c == '+' && i == 0));
    if allowed && (5..=15).contains(&digits) {
        Ok(phone.to_owned())
    } else {
        Err(format!(
            "'{phone}' is not a phone number like +7 701 234 56 78 (5 to 15 digits, spaces, dashes, brackets)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            parse_email(" A.Seitkali@MinFin.gov.KZ ").unwrap(),
            "a.seitkali@minfin.gov.kz"
        );
        assert!(parse_email("it@агенттік.қаз").is_ok());
    }

    #[test]
    fn malformed_emails_are_refused() {
        for raw in [
            "",
            "no-at-sign",
            "a@b",
            "a@@b.kz",
            "a b@c.kz",
            ".a@b.kz",
            "a@-b.kz",
            "a@b..kz",
        ] {
            assert!(parse_email(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn phones_allow_separators_and_a_leading_plus() {
        assert_eq!(
            parse_phone("+7 (701) 234-56-78").unwrap(),
            "+7 (701) 234-56-78"
        );
        for raw in [
            "call me",
            "7+7012345678",
            "123",
            "+7 701 234 56 78 90 12 34",
        ] {
            assert!(parse_phone(raw).is_err(), "{raw}");
        }
    }
}
