//! The North American coupon codes of AIs (8110) and (8112), per the GS1 US coupon
//! application guidelines: a run of fields, most introduced by a variable-length indicator
//! (VLI) digit that gives the length of the field after it.

use std::fmt;

use super::lint::{LintError, LintKind, digits_only};

/// What is wrong in a coupon code, named as the GS1 Syntax Engine names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CouponError {
    MissingGcpVli,
    InvalidGcpLength,
    TruncatedGcp,
    TruncatedOfferCode,
    MissingSaveValueVli,
    InvalidSaveValueLength,
    TruncatedSaveValue,
    MissingPurchaseRequirementVli(u8),
    InvalidPurchaseRequirementLength(u8),
    TruncatedPurchaseRequirement(u8),
    MissingPurchaseRequirementCode(u8),
    InvalidPurchaseRequirementCode(u8),
    TruncatedPurchaseFamilyCode(u8),
    MissingAdditionalPurchaseRulesCode,
    InvalidAdditionalPurchaseRulesCode,
    MissingPurchaseGcpVli(u8),
    InvalidPurchaseGcpLength(u8),
    TruncatedPurchaseGcp(u8),
    TooShortForExpirationDate,
    InvalidExpirationDate,
    TooShortForStartDate,
    InvalidStartDate,
    ExpirationBeforeStart,
    MissingSerialNumberVli,
    TruncatedSerialNumber,
    MissingRetailerGcpOrGlnVli,
    InvalidRetailerGcpOrGlnLength,
    TruncatedRetailerGcpOrGln,
    MissingSaveValueCode,
    InvalidSaveValueCode,
    MissingSaveValueAppliesToItem,
    InvalidSaveValueAppliesToItem,
    MissingStoreCouponFlag,
    MissingDontMultiplyFlag,
    InvalidDontMultiplyFlag,
    ExcessData,
    InvalidFormatCode,
    MissingFunderVli,
    InvalidFunderLength,
    TruncatedFunder,
}

