//! Labels: the fields of a trade item or logistic label, checked as GS1 data, laid out in
//! millimetres as text, rules and symbols that every renderer draws the same way.

use lotrace_gs1::element_string::{GS, to_element_string};
use lotrace_gs1::{Element, Gs1Data, Options, ParseError, parse_with};

use crate::error::{LabelError, Result};
use crate::symbol::{Carrier, Symbol, SymbolKind};
use crate::text;

/// The smallest and largest label edge, in millimetres.
pub const MIN_LABEL_MM: f64 = 20.0;
pub const MAX_LABEL_MM: f64 = 400.0;
/// The longest product name printed (characters).
pub const MAX_NAME_CHARS: usize = 100;
/// The longest free-text quantity on a trade item label (characters).
pub const MAX_QUANTITY_CHARS: usize = 20;

/// What goes on a label. A label with an SSCC is a pallet (logistic unit) label in the
/// GS1 logistic label layout; otherwise it is a trade item label, which needs a GTIN.
///
/// Dates are `YYMMDD` (day `00` for "end of month" where the AI allows it) or
/// `YYYY-MM-DD`. The GTIN may have 8, 12, 13 or 14 digits.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelSpec {
    /// Product name (free text, printed at the top).
    pub name: Option<String>,
    /// GTIN: (01) on a trade item label, (02) CONTENT on a logistic label.
    pub gtin: Option<String>,
    /// Batch/lot (10).
    pub lot: Option<String>,
    /// Serial number (21), trade item labels only.
    pub serial: Option<String>,
    /// Use by or expiry date (17).
    pub expiry: Option<String>,
    /// Best before date (15).
    pub best_before: Option<String>,
    /// On a trade item label: printed text only (e.g. `12 x 500 g`). On a logistic label:
    /// the count of trade items (37), digits.
    pub quantity: Option<String>,
    /// SSCC (00): makes this a logistic label.
    pub sscc: Option<String>,
    /// The symbol of a trade item label. On a logistic label the GS1-128 symbols are
    /// always there; a 2D kind here adds a Data Matrix or QR Code with all the data.
    pub symbol: SymbolKind,
    /// What 2D symbols carry.
    pub carrier: Carrier,
    /// Label size in millimetres; the default is 100 × 60 for a trade item label and
    /// 105 × 148 (A6) for a logistic label.
    pub size_mm: Option<(f64, f64)>,
}

impl Default for LabelSpec {
    fn default() -> LabelSpec {
        LabelSpec {
            name: None,
            gtin: None,
            lot: None,
            serial: None,
            expiry: None,
            best_before: None,
            quantity: None,
            sscc: None,
            symbol: SymbolKind::DataMatrix,
            carrier: Carrier::ElementString,
            size_mm: None,
        }
    }
}

/// Where a symbol sits on a label, in millimetres from the top left corner: the top left
/// corner of its first module (its quiet zone lies around that), the module size
/// (X-dimension) and, for a linear symbol, the bar height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// Index into [`Label::symbols`].
    pub symbol: usize,
    pub x: f64,
    pub y: f64,
    pub module: f64,
    pub bar_height: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
}

/// One line of text; `y` is the baseline, `size` the font size (em), both in mm.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TextItem {
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub bold: bool,
    pub align: Align,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Item {
    Text(TextItem),
    /// A filled black rectangle (a rule).
    Rule {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
    },
    Symbol(Placement),
}

/// A label laid out and ready to render.
#[derive(Clone, Debug)]
pub struct Label {
    width: f64,
    height: f64,
    data: Gs1Data,
    symbols: Vec<Symbol>,
    pub(crate) items: Vec<Item>,
}

impl Label {
    /// Checks the fields as GS1 data (formats, check digits, dates and the association
    /// rules, over all the data on the label), encodes the symbols and lays them out.
    pub fn new(spec: &LabelSpec) -> Result<Label> {
        let fields = Fields::read(spec)?;
        let logistic = fields.sscc.is_some();
        let (width, height) = spec.size_mm.unwrap_or(if logistic {
            (105.0, 148.0)
        } else {
            (100.0, 60.0)
        });
        for (what, value) in [("label width (mm)", width), ("label height (mm)", height)] {
            if !(MIN_LABEL_MM..=MAX_LABEL_MM).contains(&value) || value.is_nan() {
                return Err(LabelError::OutOfRange {
                    what,
                    value,
                    min: MIN_LABEL_MM,
                    max: MAX_LABEL_MM,
                });
            }
        }
        let all = fields.elements(logistic);
        let data = gs1_data(&all, &Options::default())?;
        let mut page = Page {
            w: width,
            h: height,
            items: Vec::new(),
            symbols: Vec::new(),
        };
        if logistic {
            page.logistic(spec, &fields, &data)?;
        } else {
            page.trade_item(spec, &fields, &data)?;
        }
        Ok(Label {
            width,
            height,
            data,
            symbols: page.symbols,
            items: page.items,
        })
    }

