//! Rendering outside text inert.