impl CouponError {
    /// The GS1 Syntax Engine's name for this error.
    pub fn code(self) -> &'static str {
        use CouponError::*;
        match self {
            MissingGcpVli => "COUPON_MISSING_GCP_VLI",
            InvalidGcpLength => "COUPON_INVALID_GCP_LENGTH",
            TruncatedGcp => "COUPON_TRUNCATED_GCP",
            TruncatedOfferCode => "COUPON_TRUNCATED_OFFER_CODE",
            MissingSaveValueVli => "COUPON_MISSING_SAVE_VALUE_VLI",
            InvalidSaveValueLength => "COUPON_INVALID_SAVE_VALUE_LENGTH",
            TruncatedSaveValue => "COUPON_TRUNCATED_SAVE_VALUE",
            MissingPurchaseRequirementVli(n) => pick(
                n,
                [
                    "COUPON_MISSING_1ST_PURCHASE_REQUIREMENT_VLI",
                    "COUPON_MISSING_2ND_PURCHASE_REQUIREMENT_VLI",
                    "COUPON_MISSING_3RD_PURCHASE_REQUIREMENT_VLI",
                ],
            ),
            InvalidPurchaseRequirementLength(n) => pick(
                n,
                [
                    "COUPON_INVALID_1ST_PURCHASE_REQUIREMENT_LENGTH",
                    "COUPON_INVALID_2ND_PURCHASE_REQUIREMENT_LENGTH",
                    "COUPON_INVALID_3RD_PURCHASE_REQUIREMENT_LENGTH",
                ],
            ),
            TruncatedPurchaseRequirement(n) => pick(
                n,
                [
                    "COUPON_TRUNCATED_1ST_PURCHASE_REQUIREMENT",
                    "COUPON_TRUNCATED_2ND_PURCHASE_REQUIREMENT",
                    "COUPON_TRUNCATED_3RD_PURCHASE_REQUIREMENT",
                ],
            ),
            MissingPurchaseRequirementCode(n) => pick(
                n,
                [
                    "COUPON_MISSING_1ST_PURCHASE_REQUIREMENT_CODE",
                    "COUPON_MISSING_2ND_PURCHASE_REQUIREMENT_CODE",
                    "COUPON_MISSING_3RD_PURCHASE_REQUIREMENT_CODE",
                ],
            ),
            InvalidPurchaseRequirementCode(n) => pick(
                n,
                [
                    "COUPON_INVALID_1ST_PURCHASE_REQUIREMENT_CODE",
                    "COUPON_INVALID_2ND_PURCHASE_REQUIREMENT_CODE",
                    "COUPON_INVALID_3RD_PURCHASE_REQUIREMENT_CODE",
                ],
            ),
            TruncatedPurchaseFamilyCode(n) => pick(
                n,
                [
                    "COUPON_TRUNCATED_1ST_PURCHASE_FAMILY_CODE",
                    "COUPON_TRUNCATED_2ND_PURCHASE_FAMILY_CODE",
                    "COUPON_TRUNCATED_3RD_PURCHASE_FAMILY_CODE",
                ],
            ),
            MissingAdditionalPurchaseRulesCode => "COUPON_MISSING_ADDITIONAL_PURCHASE_RULES_CODE",
            InvalidAdditionalPurchaseRulesCode => "COUPON_INVALID_ADDITIONAL_PURCHASE_RULES_CODE",
            MissingPurchaseGcpVli(n) => pick(
                n,
                [
                    "COUPON_MISSING_1ST_PURCHASE_GCP_VLI",
                    "COUPON_MISSING_2ND_PURCHASE_GCP_VLI",
                    "COUPON_MISSING_3RD_PURCHASE_GCP_VLI",
                ],
            ),
            InvalidPurchaseGcpLength(n) => pick(
                n,
                [
                    "COUPON_INVALID_1ST_PURCHASE_GCP_LENGTH",
                    "COUPON_INVALID_2ND_PURCHASE_GCP_LENGTH",
                    "COUPON_INVALID_3RD_PURCHASE_GCP_LENGTH",
                ],
            ),
            TruncatedPurchaseGcp(n) => pick(
                n,
                [
                    "COUPON_TRUNCATED_1ST_PURCHASE_GCP",
                    "COUPON_TRUNCATED_2ND_PURCHASE_GCP",
                    "COUPON_TRUNCATED_3RD_PURCHASE_GCP",
                ],
            ),
            TooShortForExpirationDate => "COUPON_TOO_SHORT_FOR_EXPIRATION_DATE",
            // Spelled as the engine spells it.
            InvalidExpirationDate => "COUPON_INVALID_EXIPIRATION_DATE",
            TooShortForStartDate => "COUPON_TOO_SHORT_FOR_START_DATE",
            InvalidStartDate => "COUPON_INVALID_START_DATE",
            ExpirationBeforeStart => "COUPON_EXPIRATION_BEFORE_START",
            MissingSerialNumberVli => "COUPON_MISSING_SERIAL_NUMBER_VLI",
            TruncatedSerialNumber => "COUPON_TRUNCATED_SERIAL_NUMBER",
            MissingRetailerGcpOrGlnVli => "COUPON_MISSING_RETAILER_GCP_OR_GLN_VLI",
            InvalidRetailerGcpOrGlnLength => "COUPON_INVALID_RETAILER_GCP_OR_GLN_LENGTH",
            TruncatedRetailerGcpOrGln => "COUPON_TRUNCATED_RETAILER_GCP_OR_GLN",
            MissingSaveValueCode => "COUPON_MISSING_SAVE_VALUE_CODE",
            InvalidSaveValueCode => "COUPON_INVALID_SAVE_VALUE_CODE",
            MissingSaveValueAppliesToItem => "COUPON_MISSING_SAVE_VALUE_APPLIES_TO_ITEM",
            InvalidSaveValueAppliesToItem => "COUPON_INVALID_SAVE_VALUE_APPLIES_TO_ITEM",
            MissingStoreCouponFlag => "COUPON_MISSING_STORE_COUPON_FLAG",
            MissingDontMultiplyFlag => "COUPON_MISSING_DONT_MULTIPLY_FLAG",
            InvalidDontMultiplyFlag => "COUPON_INVALID_DONT_MULTIPLY_FLAG",
            ExcessData => "COUPON_EXCESS_DATA",
            InvalidFormatCode => "COUPON_INVALID_FORMAT_CODE",
            MissingFunderVli => "COUPON_MISSING_FUNDER_VLI",
            InvalidFunderLength => "COUPON_INVALID_FUNDER_LENGTH",
            TruncatedFunder => "COUPON_TRUNCATED_FUNDER",
        }
    }
}

fn pick(n: u8, names: [&'static str; 3]) -> &'static str {
    names[usize::from(n.clamp(1, 3)) - 1]
}

impl fmt::Display for CouponError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The engine's names read well enough as sentences once de-shouted.
        let words = self
            .code()
            .trim_start_matches("COUPON_")
            .replace("EXIPIRATION", "EXPIRATION")
            .replace('_', " ")
            .to_lowercase();
        f.write_str(&words)
    }
}