    pub fn width_mm(&self) -> f64 {
        self.width
    }

    pub fn height_mm(&self) -> f64 {
        self.height
    }

    /// All the GS1 data on the label, in the order of its symbols' data.
    pub fn data(&self) -> &Gs1Data {
        &self.data
    }

    pub fn symbols(&self) -> &[Symbol] {
        &self.symbols
    }

    /// Where each symbol is, in the order of [`Label::symbols`].
    pub fn placements(&self) -> Vec<Placement> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Symbol(p) => Some(*p),
                _ => None,
            })
            .collect()
    }

    /// Every line of text on the label, top to bottom.
    pub fn texts(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Text(t) => Some(t.text.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// The label fields, checked one by one (so an error names the field) and in GS1 form.
struct Fields {
    name: Option<String>,
    gtin: Option<String>,
    lot: Option<String>,
    serial: Option<String>,
    expiry: Option<String>,
    best_before: Option<String>,
    quantity: Option<String>,
    sscc: Option<String>,
}

impl Fields {
    fn read(spec: &LabelSpec) -> Result<Fields> {
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let name = clean(&spec.name);
        if let Some(n) = &name
            && n.chars().count() > MAX_NAME_CHARS
        {
            return Err(field(
                "name",
                format!("at most {MAX_NAME_CHARS} characters"),
            ));
        }
        let sscc = clean(&spec.sscc);
        let logistic = sscc.is_some();
        let gtin = match clean(&spec.gtin) {
            Some(g) => {
                if !matches!(g.len(), 8 | 12 | 13 | 14) || !g.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(field(
                        "gtin",
                        format!("{g:?}: a GTIN has 8, 12, 13 or 14 digits"),
                    ));
                }
                let g = format!("{g:0>14}");
                check("gtin", if logistic { "02" } else { "01" }, &g)?;
                Some(g)
            }
            None => None,
        };
        if gtin.is_none() && !logistic {
            return Err(field(
                "gtin",
                "a trade item label needs a GTIN (or give an SSCC for a pallet label)",
            ));
        }
        let lot = clean(&spec.lot);
        if let Some(l) = &lot {
            check("lot", "10", l)?;
        }
        let serial = clean(&spec.serial);
        if let Some(s) = &serial {
            if logistic {
                return Err(field(
                    "serial",
                    "a logistic label has no serial number (21); the SSCC identifies the unit",
                ));
            }
            check("serial", "21", s)?;
        }
        let expiry = clean(&spec.expiry)
            .map(|d| yymmdd("expiry", &d))
            .transpose()?;
        if let Some(d) = &expiry {
            check("expiry", "17", d)?;
        }
        let best_before = clean(&spec.best_before)
            .map(|d| yymmdd("best_before", &d))
            .transpose()?;
        if let Some(d) = &best_before {
            check("best_before", "15", d)?;
        }
        let quantity = clean(&spec.quantity);
        if let Some(q) = &quantity {
            if logistic {
                check("quantity", "37", q)?;
            } else if q.chars().count() > MAX_QUANTITY_CHARS {
                return Err(field(
                    "quantity",
                    format!("at most {MAX_QUANTITY_CHARS} characters"),
                ));
            }
        }
        if let Some(s) = &sscc {
            check("sscc", "00", s)?;
        }
        Ok(Fields {
            name,
            gtin,
            lot,
            serial,
            expiry,
            best_before,
            quantity,
            sscc,
        })
    }

    /// The trade item's data (fixed-length AIs first), or a logistic unit's content data
    /// (CONTENT and COUNT first: they make the first GS1-128 symbol of a logistic label).
    fn item_elements(&self, logistic: bool) -> Vec<Element> {
        let mut out = Vec::new();
        if let Some(g) = &self.gtin {
            out.push(Element::new(if logistic { "02" } else { "01" }, g.clone()));
        }
        if logistic && let Some(q) = &self.quantity {
            out.push(Element::new("37", q.clone()));
        }
        if let Some(d) = &self.expiry {
            out.push(Element::new("17", d.clone()));
        }
        if let Some(d) = &self.best_before {
            out.push(Element::new("15", d.clone()));
        }
        if let Some(l) = &self.lot {
            out.push(Element::new("10", l.clone()));
        }
        if let Some(s) = &self.serial {
            out.push(Element::new("21", s.clone()));
        }
        out
    }

    fn elements(&self, logistic: bool) -> Vec<Element> {
        let mut out = Vec::new();
        if let Some(s) = &self.sscc {
            out.push(Element::new("00", s.clone()));
        }
        out.extend(self.item_elements(logistic));
        out
    }

    /// The text rows: title and value.
    fn rows(&self, logistic: bool) -> Vec<(&'static str, String)> {
        let mut rows = Vec::new();
        if let Some(g) = &self.gtin {
            rows.push((if logistic { "CONTENT" } else { "GTIN" }, g.clone()));
        }
        if let Some(q) = &self.quantity {
            rows.push((if logistic { "COUNT" } else { "QUANTITY" }, q.clone()));
        }
        if let Some(l) = &self.lot {
            rows.push(("BATCH/LOT", l.clone()));
        }
        if let Some(s) = &self.serial {
            rows.push(("SERIAL", s.clone()));
        }
        if let Some(d) = &self.expiry {
            rows.push(("USE BY", date_text(d)));
        }
        if let Some(d) = &self.best_before {
            rows.push(("BEST BEFORE", date_text(d)));
        }
        rows
    }
}

fn field(name: &'static str, message: impl Into<String>) -> LabelError {
    LabelError::Field {
        field: name,
        message: message.into(),
    }
}

/// Checks one value against its AI's format.
fn check(name: &'static str, ai: &str, value: &str) -> Result<()> {
    Element::new(ai, value)
        .validate()
        .map_err(|e| LabelError::Gs1 {
            field: name,
            error: ParseError::from(e),
        })
}

/// The label field an AI comes from.
fn field_of(ai: Option<&str>) -> &'static str {
    match ai {
        Some("00") => "sscc",
        Some("01" | "02") => "gtin",
        Some("10") => "lot",
        Some("15") => "best_before",
        Some("17") => "expiry",
        Some("21") => "serial",
        Some("37") => "quantity",
        _ => "data",
    }
}

