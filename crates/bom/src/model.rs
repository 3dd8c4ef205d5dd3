//! BOMs and production orders: what a client sends (`BomSpec`, `OrderSpec`), checked against
//! the catalog, and what the store keeps (`Bom`, `Order`).

use jiff::Timestamp;
use lotrace_core::catalog::Catalog;
use lotrace_core::{DomainError, Qty, Result};
use serde::{Deserialize, Serialize};

/// Most components one BOM lists.
pub const MAX_COMPONENTS: usize = 100;
/// Most substitutes one component allows.
pub const MAX_SUBSTITUTES: usize = 10;
/// Longest code (BOM code, order id), in bytes.
pub const MAX_CODE_BYTES: usize = 64;
/// Longest description or note, in characters.
pub const MAX_TEXT_CHARS: usize = 500;

fn yes() -> bool {
    true
}

/// A code: 1 to 64 bytes of letters, digits, `-`, `_` and `.`.
pub fn check_code(field: &str, code: &str) -> Result<()> {
    if code.is_empty()
        || code.len() > MAX_CODE_BYTES
        || !code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(DomainError::field(
            field,
            format!(
                "{code:?}: 1 to {MAX_CODE_BYTES} letters, digits, '-', '_' or '.' are expected"
            ),
        ));
    }
    Ok(())
}

pub(crate) fn check_text(field: &str, text: &str) -> Result<()> {
    if text.trim().is_empty() || text.chars().count() > MAX_TEXT_CHARS {
        return Err(DomainError::field(
            field,
            format!("must be 1 to {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(())
}

fn check_percent(field: &str, p: Qty) -> Result<()> {
    if p.is_negative() || p > Qty::from_units(100) {
        return Err(DomainError::field(
            field,
            format!("a percentage from 0 to 100 is expected, got {p}"),
        ));
    }
    Ok(())
}

fn check_positive(field: &str, q: Qty) -> Result<()> {
    if !q.is_positive() {
        return Err(DomainError::field(
            field,
            format!("must be more than zero, got {q}"),
        ));
    }
    Ok(())
}

/// An allowed replacement for a component.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Substitute {
    pub product: String,
    /// How much of the substitute replaces the component's `quantity_per_unit`, in the
    /// substitute's unit; omitted: the same quantity (the units must then be the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_per_unit: Option<Qty>,
}

/// One component: how much of a product goes into one unit of output.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub product: String,
    /// Per one unit of the output (in the output product's unit).
    pub quantity_per_unit: Qty,
    /// The component product's unit; given, it must be that unit (stored always).
    #[serde(default)]
    pub uom: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub substitutes: Vec<Substitute>,
    /// How far consumption may differ from the BOM quantity (scrap, spillage), in percent of
    /// the BOM quantity, before it counts as a deviation.
    #[serde(default)]
    pub scrap_allowance_percent: Qty,
    /// Whether each production must name the lots of this component it consumed.
    #[serde(default = "yes")]
    pub lot_tracked: bool,
}

/// A BOM (recipe) as a client sends it; the store gives it its version.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BomSpec {
    pub code: String,
    /// The product it makes.
    pub product: String,
    #[serde(default)]
    pub description: Option<String>,
    pub components: Vec<Component>,
    /// The lowest acceptable yield, in percent of the output the consumed inputs allow.
    #[serde(default)]
    pub min_yield_percent: Option<Qty>,
    /// For a new version of an existing BOM: the version it replaces (the latest).
    #[serde(default)]
    pub previous_version: Option<u64>,
}

/// One version of a BOM as stored. Never changed once stored.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Bom {
    pub code: String,
    pub version: u64,
    pub product: String,
    /// The output product's unit: quantities per unit are per one of these.
    pub output_uom: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub components: Vec<Component>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_yield_percent: Option<Qty>,
    pub created_at: Timestamp,
    pub created_by: String,
}