/// A cursor over the digits of a coupon code.
struct Reader<'a> {
    digits: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn error(&self, kind: CouponError, start: usize, end: usize) -> LintError {
        LintError::at(LintKind::Coupon(kind), start, end)
    }

    fn whole(&self, kind: CouponError) -> LintError {
        self.error(kind, 0, self.digits.len())
    }

    fn at_end(&self) -> bool {
        self.pos >= self.digits.len()
    }

    fn peek(&self) -> Option<u8> {
        self.digits.get(self.pos).map(|d| d - b'0')
    }

    /// One digit, or `missing` (reported over the whole code) if the data ran out.
    fn digit(&mut self, missing: CouponError) -> Result<u8, LintError> {
        let d = self.peek().ok_or_else(|| self.whole(missing))?;
        self.pos += 1;
        Ok(d)
    }

    /// Checks the digit just read against `valid`.
    fn check_last(&self, ok: bool, invalid: CouponError) -> Result<(), LintError> {
        if ok {
            Ok(())
        } else {
            Err(self.error(invalid, self.pos - 1, self.pos))
        }
    }

    /// `len` digits; if fewer remain, `truncated` over what there is (or over the whole
    /// code when nothing is left).
    fn field(&mut self, len: usize, truncated: CouponError) -> Result<&[u8], LintError> {
        let available = self.digits.len() - self.pos;
        if available < len {
            return Err(if available == 0 {
                self.whole(truncated)
            } else {
                self.error(truncated, self.pos, self.digits.len())
            });
        }
        let start = self.pos;
        self.pos += len;
        Ok(&self.digits[start..self.pos])
    }

    fn excess(&self) -> Result<(), LintError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.error(CouponError::ExcessData, self.pos, self.digits.len()))
        }
    }
}

fn prepare(value: &str) -> Result<Reader<'_>, LintError> {
    digits_only(value)?;
    Ok(Reader {
        digits: value.as_bytes(),
        pos: 0,
    })
}

/// Purchase requirement codes: 0–4 and 9.
fn valid_requirement_code(d: u8) -> bool {
    d <= 4 || d == 9
}

fn is_valid_date(yymmdd: &[u8]) -> bool {
    let n = |s: &[u8]| s.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0'));
    let (yy, mm, dd) = (n(&yymmdd[..2]), n(&yymmdd[2..4]), n(&yymmdd[4..]));
    let days = match mm {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if yy.is_multiple_of(4) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&dd)
}

/// A purchase requirement: VLI (1–5), value, requirement code, family code.
fn purchase_requirement(r: &mut Reader<'_>, n: u8) -> Result<(), LintError> {
    use CouponError::*;
    let vli = r.digit(MissingPurchaseRequirementVli(n))?;
    r.check_last((1..=5).contains(&vli), InvalidPurchaseRequirementLength(n))?;
    r.field(usize::from(vli), TruncatedPurchaseRequirement(n))?;
    let code = r.digit(MissingPurchaseRequirementCode(n))?;
    r.check_last(
        valid_requirement_code(code),
        InvalidPurchaseRequirementCode(n),
    )?;
    r.field(3, TruncatedPurchaseFamilyCode(n))?;
    Ok(())
}

/// The company prefix of an additional purchase: VLI 0–6 for 6–12 digits, or 9 for "the
/// primary company prefix".
fn purchase_gcp(r: &mut Reader<'_>, n: u8) -> Result<(), LintError> {
    use CouponError::*;
    let vli = r.digit(MissingPurchaseGcpVli(n))?;
    if vli == 9 {
        return Ok(());
    }
    r.check_last(vli <= 6, InvalidPurchaseGcpLength(n))?;
    r.field(6 + usize::from(vli), TruncatedPurchaseGcp(n))?;
    Ok(())
}

fn coupon_date(
    r: &mut Reader<'_>,
    too_short: CouponError,
    invalid: CouponError,
) -> Result<(usize, [u8; 6]), LintError> {
    let start = r.pos;
    let date = r.field(6, too_short)?;
    let mut out = [0u8; 6];
    out.copy_from_slice(date);
    if !is_valid_date(&out) {
        return Err(r.error(invalid, start, start + 6));
    }
    Ok((start, out))
}

