//! Just enough of RFC 3986 to take an http(s) URI apart: scheme, authority, path, query and
//! fragment. Nothing here validates; callers decide what they accept.

/// The parts of an `http://` or `https://` URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WebUri<'a> {
    pub scheme: &'a str,
    pub authority: &'a str,
    /// The path including its leading `/`, or empty.
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub fragment: Option<&'a str>,
}

/// Splits `uri` if it is an http or https URI (scheme matched without regard to case).
pub(crate) fn split(uri: &str) -> Option<WebUri<'_>> {
    let (scheme, rest) = uri.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    let (before_fragment, fragment) = match rest.split_once('#') {
        Some((a, f)) => (a, Some(f)),
        None => (rest, None),
    };
    let (before_query, query) = match before_fragment.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (before_fragment, None),
    };
    let (authority, path) = match before_query.find('/') {
        Some(i) => before_query.split_at(i),
        None => (before_query, ""),
    };
    Some(WebUri {
        scheme,
        authority,
        path,
        query,
        fragment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_all_parts() {
        let u = split("HTTPS://example.com:8443/a/b?x=1&y#frag").unwrap();
        assert_eq!(u.scheme, "HTTPS");
        assert_eq!(u.authority, "example.com:8443");
        assert_eq!(u.path, "/a/b");
        assert_eq!(u.query, Some("x=1&y"));
        assert_eq!(u.fragment, Some("frag"));
    }

    #[test]
    fn missing_parts() {
        let u = split("http://example.com").unwrap();
        assert_eq!((u.authority, u.path, u.query), ("example.com", "", None));
        let u = split("http://example.com?q").unwrap();
        assert_eq!((u.path, u.query), ("", Some("q")));
        assert!(split("urn:uuid:x").is_none());
        assert!(split("ftp://example.com/01/1").is_none());
    }
}
