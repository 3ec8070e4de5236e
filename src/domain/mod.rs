//! Pure domain types: parsing and rules, no I/O.

pub mod bin;
pub mod contact;
pub mod deadline;
pub mod kind;
pub mod organization;
pub mod region;
pub mod search;
pub mod status;

pub use bin::Bin;
pub use kind::OrganizationKind;
pub use region::Region;

/// One problem with one input field, as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field's name as the client sent it (`bin`, `it_head.email`, ...).
    pub field: String,
    /// What is wrong and what would be right.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
