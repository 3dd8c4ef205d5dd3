//! PostgreSQL `COPY ... FROM STDIN` text format: one line per row, tab between columns,
//! `\N` for NULL, and backslash escapes for backslash, tab, newline and carriage return.
//! (The text format rather than binary: it is documented plainly, and with JSON bodies
//! that rarely need an escape it is as fast to write.)

use std::io::Write;

use crate::postgres::identifier_key;
use crate::rows::EventRow;

/// A buffer of rows in COPY text format.
#[derive(Default)]
pub(crate) struct CopyText {
    buf: Vec<u8>,
}

impl CopyText {
    pub fn with_capacity(bytes: usize) -> CopyText {
        CopyText {
            buf: Vec::with_capacity(bytes),
        }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    pub fn event(&mut self, row: &EventRow<'_>) {
        self.int(row.seq);
        self.text(&row.event_id);
        self.flag(row.declaration);
        self.text(&row.event_type);
        self.int(row.event_time_us);
        self.int(i64::from(row.tz_offset_min));
        self.int(row.record_time_us);
        self.opt_text(row.action.as_deref());
        self.opt_text(row.biz_step.as_deref());
        self.opt_text(row.disposition.as_deref());
        self.opt_text(row.read_point.as_deref());
        self.opt_text(row.biz_location.as_deref());
        self.text(&row.capture_id);
        self.text(&row.body);
        // identifier_keys: an array literal of integers, which needs no escaping.
        self.buf.push(b'{');
        for (i, r) in row.identifiers.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            let _ = write!(self.buf, "{}", identifier_key(r.role, &r.id));
        }
        self.buf.extend_from_slice(b"}\t");
        self.bytea(&row.chain_hash);
        self.end_row();
    }

    fn text(&mut self, value: &str) {
        let mut rest = value.as_bytes();
        while let Some(at) = rest
            .iter()
            .position(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
        {
            self.buf.extend_from_slice(&rest[..at]);
            self.buf.extend_from_slice(match rest[at] {
                b'\\' => b"\\\\",
                b'\t' => b"\\t",
                b'\n' => b"\\n",
                _ => b"\\r",
            });
            rest = &rest[at + 1..];
        }
        self.buf.extend_from_slice(rest);
        self.buf.push(b'\t');
    }

    fn opt_text(&mut self, value: Option<&str>) {
        match value {
            Some(v) => self.text(v),
            None => self.buf.extend_from_slice(b"\\N\t"),
        }
    }

    /// A bytea in hex form, `\\x…` (the backslash escaped for the text format).
    fn bytea(&mut self, value: &[u8]) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.buf.extend_from_slice(b"\\\\x");
        for &b in value {
            self.buf.push(HEX[usize::from(b >> 4)]);
            self.buf.push(HEX[usize::from(b & 0xf)]);
        }
        self.buf.push(b'\t');
    }

    fn int(&mut self, value: i64) {
        // Writing to a Vec cannot fail.
        let _ = write!(self.buf, "{value}\t");
    }

    fn flag(&mut self, value: bool) {
        self.buf
            .extend_from_slice(if value { b"t\t" } else { b"f\t" });
    }

    /// Every column ends in a tab; the row's last one becomes the newline.
    fn end_row(&mut self) {
        if let Some(last) = self.buf.last_mut() {
            *last = b'\n';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_the_text_format_reserves() {
        let mut copy = CopyText::default();
        copy.text("a\\b\tc\nd\re");
        copy.opt_text(None);
        copy.int(-7);
        copy.end_row();
        assert_eq!(copy.into_bytes(), b"a\\\\b\\tc\\nd\\re\t\\N\t-7\n");
    }
}
