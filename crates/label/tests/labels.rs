//! Labels: laid out, rendered as PNG, SVG, ZPL and PDF; every symbol read back from the
//! rendering by a real decoder.

mod common;

use common::{decode, read_png, visible};
use lotrace_label::{
    Bitmap, Carrier, Label, LabelError, LabelSpec, PageLayout, Paper, SymbolKind, ZplOptions,
    render_bitmap, render_pdf, render_png, render_svg, render_zpl,
};

const GTIN: &str = "09520123456788";
const SSCC: &str = "952012345678912345";

fn trade_item(symbol: SymbolKind, carrier: Carrier) -> LabelSpec {
    LabelSpec {
        name: Some("Organic Tomatoes – Vine Ripened, 6 kg".into()),
        gtin: Some(GTIN.into()),
        lot: Some("L24-117".into()),
        expiry: Some("2025-12-31".into()),
        quantity: Some("12 x 500 g".into()),
        symbol,
        carrier,
        ..LabelSpec::default()
    }
}

fn pallet(symbol: SymbolKind) -> LabelSpec {
    LabelSpec {
        name: Some("Tomato Co-op, Almería".into()),
        sscc: Some(SSCC.into()),
        gtin: Some(GTIN.into()),
        lot: Some("L24-117".into()),
        best_before: Some("251231".into()),
        quantity: Some("80".into()),
        symbol,
        ..LabelSpec::default()
    }
}

fn dl() -> Carrier {
    Carrier::DigitalLink {
        stem: "https://id.gs1.org".into(),
    }
}

/// Every label kind this crate makes.
fn all_labels() -> Vec<(String, Label)> {
    let mut out = Vec::new();
    for kind in SymbolKind::ALL {
        let spec = trade_item(kind, Carrier::ElementString);
        out.push((format!("trade item {kind}"), Label::new(&spec).unwrap()));
    }
    for kind in [SymbolKind::DataMatrix, SymbolKind::Qr] {
        out.push((
            format!("trade item {kind} Digital Link"),
            Label::new(&trade_item(kind, dl())).unwrap(),
        ));
    }
    out.push((
        "pallet".into(),
        Label::new(&pallet(SymbolKind::Gs1_128)).unwrap(),
    ));
    out.push((
        "pallet with Data Matrix".into(),
        Label::new(&pallet(SymbolKind::DataMatrix)).unwrap(),
    ));
    out
}

/// Cuts each symbol (with its quiet zone and a little more) out of a rendering at
/// `per_mm` pixels per mm, and decodes it.
fn decode_symbols(label: &Label, bitmap: &Bitmap, per_mm: f64, what: &str) {
    for p in label.placements() {
        let symbol = &label.symbols()[p.symbol];
        let (ql, qr, qv) = symbol.quiet_zone();
        let w = (symbol.width() + ql + qr) as f64 * p.module;
        let h = if symbol.kind().is_linear() {
            p.bar_height
        } else {
            (symbol.height() + 2 * qv) as f64 * p.module
        };
        let x0 = p.x - ql as f64 * p.module;
        let y0 = if symbol.kind().is_linear() {
            p.y
        } else {
            p.y - qv as f64 * p.module
        };
        let px = |mm: f64| (mm * per_mm).round().max(0.0) as usize;
        let crop = bitmap.crop(px(x0), px(y0), px(w), px(h));
        let decoded = decode(&crop, symbol.kind())
            .unwrap_or_else(|e| panic!("{what}: symbol {}: {e}", p.symbol));
        assert_eq!(
            visible(&decoded.text),
            visible(symbol.text()),
            "{what}: symbol {}",
            p.symbol
        );
        assert_eq!(decoded.symbology, symbol.symbology_identifier(), "{what}");
    }
}

#[test]
fn every_symbol_on_every_label_decodes_from_the_png() {
    for (what, label) in all_labels() {
        for dpi in [203, 300] {
            let png = render_png(&label, dpi).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            let bitmap = read_png(&png);
            assert_eq!(bitmap, render_bitmap(&label, dpi).unwrap());
            let per_mm = f64::from(dpi) / 25.4;
            assert_eq!(bitmap.width, (label.width_mm() * per_mm).round() as usize);
            decode_symbols(&label, &bitmap, per_mm, &format!("{what} at {dpi} dpi"));
        }
    }
}