impl BomSpec {
    /// Checks the spec against the catalog and returns the BOM to store as `version`.
    pub fn validate(
        self,
        catalog: &Catalog,
        version: u64,
        created_by: &str,
        now: Timestamp,
    ) -> Result<Bom> {
        check_code("code", &self.code)?;
        let output = catalog.product("product", &self.product)?;
        if let Some(d) = &self.description {
            check_text("description", d)?;
        }
        if self.components.is_empty() || self.components.len() > MAX_COMPONENTS {
            return Err(DomainError::field(
                "components",
                format!("1 to {MAX_COMPONENTS} components are expected"),
            ));
        }
        if let Some(y) = self.min_yield_percent {
            check_percent("min_yield_percent", y)?;
        }
        let mut seen: Vec<String> = Vec::new();
        let mut components = Vec::with_capacity(self.components.len());
        for (i, mut c) in self.components.into_iter().enumerate() {
            let field = format!("components[{i}]");
            let product = catalog.product(&format!("{field}.product"), &c.product)?;
            if product.code == output.code {
                return Err(DomainError::field(
                    &format!("{field}.product"),
                    format!("{:?} is the product this BOM makes", c.product),
                ));
            }
            check_positive(&format!("{field}.quantity_per_unit"), c.quantity_per_unit)?;
            match &c.uom {
                Some(u) if *u != product.uom => {
                    return Err(DomainError::field(
                        &format!("{field}.uom"),
                        format!("{:?} is counted in {}, not {u}", product.code, product.uom),
                    ));
                }
                _ => c.uom = Some(product.uom.clone()),
            }
            check_percent(
                &format!("{field}.scrap_allowance_percent"),
                c.scrap_allowance_percent,
            )?;
            if c.substitutes.len() > MAX_SUBSTITUTES {
                return Err(DomainError::field(
                    &format!("{field}.substitutes"),
                    format!("at most {MAX_SUBSTITUTES} substitutes per component"),
                ));
            }
            let mut names = vec![(format!("{field}.product"), product.code.clone())];
            for (j, s) in c.substitutes.iter().enumerate() {
                let sfield = format!("{field}.substitutes[{j}]");
                let sub = catalog.product(&format!("{sfield}.product"), &s.product)?;
                if sub.code == output.code {
                    return Err(DomainError::field(
                        &format!("{sfield}.product"),
                        format!("{:?} is the product this BOM makes", s.product),
                    ));
                }
                match s.quantity_per_unit {
                    Some(q) => check_positive(&format!("{sfield}.quantity_per_unit"), q)?,
                    None if sub.uom != product.uom => {
                        return Err(DomainError::field(
                            &format!("{sfield}.quantity_per_unit"),
                            format!(
                                "{:?} is counted in {}, the component in {}: give the quantity that replaces it",
                                sub.code, sub.uom, product.uom
                            ),
                        ));
                    }
                    None => {}
                }
                names.push((format!("{sfield}.product"), sub.code.clone()));
            }
            for (f, name) in names {
                if seen.contains(&name) {
                    return Err(DomainError::field(
                        &f,
                        format!("{name:?} appears twice in the BOM (a component or a substitute)"),
                    ));
                }
                seen.push(name);
            }
            components.push(c);
        }
        Ok(Bom {
            code: self.code,
            version,
            product: output.code.clone(),
            output_uom: output.uom.clone(),
            description: self.description,
            components,
            min_yield_percent: self.min_yield_percent,
            created_at: now,
            created_by: created_by.to_owned(),
        })
    }
}

/// What a product is to a BOM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Component,
    Substitute,
}

impl Bom {
    /// The component a product stands for (itself or as a substitute), with the quantity of
    /// it that replaces one `quantity_per_unit` of the component.
    pub fn role_of(&self, product: &str) -> Option<(usize, Role, Qty)> {
        self.components.iter().enumerate().find_map(|(i, c)| {
            if c.product == product {
                return Some((i, Role::Component, c.quantity_per_unit));
            }
            c.substitutes
                .iter()
                .find(|s| s.product == product)
                .map(|s| {
                    (
                        i,
                        Role::Substitute,
                        s.quantity_per_unit.unwrap_or(c.quantity_per_unit),
                    )
                })
        })
    }

    /// `CODE v2`, as messages name a version.
    pub fn label(&self) -> String {
        format!("BOM {} v{}", self.code, self.version)
    }
}

