//! Grids to rows: the header row names the columns, every other row becomes the JSON body
//! of one master record or operation. Every cell of every row is checked; the errors of
//! all rows are reported together.

use serde_json::{Map, Value, json};

use crate::columns::{ColType, Column, normalise};
use crate::read::{Cell, Format, Grid, read_grids};
use crate::{Kind, Limits, Rejected, RowError, cell_ref};

/// One data row: its number as the spreadsheet shows it and the body it makes.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub number: u32,
    /// A JSON object with a member per filled cell, typed as the API takes it.
    pub body: Value,
}

/// One sheet of one kind, read and checked cell by cell.
#[derive(Clone, Debug)]
pub struct Sheet {
    /// The worksheet's name (XLSX); None for CSV.
    pub name: Option<String>,
    pub kind: Kind,
    /// The header row as written.
    pub headers: Vec<String>,
    /// The field name of each header (normalised), in the same order.
    pub fields: Vec<String>,
    pub rows: Vec<Row>,
}

impl Sheet {
    /// The index of the column whose field is `field`.
    pub fn column_index(&self, field: &str) -> Option<usize> {
        self.fields.iter().position(|f| f == field)
    }
}

/// Reads a CSV or XLSX file into sheets of rows. `kind` None: each sheet's kind comes from
/// its name (XLSX) or else from its header row. `kind` given: a CSV is of that kind; of a
/// workbook, the sheets named after the kind are read, or else its first sheet with data.
pub fn read(
    bytes: &[u8],
    format: Format,
    kind: Option<Kind>,
    limits: &Limits,
) -> Result<Vec<Sheet>, Rejected> {
    let grids: Vec<Grid> = read_grids(bytes, format, limits)?
        .into_iter()
        .filter(|g| !g.rows.is_empty())
        .collect();
    if grids.is_empty() {
        return Err(Rejected::one(RowError::file(
            "the file has no rows; it needs a header row and at least one data row",
        )));
    }
    let chosen: Vec<(Grid, Option<Kind>)> = match kind {
        Some(k) => {
            let named: Vec<Grid> = grids
                .iter()
                .filter(|g| g.name.as_deref().and_then(Kind::parse) == Some(k))
                .cloned()
                .collect();
            let picked = if named.is_empty() {
                grids.into_iter().take(1).collect()
            } else {
                named
            };
            picked.into_iter().map(|g| (g, Some(k))).collect()
        }
        None => grids
            .into_iter()
            .map(|g| {
                let k = g.name.as_deref().and_then(Kind::parse);
                (g, k)
            })
            .collect(),
    };
    let mut errors = Vec::new();
    let mut sheets = Vec::new();
    for (grid, kind) in chosen {
        match sheet(grid, kind) {
            Ok(s) => sheets.push(s),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(sheets)
    } else {
        Err(Rejected::capped(errors))
    }
}

fn header_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) | Cell::Number(t) | Cell::Date(t) | Cell::DateTime(t) | Cell::Error(t) => {
            t.trim().to_owned()
        }
        Cell::Bool(b) => b.to_string(),
        Cell::Empty => String::new(),
    }
}

