//! Writes sample labels in every format into a directory, to look at:
//! `cargo run -p lotrace-label --example samples -- /tmp/labels`.

use lotrace_label::{
    Carrier, Format, Label, LabelSpec, PageLayout, Paper, SymbolKind, render, render_pdf,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "labels".into());
    std::fs::create_dir_all(&dir)?;
    let item = |symbol, carrier| LabelSpec {
        name: Some("Organic Tomatoes – Vine Ripened, 6 kg".into()),
        gtin: Some("09520123456788".into()),
        lot: Some("L24-117".into()),
        expiry: Some("2025-12-31".into()),
        quantity: Some("12 x 500 g".into()),
        symbol,
        carrier,
        ..LabelSpec::default()
    };
    let dl = Carrier::DigitalLink {
        stem: "https://id.gs1.org".into(),
    };
    let pallet = LabelSpec {
        name: Some("Tomato Co-op, Almería".into()),
        sscc: Some("952012345678912345".into()),
        gtin: Some("09520123456788".into()),
        lot: Some("L24-117".into()),
        best_before: Some("251231".into()),
        quantity: Some("80".into()),
        symbol: SymbolKind::Gs1_128,
        ..LabelSpec::default()
    };
    let samples = [
        (
            "item-datamatrix",
            item(SymbolKind::DataMatrix, Carrier::ElementString),
        ),
        ("item-qr-dl", item(SymbolKind::Qr, dl.clone())),
        (
            "item-gs1-128",
            item(SymbolKind::Gs1_128, Carrier::ElementString),
        ),
        (
            "item-ean13",
            item(SymbolKind::Ean13, Carrier::ElementString),
        ),
        ("pallet", pallet.clone()),
        (
            "pallet-datamatrix",
            LabelSpec {
                symbol: SymbolKind::DataMatrix,
                ..pallet
            },
        ),
    ];
    let mut labels = Vec::new();
    for (name, spec) in samples {
        let label = Label::new(&spec)?;
        for (format, ext) in [
            (Format::Svg, "svg"),
            (Format::Png, "png"),
            (Format::Pdf, "pdf"),
            (Format::Zpl, "zpl"),
        ] {
            std::fs::write(format!("{dir}/{name}.{ext}"), render(&label, format)?)?;
        }
        labels.push(label);
    }
    let mut small = item(SymbolKind::DataMatrix, Carrier::ElementString);
    small.size_mm = Some((60.0, 40.0));
    small.name = Some("Tomatoes 6 kg".into());
    let sheet = vec![Label::new(&small)?; 20];
    std::fs::write(
        format!("{dir}/sheet-a4.pdf"),
        render_pdf(&sheet, PageLayout::Sheet(Paper::A4))?,
    )?;
    println!("wrote samples to {dir}");
    Ok(())
}
