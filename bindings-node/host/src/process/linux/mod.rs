//! Linux: a supervisor per node's processes (nothing outlives the node), limits measured over
//! the whole tree, and Landlock confinement to the run's grant.

pub(crate) mod landlock;
mod supervisor;
mod sys;
mod tree;

pub(crate) use supervisor::{split, Plan, Verdict};
