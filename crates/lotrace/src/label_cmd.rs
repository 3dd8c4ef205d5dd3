//! `lotrace label --gtin G [--lot L] [--expiry D] ... --format svg|png|pdf|zpl --out FILE`:
//! a GS1 label as a file. With `--sscc` it is a pallet label in the GS1 logistic label
//! layout. Every field is checked as GS1 data before anything is written.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use lotrace_label::{
    Carrier, Format, Label, LabelSpec, PageLayout, Paper, SymbolKind, ZplOptions, render_pdf,
    render_png, render_svg, render_zpl,
};

/// The most copies one `lotrace label` writes (the PDF limit too).
const MAX_COPIES: usize = lotrace_label::MAX_LABELS_PER_DOCUMENT;

#[derive(Args, Debug, Clone)]
pub struct LabelArgs {
    /// Output format: svg, png, pdf or zpl.
    #[arg(long, default_value = "pdf")]
    pub format: String,
    /// Symbol: datamatrix, qr, gs1-128 or ean13. On a pallet label the GS1-128 symbols are
    /// always there; datamatrix or qr adds a 2D symbol with all the data.
    #[arg(long, default_value = "datamatrix")]
    pub symbol: String,
    /// Put the GS1 Digital Link URI in the 2D symbol instead of the element string, under
    /// this stem (default https://id.gs1.org when the flag is given without a value).
    #[arg(long, num_args = 0..=1, default_missing_value = "https://id.gs1.org")]
    pub digital_link: Option<String>,
    /// GTIN (8, 12, 13 or 14 digits).
    #[arg(long)]
    pub gtin: Option<String>,
    /// Batch or lot number.
    #[arg(long)]
    pub lot: Option<String>,
    /// Serial number (trade item labels).
    #[arg(long)]
    pub serial: Option<String>,
    /// Use-by or expiry date, YYYY-MM-DD or YYMMDD.
    #[arg(long)]
    pub expiry: Option<String>,
    /// Best-before date, YYYY-MM-DD or YYMMDD.
    #[arg(long)]
    pub best_before: Option<String>,
    /// Quantity: printed text on a trade item label; the count of trade items (37) on a
    /// pallet label.
    #[arg(long)]
    pub quantity: Option<String>,
    /// SSCC: makes a pallet (logistic unit) label.
    #[arg(long)]
    pub sscc: Option<String>,
    /// Product name.
    #[arg(long)]
    pub name: Option<String>,
    /// Label size in mm, WIDTHxHEIGHT (default 100x60, or 105x148 for a pallet label).
    #[arg(long)]
    pub size: Option<String>,
    /// Resolution: PNG dots per inch (default 300); ZPL printer dpi, 152, 203, 300 or 600
    /// (default 203).
    #[arg(long)]
    pub dpi: Option<u32>,
    /// PDF: put the labels on A4 or Letter sheets instead of one label per page.
    #[arg(long)]
    pub sheet: Option<String>,
    /// PDF and ZPL: how many copies.
    #[arg(long, default_value_t = 1)]
    pub copies: usize,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn label(args: &LabelArgs) -> Result<()> {
    let format = Format::from_name(&args.format)
        .ok_or_else(|| anyhow!("--format {:?}: expected svg, png, pdf or zpl", args.format))?;
    let symbol = SymbolKind::from_name(&args.symbol).ok_or_else(|| {
        anyhow!(
            "--symbol {:?}: expected datamatrix, qr, gs1-128 or ean13",
            args.symbol
        )
    })?;
    let size_mm = args.size.as_deref().map(parse_size).transpose()?;
    if args.copies == 0 || args.copies > MAX_COPIES {
        bail!("--copies {}: between 1 and {MAX_COPIES}", args.copies);
    }
    if args.copies > 1 && matches!(format, Format::Svg | Format::Png) {
        bail!("--copies: an SVG or PNG file holds one label; use pdf or zpl for copies");
    }
    let spec = LabelSpec {
        name: args.name.clone(),
        gtin: args.gtin.clone(),
        lot: args.lot.clone(),
        serial: args.serial.clone(),
        expiry: args.expiry.clone(),
        best_before: args.best_before.clone(),
        quantity: args.quantity.clone(),
        sscc: args.sscc.clone(),
        symbol,
        carrier: match &args.digital_link {
            Some(stem) => Carrier::DigitalLink { stem: stem.clone() },
            None => Carrier::ElementString,
        },
        size_mm,
    };
    let label = Label::new(&spec).context("the label was not made")?;
    let bytes = match format {
        Format::Svg => render_svg(&label).into_bytes(),
        Format::Png => render_png(&label, args.dpi.unwrap_or(300))?,
        Format::Pdf => {
            let layout = match &args.sheet {
                Some(name) => PageLayout::Sheet(
                    Paper::from_name(name)
                        .ok_or_else(|| anyhow!("--sheet {name:?}: expected a4 or letter"))?,
                ),
                None => PageLayout::Label,
            };
            render_pdf(&vec![label; args.copies], layout)?
        }
        Format::Zpl => {
            let options = ZplOptions {
                dpi: args.dpi.unwrap_or(203),
                ..ZplOptions::default()
            };
            render_zpl(&label, &options)?
                .repeat(args.copies)
                .into_bytes()
        }
    };
    std::fs::write(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "wrote {} ({} bytes, {})",
        args.out.display(),
        bytes.len(),
        format.media_type()
    );
    Ok(())
}

/// `100x60` (mm).
fn parse_size(text: &str) -> Result<(f64, f64)> {
    let parse = |t: &str| t.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    text.split_once(['x', 'X'])
        .and_then(|(w, h)| Some((parse(w)?, parse(h)?)))
        .ok_or_else(|| anyhow!("--size {text:?}: expected WIDTHxHEIGHT in mm, e.g. 100x60"))
}
