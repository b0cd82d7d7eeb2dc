//! opsdeck: a terminal operations console for ML services on AWS.
pub mod app;
pub mod aws;
pub mod backend;
pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod keymap;
pub mod layout;
pub mod logs;
pub mod ops;
pub mod runtime;
pub mod sanitize;
pub mod sim;
pub mod status;
pub mod theme;
pub mod ui;
