//! Whether an event matches a `Query`, and EPC patterns. Pure.
//!
//! Identifiers compare in canonical form (`lotrace_gs1::canonicalize`: the Digital Link URI
//! on id.gs1.org), so an EPC URN in a query finds the event that wrote the Digital Link and
//! the other way round. A `MATCH_` value is one of:
//! - an identifier (`urn:epc:id:…`, a Digital Link URI): that identifier exactly;
//! - an EPC pattern `urn:epc:idpat:<scheme>:…` with `*` for the trailing fields:
//!   `sgtin:0614141.107346.*` every instance (and class) of the GTIN, `sgtin:0614141.*.*`
//!   every GTIN of the company prefix, `sgtin:*.*.*` every SGTIN;
//! - a Digital Link naming a product class (a GTIN, without serial or lot): the class and
//!   every lot and instance of it; a Digital Link ending in `/<AI>/*` (`…/01/…/21/*`):
//!   every identifier that continues it.
//!
//! `WD_readPoint`/`WD_bizLocation` ("with descendants") treat a GLN without extension as
//! the parent of the same GLN with every extension (`414/…/254/…`); lotrace keeps no other
//! location hierarchy.

use lotrace_epcis::{Event, IdRef, Role};

use super::params::{Query, TypedIds, normalize};

/// An identifier's canonical form. URIs of no GS1 scheme are kept as written; a GS1
/// identifier that does not parse (a bad check digit) is an error.
pub fn canonical(value: &str) -> Result<String, String> {
    lotrace_gs1::canonicalize(value)
        .map(|id| id.canonical)
        .map_err(|e| e.to_string())
}

fn canonical_or_raw(value: &str) -> String {
    canonical(value).unwrap_or_else(|_| value.to_owned())
}

/// Which identifiers of an event a `MATCH_` parameter looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchField {
    Epc,
    ParentId,
    InputEpc,
    OutputEpc,
    AnyEpc,
    EpcClass,
    InputEpcClass,
    OutputEpcClass,
    AnyEpcClass,
}

impl MatchField {
    pub fn from_param(name: &str) -> Option<MatchField> {
        Some(match name {
            "MATCH_epc" => MatchField::Epc,
            "MATCH_parentID" => MatchField::ParentId,
            "MATCH_inputEPC" => MatchField::InputEpc,
            "MATCH_outputEPC" => MatchField::OutputEpc,
            "MATCH_anyEPC" => MatchField::AnyEpc,
            "MATCH_epcClass" => MatchField::EpcClass,
            "MATCH_inputEPCClass" => MatchField::InputEpcClass,
            "MATCH_outputEPCClass" => MatchField::OutputEpcClass,
            "MATCH_anyEPCClass" => MatchField::AnyEpcClass,
            _ => return None,
        })
    }

    pub fn roles(self) -> &'static [Role] {
        match self {
            MatchField::Epc => &[Role::Epc, Role::Child],
            MatchField::ParentId => &[Role::Parent],
            MatchField::InputEpc => &[Role::Input],
            MatchField::OutputEpc => &[Role::Output],
            MatchField::AnyEpc => &[
                Role::Epc,
                Role::Child,
                Role::Parent,
                Role::Input,
                Role::Output,
            ],
            MatchField::EpcClass => &[Role::EpcClass, Role::ChildClass],
            MatchField::InputEpcClass => &[Role::InputClass],
            MatchField::OutputEpcClass => &[Role::OutputClass],
            MatchField::AnyEpcClass => &[
                Role::EpcClass,
                Role::ChildClass,
                Role::InputClass,
                Role::OutputClass,
            ],
        }
    }
}

/// One `MATCH_` value, ready to test canonical identifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// This canonical identifier.
    Exact(String),
    /// This canonical identifier or any that continues it after a `/`.
    Under(String),
    /// Identifiers that start with this (it ends with `/`).
    Prefix(String),
    /// A GS1 key: the Digital Link's primary AI, and optionally the company prefix that
    /// starts its value at `offset` (after an indicator or extension digit).
    Key {
        ai: &'static str,
        offset: usize,
        company: Option<String>,
    },
}

