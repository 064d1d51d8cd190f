//! mova statements of the AAS half-syllables (one line per busy mova channel).

use super::operand;
use crate::bundle::Bundle;
use crate::fields::*;
use crate::tables::Opnd;

/// Mnemonics by AA2F1.opc (the field's meaning in the spec: 1 b, 2 h, 3 w, 4 d, 5 q, 7 qp).
const MOVA_NAMES: [&str; 8] = [
    "reserved", "movab", "movah", "movaw", "movad", "movaq", "reserved", "movaqp",
];

/// mova statements, channel 0 first.
pub(crate) fn mova(b: &Bundle, out: &mut Vec<String>) {
    for i in 0..4 {
        let Some(op) = b.aas(i + 2) else { continue };
        let op = op as u32;
        let pair = b.aas(i / 2).unwrap_or(0);
        // The destination of the even channel is in the upper byte.
        let dst = if i % 2 == 0 { pair >> 8 } else { pair & 0xff } as u8;
        let opc = AA2F1_OPC.get(op);
        // Destinations print with the 64-bit prefix below movaq, 128-bit from it.
        let kind = if opc < 5 { Opnd::D } else { Opnd::Q };
        out.push(format!(
            "{},{i} area = {}, ind = {}, am = {}, be = {}, {}",
            MOVA_NAMES[opc as usize],
            AA2F1_AREA.get(op),
            AA2F1_IND.get(op),
            AA2F1_AM.get(op),
            AA2F1_BE.get(op),
            operand::dst(dst, kind)
        ));
    }
}
