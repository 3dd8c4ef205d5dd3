//! FSMA 204 location descriptions from the master data: business name, phone number and
//! physical address (§1.1310 "location description"), found by the URI an event names.

use std::collections::HashMap;

use lotrace_core::catalog::Catalog;
use lotrace_core::master::{Location, Party};

/// A location as the spreadsheet describes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Place {
    /// `business name, address, tel. phone` with the parts the master data has.
    pub text: Option<String>,
    pub gln: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// The parts of the description the master data lacks: `business name`, `address`, `phone`.
    pub lacks: Vec<&'static str>,
}

impl Place {
    fn new(name: Option<String>, address: Option<String>, phone: Option<String>) -> Place {
        let mut lacks = Vec::new();
        let mut parts = Vec::new();
        for (part, value) in [
            ("business name", &name),
            ("address", &address),
            ("phone", &phone),
        ] {
            match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                Some(v) if part == "phone" => parts.push(format!("tel. {v}")),
                Some(v) => parts.push(v.to_owned()),
                None => lacks.push(part),
            }
        }
        Place {
            text: (!parts.is_empty()).then(|| parts.join(", ")),
            gln: None,
            name,
            phone,
            lacks,
        }
    }

    /// A place known only by the text someone typed (a description, a reference).
    fn typed(text: &str) -> Place {
        Place {
            text: Some(text.to_owned()),
            ..Place::default()
        }
    }

    /// Nothing is known of it.
    pub fn unknown() -> Place {
        Place {
            lacks: vec!["business name", "address", "phone"],
            ..Place::default()
        }
    }

    pub fn is_known(&self) -> bool {
        self.text.is_some() || self.gln.is_some()
    }
}

/// The master data indexed by every URI and code an event or a receipt may name.
pub struct Places<'a> {
    catalog: &'a Catalog,
    locations_by_uri: HashMap<String, &'a Location>,
    parties_by_uri: HashMap<String, &'a Party>,
}

impl<'a> Places<'a> {
    pub fn new(catalog: &'a Catalog) -> Places<'a> {
        let mut locations_by_uri = HashMap::new();
        for l in catalog.locations.values() {
            locations_by_uri.insert(l.uri(), l);
        }
        let mut parties_by_uri = HashMap::new();
        for p in catalog.parties.values() {
            parties_by_uri.insert(p.location_uri(), p);
            parties_by_uri.insert(p.uri(), p);
        }
        Places {
            catalog,
            locations_by_uri,
            parties_by_uri,
        }
    }

    pub fn own(&self, location: &Location) -> Place {
        let site = self.catalog.site_of(location);
        let name = if site.code == location.code {
            site.name.clone()
        } else {
            format!("{} ({})", site.name, location.name)
        };
        let address = location.address.clone().or_else(|| site.address.clone());
        let phone = location.phone.clone().or_else(|| site.phone.clone());
        let mut place = Place::new(Some(name), address, phone);
        place.gln = location.gln.clone().or_else(|| site.gln.clone());
        place
    }

    pub fn party(&self, party: &Party) -> Place {
        let mut place = Place::new(
            Some(party.name.clone()),
            party.address.clone(),
            party.phone.clone(),
        );
        place.gln = party.location_gln.clone();
        place
    }

    /// The place an event names by URI: one of our locations, a party's location, or a bare
    /// GLN (`https://id.gs1.org/414/...`) no master record describes.
    pub fn by_uri(&self, uri: &str) -> Place {
        if let Some(l) = self.locations_by_uri.get(uri) {
            return self.own(l);
        }
        if let Some(p) = self.parties_by_uri.get(uri) {
            return self.party(p);
        }
        if let Some(gln) = gln_of(uri) {
            if let Some(p) = self
                .catalog
                .parties
                .values()
                .find(|p| p.location_gln.as_deref() == Some(gln.as_str()))
            {
                return self.party(p);
            }
            return Place {
                gln: Some(gln),
                ..Place::unknown()
            };
        }
        Place::unknown()
    }

    /// A party or location code, a GLN, a URL or a typed description (a receipt's TLC
    /// source or cooling location): the place, and the TLC source reference it gives
    /// (a GLN or a URL), if any.
    pub fn typed(&self, text: &str) -> (Place, Option<String>) {
        let text = text.trim();
        if let Some(p) = self.catalog.parties.get(text) {
            let place = self.party(p);
            let reference = place.gln.as_ref().map(|g| format!("GLN {g}"));
            return (place, reference);
        }
        if let Some(l) = self.catalog.locations.get(text) {
            let place = self.own(l);
            let reference = place.gln.as_ref().map(|g| format!("GLN {g}"));
            return (place, reference);
        }
        if text.len() == 13 && text.bytes().all(|b| b.is_ascii_digit()) {
            let place = self.by_uri(&format!("https://id.gs1.org/414/{text}"));
            let place = if place.text.is_some() {
                place
            } else {
                Place::default()
            };
            return (place, Some(format!("GLN {text}")));
        }
        if text.starts_with("https://") || text.starts_with("http://") {
            return (Place::default(), Some(text.to_owned()));
        }
        (Place::typed(text), None)
    }
}

/// The GLN of an SGLN Digital Link (identifiers are canonicalised before they get here).
fn gln_of(uri: &str) -> Option<String> {
    let rest = uri.strip_prefix("https://id.gs1.org/414/")?;
    let gln: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    (gln.len() == 13).then_some(gln)
}
