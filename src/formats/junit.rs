//! JUnit XML parser (to be written).