#[test]
fn trade_item_label_content() {
    let label = Label::new(&trade_item(SymbolKind::DataMatrix, Carrier::ElementString)).unwrap();
    assert_eq!((label.width_mm(), label.height_mm()), (100.0, 60.0));
    let texts = label.texts();
    for want in [
        "GTIN",
        GTIN,
        "BATCH/LOT",
        "L24-117",
        "USE BY",
        "2025-12-31",
        "QUANTITY",
        "12 x 500 g",
        "(01) 09520123456788",
        "(17) 251231",
        "(10) L24-117",
    ] {
        assert!(texts.contains(&want), "{want:?} in {texts:?}");
    }
    assert!(texts[0].starts_with("Organic Tomatoes"), "{texts:?}");
    let symbol = &label.symbols()[0];
    assert_eq!(symbol.text(), "01095201234567881725123110L24-117");
    // HRI under the symbol.
    let p = label.placements()[0];
    assert!(p.module >= 0.255 && p.module <= 0.99, "{p:?}");
}

#[test]
fn pallet_label_follows_the_logistic_label_layout() {
    let label = Label::new(&pallet(SymbolKind::Gs1_128)).unwrap();
    assert_eq!((label.width_mm(), label.height_mm()), (105.0, 148.0));
    let symbols = label.symbols();
    assert!(symbols.len() >= 2, "{symbols:?}");
    assert!(symbols.iter().all(|s| s.kind() == SymbolKind::Gs1_128));
    // The SSCC's symbol is the bottom one.
    let placements = label.placements();
    let bottom = placements
        .iter()
        .max_by(|a, b| a.y.total_cmp(&b.y))
        .unwrap();
    assert_eq!(symbols[bottom.symbol].text(), format!("00{SSCC}"));
    // All the content is in the symbols, in fixed-length-first order.
    let all: String = symbols
        .iter()
        .map(|s| {
            let syntax = lotrace_gs1::Options::syntax_only();
            lotrace_gs1::parse_with(&format!("]C1{}", s.text()), &syntax)
                .unwrap()
                .bracketed()
        })
        .collect();
    for part in [
        "(02)09520123456788",
        "(15)251231",
        "(37)80",
        "(10)L24-117",
        "(00)952012345678912345",
    ] {
        assert!(all.contains(part), "{part} in {all}");
    }
    for p in &placements {
        assert!(p.module >= 0.25 && p.module <= 0.94, "{p:?}");
        assert!(p.bar_height >= 15.0 && p.bar_height <= 31.75, "{p:?}");
    }
    let texts = label.texts();
    for want in [
        "SSCC",
        SSCC,
        "CONTENT",
        "COUNT",
        "80",
        "BATCH/LOT",
        "BEST BEFORE",
        "2025-12-31",
        "(00) 952012345678912345",
    ] {
        assert!(texts.contains(&want), "{want:?} in {texts:?}");
    }
}

