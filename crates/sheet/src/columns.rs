//! The columns of each kind: the fields of the master records (`lotrace_core::master`) and
//! of the receive, produce and ship operations (`lotrace_core::ops`), named as the API
//! names them, with an example value for the templates.

use crate::Kind;

/// How a cell's text becomes a JSON value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColType {
    /// Kept as a string (codes, lot numbers, GTINs: `007` stays `007`).
    Text,
    /// A whole number of at least 0 (JSON number).
    Whole,
    /// true/false, yes/no, 1/0 (JSON boolean).
    Bool,
    /// A calendar date `YYYY-MM-DD`; an XLSX date cell is accepted.
    Date,
    /// An RFC 3339 time with its UTC offset; an XLSX date-time cell (which has no offset)
    /// is refused with that reason.
    Time,
    /// A decimal quantity, kept as text so it is parsed exactly.
    Quantity,
    /// Words separated by `,` (a JSON array of strings).
    List,
    /// Lot lines `PRODUCT:LOT:QUANTITY[@LOCATION]`, separated by `;` or line breaks.
    Lines,
}

#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// The JSON field, also the template's header.
    pub name: &'static str,
    pub ty: ColType,
    /// The cell must be filled on every row (the column must be there).
    pub required: bool,
    pub help: &'static str,
}

const fn col(name: &'static str, ty: ColType, required: bool, help: &'static str) -> Column {
    Column {
        name,
        ty,
        required,
        help,
    }
}

use ColType::*;

const PRODUCTS: &[Column] = &[
    col("code", Text, true, "product code: letters, digits, - _ ."),
    col("name", Text, true, "product name"),
    col("gtin", Text, false, "GTIN-8/12/13/14 (padded to 14 digits)"),
    col(
        "uom",
        Text,
        true,
        "UN/ECE Rec 20 unit: KGM, LTR, H87 (piece)",
    ),
    col("lot_tracked", Bool, false, "true (default) or false"),
    col("serialised", Bool, false, "true or false (default)"),
    col(
        "shelf_life_days",
        Whole,
        false,
        "days from production to the date below",
    ),
    col(
        "shelf_life_date",
        Text,
        false,
        "expiry (default), best_before or sell_by",
    ),
    col(
        "lot_template",
        Text,
        false,
        "lot-number template, e.g. {yy}{doy:03}-{line}-{seq:03}",
    ),
    col(
        "required_at_receipt",
        List,
        false,
        "comma-separated: supplier_lot, expiry, best_before, country_of_origin, harvest_date, purchase_order",
    ),
    col(
        "food_traceability_list",
        Bool,
        false,
        "on the FDA Food Traceability List",
    ),
    col("pick_rule", Text, false, "FEFO (default) or FIFO"),
    col("active", Bool, false, "true (default) or false"),
];

const LOCATIONS: &[Column] = &[
    col("code", Text, true, "location code"),
    col("name", Text, true, "location name"),
    col("kind", Text, true, "site, zone or bin"),
    col(
        "parent",
        Text,
        false,
        "the enclosing location's code (zones and bins)",
    ),
    col("gln", Text, false, "GLN, 13 digits"),
    col(
        "gln_extension",
        Text,
        false,
        "GLN extension of a zone or bin",
    ),
    col("address", Text, false, "postal address"),
    col("active", Bool, false, "true (default) or false"),
];

const PARTIES: &[Column] = &[
    col("code", Text, true, "party code"),
    col("name", Text, true, "party name"),
    col(
        "roles",
        List,
        true,
        "comma-separated: supplier, customer, carrier",
    ),
    col("gln", Text, false, "party GLN (PGLN), 13 digits"),
    col(
        "location_gln",
        Text,
        false,
        "GLN of its ship-to/ship-from location",
    ),
    col("address", Text, false, "postal address"),
    col("active", Bool, false, "true (default) or false"),
];

const RECEIPTS: &[Column] = &[
    col("product", Text, true, "product code"),
    col(
        "lot",
        Text,
        false,
        "our lot number; empty: the supplier lot or the template's",
    ),
    col("supplier_lot", Text, false, "the supplier's lot number"),
    col("supplier", Text, true, "supplier party code"),
    col("location", Text, true, "receiving location code"),
    col("quantity", Quantity, true, "quantity in the product's unit"),
    col("uom", Text, false, "unit; must be the product's"),
    col("expiry", Date, false, "YYYY-MM-DD"),
    col("best_before", Date, false, "YYYY-MM-DD"),
    col("harvest_date", Date, false, "YYYY-MM-DD"),
    col("production_date", Date, false, "YYYY-MM-DD"),
    col(
        "country_of_origin",
        Text,
        false,
        "ISO 3166-1 alpha-2, e.g. US",
    ),
    col("purchase_order", Text, false, "purchase order number"),
    col("despatch_advice", Text, false, "despatch advice number"),
    col("time", Time, false, "RFC 3339 with offset; empty: now"),
];

