//! Raster output: an 8-bit luminance bitmap (0 black, 255 white) and PNG.

use crate::error::{LabelError, Result};
use crate::font;
use crate::label::{Align, Item, Label, Placement, TextItem};
use crate::symbol::Symbol;

/// The lowest and highest resolution rendered, in dots per inch.
pub const MIN_DPI: u32 = 72;
pub const MAX_DPI: u32 = 1200;
/// The most pixels one bitmap may have (e.g. an A6 label at 1200 dpi is 12 million).
pub const MAX_PIXELS: usize = 64_000_000;

/// An 8-bit luminance image: `pixels[y * width + x]`, 0 black, 255 white.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitmap {
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

impl Bitmap {
    /// A white bitmap.
    pub fn new(width: usize, height: usize) -> Result<Bitmap> {
        let n = width.checked_mul(height).filter(|&n| n <= MAX_PIXELS);
        let Some(n) = n else {
            return Err(LabelError::OutOfRange {
                what: "bitmap pixels",
                value: width as f64 * height as f64,
                min: 1.0,
                max: MAX_PIXELS as f64,
            });
        };
        Ok(Bitmap {
            width,
            height,
            pixels: vec![255; n],
        })
    }

    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.pixels[y * self.width + x]
    }

    /// Paints the rectangle black, clipped to the bitmap.
    pub fn fill(&mut self, x: i64, y: i64, w: i64, h: i64) {
        let x0 = x.clamp(0, self.width as i64) as usize;
        let x1 = (x + w).clamp(0, self.width as i64) as usize;
        let y0 = y.clamp(0, self.height as i64) as usize;
        let y1 = (y + h).clamp(0, self.height as i64) as usize;
        for row in y0..y1 {
            self.pixels[row * self.width + x0..row * self.width + x1].fill(0);
        }
    }

    /// A copy of the rectangle, clipped to the bitmap.
    pub fn crop(&self, x: usize, y: usize, w: usize, h: usize) -> Bitmap {
        let x1 = (x + w).min(self.width);
        let y1 = (y + h).min(self.height);
        let (x0, y0) = (x.min(x1), y.min(y1));
        let mut pixels = Vec::with_capacity((x1 - x0) * (y1 - y0));
        for row in y0..y1 {
            pixels.extend_from_slice(&self.pixels[row * self.width + x0..row * self.width + x1]);
        }
        Bitmap {
            width: x1 - x0,
            height: y1 - y0,
            pixels,
        }
    }

    /// The bitmap as a greyscale PNG, with its resolution recorded (pHYs).
    pub fn to_png(&self, dpi: u32) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, self.width as u32, self.height as u32);
            encoder.set_color(png::ColorType::Grayscale);
            encoder.set_depth(png::BitDepth::Eight);
            let per_metre = (f64::from(dpi) / 0.0254).round() as u32;
            encoder.set_pixel_dims(Some(png::PixelDimensions {
                xppu: per_metre,
                yppu: per_metre,
                unit: png::Unit::Meter,
            }));
            let mut writer = encoder
                .write_header()
                .map_err(|e| LabelError::Png(e.to_string()))?;
            writer
                .write_image_data(&self.pixels)
                .map_err(|e| LabelError::Png(e.to_string()))?;
            writer
                .finish()
                .map_err(|e| LabelError::Png(e.to_string()))?;
        }
        Ok(out)
    }
}

fn check_dpi(dpi: u32) -> Result<()> {
    if (MIN_DPI..=MAX_DPI).contains(&dpi) {
        Ok(())
    } else {
        Err(LabelError::OutOfRange {
            what: "resolution (dpi)",
            value: f64::from(dpi),
            min: f64::from(MIN_DPI),
            max: f64::from(MAX_DPI),
        })
    }
}

/// The symbol alone with its quiet zone, `module_px` pixels per module; a linear symbol's
/// bars are `bar_height_px` high (with a quiet zone of 10 % of that above and below).
pub fn symbol_bitmap(symbol: &Symbol, module_px: usize, bar_height_px: usize) -> Result<Bitmap> {
    let module_px = module_px.max(1);
    let (ql, qr, qv) = symbol.quiet_zone();
    let (margin_y, body_h) = if symbol.kind().is_linear() {
        let h = bar_height_px.max(1);
        (h / 10 + module_px, h)
    } else {
        (qv * module_px, symbol.height() * module_px)
    };
    let mut bitmap = Bitmap::new(
        (symbol.width() + ql + qr) * module_px,
        body_h + 2 * margin_y,
    )?;
    draw_symbol(
        &mut bitmap,
        symbol,
        (ql * module_px) as i64,
        margin_y as i64,
        module_px as i64,
        body_h as i64,
    );
    Ok(bitmap)
}

