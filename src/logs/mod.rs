//! Log buffer and filter.
