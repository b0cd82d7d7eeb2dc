//! opsdeck: a terminal operations console for ML services on AWS.
pub mod backend;
pub mod domain;
pub mod logs;
pub mod sanitize;
pub mod sim;
pub mod theme;
pub mod keymap;
pub mod app;
pub mod ui;
