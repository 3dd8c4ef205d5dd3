//! The master data in memory: small, read on every operation, reloaded when it changes.

use std::collections::BTreeMap;

use crate::error::{DomainError, Result};
use crate::master::{Location, Party, PartyRole, Product};

#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub products: BTreeMap<String, Product>,
    pub locations: BTreeMap<String, Location>,
    pub parties: BTreeMap<String, Party>,
}

impl Catalog {
    /// An active product, or an error naming `field`.
    pub fn product(&self, field: &str, code: &str) -> Result<&Product> {
        let p = self
            .products
            .get(code)
            .ok_or_else(|| DomainError::field(field, format!("no product with code {code:?}")))?;
        if !p.active {
            return Err(DomainError::field(
                field,
                format!("product {code:?} is deactivated"),
            ));
        }
        Ok(p)
    }

    pub fn location(&self, field: &str, code: &str) -> Result<&Location> {
        let l = self
            .locations
            .get(code)
            .ok_or_else(|| DomainError::field(field, format!("no location with code {code:?}")))?;
        if !l.active {
            return Err(DomainError::field(
                field,
                format!("location {code:?} is deactivated"),
            ));
        }
        Ok(l)
    }

    pub fn party(&self, field: &str, code: &str, role: PartyRole) -> Result<&Party> {
        let p = self
            .parties
            .get(code)
            .ok_or_else(|| DomainError::field(field, format!("no party with code {code:?}")))?;
        if !p.active {
            return Err(DomainError::field(
                field,
                format!("party {code:?} is deactivated"),
            ));
        }
        if !p.has_role(role) {
            return Err(DomainError::field(
                field,
                format!(
                    "party {code:?} is not a {}",
                    format!("{role:?}").to_lowercase()
                ),
            ));
        }
        Ok(p)
    }

    /// The site a location belongs to (itself for a site), following parents.
    pub fn site_of<'a>(&'a self, location: &'a Location) -> &'a Location {
        let mut current = location;
        // Bounded: a location tree is never deeper than the number of locations.
        for _ in 0..self.locations.len() {
            match current.parent.as_ref().and_then(|p| self.locations.get(p)) {
                Some(parent) => current = parent,
                None => break,
            }
        }
        current
    }

    /// Finds the product a lot URI belongs to (by class URI prefix).
    pub fn product_of_lot(&self, lot_uri: &str) -> Option<&Product> {
        self.products.values().find(|p| p.owns_lot(lot_uri))
    }

    /// The location code whose URI is `uri`.
    pub fn location_by_uri(&self, uri: &str) -> Option<&Location> {
        self.locations.values().find(|l| l.uri() == uri)
    }
}