fn sheet(grid: Grid, kind: Option<Kind>) -> Result<Sheet, Vec<RowError>> {
    let name = grid.name.clone();
    let mut rows = grid.rows.into_iter();
    let (header_row, header_cells) = rows.next().expect("grids without rows were dropped");
    let headers: Vec<String> = header_cells.iter().map(header_text).collect();
    let fields: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
    let err = |row: u32, column: Option<usize>, message: String| RowError {
        sheet: name.clone(),
        row: Some(row),
        column: column.map(|c| headers[c].clone()),
        cell: column.map(|c| cell_ref(c, row)),
        message,
    };
    let Some(kind) = kind.or_else(|| Kind::infer(&headers)) else {
        return Err(vec![err(
            header_row,
            None,
            format!(
                "cannot tell what this sheet holds: name the sheet or give the kind ({}), and use the template's header row",
                Kind::ALL.map(Kind::as_str).join(", ")
            ),
        )]);
    };
    let columns = kind.columns();
    let mut errors = Vec::new();
    let mut known: Vec<Option<&'static Column>> = Vec::with_capacity(fields.len());
    for (i, field) in fields.iter().enumerate() {
        if field.is_empty() {
            known.push(None);
            continue;
        }
        if fields[..i].contains(field) {
            errors.push(err(header_row, Some(i), "the column appears twice".into()));
            known.push(None);
            continue;
        }
        match columns.iter().find(|c| c.name == field) {
            Some(c) => known.push(Some(c)),
            None => {
                errors.push(err(
                    header_row,
                    Some(i),
                    format!(
                        "unknown column for {kind}; the columns are {}",
                        columns
                            .iter()
                            .map(|c| c.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                known.push(None);
            }
        }
    }
    for c in columns.iter().filter(|c| c.required) {
        if !fields.iter().any(|f| f == c.name) {
            errors.push(err(
                header_row,
                None,
                format!("the required column {:?} is missing", c.name),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for (number, cells) in rows {
        let mut body = Map::new();
        let mut bad = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let Some(Some(column)) = known.get(i) else {
                errors.push(err(
                    number,
                    None,
                    format!(
                        "cell {} has a value but its column has no header",
                        cell_ref(i, number)
                    ),
                ));
                continue;
            };
            match value(column, cell) {
                Ok(v) => {
                    body.insert(column.name.to_owned(), v);
                }
                Err(message) => {
                    bad.push(i);
                    errors.push(err(number, Some(i), message));
                }
            }
        }
        for (i, c) in known.iter().enumerate() {
            if let Some(c) = c
                && c.required
                && !bad.contains(&i)
                && !body.contains_key(c.name)
            {
                errors.push(err(number, Some(i), "required; the cell is empty".into()));
            }
        }
        out.push(Row {
            number,
            body: Value::Object(body),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if out.is_empty() {
        return Err(vec![err(
            header_row,
            None,
            "the sheet has a header row but no data rows".into(),
        )]);
    }
    Ok(Sheet {
        name,
        kind,
        headers,
        fields,
        rows: out,
    })
}

/// A cell's value for its column, or what is wrong with it.
fn value(column: &Column, cell: &Cell) -> Result<Value, String> {
    let text = match cell {
        Cell::Error(e) => return Err(format!("the cell holds the spreadsheet error {e}")),
        Cell::Bool(b) => {
            return match column.ty {
                ColType::Bool => Ok(json!(b)),
                _ => Err(format!("{b} is a true/false cell; {}", column.help)),
            };
        }
        Cell::DateTime(t) => {
            return match column.ty {
                ColType::Time => Err(format!(
                    "the date-time cell {t} has no UTC offset; type the time as text with its offset, e.g. 2026-03-12T08:00:00+01:00"
                )),
                ColType::Date => Err(format!(
                    "the cell {t} has a time of day; a date is YYYY-MM-DD"
                )),
                _ => Ok(json!(t)),
            };
        }
        Cell::Date(t) => {
            if column.ty == ColType::Time {
                return Err(format!(
                    "the date cell {t} has no time and no UTC offset; type the time as text, e.g. 2026-03-12T08:00:00+01:00"
                ));
            }
            t.as_str()
        }
        Cell::Text(t) | Cell::Number(t) => t.trim(),
        Cell::Empty => "",
    };
    Ok(match column.ty {
        ColType::Text | ColType::Date | ColType::Time | ColType::Quantity => json!(text),
        ColType::Whole => {
            let n: u64 = text
                .parse()
                .map_err(|_| format!("{text:?} is not a whole number"))?;
            json!(n)
        }
        ColType::Bool => match text.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => json!(true),
            "false" | "no" | "n" | "0" => json!(false),
            _ => return Err(format!("{text:?}: use true or false")),
        },
        ColType::List => Value::Array(
            text.split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(|w| json!(w))
                .collect(),
        ),
        ColType::Lines => {
            let mut lines = Vec::new();
            for line in text
                .split([';', '\n'])
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                lines.push(lotrace_core::ops::LotLine::json_from_text(line)?);
            }
            Value::Array(lines)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str, kind: Option<Kind>) -> Result<Vec<Sheet>, Rejected> {
        read(text.as_bytes(), Format::Csv, kind, &Limits::default())
    }

    #[test]
    fn cells_become_the_api_body() {
        let sheets = csv(
            "Code,Name,uom,shelf_life_days,lot_tracked,required_at_receipt\n\
             007,Seven,KGM,12,no,\"supplier_lot, expiry\"\n",
            None,
        )
        .unwrap();
        assert_eq!(sheets[0].kind, Kind::Products);
        assert_eq!(
            sheets[0].rows[0],
            Row {
                number: 2,
                body: json!({
                    "code": "007", "name": "Seven", "uom": "KGM", "shelf_life_days": 12,
                    "lot_tracked": false, "required_at_receipt": ["supplier_lot", "expiry"],
                })
            }
        );
        let sheets = csv(
            "customer,location,lots\nSHOP,DC,\"A:L:1;B:x:y:2.5@COLD\"\n",
            Some(Kind::Shipments),
        )
        .unwrap();
        assert_eq!(
            sheets[0].rows[0].body["lots"],
            json!([
                { "product": "A", "lot": "L", "quantity": "1" },
                { "product": "B", "lot": "x:y", "quantity": "2.5", "location": "COLD" },
            ])
        );
    }

    #[test]
    fn every_bad_cell_is_reported_by_row_and_column() {
        let e = csv(
            "code,name,uom,shelf_life_days,active,colour\n\
             A,,KGM,ten,maybe,red\n",
            Some(Kind::Products),
        )
        .unwrap_err();
        assert_eq!(
            e.errors.len(),
            1,
            "a bad header stops before the rows: {e:?}"
        );
        assert_eq!(e.errors[0].column.as_deref(), Some("colour"));
        assert_eq!(e.errors[0].row, Some(1));
        let e = csv(
            "code,name,uom,shelf_life_days,active\n\
             A,,KGM,ten,maybe\n\
             B,Bee,KGM,3,yes\n\
             ,Cee,KGM,,\n",
            Some(Kind::Products),
        )
        .unwrap_err();
        let got: Vec<(u32, &str, &str)> = e
            .errors
            .iter()
            .map(|e| {
                (
                    e.row.unwrap(),
                    e.column.as_deref().unwrap(),
                    e.cell.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (2, "shelf_life_days", "D2"),
                (2, "active", "E2"),
                (2, "name", "B2"),
                (4, "code", "A4"),
            ]
        );
        assert!(
            e.errors[0]
                .message
                .contains("\"ten\" is not a whole number")
        );
        assert!(
            e.to_string()
                .contains("row 2, column \"shelf_life_days\" (D2)")
        );
    }

    #[test]
    fn headers_are_checked() {
        let e = csv("code,name\nA,B\n", None).unwrap_err();
        assert!(e.errors[0].message.contains("cannot tell"), "{e}");
        let e = csv("product,quantity,quantity\nA,1,2\n", Some(Kind::Receipts)).unwrap_err();
        let messages: Vec<&str> = e.errors.iter().map(|e| e.message.as_str()).collect();
        assert!(
            messages.contains(&"the column appears twice"),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("required column \"supplier\"")),
            "{messages:?}"
        );
        let e = csv("product,supplier,location,quantity\n", Some(Kind::Receipts)).unwrap_err();
        assert!(e.errors[0].message.contains("no data rows"), "{e}");
        let e = csv("", None).unwrap_err();
        assert!(e.errors[0].message.contains("no rows"), "{e}");
    }
}