#[test]
fn label_rules_are_checked_over_the_whole_label() {
    // A pallet label with a GTIN needs the count (37).
    let mut spec = pallet(SymbolKind::Gs1_128);
    spec.quantity = None;
    let e = Label::new(&spec).unwrap_err();
    assert!(
        matches!(&e, LabelError::Gs1 { error, .. } if error.code() == "REQUIRED_AI_MISSING"),
        "{e}"
    );
    // A trade item label needs a GTIN.
    let e = Label::new(&LabelSpec {
        lot: Some("A".into()),
        ..LabelSpec::default()
    })
    .unwrap_err();
    assert!(matches!(e, LabelError::Field { field: "gtin", .. }), "{e}");
    // An SSCC alone makes a pallet label with one symbol.
    let label = Label::new(&LabelSpec {
        sscc: Some(SSCC.into()),
        symbol: SymbolKind::Gs1_128,
        ..LabelSpec::default()
    })
    .unwrap();
    assert_eq!(label.symbols().len(), 1);
    // With a 2D kind, a Data Matrix with all the data joins the GS1-128.
    let label = Label::new(&LabelSpec {
        sscc: Some(SSCC.into()),
        ..LabelSpec::default()
    })
    .unwrap();
    assert_eq!(label.symbols().len(), 2);
    assert_eq!(label.symbols()[0].symbology_identifier(), "]d2");
    // Sizes are bounded.
    let mut spec = trade_item(SymbolKind::Qr, Carrier::ElementString);
    spec.size_mm = Some((5.0, 60.0));
    assert!(matches!(
        Label::new(&spec).unwrap_err(),
        LabelError::OutOfRange { .. }
    ));
    // Too small for its content: a clear error, not an unreadable symbol.
    spec.size_mm = Some((25.0, 20.0));
    assert!(matches!(
        Label::new(&spec).unwrap_err(),
        LabelError::DoesNotFit(_)
    ));
    assert!(matches!(
        render_png(
            &Label::new(&trade_item(SymbolKind::Qr, Carrier::ElementString)).unwrap(),
            5000
        ),
        Err(LabelError::OutOfRange { .. })
    ));
}

/// A small check that the SVG is well-formed XML: tags nest and close, attributes are
/// quoted, entities are known. Returns the element names in order.
fn xml_elements(xml: &str) -> Vec<String> {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("XML declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let mut rest = body;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        check_text(text);
        let gt = rest[lt..].find('>').expect("a tag ends") + lt;
        let tag = &rest[lt + 1..gt];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "closing tag");
        } else {
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name = tag.split_whitespace().next().expect("a name").to_owned();
            let mut attrs = tag[name.len()..].trim();
            while !attrs.is_empty() {
                let eq = attrs.find("=\"").expect("attribute=\"value\"");
                let end = attrs[eq + 2..].find('"').expect("closing quote") + eq + 2;
                check_text(&attrs[eq + 2..end]);
                attrs = attrs[end + 1..].trim_start();
            }
            names.push(name.clone());
            if !self_closing {
                stack.push(name);
            }
        }
        rest = &rest[gt + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert!(rest.trim().is_empty());
    names
}

fn check_text(text: &str) {
    assert!(!text.contains('<') && !text.contains('>'), "{text}");
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let semi = rest[amp..].find(';').expect("entity ends") + amp;
        assert!(
            ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&&rest[amp..=semi]),
            "entity {}",
            &rest[amp..=semi]
        );
        rest = &rest[semi + 1..];
    }
}

#[test]
fn svg_is_well_formed_with_symbols_and_hri() {
    for (what, label) in all_labels() {
        let svg = render_svg(&label);
        let names = xml_elements(&svg);
        assert_eq!(names[0], "svg", "{what}");
        let paths = names.iter().filter(|n| *n == "path").count();
        assert_eq!(paths, label.symbols().len(), "{what}: one path per symbol");
        assert!(names.iter().filter(|n| *n == "rect").count() >= 1, "{what}");
        assert!(svg.contains("viewBox=\"0 0 "), "{what}");
        for symbol in label.symbols() {
            for line in symbol.hri() {
                assert!(svg.contains(line.as_str()), "{what}: HRI {line:?}");
            }
            assert!(svg.contains(&format!(
                "data-symbology=\"{}\"",
                symbol.symbology_identifier()
            )));
        }
    }
    // Text is escaped.
    let mut spec = trade_item(SymbolKind::Qr, Carrier::ElementString);
    spec.name = Some("Salt & <Pepper> \"Mix\"".into());
    let svg = render_svg(&Label::new(&spec).unwrap());
    xml_elements(&svg);
    assert!(svg.contains("Salt &amp; &lt;Pepper&gt; &quot;Mix&quot;"));
}

