//! Placeholder module; its helpers are being written.
