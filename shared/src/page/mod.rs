//! The page model, its validation and its HTML rendering.

pub mod model;
pub mod render;
pub mod theme;
