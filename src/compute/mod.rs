//! Computing what the inventories say: convergence indicators per
//! établissement and per GHT for a campaign. Pure functions over plain data;
//! the store gathers the inputs and keeps the results.

pub mod aggregates;
pub mod changes;
pub mod detail;
pub mod indicators;
pub mod trajectories;
