//! Asynchronous array-prefetch (APB) instructions: two 8-byte records printed as `apb`.

use crate::fields::*;

/// The two `apb` lines of a 16-byte APB instruction (`words` = API_L.aps, API_L.apls,
/// API_R.aps, API_R.apls).
pub fn apb_lines(words: [u32; 4], iset: u8) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (aps, apls)) in [(words[0], words[1]), (words[2], words[3])]
        .into_iter()
        .enumerate()
    {
        let fmt = APS_FMT.get(aps);
        let mut s = format!(
            "apb {}={}",
            if i == 0 { "ct" } else { "dpl" },
            APS_CT_DPL.get(aps)
        );
        if iset <= 1 && fmt != 0 {
            s += &format!(", si={}", APS_SI.get(aps));
        }
        if fmt != 0 {
            s += &format!(", dcd={}", APS_DCD.get(aps));
        }
        s += &format!(", fmt={fmt}");
        if fmt != 0 {
            s += &format!(", mrng={}, d={}", APS_MRNG.get(aps), APS_D.get(aps));
            if iset >= 2 || APS_SI.get(aps) == 0 {
                s += &format!(", incr={}, ind={}", APS_INCR.get(aps), APS_IND.get(aps));
            } else {
                s += &format!(
                    ", be={}, am={}, area={}",
                    APS_BE.get(aps),
                    APS_AM.get(aps),
                    APS_AREA.get(aps)
                );
            }
            s += &format!(
                ", asz={}, abs={}, disp=0x{apls:x}",
                APS_ASZ.get(aps),
                APS_ABS.get(aps)
            );
        }
        out.push(s);
    }
    out
}
