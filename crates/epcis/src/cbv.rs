//! The CBV 2.0 vocabularies an EPCIS event may name by a bare word, and the rule for values
//! outside them.
//!
//! In JSON-LD a standard value is a bare word (`shipping`); it may also be written as the
//! CBV web URI (`https://ref.gs1.org/cbv/BizStep-shipping`) or URN
//! (`urn:epcglobal:cbv:bizstep:shipping`). A value of one's own must be a URI (a CURIE such
//! as `example:transforming` counts). A bare word outside the vocabulary, or a CBV URI
//! naming a term the CBV does not define, is an error: it is almost always a typo.

/// One CBV vocabulary: its terms and the two URI spellings of a term.
#[derive(Debug)]
pub struct Vocabulary {
    pub name: &'static str,
    /// `https://ref.gs1.org/cbv/BizStep-` and the like; the term follows.
    pub web_prefix: &'static str,
    /// `urn:epcglobal:cbv:bizstep:` and the like; the term follows.
    pub urn_prefix: &'static str,
    pub terms: &'static [&'static str],
}

pub const BUSINESS_STEPS: Vocabulary = Vocabulary {
    name: "business step",
    web_prefix: "https://ref.gs1.org/cbv/BizStep-",
    urn_prefix: "urn:epcglobal:cbv:bizstep:",
    terms: &[
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "sampling",
        "sensor_reporting",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
    ],
};

pub const DISPOSITIONS: Vocabulary = Vocabulary {
    name: "disposition",
    web_prefix: "https://ref.gs1.org/cbv/Disp-",
    urn_prefix: "urn:epcglobal:cbv:disp:",
    terms: &[
        "active",
        "available",
        "completeness_inferred",
        "completeness_verified",
        "conformant",
        "container_closed",
        "container_open",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "mismatch_class",
        "mismatch_instance",
        "mismatch_quantity",
        "needs_replacement",
        "no_pedigree_match",
        "non_conformant",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unavailable",
        "unknown",
    ],
};

pub const BUSINESS_TRANSACTION_TYPES: Vocabulary = Vocabulary {
    name: "business transaction type",
    web_prefix: "https://ref.gs1.org/cbv/BTT-",
    urn_prefix: "urn:epcglobal:cbv:btt:",
    terms: &[
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    ],
};

pub const SOURCE_DESTINATION_TYPES: Vocabulary = Vocabulary {
    name: "source/destination type",
    web_prefix: "https://ref.gs1.org/cbv/SDT-",
    urn_prefix: "urn:epcglobal:cbv:sdt:",
    terms: &["location", "owning_party", "possessing_party"],
};

pub const ERROR_REASONS: Vocabulary = Vocabulary {
    name: "error reason",
    web_prefix: "https://ref.gs1.org/cbv/ER-",
    urn_prefix: "urn:epcglobal:cbv:er:",
    terms: &["did_not_occur", "incorrect_data"],
};

pub const SENSOR_COMPONENTS: Vocabulary = Vocabulary {
    name: "sensor component",
    web_prefix: "https://ref.gs1.org/cbv/Comp-",
    urn_prefix: "urn:epcglobal:cbv:comp:",
    terms: &[
        "altitude",
        "axial_distance",
        "azimuth",
        "easting",
        "elevation_angle",
        "height",
        "latitude",
        "longitude",
        "northing",
        "polar_angle",
        "spherical_radius",
        "x",
        "y",
        "z",
    ],
};

/// The GS1 Web Vocabulary's measurement types (`https://gs1.org/voc/Temperature`).
pub const SENSOR_MEASUREMENT_TYPES: Vocabulary = Vocabulary {
    name: "sensor measurement type",
    web_prefix: "https://gs1.org/voc/",
    urn_prefix: "gs1:",
    terms: &[
        "AbsoluteHumidity",
        "AbsorbedDose",
        "AbsorbedDoseRate",
        "Acceleration",
        "Altitude",
        "AmountOfSubstance",
        "AmountOfSubstancePerUnitVolume",
        "Angle",
        "AngularAcceleration",
        "AngularMomentum",
        "AngularVelocity",
        "Area",
        "Capacitance",
        "Conductance",
        "Conductivity",
        "Count",
        "Density",
        "Dimensionless",
        "DoseEquivalent",
        "DoseEquivalentRate",
        "DynamicViscosity",
        "ElectricCharge",
        "ElectricCurrent",
        "ElectricCurrentDensity",
        "ElectricFieldStrength",
        "Energy",
        "Exposure",
        "Force",
        "Frequency",
        "Illuminance",
        "Inductance",
        "Irradiance",
        "KinematicViscosity",
        "Length",
        "LinearMomentum",
        "Luminance",
        "LuminousFlux",
        "LuminousIntensity",
        "MagneticFlux",
        "MagneticFluxDensity",
        "MagneticVectorPotential",
        "Mass",
        "MassConcentration",
        "MassFlowRate",
        "MassPerAreaTime",
        "MemoryCapacity",
        "MolalityOfSolute",
        "MolarEnergy",
        "MolarMass",
        "MolarVolume",
        "Power",
        "Pressure",
        "RadiantFlux",
        "RadiantIntensity",
        "Radioactivity",
        "RelativeHumidity",
        "Resistance",
        "Resistivity",
        "SolidAngle",
        "SpecificVolume",
        "Speed",
        "SurfaceDensity",
        "SurfaceTension",
        "Temperature",
        "Time",
        "Torque",
        "Voltage",
        "Volume",
        "VolumeFlowRate",
        "VolumeFraction",
        "VolumetricFlux",
        "Wavenumber",
    ],
};