/// GS1 data for these elements, parsed back from their element string with `options`.
fn gs1_data(elements: &[Element], options: &Options) -> Result<Gs1Data> {
    let es = format!("{GS}{}", to_element_string(elements, &GS.to_string()));
    parse_with(&es, options).map_err(|error| LabelError::Gs1 {
        field: field_of(error.ai.as_deref()),
        error,
    })
}

/// `YYMMDD` as given, or `YYYY-MM-DD` (years 2000 to 2099) turned into it.
fn yymmdd(name: &'static str, text: &str) -> Result<String> {
    let b = text.as_bytes();
    if b.len() == 6 && b.iter().all(u8::is_ascii_digit) {
        return Ok(text.to_owned());
    }
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && text.starts_with("20")
    {
        return Ok(format!("{}{}{}", &text[2..4], &text[5..7], &text[8..10]));
    }
    Err(field(
        name,
        format!("{text:?}: give the date as YYMMDD or YYYY-MM-DD (years 2000 to 2099)"),
    ))
}

/// `251231` as `2025-12-31`; `251200` (end of month) as `2025-12`.
fn date_text(d: &str) -> String {
    if d.len() != 6 {
        return d.to_owned();
    }
    if &d[4..] == "00" {
        format!("20{}-{}", &d[..2], &d[2..4])
    } else {
        format!("20{}-{}-{}", &d[..2], &d[2..4], &d[4..])
    }
}

/// The X-dimension bounds (mm) this crate uses for each kind of symbol, and what it aims
/// for at most on a trade item label.
fn x_bounds(kind: SymbolKind, logistic: bool) -> (f64, f64) {
    match (kind, logistic) {
        (SymbolKind::Gs1_128, true) => (0.25, 0.94),
        (SymbolKind::Gs1_128, false) => (0.25, 0.495),
        (SymbolKind::Ean13, _) => (0.264, 0.33),
        (SymbolKind::DataMatrix, _) => (0.255, 0.99),
        (SymbolKind::Qr, _) => (0.3, 0.99),
    }
}

