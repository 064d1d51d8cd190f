//! PLS statements: the ELP passes, CLP/MLP operations and result passes that are needed,
//! i.e. that reach a `%predN` (vdst) or a `%clpN` control-transfer condition.

use crate::bundle::Bundle;
use crate::fields::*;

/// Text of an ELP source byte.
fn elp_source(elp: u32) -> String {
    if elp & 0x40 == 0 {
        if elp & 0x3f == 0 {
            "%lcntex".into()
        } else {
            let bits: String = (0..5)
                .filter(|i| elp & (1 << i) != 0)
                .map(|i| i.to_string())
                .collect();
            format!("%spred{bits}")
        }
    } else if elp & 0x60 == 0x40 {
        match elp & 0x1f {
            0 => "%bgrpred".into(),
            n @ 1..=15 => format!("%rndpred{n}"),
            _ => "<invalid pred>".into(),
        }
    } else {
        format!("%pred{}", elp & 0x1f)
    }
}

/// True for ELP sources read for their side effect even when unused (`%rndpredN`).
fn elp_has_side_effect(elp: u32) -> bool {
    elp & 0x60 == 0x40 && (1..=15).contains(&(elp & 0x1f))
}

/// The CLP index (0..=2) a `%clpN` control-transfer condition reads, if any.
fn ctcond_clp(b: &Bundle) -> Option<usize> {
    let c = SS_CTCOND.get(b.ss()?);
    let p = SS_CT_PSRC.get(c);
    // Type 9 with selector kind 2 (psrc bits 4..3) is `%clpN`, N in psrc bits 2..1.
    (SS_CT_TYPE.get(c) == 9 && p >> 3 & 3 == 2).then_some((p >> 1 & 3) as usize)
}

/// PLS statements, PLS2 first.
pub(crate) fn pls(b: &Bundle, out: &mut Vec<String>) {
    // need[k]: 0 = not needed, 1 = needed, 2 = needed and its inputs marked.
    let mut need = [0u8; 7];
    for i in 0..3 {
        if b.pls(i).is_some_and(|w| PLS_CLP_VDST.get(w) != 0) {
            need[4 + i] = 1;
        }
    }
    if let Some(n) = ctcond_clp(b) {
        if n < 3 && b.pls(n).is_some() {
            need[4 + n] = 1;
        }
    }
    let mut again = true;
    while again {
        again = false;
        for i in 0..3 {
            if need[4 + i] != 1 {
                continue;
            }
            let w = b.pls(i).unwrap_or(0);
            for p in [PLS_CLP_P0.get(w), PLS_CLP_P1.get(w)] {
                let p = p as usize;
                if p < 7 && need[p] == 0 {
                    need[p] = 1;
                    again |= p >= 4;
                }
            }
            need[4 + i] = 2;
        }
    }
    for i in (0..3).rev() {
        let Some(w) = b.pls(i) else { continue };
        if i < 2 {
            for (k, elp) in [(2 * i, PLS_ELP0.get(w)), (2 * i + 1, PLS_ELP1.get(w))] {
                if need[k] != 0 || elp_has_side_effect(elp) {
                    out.push(format!("pass {}, @p{k}", elp_source(elp)));
                }
            }
        }
        if need[4 + i] != 0 {
            let name = ["andp", "landp", "reserved", "movep"][PLS_CLP_OPC.get(w) as usize];
            let neg = |n: u32| if n != 0 { "~" } else { "" };
            out.push(format!(
                "{name} {}@p{}, {}@p{}, @p{}",
                neg(PLS_CLP_NEG0.get(w)),
                PLS_CLP_P0.get(w),
                neg(PLS_CLP_NEG1.get(w)),
                PLS_CLP_P1.get(w),
                4 + i
            ));
            if PLS_CLP_VDST.get(w) != 0 {
                out.push(format!("pass @p{}, %pred{}", 4 + i, PLS_CLP_PDST.get(w)));
            }
        }
    }
}
