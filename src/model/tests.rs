//! Test results (to be written with the JUnit parser).