/// The text a `^BC` mode N field encodes, read the way a printer does.
fn bc_text(data: &str) -> String {
    let mut chars = data.chars().peekable();
    let mut out = String::new();
    let mut set = ' ';
    let mut first = true;
    while let Some(c) = chars.next() {
        if c == '>' {
            let code = chars.next().unwrap();
            match code {
                '9' => set = 'A',
                ':' => set = 'B',
                ';' => set = 'C',
                '5' => set = 'C',
                '6' => set = 'B',
                '7' => set = 'A',
                '8' => {
                    if !first {
                        out.push('\u{1d}');
                    }
                    first = false;
                }
                '<' => out.push('>'),
                other => panic!("unexpected >{other}"),
            }
            continue;
        }
        if set == 'C' {
            out.push(c);
            out.push(chars.next().unwrap());
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads the `^GF` graphic fields of a ZPL label back into bitmaps at their `^FO`.
fn zpl_graphics(zpl: &str, width: usize, height: usize) -> Bitmap {
    let mut bitmap = Bitmap::new(width, height).unwrap();
    for line in zpl.lines() {
        let Some(gf) = line.find("^GFA,") else {
            continue;
        };
        let fo: Vec<usize> = line[3..line
            .find('^')
            .map_or(0, |_| line[1..].find('^').unwrap() + 1)]
            .split(',')
            .map(|n| n.parse().unwrap())
            .collect();
        let fields: Vec<&str> = line[gf + 5..line.len() - 3].splitn(4, ',').collect();
        let row_bytes: usize = fields[2].parse().unwrap();
        let bytes: Vec<u8> = (0..fields[3].len() / 2)
            .map(|i| u8::from_str_radix(&fields[3][2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert_eq!(bytes.len(), fields[0].parse::<usize>().unwrap());
        for (i, b) in bytes.iter().enumerate() {
            for bit in 0..8 {
                if b & (0x80 >> bit) != 0 {
                    let x = fo[0] + (i % row_bytes) * 8 + bit;
                    let y = fo[1] + i / row_bytes;
                    bitmap.fill(x as i64, y as i64, 1, 1);
                }
            }
        }
    }
    bitmap
}

#[test]
fn zpl_uses_the_printer_commands_with_the_same_data() {
    for (what, label) in all_labels() {
        let zpl = render_zpl(&label, &ZplOptions::default()).unwrap();
        assert!(zpl.starts_with("^XA\n^CI28\n^PW"), "{what}");
        assert!(zpl.trim_end().ends_with("^XZ"), "{what}");
        assert!(
            zpl.contains(&format!("^PW{}", (label.width_mm() * 8.0).round())),
            "{what}"
        );
        for symbol in label.symbols() {
            let text = symbol.text();
            match (symbol.kind(), symbol.is_gs1()) {
                (SymbolKind::Gs1_128, _) => {
                    let field = zpl
                        .lines()
                        .filter(|l| l.contains("^BCN"))
                        .map(|l| &l[l.find("^FD").unwrap() + 3..l.len() - 3])
                        .find(|d| bc_text(d) == text);
                    let field = field.unwrap_or_else(|| panic!("{what}: ^BC of {}", visible(text)));
                    assert!(
                        field.starts_with(">;>8") || field.starts_with(">:>8"),
                        "{field}"
                    );
                }
                (SymbolKind::DataMatrix, true) => {
                    let line = zpl.lines().find(|l| l.contains("^BXN")).unwrap();
                    assert!(line.contains(",200,,,,_^FD_1"), "{what}: {line}");
                    let data = &line[line.find("^FD").unwrap() + 5..line.len() - 3];
                    assert_eq!(data.replace("_1", "\u{1d}"), text, "{what}");
                }
                (SymbolKind::DataMatrix, false) => {
                    assert!(zpl.contains(&format!("^FD{text}^FS")), "{what}");
                }
                (SymbolKind::Qr, false) => {
                    assert!(zpl.contains("^BQN,2,"), "{what}");
                    assert!(zpl.contains(&format!("^FDMA,{text}^FS")), "{what}");
                }
                (SymbolKind::Qr, true) => assert!(zpl.contains("^GFA,"), "{what}"),
                (SymbolKind::Ean13, _) => {
                    assert!(zpl.contains("^BEN,"), "{what}");
                    assert!(zpl.contains(&format!("^FD{}^FS", &text[..12])), "{what}");
                }
            }
            // HRI: one line per AI under a 2D symbol, one line under a linear one.
            let hri = if symbol.kind().is_linear() {
                vec![symbol.hri().join("  ")]
            } else {
                symbol.hri().to_vec()
            };
            for line in hri {
                assert!(zpl.contains(&format!("^FD{line}^FS")), "{what}: HRI {line}");
            }
        }
    }
}

#[test]
fn zpl_graphic_symbols_decode() {
    for (what, label) in all_labels() {
        for dpi in [203, 300] {
            let options = ZplOptions {
                dpi,
                graphic_symbols: true,
            };
            let zpl = render_zpl(&label, &options).unwrap();
            assert!(!zpl.contains("^BC") && !zpl.contains("^BX") && !zpl.contains("^BQ"));
            let per_mm = f64::from(dpi) / 25.4;
            let per_mm = per_mm.round();
            let bitmap = zpl_graphics(
                &zpl,
                (label.width_mm() * per_mm).round() as usize,
                (label.height_mm() * per_mm).round() as usize,
            );
            decode_symbols(
                &label,
                &bitmap,
                per_mm,
                &format!("{what} ZPL ^GF at {dpi} dpi"),
            );
        }
    }
}

fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Type /Page").count() - text.matches("/Type /Pages").count()
}

#[test]
fn pdf_one_label_per_page_and_sheets() {
    let labels: Vec<Label> = all_labels().into_iter().map(|(_, l)| l).collect();
    let pdf = render_pdf(&labels, PageLayout::Label).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
    assert_eq!(page_count(&pdf), labels.len());
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("/BaseFont /Helvetica"));
    assert!(!text.contains("/FontFile"), "no embedded font");
    assert!(text.contains("((01) 09520123456788) Tj"), "HRI text");

    // 60 × 40 mm labels: 3 columns × 6 rows on A4.
    let mut spec = trade_item(SymbolKind::DataMatrix, Carrier::ElementString);
    spec.size_mm = Some((60.0, 40.0));
    spec.name = Some("Tomatoes".into());
    let small = Label::new(&spec).unwrap();
    assert_eq!(lotrace_label::sheet_grid(Paper::A4, 60.0, 40.0), (3, 6));
    let many = vec![small.clone(); 25];
    let pdf = render_pdf(&many, PageLayout::Sheet(Paper::A4)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(page_count(&pdf), 2);
    let (c, r) = lotrace_label::sheet_grid(Paper::Letter, 60.0, 40.0);
    let pdf = render_pdf(&many, PageLayout::Sheet(Paper::Letter)).unwrap();
    assert_eq!(page_count(&pdf), 25usize.div_ceil(c * r));
    assert!(String::from_utf8_lossy(&pdf).contains("/MediaBox [0 0 612 792]"));

    assert!(matches!(
        render_pdf(&[], PageLayout::Label),
        Err(LabelError::NoLabels)
    ));
    let too_many = vec![small; lotrace_label::MAX_LABELS_PER_DOCUMENT + 1];
    assert!(matches!(
        render_pdf(&too_many, PageLayout::Sheet(Paper::A4)),
        Err(LabelError::TooManyLabels { max: 1000, .. })
    ));
}

/// With poppler's pdftoppm installed: the PDF rendered by another program, and every
/// symbol read back from that rendering.
#[test]
fn pdf_renders_in_poppler_and_decodes() {
    if std::process::Command::new("pdftoppm")
        .arg("-v")
        .output()
        .is_err()
    {
        println!("skipped: pdftoppm (poppler-utils) is not installed");
        return;
    }
    let dir = tempdir();
    for (i, (what, label)) in all_labels().into_iter().enumerate() {
        let pdf = render_pdf(std::slice::from_ref(&label), PageLayout::Label).unwrap();
        let path = dir.join(format!("label{i}.pdf"));
        std::fs::write(&path, pdf).unwrap();
        let out = dir.join(format!("label{i}"));
        let status = std::process::Command::new("pdftoppm")
            .args(["-r", "300", "-gray", "-png", "-singlefile"])
            .arg(&path)
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success(), "{what}");
        let bitmap = read_png(&std::fs::read(out.with_extension("png")).unwrap());
        decode_symbols(
            &label,
            &bitmap,
            300.0 / 25.4,
            &format!("{what} via pdftoppm"),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("lotrace-label-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
