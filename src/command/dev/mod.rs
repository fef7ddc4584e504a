//! Hidden developer commands: benchmark data.

pub mod gen_data;
