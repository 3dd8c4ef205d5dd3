//! The Application Identifier table, in AI order.
//!
//! Written from the GS1 General Specifications (section 3) in the component notation of the
//! GS1 Barcode Syntax Dictionary: `n(6)` is N6, `x_upto(20)` is X..20, `.optional()` marks
//! a `[...]` component, `.lint(...)` the content rules. A test compares this table with the
//! dictionary file.

use super::lint::Linter::*;
use super::{AiDef, Component};
use crate::cset::Cset::{Cset39, Cset64, Cset82, Numeric};

const fn n(len: u8) -> Component {
    Component::fixed(Numeric, len)
}
const fn n_upto(max: u8) -> Component {
    Component::upto(Numeric, max)
}
const fn x(len: u8) -> Component {
    Component::fixed(Cset82, len)
}
const fn x_upto(max: u8) -> Component {
    Component::upto(Cset82, max)
}
const fn y_upto(max: u8) -> Component {
    Component::upto(Cset39, max)
}
const fn z_upto(max: u8) -> Component {
    Component::upto(Cset64, max)
}

/// Keys with a mod-10 check digit, a company prefix after an indicator digit (GTIN-like) or
/// at the start (GLN-like).
const GTIN: &[Component] = &[n(14).lint(&[Csum, GcpPos2])];
const GLN: &[Component] = &[n(13).lint(&[Csum, GcpPos1])];
const DATE_D0: &[Component] = &[n(6).lint(&[Yymmd0])];
const COUNTRY: &[Component] = &[n(3).lint(&[Iso3166])];
const COUNTRIES: &[Component] = &[
    n(3).lint(&[Iso3166]),
    n(3).lint(&[Iso3166]).optional(),
    n(3).lint(&[Iso3166]).optional(),
    n(3).lint(&[Iso3166]).optional(),
    n(3).lint(&[Iso3166]).optional(),
];
const TEMPERATURE: &[Component] = &[n(6), x(1).lint(&[Hyphen]).optional()];
const PROCESSOR: &[Component] = &[n(3).lint(&[Iso3166With999]), x_upto(27)];
const CERTIFICATE: &[Component] = &[x(2), x_upto(28)];
const PERSON_NAME: &[Component] = &[x_upto(40).lint(&[Pcenc])];
const TEXT_35: &[Component] = &[x_upto(35).lint(&[Pcenc])];
const TEXT_70: &[Component] = &[x_upto(70).lint(&[Pcenc])];
const SIX_DIGITS: &[Component] = &[n(6)];

/// A trade measure: six AIs `{prefix}0`–`{prefix}5` (the last digit places the decimal
/// point), N6, excluding the other AIs of the same measure.
macro_rules! measure {
    ($prefix:literal, $requires:literal, $title:literal) => {
        AiDef::range(
            concat!($prefix, "0"),
            concat!($prefix, "5"),
            "*?",
            SIX_DIGITS,
            $title,
        )
        .req($requires)
        .ex(concat!($prefix, "n"))
    };
}

