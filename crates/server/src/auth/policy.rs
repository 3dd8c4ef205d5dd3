//! The authorisation policy: one table from (method, path) to the least role a request
//! needs. The first rule that matches decides; a request no rule names falls to the
//! defaults at the end (reads: viewer, writes: operator), so a route added later is covered
//! without anyone touching this table. Tokens are mapped onto the same ladder (read =
//! viewer, capture = operator, admin = admin: a token needs `admin` for quality work).

use serde::Serialize;

/// A user's role, least first: each may do what the ones before it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything.
    Viewer,
    /// Runs operations and captures events.
    Operator,
    /// Holds and releases stock, runs recalls and drills.
    Quality,
    /// Master data, users, tokens, the audit trail.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Operator, Role::Quality, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Quality => "quality",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// An API token's scope, least first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Read,
    Capture,
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Capture, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Capture => "capture",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The role a token of this scope acts with.
    pub fn role(self) -> Role {
        match self {
            Scope::Read => Role::Viewer,
            Scope::Capture => Role::Operator,
            Scope::Admin => Role::Admin,
        }
    }
}

/// Which methods a rule covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Methods {
    /// GET, HEAD, OPTIONS.
    Read,
    /// Every other method.
    Write,
    Any,
}

impl Methods {
    fn covers(self, write: bool) -> bool {
        match self {
            Methods::Read => !write,
            Methods::Write => write,
            Methods::Any => true,
        }
    }
}

/// What a request needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// Nothing: anyone may (the health check, the login page, the public key).
    Open,
    /// A user of at least this role, or a token whose scope maps to it.
    Role(Role),
}

/// One row of the policy.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Rule {
    pub methods: Methods,
    /// Matched segment by segment: the path must start with these segments, `*` matching
    /// any one (`/api/v1/recalls` covers `/api/v1/recalls/R-00001/hold`); a trailing `$`
    /// asks for exactly these segments.
    pub path: &'static str,
    pub need: Need,
    /// May a partner token (limited to one party's events) use it?
    pub partner: bool,
    /// Is a write here recorded in the audit trail? (False only for writes that change
    /// nothing, such as parsing a scan, and for the login, which records itself.)
    pub audit: bool,
    /// A path this rule covers, for the tests that try every rule against a real server.
    pub example: &'static str,
}

const fn rule(methods: Methods, path: &'static str, need: Need, example: &'static str) -> Rule {
    Rule {
        methods,
        path,
        need,
        partner: false,
        audit: true,
        example,
    }
}

const fn partner(mut r: Rule) -> Rule {
    r.partner = true;
    r
}

const fn quiet(mut r: Rule) -> Rule {
    r.audit = false;
    r
}

use Methods::{Any, Read, Write};
use Need::Open;
const VIEWER: Need = Need::Role(Role::Viewer);
const OPERATOR: Need = Need::Role(Role::Operator);
const QUALITY: Need = Need::Role(Role::Quality);
const ADMIN: Need = Need::Role(Role::Admin);

