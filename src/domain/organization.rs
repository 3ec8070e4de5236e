//! The fields of an organization, parsed from untrusted input (JSON or a CSV row).

use super::contact::{parse_email, parse_phone};
use super::{Bin, FieldError, OrganizationKind, Region};

/// The longest name or contact text accepted, in characters.
pub const MAX_TEXT: usize = 500;
/// The largest headcount accepted: more than the whole civil service.
pub const MAX_HEADCOUNT: i64 = 10_000_000;

/// Raw, unchecked field values, as they arrive. `None` means "not given".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrganizationInput {
    pub bin: Option<String>,
    pub kind: Option<String>,
    pub region: Option<String>,
    pub headcount: Option<i64>,
    pub name_kk: Option<String>,
    pub name_ru: Option<String>,
    pub name_en: Option<String>,
    pub it_head_name: Option<String>,
    pub it_head_email: Option<String>,
    pub it_head_phone: Option<String>,
    pub head_name: Option<String>,
    pub head_email: Option<String>,
}

/// Checked organization fields (the tree position is handled by the registry).
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationFields {
    pub bin: Bin,
    pub kind: OrganizationKind,
    pub region: Region,
    pub headcount: i64,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: Option<String>,
    pub it_head_name: Option<String>,
    pub it_head_email: Option<String>,
    pub it_head_phone: Option<String>,
    pub head_name: Option<String>,
    pub head_email: Option<String>,
}

/// How field names are spelled for the client: JSON nests contacts (`it_head.email`),
/// CSV flattens them (`it_head_email`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldNaming {
    Json,
    Csv,
}

impl FieldNaming {
    fn name(self, field: &'static str) -> String {
        match self {
            Self::Csv => field.to_owned(),
            Self::Json => {
                for prefix in ["it_head_", "head_"] {
                    if let Some(rest) = field.strip_prefix(prefix) {
                        return format!("{}.{rest}", &prefix[..prefix.len() - 1]);
                    }
                }
                field.to_owned()
            }
        }
    }
}

struct Checker {
    naming: FieldNaming,
    errors: Vec<FieldError>,
}

impl Checker {
    fn fail(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors
            .push(FieldError::new(self.naming.name(field), message));
    }

    /// Trimmed text; empty counts as absent. Refuses control characters and overlong text.
    fn text(&mut self, field: &'static str, value: &Option<String>) -> Option<String> {
        let text = value.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        if text.chars().count() > MAX_TEXT {
            self.fail(field, format!("is longer than {MAX_TEXT} characters"));
            return None;
        }
        if text.chars().any(char::is_control) {
            self.fail(field, "contains control characters (line breaks, tabs)");
            return None;
        }
        Some(text.to_owned())
    }

    fn required_text(&mut self, field: &'static str, value: &Option<String>) -> Option<String> {
        let text = self.text(field, value);
        if text.is_none()
            && !self
                .errors
                .iter()
                .any(|e| e.field == self.naming.name(field))
        {
            self.fail(field, "is required");
        }
        text
    }

    fn required<T>(
        &mut self,
        field: &'static str,
        value: &Option<String>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match value.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => {
                self.fail(field, "is required");
                None
            }
            Some(raw) => parse(raw).map_err(|m| self.fail(field, m)).ok(),
        }
    }

    fn optional(
        &mut self,
        field: &'static str,
        value: &Option<String>,
        parse: fn(&str) -> Result<String, String>,
    ) -> Option<String> {
        let raw = self.text(field, value)?;
        parse(&raw).map_err(|m| self.fail(field, m)).ok()
    }
}

impl OrganizationInput {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self, naming: FieldNaming) -> Result<OrganizationFields, Vec<FieldError>> {
        let mut c = Checker {
            naming,
            errors: Vec::new(),
        };
        let bin = c.required("bin", &self.bin, |raw| {
            Bin::parse(raw).map_err(|e| e.to_string())
        });
        let kind = c.required("kind", &self.kind, OrganizationKind::parse);
        let region = c.required("region", &self.region, Region::parse);
        let headcount = self.headcount.unwrap_or(0);
        if !(0..=MAX_HEADCOUNT).contains(&headcount) {
            c.fail(
                "headcount",
                format!("must be a whole number from 0 to {MAX_HEADCOUNT}"),
            );
        }
        let name_kk = c.required_text("name_kk", &self.name_kk);
        let name_ru = c.required_text("name_ru", &self.name_ru);
        let name_en = c.text("name_en", &self.name_en);
        let it_head_name = c.text("it_head_name", &self.it_head_name);
        let it_head_email = c.optional("it_head_email", &self.it_head_email, parse_email);
        let it_head_phone = c.optional("it_head_phone", &self.it_head_phone, parse_phone);
        let head_name = c.text("head_name", &self.head_name);
        let head_email = c.optional("head_email", &self.head_email, parse_email);
        match (bin, kind, region, name_kk, name_ru) {
            (Some(bin), Some(kind), Some(region), Some(name_kk), Some(name_ru))
                if c.errors.is_empty() =>
            {
                Ok(OrganizationFields {
                    bin,
                    kind,
                    region,
                    headcount,
                    name_kk,
                    name_ru,
                    name_en,
                    it_head_name,
                    it_head_email,
                    it_head_phone,
                    head_name,
                    head_email,
                })
            }
            _ => Err(c.errors),
        }
    }
}

impl From<&OrganizationFields> for OrganizationInput {
    fn from(f: &OrganizationFields) -> Self {
        Self {
            bin: Some(f.bin.to_string()),
            kind: Some(f.kind.as_str().to_owned()),
            region: Some(f.region.code().to_owned()),
            headcount: Some(f.headcount),
            name_kk: Some(f.name_kk.clone()),
            name_ru: Some(f.name_ru.clone()),
            name_en: f.name_en.clone(),
            it_head_name: f.it_head_name.clone(),
            it_head_email: f.it_head_email.clone(),
            it_head_phone: f.it_head_phone.clone(),
            head_name: f.head_name.clone(),
            head_email: f.head_email.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> OrganizationInput {
        OrganizationInput {
            bin: Some("940140000385".into()),
            kind: Some("central_state_body".into()),
            region: Some("republican".into()),
            headcount: Some(250),
            name_kk: Some("  Қаржы министрлігі ".into()),
            name_ru: Some("Министерство финансов".into()),
            it_head_email: Some("IT@MinFin.gov.kz".into()),
            ..Default::default()
        }
    }

    #[test]
    fn valid_input_is_trimmed_and_normalized() {
        let fields = valid().validate(FieldNaming::Json).unwrap();
        assert_eq!(fields.name_kk, "Қаржы министрлігі");
        assert_eq!(fields.it_head_email.as_deref(), Some("it@minfin.gov.kz"));
        assert_eq!(fields.name_en, None);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let input = OrganizationInput {
            bin: Some("940140000386".into()),
            kind: Some("ministry".into()),
            region: None,
            headcount: Some(-1),
            name_kk: Some("   ".into()),
            name_ru: Some("x\ny".into()),
            it_head_email: Some("nope".into()),
            ..Default::default()
        };
        let errors = input.validate(FieldNaming::Json).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "bin",
                "kind",
                "region",
                "headcount",
                "name_kk",
                "name_ru",
                "it_head.email"
            ]
        );
        let csv = input.validate(FieldNaming::Csv).unwrap_err();
        assert_eq!(csv.last().unwrap().field, "it_head_email");
    }
}
