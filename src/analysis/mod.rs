//! Computed views over the model, one per command; renderers only format these.

pub mod tests;