/// The X-dimension a logistic label aims for at least, before it splits the data over
/// more GS1-128 symbols. (GS1's table for logistic labels says 0.495 mm; on an A6 label
/// that leaves room for about 15 Code 128 characters a symbol, so this is a little less,
/// which keeps CONTENT and COUNT in one symbol and the dates and lot in another.)
const LOGISTIC_X_TARGET: f64 = 0.45;
/// The bar height of GS1-128 symbols on logistic labels (GS1 General Specifications:
/// 31.75 mm), and the least this crate shortens them to on a crowded label.
const LOGISTIC_BAR_HEIGHT: f64 = 31.75;
const LOGISTIC_MIN_BAR_HEIGHT: f64 = 15.0;
/// Bar height of GS1-128 on a trade item label, and the least it is shortened to.
const TRADE_BAR_HEIGHT: f64 = 13.0;
const TRADE_MIN_BAR_HEIGHT: f64 = 10.0;

struct Page {
    w: f64,
    h: f64,
    items: Vec<Item>,
    symbols: Vec<Symbol>,
}

impl Page {
    fn text(&mut self, x: f64, y: f64, size: f64, bold: bool, align: Align, text: String) {
        if !text.is_empty() {
            self.items.push(Item::Text(TextItem {
                x,
                y,
                size,
                bold,
                align,
                text,
            }));
        }
    }

    fn place(&mut self, symbol: Symbol, x: f64, y: f64, module: f64, bar_height: f64) {
        let index = self.symbols.len();
        self.symbols.push(symbol);
        self.items.push(Item::Symbol(Placement {
            symbol: index,
            x,
            y,
            module,
            bar_height,
        }));
    }

    /// The product name at the top, fitted to `room`; returns the y below it.
    fn title(&mut self, name: Option<&str>, x: f64, y: f64, room: f64, max: f64) -> f64 {
        let Some(name) = name else {
            return y;
        };
        let (t, size) = text::fit(name, room, max, max * 0.5, true);
        self.text(x, y + size * 0.75, size, true, Align::Left, t);
        y + size * 1.05 + 1.5
    }

