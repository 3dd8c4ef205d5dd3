//! Domain errors: each says what is wrong, with which field or rule, in words a user acts on.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DomainError {
    /// A field of the request is malformed or missing.
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    /// The request is well-formed but a rule that protects users refuses it.
    #[error("{message}")]
    Refused { rule: String, message: String },
    /// Master data named by the request does not exist.
    #[error("{entity} {code:?} does not exist")]
    NotFound { entity: String, code: String },
    /// Master data with this code already exists.
    #[error("{entity} {code:?} already exists")]
    Exists { entity: String, code: String },
}

impl DomainError {
    pub fn field(field: &str, message: impl Into<String>) -> DomainError {
        DomainError::Field {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn refused(rule: &str, message: impl Into<String>) -> DomainError {
        DomainError::Refused {
            rule: rule.to_owned(),
            message: message.into(),
        }
    }

    pub fn not_found(entity: &str, code: &str) -> DomainError {
        DomainError::NotFound {
            entity: entity.to_owned(),
            code: code.to_owned(),
        }
    }
}

pub type Result<T, E = DomainError> = std::result::Result<T, E>;