pub const SENSOR_ALERT_TYPES: Vocabulary = Vocabulary {
    name: "sensor alert type",
    web_prefix: "https://gs1.org/voc/",
    urn_prefix: "gs1:",
    terms: &["ALARM_CONDITION", "ERROR_CONDITION"],
};

impl Vocabulary {
    pub fn contains(&self, term: &str) -> bool {
        self.terms.contains(&term)
    }

    /// The bare term of `value` if it is a term of this vocabulary in any spelling.
    pub fn bare<'a>(&self, value: &'a str) -> Option<&'a str> {
        let term = value
            .strip_prefix(self.web_prefix)
            .or_else(|| value.strip_prefix(self.urn_prefix))
            .unwrap_or(value);
        self.contains(term).then_some(term)
    }

    /// Accepts a term of this vocabulary (bare or as a CBV URI) or a URI of one's own.
    pub fn check(&self, value: &str) -> Result<(), String> {
        if self.bare(value).is_some() {
            return Ok(());
        }
        for prefix in [self.web_prefix, self.urn_prefix] {
            if let Some(term) = value.strip_prefix(prefix) {
                return Err(format!(
                    "{term:?} is not a CBV {}{}",
                    self.name,
                    self.hint(term)
                ));
            }
        }
        if is_uri(value) {
            return Ok(());
        }
        Err(format!(
            "{value:?} is not a CBV {}{}; a value of your own must be a URI \
             (e.g. https://example.com/{value}) or a prefixed name",
            self.name,
            self.hint(value)
        ))
    }

    /// The terms to offer: all of a short vocabulary, the nearest of a long one.
    fn hint(&self, word: &str) -> String {
        const LIST_ALL_UP_TO: usize = 16;
        if self.terms.len() <= LIST_ALL_UP_TO {
            return format!(" (expected one of {})", self.terms.join(", "));
        }
        let nearest = self
            .terms
            .iter()
            .map(|t| (edit_distance(word, t), *t))
            .min()
            .filter(|(d, t)| *d <= t.len() / 3 + 1);
        match nearest {
            Some((_, t)) => format!(" (did you mean {t:?}?)"),
            None => format!(" (none of its {} terms)", self.terms.len()),
        }
    }
}

/// Levenshtein distance over bytes; the words compared are short ASCII terms.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(!ca.eq_ignore_ascii_case(&cb));
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// Whether `text` has the shape of an absolute URI or a compact IRI: a scheme (a letter,
/// then letters, digits, `+`, `-` or `.`), a colon, and no white space or control
/// characters anywhere.
pub fn is_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | '_'));
    scheme_ok && !rest.is_empty() && !text.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_words_and_cbv_uris_are_terms() {
        assert_eq!(BUSINESS_STEPS.bare("shipping"), Some("shipping"));
        assert_eq!(
            BUSINESS_STEPS.bare("https://ref.gs1.org/cbv/BizStep-shipping"),
            Some("shipping")
        );
        assert_eq!(
            DISPOSITIONS.bare("urn:epcglobal:cbv:disp:in_transit"),
            Some("in_transit")
        );
        assert!(
            BUSINESS_STEPS
                .check("urn:example:bizstep:transforming")
                .is_ok()
        );
        assert!(BUSINESS_STEPS.check("example:transforming").is_ok());
    }

    #[test]
    fn unknown_words_and_unknown_cbv_terms_are_errors() {
        let e = BUSINESS_STEPS.check("transforming").unwrap_err();
        assert!(
            e.starts_with("\"transforming\" is not a CBV business step"),
            "{e}"
        );
        let e = DISPOSITIONS
            .check("urn:epcglobal:cbv:disp:in_transport")
            .unwrap_err();
        assert!(e.contains("\"in_transport\""), "{e}");
        let e = DISPOSITIONS.check("in_transport").unwrap_err();
        assert!(e.contains("did you mean \"in_transit\""), "{e}");
        let e = SOURCE_DESTINATION_TYPES.check("owner").unwrap_err();
        assert!(
            e.contains("location, owning_party, possessing_party"),
            "{e}"
        );
        assert!(BUSINESS_STEPS.check("").is_err());
        assert!(BUSINESS_STEPS.check("ship ping:x").is_err());
    }

    #[test]
    fn uri_shapes() {
        for ok in ["urn:uuid:1", "https://x.org/a", "ni:///sha-256;ab", "ex:a"] {
            assert!(is_uri(ok), "{ok}");
        }
        for bad in ["", "abc", ":abc", "1a:b", "a b:c", "urn:", "a:b\nc"] {
            assert!(!is_uri(bad), "{bad:?}");
        }
    }
}