/// Draws the modules with their top left corner at (x, y).
fn draw_symbol(bitmap: &mut Bitmap, symbol: &Symbol, x: i64, y: i64, module: i64, bar_h: i64) {
    if symbol.kind().is_linear() {
        for (start, len) in symbol.runs(0) {
            bitmap.fill(x + start as i64 * module, y, len as i64 * module, bar_h);
        }
        return;
    }
    for row in 0..symbol.height() {
        for (start, len) in symbol.runs(row) {
            bitmap.fill(
                x + start as i64 * module,
                y + row as i64 * module,
                len as i64 * module,
                module,
            );
        }
    }
}

/// Pixels for a length in mm.
fn px(mm: f64, per_mm: f64) -> i64 {
    (mm * per_mm).round() as i64
}

/// Where a placed symbol's modules go at `per_mm` pixels (or dots) per mm: the top left
/// corner of its first module and the module size, a whole number of pixels (every module
/// the same size, which decoders need). That is the nearest whole number to the module
/// size, or less if the symbol and its quiet zone would then outgrow the room the layout
/// gave them; the symbol is centred in that room.
pub(crate) fn fit_modules(symbol: &Symbol, p: &Placement, per_mm: f64) -> (i64, i64, i64) {
    let (ql, qr, qv) = symbol.quiet_zone();
    let cols = (symbol.width() + ql + qr) as i64;
    let left = px(p.x - ql as f64 * p.module, per_mm);
    let right = px(p.x + (symbol.width() + qr) as f64 * p.module, per_mm);
    let mut module = px(p.module, per_mm).max(1);
    if module * cols > right - left {
        module = ((right - left) / cols).max(1);
    }
    let linear = symbol.kind().is_linear();
    let rows = (symbol.height() + 2 * qv) as i64;
    let top = px(p.y - qv as f64 * p.module, per_mm);
    let bottom = px(p.y + (symbol.height() + qv) as f64 * p.module, per_mm);
    if !linear && module * rows > bottom - top {
        module = ((bottom - top) / rows).max(1);
    }
    let x = left + (right - left - module * cols) / 2 + ql as i64 * module;
    let y = if linear {
        px(p.y, per_mm)
    } else {
        top + (bottom - top - module * rows) / 2 + qv as i64 * module
    };
    (x, y, module)
}

/// The label as a bitmap at `dpi`.
pub fn render_bitmap(label: &Label, dpi: u32) -> Result<Bitmap> {
    check_dpi(dpi)?;
    let per_mm = f64::from(dpi) / 25.4;
    let mut bitmap = Bitmap::new(
        px(label.width_mm(), per_mm) as usize,
        px(label.height_mm(), per_mm) as usize,
    )?;
    for item in &label.items {
        match item {
            Item::Rule { x, y, w, h } => bitmap.fill(
                px(*x, per_mm),
                px(*y, per_mm),
                px(*w, per_mm),
                px(*h, per_mm).max(1),
            ),
            Item::Symbol(p) => {
                let symbol = &label.symbols()[p.symbol];
                let (x, y, module) = fit_modules(symbol, p, per_mm);
                draw_symbol(&mut bitmap, symbol, x, y, module, px(p.bar_height, per_mm));
            }
            Item::Text(t) => draw_text(&mut bitmap, t, per_mm),
        }
    }
    Ok(bitmap)
}

/// The label as a PNG at `dpi`.
pub fn render_png(label: &Label, dpi: u32) -> Result<Vec<u8>> {
    render_bitmap(label, dpi)?.to_png(dpi)
}

/// Text in the 6×13 bitmap font, scaled so that its em matches the text size.
fn draw_text(bitmap: &mut Bitmap, t: &TextItem, per_mm: f64) {
    // The font's em is its 13-pixel cell; Helvetica's advance is wider than 6/13 em, so
    // text laid out for Helvetica fits.
    let scale = (t.size * per_mm / font::HEIGHT as f64).max(0.5);
    let glyph_w = font::WIDTH as f64 * scale;
    let count = t.text.chars().count() as f64;
    let left = match t.align {
        Align::Left => t.x * per_mm,
        Align::Center => t.x * per_mm - glyph_w * count / 2.0,
    };
    let top = t.y * per_mm - font::ASCENT as f64 * scale;
    let table = if t.bold { &font::BOLD } else { &font::REGULAR };
    for (i, c) in t.text.chars().enumerate() {
        let code = crate::text::latin1(c) as u32;
        let index = match code {
            0x20..=0x7e => (code - 0x20) as usize,
            0xa0..=0xff => (code - 0xa0) as usize + 95,
            _ => ('?' as u32 - 0x20) as usize,
        };
        let glyph = &table[index];
        let gx = left + i as f64 * glyph_w;
        for (row, bits) in glyph.iter().enumerate() {
            if *bits == 0 {
                continue;
            }
            let y0 = (top + row as f64 * scale).round() as i64;
            let y1 = (top + (row + 1) as f64 * scale).round() as i64;
            for col in 0..font::WIDTH {
                if bits & (0x80 >> col) != 0 {
                    let x0 = (gx + col as f64 * scale).round() as i64;
                    let x1 = (gx + (col + 1) as f64 * scale).round() as i64;
                    bitmap.fill(x0, y0, (x1 - x0).max(1), (y1 - y0).max(1));
                }
            }
        }
    }
}
