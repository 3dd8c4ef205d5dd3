//! XML bytes to a small element tree with resolved namespaces (quick-xml's `NsReader`),
//! within explicit limits on depth and element count.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event as XmlEvent};
use quick_xml::name::ResolveResult;

use super::XmlError;

/// An element: namespace (None when unqualified), the prefix it was written with, local
/// name, attributes, child elements and its own text (character data directly inside it).
#[derive(Clone, Debug, Default)]
pub struct Element {
    pub ns: Option<String>,
    pub prefix: Option<String>,
    pub local: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Element>,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Attr {
    pub ns: Option<String>,
    pub prefix: Option<String>,
    pub local: String,
    pub value: String,
}

impl Element {
    /// Child elements with this local name and no namespace.
    pub fn plain<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children
            .iter()
            .filter(move |c| c.ns.is_none() && c.local == local)
    }

    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local == local)
            .map(|a| a.value.as_str())
    }

    pub fn trimmed(&self) -> &str {
        self.text.trim()
    }
}

/// The limits of one XML document.
#[derive(Clone, Copy, Debug)]
pub struct TreeLimits {
    pub max_depth: usize,
    pub max_elements: usize,
}

/// Every namespace binding declared, in document order: (prefix, namespace). The default
/// namespace has an empty prefix.
pub type Bindings = Vec<(String, String)>;

/// The namespaces of the EPCIS schemas themselves: elements in them count as unqualified.
const EPCIS_NAMESPACES: [&str; 4] = [
    "urn:epcglobal:epcis:xsd:1",
    "urn:epcglobal:epcis:xsd:2",
    "urn:epcglobal:epcis-query:xsd:1",
    "urn:epcglobal:epcis-query:xsd:2",
];

const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The XML namespace of CBV master data attributes, and the JSON-LD namespace of the same
/// attributes (the `cbvmda` prefix of the EPCIS context), which the model uses.
const CBV_MDA_XML: &str = "urn:epcglobal:cbv:mda";
const CBV_MDA_JSON_LD: &str = "urn:epcglobal:cbv:mda:";

/// Reads the document element and everything in it.
pub fn parse(bytes: &[u8], limits: TreeLimits) -> Result<(Element, Bindings), XmlError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| XmlError::syntax(e.valid_up_to(), "the document is not UTF-8"))?;
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut bindings: Bindings = Vec::new();
    let mut elements = 0usize;
    loop {
        let position = reader.buffer_position() as usize;
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| XmlError::syntax(position, e.to_string()))?;
        let ns = namespace_of(&resolved);
        match event {
            XmlEvent::Start(ref start) | XmlEvent::Empty(ref start) => {
                let empty = matches!(event, XmlEvent::Empty(_));
                elements += 1;
                if elements > limits.max_elements {
                    return Err(XmlError::limit(format!(
                        "more than {} elements; split the document",
                        limits.max_elements
                    )));
                }
                if stack.len() >= limits.max_depth {
                    return Err(XmlError::limit(format!(
                        "elements nested deeper than {} levels",
                        limits.max_depth
                    )));
                }
                let element = open(&reader, start, ns, &mut bindings, position)?;
                if empty {
                    if let Some(done) = close(&mut stack, element) {
                        return Ok((done, bindings));
                    }
                } else {
                    stack.push(element);
                }
            }
            XmlEvent::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| XmlError::syntax(position, "an end tag without a start"))?;
                if let Some(done) = close(&mut stack, element) {
                    return Ok((done, bindings));
                }
            }
            XmlEvent::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return Err(XmlError::syntax(
                        position,
                        "text outside the document element",
                    ));
                }
            }
            XmlEvent::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    let raw = c.into_inner();
                    top.text.push_str(&raw);
                }
            }
            XmlEvent::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => {
                        let name = r.xml10_content();
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| {
                                XmlError::syntax(position, format!("unknown entity &{name};"))
                            })?
                            .to_owned()
                    }
                    Err(e) => return Err(XmlError::syntax(position, e.to_string())),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            // A document type declaration is skipped: entities it might declare are never
            // expanded (a reference to one is an error), so it cannot inflate the input.
            XmlEvent::DocType(_) => {}
            XmlEvent::Eof => {
                return Err(XmlError::syntax(
                    position,
                    if stack.is_empty() {
                        "no document element"
                    } else {
                        "the document ends inside an element"
                    },
                ));
            }
            XmlEvent::Comment(_) | XmlEvent::Decl(_) | XmlEvent::PI(_) => {}
        }
    }
}

fn namespace_of(resolved: &ResolveResult) -> Option<String> {
    match resolved {
        ResolveResult::Bound(ns) => {
            let ns = ns.as_ref();
            if ns == CBV_MDA_XML {
                return Some(CBV_MDA_JSON_LD.to_owned());
            }
            (!EPCIS_NAMESPACES.contains(&ns)).then(|| ns.to_owned())
        }
        _ => None,
    }
}

fn open(
    reader: &NsReader<&[u8]>,
    start: &BytesStart,
    ns: Option<String>,
    bindings: &mut Bindings,
    position: usize,
) -> Result<Element, XmlError> {
    let name = start.name();
    check_qname(name.as_ref(), position)?;
    let (local, prefix) = name.decompose();
    let mut element = Element {
        ns,
        prefix: prefix.map(|p| p.as_ref().to_owned()),
        local: local.as_ref().to_owned(),
        ..Element::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError::syntax(position, e.to_string()))?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| XmlError::syntax(position, e.to_string()))?
            .into_owned();
        if let Some(declaration) = attr.key.as_namespace_binding() {
            let prefix = match declaration {
                quick_xml::name::PrefixDeclaration::Default => String::new(),
                quick_xml::name::PrefixDeclaration::Named(p) => p.to_owned(),
            };
            let value = if value == CBV_MDA_XML {
                CBV_MDA_JSON_LD.to_owned()
            } else {
                value
            };
            bindings.push((prefix, value));
            continue;
        }
        check_qname(attr.key.as_ref(), position)?;
        let (resolved, local) = reader.resolver().resolve_attribute(attr.key);
        let (_, prefix) = attr.key.decompose();
        let ns = match resolved {
            ResolveResult::Bound(ns) if ns.as_ref() == CBV_MDA_XML => {
                Some(CBV_MDA_JSON_LD.to_owned())
            }
            ResolveResult::Bound(ns) => Some(ns.as_ref().to_owned()),
            _ => None,
        };
        if ns.as_deref() == Some(XSI) {
            // Schema hints (xsi:type, xsi:schemaLocation), not event data.
            continue;
        }
        element.attrs.push(Attr {
            ns,
            prefix: prefix.map(|p| p.as_ref().to_owned()),
            local: local.as_ref().to_owned(),
            value,
        });
    }
    Ok(element)
}

/// An element or attribute name must be `local` or `prefix:local`, both parts non-empty
/// (Namespaces in XML 1.0, QName): `a:` or `:a` is malformed, and would be written back as
/// a nameless attribute (found by fuzzing).
fn check_qname(name: &str, position: usize) -> Result<(), XmlError> {
    let mut parts = name.split(':');
    let ok = match (parts.next(), parts.next(), parts.next()) {
        (Some(local), None, _) => !local.is_empty(),
        (Some(prefix), Some(local), None) => !prefix.is_empty() && !local.is_empty(),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(XmlError::syntax(
            position,
            format!("{name:?} is not an XML name: write local or prefix:local"),
        ))
    }
}

/// Attaches a finished element to its parent; returns it when it is the document element.
fn close(stack: &mut [Element], element: Element) -> Option<Element> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(element);
            None
        }
        None => Some(element),
    }
}