/// The policy, most specific first. The last two rows are the defaults.
pub const POLICY: &[Rule] = &[
    // Open to anyone.
    partner(rule(Read, "/health", Open, "/health")),
    partner(rule(
        Read,
        "/.well-known",
        Open,
        "/.well-known/lotrace/signing-key",
    )),
    rule(Read, "/assets", Open, "/assets/style.css"),
    quiet(rule(Any, "/login", Open, "/login")),
    // Users, tokens and the audit trail: admin, reads included.
    rule(Any, "/api/v1/users", ADMIN, "/api/v1/users"),
    rule(Any, "/api/v1/tokens", ADMIN, "/api/v1/tokens"),
    rule(Any, "/api/v1/audit", ADMIN, "/api/v1/audit"),
    rule(Any, "/admin", ADMIN, "/admin/users"),
    // Master data: admin writes.
    rule(Write, "/api/v1/master", ADMIN, "/api/v1/master/products"),
    rule(Write, "/api/v1/products", ADMIN, "/api/v1/products"),
    rule(Write, "/api/v1/locations", ADMIN, "/api/v1/locations"),
    rule(Write, "/api/v1/parties", ADMIN, "/api/v1/parties"),
    rule(Write, "/api/v1/boms", ADMIN, "/api/v1/boms"),
    rule(Write, "/master", ADMIN, "/master/products"),
    rule(Write, "/products", ADMIN, "/products"),
    rule(Write, "/locations", ADMIN, "/locations"),
    rule(Write, "/parties", ADMIN, "/parties"),
    rule(Write, "/boms", ADMIN, "/boms"),
    rule(Write, "/production/boms", ADMIN, "/production/boms"),
    // Spreadsheet imports may write master data.
    rule(Write, "/api/v1/import", ADMIN, "/api/v1/import/products"),
    rule(Write, "/import", ADMIN, "/import"),
    // Holds, releases, recalls and drills: quality writes.
    rule(Write, "/api/v1/ops/hold", QUALITY, "/api/v1/ops/hold"),
    rule(Write, "/api/v1/ops/release", QUALITY, "/api/v1/ops/release"),
    rule(Write, "/api/v1/holds", QUALITY, "/api/v1/holds"),
    rule(Write, "/api/v1/recalls", QUALITY, "/api/v1/recalls"),
    rule(Write, "/api/v1/drills", QUALITY, "/api/v1/drills"),
    rule(Write, "/ops/hold", QUALITY, "/ops/hold"),
    rule(Write, "/ops/release", QUALITY, "/ops/release"),
    rule(Write, "/recalls", QUALITY, "/recalls"),
    rule(Write, "/drills", QUALITY, "/drills"),
    // Writes that change nothing: parsing a scan.
    quiet(rule(Write, "/api/v1/scan", VIEWER, "/api/v1/scan")),
    quiet(rule(Write, "/scan", VIEWER, "/scan")),
    // Ending one's own session.
    rule(Write, "/logout", VIEWER, "/logout"),
    // What a partner token may read (its answers are filtered, see `partner.rs`; exact
    // paths, so that a route added below one of them is not opened to partners) and
    // capture (with the capture scope). Not named queries: their results can stream over
    // a WebSocket, outside the filter.
    partner(rule(Read, "/epcis/events$", VIEWER, "/epcis/events")),
    partner(rule(
        Read,
        "/epcis/events/*$",
        VIEWER,
        "/epcis/events/urn:uuid:x",
    )),
    partner(rule(
        Read,
        "/epcis/eventTypes$",
        VIEWER,
        "/epcis/eventTypes",
    )),
    partner(rule(
        Read,
        "/epcis/eventTypes/*/events$",
        VIEWER,
        "/epcis/eventTypes/ObjectEvent/events",
    )),
    partner(rule(
        Read,
        "/epcis/epcs/*/events$",
        VIEWER,
        "/epcis/epcs/x/events",
    )),
    partner(rule(
        Read,
        "/epcis/bizSteps/*/events$",
        VIEWER,
        "/epcis/bizSteps/shipping/events",
    )),
    partner(rule(
        Read,
        "/epcis/bizLocations/*/events$",
        VIEWER,
        "/epcis/bizLocations/x/events",
    )),
    partner(rule(
        Read,
        "/epcis/readPoints/*/events$",
        VIEWER,
        "/epcis/readPoints/x/events",
    )),
    partner(rule(
        Read,
        "/epcis/dispositions/*/events$",
        VIEWER,
        "/epcis/dispositions/in_progress/events",
    )),
    partner(rule(Read, "/api/v1/trace$", VIEWER, "/api/v1/trace")),
    partner(rule(Write, "/epcis/capture$", OPERATOR, "/epcis/capture")),
    partner(rule(Read, "/epcis/capture/*$", VIEWER, "/epcis/capture/x")),
    // The defaults: every other read needs a viewer, every other write an operator.
    rule(Read, "/", VIEWER, "/lots"),
    rule(Write, "/", OPERATOR, "/api/v1/ops/receive"),
];

/// Whether the method is a write (anything but GET, HEAD and OPTIONS).
pub fn is_write(method: &axum::http::Method) -> bool {
    !matches!(
        *method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    )
}

/// `pattern`'s segments start `path`'s; with a trailing `$`, they are all of them.
fn path_matches(pattern: &str, path: &str) -> bool {
    let (pattern, exact) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let mut path_segments = path.split('/').filter(|s| !s.is_empty());
    for want in pattern.split('/').filter(|s| !s.is_empty()) {
        match path_segments.next() {
            Some(got) if want == "*" || want == got => {}
            _ => return false,
        }
    }
    !exact || path_segments.next().is_none()
}

/// The rule that decides a request.
pub fn rule_for(write: bool, path: &str) -> &'static Rule {
    POLICY
        .iter()
        .find(|r| r.methods.covers(write) && path_matches(r.path, path))
        .expect("the last rules match every path")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_rule_decides() {
        assert_eq!(rule_for(true, "/api/v1/ops/hold").need, QUALITY);
        assert_eq!(rule_for(true, "/api/v1/ops/receive").need, OPERATOR);
        assert_eq!(rule_for(false, "/api/v1/ops/hold").need, VIEWER);
        assert_eq!(rule_for(true, "/api/v1/recalls/R-00001/hold").need, QUALITY);
        assert_eq!(
            rule_for(true, "/api/v1/master/products/X/deactivate").need,
            ADMIN
        );
        assert_eq!(rule_for(false, "/api/v1/master/products").need, VIEWER);
        assert_eq!(rule_for(false, "/api/v1/users").need, ADMIN);
        assert_eq!(rule_for(false, "/health").need, Open);
        assert_eq!(
            rule_for(false, "/healthy").need,
            VIEWER,
            "segments, not text"
        );
        assert!(rule_for(false, "/epcis/bizSteps/shipping/events").partner);
        assert!(!rule_for(false, "/epcis/bizSteps").partner);
        assert!(!rule_for(false, "/api/v1/lots").partner);
        assert!(rule_for(false, "/api/v1/trace").partner);
        assert!(!rule_for(false, "/api/v1/trace/epcis").partner, "exact");
        assert!(!rule_for(true, "/scan").audit);
        for r in POLICY {
            let write = r.methods == Methods::Write;
            let decided = rule_for(write, r.example);
            // By value, not address: a `const` table may be instantiated more than once.
            assert!(
                decided.path == r.path && decided.methods == r.methods,
                "the example {} of {} is decided by another rule",
                r.example,
                r.path
            );
        }
    }
}