pub static TABLE: &[AiDef] = &[
    AiDef::new("00", "*?", &[n(18).lint(&[Csum, GcpPos2])], "SSCC").dl_key(""),
    AiDef::new("01", "*?", GTIN, "GTIN")
        .ex("255,37")
        .dl_key("22,10,21|235"),
    AiDef::new("02", "*?", GTIN, "CONTENT")
        .ex("01,03")
        .req("37"),
    AiDef::new("03", "*", GTIN, "MTO GTIN").ex("01,02,37"),
    AiDef::new("10", "?", &[x_upto(20)], "BATCH/LOT").req("01,02,03,8006,8026"),
    AiDef::new("11", "*?", DATE_D0, "PROD DATE").req("01,02,03,8006,8026"),
    AiDef::new("12", "*?", DATE_D0, "DUE DATE").req("8020"),
    AiDef::new("13", "*?", DATE_D0, "PACK DATE").req("01,02,03,8006,8026"),
    AiDef::new("15", "*?", DATE_D0, "BEST BEFORE or BEST BY").req("01,02,03,8006,8026"),
    AiDef::new("16", "*?", DATE_D0, "SELL BY").req("01,02,03,8006,8026"),
    AiDef::new("17", "*?", DATE_D0, "USE BY or EXPIRY").req("01,02,03,255,8006,8026"),
    AiDef::new("20", "*?", &[n(2)], "VARIANT").req("01,02,8006,8026"),
    AiDef::new("21", "", &[x_upto(20)], "SERIAL")
        .req("01,03,8006")
        .ex("235"),
    AiDef::new("22", "", &[x_upto(20)], "CPV").req("01"),
    AiDef::new("235", "", &[x_upto(28)], "TPX").req("01"),
    AiDef::new("240", "?", &[x_upto(30)], "ADDITIONAL ID").req("01,02,8006,8026"),
    AiDef::new("241", "?", &[x_upto(30)], "CUST. PART No.").req("01,02,8006,8026"),
    AiDef::new("242", "?", &[n_upto(6)], "MTO VARIANT").req("01,02,8006,8026"),
    AiDef::new("243", "?", &[x_upto(20)], "PCN").req("01"),
    AiDef::new("250", "?", &[x_upto(30)], "SECONDARY SERIAL")
        .req("01,8006")
        .req("21"),
    AiDef::new("251", "?", &[x_upto(30)], "REF. TO SOURCE").req("01,8006"),
    AiDef::new(
        "253",
        "?",
        &[n(13).lint(&[Csum, GcpPos1]), x_upto(17).optional()],
        "GDTI",
    )
    .dl_key(""),
    AiDef::new("254", "", &[x_upto(20)], "GLN EXTENSION COMPONENT").req("414"),
    AiDef::new(
        "255",
        "?",
        &[n(13).lint(&[Csum, GcpPos1]), n_upto(12).optional()],
        "GCN",
    )
    .dl_key("")
    .ex("01,02,415,8006,8020,8026"),
    AiDef::new("30", "?", &[n_upto(8)], "VAR. COUNT").req("01,02"),
    measure!("310", "01,02", "NET WEIGHT (kg)"),
    measure!("311", "01,02", "LENGTH (m)"),
    measure!("312", "01,02", "WIDTH (m)"),
    measure!("313", "01,02", "HEIGHT (m)"),
    measure!("314", "01,02", "AREA (m²)"),
    measure!("315", "01,02", "NET VOLUME (l)"),
    measure!("316", "01,02", "NET VOLUME (m³)"),
    measure!("320", "01,02", "NET WEIGHT (lb)"),
    measure!("321", "01,02", "LENGTH (in)"),
    measure!("322", "01,02", "LENGTH (ft)"),
    measure!("323", "01,02", "LENGTH (yd)"),
    measure!("324", "01,02", "WIDTH (in)"),
    measure!("325", "01,02", "WIDTH (ft)"),
    measure!("326", "01,02", "WIDTH (yd)"),
    measure!("327", "01,02", "HEIGHT (in)"),
    measure!("328", "01,02", "HEIGHT (ft)"),
    measure!("329", "01,02", "HEIGHT (yd)"),
    measure!("330", "00,01", "GROSS WEIGHT (kg)"),
    measure!("331", "00,01", "LENGTH (m), log"),
    measure!("332", "00,01", "WIDTH (m), log"),
    measure!("333", "00,01", "HEIGHT (m), log"),
    measure!("334", "00,01", "AREA (m²), log"),
    measure!("335", "00,01", "VOLUME (l), log"),
    measure!("336", "00,01", "VOLUME (m³), log"),
    measure!("337", "01", "KG PER m²"),
    measure!("340", "00,01", "GROSS WEIGHT (lb)"),
    measure!("341", "00,01", "LENGTH (in), log"),
    measure!("342", "00,01", "LENGTH (ft), log"),
    measure!("343", "00,01", "LENGTH (yd), log"),
    measure!("344", "00,01", "WIDTH (in), log"),
    measure!("345", "00,01", "WIDTH (ft), log"),
    measure!("346", "00,01", "WIDTH (yd), log"),
    measure!("347", "00,01", "HEIGHT (in), log"),
    measure!("348", "00,01", "HEIGHT (ft), log"),
    measure!("349", "00,01", "HEIGHT (yd), log"),
    measure!("350", "01,02", "AREA (in²)"),
    measure!("351", "01,02", "AREA (ft²)"),
    measure!("352", "01,02", "AREA (yd²)"),
    measure!("353", "00,01", "AREA (in²), log"),
    measure!("354", "00,01", "AREA (ft²), log"),
    measure!("355", "00,01", "AREA (yd²), log"),
    measure!("356", "01,02", "NET WEIGHT (tr oz)"),
    measure!("357", "01,02", "NET VOLUME (oz)"),
    measure!("360", "01,02", "NET VOLUME (qt (US))"),
    measure!("361", "01,02", "NET VOLUME (gal.)"),
    measure!("362", "00,01", "VOLUME (qt (US)), log"),
    measure!("363", "00,01", "VOLUME (gal (US)), log"),
    measure!("364", "01,02", "NET VOLUME (in³)"),
    measure!("365", "01,02", "NET VOLUME (ft³)"),
    measure!("366", "01,02", "NET VOLUME (yd³)"),
    measure!("367", "00,01", "VOLUME (in³), log"),
    measure!("368", "00,01", "VOLUME (ft³), log"),
    measure!("369", "00,01", "VOLUME (yd³), log"),
    AiDef::new("37", "?", &[n_upto(8)], "COUNT")
        .req("00")
        .req("02,8026"),
    AiDef::range("3900", "3909", "?", &[n_upto(15)], "AMOUNT")
        .req("255,8020")
        .ex("390n,391n,394n,8111"),
    AiDef::range(
        "3910",
        "3919",
        "?",
        &[n(3).lint(&[Iso4217]), n_upto(15)],
        "AMOUNT",
    )
    .req("8020")
    .ex("391n"),
    AiDef::range("3920", "3929", "?", &[n_upto(15)], "PRICE")
        .req("01")
        .req("30,31nn,32nn,35nn,36nn")
        .ex("392n,393n"),
    AiDef::range(
        "3930",
        "3939",
        "?",
        &[n(3).lint(&[Iso4217]), n_upto(15)],
        "PRICE",
    )
    .req("30,31nn,32nn,35nn,36nn")
    .ex("393n"),
    AiDef::range("3940", "3943", "?", &[n(4)], "PRCNT OFF")
        .req("255")
        .ex("394n,8111"),
    AiDef::range("3950", "3955", "?", SIX_DIGITS, "PRICE/UoM")
        .req("30,31nn,32nn,35nn,36nn")
        .ex("392n,393n,395n,8005"),
    AiDef::new("400", "?", &[x_upto(30)], "ORDER NUMBER"),
    AiDef::new("401", "?", &[x_upto(30).lint(&[GcpPos1])], "GINC").dl_key(""),
    AiDef::new("402", "?", &[n(17).lint(&[Csum, GcpPos1])], "GSIN").dl_key(""),
    AiDef::new("403", "?", &[x_upto(30)], "ROUTE").req("00"),
    AiDef::new("410", "*?", GLN, "SHIP TO LOC"),
    AiDef::new("411", "*?", GLN, "BILL TO"),
    AiDef::new("412", "*?", GLN, "PURCHASE FROM"),
    AiDef::new("413", "*?", GLN, "SHIP FOR LOC"),
    AiDef::new("414", "*?", GLN, "LOC No.").dl_key("254|7040"),
    AiDef::new("415", "*?", GLN, "PAY TO")
        .req("8020")
        .dl_key("8020"),
    AiDef::new("416", "*?", GLN, "PROD/SERV LOC"),
    AiDef::new("417", "*?", GLN, "PARTY").dl_key("7040"),
    AiDef::new("420", "?", &[x_upto(20)], "SHIP TO POST").ex("421"),
    AiDef::new(
        "421",
        "?",
        &[n(3).lint(&[Iso3166]), x_upto(9)],
        "SHIP TO POST",
    )
    .ex("4307"),
    AiDef::new("422", "?", COUNTRY, "ORIGIN")
        .req("01,02,8006,8026")
        .ex("426"),
    AiDef::new("423", "?", COUNTRIES, "COUNTRY - INITIAL PROCESS")
        .req("01,02")
        .ex("426"),
    AiDef::new("424", "?", COUNTRY, "COUNTRY - PROCESS")
        .req("01,02")
        .ex("426"),
    AiDef::new("425", "?", COUNTRIES, "COUNTRY - DISASSEMBLY")
        .req("01,02")
        .ex("426"),
    AiDef::new("426", "?", COUNTRY, "COUNTRY - FULL PROCESS").req("01,02"),
    AiDef::new("427", "?", &[x_upto(3)], "ORIGIN SUBDIVISION")
        .req("01,02")
        .req("422"),
    AiDef::new("4300", "?", TEXT_35, "SHIP TO COMP").req("00"),
    AiDef::new("4301", "?", TEXT_35, "SHIP TO NAME").req("00"),
    AiDef::new("4302", "?", TEXT_70, "SHIP TO ADD1").req("00"),
    AiDef::new("4303", "?", TEXT_70, "SHIP TO ADD2").req("4302"),
    AiDef::new("4304", "?", TEXT_70, "SHIP TO SUB").req("00"),
    AiDef::new("4305", "?", TEXT_70, "SHIP TO LOC").req("00"),
    AiDef::new("4306", "?", TEXT_70, "SHIP TO REG").req("00"),
    AiDef::new(
        "4307",
        "?",
        &[x(2).lint(&[Iso3166Alpha2])],
        "SHIP TO COUNTRY",
    )
    .req("00"),
    AiDef::new("4308", "?", &[x_upto(30)], "SHIP TO PHONE").req("00"),
    AiDef::new(
        "4309",
        "?",
        &[n(10).lint(&[Latitude]), n(10).lint(&[Longitude])],
        "SHIP TO GEO",
    )
    .req("00"),
    AiDef::new("4310", "?", TEXT_35, "RTN TO COMP").req("00"),
    AiDef::new("4311", "?", TEXT_35, "RTN TO NAME").req("00"),
    AiDef::new("4312", "?", TEXT_70, "RTN TO ADD1").req("00"),
    AiDef::new("4313", "?", TEXT_70, "RTN TO ADD2").req("4312"),
    AiDef::new("4314", "?", TEXT_70, "RTN TO SUB").req("00"),
    AiDef::new("4315", "?", TEXT_70, "RTN TO LOC").req("00"),
    AiDef::new("4316", "?", TEXT_70, "RTN TO REG").req("00"),
    AiDef::new(
        "4317",
        "?",
        &[x(2).lint(&[Iso3166Alpha2])],
        "RTN TO COUNTRY",
    )
    .req("00"),
    AiDef::new("4318", "?", &[x_upto(20)], "RTN TO POST").req("00"),
    AiDef::new("4319", "?", &[x_upto(30)], "RTN TO PHONE").req("00"),
    AiDef::new("4320", "?", TEXT_35, "SRV DESCRIPTION").req("00"),
    AiDef::new("4321", "?", &[n(1).lint(&[YesNo])], "DANGEROUS GOODS").req("00"),
    AiDef::new("4322", "?", &[n(1).lint(&[YesNo])], "AUTH TO LEAVE").req("00"),
    AiDef::new("4323", "?", &[n(1).lint(&[YesNo])], "SIG REQUIRED").req("00"),
    AiDef::new(
        "4324",
        "?",
        &[n(6).lint(&[Yymmd0]), n(4).lint(&[Hhmi])],
        "NOT BEF DEL DT",
    )
    .req("00"),
    AiDef::new(
        "4325",
        "?",
        &[n(6).lint(&[Yymmd0]), n(4).lint(&[Hhmi])],
        "NOT AFT DEL DT",
    )
    .req("00"),
    AiDef::new("4326", "?", &[n(6).lint(&[Yymmdd])], "REL DATE").req("00"),
    AiDef::new("4330", "?", TEMPERATURE, "MAX TEMP F.")
        .req("00")
        .ex("4331"),
    AiDef::new("4331", "?", TEMPERATURE, "MAX TEMP C.")
        .req("00")
        .ex("4330"),
    AiDef::new("4332", "?", TEMPERATURE, "MIN TEMP F.")
        .req("00")
        .ex("4333"),
    AiDef::new("4333", "?", TEMPERATURE, "MIN TEMP C.")
        .req("00")
        .ex("4332"),
    AiDef::new("7001", "?", &[n(13)], "NSN").req("01,02,8006,8026"),
    AiDef::new("7002", "?", &[x_upto(30)], "MEAT CUT").req("01,02"),
    AiDef::new(
        "7003",
        "?",
        &[n(6).lint(&[Yymmdd]), n(4).lint(&[Hhmi])],
        "EXPIRY TIME",
    )
    .req("01,02"),
    AiDef::new("7004", "?", &[n_upto(4)], "ACTIVE POTENCY").req("01+10"),
    AiDef::new("7005", "?", &[x_upto(12)], "CATCH AREA").req("01,02"),
    AiDef::new("7006", "?", &[n(6).lint(&[Yymmdd])], "FIRST FREEZE DATE").req("01,02"),
    AiDef::new(
        "7007",
        "?",
        &[n(6).lint(&[Yymmdd]), n(6).lint(&[Yymmdd]).optional()],
        "HARVEST DATE",
    )
    .req("01,02"),
    AiDef::new("7008", "?", &[x_upto(3)], "AQUATIC SPECIES").req("01,02"),
    AiDef::new("7009", "?", &[x_upto(10)], "FISHING GEAR TYPE").req("01,02"),
    AiDef::new("7010", "?", &[x_upto(2)], "PROD METHOD").req("01,02"),
    AiDef::new(
        "7011",
        "?",
        &[n(6).lint(&[Yymmdd]), n(4).lint(&[Hhmi]).optional()],
        "TEST BY DATE",
    )
    .req("01,02"),
    AiDef::new("7020", "?", &[x_upto(20)], "REFURB LOT")
        .req("01,8006")
        .req("416"),
    AiDef::new("7021", "?", &[x_upto(20)], "FUNC STAT").req("01,8006"),
    AiDef::new("7022", "?", &[x_upto(20)], "REV STAT").req("7021"),
    AiDef::new(
        "7023",
        "?",
        &[x_upto(30).lint(&[GcpPos1])],
        "GIAI - ASSEMBLY",
    ),
    AiDef::new("7030", "?", PROCESSOR, "PROCESSOR # 0").req("01,02"),
    AiDef::new("7031", "?", PROCESSOR, "PROCESSOR # 1").req("01,02"),
    AiDef::new("7032", "?", PROCESSOR, "PROCESSOR # 2").req("01,02"),
    AiDef::new("7033", "?", PROCESSOR, "PROCESSOR # 3").req("01,02"),
    AiDef::new("7034", "?", PROCESSOR, "PROCESSOR # 4").req("01,02"),
    AiDef::new("7035", "?", PROCESSOR, "PROCESSOR # 5").req("01,02"),
    AiDef::new("7036", "?", PROCESSOR, "PROCESSOR # 6").req("01,02"),
    AiDef::new("7037", "?", PROCESSOR, "PROCESSOR # 7").req("01,02"),
    AiDef::new("7038", "?", PROCESSOR, "PROCESSOR # 8").req("01,02"),
    AiDef::new("7039", "?", PROCESSOR, "PROCESSOR # 9").req("01,02"),
    AiDef::new(
        "7040",
        "",
        &[n(1), x(1), x(1), x(1).lint(&[ImporterIdx])],
        "UIC+EXT",
    ),
    AiDef::new(
        "7041",
        "",
        &[x_upto(4).lint(&[PackageType])],
        "UFRGT UNIT TYPE",
    )
    .req("00"),
    AiDef::new("710", "?", &[x_upto(20)], "NHRN PZN").req("01"),
    AiDef::new("711", "?", &[x_upto(20)], "NHRN CIP").req("01"),
    AiDef::new("712", "?", &[x_upto(20)], "NHRN CN").req("01"),
    AiDef::new("713", "?", &[x_upto(20)], "NHRN DRN").req("01"),
    AiDef::new("714", "?", &[x_upto(20)], "NHRN AIM").req("01"),
    AiDef::new("715", "?", &[x_upto(20)], "NHRN NDC").req("01"),
    AiDef::new("716", "?", &[x_upto(20)], "NHRN AIC").req("01"),
    AiDef::new("717", "?", &[x_upto(20)], "NHRN SRN").req("01"),
    AiDef::new("7230", "?", CERTIFICATE, "CERT # 1").req("01,8004"),
    AiDef::new("7231", "?", CERTIFICATE, "CERT # 2").req("01,8004"),
    AiDef::new("7232", "?", CERTIFICATE, "CERT # 3").req("01,8004"),
    AiDef::new("7233", "?", CERTIFICATE, "CERT # 4").req("01,8004"),
    AiDef::new("7234", "?", CERTIFICATE, "CERT # 5").req("01,8004"),
    AiDef::new("7235", "?", CERTIFICATE, "CERT # 6").req("01,8004"),
    AiDef::new("7236", "?", CERTIFICATE, "CERT # 7").req("01,8004"),
    AiDef::new("7237", "?", CERTIFICATE, "CERT # 8").req("01,8004"),
    AiDef::new("7238", "?", CERTIFICATE, "CERT # 9").req("01,8004"),
    AiDef::new("7239", "?", CERTIFICATE, "CERT # 10").req("01,8004"),
    AiDef::new("7240", "?", &[x_upto(20)], "PROTOCOL").req("01,8006"),
    AiDef::new("7241", "?", &[n(2).lint(&[MediaType])], "AIDC MEDIA TYPE").req("8017,8018"),
    AiDef::new("7242", "?", &[x_upto(25)], "VCN").req("8017,8018"),
    AiDef::new("7250", "?", &[n(8).lint(&[Yyyymmdd])], "DOB")
        .req("8018")
        .ex("7251"),
    AiDef::new(
        "7251",
        "?",
        &[n(8).lint(&[Yyyymmdd]), n(4).lint(&[Hhmi])],
        "DOB TIME",
    )
    .req("8018")
    .ex("7250"),
    AiDef::new("7252", "?", &[n(1).lint(&[Iso5218])], "BIO SEX").req("8018"),
    AiDef::new("7253", "?", PERSON_NAME, "FAMILY NAME")
        .req("8017,8018")
        .ex("7256,7259"),
    AiDef::new("7254", "?", PERSON_NAME, "GIVEN NAME")
        .req("8017,8018")
        .ex("7256,7259"),
    AiDef::new("7255", "?", &[x_upto(10)], "SUFFIX")
        .req("8017,8018")
        .ex("7256,7259"),
    AiDef::new("7256", "?", &[x_upto(90).lint(&[Pcenc])], "FULL NAME").req("8017,8018"),
    AiDef::new("7257", "?", TEXT_70, "PERSON ADDR").req("8018"),
    AiDef::new(
        "7258",
        "?",
        &[x(3).lint(&[PosInSeqSlash])],
        "BIRTH SEQUENCE",
    )
    .req("8018+7259"),
    AiDef::new("7259", "?", PERSON_NAME, "BABY")
        .req("8018")
        .ex("7256"),
    AiDef::new(
        "8001",
        "?",
        &[
            n(4).lint(&[NonZero]),
            n(5).lint(&[NonZero]),
            n(3).lint(&[NonZero]),
            n(1).lint(&[Winding]),
            n(1),
        ],
        "DIMENSIONS",
    )
    .req("01"),
    AiDef::new("8002", "?", &[x_upto(20)], "CMT No."),
    AiDef::new(
        "8003",
        "?",
        &[
            n(1).lint(&[Zero]),
            n(13).lint(&[Csum, GcpPos1]),
            x_upto(16).optional(),
        ],
        "GRAI",
    )
    .dl_key(""),
    AiDef::new("8004", "?", &[x_upto(30).lint(&[GcpPos1])], "GIAI").dl_key("7040"),
    AiDef::new("8005", "?", SIX_DIGITS, "PRICE PER UNIT").req("01,02"),
    AiDef::new(
        "8006",
        "?",
        &[n(14).lint(&[Csum, GcpPos2]), n(4).lint(&[PieceOfTotal])],
        "ITIP",
    )
    .ex("01,37")
    .dl_key("22,10,21"),
    AiDef::new("8007", "?", &[x_upto(34).lint(&[Iban])], "IBAN").req("415"),
    AiDef::new(
        "8008",
        "?",
        &[
            n(6).lint(&[Yymmdd]),
            n(2).lint(&[Hh]),
            n(2).lint(&[Mi]).optional(),
            n(2).lint(&[Ss]).optional(),
        ],
        "PROD TIME",
    )
    .req("01,02"),
    AiDef::new("8009", "?", &[x_upto(50)], "OPTSEN").req("00,01"),
    AiDef::new("8010", "?", &[y_upto(30).lint(&[GcpPos1])], "CPID").dl_key("8011"),
    AiDef::new(
        "8011",
        "",
        &[n_upto(12).lint(&[NoZeroPrefix])],
        "CPID SERIAL",
    )
    .req("8010"),
    AiDef::new("8012", "?", &[x_upto(20)], "VERSION").req("01,8006"),
    AiDef::new(
        "8013",
        "?",
        &[x_upto(25).lint(&[CsumAlpha, GcpPos1])],
        "GMN",
    )
    .dl_key(""),
    AiDef::new(
        "8014",
        "",
        &[x_upto(25).lint(&[CsumAlpha, GcpPos1, HasNonDigit])],
        "MUDI",
    )
    .req("01"),
    AiDef::new(
        "8017",
        "?",
        &[n(18).lint(&[Csum, GcpPos1])],
        "GSRN - PROVIDER",
    )
    .ex("8018")
    .dl_key("8019"),
    AiDef::new(
        "8018",
        "?",
        &[n(18).lint(&[Csum, GcpPos1])],
        "GSRN - RECIPIENT",
    )
    .ex("8017")
    .dl_key("8019"),
    AiDef::new("8019", "", &[n_upto(10)], "SRIN").req("8017,8018"),
    AiDef::new("8020", "", &[x_upto(25)], "REF No.").req("415"),
    AiDef::new(
        "8026",
        "?",
        &[n(14).lint(&[Csum, GcpPos2]), n(4).lint(&[PieceOfTotal])],
        "ITIP CONTENT",
    )
    .req("37")
    .ex("02,8006"),
    AiDef::new("8030", "?", &[z_upto(90)], "DIGSIG")
        .req("00,01+21,253,255,8003,8004,8006+21,8010+8011,8017,8018"),
    AiDef::new("8040", "", &[n(15)], "IMEI").req("01+21"),
    AiDef::new("8041", "", &[n(15)], "IMEI2").req("01+21+8040"),
    AiDef::new("8042", "", &[n(32)], "ESIM").req("01+21+8040"),
    AiDef::new("8043", "", &[n(18), n_upto(2).optional()], "PSIM").req("01+21+8040"),
    AiDef::new("8110", "?", &[x_upto(70).lint(&[CouponCode])], ""),
    AiDef::new("8111", "?", &[n(4)], "POINTS").req("255"),
    AiDef::new("8112", "?", &[x_upto(70).lint(&[CouponPosOffer])], ""),
    AiDef::new("8200", "", &[x_upto(70)], "PRODUCT URL").req("01"),
    AiDef::new("90", "?", &[x_upto(30)], "INTERNAL"),
    AiDef::range("91", "99", "?", &[x_upto(90)], "INTERNAL"),
];