/// An order's status as kept; "in progress" is derived from its productions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Planned,
    Released,
    Closed,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Planned => "planned",
            OrderStatus::Released => "released",
            OrderStatus::Closed => "closed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<OrderStatus> {
        Ok(match text {
            "planned" => OrderStatus::Planned,
            "released" => OrderStatus::Released,
            "closed" => OrderStatus::Closed,
            "cancelled" => OrderStatus::Cancelled,
            other => {
                return Err(DomainError::field(
                    field,
                    format!("{other:?}: expected planned, released, closed or cancelled"),
                ));
            }
        })
    }

    /// Whether productions may still run against the order.
    pub fn is_open(self) -> bool {
        matches!(self, OrderStatus::Planned | OrderStatus::Released)
    }

    /// Planned → released → closed; planned or released → cancelled. Nothing leaves closed
    /// or cancelled.
    pub fn check_change(self, to: OrderStatus) -> Result<()> {
        let allowed = matches!(
            (self, to),
            (OrderStatus::Planned, OrderStatus::Released)
                | (
                    OrderStatus::Planned | OrderStatus::Released,
                    OrderStatus::Closed | OrderStatus::Cancelled
                )
        );
        if !allowed {
            return Err(DomainError::refused(
                "order_status",
                format!(
                    "an order that is {} cannot become {}",
                    self.as_str(),
                    to.as_str()
                ),
            ));
        }
        Ok(())
    }
}

/// A production order as a client sends it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderSpec {
    /// The order number (from the ERP): 1 to 64 letters, digits, '-', '_', '.'.
    pub id: String,
    pub product: String,
    pub bom: String,
    /// Omitted: the BOM's latest version.
    #[serde(default)]
    pub bom_version: Option<u64>,
    /// The planned output.
    pub quantity: Qty,
    #[serde(default)]
    pub uom: Option<String>,
    /// Where it is made (the line's location).
    pub location: String,
    /// The production line, for lot numbers; defaults to the location code.
    #[serde(default)]
    pub line: Option<String>,
    #[serde(default)]
    pub planned_start: Option<Timestamp>,
    #[serde(default)]
    pub planned_end: Option<Timestamp>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A production order as stored.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
pub struct Order {
    pub id: String,
    pub product: String,
    pub bom: String,
    pub bom_version: u64,
    pub quantity: Qty,
    pub uom: String,
    pub location: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_start: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_end: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    pub created_by: String,
}

impl OrderSpec {
    /// Checks the order against the catalog and its BOM version.
    pub fn validate(
        self,
        catalog: &Catalog,
        bom: &Bom,
        created_by: &str,
        now: Timestamp,
    ) -> Result<Order> {
        check_code("id", &self.id)?;
        let product = catalog.product("product", &self.product)?;
        if bom.product != product.code {
            return Err(DomainError::field(
                "bom",
                format!(
                    "{} makes {:?}, not {:?}",
                    bom.label(),
                    bom.product,
                    product.code
                ),
            ));
        }
        check_positive("quantity", self.quantity)?;
        if let Some(u) = &self.uom
            && *u != product.uom
        {
            return Err(DomainError::field(
                "uom",
                format!("{:?} is counted in {}, not {u}", product.code, product.uom),
            ));
        }
        let location = catalog.location("location", &self.location)?;
        if let Some(line) = &self.line {
            check_code("line", line)?;
        }
        if let (Some(s), Some(e)) = (self.planned_start, self.planned_end)
            && e < s
        {
            return Err(DomainError::field("planned_end", "is before planned_start"));
        }
        if let Some(n) = &self.note {
            check_text("note", n)?;
        }
        Ok(Order {
            id: self.id,
            product: product.code.clone(),
            bom: bom.code.clone(),
            bom_version: bom.version,
            quantity: self.quantity,
            uom: product.uom.clone(),
            location: location.code.clone(),
            line: self.line,
            planned_start: self.planned_start,
            planned_end: self.planned_end,
            note: self.note,
            status: OrderStatus::Planned,
            created_at: now,
            created_by: created_by.to_owned(),
        })
    }
}