const DL_ORIGIN: &str = "https://id.gs1.org/";

/// (scheme, primary AI, offset of the company prefix in the AI's value).
const SCHEMES: &[(&str, &str, usize)] = &[
    ("sgtin", "01", 1),
    ("sscc", "00", 1),
    ("sgln", "414", 0),
    ("pgln", "417", 0),
    ("grai", "8003", 1),
    ("giai", "8004", 0),
    ("gsrn", "8018", 0),
    ("gsrnp", "8017", 0),
    ("gdti", "253", 0),
    ("sgcn", "255", 0),
    ("ginc", "401", 0),
    ("gsin", "402", 0),
    ("cpi", "8010", 0),
    ("itip", "8006", 1),
    ("upui", "01", 1),
];

impl Pattern {
    pub fn parse(value: &str) -> Result<Pattern, String> {
        if !lotrace_epcis::is_uri(value) {
            return Err(format!(
                "{value:?} is not a URI, an EPC pattern or a Digital Link"
            ));
        }
        // `get`, not `[..14]`: byte 14 may be inside a character (found by fuzzing).
        if value.len() > 14
            && value
                .get(..14)
                .is_some_and(|p| p.eq_ignore_ascii_case("urn:epc:idpat:"))
        {
            return epc_pattern(value);
        }
        if let Some(base) = value.strip_suffix("/*") {
            // `…/<AI>/*`: whatever continues the path.
            let (head, ai) = base
                .rsplit_once('/')
                .ok_or_else(|| format!("{value:?}: expected …/<AI>/*"))?;
            if ai.is_empty() || !ai.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{value:?}: expected …/<AI>/* with a numeric AI"));
            }
            let head = canonical(head)?;
            return Ok(Pattern::Prefix(format!("{head}/{ai}/")));
        }
        let id = lotrace_gs1::canonicalize(value).map_err(|e| e.to_string())?;
        Ok(if id.kind == lotrace_gs1::IdKind::Gtin {
            Pattern::Under(id.canonical)
        } else {
            Pattern::Exact(id.canonical)
        })
    }

    /// Whether a canonical identifier matches.
    pub fn matches(&self, id: &str) -> bool {
        match self {
            Pattern::Exact(e) => id == e,
            Pattern::Under(base) => id
                .strip_prefix(base.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
            Pattern::Prefix(p) => id.starts_with(p.as_str()),
            Pattern::Key {
                ai,
                offset,
                company,
            } => {
                let Some(path) = id.strip_prefix(DL_ORIGIN) else {
                    return false;
                };
                let mut parts = path.split('/');
                if parts.next() != Some(ai) {
                    return false;
                }
                match (company, parts.next()) {
                    (None, Some(_)) => true,
                    (Some(c), Some(value)) => value
                        .get(*offset..)
                        .is_some_and(|v| v.starts_with(c.as_str())),
                    _ => false,
                }
            }
        }
    }

    /// The canonical prefix an index can look up (`Exact`: the identifier itself), or None
    /// when only a scan can tell (`Key`).
    pub fn index_prefix(&self) -> Option<(&str, bool)> {
        match self {
            Pattern::Exact(e) => Some((e, true)),
            Pattern::Under(b) => Some((b, false)),
            // `…/<AI>/`: the range of the path before it; a prefix inside a value (GRAI
            // serials) has no range the index can bound.
            Pattern::Prefix(p) => p.strip_suffix('/').map(|base| (base, false)),
            Pattern::Key { .. } => None,
        }
    }
}

/// `urn:epc:idpat:<scheme>:<fields>`, stars trailing.
fn epc_pattern(value: &str) -> Result<Pattern, String> {
    let rest = &value[14..];
    let (scheme, body) = rest
        .split_once(':')
        .ok_or_else(|| format!("{value:?}: expected urn:epc:idpat:<scheme>:<fields>"))?;
    let &(scheme, ai, offset) = SCHEMES
        .iter()
        .find(|(s, _, _)| *s == scheme)
        .ok_or_else(|| format!("{value:?}: unknown EPC pattern scheme {scheme:?}"))?;
    let fields: Vec<&str> = body.split('.').collect();
    let first_star = fields.iter().position(|f| *f == "*");
    if fields.iter().any(|f| f.contains('*') && *f != "*") {
        return Err(format!(
            "{value:?}: a field is either a value or *, not both"
        ));
    }
    let Some(k) = first_star else {
        // No star: one identifier.
        return Ok(Pattern::Exact(canonical(&format!(
            "urn:epc:id:{scheme}:{body}"
        ))?));
    };
    if fields[k..].iter().any(|f| *f != "*") {
        return Err(format!(
            "{value:?}: only trailing fields may be * (e.g. urn:epc:idpat:sgtin:0614141.107346.*)"
        ));
    }
    match k {
        0 => Ok(Pattern::Key {
            ai,
            offset,
            company: None,
        }),
        1 => {
            let company = fields[0];
            if company.is_empty() || !company.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("{value:?}: the company prefix must be digits"));
            }
            Ok(Pattern::Key {
                ai,
                offset,
                company: Some(company.to_owned()),
            })
        }
        _ => {
            // The fields before the star name a key; a placeholder stands for the rest,
            // then comes off again (with its AI) in canonical form.
            let mut filled: Vec<&str> = fields[..k].to_vec();
            filled.extend(std::iter::repeat_n("1", fields.len() - k));
            let id = canonical(&format!("urn:epc:id:{scheme}:{}", filled.join(".")))?;
            let path = id
                .strip_prefix(DL_ORIGIN)
                .ok_or_else(|| format!("{value:?}: no Digital Link form"))?;
            let segments: Vec<&str> = path.split('/').collect();
            if segments.len() >= 4 {
                let base = segments[..segments.len() - 2].join("/");
                return Ok(Pattern::Under(format!("{DL_ORIGIN}{base}")));
            }
            // A key whose serial follows it in the same value (GRAI, 8003): the value up
            // to the placeholder.
            match id.strip_suffix('1') {
                Some(prefix) if segments.len() == 2 => Ok(Pattern::Prefix(prefix.to_owned())),
                _ => Err(format!(
                    "{value:?}: this pattern names no class of identifiers"
                )),
            }
        }
    }
}

/// Whether `event`, whose canonical identifiers are `ids`, satisfies every condition.
pub fn matches(q: &Query, event: &Event, ids: &[IdRef]) -> bool {
    use lotrace_epcis::cbv::{BUSINESS_STEPS, DISPOSITIONS, ERROR_REASONS};
    let in_list = |list: &Option<Vec<String>>, value: Option<String>| match list {
        None => true,
        Some(list) => value.is_some_and(|v| list.contains(&v)),
    };
    if let Some(types) = &q.event_types
        && !types.iter().any(|t| t == event.event_type.as_str())
    {
        return false;
    }
    if !q.event_time.contains(event.event_time.instant) {
        return false;
    }
    if q.record_time.is_set()
        && !event
            .record_time
            .as_ref()
            .is_some_and(|t| q.record_time.contains(t.instant))
    {
        return false;
    }
    if let Some(actions) = &q.actions
        && !event.action.is_some_and(|a| actions.contains(&a))
    {
        return false;
    }
    if !in_list(
        &q.biz_steps,
        event
            .biz_step
            .as_deref()
            .map(|s| normalize(&BUSINESS_STEPS, s)),
    ) || !in_list(
        &q.dispositions,
        event
            .disposition
            .as_deref()
            .map(|s| normalize(&DISPOSITIONS, s)),
    ) {
        return false;
    }
    let pd = event.persistent_disposition.as_ref();
    let any_in = |list: &Option<Vec<String>>, values: &[String]| match list {
        None => true,
        Some(list) => values
            .iter()
            .any(|v| list.contains(&normalize(&DISPOSITIONS, v))),
    };
    let empty = Vec::new();
    let set = pd.map_or(&empty, |p| &p.set);
    let unset = pd.map_or(&empty, |p| &p.unset);
    if !any_in(&q.persistent_set, set)
        || !any_in(&q.persistent_unset, unset)
        || (q.persistent_any.is_some()
            && !any_in(&q.persistent_any, set)
            && !any_in(&q.persistent_any, unset))
    {
        return false;
    }
    let id_in = |role: Role| ids.iter().find(|r| r.role == role).map(|r| r.id.as_str());
    if !location(&q.read_points, &q.wd_read_points, id_in(Role::ReadPoint))
        || !location(
            &q.biz_locations,
            &q.wd_biz_locations,
            id_in(Role::BizLocation),
        )
    {
        return false;
    }
    if !in_list(&q.transformation_ids, event.transformation_id.clone()) {
        return false;
    }
    for (field, patterns) in &q.matches {
        let roles = field.roles();
        if !ids
            .iter()
            .any(|r| roles.contains(&r.role) && patterns.iter().any(|p| p.matches(&r.id)))
        {
            return false;
        }
    }
    if !q.quantity.is_empty() {
        let lists = [
            &event.quantity_list,
            &event.child_quantity_list,
            &event.input_quantity_list,
            &event.output_quantity_list,
        ];
        let found = lists.iter().filter_map(|l| l.as_ref()).flatten().any(|e| {
            e.quantity
                .as_ref()
                .and_then(serde_json::Number::as_f64)
                .is_some_and(|v| q.quantity.iter().all(|(cmp, bound)| cmp.holds(v, *bound)))
        });
        if !found {
            return false;
        }
    }
    let typed = |conditions: &[TypedIds],
                 items: Vec<(Option<&str>, &str)>,
                 vocabulary: &lotrace_epcis::cbv::Vocabulary| {
        conditions.iter().all(|c| {
            items.iter().any(|(kind, id)| {
                kind.is_some_and(|k| normalize(vocabulary, k) == c.kind)
                    && c.ids.contains(&canonical_or_raw(id))
            })
        })
    };
    use lotrace_epcis::cbv::{BUSINESS_TRANSACTION_TYPES, SOURCE_DESTINATION_TYPES};
    if !q.biz_transactions.is_empty()
        && !typed(
            &q.biz_transactions,
            event
                .biz_transaction_list
                .iter()
                .flatten()
                .map(|b| (b.kind.as_deref(), b.biz_transaction.as_str()))
                .collect(),
            &BUSINESS_TRANSACTION_TYPES,
        )
    {
        return false;
    }
    if !q.sources.is_empty()
        && !typed(
            &q.sources,
            event
                .source_list
                .iter()
                .flatten()
                .map(|s| (Some(s.kind.as_str()), s.source.as_str()))
                .collect(),
            &SOURCE_DESTINATION_TYPES,
        )
    {
        return false;
    }
    if !q.destinations.is_empty()
        && !typed(
            &q.destinations,
            event
                .destination_list
                .iter()
                .flatten()
                .map(|d| (Some(d.kind.as_str()), d.destination.as_str()))
                .collect(),
            &SOURCE_DESTINATION_TYPES,
        )
    {
        return false;
    }
    if !in_list(&q.event_ids, event.event_id.clone()) {
        return false;
    }
    let declaration = event.error_declaration.as_ref();
    if (q.exists_error_declaration
        || q.error_declaration_time.is_set()
        || q.error_reasons.is_some()
        || q.corrective_event_ids.is_some())
        && declaration.is_none()
    {
        return false;
    }
    if let Some(d) = declaration {
        if !q
            .error_declaration_time
            .contains(d.declaration_time.instant)
        {
            return false;
        }
        if !in_list(
            &q.error_reasons,
            d.reason.as_deref().map(|r| normalize(&ERROR_REASONS, r)),
        ) {
            return false;
        }
        if let Some(list) = &q.corrective_event_ids
            && !d.corrective_event_ids.iter().any(|c| list.contains(c))
        {
            return false;
        }
    }
    true
}

/// EQ_ and WD_ of one location field: an event matches either (when both are given).
fn location(eq: &Option<Vec<String>>, wd: &Option<Vec<String>>, id: Option<&str>) -> bool {
    if eq.is_none() && wd.is_none() {
        return true;
    }
    let Some(id) = id else { return false };
    let by_eq = eq.as_ref().is_some_and(|l| l.iter().any(|e| e == id));
    let by_wd = wd
        .as_ref()
        .is_some_and(|l| l.iter().any(|w| is_descendant_or_self(id, w)));
    by_eq || by_wd
}

/// `id` is `ancestor` or one of its sub-locations (the GLN with an extension).
pub fn is_descendant_or_self(id: &str, ancestor: &str) -> bool {
    id == ancestor
        || (ancestor.starts_with("https://id.gs1.org/414/")
            && !ancestor.contains("/254/")
            && id
                .strip_prefix(ancestor)
                .is_some_and(|rest| rest.starts_with("/254/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GTIN: &str = "https://id.gs1.org/01/10614141073464";

    #[test]
    fn a_value_with_a_multibyte_character_at_byte_14_is_an_error_not_a_panic() {
        // Found by the epcis_query_params fuzz target: the `urn:epc:idpat:` test sliced
        // the value at byte 14, inside 'Ύ'.
        let value = "urn:epc:i1413\u{38e}1.114692.20tTimerP";
        assert!(Pattern::parse(value).is_err());
        let raw = vec![("MATCH_anyEPC".to_owned(), vec![value.to_owned()])];
        let e = super::super::params::parse(&raw).unwrap_err();
        assert_eq!(e.parameter, "MATCH_anyEPC", "{e}");
    }

    #[test]
    fn epc_patterns_match_canonical_identifiers() {
        let item = canonical("urn:epc:id:sgtin:0614141.107346.2018").unwrap();
        let other_company = canonical("urn:epc:id:sgtin:0614142.107346.2018").unwrap();
        let lot = canonical("urn:epc:class:lgtin:0614141.107346.L1").unwrap();
        let class = Pattern::parse("urn:epc:idpat:sgtin:0614141.107346.*").unwrap();
        assert!(class.matches(&item) && class.matches(&lot) && class.matches(GTIN));
        assert!(!class.matches(&other_company));
        let company = Pattern::parse("urn:epc:idpat:sgtin:0614141.*.*").unwrap();
        assert!(company.matches(&item) && !company.matches(&other_company));
        let all = Pattern::parse("urn:epc:idpat:sgtin:*.*.*").unwrap();
        assert!(all.matches(&other_company));
        assert!(!all.matches(&canonical("urn:epc:id:sscc:0614141.1234567890").unwrap()));
        let dl = Pattern::parse(&format!("{GTIN}/21/*")).unwrap();
        assert!(dl.matches(&item) && !dl.matches(&lot));
        let dl_class = Pattern::parse("https://example.com/01/10614141073464").unwrap();
        assert!(dl_class.matches(&item));
        let exact = Pattern::parse("urn:epc:id:sgtin:0614141.107346.2018").unwrap();
        assert!(exact.matches(&item));
        assert!(!exact.matches(&canonical("urn:epc:id:sgtin:0614141.107346.20180").unwrap()));
    }

    #[test]
    fn bad_patterns_say_why() {
        for bad in [
            "urn:epc:idpat:sgtin:0614141.*.2018",
            "urn:epc:idpat:nope:1.2.*",
            "urn:epc:idpat:sgtin:06141x1.*.*",
            "urn:epc:id:sgtin:0614141.107346",
            "plain words",
        ] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sgln_extensions_are_descendants() {
        let site = canonical("urn:epc:id:sgln:0614141.00777.0").unwrap();
        let dock = canonical("urn:epc:id:sgln:0614141.00777.5").unwrap();
        assert!(is_descendant_or_self(&dock, &site));
        assert!(!is_descendant_or_self(&site, &dock));
        let sgln = Pattern::parse("urn:epc:idpat:sgln:0614141.00777.*").unwrap();
        assert!(sgln.matches(&site) && sgln.matches(&dock));
    }
}