/// AI (8110): the North American coupon code.
pub fn north_american(value: &str) -> Result<(), LintError> {
    use CouponError::*;
    let mut r = prepare(value)?;
    let vli = r.digit(MissingGcpVli)?;
    r.check_last(vli <= 6, InvalidGcpLength)?;
    r.field(6 + usize::from(vli), TruncatedGcp)?;
    r.field(6, TruncatedOfferCode)?;
    let vli = r.digit(MissingSaveValueVli)?;
    r.check_last((1..=5).contains(&vli), InvalidSaveValueLength)?;
    r.field(usize::from(vli), TruncatedSaveValue)?;
    purchase_requirement(&mut r, 1)?;

    // Optional fields follow in the order of their indicator digits.
    if r.peek() == Some(1) {
        r.pos += 1;
        let rules = r.digit(MissingAdditionalPurchaseRulesCode)?;
        r.check_last(rules <= 3, InvalidAdditionalPurchaseRulesCode)?;
        purchase_requirement(&mut r, 2)?;
        purchase_gcp(&mut r, 2)?;
    }
    if r.peek() == Some(2) {
        r.pos += 1;
        purchase_requirement(&mut r, 3)?;
        purchase_gcp(&mut r, 3)?;
    }
    let mut expiration = None;
    if r.peek() == Some(3) {
        r.pos += 1;
        expiration = Some(coupon_date(
            &mut r,
            TooShortForExpirationDate,
            InvalidExpirationDate,
        )?);
    }
    if r.peek() == Some(4) {
        r.pos += 1;
        let (start_pos, start) = coupon_date(&mut r, TooShortForStartDate, InvalidStartDate)?;
        if let Some((exp_pos, exp)) = expiration
            && exp < start
        {
            // Same-century YYMMDD strings order like the dates they stand for.
            return Err(r.error(ExpirationBeforeStart, exp_pos, start_pos + 6));
        }
    }
    if r.peek() == Some(5) {
        r.pos += 1;
        let vli = r.digit(MissingSerialNumberVli)?;
        r.field(6 + usize::from(vli), TruncatedSerialNumber)?;
    }
    if r.peek() == Some(6) {
        r.pos += 1;
        let vli = r.digit(MissingRetailerGcpOrGlnVli)?;
        r.check_last((1..=7).contains(&vli), InvalidRetailerGcpOrGlnLength)?;
        r.field(6 + usize::from(vli), TruncatedRetailerGcpOrGln)?;
    }
    if r.peek() == Some(9) {
        r.pos += 1;
        let code = r.digit(MissingSaveValueCode)?;
        r.check_last(matches!(code, 0 | 1 | 2 | 5 | 6), InvalidSaveValueCode)?;
        let applies = r.digit(MissingSaveValueAppliesToItem)?;
        r.check_last(applies <= 2, InvalidSaveValueAppliesToItem)?;
        r.digit(MissingStoreCouponFlag)?;
        let dont_multiply = r.digit(MissingDontMultiplyFlag)?;
        r.check_last(dont_multiply <= 1, InvalidDontMultiplyFlag)?;
    }
    r.excess()
}

/// AI (8112): a paperless coupon code for a positive offer file.
pub fn positive_offer(value: &str) -> Result<(), LintError> {
    use CouponError::*;
    let mut r = prepare(value)?;
    let format = r.digit(InvalidFormatCode)?;
    r.check_last(format <= 1, InvalidFormatCode)?;
    let vli = r.digit(MissingFunderVli)?;
    r.check_last(vli <= 6, InvalidFunderLength)?;
    r.field(6 + usize::from(vli), TruncatedFunder)?;
    r.field(6, TruncatedOfferCode)?;
    let vli = r.digit(MissingSerialNumberVli)?;
    r.field(6 + usize::from(vli), TruncatedSerialNumber)?;
    r.excess()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(result: Result<(), LintError>) -> Option<&'static str> {
        result.err().map(|e| e.kind.code())
    }

    #[test]
    fn minimal_coupon_and_its_fields() {
        // VLI 0 → 6-digit prefix, offer code, save value (VLI 1), first purchase
        // requirement (VLI 1, value, code, family).
        assert_eq!(north_american("012345612345611110123"), Ok(()));
        assert_eq!(
            code(north_american("0123456123456")),
            Some("COUPON_MISSING_SAVE_VALUE_VLI")
        );
        assert_eq!(
            code(north_american("0123456123456111101237")),
            Some("COUPON_EXCESS_DATA")
        );
        assert_eq!(
            code(north_american("01234561234561111012335006064500607")),
            Some("COUPON_EXPIRATION_BEFORE_START")
        );
        assert_eq!(
            north_american("01234561234561111012390001"),
            Ok(()),
            "miscellaneous field"
        );
    }

    #[test]
    fn truncation_points_at_what_is_there() {
        let e = north_american("01234561").unwrap_err();
        assert_eq!((e.start, e.end), (7, 8));
        let e = north_american("11234567").unwrap_err();
        assert_eq!((e.start, e.end), (0, 8));
    }

    #[test]
    fn positive_offer_file() {
        assert_eq!(positive_offer("001234561234560123456"), Ok(()));
        assert_eq!(
            code(positive_offer("301234561234560123456")),
            Some("COUPON_INVALID_FORMAT_CODE")
        );
        assert_eq!(
            code(positive_offer("07")),
            Some("COUPON_INVALID_FUNDER_LENGTH")
        );
        assert_eq!(code(positive_offer("a")), Some("NON_DIGIT_CHARACTER"));
    }
}
