//! Compliance exports: the FDA FSMA 204 sortable spreadsheet of the lots or the product and
//! dates asked for, from the events in the log and the master data (lotrace-compliance).

use std::collections::{BTreeSet, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use lotrace_compliance::{ComplianceError, Fsma204, Gathering, Selection};
use lotrace_core::DomainError;
use lotrace_epcis::{Event, EventType};
use lotrace_store::StoredEvent;
use lotrace_trace::Direction;

use crate::{App, Result};

/// Which records an FSMA 204 export holds: lots (optionally their whole chain), or a
/// product over a window of dates (inclusive, the CTE's local date).
#[derive(Clone, Debug, Default)]
pub struct Fsma204Request {
    /// `PRODUCT:LOT` or any identifier of the lot.
    pub lots: Vec<String>,
    /// Follow the lots forward and backward through the trace index.
    pub trace: bool,
    pub product: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Read every event of the log instead of gathering the selection's events through
    /// the identifier index. The answer is the same (a test holds the two equal); this is
    /// for checking that and for benchmarks.
    pub whole_log: bool,
}

/// The spreadsheet and the summary lines that say what it holds.
#[derive(Clone, Debug)]
pub struct Fsma204Export {
    pub sheet: Fsma204,
    pub lines: Vec<(String, String)>,
    /// The events the rows were made from (retracted ones and their declarations included).
    pub events_read: usize,
    /// True when the whole log was read: asked for, or the gathering hit its limit.
    pub whole_log: bool,
}

impl Fsma204Export {
    /// The workbook: summary, rows, glossary.
    pub fn report(&self) -> lotrace_report::Report {
        lotrace_compliance::report(&self.sheet, self.lines.clone())
    }

    /// The rows alone (the CSV).
    pub fn table(&self) -> lotrace_report::Table {
        lotrace_compliance::rows_table(&self.sheet)
    }
}

/// Events that can carry a CTE or what one needs (receipts, transformations, containers).
fn relevant(event: &Event) -> bool {
    if event.error_declaration.is_some() {
        return true;
    }
    match event.event_type {
        EventType::TransformationEvent | EventType::AggregationEvent => true,
        EventType::ObjectEvent => {
            let step = event.biz_step.as_deref().unwrap_or("");
            let word = step.rsplit([':', '-']).next().unwrap_or(step);
            matches!(word, "receiving" | "shipping" | "commissioning")
                || event
                    .extensions
                    .keys()
                    .any(|k| k == "lotrace:fsmaCte" || k.ends_with("/epcis/fsmaCte"))
        }
        _ => false,
    }
}

/// The most events an export gathers through the identifier index; past this it reads the
/// whole log, in order (about 20 µs an event either way, so a gathering this large saves
/// little on a store of a few times its size).
pub const MAX_GATHERED_EVENTS: usize = 250_000;
/// The most lots an export by product gathers for; a product with more reads the whole log.
pub const MAX_GATHERED_LOTS: usize = 50_000;

impl App {
    /// The events an FSMA 204 export of `lots` needs, with their declarations, in the log's
    /// eventTime order (see `lotrace_compliance::Gathering` for which and why); `None` when
    /// there are more than [`MAX_GATHERED_EVENTS`] or lots than [`MAX_GATHERED_LOTS`].
    async fn gather_fsma204_events(&self, lots: BTreeSet<String>) -> Result<Option<Vec<Event>>> {
        if lots.len() > MAX_GATHERED_LOTS {
            return Ok(None);
        }
        let limit = (MAX_GATHERED_EVENTS + 1) as u32;
        let mut gathering = Gathering::new(lots);
        let mut held: HashSet<i64> = HashSet::new();
        let mut events: Vec<StoredEvent> = Vec::new();
        while let Some(identifiers) = gathering.next_identifiers() {
            let seqs = self.store.positions_naming(&identifiers, limit).await?;
            let fresh: Vec<i64> = seqs.into_iter().filter(|&s| held.insert(s)).collect();
            if held.len() > MAX_GATHERED_EVENTS {
                return Ok(None);
            }
            let found = self.store.events_at(&fresh).await?;
            gathering.found(found.iter().map(|s| &s.event));
            events.extend(found.into_iter().filter(|s| relevant(&s.event)));
        }
        let ids: Vec<String> = events
            .iter()
            .filter(|s| s.event.error_declaration.is_none())
            .filter_map(|s| s.event.event_id.clone())
            .collect();
        for declaration in self.store.declarations_of(&ids).await? {
            if held.insert(declaration.seq) {
                events.push(declaration);
            }
        }
        // The order of the whole log's read: eventTime, then log position.
        events.sort_by_key(|s| (s.event.event_time.instant.as_microsecond(), s.seq));
        Ok(Some(events.into_iter().map(|s| s.event).collect()))
    }

    /// Every lot of `product` some event names (canonical identifiers).
    async fn lots_of_product(
        &self,
        catalog: &lotrace_core::catalog::Catalog,
        product: &str,
    ) -> BTreeSet<String> {
        let Some(p) = catalog.products.get(product) else {
            return BTreeSet::new();
        };
        let views = self.views.lock().await;
        views
            .trace
            .object_ids()
            .filter(|id| p.owns_lot(id))
            // The sheet's own rule, should two products claim the same lots.
            .filter(|id| catalog.product_of_lot(id).is_some_and(|q| q.code == p.code))
            .collect()
    }

    /// The FSMA 204 records of the lots or the product and window asked for.
    pub async fn fsma204(&self, request: &Fsma204Request) -> Result<Fsma204Export> {
        let (catalog, selection, mut lines) = {
            let mut views = self.views.lock().await;
            self.catch_up(&mut views).await?;
            let catalog = views.catalog.clone();
            match (&request.product, request.lots.is_empty()) {
                (Some(_), false) => {
                    return Err(DomainError::field(
                        "product",
                        "give lots or a product with dates, not both",
                    )
                    .into());
                }
                (None, true) => {
                    return Err(DomainError::field(
                        "lot",
                        "give the lots (lot=PRODUCT:LOT, repeatable) or a product with from and to",
                    )
                    .into());
                }
                (Some(product), true) => {
                    let p = catalog.product("product", product)?;
                    let from = request
                        .from
                        .ok_or_else(|| DomainError::field("from", "required with product"))?;
                    let to = request
                        .to
                        .ok_or_else(|| DomainError::field("to", "required with product"))?;
                    if !p.food_traceability_list {
                        return Err(DomainError::field(
                            "product",
                            format!("{product:?} is not on the Food Traceability List"),
                        )
                        .into());
                    }
                    let lines = vec![
                        ("Product".to_owned(), format!("{} ({})", p.name, p.code)),
                        ("From".to_owned(), from.to_string()),
                        ("To".to_owned(), to.to_string()),
                    ];
                    (
                        catalog.clone(),
                        Selection::Product {
                            product: product.clone(),
                            from,
                            to,
                        },
                        lines,
                    )
                }
                (None, false) => {
                    if request.lots.len() > lotrace_compliance::fsma204::MAX_SELECTED_LOTS {
                        return Err(DomainError::field(
                            "lot",
                            format!(
                                "{} lots exceed the limit of {}",
                                request.lots.len(),
                                lotrace_compliance::fsma204::MAX_SELECTED_LOTS
                            ),
                        )
                        .into());
                    }
                    let mut lots = BTreeSet::new();
                    for (i, text) in request.lots.iter().enumerate() {
                        let field = if request.lots.len() == 1 {
                            "lot".to_owned()
                        } else {
                            format!("lot[{i}]")
                        };
                        let id = resolve_lot(&catalog, &field, text)?;
                        if views.inventory.lot(&id).is_none() && !views.trace.contains(&id) {
                            return Err(DomainError::field(
                                &field,
                                format!("no lot {text:?} is known"),
                            )
                            .into());
                        }
                        lots.insert(id);
                    }
                    let named = lots.len();
                    if request.trace {
                        let origins: Vec<String> = lots.iter().cloned().collect();
                        for id in origins {
                            if !views.trace.contains(&id) {
                                continue;
                            }
                            for direction in [Direction::Forward, Direction::Backward] {
                                for lot in views.trace.reach(&id, direction)? {
                                    lots.insert(lotrace_trace::canonical(&lot).into_owned());
                                }
                            }
                        }
                    }
                    let mut lines = vec![("Lots".to_owned(), request.lots.join(", "))];
                    if request.trace {
                        lines.push((
                            "Traced".to_owned(),
                            format!(
                                "forward and backward: {} lots in the chain of the {named} named",
                                lots.len()
                            ),
                        ));
                    }
                    (catalog.clone(), Selection::Lots(lots), lines)
                }
            }
        };
        let gathered = match (&selection, request.whole_log) {
            (_, true) => None,
            (Selection::Lots(lots), false) => self.gather_fsma204_events(lots.clone()).await?,
            (Selection::Product { product, .. }, false) => {
                let lots = self.lots_of_product(&catalog, product).await;
                self.gather_fsma204_events(lots).await?
            }
        };
        let whole_log = gathered.is_none();
        let events = match gathered {
            Some(events) => events,
            None => {
                let mut events = Vec::new();
                self.store
                    .for_each_event_by_time(|stored| {
                        if relevant(&stored.event) {
                            events.push(stored.event);
                        }
                        Ok(())
                    })
                    .await?;
                events
            }
        };
        let events_read = events.len();
        let sheet =
            lotrace_compliance::build(&catalog, events, &selection).map_err(|e| match e {
                ComplianceError::Field { field, message } => DomainError::field(&field, message),
                other => DomainError::refused("too_many_rows", other.to_string()),
            })?;
        lines.push(("Generated".to_owned(), Timestamp::now().to_string()));
        Ok(Fsma204Export {
            sheet,
            lines,
            events_read,
            whole_log,
        })
    }
}

/// A lot from `PRODUCT:LOT` (our codes) or any identifier, canonical.
pub(crate) fn resolve_lot(
    catalog: &lotrace_core::catalog::Catalog,
    field: &str,
    text: &str,
) -> Result<String> {
    let text = text.trim();
    match lotrace_recall::LotRef::parse(text) {
        lotrace_recall::LotRef::Codes { product, lot } => {
            let p = catalog
                .products
                .get(&product)
                .ok_or_else(|| DomainError::field(field, format!("no product {product:?}")))?;
            Ok(lotrace_trace::canonical(&p.lot_uri(&lot)).into_owned())
        }
        lotrace_recall::LotRef::Id(id) => Ok(lotrace_trace::canonical(&id).into_owned()),
    }
}
