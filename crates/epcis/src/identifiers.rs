//! Which identifiers an event names, and in which role, in canonical form.

use crate::model::{Event, IdRef, Role};

impl Event {
    /// Every identifier this event names, canonicalised, sorted and without duplicates.
    /// Identifiers that do not canonicalise (validation rejects those at capture) are kept as written.
    pub fn identifiers(&self) -> Vec<IdRef> {
        let mut out = Vec::new();
        let mut push = |role: Role, raw: &str| {
            let id = lotrace_gs1::canonicalize(raw)
                .map(|i| i.canonical)
                .unwrap_or_else(|_| raw.to_owned());
            out.push(IdRef { role, id });
        };
        let lists = [
            (Role::Epc, &self.epc_list),
            (Role::Child, &self.child_epcs),
            (Role::Input, &self.input_epc_list),
            (Role::Output, &self.output_epc_list),
        ];
        for (role, list) in lists {
            for epc in list.iter().flatten() {
                push(role, epc);
            }
        }
        let quantities = [
            (Role::EpcClass, &self.quantity_list),
            (Role::ChildClass, &self.child_quantity_list),
            (Role::InputClass, &self.input_quantity_list),
            (Role::OutputClass, &self.output_quantity_list),
        ];
        for (role, list) in quantities {
            for q in list.iter().flatten() {
                push(role, &q.epc_class);
            }
        }
        if let Some(parent) = &self.parent_id {
            push(Role::Parent, parent);
        }
        if let Some(rp) = &self.read_point {
            push(Role::ReadPoint, &rp.id);
        }
        if let Some(bl) = &self.biz_location {
            push(Role::BizLocation, &bl.id);
        }
        for s in self.source_list.iter().flatten() {
            push(Role::Source, &s.source);
        }
        for d in self.destination_list.iter().flatten() {
            push(Role::Destination, &d.destination);
        }
        for bt in self.biz_transaction_list.iter().flatten() {
            push(Role::BizTransaction, &bt.biz_transaction);
        }
        out.sort();
        out.dedup();
        out
    }
}