const PRODUCTIONS: &[Column] = &[
    col("product", Text, true, "product code of the output"),
    col(
        "lot",
        Text,
        false,
        "output lot number; empty: from the product's template",
    ),
    col("quantity", Quantity, true, "output quantity"),
    col("uom", Text, false, "unit; must be the product's"),
    col("location", Text, true, "where it is made"),
    col(
        "line",
        Text,
        false,
        "production line, for {line} in lot numbers",
    ),
    col(
        "inputs",
        Lines,
        false,
        "PRODUCT:LOT:QUANTITY[@LOCATION]; ... consumed",
    ),
    col("production_order", Text, false, "production order number"),
    col("time", Time, false, "RFC 3339 with offset; empty: now"),
];

const SHIPMENTS: &[Column] = &[
    col("customer", Text, true, "customer party code"),
    col("location", Text, true, "location shipped from"),
    col(
        "lots",
        Lines,
        false,
        "PRODUCT:LOT:QUANTITY[@LOCATION]; ... shipped",
    ),
    col("containers", List, false, "comma-separated SSCCs shipped"),
    col("purchase_order", Text, false, "the customer's order number"),
    col("invoice", Text, false, "invoice number"),
    col("despatch_advice", Text, false, "despatch advice number"),
    col("time", Time, false, "RFC 3339 with offset; empty: now"),
];

/// Fields of the JSON bodies a spreadsheet cell cannot carry (a list of objects).
const NOT_IN_SHEETS: &[&str] = &["overrides", "measurements"];

/// Fields that may appear in any kind and are typed by their name alone.
const BY_NAME: &[Column] = &[
    col("cooling_date", Date, false, "YYYY-MM-DD"),
    col("started", Time, false, "RFC 3339 with offset"),
];

fn hints(kind: Kind) -> &'static [Column] {
    match kind {
        Kind::Products => PRODUCTS,
        Kind::Locations => LOCATIONS,
        Kind::Parties => PARTIES,
        Kind::Receipts => RECEIPTS,
        Kind::Productions => PRODUCTIONS,
        Kind::Shipments => SHIPMENTS,
    }
}