    /// Rows of title and value from `y` down within `room` × `height`; shrinks them to
    /// fit. Returns the y below them.
    fn rows(
        &mut self,
        rows: &[(&'static str, String)],
        x: f64,
        y: f64,
        room: f64,
        height: f64,
    ) -> Result<f64> {
        if rows.is_empty() {
            return Ok(y);
        }
        let natural = rows.len() as f64 * 5.0;
        let scale = (height / natural).min(1.0);
        if scale < 0.55 {
            return Err(LabelError::DoesNotFit(format!(
                "{} lines of text need about {:.0} mm of height; {:.0} mm are left (use a taller label)",
                rows.len(),
                natural * 0.55,
                height
            )));
        }
        let (title_size, value_size, row_h) = (2.3 * scale, 3.4 * scale, 5.0 * scale);
        let title_w = rows
            .iter()
            .map(|(t, _)| text::width(t, title_size, true))
            .fold(0.0, f64::max)
            + 1.5;
        let mut y = y;
        for (title, value) in rows {
            let baseline = y + row_h * 0.72;
            self.text(
                x,
                baseline,
                title_size,
                true,
                Align::Left,
                (*title).to_owned(),
            );
            let (v, size) = text::fit(value, room - title_w, value_size, value_size * 0.6, false);
            self.text(x + title_w, baseline, size, false, Align::Left, v);
            y += row_h;
        }
        Ok(y)
    }

    /// HRI lines centred on `cx` from `top` down, each fitted to `room`; returns the y
    /// below them.
    fn hri(&mut self, lines: &[String], cx: f64, top: f64, room: f64, size: f64) -> f64 {
        let mut y = top;
        for line in lines {
            let (t, s) = text::fit(line, room, size, size * 0.6, false);
            y += s * 1.2;
            self.text(cx, y - s * 0.2, s, false, Align::Center, t);
        }
        y
    }

    fn trade_item(&mut self, spec: &LabelSpec, fields: &Fields, data: &Gs1Data) -> Result<()> {
        let m = 3.0;
        let top = self.title(fields.name.as_deref(), m, m, self.w - 2.0 * m, 5.0);
        let rows = fields.rows(false);
        let kind = spec.symbol;
        if kind.is_linear() {
            let symbol = if kind == SymbolKind::Ean13 {
                let gtin_only = gs1_data(&fields.item_elements(false)[..1], &Options::default())?;
                Symbol::encode(kind, &gtin_only)?
            } else {
                Symbol::encode(kind, data)?
            };
            let (ql, qr, _) = symbol.quiet_zone();
            let cols = (symbol.width() + ql + qr) as f64;
            let (x_min, x_max) = x_bounds(kind, false);
            let x = ((self.w - 2.0 * m) / cols).min(x_max);
            if x < x_min {
                return Err(too_narrow(kind, x, x_min, self.w));
            }
            let sym_w = symbol.width() as f64 * x;
            let hri_line = symbol.hri().join("  ");
            let hri_room = (self.w - 2.0 * m).min(sym_w + (ql + qr) as f64 * x);
            let hri_lines = wrap_hri(&hri_line, symbol.hri(), hri_room, 2.8);
            let hri_h: f64 = hri_lines.len() as f64 * 2.8 * 1.2;
            let mut bar_h = if kind == SymbolKind::Ean13 {
                69.24 * x
            } else {
                TRADE_BAR_HEIGHT
            };
            let min_text = rows.len() as f64 * 5.0 * 0.55;
            let spare = self.h - m - hri_h - 1.0 - top - 2.0 - min_text;
            if spare < bar_h {
                bar_h = bar_h.min(spare.max(0.0));
                if bar_h < TRADE_MIN_BAR_HEIGHT {
                    return Err(LabelError::DoesNotFit(format!(
                        "the {kind} bars need {TRADE_MIN_BAR_HEIGHT} mm of height under the text; use a taller label"
                    )));
                }
            }
            let hri_top = self.h - m - hri_h;
            let bar_y = hri_top - 0.8 - bar_h;
            let sym_x = (self.w - sym_w) / 2.0;
            self.rows(&rows, m, top, self.w - 2.0 * m, bar_y - 2.0 - top)?;
            let hri_size = 2.8;
            self.place(symbol, sym_x, bar_y, x, bar_h);
            self.hri(&hri_lines, self.w / 2.0, hri_top, hri_room, hri_size);
            return Ok(());
        }
        let symbol = Symbol::encode_with(kind, data, &spec.carrier)?;
        let (ql, qr, qv) = symbol.quiet_zone();
        let cols = (symbol.width() + ql + qr) as f64;
        let rows_n = (symbol.height() + 2 * qv) as f64;
        let inner = self.w - 2.0 * m;
        let hri_size = 2.4;
        let hri_h = symbol.hri().len() as f64 * hri_size * 1.2;
        let avail = self.h - m - top - hri_h;
        let (x_min, x_max) = x_bounds(kind, false);
        let x = (inner * 0.38 / cols).min(avail / rows_n).min(x_max);
        // The column takes the symbol, and its HRI at a readable size if there is room.
        let hri_w = symbol
            .hri()
            .iter()
            .map(|l| text::width(l, hri_size * 0.8, false))
            .fold(0.0, f64::max);
        let col_w = (cols * x).max(hri_w.min(inner * 0.5));
        if x < x_min {
            return Err(LabelError::DoesNotFit(format!(
                "the {kind} would need modules of {x:.3} mm; at least {x_min} mm are needed (use a bigger label, or less data)"
            )));
        }
        let col_x = self.w - m - col_w;
        let sym_x = col_x + (col_w - cols * x) / 2.0 + ql as f64 * x;
        let sym_y = top + qv as f64 * x;
        let hri_top = sym_y + (symbol.height() + qv) as f64 * x;
        let lines = symbol.hri().to_vec();
        self.place(symbol, sym_x, sym_y, x, 0.0);
        self.hri(&lines, col_x + col_w / 2.0, hri_top, col_w, hri_size);
        self.rows(&rows, m, top, col_x - 2.0 - m, self.h - m - top)?;
        Ok(())
    }

    /// The GS1 logistic label: a free-format section (name, optional 2D symbol), the text
    /// section (SSCC, CONTENT, COUNT, BATCH/LOT, dates), and the barcode section with the
    /// SSCC's GS1-128 symbol at the bottom and the content's above it.
    fn logistic(&mut self, spec: &LabelSpec, fields: &Fields, data: &Gs1Data) -> Result<()> {
        let m = 4.0;
        let inner = self.w - 2.0 * m;
        let mut y = m;
        // Free-format section.
        let two_d = if spec.symbol.is_linear() {
            None
        } else {
            Some(Symbol::encode_with(spec.symbol, data, &spec.carrier)?)
        };
        let side = (self.h * 0.14).min(inner * 0.25);
        let name_room = if two_d.is_some() {
            inner - side - 3.0
        } else {
            inner
        };
        let below_name = self.title(fields.name.as_deref(), m, y, name_room, 6.0);
        if let Some(symbol) = two_d {
            let (ql, qr, qv) = symbol.quiet_zone();
            let cols = (symbol.width() + ql + qr) as f64;
            let (x_min, x_max) = x_bounds(spec.symbol, true);
            let x = (side / cols).min(x_max);
            if x < x_min {
                return Err(too_narrow(spec.symbol, x, x_min, self.w));
            }
            let sym_x = self.w - m - cols * x + ql as f64 * x;
            let sym_y = y + qv as f64 * x;
            let bottom = sym_y + (symbol.height() + qv) as f64 * x;
            let lines = symbol.hri().to_vec();
            let cx = self.w - m - cols * x / 2.0;
            let room = 2.0 * (self.w - m - cx);
            self.place(symbol, sym_x, sym_y, x, 0.0);
            let below = self.hri(&lines, cx, bottom, room, 2.0);
            y = below.max(below_name);
        } else {
            y = below_name;
        }
        y += 1.0;
        self.items.push(Item::Rule {
            x: m,
            y,
            w: inner,
            h: 0.4,
        });
        y += 2.0;

        // Barcode section, planned first (it takes what it needs from the bottom).
        let mut groups: Vec<Vec<Element>> = Vec::new();
        let content = fields.item_elements(true);
        let mut current: Vec<Element> = Vec::new();
        for e in content {
            let mut trial = current.clone();
            trial.push(e.clone());
            if current.is_empty() || gs1_128_x(&trial, inner)? >= LOGISTIC_X_TARGET {
                current = trial;
            } else {
                groups.push(std::mem::take(&mut current));
                current.push(e);
            }
        }
        if !current.is_empty() {
            groups.push(current);
        }
        let sscc = fields.sscc.clone().unwrap_or_default();
        groups.push(vec![Element::new("00", sscc.clone())]);
        let mut symbols = Vec::new();
        for g in &groups {
            let d = gs1_data(g, &Options::syntax_only())?;
            symbols.push(Symbol::encode(SymbolKind::Gs1_128, &d)?);
        }
        let hri_size = 3.0;
        let text_rows = fields.rows(true);
        let text_need = 9.0 + text_rows.len().div_ceil(2) as f64 * 9.5 * 0.7;
        let per_symbol_fixed = hri_size * 1.2 + 0.8 + 2.5;
        let room_for_bars =
            self.h - m - y - text_need - 3.0 - per_symbol_fixed * symbols.len() as f64;
        let bar_h = (room_for_bars / symbols.len() as f64).min(LOGISTIC_BAR_HEIGHT);
        if bar_h < LOGISTIC_MIN_BAR_HEIGHT {
            return Err(LabelError::DoesNotFit(format!(
                "{} GS1-128 symbols with bars of at least {LOGISTIC_MIN_BAR_HEIGHT} mm do not fit under the text; use a taller label",
                symbols.len()
            )));
        }
        let mut bottom = self.h - m;
        let mut placed = Vec::new();
        for symbol in symbols.into_iter().rev() {
            let (ql, qr, _) = symbol.quiet_zone();
            let cols = (symbol.width() + ql + qr) as f64;
            let (x_min, x_max) = x_bounds(SymbolKind::Gs1_128, true);
            let x = (inner / cols).min(x_max);
            if x < x_min {
                return Err(too_narrow(SymbolKind::Gs1_128, x, x_min, self.w));
            }
            let hri = symbol.hri().join("  ");
            let hri_top = bottom - hri_size * 1.2;
            let bar_y = hri_top - 0.8 - bar_h;
            let sym_w = symbol.width() as f64 * x;
            placed.push((symbol, (self.w - sym_w) / 2.0, bar_y, x, hri, hri_top));
            bottom = bar_y - 2.5;
        }
        let barcode_top = bottom;

        // Text section.
        self.text(m, y + 2.6, 2.6, true, Align::Left, "SSCC".into());
        let (v, s) = text::fit(&sscc, inner - 14.0, 5.0, 3.0, true);
        self.text(m + 14.0, y + 4.2, s, true, Align::Left, v);
        y += 9.0;
        let col_w = inner / 2.0;
        let scale = ((barcode_top - 1.5 - y) / (text_rows.len().div_ceil(2) as f64 * 9.5)).min(1.0);
        if scale < 0.7 && !text_rows.is_empty() {
            return Err(LabelError::DoesNotFit(
                "the text section does not fit above the barcodes; use a taller label".into(),
            ));
        }
        for (i, (title, value)) in text_rows.iter().enumerate() {
            let cx = m + (i % 2) as f64 * col_w;
            let cy = y + (i / 2) as f64 * 9.5 * scale;
            self.text(
                cx,
                cy + 2.4 * scale,
                2.3 * scale,
                true,
                Align::Left,
                (*title).to_owned(),
            );
            let (v, s) = text::fit(value, col_w - 2.0, 4.2 * scale, 2.5 * scale, false);
            self.text(cx, cy + 7.2 * scale, s, false, Align::Left, v);
        }
        self.items.push(Item::Rule {
            x: m,
            y: barcode_top,
            w: inner,
            h: 0.4,
        });
        for (symbol, sx, sy, x, hri, hri_top) in placed.into_iter().rev() {
            self.place(symbol, sx, sy, x, bar_h);
            self.hri(&[hri], self.w / 2.0, hri_top, inner, hri_size);
        }
        Ok(())
    }
}

/// The X-dimension at which these elements' GS1-128 symbol fills `room` mm.
fn gs1_128_x(elements: &[Element], room: f64) -> Result<f64> {
    let d = gs1_data(elements, &Options::syntax_only())?;
    match Symbol::encode(SymbolKind::Gs1_128, &d) {
        Ok(s) => Ok(room / (s.width() + 20) as f64),
        Err(LabelError::DataTooLong { .. }) => Ok(0.0),
        Err(e) => Err(e),
    }
}

fn too_narrow(kind: SymbolKind, x: f64, x_min: f64, w: f64) -> LabelError {
    LabelError::DoesNotFit(format!(
        "the {kind} symbol would need modules of {x:.3} mm on a {w} mm wide label; at least {x_min} mm are needed (use a wider label, or less data)"
    ))
}

/// One HRI line if it fits `room` at 60 % of `size`, else one line per AI.
fn wrap_hri(line: &str, parts: &[String], room: f64, size: f64) -> Vec<String> {
    if text::width(line, size * 0.6, false) <= room {
        vec![line.to_owned()]
    } else {
        parts.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(yymmdd("expiry", "2025-12-31").unwrap(), "251231");
        assert_eq!(yymmdd("expiry", "251200").unwrap(), "251200");
        assert!(yymmdd("expiry", "31.12.2025").is_err());
        assert!(yymmdd("expiry", "1999-12-31").is_err());
        assert_eq!(date_text("251231"), "2025-12-31");
        assert_eq!(date_text("251200"), "2025-12");
    }

    #[test]
    fn field_errors_name_the_field() {
        let spec = LabelSpec {
            gtin: Some("09520123456789".into()),
            ..LabelSpec::default()
        };
        let e = Label::new(&spec).unwrap_err();
        assert!(
            matches!(&e, LabelError::Gs1 { field: "gtin", error } if error.code() == "INCORRECT_CHECK_DIGIT"),
            "{e:?}"
        );
        let spec = LabelSpec {
            gtin: Some("09520123456788".into()),
            expiry: Some("251301".into()),
            ..LabelSpec::default()
        };
        let e = Label::new(&spec).unwrap_err();
        assert!(
            matches!(
                &e,
                LabelError::Gs1 {
                    field: "expiry",
                    ..
                }
            ),
            "{e:?}"
        );
        let spec = LabelSpec {
            sscc: Some("095201234567891235".into()),
            gtin: Some("09520123456788".into()),
            ..LabelSpec::default()
        };
        let e = Label::new(&spec).unwrap_err();
        assert!(
            matches!(&e, LabelError::Gs1 { error, .. } if error.code() == "REQUIRED_AI_MISSING"),
            "{e:?}"
        );
    }
}
