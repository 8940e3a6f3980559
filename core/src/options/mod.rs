//! Every option a user writes, declared once: the conductor's config (per entry of the npm
//! package), a run's options and permissions, and the protocol server's options — names, types, ranges, allowed values,
//! where each applies, which a session reads, and their documentation.
//!
//! The declarations are data ([`declare`]). The TypeScript types of the npm package and the
//! checks its entries run before anything else (`npm/src/options/`) are generated from them
//! (`npm/src/types/options.generated.ts`), and a test holds the session's own readers
//! (`SessionConfig`, `RunOptions`, both read through [`read`]) to the same names. [`suggest`]
//! finds the name a misspelt one meant, for these and for node parameters and ports.

pub mod conductor;
pub mod declare;
pub mod permissions;
pub mod queue;
pub mod read;
pub mod run;
pub mod serde_error;
pub mod server;
pub mod suggest;