/// The field names of a struct as its `Deserialize` declares them, in declaration order:
/// the columns follow the record and operation types of `lotrace_core` as they change.
fn fields_of<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{Error, Visitor, value};
    struct Probe<'a>(&'a mut &'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for Probe<'_> {
        type Error = value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, value::Error> {
            Err(value::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, value::Error> {
            *self.0 = fields;
            Err(value::Error::custom("fields read"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

fn build(kind: Kind) -> Vec<Column> {
    use lotrace_core::{master, ops};
    let fields = match kind {
        Kind::Products => fields_of::<master::Product>(),
        Kind::Locations => fields_of::<master::Location>(),
        Kind::Parties => fields_of::<master::Party>(),
        Kind::Receipts => fields_of::<ops::Receive>(),
        Kind::Productions => fields_of::<ops::Produce>(),
        Kind::Shipments => fields_of::<ops::Ship>(),
    };
    fields
        .iter()
        .filter(|f| !NOT_IN_SHEETS.contains(f))
        .map(|f| {
            hints(kind)
                .iter()
                .chain(BY_NAME)
                .find(|c| c.name == *f)
                .copied()
                .unwrap_or(col(f, Text, false, ""))
        })
        .collect()
}

pub(crate) fn of(kind: Kind) -> &'static [Column] {
    static COLUMNS: [std::sync::OnceLock<Vec<Column>>; 6] =
        [const { std::sync::OnceLock::new() }; 6];
    let i = Kind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_default();
    COLUMNS[i].get_or_init(|| build(kind))
}

/// A header as written (`Supplier lot`, `supplier-lot`) to the field name (`supplier_lot`).
pub(crate) fn normalise(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase()
        .replace([' ', '-'], "_")
}

/// The example rows of each template, by column. They make one small chain: import the
/// templates in `Kind::ALL` order into an empty store and every row is accepted.
pub(crate) fn examples(kind: Kind) -> &'static [&'static [(&'static str, &'static str)]] {
    match kind {
        Kind::Products => &[
            &[
                ("code", "LETTUCE"),
                ("name", "Romaine lettuce"),
                ("gtin", "04012345111118"),
                ("uom", "KGM"),
                ("lot_tracked", "true"),
                ("serialised", "false"),
                ("shelf_life_days", "10"),
                ("shelf_life_date", "expiry"),
                ("required_at_receipt", "supplier_lot,expiry"),
                ("food_traceability_list", "true"),
                ("pick_rule", "FEFO"),
                ("active", "true"),
            ],
            &[
                ("code", "SALAD"),
                ("name", "Garden salad 250 g"),
                ("gtin", "04012345222227"),
                ("uom", "KGM"),
                ("lot_tracked", "true"),
                ("serialised", "false"),
                ("shelf_life_days", "5"),
                ("shelf_life_date", "best_before"),
                ("lot_template", "S{yy}{mm}{dd}-{seq:03}"),
                ("food_traceability_list", "false"),
                ("pick_rule", "FIFO"),
                ("active", "true"),
            ],
        ],
        Kind::Locations => &[
            &[
                ("code", "PLANT"),
                ("name", "Salad plant"),
                ("kind", "site"),
                ("gln", "4012345000016"),
                ("address", "1 Market Road, Springfield"),
                ("active", "true"),
            ],
            &[
                ("code", "COLD"),
                ("name", "Cold room"),
                ("kind", "zone"),
                ("parent", "PLANT"),
                ("gln", "4012345000016"),
                ("gln_extension", "COLD"),
                ("active", "true"),
            ],
        ],
        Kind::Parties => &[
            &[
                ("code", "FARM"),
                ("name", "Green Valley Farm"),
                ("roles", "supplier"),
                ("gln", "4012345000023"),
                ("location_gln", "4012345000030"),
                ("address", "Route 9, Salinas"),
                ("active", "true"),
            ],
            &[
                ("code", "SHOP"),
                ("name", "Corner Shop"),
                ("roles", "customer"),
                ("gln", "4012345000047"),
                ("address", "5 High Street"),
                ("active", "true"),
            ],
        ],
        Kind::Receipts => &[&[
            ("product", "LETTUCE"),
            ("lot", "L-0001"),
            ("supplier_lot", "FARM-778"),
            ("supplier", "FARM"),
            ("location", "COLD"),
            ("quantity", "100"),
            ("uom", "KGM"),
            ("expiry", "2030-12-31"),
            ("harvest_date", "2026-11-28"),
            ("country_of_origin", "US"),
            ("purchase_order", "PO-1001"),
            ("despatch_advice", "DA-55"),
        ]],
        Kind::Productions => &[&[
            ("product", "SALAD"),
            ("lot", "S261130-001"),
            ("quantity", "40"),
            ("uom", "KGM"),
            ("location", "PLANT"),
            ("line", "L3"),
            ("inputs", "LETTUCE:L-0001:45@COLD"),
            ("production_order", "WO-77"),
        ]],
        Kind::Shipments => &[&[
            ("customer", "SHOP"),
            ("location", "PLANT"),
            ("lots", "SALAD:S261130-001:40"),
            ("purchase_order", "SO-5001"),
            ("invoice", "INV-9001"),
        ]],
    }
}

/// The example rows as one cell per column (empty where the example says nothing).
pub fn example_rows(kind: Kind) -> Vec<Vec<&'static str>> {
    examples(kind)
        .iter()
        .map(|row| {
            of(kind)
                .iter()
                .map(|c| {
                    row.iter()
                        .find(|(name, _)| *name == c.name)
                        .map(|(_, v)| *v)
                        .unwrap_or("")
                })
                .collect()
        })
        .collect()
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_follow_the_core_types_and_examples_name_only_columns() {
        let receipts: Vec<&str> = of(Kind::Receipts).iter().map(|c| c.name).collect();
        assert_eq!(receipts[..3], ["product", "lot", "supplier_lot"]);
        assert!(receipts.contains(&"time"));
        let productions: Vec<&str> = of(Kind::Productions).iter().map(|c| c.name).collect();
        assert!(productions.contains(&"inputs") && !productions.contains(&"overrides"));
        for kind in Kind::ALL {
            for c in hints(kind) {
                assert!(
                    of(kind).iter().any(|k| k.name == c.name),
                    "{kind}: {}",
                    c.name
                );
            }
            for row in examples(kind) {
                for (name, _) in *row {
                    assert!(of(kind).iter().any(|c| c.name == *name), "{kind}: {name}");
                }
            }
        }
    }

    #[test]
    fn headers_are_normalised() {
        assert_eq!(normalise(" Supplier lot "), "supplier_lot");
        assert_eq!(normalise("\u{feff}Code"), "code");
        assert_eq!(normalise("gln-extension"), "gln_extension");
    }
}
